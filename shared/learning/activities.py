"""Activities, the skills/interests vocabulary, and stamp codes.

Tables:
- `activities`: canonical row PK "activity", RK activity id; listing copy PK "partner-<id>" or
  "school-<id>"; the codes of an activity PK "codes-<activity id>", RK code (for code sheets).
- `stampcodes`: PK = canonical code (`RED2468`), RK "code": the activity snapshot a redemption needs in
  one point read. RK "claim" marks a single-use code as used; RK "uses" counts uses of a capped code.
  Codes are unique across the system by insert conflict.
- `vocabulary`: PK "skill" / "interest", RK a slug: what the Trust has added to the defaults.
"""

from __future__ import annotations

import json
import re
from datetime import date

from azure.core.exceptions import ResourceExistsError

from shared.csvsafe import csv_bytes
from shared.errors import FieldError, InvalidRequest, OutsideScope
from shared.ids import iso, new_id, utcnow
from shared.learning.awards import hours_to_minutes, minutes_to_hours
from shared.learning.codes import display_code, generate_code
from shared.learning.models import (
    Activity,
    ActivityIn,
    ActivityList,
    ActivityOut,
    ActivityQuery,
    ActivitySummary,
    CodeList,
    CodeOut,
    CodesIn,
    VocabularyIn,
    VocabularyOut,
)
from shared.organisation.service import visible_partner, visible_school
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.storage.names import ACTIVITIES, CODES, VOCABULARY
from shared.storage.tables import Entity, check_key, get_entity, partition, submit_batches, upsert_op

DEFAULT_SKILLS = (
    "communication", "teamwork", "creativity", "problem solving", "resilience", "leadership", "independence",
    "confidence",
)
DEFAULT_INTERESTS = (
    "sport", "arts & culture", "STEM", "nature & outdoors", "reading & writing", "music", "cooking",
    "community & volunteering", "languages", "digital",
)
ACTIVITY_PK = "activity"
CODE_RK = "code"
CODE_CREATE_ATTEMPTS = 20


# --- vocabulary ------------------------------------------------------------------------------------

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def vocabulary(storage: Storage | None = None) -> VocabularyOut:
    storage = storage or get_storage()
    table = storage.table(VOCABULARY)
    added = {kind: [e["name"] for e in partition(table, kind)] for kind in ("skill", "interest")}
    return VocabularyOut(
        skills=list(dict.fromkeys([*DEFAULT_SKILLS, *sorted(added["skill"])])),
        interests=list(dict.fromkeys([*DEFAULT_INTERESTS, *sorted(added["interest"])])),
    )


def extend_vocabulary(caller: Principal, body: VocabularyIn, *, storage: Storage | None = None) -> VocabularyOut:
    scope.require_role(caller, Role.TRUST_ADMIN)
    storage = storage or get_storage()
    storage.table(VOCABULARY).upsert_entity(
        {"PartitionKey": body.kind, "RowKey": _slug(body.name), "name": body.name}
    )
    return vocabulary(storage)


def _canonical_terms(requested: list[str], known: list[str], field: str) -> tuple[str, ...]:
    by_slug = {_slug(k): k for k in known}
    out, errors = [], []
    for term in requested:
        match = by_slug.get(_slug(term))
        if match is None:
            errors.append(FieldError(field=field, message=f"'{term[:40]}' is not in the {field} vocabulary"))
        elif match not in out:
            out.append(match)
    if errors:
        raise InvalidRequest(f"Use {field} from the vocabulary (GET /api/vocabulary).", errors=errors)
    return tuple(out)


# --- activities ------------------------------------------------------------------------------------

def activity_from(e: Entity) -> Activity:
    return Activity(
        id=e["RowKey"], title=e["title"], description=e.get("description") or None, minutes=int(e["minutes"]),
        skills=tuple(json.loads(e.get("skills") or "[]")), interests=tuple(json.loads(e.get("interests") or "[]")),
        employer_engagement=bool(e.get("employer_engagement")), partner_id=e.get("partner_id") or None,
        school_id=e.get("school_id") or None,
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
        created_by=e.get("created_by") or "", created_at=e["created_at"],
    )


def _activity_entity(a: Activity, partition_key: str) -> Entity:
    return {
        "PartitionKey": partition_key, "RowKey": a.id, "title": a.title, "description": a.description or "",
        "minutes": a.minutes, "skills": json.dumps(list(a.skills)), "interests": json.dumps(list(a.interests)),
        "employer_engagement": a.employer_engagement, "partner_id": a.partner_id or "",
        "school_id": a.school_id or "", "valid_from": a.valid_from.isoformat() if a.valid_from else "",
        "valid_to": a.valid_to.isoformat() if a.valid_to else "", "created_by": a.created_by,
        "created_at": a.created_at,
    }


def owner_partition(a: Activity) -> str:
    return f"school-{a.school_id}" if a.school_id else f"partner-{a.partner_id}"


def activity_out(a: Activity) -> ActivityOut:
    return ActivityOut(
        id=a.id, title=a.title, description=a.description, hours=minutes_to_hours(a.minutes), skills=list(a.skills),
        interests=list(a.interests), employer_engagement=a.employer_engagement, partner_id=a.partner_id,
        school_id=a.school_id, valid_from=a.valid_from, valid_to=a.valid_to,
    )


def activity_summary(a: Activity) -> ActivitySummary:
    return ActivitySummary(id=a.id, title=a.title, hours=minutes_to_hours(a.minutes), skills=list(a.skills),
                           interests=list(a.interests), employer_engagement=a.employer_engagement)


def _check_owner(storage: Storage, caller: Principal, partner_id: str | None, school_id: str | None) -> None:
    """May the caller act on (not just see) an activity of this owner: create it, make or read its codes."""
    if partner_id is not None:
        visible_partner(storage, caller, partner_id)
        scope.require_change(scope.acts_on_partner_activity(caller, partner_id),
                             "Learning destinations' activities are added by the partner manager.")
    else:
        assert school_id is not None
        visible_school(storage, caller, school_id)
        scope.require_change(scope.acts_on_school_club(caller))


def create_activity(caller: Principal, body: ActivityIn, *, storage: Storage | None = None) -> ActivityOut:
    storage = storage or get_storage()
    _check_owner(storage, caller, body.partner_id, body.school_id)
    vocab = vocabulary(storage)
    activity = Activity(
        id=new_id("act"), title=body.title, description=body.description, minutes=hours_to_minutes(body.hours),
        skills=_canonical_terms(body.skills, vocab.skills, "skills"),
        interests=_canonical_terms(body.interests, vocab.interests, "interests"),
        employer_engagement=body.employer_engagement, partner_id=body.partner_id, school_id=body.school_id,
        valid_from=body.valid_from, valid_to=body.valid_to, created_by=caller.subject_id, created_at=iso(utcnow()),
    )
    table = storage.table(ACTIVITIES)
    table.upsert_entity(_activity_entity(activity, ACTIVITY_PK))
    table.upsert_entity(_activity_entity(activity, owner_partition(activity)))
    return activity_out(activity)


def list_activities(caller: Principal, query: ActivityQuery, *, storage: Storage | None = None) -> ActivityList:
    storage = storage or get_storage()
    if (query.partner_id is None) == (query.school_id is None):
        raise InvalidRequest("Give exactly one of partner_id or school_id.",
                             errors=[FieldError(field="partner_id", message="give partner_id or school_id")])
    if query.partner_id is not None:
        # A partner's activities are open to its managers and to the staff of its member schools.
        scope.require(caller.role is Role.TRUST_ADMIN or caller.partner_id == query.partner_id)
        key = f"partner-{check_key(query.partner_id)}"
    else:
        visible_school(storage, caller, query.school_id or "")
        key = f"school-{check_key(query.school_id or '')}"
    activities = sorted((activity_from(e) for e in partition(storage.table(ACTIVITIES), key)), key=lambda a: a.title)
    return ActivityList(activities=[activity_out(a) for a in activities])


def get_activity(storage: Storage, activity_id: str) -> Activity | None:
    e = get_entity(storage.table(ACTIVITIES), ACTIVITY_PK, check_key(activity_id))
    return activity_from(e) if e else None


def visible_activity(storage: Storage, caller: Principal, activity_id: str) -> Activity:
    """Staff see their partner's activities and their school's clubs; the Trust sees all."""
    activity = get_activity(storage, activity_id)
    visible = False
    if activity is not None:
        if caller.role is Role.TRUST_ADMIN:
            visible = True
        elif activity.school_id is not None:
            try:
                visible_school(storage, caller, activity.school_id)
                visible = True
            except OutsideScope:
                visible = False
        else:
            visible = caller.partner_id == activity.partner_id and caller.role is not Role.PUPIL
    scope.require(visible)
    assert activity is not None
    return activity


# --- stamp codes -------------------------------------------------------------------------------------

def code_entity(code: str, activity: Activity, body: CodesIn, created_at: str) -> Entity:
    return {
        "PartitionKey": code, "RowKey": CODE_RK, "activity_id": activity.id, "title": activity.title,
        "minutes": activity.minutes, "skills": json.dumps(list(activity.skills)),
        "interests": json.dumps(list(activity.interests)), "employer_engagement": activity.employer_engagement,
        "school_id": activity.school_id or "", "partner_id": activity.partner_id or "",
        "single_use": body.single_use, "max_uses": body.max_uses or 0,
        "valid_from": _later(body.valid_from, activity.valid_from),
        "valid_to": _earlier(body.valid_to, activity.valid_to),
        "created_at": created_at,
    }


def _later(a: date | None, b: date | None) -> str:
    dates = [d for d in (a, b) if d]
    return max(dates).isoformat() if dates else ""


def _earlier(a: date | None, b: date | None) -> str:
    dates = [d for d in (a, b) if d]
    return min(dates).isoformat() if dates else ""


def _code_out(e: Entity, activity_id: str) -> CodeOut:
    return CodeOut(
        code=display_code(e["RowKey"] if e["PartitionKey"].startswith("codes-") else e["PartitionKey"]),
        single_use=bool(e.get("single_use")), max_uses=int(e.get("max_uses") or 0) or None,
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None, activity_id=activity_id,
    )


def create_codes(caller: Principal, activity_id: str, body: CodesIn, *, storage: Storage | None = None) -> CodeList:
    """Each code is claimed by a conditional insert, so no two activities ever share one."""
    storage = storage or get_storage()
    activity = visible_activity(storage, caller, activity_id)
    _check_owner(storage, caller, activity.partner_id, activity.school_id)
    codes_table = storage.table(CODES)
    now = iso(utcnow())
    created: list[Entity] = []
    for _ in range(body.count):
        for _attempt in range(CODE_CREATE_ATTEMPTS):
            entity = code_entity(generate_code(), activity, body, now)
            try:
                codes_table.create_entity(entity)
                created.append(entity)
                break
            except ResourceExistsError:
                continue
        else:
            raise InvalidRequest("The code space is too full to create more codes; retire old ones first.")
    listing = [
        upsert_op({k: v for k, v in e.items() if k not in ("PartitionKey", "RowKey")}
                  | {"PartitionKey": f"codes-{activity.id}", "RowKey": e["PartitionKey"]})
        for e in created
    ]
    submit_batches(storage.table(ACTIVITIES), listing)
    return CodeList(codes=[_code_out(e, activity.id) for e in created])


def list_codes(caller: Principal, activity_id: str, *, storage: Storage | None = None) -> tuple[Activity, CodeList]:
    storage = storage or get_storage()
    activity = visible_activity(storage, caller, activity_id)
    _check_owner(storage, caller, activity.partner_id, activity.school_id)
    rows = partition(storage.table(ACTIVITIES), f"codes-{activity.id}")
    return activity, CodeList(codes=[_code_out(e, activity.id) for e in rows])


def code_sheet_csv(activity: Activity, codes: CodeList) -> bytes:
    return csv_bytes(
        ["code", "activity", "hours", "single_use", "max_uses", "valid_from", "valid_to"],
        ([c.code, activity.title, minutes_to_hours(activity.minutes), c.single_use, c.max_uses or "",
          c.valid_from or "", c.valid_to or ""] for c in codes.codes),
    )


def code_sheet_pdf(activity: Activity, codes: CodeList) -> bytes:
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.code_sheet import render_code_sheet

    valid_to = min((c.valid_to for c in codes.codes if c.valid_to), default=None)
    return render_code_sheet(activity.title, minutes_to_hours(activity.minutes), [c.code for c in codes.codes],
                             valid_to)
