"""Which audited events are alerts for the Trust's DPO, and when a run of them becomes one (pure).

- a refresh token presented twice (a stolen session, or a replayed one): every time;
- sign-ins refused by lockout: a spike of LOCKOUT_SPIKE or more in one hour;
- exports or erasures of personal data: MASS_ACTION or more by one person in one hour;
- a full roster sync held back by the leaver guard: every time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from shared.alerts.store import AlertEvent

TOKEN_REUSE = "token_reuse_detected"
SIGN_IN_LOCKED = "sign_in_locked"
EXPORTS = frozenset({"pupil_exported", "staff_exported"})
ERASURES = frozenset({"pupil_erased", "staff_deleted"})
ROSTER_SYNC_HELD = "roster_sync_held"
WATCHED = frozenset({TOKEN_REUSE, SIGN_IN_LOCKED, ROSTER_SYNC_HELD} | EXPORTS | ERASURES)

STAFF_ID_PREFIX = "stf_"
LOCKOUT_SPIKE = 10
MASS_ACTION = 20

TITLES = {
    "refresh_token_reuse": "A refresh token was used twice: a session may have been stolen; it was ended.",
    "sign_in_lockout_spike": "Many sign-ins were refused by the lockout within one hour: someone may be guessing "
                             "passwords.",
    "mass_export": "One person exported many people's personal data within one hour.",
    "mass_erasure": "One person erased many people's records within one hour.",
    "roster_sync_held": "A roster sync was held back because it would have marked many pupils as left.",
}


@dataclass(frozen=True)
class Alert:
    kind: str
    title: str
    first_at: str
    last_at: str
    count: int
    actor_id: str | None = None
    school_id: str | None = None
    partner_id: str | None = None


def _single(kind: str, event: AlertEvent) -> Alert:
    return Alert(kind=kind, title=TITLES[kind], first_at=event.at, last_at=event.at, count=1,
                 actor_id=event.actor_id, school_id=event.school_id, partner_id=event.partner_id)


def _bursts(kind: str, groups: dict[tuple, list[AlertEvent]], threshold: int, by_actor: bool) -> list[Alert]:
    out = []
    for key, group in groups.items():
        if len(group) >= threshold:
            schools = {e.school_id for e in group}
            partners = {e.partner_id for e in group}
            out.append(Alert(kind=kind, title=TITLES[kind], first_at=group[0].at, last_at=group[-1].at,
                             count=len(group), actor_id=key[1] if by_actor else None,
                             school_id=schools.pop() if len(schools) == 1 else None,
                             partner_id=partners.pop() if len(partners) == 1 else None))
    return out


def _by_a_person(event: AlertEvent) -> bool:
    # Scheduled erasures (the retention timer's actor id) are the policy working, not an alert.
    return worth_filing(event.action, event.actor_id)


def worth_filing(action: str, actor_id: str | None) -> bool:
    """Whether an audited event can contribute to an alert (so the timer's erasures cost no extra request)."""
    if action in EXPORTS or action in ERASURES:
        return bool(actor_id and actor_id.startswith(STAFF_ID_PREFIX))
    return action in WATCHED


def alerts_from(events: Iterable[AlertEvent]) -> list[Alert]:
    """The alerts a time-ordered run of events amounts to, newest first."""
    alerts: list[Alert] = []
    lockouts: dict[tuple, list[AlertEvent]] = defaultdict(list)
    exports: dict[tuple, list[AlertEvent]] = defaultdict(list)
    erasures: dict[tuple, list[AlertEvent]] = defaultdict(list)
    for event in events:
        hour = event.at[:13]
        if event.action == TOKEN_REUSE:
            alerts.append(_single("refresh_token_reuse", event))
        elif event.action == ROSTER_SYNC_HELD:
            alerts.append(_single("roster_sync_held", event))
        elif event.action == SIGN_IN_LOCKED:
            lockouts[(hour,)].append(event)
        elif event.action in EXPORTS and _by_a_person(event):
            exports[(hour, event.actor_id)].append(event)
        elif event.action in ERASURES and _by_a_person(event):
            erasures[(hour, event.actor_id)].append(event)
    alerts += _bursts("sign_in_lockout_spike", lockouts, LOCKOUT_SPIKE, by_actor=False)
    alerts += _bursts("mass_export", exports, MASS_ACTION, by_actor=True)
    alerts += _bursts("mass_erasure", erasures, MASS_ACTION, by_actor=True)
    return sorted(alerts, key=lambda a: a.last_at, reverse=True)
