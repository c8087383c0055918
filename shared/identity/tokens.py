"""Signed access tokens (JWT, HS256) carrying the caller's role, scope ids and session version, and the
short-lived challenge that stands between a right password and the second sign-in step."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from shared.errors import Unauthenticated
from shared.security.principal import Principal, Role
from shared.settings import Settings, get_settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "role"]
# A sign-in challenge is for the second step only: its own audience, so it is never an access token.
CHALLENGE_AUDIENCE_SUFFIX = "#second-factor"
CHALLENGE_MINUTES = 5


def _claims(principal: Principal, settings: Settings, audience: str, issued: datetime, minutes: int) -> dict:
    claims = {
        "sub": principal.subject_id,
        "role": principal.role.value,
        "iss": settings.token_issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + timedelta(minutes=minutes),
        "jti": secrets.token_urlsafe(12),
        "sv": principal.session_version,
    }
    if principal.school_id:
        claims["school_id"] = principal.school_id
    if principal.partner_id:
        claims["partner_id"] = principal.partner_id
    return claims


def _decode(token: str, settings: Settings, audience: str, message: str) -> tuple[dict, Principal]:
    try:
        claims = jwt.decode(
            token,
            settings.token_signing_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=settings.token_issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=5,
        )
        role = Role(claims["role"])
        session_version = int(claims.get("sv", 0))
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        raise Unauthenticated(message) from None
    principal = Principal(
        subject_id=str(claims["sub"]),
        role=role,
        school_id=claims.get("school_id"),
        partner_id=claims.get("partner_id"),
        token_id=claims.get("jti"),
        session_version=session_version,
    )
    return claims, principal


def issue_access_token(principal: Principal, settings: Settings | None = None, *, now: datetime | None = None) -> str:
    settings = settings or get_settings()
    claims = _claims(principal, settings, settings.token_audience, now or datetime.now(UTC),
                     settings.access_token_minutes)
    return jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)


def verify_access_token(token: str, settings: Settings | None = None) -> Principal:
    """Reject anything but an unexpired HS256 token of ours for our audience; never echo the token."""
    settings = settings or get_settings()
    return _decode(token, settings, settings.token_audience, "The access token is missing, expired or invalid.")[1]


def issue_challenge(principal: Principal, purpose: str, settings: Settings | None = None, *,
                    now: datetime | None = None) -> str:
    """A short-lived proof that the password was right, good only for the second step (`purpose`)."""
    settings = settings or get_settings()
    claims = _claims(principal, settings, settings.token_audience + CHALLENGE_AUDIENCE_SUFFIX,
                     now or datetime.now(UTC), CHALLENGE_MINUTES)
    claims["purpose"] = purpose
    return jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)


@dataclass(frozen=True)
class Challenge:
    """A verified sign-in challenge: who passed the password step, for which second step, and which challenge
    it is (its id and expiry, so that it can be used up once)."""

    principal: Principal
    purpose: str
    challenge_id: str
    expires_at: datetime


def verify_challenge(token: str, settings: Settings | None = None) -> Challenge:
    """The challenge, if it is one of ours and unexpired; 401 otherwise."""
    settings = settings or get_settings()
    claims, principal = _decode(token, settings, settings.token_audience + CHALLENGE_AUDIENCE_SUFFIX,
                                "The sign-in has expired; start again with your email and password.")
    return Challenge(principal=principal, purpose=str(claims.get("purpose") or ""), challenge_id=str(claims["jti"]),
                     expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC))
