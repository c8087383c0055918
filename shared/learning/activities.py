"""Activities, the skills/interests vocabulary, and stamp codes: who may do what (rows: `activities_store`)."""

from __future__ import annotations

import re
from datetime import date

from shared.csvsafe import csv_bytes
from shared.errors import FieldError, InvalidRequest, NotFound, OutsideScope
from shared.hours import hours_to_minutes, minutes_to_hours
from shared.ids import iso, new_id, utcnow
from shared.learning import activities_store as store
from shared.learning.codes import display_code, generate_code
from shared.learning.model import Activity, IssuedCode
from shared.learning.schemas import (
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
from shared.organisation.access import visible_partner, visible_school
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage

DEFAULT_SKILLS = (
    "communication", "teamwork", "creativity", "problem solving", "resilience", "leadership", "independence",
    "confidence",
)
DEFAULT_INTERESTS = (
    "sport", "arts & culture", "STEM", "nature & outdoors", "reading & writing", "music", "cooking",
    "community & volunteering", "languages", "digital",
)
CODE_CREATE_ATTEMPTS = 20


# --- vocabulary ------------------------------------------------------------------------------------

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def vocabulary(storage: Storage | None = None) -> VocabularyOut:
    storage = storage or get_storage()
    added = store.added_terms(storage, ("skill", "interest"))
    return VocabularyOut(
        skills=list(dict.fromkeys([*DEFAULT_SKILLS, *sorted(added["skill"])])),
        interests=list(dict.fromkeys([*DEFAULT_INTERESTS, *sorted(added["interest"])])),
    )


def extend_vocabulary(caller: Principal, body: VocabularyIn, *, storage: Storage | None = None) -> VocabularyOut:
    scope.require_role(caller, Role.TRUST_ADMIN)
    storage = storage or get_storage()
    store.add_term(storage, body.kind, _slug(body.name), body.name)
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
    store.put_activity(storage, activity)
    return activity_out(activity)


def list_activities(caller: Principal, query: ActivityQuery, *, storage: Storage | None = None) -> ActivityList:
    storage = storage or get_storage()
    if (query.partner_id is None) == (query.school_id is None):
        raise InvalidRequest("Give exactly one of partner_id or school_id.",
                             errors=[FieldError(field="partner_id", message="give partner_id or school_id")])
    if query.partner_id is not None:
        # A partner's activities are open to its managers and to the staff of its member schools.
        scope.require(caller.role is Role.TRUST_ADMIN or caller.partner_id == query.partner_id)
        listed = store.partner_activities(storage, query.partner_id)
    else:
        school = visible_school(storage, caller, query.school_id or "")
        listed = store.school_activities(storage, school.id)
    activities = sorted(listed, key=lambda a: a.title)
    return ActivityList(activities=[activity_out(a) for a in activities])


def visible_activity(storage: Storage, caller: Principal, activity_id: str) -> Activity:
    """Staff see their partner's activities and their school's clubs; the Trust sees all."""
    activity = store.get_activity(storage, activity_id)
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
    return scope.visible(activity, visible)


# --- stamp codes -------------------------------------------------------------------------------------

def _later(a: date | None, b: date | None) -> date | None:
    dates = [d for d in (a, b) if d]
    return max(dates) if dates else None


def _earlier(a: date | None, b: date | None) -> date | None:
    dates = [d for d in (a, b) if d]
    return min(dates) if dates else None


def _code_out(code: IssuedCode, activity_id: str) -> CodeOut:
    return CodeOut(code=display_code(code.code), single_use=code.single_use, max_uses=code.max_uses,
                   valid_from=code.valid_from, valid_to=code.valid_to, activity_id=activity_id, used=code.used,
                   uses=code.uses)


def create_codes(caller: Principal, activity_id: str, body: CodesIn, *, storage: Storage | None = None) -> CodeList:
    """Each code is claimed by a conditional insert, so no two activities ever share one."""
    storage = storage or get_storage()
    activity = visible_activity(storage, caller, activity_id)
    _check_owner(storage, caller, activity.partner_id, activity.school_id)
    now = iso(utcnow())
    valid_from, valid_to = _later(body.valid_from, activity.valid_from), _earlier(body.valid_to, activity.valid_to)
    created: list[IssuedCode] = []
    for _ in range(body.count):
        for _attempt in range(CODE_CREATE_ATTEMPTS):
            code = IssuedCode(code=generate_code(), single_use=body.single_use, max_uses=body.max_uses or None,
                              valid_from=valid_from, valid_to=valid_to,
                              uses=0 if body.single_use or body.max_uses else None)
            if store.create_code(storage, code, activity, now):
                created.append(code)
                break
        else:
            raise InvalidRequest("The code space is too full to create more codes; retire old ones first.")
    store.list_issued_codes(storage, activity, created, now)
    return CodeList(codes=[_code_out(c, activity.id) for c in created])


def list_codes(caller: Principal, activity_id: str, *, storage: Storage | None = None) -> tuple[Activity, CodeList]:
    storage = storage or get_storage()
    activity = visible_activity(storage, caller, activity_id)
    _check_owner(storage, caller, activity.partner_id, activity.school_id)
    return activity, CodeList(codes=[_code_out(c, activity.id) for c in store.issued_codes(storage, activity.id)])


def code_sheet_csv(activity: Activity, codes: CodeList) -> bytes:
    return csv_bytes(
        ["code", "activity", "hours", "single_use", "max_uses", "valid_from", "valid_to", "used", "uses"],
        ([c.code, activity.title, minutes_to_hours(activity.minutes), c.single_use, c.max_uses or "",
          c.valid_from or "", c.valid_to or "", c.used, "" if c.uses is None else c.uses] for c in codes.codes),
    )


def code_sheet_pdf(activity: Activity, codes: CodeList, *, include_used: bool = False) -> bytes:
    """Slips to cut out and hand to children: by default only codes someone can still redeem, since a
    used slip handed out is a child told "someone has already used this code"."""
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.learning.code_sheet import render_code_sheet

    printed = [c for c in codes.codes if include_used or not c.used]
    if not printed:
        raise NotFound("Every code of this activity has been used: make new codes to print a sheet.")
    valid_to = min((c.valid_to for c in printed if c.valid_to), default=None)
    return render_code_sheet(activity.title, minutes_to_hours(activity.minutes), [c.code for c in printed], valid_to)
