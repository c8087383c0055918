"""Alerts in the caller's scope (the compliance view) and the Trust's alert email."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from shared.alerts import rules, store
from shared.ids import utcnow
from shared.mail import mailer, templates
from shared.organisation.store import get_staff
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

ALERT_DAYS = 7


class AlertOut(BaseModel):
    kind: str = Field(description="refresh_token_reuse | sign_in_lockout_spike | mass_export | mass_erasure | "
                                  "roster_sync_held")
    title: str
    first_at: str
    last_at: str
    count: int
    actor_id: str | None = None
    school_id: str | None = None
    partner_id: str | None = None


class AlertsEmailedOut(BaseModel):
    alerts: int
    emailed: bool


def _scope_of(caller: Principal) -> str:
    if caller.role is Role.TRUST_ADMIN:
        return store.TRUST_SCOPE
    if caller.role is Role.PARTNER_MANAGER:
        return store.scopes_of(None, caller.partner_id)[-1]
    return store.scopes_of(caller.school_id, None)[-1]


def current(caller: Principal, today: date, *, storage: Storage) -> list[AlertOut]:
    """Alerts of the last ALERT_DAYS days in the caller's scope, newest first."""
    days = [today - timedelta(days=n) for n in range(ALERT_DAYS)]
    found = rules.alerts_from(store.events(storage, _scope_of(caller), reversed(days)))
    return [AlertOut(**a.__dict__) for a in found]


def email_to_me(caller: Principal, *, storage: Storage | None = None) -> AlertsEmailedOut:
    """Email the caller (the Trust's DPO, a trust admin) the alerts of the last days."""
    storage = storage or get_storage()
    scope.require_role(caller, Role.TRUST_ADMIN)
    alerts = current(caller, utcnow().date(), storage=storage)
    found = get_staff(storage, caller.subject_id)
    if not alerts or found is None:
        return AlertsEmailedOut(alerts=len(alerts), emailed=False)
    member = found[0]
    lines = [f"{a.last_at}: {a.title}" + (f" ({a.count} times)" if a.count > 1 else "") for a in alerts]
    url = f"{get_settings().public_base_url.rstrip('/')}/#/compliance"
    sent = mailer.send(templates.alerts_digest(member.email, member.nickname, lines, url))
    return AlertsEmailedOut(alerts=len(alerts), emailed=sent)
