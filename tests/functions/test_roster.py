"""Roster upload, sync and the pupil endpoints, through the app against Azurite."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from shared.storage.names import AUDIT, LOGINS, PUPILS
from tests.world import World

DATA = Path(__file__).resolve().parent.parent / "data"
SIMS = (DATA / "sims_export.csv").read_bytes()


def new_school(world: World, **extra) -> str:
    resp = world.as_(world.a.manager).post(f"/api/partners/{world.a.partner_id}/schools",
                                           json={"name": "Roster Primary", **extra})
    assert resp.status == 201
    return resp.json()["id"]


def upload(world: World, school_id: str, body: bytes, *, ctype="text/csv", **params):
    query = {k: str(v).lower() for k, v in params.items()}
    return world.as_(world.a.manager).request(
        "POST", f"/api/schools/{school_id}/roster", body=body, headers={"content-type": ctype}, params=query
    )


def all_pupils(world: World, school_id: str, **params) -> list[dict]:
    out, token = [], None
    while True:
        query = dict(params) | ({"page_token": token} if token else {})
        page = world.as_(world.a.manager).get(f"/api/schools/{school_id}/pupils", params=query).json()
        out += page["pupils"]
        token = page["next_page_token"]
        if not token:
            return out


def sims_rows() -> list[dict]:
    text = SIMS.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_sims_export_creates_pupils_and_drops_everything_else(world, storage):
    school_id = new_school(world)
    resp = upload(world, school_id, SIMS)
    assert resp.status == 200, resp.body
    report = resp.json()
    rows = sims_rows()
    assert report["received"] == len(rows)
    assert report["created"] == len(rows) - report["rejected"] > 0
    special = set(report["special_category_columns"])
    assert {"Ethnicity", "SEN Status", "FSM Eligible", "EAL", "Medical Conditions"} <= special
    assert set(report["special_category_columns"]) <= set(report["dropped_columns"])
    pupils = all_pupils(world, school_id)
    assert len(pupils) == report["created"]
    assert all(p["status"] == "active" and p["username"] and p["total_hours"] == 0 for p in pupils)
    # Nothing of the dropped columns reached storage.
    stored = "\n".join(json.dumps(dict(e), default=str) for e in storage.table(PUPILS).query_entities(
        "PartitionKey eq @s", parameters={"s": school_id}))
    for row in rows:
        for column in ("Ethnicity", "SEN Status", "Medical Conditions", "Reg", "Adno"):
            value = row.get(column, "")
            if value and len(value) > 2:
                assert value not in stored, f"{column} value stored"


def test_uploading_the_same_file_again_changes_nothing(world, storage):
    school_id = new_school(world)
    first = upload(world, school_id, SIMS).json()
    from shared.storage.counting import request_counter

    with request_counter.measure() as requests:
        second = upload(world, school_id, SIMS).json()
    assert second["created"] == second["updated"] == second["left"] == 0
    assert second["unchanged"] == first["created"]
    assert requests.by_kind.get("POST $batch", 0) == 0 and requests.by_kind.get("PUT pupils", 0) == 0


def test_full_sync_marks_absent_pupils_as_left_and_they_come_back(world):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    text = SIMS.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    shorter = "".join(lines[:-2]).encode()
    report = upload(world, school_id, shorter).json()
    assert report["left"] == 2
    left = all_pupils(world, school_id, status="left")
    assert len(left) == 2 and all(p["left_at"] and p["deletion_due"] for p in left)
    back = upload(world, school_id, SIMS).json()
    assert back["reactivated"] == 2 and back["left"] == 0
    assert all_pupils(world, school_id, status="left") == []


def test_partial_sync_never_marks_leavers(world):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    lines = SIMS.decode("utf-8-sig").splitlines(keepends=True)
    report = upload(world, school_id, "".join(lines[:3]).encode(), mode="partial").json()
    assert report["left"] == 0 and report["unchanged"] == 2


def test_dry_run_reports_but_writes_nothing(world):
    school_id = new_school(world)
    report = upload(world, school_id, SIMS, dry_run=True).json()
    assert report["dry_run"] is True and report["created"] > 0
    assert all_pupils(world, school_id) == []


def test_matching_by_upn_updates_a_renamed_pupil(world):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    rows = sims_rows()
    target = next(r for r in rows if r["UPN"])
    lines = SIMS.decode("utf-8-sig").splitlines(keepends=True)
    changed = "".join(
        line.replace(f'"{target["Preferred Forename"]}"', '"Renamed"') if target["UPN"] in line else line
        for line in lines
    )
    report = upload(world, school_id, changed.encode()).json()
    assert report["updated"] >= 1 and report["created"] == 0


@pytest.mark.parametrize(
    ("body", "ctype", "status"),
    [
        ((DATA / "no_dob_column.csv").read_bytes(), "text/csv", 400),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "text/csv", 400),
        (SIMS, "application/pdf", 415),
        (b"a" * 6_000_000, "text/csv", 413),
    ],
    ids=["no dob column", "not text", "wrong content type", "too large"],
)
def test_unusable_files_change_nothing(world, body, ctype, status):
    school_id = new_school(world)
    resp = upload(world, school_id, body, ctype=ctype)
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    assert all_pupils(world, school_id) == []


def test_bad_rows_are_reported_by_row_and_field_without_values(world):
    school_id = new_school(world)
    body = (
        b"Forename,Surname,DOB,Gender,UPN\n"
        b"Ava,Smith,12/03/2016,F,\n"
        b"Ben,Jones,03/25/2016,M,\n"
        b"Cara,Brown,2016-04-01,Q,\n"
        b"Dev,Patel,01/01/2099,M,\n"
        b"Eli,Khan,05/05/2016,M,B123456789012\n"
    )
    report = upload(world, school_id, body).json()
    # 03/25/2016 proves the file month-first, so 12/03/2016 is 3 December; a bad optional UPN only warns.
    assert report["date_order"] == "month-first"
    assert report["created"] == 3 and report["rejected"] == 2
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(3, "gender"), (4, "date_of_birth")}
    assert [(w["row"], w["field"]) for w in report["warnings"]] == [(5, "upn")]
    text = json.dumps(report)
    for value in ("03/25/2016", "01/01/2099", "B123456789012", "Ben", "Cara"):
        assert value not in text


def test_json_roster_is_a_partial_sync_by_default(world):
    school_id = new_school(world)
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json={"pupils": [
        {"first_name": "Zoë", "last_name": "Ørsted", "date_of_birth": "2016-05-04", "gender": "female"},
        {"first_name": "Max", "last_name": "Ng", "date_of_birth": "bad", "gender": "male"},
    ]})
    assert resp.status == 200
    report = resp.json()
    assert report["mode"] == "partial" and report["created"] == 1 and report["rejected"] == 1


def test_generic_date_of_birth_policy_keeps_only_the_year(world):
    school_id = new_school(world, dob_policy="generic")
    upload(world, school_id, SIMS)
    assert {p["date_of_birth"][5:] for p in all_pupils(world, school_id)} == {"01-01"}


def test_rectify_validates_and_restrict_is_recorded(world):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    pupil = all_pupils(world, school_id)[0]
    base = f"/api/schools/{school_id}/pupils/{pupil['id']}"
    client = world.as_(world.a.manager)
    bad = client.patch(base, json={"date_of_birth": "31/02/2016"})
    assert bad.status == 400 and bad.json()["errors"][0]["field"] == "date_of_birth"
    ok = client.patch(base, json={"first_name": "Corrected", "restricted": True})
    assert ok.status == 200 and ok.json()["first_name"] == "Corrected" and ok.json()["restricted"] is True
    assert client.get(base).json()["first_name"] == "Corrected"


def test_password_reset_gives_a_working_pupil_login(world, storage):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    pupil = all_pupils(world, school_id)[0]
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/pupils/{pupil['id']}/password")
    assert resp.status == 200
    creds = resp.json()
    login = world.client.as_(None).post("/api/auth/login", json=creds)
    assert login.status == 200
    user = login.json()["user"]
    assert user == {"id": pupil["id"], "role": "pupil", "display_name": pupil["first_name"],
                    "school_id": school_id, "partner_id": world.a.partner_id}
    me = world.client.as_(login.json()["access_token"]).get("/api/me").json()
    assert me["username"] == creds["username"] and me["year_group"] == pupil["year_group"]
    # A second reset makes the first password stop working.
    world.as_(world.a.manager).post(f"/api/schools/{school_id}/pupils/{pupil['id']}/password")
    assert world.client.as_(None).post("/api/auth/login", json=creds).status == 401
    # Passwords are never stored in plain text.
    rows = "\n".join(str(dict(e)) for e in storage.table(LOGINS).list_entities())
    assert creds["password"] not in rows


def test_login_cards_are_a_pdf_with_fresh_passwords(world):
    school_id = new_school(world)
    upload(world, school_id, SIMS)
    ids = [p["id"] for p in all_pupils(world, school_id)[:3]]
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/login-cards", json={"pupil_ids": ids})
    assert resp.status == 200 and resp.content_type == "application/pdf" and resp.body.startswith(b"%PDF")
    foreign = world.as_(world.a.manager).post(f"/api/schools/{school_id}/login-cards",
                                              json={"pupil_ids": ids + ["pup_doesnotexist"]})
    assert foreign.status == 404


def unique_pupil(world: World, school_id: str) -> dict:
    """A pupil whose name, date of birth and UPN occur nowhere else in the store."""
    import random
    import secrets

    from shared.roster.rules import la_numbers
    from tests.data.synthetic import make_upn

    tag = secrets.token_hex(3)
    body = {"pupils": [{"first_name": f"Quilla{tag}", "last_name": f"Fernsby{tag}", "date_of_birth": "2015-06-17",
                        "gender": "female",
                        "upn": make_upn(int(random.choice(sorted(la_numbers()))), random.randint(1000, 9999), 2015,
                                        random.randint(0, 999))}]}
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json=body)
    assert resp.json()["created"] == 1, resp.body
    return next(p for p in all_pupils(world, school_id) if p["first_name"] == f"Quilla{tag}")


def test_erasure_removes_the_pupil_everywhere_and_export_lists_everything(world, storage):
    school_id = new_school(world)
    pupil = unique_pupil(world, school_id)
    base = f"/api/schools/{school_id}/pupils/{pupil['id']}"
    client = world.as_(world.a.manager)
    creds = client.post(base + "/password").json()
    export = client.get(base + "/export")
    assert export.status == 200
    exported = export.json()
    assert exported["pupil"]["first_name"] == pupil["first_name"]
    assert exported["pupil"]["upn"] == pupil["upn"]
    assert exported["sign_in"]["username"] == creds["username"]
    assert client.delete(base).status == 204
    assert client.get(base).status == 404
    assert world.client.as_(None).post("/api/auth/login", json=creds).status == 401
    needles = [pupil["first_name"], pupil["last_name"], pupil["upn"]]
    for table_name in (PUPILS, LOGINS, AUDIT):
        dump = "\n".join(str(dict(e)) for e in storage.table(table_name).list_entities())
        for needle in needles:
            assert needle not in dump, f"{needle!r} still in {table_name}"
    # Usernames are drawn per school until a password claims one across the system, so another school's
    # pupil may carry the same one; none may be left in this school's partition.
    school_rows = storage.table(PUPILS).query_entities("PartitionKey eq @s", parameters={"s": school_id})
    assert creds["username"] not in "\n".join(str(dict(e)) for e in school_rows)


def test_a_school_that_left_the_programme_cannot_load_pupils(world):
    school_id = new_school(world)
    assert world.as_(world.a.manager).patch(f"/api/schools/{school_id}", json={"active": False}).status == 200
    resp = upload(world, school_id, SIMS)
    assert resp.status == 409
    assert all_pupils(world, school_id) == []
