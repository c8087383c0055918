"""An assembly's certificates: one PDF with every award a school's pupils reached in a date range, each
drawn as the pupil's own certificate is, with its verification code and QR code.

Above learning (which finds the awards) so that it can give awards their codes without an import cycle.
"""

from __future__ import annotations

from datetime import date

from shared.achievements.verification import Recipient, codes_for_awards, verify_url
from shared.audit import Action
from shared.errors import NotFound
from shared.hours import minutes_to_hours
from shared.learning.assembly import audit_assembly, reached_awards
from shared.learning.schemas import SchoolAwardsQuery
from shared.organisation.access import visible_school
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage
from shared.verification_codes import format_verification_code


def assembly_certificates_pdf(caller: Principal, school_id: str, query: SchoolAwardsQuery, *,
                              storage: Storage | None = None) -> bytes:
    """One PDF, a certificate per page in the order they are handed out; codes made for awards without one."""
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.certificate import CertificateData, render_certificates

    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    reached = reached_awards(storage, school, query)
    codes = codes_for_awards(storage, school, [
        Recipient(pupil_id=r.listed.pupil_id, name=f"{r.listed.first_name} {r.listed.last_name}", award=r.row)
        for r in reached
    ])
    printed = [(r, format_verification_code(code)) for r, code in zip(reached, codes, strict=True) if code]
    if not printed:
        raise NotFound("No awards were reached between these dates, so there are no certificates to print.")
    audit_assembly(storage, caller, school, [r.listed for r, _ in printed], Action.CERTIFICATE_READ)
    return render_certificates([
        CertificateData(
            pupil_name=f"{r.listed.first_name} {r.listed.last_name}", award_name=r.listed.name,
            hours=float(r.listed.hours), total_hours=minutes_to_hours(r.total_minutes), school_name=school.name,
            achieved_on=date.fromisoformat(r.listed.achieved_at[:10]), verification_code=code,
            verify_url=verify_url(code),
        )
        for r, code in printed
    ], title=f"Certificates {query.from_.isoformat()} to {query.to.isoformat()}")
