"""Graduation lists for the ceremony: by school, as JSON, a spreadsheet-safe CSV, or the certificates PDF."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.api.spec import Reply
from shared.graduation import service
from shared.graduation.schemas import GraduationList, GraduationQuery
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("graduation",)


def _render(graduation: GraduationList, query: GraduationQuery) -> GraduationList | Reply:
    if query.format == "csv":
        return Reply(body=service.graduation_csv(graduation), content_type="text/csv",
                     headers={"Content-Disposition": 'attachment; filename="graduation-list.csv"'})
    return graduation


@endpoint(bp, name="partner_graduation", method="GET", route="partners/{partner_id}/graduation",
          summary="Pupils who reached each award in a period, by member school (JSON or CSV)",
          roles=(Role.TRUST_ADMIN, Role.PARTNER_MANAGER), query=GraduationQuery, response=GraduationList,
          errors=(400, 404), tags=TAGS)
def partner_graduation(call: HttpCall) -> GraduationList | Reply:
    return _render(service.partner_graduation(call.caller, call.route["partner_id"], call.query), call.query)


@endpoint(bp, name="school_graduation", method="GET", route="schools/{school_id}/graduation",
          summary="One school's graduation list (JSON, CSV, or every certificate on it as one PDF)",
          roles=STAFF_ROLES, query=GraduationQuery, response=GraduationList, errors=(400, 404), tags=TAGS)
def school_graduation(call: HttpCall) -> GraduationList | Reply:
    if call.query.format == "pdf":
        return Reply(body=service.graduation_certificates_pdf(call.caller, call.route["school_id"], call.query),
                     content_type="application/pdf",
                     headers={"Content-Disposition": 'attachment; filename="certificates.pdf"'})
    return _render(service.school_graduation(call.caller, call.route["school_id"], call.query), call.query)
