"""The audit trail and the compliance view."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import audit, compliance
from shared.security.principal import STAFF_ROLES

bp = func.Blueprint()
TAGS = ("compliance",)


@endpoint(bp, name="audit_list", method="GET", route="audit", summary="Audit entries in the caller's scope",
          roles=STAFF_ROLES, query=audit.AuditQuery, response=audit.AuditList, tags=TAGS)
def audit_list(call: HttpCall) -> audit.AuditList:
    return audit.view(call.caller, call.query)


@endpoint(bp, name="compliance", method="GET", route="compliance",
          summary="Pupils held, coming deletions, stale rosters and the last retention run, in the caller's scope",
          roles=STAFF_ROLES, response=compliance.ComplianceOut, tags=TAGS)
def compliance_view(call: HttpCall) -> compliance.ComplianceOut:
    return compliance.view(call.caller)
