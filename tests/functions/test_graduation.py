"""Graduation lists: by school for the CU manager, the school's own list, CSV, certificates PDF, audit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pypdfium2 as pdfium

from shared.storage.counting import request_counter
from tests.functions.test_learning import codes_for, partner_activity, pupil_session, redeem
from tests.world import World

TODAY = {"from": date.today().isoformat(), "to": date.today().isoformat()}


def _earn(world: World, pupil, hours: int) -> None:
    activity = partner_activity(world, hours=hours, title=f"Adventure {hours}")
    (code,) = codes_for(world, activity["id"])
    assert redeem(pupil, code).status == 201


def _graduates(world: World, school_id: str | None = None) -> dict[str, str]:
    """Three new pupils: one Bronze, one Bronze and Silver, one Bronze but restricted. Returns id -> role."""
    bronze_id, bronze = pupil_session(world, school_id)
    _earn(world, bronze, 30)
    silver_id, silver = pupil_session(world, school_id)
    _earn(world, silver, 30)
    _earn(world, silver, 35)
    hidden_id, hidden = pupil_session(world, school_id)
    _earn(world, hidden, 30)
    school = school_id or world.a.school_id
    assert world.as_(world.admin).patch(f"/api/schools/{school}/pupils/{hidden_id}",
                                        json={"restricted": True}).status == 200
    return {bronze_id: "bronze", silver_id: "silver", hidden_id: "restricted"}


def _school(body: dict, school_id: str) -> dict:
    return next(s for s in body["schools"] if s["school_id"] == school_id)


def test_a_cu_manager_gets_each_schools_pupils_by_award_without_restricted_pupils(world):
    pupils = _graduates(world)
    resp = world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation", params=TODAY)
    assert resp.status == 200, resp.body
    body = resp.json()
    assert body["from"] == TODAY["from"] and body["to"] == TODAY["to"]
    assert world.b.school_id not in {s["school_id"] for s in body["schools"]}
    listed = {p["pupil_id"]: p for p in _school(body, world.a.school_id)["pupils"]}
    by_role = {role: pid for pid, role in pupils.items()}
    assert by_role["restricted"] not in listed
    assert [a["name"] for a in listed[by_role["bronze"]]["awards"]] == ["Bronze Award"]
    assert [a["name"] for a in listed[by_role["silver"]]["awards"]] == ["Bronze Award", "Silver Award"]
    counts = _school(body, world.a.school_id)["awards"]
    assert counts["Silver Award"] >= 1 and counts["Bronze Award"] >= 2


def test_one_award_can_be_asked_for_by_name(world):
    pupils = _graduates(world)
    resp = world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation",
                                          params=TODAY | {"award": "silver award"})
    body = resp.json()
    listed = {p["pupil_id"] for s in body["schools"] for p in s["pupils"]}
    silver = next(pid for pid, role in pupils.items() if role == "silver")
    assert silver in listed and body["award"] == "Silver Award"
    assert all(a["name"] == "Silver Award" for s in body["schools"] for p in s["pupils"] for a in p["awards"])
    bad = world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation", params={"award": "Platinum"})
    assert bad.status == 400 and bad.json()["errors"][0]["field"] == "award"


def test_awards_outside_the_period_are_not_listed(world):
    _graduates(world)
    resp = world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation",
                                          params={"from": "2020-01-01", "to": "2020-12-31"})
    assert resp.status == 200 and all(s["pupils"] == [] for s in resp.json()["schools"])
    backwards = world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation",
                                               params={"from": "2021-01-02", "to": "2021-01-01"})
    assert backwards.status == 400


def test_school_staff_get_their_own_schools_list_and_nobody_elses(world):
    pupils = _graduates(world)
    staff = world.as_(world.a.staff)
    own = staff.get(f"/api/schools/{world.a.school_id}/graduation", params=TODAY)
    assert own.status == 200
    assert {p["pupil_id"] for p in own.json()["schools"][0]["pupils"]} >= {
        pid for pid, role in pupils.items() if role != "restricted"}
    assert staff.get(f"/api/schools/{world.b.school_id}/graduation").status == 404
    assert staff.get(f"/api/partners/{world.a.partner_id}/graduation").status == 403
    assert world.as_(world.b.manager).get(f"/api/partners/{world.a.partner_id}/graduation").status == 404


def test_the_csv_for_invitations_is_safe_to_open_in_a_spreadsheet(world):
    manager = world.as_(world.a.manager)
    school = manager.post(f"/api/partners/{world.a.partner_id}/schools", json={"name": "=HYPERLINK(\"x\") Primary"})
    assert school.status == 201, school.body
    _graduates(world, school.json()["id"])
    resp = manager.get(f"/api/partners/{world.a.partner_id}/graduation", params=TODAY | {"format": "csv"})
    assert resp.status == 200 and resp.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.body.decode("utf-8-sig"))))
    assert rows[0] == ["school", "first_name", "last_name", "year_group", "status", "award", "hours", "achieved_on"]
    ours = [r for r in rows[1:] if "HYPERLINK" in r[0]]
    assert len(ours) == 3  # bronze; bronze and silver; the restricted pupil left out
    assert all(r[0].startswith("'=") for r in ours)
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_a_school_prints_every_certificate_on_its_list_as_one_pdf_with_working_codes(world):
    manager = world.as_(world.a.manager)
    school = manager.post(f"/api/partners/{world.a.partner_id}/schools", json={"name": "Ceremony Primary"})
    school_id = school.json()["id"]
    _graduates(world, school_id)
    resp = manager.get(f"/api/schools/{school_id}/graduation", params=TODAY | {"format": "pdf"})
    assert resp.status == 200 and resp.content_type == "application/pdf"
    document = pdfium.PdfDocument(resp.body)
    try:
        texts = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    assert len(texts) == 3
    assert sorted(t for text in texts for t in ("Bronze Award", "Silver Award") if t in text) == [
        "Bronze Award", "Bronze Award", "Silver Award"]
    listed = manager.get(f"/api/schools/{school_id}/graduation", params=TODAY).json()["schools"][0]["pupils"]
    for pupil in listed:
        progress = manager.get(f"/api/schools/{school_id}/pupils/{pupil['pupil_id']}/progress").json()
        for award in progress["awards"]:
            assert award["verification_code"] and any(award["verification_code"] in t for t in texts)


def test_reading_a_graduation_list_is_audited_with_the_pupils_on_it(world):
    pupils = _graduates(world)
    world.as_(world.a.manager).get(f"/api/partners/{world.a.partner_id}/graduation", params=TODAY)
    entries = world.as_(world.admin).get("/api/audit", params={"from": TODAY["from"], "to": TODAY["to"]}).json()
    listed = [e for e in entries["entries"] if e["action"] == "graduation_list_read"]
    assert listed and listed[0]["actor_id"] == world.a.manager.id
    shown = {pid for pid, role in pupils.items() if role != "restricted"}
    assert any(shown <= set(e["subject_ids"]) for e in listed)
    assert not any(pid in e["subject_ids"] for e in listed for pid, role in pupils.items() if role == "restricted")


def _certificates_requests(client, school_id: str) -> dict[str, int]:
    with request_counter.measure() as tally:
        resp = client.get(f"/api/schools/{school_id}/graduation", params=TODAY | {"format": "pdf"})
        assert resp.status == 200, resp.body
    return dict(tally.by_kind)


def test_printing_the_certificates_costs_one_insert_per_new_code_and_nothing_per_certificate_after(world):
    manager = world.as_(world.a.manager)
    school_id = manager.post(f"/api/partners/{world.a.partner_id}/schools", json={"name": "Batch Primary"}).json()["id"]
    _graduates(world, school_id)
    first = _certificates_requests(manager, school_id)
    again = _certificates_requests(manager, school_id)

    def inserts(tally: dict[str, int]) -> int:
        return sum(n for kind, n in tally.items() if "verifications" in kind)

    # Three certificates (the restricted pupil's is not printed): three records the first time, none after;
    # the award rows are read in one query and their codes written in batches, not per certificate.
    assert inserts(first) == 3 and inserts(again) == 0
    assert again.get("GET pupils") == 1 and sum(n for k, n in again.items() if k.startswith("GET")) <= 3, again
