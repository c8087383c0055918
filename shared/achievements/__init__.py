"""Achievements that can be checked from outside: verification codes, Open Badges credentials,
certificates that carry them."""
