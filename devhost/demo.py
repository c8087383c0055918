"""Demo data for `make run`: a partner, a school with a class of fictional pupils, staff, activities and codes.

Built through the application's services (as an admin would through the API) and only into local
storage. Idempotent: the first run seeds and records what it made in the `devhost-demo` container;
later runs print the same lines again. The passwords are fixed so a newcomer can sign in; they are demo
values for Azurite only.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date

import pyotp
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.credentials.logins_store import login_key
from shared.credentials.passwords import hash_password
from shared.identity import second_factor
from shared.identity.service import set_password
from shared.learning import activities as learning
from shared.learning.schemas import ActivityIn, CodesIn
from shared.organisation import service as organisation
from shared.organisation.schemas import PartnerIn, SchoolIn, StaffIn
from shared.roster.ingest import sync_school
from shared.roster.pupils import set_pupil_password
from shared.roster.schemas import RosterMode
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

CONTAINER = "devhost-demo"
SEED_BLOB = "seed.json"
STAFF_PASSWORD = "passport-to-learning"
PUPIL_PASSWORD = "otter-comet-47"
DEMO_PUPILS = [
    {"first_name": "Maya", "last_name": "Demo", "date_of_birth": "2016-04-12", "gender": "female"},
    {"first_name": "Leo", "last_name": "Sample", "date_of_birth": "2015-11-03", "gender": "male"},
    {"first_name": "Sam", "last_name": "Example", "date_of_birth": "2017-02-21", "gender": "other"},
]


def _staff(storage: Storage, email: str) -> None:
    record = set_password(storage, login_key(email), hash_password(STAFF_PASSWORD))
    organisation.activate_staff(storage, record.subject_id)


def _second_factor(storage: Storage, principal: Principal) -> dict:
    """Set up two-step sign-in as the person would (scan, confirm with the first code); keep what to print."""
    setup = second_factor.start_setup(principal, storage=storage)
    codes = second_factor.confirm_setup(principal, pyotp.TOTP(setup.secret).now(), storage=storage)
    return {"secret": setup.secret, "recovery_code": codes.recovery_codes[0]}


def _seed(storage: Storage) -> dict:
    admin_email, manager_email, teacher_email = (
        "trust.admin@demo.example.org.uk", "cu.manager@demo.example.org.uk", "coordinator@demo.example.org.uk"
    )
    admin = organisation.create_trust_admin(
        StaffIn(first_name="Tess", last_name="Trust", nickname="Tess", email=admin_email), storage=storage
    )
    _staff(storage, admin_email)
    trust = Principal(subject_id=admin.id, role=Role.TRUST_ADMIN)
    second_factors = {"trust_admin": _second_factor(storage, trust)}
    partner = organisation.create_partner(trust, PartnerIn(name="Northshire Children's University"), storage=storage)
    manager = organisation.create_partner_manager(
        trust, partner.id, StaffIn(first_name="Morgan", last_name="Manager", nickname="Morgan", email=manager_email),
        storage=storage,
    )
    _staff(storage, manager_email)
    as_manager = Principal(subject_id=manager.id, role=Role.PARTNER_MANAGER, partner_id=partner.id)
    second_factors["partner_manager"] = _second_factor(storage, as_manager)
    school = organisation.create_school(as_manager, partner.id, SchoolIn(name="Oakfield Primary", urn="100001"),
                                        storage=storage)
    teacher = organisation.create_school_staff(
        as_manager, school.id,
        StaffIn(first_name="Casey", last_name="Coordinator", nickname="Mx Casey", email=teacher_email),
        storage=storage,
    )
    _staff(storage, teacher_email)

    from tests.data.synthetic import synthetic_sims_csv

    stored_school = organisation.store.get_school(storage, school.id)
    assert stored_school is not None
    sync_school(storage, stored_school, data=synthetic_sims_csv(30, seed=7), content_type="text/csv",
                mode=RosterMode.FULL)
    sync_school(storage, stored_school, pupils=DEMO_PUPILS, content_type="application/json",
                mode=RosterMode.PARTIAL)
    demo_pupils = [p for p in roster_of(storage, school.id) if p.last_name in {"Demo", "Sample", "Example"}]
    pupils = []
    for pupil in sorted(demo_pupils, key=lambda p: p.first_name):
        username = set_pupil_password(storage, stored_school, pupil.id, PUPIL_PASSWORD)
        pupils.append({"name": f"{pupil.first_name} {pupil.last_name}", "username": username})

    museum = learning.create_activity(as_manager, ActivityIn(
        title="Science museum explorer trail", description="Follow the trail round the galleries.", hours=3,
        skills=["problem solving", "teamwork"], interests=["STEM"], partner_id=partner.id,
    ), storage=storage)
    library = learning.create_activity(as_manager, ActivityIn(
        title="Summer reading challenge", description="Read six books over the summer.", hours=30,
        skills=["independence", "communication"], interests=["reading & writing"], partner_id=partner.id,
        employer_engagement=False,
    ), storage=storage)
    as_teacher = Principal(subject_id=teacher.id, role=Role.SCHOOL_STAFF, partner_id=partner.id, school_id=school.id)
    chess = learning.create_activity(as_teacher, ActivityIn(
        title="Chess club", hours=1, skills=["resilience", "problem solving"], interests=["STEM"], school_id=school.id,
    ), storage=storage)
    museum_codes = learning.create_codes(as_manager, museum.id, CodesIn(count=10, single_use=True), storage=storage)
    library_code = learning.create_codes(as_manager, library.id, CodesIn(count=1, single_use=False),
                                         storage=storage)
    chess_code = learning.create_codes(as_teacher, chess.id, CodesIn(count=1, single_use=False), storage=storage)
    return {
        "seeded_on": date.today().isoformat(),
        "staff": {"trust_admin": admin_email, "partner_manager": manager_email, "school_staff": teacher_email},
        "second_factors": second_factors,
        "pupils": pupils,
        "school_id": school.id,
        "partner_id": partner.id,
        "codes": {
            "Summer reading challenge (30 h, multi-use: reaches the Bronze Award)": library_code.codes[0].code,
            "Chess club (1 h, multi-use, Oakfield pupils only)": chess_code.codes[0].code,
            "Science museum explorer trail (3 h, single-use)": ", ".join(c.code for c in museum_codes.codes[:5]),
        },
    }


def _lines(seed: dict) -> list[str]:
    lines = ["", "Demo accounts (local only)",
             f"  Staff password for all three: {STAFF_PASSWORD}"]
    lines += [f"    {role:<16} {email}" for role, email in seed["staff"].items()]
    lines.append("  Two-step sign-in (trust admin and CU manager): add the secret to an authenticator app,")
    lines.append("  or use the recovery code once instead of a code:")
    lines += [f"    {role:<16} secret {factor['secret']}  recovery code {factor['recovery_code']}"
              for role, factor in seed.get("second_factors", {}).items()]
    lines.append(f"  Pupils (password {PUPIL_PASSWORD}):")
    lines += [f"    {p['username']:<24} {p['name']}" for p in seed["pupils"]]
    lines.append("  Stamp codes to redeem:")
    lines += [f"    {code:<12} {label}" for label, code in seed["codes"].items()]
    school = seed["school_id"]
    lines.append(f"  Demo school id {school} (drop an MIS CSV at mis-uploads/{school}/<name>.csv)")
    return lines


def seed_demo(storage: Storage | None = None) -> list[str]:
    """Seed once; return the lines that tell a newcomer how to use the demo."""
    if not get_settings().is_local:
        raise RuntimeError("the demo seed only runs against local storage (CUO_ENVIRONMENT local or test)")
    storage = storage or get_storage()
    container = storage.container(CONTAINER)
    with contextlib.suppress(ResourceExistsError):
        container.create_container()
    try:
        seed = json.loads(container.download_blob(SEED_BLOB).readall())
    except ResourceNotFoundError:
        seed = _seed(storage)
        container.upload_blob(SEED_BLOB, json.dumps(seed).encode(), overwrite=True)
    return _lines(seed)
