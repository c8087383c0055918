"""Checking a certificate from outside, and giving each award the code that makes that possible."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared import verification_codes as codes
from shared.achievements import store as verifications
from shared.achievements.errors import VerificationCodeNotKnown
from shared.achievements.model import Verification
from shared.achievements.schemas import IssuerOut, NameMatchIn, NameMatchOut, VerificationOut
from shared.ids import utcnow
from shared.learning import record_store
from shared.learning.model import AwardRow, CertificateRef
from shared.organisation import store as org_store
from shared.organisation.model import School
from shared.roster.model import Pupil
from shared.security import rate
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

ISSUER = "Children's University"
# A checker with a certificate in hand needs one or two looks; a script walking the code space is
# stopped long before it could matter (80-bit codes: 2^80 / 60 per hour per client).
CHECKS_PER_HOUR = 60
# A name check is a guess at a child's name: far fewer, per client.
NAME_CHECKS_PER_HOUR = 10
NOT_KNOWN = "This code is not known. Check it against the certificate (the letters O, I and L read as 0, 1, 1)."


def verify_url(code: str) -> str:
    """The public page a certificate's QR code opens (the web client's hash route)."""
    return f"{get_settings().public_base_url.rstrip('/')}/#/verify/{code}"


def _known(storage: Storage, code_text: str) -> Verification:
    canonical = codes.normalise_verification_code(code_text)
    found = verifications.get(storage, canonical) if canonical else None
    if found is None:
        raise VerificationCodeNotKnown(NOT_KNOWN)
    return found


def check(code_text: str, client: str, *, storage: Storage | None = None) -> VerificationOut:
    """Genuine or not: the award, its hours and date, and the issuer. One point read after the throttle."""
    storage = storage or get_storage()
    rate.spend(storage, "verify", client, limit=CHECKS_PER_HOUR, now=utcnow())
    found = _known(storage, code_text)
    return VerificationOut(
        genuine=True, code=codes.format_verification_code(found.code), award=found.award_name,
        hours=found.hours, achieved_on=found.achieved_on, issuer=IssuerOut(name=ISSUER, partner=found.issuer_name),
    )


def match_name(code_text: str, body: NameMatchIn, client: str, *, storage: Storage | None = None) -> NameMatchOut:
    """Does the name the checker already has belong to this certificate? Only yes or no."""
    storage = storage or get_storage()
    rate.spend(storage, "verify-name", client, limit=NAME_CHECKS_PER_HOUR, now=utcnow())
    found = _known(storage, code_text)
    return NameMatchOut(matches=codes.name_matches(body.name, found.salt, found.name_hash))


def _record(school: School, issuer_name: str, pupil_id: str, name: str, award: AwardRow, code: str) -> Verification:
    salt = codes.new_salt()
    return Verification(
        code=code, school_id=school.id, pupil_id=pupil_id, partner_id=school.partner_id, rank=award.rank,
        award_key=award.award_key, award_name=award.name, hours=award.hours, achieved_at=award.achieved_at,
        issuer_name=issuer_name, salt=salt, name_hash=codes.name_hash(name, salt),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
    )


def _issuer_name(storage: Storage, school: School) -> str:
    partner = org_store.get_partner(storage, school.partner_id)
    return partner.name if partner else ISSUER


def code_for_award(storage: Storage, school: School, pupil: Pupil, award: AwardRow) -> str:
    """The award's verification code, given on first use and published so it can be checked.

    The code is written to the award row first (under its ETag: of two first renders racing, one code
    wins), then the verification record is published if absent, so a crash in between is finished by
    the next render, and erasure always finds the code on the award row.
    """
    code = award.verification_code
    if code is not None and verifications.get(storage, code) is not None:
        return code
    if code is None:
        code = record_store.set_verification_code(storage, school.id, pupil.id, award, codes.new_verification_code())
    verifications.publish(storage, _record(school, _issuer_name(storage, school), pupil.id,
                                           f"{pupil.first_name} {pupil.last_name}", award, code))
    return code


@dataclass(frozen=True)
class Recipient:
    """An award whose certificate is about to be printed, and whose it is."""

    pupil_id: str
    name: str
    award: AwardRow


def codes_for_awards(storage: Storage, school: School, recipients: list[Recipient]) -> list[str | None]:
    """Each award's verification code, as `code_for_award` gives it, for many awards of one school at once
    (an assembly's certificates); None for an award erased meanwhile.

    The same order of writes, in batches: new codes go onto their award rows 100 to an entity-group
    transaction (each under its row's ETag; a refused transaction falls back to one award at a time), then
    each record is published if absent (one insert each: a record is its own partition, so checking it
    stays one point read), then the award rows are marked published, 100 to a transaction, so printing
    them again costs no request per certificate.
    """
    found: dict[int, str] = {}
    to_publish: list[int] = []
    fresh: list[int] = []
    for i, r in enumerate(recipients):
        if r.award.verification_code is None:
            fresh.append(i)
        else:
            found[i] = r.award.verification_code
            if not r.award.verification_published:
                to_publish.append(i)  # given by one certificate's first opening: published, unless it crashed
    new = [(recipients[i].pupil_id, recipients[i].award, codes.new_verification_code()) for i in fresh]
    refused = set(record_store.set_verification_codes(storage, school.id, new))
    for position, i in enumerate(fresh):
        pupil_id, award, code = new[position]
        if position in refused:
            # The row changed since it was read (most likely a certificate opened at that moment gave it a
            # code): this award alone, as one certificate's opening does.
            current = record_store.get_award(storage, CertificateRef(school.id, pupil_id, award.rank))
            if current is None:
                continue
            code = current.verification_code or record_store.set_verification_code(
                storage, school.id, pupil_id, current, code)
        found[i] = code
        to_publish.append(i)
    if to_publish:
        issuer = _issuer_name(storage, school)
        for i in to_publish:
            r = recipients[i]
            verifications.publish(storage, _record(school, issuer, r.pupil_id, r.name, r.award, found[i]))
        record_store.mark_verifications_published(
            storage, school.id, [(recipients[i].pupil_id, recipients[i].award) for i in to_publish])
    return [found.get(i) for i in range(len(recipients))]
