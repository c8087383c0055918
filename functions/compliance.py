"""The audit trail and the compliance view."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import audit, compliance
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("compliance",)


@endpoint(bp, name="audit_list", method="GET", route="audit", summary="Audit entries in the caller's scope",
          roles=STAFF_ROLES, query=audit.AuditQuery, response=audit.AuditList, tags=TAGS)
def audit_list(call: HttpCall) -> audit.AuditList:
    return compliance.audit_view(call.caller, call.query)


@endpoint(bp, name="compliance", method="GET", route="compliance",
          summary="Pupils held, coming deletions, stale rosters and the last retention run, in the caller's scope",
          roles=STAFF_ROLES, response=compliance.ComplianceOut, tags=TAGS)
def compliance_view(call: HttpCall) -> compliance.ComplianceOut:
    return compliance.view(call.caller)


@endpoint(bp, name="compliance_alerts_email", method="POST", route="compliance/alerts/email",
          summary="Email the caller (the Trust) the alerts of the last days", roles=(Role.TRUST_ADMIN,),
          response=compliance.AlertsEmailedOut, tags=TAGS)
def alerts_email(call: HttpCall) -> compliance.AlertsEmailedOut:
    return compliance.email_alerts_to_me(call.caller)
