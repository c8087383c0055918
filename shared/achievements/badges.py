"""Open Badges 3.0: a pupil's award as a signed credential (where the school allows it), the issuer's
profile and public keys, and the revocation lists, all served by the API."""

from __future__ import annotations

import re

from shared import audit
from shared.achievements import badge, signing
from shared.achievements import revocations_store as revocations
from shared.achievements import store as verifications
from shared.achievements.verification import code_for_award
from shared.audit import Action
from shared.errors import Forbidden, NotFound
from shared.learning.awards import award_by_key
from shared.learning.progress import visible_certificate
from shared.learning.record_store import get_award, learning_record
from shared.roster.store import get_pupil
from shared.security import scope
from shared.security.principal import Principal
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import check_key

_LIST_ID = re.compile(r"^\d{4}-\d{2}$")


class BadgesSwitchedOff(Forbidden):
    title = "Digital badges are off"


def _urls() -> badge.IssuerUrls:
    return badge.IssuerUrls(base=get_settings().public_base_url.rstrip("/"))


def _skills_until(storage: Storage, school_id: str, pupil_id: str, achieved_at: str) -> list[str]:
    """The skills of the activities that counted towards the award, most practised first."""
    minutes: dict[str, int] = {}
    for r in learning_record(storage, school_id, pupil_id).redemptions:
        if r.redeemed_at <= achieved_at:
            for skill in r.activity.skills:
                minutes[skill] = minutes.get(skill, 0) + r.minutes
    return sorted(minutes, key=lambda s: (-minutes[s], s))


def credential_jwt(caller: Principal, certificate_id: str, *, storage: Storage | None = None) -> str:
    """The award as a VC-JWT signed with the issuer's Ed25519 key."""
    storage = storage or get_storage()
    school, ref = visible_certificate(storage, caller, certificate_id)
    pupil_id = ref.pupil_id
    found = get_pupil(storage, school.id, pupil_id)
    award = get_award(storage, ref)
    scope.require(found is not None and award is not None)
    assert found is not None and award is not None
    if not school.open_badges:
        raise BadgesSwitchedOff("The school has not switched on digital badges; the certificate is still yours.")
    code = code_for_award(storage, school, found[0], award)
    verification = verifications.get(storage, code)
    if verification is None:
        raise NotFound("Not found.")
    skills = _skills_until(storage, school.id, pupil_id, award.achieved_at)
    credential = badge.open_badge_credential(_urls(), verification, skills,
                                             revocations.list_id_for(verification.achieved_at))
    token = signing.sign(badge.jwt_claims(credential))
    if caller.is_staff:
        audit.record(Action.CREDENTIAL_ISSUED, actor_id=caller.subject_id, subject_ids=[pupil_id],
                     school_id=school.id, partner_id=school.partner_id, storage=storage)
    return token


def achievement(award_key: str) -> dict:
    """The achievement a credential names, so its id resolves (without any pupil's skills)."""
    try:
        award = award_by_key(award_key)
    except KeyError:
        raise NotFound("Not found.") from None
    return badge.achievement_definition(_urls(), award.key, award.name, award.hours)


def issuer_profile() -> dict:
    return badge.issuer_profile(_urls())


def public_keys() -> dict:
    return signing.jwks()


def revocation_list(list_id: str, *, storage: Storage | None = None) -> dict:
    if not _LIST_ID.fullmatch(list_id):
        raise NotFound("Not found.")
    storage = storage or get_storage()
    return badge.revocation_list(_urls(), list_id, revocations.revoked(storage, check_key(list_id)))
