"""The audit trail (and, later, the compliance view)."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import audit
from shared.security.principal import STAFF_ROLES

bp = func.Blueprint()
TAGS = ("compliance",)


@endpoint(bp, name="audit_list", method="GET", route="audit", summary="Audit entries in the caller's scope",
          roles=STAFF_ROLES, query=audit.AuditQuery, response=audit.AuditList, tags=TAGS)
def audit_list(call: HttpCall) -> audit.AuditList:
    return audit.view(call.caller, call.query)
