"""Certificates that can be checked: the award's certificate with its verification code and QR code."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from shared import audit
from shared.achievements.verification import code_for_award, verify_url
from shared.audit import Action
from shared.hours import minutes_to_hours
from shared.learning import record_store
from shared.learning.model import CertificateRef
from shared.learning.progress import visible_certificate
from shared.organisation.model import School
from shared.roster.store import get_pupil
from shared.security import scope
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage
from shared.verification_codes import format_verification_code

if TYPE_CHECKING:
    from shared.documents.certificate import CertificateData


def certificate_data(storage: Storage, school: School, ref: CertificateRef) -> CertificateData | None:
    """What the certificate prints, giving the award its verification code if it has none yet."""
    from shared.documents.certificate import CertificateData

    found = get_pupil(storage, school.id, ref.pupil_id)
    award = record_store.get_award(storage, ref)
    if found is None or award is None:
        return None
    pupil = found[0]
    code = format_verification_code(code_for_award(storage, school, pupil, award))
    return CertificateData(
        pupil_name=f"{pupil.first_name} {pupil.last_name}",
        award_name=award.name, hours=float(award.hours), total_hours=minutes_to_hours(pupil.total_minutes),
        school_name=school.name, achieved_on=date.fromisoformat(award.achieved_at[:10]),
        verification_code=code, verify_url=verify_url(code),
    )


def certificate_pdf(caller: Principal, certificate_id: str, *, storage: Storage | None = None) -> bytes:
    """The pupil's own certificate, or one of a pupil in a staff member's scope; anything else is a 404."""
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.certificate import render_certificate

    storage = storage or get_storage()
    school, ref = visible_certificate(storage, caller, certificate_id)
    data = scope.visible(certificate_data(storage, school, ref))
    if caller.is_staff:
        audit.record(Action.CERTIFICATE_READ, actor_id=caller.subject_id, subject_ids=[ref.pupil_id],
                     school_id=school.id, partner_id=school.partner_id, storage=storage)
    return render_certificate(data)
