"""Verification records and the facts a certificate vouches for (domain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verification:
    """What a verification code stands for. No name, no date of birth, no school name: only ids
    (so erasure and a move of school can find it), the award, and a salted hash of the name."""

    code: str
    school_id: str
    pupil_id: str
    partner_id: str
    rank: int
    award_key: str
    award_name: str
    hours: int
    achieved_at: str
    issuer_name: str
    salt: str
    name_hash: str
    credential_id: str

    @property
    def achieved_on(self) -> str:
        return self.achieved_at[:10]


@dataclass(frozen=True)
class Revocation:
    """A credential revoked (its pupil was erased): what a revocation list publishes of it."""

    credential_id: str
    revoked_at: str
    reason: str
