"""An award as an Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials data model 2.0), pure.

Privacy by design for children: the recipient is a hashed IdentityObject (salted SHA-256 of the
name, `hashed: true`); no plain name, no date of birth, no school. The achievement carries its
criteria (the hours) and the skills of the pupil's activities as alignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from shared.achievements.model import Revocation, Verification
from shared.ids import parse_iso

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
ISSUER_NAME = "Children's University"


@dataclass(frozen=True)
class IssuerUrls:
    base: str  # PUBLIC_BASE_URL, no trailing slash

    @property
    def api(self) -> str:
        return f"{self.base}/api/credentials"

    @property
    def issuer_id(self) -> str:
        return f"{self.api}/issuer"

    @property
    def jwks(self) -> str:
        return f"{self.api}/jwks"

    def achievement(self, award_key: str) -> str:
        return f"{self.api}/achievements/{award_key}"

    def status_list(self, list_id: str) -> str:
        return f"{self.api}/status/{list_id}"

    def skill(self, skill: str) -> str:
        return f"{self.base}/api/vocabulary#skill-{quote(skill, safe='')}"


def issuer_profile(urls: IssuerUrls) -> dict:
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": urls.issuer_id,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": urls.base,
        "description": "Children's University celebrates children's learning beyond the classroom.",
    }


def achievement_definition(urls: IssuerUrls, award_key: str, award_name: str, hours: int) -> dict:
    return {
        "id": urls.achievement(award_key),
        "type": ["Achievement"],
        "achievementType": "Award",
        "name": award_name,
        "description": f"The Children's University {award_name}, for {hours} hours of learning "
                       "through validated activities beyond the classroom.",
        "criteria": {"narrative": f"Reach {hours} hours of learning recorded with stamp codes from the "
                                  "Children's University Passport to Learning."},
        "creator": {"id": urls.issuer_id, "type": ["Profile"], "name": ISSUER_NAME},
    }


def achievement(urls: IssuerUrls, v: Verification, skills: list[str]) -> dict:
    return achievement_definition(urls, v.award_key, v.award_name, v.hours) | {
        "alignment": [{"type": ["Alignment"], "targetName": skill, "targetUrl": urls.skill(skill),
                       "targetType": "ceasn:Competency"} for skill in skills],
    }


def open_badge_credential(urls: IssuerUrls, v: Verification, skills: list[str], list_id: str) -> dict:
    """The credential (unsigned). `skills` come from the activities that counted towards the award."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": v.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": urls.issuer_id, "type": ["Profile"], "name": ISSUER_NAME, "url": urls.base},
        "validFrom": v.achieved_at,
        "name": v.award_name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "identityType": "name", "hashed": True,
                "identityHash": v.name_hash, "salt": v.salt,
            }],
            "achievement": achievement(urls, v, skills),
        },
        "credentialStatus": {"id": urls.status_list(list_id), "type": REVOCATION_LIST_TYPE},
    }


def jwt_claims(credential: dict) -> dict:
    """The credential as a VC-JWT payload: the credential itself plus the registered claims."""
    return {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
            "nbf": int(parse_iso(credential["validFrom"]).timestamp())}


def revocation_list(urls: IssuerUrls, list_id: str, revoked: list[Revocation]) -> dict:
    return {
        "id": urls.status_list(list_id),
        "issuer": urls.issuer_id,
        "revokedCredentials": [{"id": r.credential_id, "revoked": True, "revocationReason": r.reason} for r in revoked],
    }
