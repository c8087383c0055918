"""OneRoster 1.1 / 1.2 bundles and Wonde student JSON, as schools export them, through the app and Azurite."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from shared.ids import utcnow
from shared.storage.names import MIS_UPLOADS
from tests.data.layouts import OR_DEMOGRAPHIC_SPECIAL, RosterUser, children, oneroster_bundle, wonde_page
from tests.functions.test_roster import all_pupils, new_school, upload
from tests.world import World


def kids(n: int, seed: int):
    return children(n, seed=seed, today=utcnow().date())


def by_name(world: World, school_id: str, **params) -> dict[str, dict]:
    return {f"{p['first_name']} {p['last_name']}": p for p in all_pupils(world, school_id, **params)}


@pytest.mark.parametrize("ctype", ["application/zip", "text/csv"])
def test_a_oneroster_1_1_bundle_loads_its_students_with_demographics_and_reports_race_flags(world, ctype):
    school_id = new_school(world)
    pupils = kids(6, seed=51)
    users = [RosterUser(c, f"u{i}") for i, c in enumerate(pupils)] + [RosterUser(None, "t1")]
    users[1].sex = "unspecified"
    users[2].upn_in = "userIds"
    resp = upload(world, school_id, oneroster_bundle(users, version="1.1"), ctype=ctype)
    assert resp.status == 200, resp.body
    report = resp.json()
    assert report["source"] == "oneroster" and report["mode"] == "full"
    assert report["created"] == 6 and report["received"] == 6 and report["rejected"] == 0
    assert set(OR_DEMOGRAPHIC_SPECIAL) <= set(report["special_category_columns"])
    stored = by_name(world, school_id)
    assert {stored[f"{c.first} {c.last}"]["date_of_birth"] for c in pupils} == {c.dob.isoformat() for c in pupils}
    assert stored[f"{pupils[1].first} {pupils[1].last}"]["gender"] == "other"
    assert {p["upn"] for p in stored.values()} == {c.upn for c in pupils}


def test_a_oneroster_1_2_bundle_uses_roles_and_preferred_names_and_a_blank_sex_keeps_the_pupil(world):
    school_id = new_school(world)
    pupils = kids(8, seed=52)
    users = [RosterUser(c, f"u{i}") for i, c in enumerate(pupils)] + [RosterUser(None, "t1")]
    assert upload(world, school_id, oneroster_bundle(users, version="1.2")).status == 200
    stored = by_name(world, school_id)
    assert sorted(stored) == sorted(f"{c.preferred or c.first} {c.last}" for c in pupils)
    # The next export has one pupil with a blank sex: the row is rejected, the pupil is not marked left.
    users[4].sex = ""
    report = upload(world, school_id, oneroster_bundle(users, version="1.2")).json()
    assert report["rejected"] == 1 and report["kept_unchanged_rejected"] == 1 and report["left"] == 0


def test_a_delta_bundle_never_marks_absent_pupils_left_but_applies_tobedeleted(world):
    school_id = new_school(world)
    pupils = kids(6, seed=53)
    users = [RosterUser(c, f"u{i}") for i, c in enumerate(pupils)]
    assert upload(world, school_id, oneroster_bundle(users, version="1.2")).status == 200
    delta = [RosterUser(pupils[0], "u0", status="tobedeleted"), RosterUser(pupils[1], "u1", enabled="false"),
             RosterUser(pupils[2], "u2", status="active")]
    report = upload(world, school_id, oneroster_bundle(delta, version="1.2", users_mode="delta")).json()
    assert report["mode"] == "partial" and report["left"] == 2 and report["unchanged"] == 1
    assert {p["upn"] for p in all_pupils(world, school_id, status="left")} == {pupils[0].upn, pupils[1].upn}
    assert {p["upn"] for p in all_pupils(world, school_id, status="active")} == {c.upn for c in pupils[2:]}


def test_a_bundle_of_several_schools_needs_the_schools_org_and_loads_only_its_pupils(world):
    school_id = new_school(world)
    ours, theirs = kids(4, seed=54), kids(5, seed=55)
    users = [RosterUser(c, f"a{i}", org="org-ours") for i, c in enumerate(ours)]
    users += [RosterUser(c, f"b{i}", org="org-theirs") for i, c in enumerate(theirs)]
    bundle = oneroster_bundle(users, schools=("org-ours", "org-theirs"))
    refused = upload(world, school_id, bundle)
    assert refused.status == 400 and "oneroster_org_id" in refused.json()["detail"]
    patched = world.as_(world.a.manager).patch(f"/api/schools/{school_id}", json={"oneroster_org_id": "org-ours"})
    assert patched.status == 200 and patched.json()["oneroster_org_id"] == "org-ours"
    report = upload(world, school_id, bundle).json()
    assert report["created"] == 4 and report["received"] == 4
    assert {p["last_name"] for p in all_pupils(world, school_id)} == {c.last for c in ours}


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("entries", "status"), [
    ({"../users.csv": b"sourcedId\n1\n"}, 400),
    ({"/etc/users.csv": b"sourcedId\n1\n"}, 400),
    ({"inner.zip": _zip({"users.csv": b"a\n"})}, 400),
    ({"users.csv": _zip({"users.csv": b"a\n"})}, 400),
    ({f"f{i}.csv": b"x" for i in range(100)}, 400),
    ({"users.csv": b"sourcedId," + b"0" * 60_000_000 + b"\n"}, 413),
    ({"notes.txt": b"hello"}, 400),
], ids=["traversal", "absolute path", "nested archive", "archive renamed csv", "too many entries", "zip bomb",
        "no users.csv"])
def test_unsafe_or_unusable_zip_files_are_refused_and_change_nothing(world, entries, status):
    school_id = new_school(world)
    body = _zip(entries)
    assert len(body) < 5_000_000
    resp = upload(world, school_id, body, ctype="application/zip")
    assert resp.status == status, resp.body
    assert all_pupils(world, school_id) == []


def test_wonde_student_json_loads_with_upns_from_education_details(world):
    school_id = new_school(world)
    pupils = kids(7, seed=56)
    page = wonde_page(pupils)
    page["data"][0]["upfsm_date_ranges"] = {"data": []}
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json=page)
    assert resp.status == 200, resp.body
    report = resp.json()
    assert report["source"] == "wonde" and report["mode"] == "full" and report["created"] == 7
    assert "upfsm_date_ranges" in report["special_category_columns"]
    stored = by_name(world, school_id)
    assert {p["upn"] for p in stored.values()} == {c.upn for c in pupils}
    assert {p["date_of_birth"] for p in stored.values()} == {c.dob.isoformat() for c in pupils}
    assert f"{(pupils[0].preferred or pupils[0].first)} {pupils[0].last}" in stored


def test_one_page_of_a_paginated_wonde_export_is_a_partial_sync(world):
    school_id = new_school(world)
    pupils = kids(8, seed=57)
    world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json=wonde_page(pupils, upn_at="top"))
    page = wonde_page(pupils[:3], next_page="https://api.wonde.com/v1.0/schools/X/students?page=2")
    report = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json=page,
                                             params={"mode": "full"}).json()
    assert report["mode"] == "partial" and report["left"] == 0 and report["unchanged"] == 3


def test_the_projects_own_json_accepts_the_same_synonyms_as_csv_headers(world):
    school_id = new_school(world)
    body = {"pupils": [{"forename": "Ada", "surname": "Quill", "DOB": "2016-03-04", "Sex": "F"}]}
    report = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json=body).json()
    assert report["created"] == 1 and report["dropped_columns"] == []


def test_a_dropped_bundle_and_wonde_json_are_ingested_by_name(world, storage):
    from shared.roster.blob_drop import ingest_upload

    school_id = new_school(world)
    pupils = kids(5, seed=58)
    bundle = oneroster_bundle([RosterUser(c, f"u{i}") for i, c in enumerate(pupils)], version="1.2")
    storage.container(MIS_UPLOADS).upload_blob(f"{school_id}/export.zip", bundle)
    assert ingest_upload(f"mis-uploads/{school_id}/export.zip", bundle, storage=storage)["created"] == 5
    more = kids(6, seed=59)
    data = json.dumps(wonde_page(more)).encode()
    storage.container(MIS_UPLOADS).upload_blob(f"{school_id}/wonde.partial.json", data)
    report = ingest_upload(f"mis-uploads/{school_id}/wonde.partial.json", data, storage=storage)
    assert report["source"] == "wonde" and report["mode"] == "partial" and report["created"] == 6
