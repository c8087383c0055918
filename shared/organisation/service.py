"""Partners, schools and staff accounts: create, list, read, rectify, delete."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from shared import audit, due_dates
from shared.audit import Action
from shared.credentials import factors_store, logins_store
from shared.credentials.logins_store import LoginRecord, login_key
from shared.errors import Conflict, FieldError
from shared.ids import iso, new_id, utcnow
from shared.mail import mailer, templates
from shared.organisation import invitations_store, store
from shared.organisation.access import visible_partner, visible_school, visible_staff
from shared.organisation.model import Partner, School, StaffMember, StaffStatus
from shared.organisation.schemas import (
    InvitationOut,
    PartnerIn,
    PartnerList,
    PartnerOut,
    SchoolIn,
    SchoolList,
    SchoolOut,
    SchoolPatch,
    StaffCreatedOut,
    StaffIn,
    StaffList,
    StaffOut,
    StaffPatch,
    school_out,
    staff_out,
)
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict

EMAIL_TAKEN = "An account with this email address already exists."
# A school row is changed rarely and by few people: a handful of fresh reads settles any race.
SCHOOL_WRITE_ATTEMPTS = 5


# --- partners -------------------------------------------------------------------------------------

def create_partner(caller: Principal, body: PartnerIn, *, storage: Storage | None = None) -> PartnerOut:
    scope.require_role(caller, Role.TRUST_ADMIN)
    storage = storage or get_storage()
    partner = Partner(id=new_id("ptn"), name=body.name, created_at=iso(utcnow()))
    store.put_partner(storage, partner)
    return PartnerOut(id=partner.id, name=partner.name)


def list_partners(caller: Principal, *, storage: Storage | None = None) -> PartnerList:
    storage = storage or get_storage()
    if caller.role is Role.TRUST_ADMIN:
        partners = store.all_partners(storage)
    else:
        own = store.get_partner(storage, caller.partner_id) if caller.partner_id else None
        partners = [own] if own and caller.role is Role.PARTNER_MANAGER else []
    return PartnerList(partners=[PartnerOut(id=p.id, name=p.name) for p in partners])


# --- schools --------------------------------------------------------------------------------------

def create_school(caller: Principal, partner_id: str, body: SchoolIn, *, storage: Storage | None = None) -> SchoolOut:
    storage = storage or get_storage()
    visible_partner(storage, caller, partner_id)
    school = School(
        id=new_id("sch"), partner_id=partner_id, name=body.name, urn=body.urn, dob_policy=body.dob_policy,
        active=True, created_at=iso(utcnow()),
    )
    store.create_school(storage, school)
    return school_out(school)


def list_schools(caller: Principal, partner_id: str, *, storage: Storage | None = None) -> SchoolList:
    storage = storage or get_storage()
    visible_partner(storage, caller, partner_id)
    return SchoolList(schools=[school_out(s) for s in store.schools_of_partner(storage, partner_id)])


def get_school(caller: Principal, school_id: str, *, storage: Storage | None = None) -> SchoolOut:
    return school_out(visible_school(storage or get_storage(), caller, school_id))


def update_school(caller: Principal, school_id: str, body: SchoolPatch, *, storage: Storage | None = None) -> SchoolOut:
    """The school row's part of PATCH /schools/{id}; the endpoint is `shared.school_settings.update_school`,
    which also applies a new date-of-birth policy to the pupils already stored."""
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    requested = body.model_dump(exclude_unset=True, exclude_none=True)
    if caller.role is Role.SCHOOL_STAFF:
        # The DPIA gives the school its date-of-birth choice, and the school may leave the programme and name
        # its own OneRoster org; its name, URN and re-joining stay with the partner manager.
        own = set(requested) <= {"dob_policy", "active", "oneroster_org_id"} and requested.get("active", False) is False
        scope.require_change(own, "Your partner manager changes the school's name, URN and membership.")
    else:
        scope.require_change(caller.role in (Role.TRUST_ADMIN, Role.PARTNER_MANAGER))

    def decide(current: School) -> tuple[School, School]:
        changes = dict(requested)
        if changes.get("oneroster_org_id") == "":
            changes["oneroster_org_id"] = None
        if "active" in changes:
            if changes["active"] and not current.active:
                changes["left_programme_at"] = None
            elif not changes["active"] and current.active:
                # Leaving the programme starts the retention clock for all of the school's pupils (the due
                # row first: if the school row then fails to change, retention finds the row stale).
                now = utcnow()
                changes["left_programme_at"] = iso(now)
                due_dates.schedule_school_exit(
                    storage, current.id, due_dates.school_exit_due_day(now, get_settings().school_exit_grace_days)
                )
        return current, replace(current, **changes)

    def read() -> School:
        return scope.visible(store.get_school(storage, school.id))

    updated = retry_on_conflict(read, decide, lambda plan: store.update_school(storage, *plan), first=school,
                                attempts=SCHOOL_WRITE_ATTEMPTS)
    assert updated is not None
    if requested:
        audit.record(Action.SCHOOL_UPDATED, actor_id=caller.subject_id, school_id=school.id,
                     partner_id=school.partner_id, storage=storage)
    return school_out(updated)


# --- staff ----------------------------------------------------------------------------------------

def _create_staff(
    storage: Storage, caller: Principal, body: StaffIn, role: Role, *, partner_id: str | None, school_id: str | None
) -> StaffCreatedOut:
    now = utcnow()
    member = StaffMember(
        id=new_id("stf"), role=role, first_name=body.first_name, last_name=body.last_name, nickname=body.nickname,
        email=body.email, phone=body.phone, partner_id=partner_id, school_id=school_id,
        status=StaffStatus.INVITED, created_at=iso(now),
    )
    store.create_staff(storage, member)
    # The inactivity clock starts at creation, so an invitation never accepted still ends in erasure.
    first_due = due_dates.staff_check_month(now)
    login = LoginRecord(
        key=login_key(member.email), subject_id=member.id, role=role, display_name=member.nickname,
        school_id=school_id, partner_id=partner_id, inactive_due=first_due,
    )
    if not logins_store.create_login(storage, login):
        store.delete_staff(storage, member.id)
        raise Conflict(EMAIL_TAKEN, errors=[FieldError(field="email", message=EMAIL_TAKEN)])
    due_dates.schedule_staff_check(storage, member.id, first_due)
    store.add_to_staff_list(storage, member)
    token, expires = invitations_store.create(storage, member.id, days=get_settings().invitation_days, now=now)
    audit.record(Action.STAFF_CREATED, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=school_id, partner_id=partner_id)
    url = invitations_store.invitation_url(get_settings().public_base_url, token)
    emailed = mailer.send(templates.invitation(member.email, member.nickname, url, expires))
    return StaffCreatedOut(
        **staff_out(member).model_dump(), invitation_url=url, invitation_expires_at=iso(expires),
        invitation_emailed=emailed,
    )


def create_partner_manager(
    caller: Principal, partner_id: str, body: StaffIn, *, storage: Storage | None = None
) -> StaffCreatedOut:
    storage = storage or get_storage()
    visible_partner(storage, caller, partner_id)
    scope.require_change(caller.role is Role.TRUST_ADMIN, "Only the Trust creates partner managers.")
    return _create_staff(storage, caller, body, Role.PARTNER_MANAGER, partner_id=partner_id, school_id=None)


def create_school_staff(
    caller: Principal, school_id: str, body: StaffIn, *, storage: Storage | None = None
) -> StaffCreatedOut:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    scope.require_change(
        caller.role in (Role.TRUST_ADMIN, Role.PARTNER_MANAGER), "Your partner manager adds staff accounts."
    )
    return _create_staff(storage, caller, body, Role.SCHOOL_STAFF, partner_id=school.partner_id, school_id=school.id)


def create_trust_admin(body: StaffIn, *, storage: Storage | None = None) -> StaffCreatedOut:
    """Bootstrap: the first trust admin of a new deployment (no caller; run from the CLI)."""
    storage = storage or get_storage()
    system = Principal(subject_id="system", role=Role.TRUST_ADMIN)
    return _create_staff(storage, system, body, Role.TRUST_ADMIN, partner_id=None, school_id=None)


def list_school_staff(caller: Principal, school_id: str, *, storage: Storage | None = None) -> StaffList:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    members = store.school_staff(storage, school.id)
    audit.record(Action.STAFF_LISTED, actor_id=caller.subject_id, subject_ids=[m.id for m in members],
                 storage=storage, school_id=school.id, partner_id=school.partner_id)
    return StaffList(staff=[_staff_for(caller, m) for m in members])


def list_partner_managers(caller: Principal, partner_id: str, *, storage: Storage | None = None) -> StaffList:
    storage = storage or get_storage()
    visible_partner(storage, caller, partner_id)
    members = store.partner_managers(storage, partner_id)
    audit.record(Action.STAFF_LISTED, actor_id=caller.subject_id, subject_ids=[m.id for m in members],
                 storage=storage, partner_id=partner_id)
    return StaffList(staff=[_staff_for(caller, m) for m in members])


def get_staff(caller: Principal, staff_id: str, *, storage: Storage | None = None) -> StaffOut:
    storage = storage or get_storage()
    member, _ = visible_staff(storage, caller, staff_id)
    audit.record(Action.STAFF_READ, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return _staff_for(caller, member)


def _staff_for(caller: Principal, member: StaffMember) -> StaffOut:
    return staff_out(member, contact=scope.manages_staff(caller, member.id, member.role, member.partner_id))


def rectify_staff(caller: Principal, staff_id: str, body: StaffPatch, *, storage: Storage | None = None) -> StaffOut:
    storage = storage or get_storage()
    member, etag = visible_staff(storage, caller, staff_id)
    scope.require_change(scope.manages_staff(caller, member.id, member.role, member.partner_id))
    changes = body.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name", "nickname", "email"):
        if required in changes and changes[required] is None:
            changes.pop(required)
    updated = replace(member, **changes)
    old_key, new_key = login_key(member.email), login_key(updated.email)
    old_login = logins_store.read_login(storage, old_key)
    if new_key != old_key:
        # A new email is a new sign-in name: claim it first (uniqueness), then release the old one.
        moved = old_login or LoginRecord(
            key=new_key, subject_id=member.id, role=member.role, display_name=updated.nickname,
            school_id=member.school_id, partner_id=member.partner_id,
        )
        moved.key, moved.display_name = new_key, updated.nickname
        if not logins_store.create_login(storage, moved):
            raise Conflict(EMAIL_TAKEN, errors=[FieldError(field="email", message=EMAIL_TAKEN)])
        store.update_staff(storage, updated, etag)
        logins_store.delete_login(storage, old_key)
    else:
        store.update_staff(storage, updated, etag)
        if old_login is not None and old_login.display_name != updated.nickname:
            logins_store.set_display_name(storage, old_key, updated.nickname)
    audit.record(Action.STAFF_RECTIFIED, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return staff_out(updated)


def export_staff(caller: Principal, staff_id: str, *, storage: Storage | None = None) -> dict:
    """Everything stored about a staff member (subject access), machine-readable; never their password hash."""
    storage = storage or get_storage()
    member, _ = visible_staff(storage, caller, staff_id)
    # A subject access export is for the person, their manager and the Trust, not for colleagues.
    scope.require_change(scope.manages_staff(caller, member.id, member.role, member.partner_id),
                         "Ask your partner manager for a colleague's records.")
    login = logins_store.read_login(storage, login_key(member.email))
    today = utcnow().date()
    recent = audit.entries(audit.subject_scope(member.partner_id, member.school_id),
                           start=date.fromordinal(today.toordinal() - audit.MAX_DAYS + 1), end=today,
                           subject_id=member.id, storage=storage, limit=audit.MAX_ENTRIES)
    audit.record(Action.STAFF_EXPORTED, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return {
        "staff_id": member.id,
        "account": staff_out(member).model_dump(mode="json") | {"created_at": member.created_at},
        "sign_in": {
            "username": member.email,
            "has_password": bool(login and login.password_hash),
            "last_sign_in_at": login.last_sign_in_at if login else None,
            "failed_sign_ins": login.failed_count if login else 0,
        },
        "audit_entries_last_days": audit.MAX_DAYS,
        "audit_entries": [e.__dict__ for e in recent],
    }


def erase_staff_member(storage: Storage, member: StaffMember) -> None:
    """Everything that names the person goes: login row (email, hash), second factor, pending invitation,
    staff rows. Idempotent."""
    logins_store.delete_login(storage, login_key(member.email))
    factors_store.remove_all(storage, member.id)
    invitations_store.forget(storage, member.id)
    store.delete_staff_rows(storage, member)


def _other_active_trust_admins(storage: Storage, staff_id: str) -> bool:
    trust = store.trust_admins(storage)
    return any(m.id != staff_id and m.status is StaffStatus.ACTIVE for m in trust)


def delete_staff(caller: Principal, staff_id: str, *, storage: Storage | None = None) -> None:
    storage = storage or get_storage()
    member, _ = visible_staff(storage, caller, staff_id)
    scope.require_change(scope.manages_staff(caller, member.id, member.role, member.partner_id))
    if member.role is Role.TRUST_ADMIN and not _other_active_trust_admins(storage, member.id):
        raise Conflict("The last trust admin cannot be deleted: add another trust admin first.")
    erase_staff_member(storage, member)
    audit.record(Action.STAFF_DELETED, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)


def resend_invitation(caller: Principal, staff_id: str, *, storage: Storage | None = None) -> InvitationOut:
    """A new invitation link, emailed and returned; the previous link stops working."""
    storage = storage or get_storage()
    member, _ = visible_staff(storage, caller, staff_id)
    scope.require_change(
        caller.role in (Role.TRUST_ADMIN, Role.PARTNER_MANAGER)
        and scope.manages_staff(caller, member.id, member.role, member.partner_id),
        "Whoever manages this account sends its invitation.",
    )
    if member.status is not StaffStatus.INVITED:
        raise Conflict("This person has already set up their account; they can use \"Forgotten your password?\".")
    token, expires = invitations_store.create(storage, member.id, days=get_settings().invitation_days, now=utcnow())
    url = invitations_store.invitation_url(get_settings().public_base_url, token)
    emailed = mailer.send(templates.invitation(member.email, member.nickname, url, expires, resent=True))
    audit.record(Action.INVITATION_RESENT, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return InvitationOut(staff_id=member.id, invitation_url=url, invitation_expires_at=iso(expires),
                         invitation_emailed=emailed)


def activate_staff(storage: Storage, staff_id: str) -> None:
    found = store.get_staff(storage, staff_id)
    if found is None:
        return
    member, etag = found
    if member.status is not StaffStatus.ACTIVE:
        store.update_staff(storage, replace(member, status=StaffStatus.ACTIVE), etag)


