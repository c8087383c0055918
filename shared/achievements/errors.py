"""Credential errors, named for the business condition."""

from shared.errors import NotFound


class VerificationCodeNotKnown(NotFound):
    title = "Not known"
