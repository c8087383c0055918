"""Time-based one-time passwords (RFC 6238, via pyotp), recovery codes and the enrolment QR code (pure).

Codes are six digits over 30-second steps; one step either side is accepted for clock drift. A code is
identified by its step, so the store can refuse a step at or before the last one used (no replay).
Recovery codes are ten random `xxxx-xxxx-xx` strings from an alphabet without look-alikes; only their
hashes are kept.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp

from shared.ids import digest
from shared.security.principal import Role

ISSUER = "Children's University Online"
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(rf"^[{RECOVERY_ALPHABET}]{{10}}$")
# The accounts that see many schools must use a second factor (OWASP ASVS level 2); school staff may.
REQUIRED_FOR = frozenset({Role.TRUST_ADMIN, Role.PARTNER_MANAGER})


def required_for(role: Role) -> bool:
    return role in REQUIRED_FOR


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data URI (allowed by the web client's CSP: img-src data:)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def is_totp_code(code: str) -> bool:
    return bool(_TOTP_CODE.match(_normalised(code)))


def is_recovery_code(code: str) -> bool:
    return bool(_RECOVERY_CODE.match(_normalised(code)))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (current step ± drift), or None."""
    code = _normalised(code)
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return current + offset
    return None


def new_recovery_codes() -> list[str]:
    rng = secrets.SystemRandom()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(rng.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_digest(code: str) -> str:
    return digest("recovery:" + _normalised(code))
