"""What a school decides for itself: its date-of-birth policy (DPIA) and leaving the programme; and the
certificates of an assembly."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pypdfium2 as pdfium

from tests.world import World


def load(world: World, pupils: list[dict]) -> None:
    resp = world.as_(world.a.staff).post(f"/api/schools/{world.a.school_id}/roster", json={"pupils": pupils},
                                         params={"mode": "partial"})
    assert resp.status == 200 and resp.json()["rejected"] == 0, resp.body


def listed(world: World) -> dict[str, dict]:
    pupils = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils",
                                          params={"page_size": "500"}).json()["pupils"]
    return {p["first_name"]: p for p in pupils}


def test_school_staff_switch_to_generic_dates_and_stored_dates_are_blurred_at_once(world):
    # Born on 15 October 2016 and on 3 March 2017: the same school year (2021 cohort), different calendar years.
    tag = secrets.token_hex(3)
    autumn, spring = f"Autumn{tag}", f"Spring{tag}"
    load(world, [
        {"first_name": autumn, "last_name": "Dobtest", "date_of_birth": "2016-10-15", "gender": "female"},
        {"first_name": spring, "last_name": "Dobtest", "date_of_birth": "2017-03-03", "gender": "male"},
    ])
    before = listed(world)
    assert before[autumn]["year_group"] == before[spring]["year_group"]

    resp = world.as_(world.a.staff).patch(f"/api/schools/{world.a.school_id}", json={"dob_policy": "generic"})
    assert resp.status == 200, resp.body
    assert resp.json()["dob_policy"] == "generic"

    after = listed(world)
    assert after[autumn]["date_of_birth"] == "2016-01-01"
    assert after[spring]["date_of_birth"] == "2017-01-01"
    # The year group comes from the real date, kept as the cohort: unchanged.
    assert after[autumn]["year_group"] == before[autumn]["year_group"]
    assert after[spring]["year_group"] == before[spring]["year_group"]
    assert all(p["date_of_birth"].endswith("-01-01") for p in after.values())

    # A re-sync with the exact dates matches the same pupils (no duplicates) and keeps only the year.
    load(world, [{"first_name": autumn, "last_name": "Dobtest", "date_of_birth": "2016-10-15", "gender": "female"}])
    again = listed(world)
    assert again[autumn]["id"] == before[autumn]["id"] and again[autumn]["date_of_birth"] == "2016-01-01"

    today = date.today().isoformat()
    entries = world.as_(world.a.staff).get("/api/audit", params={"from": today, "to": today}).json()["entries"]
    assert any(e["action"] == "school_updated" and e["actor_id"] == world.a.staff.id for e in entries)
    world.as_(world.a.manager).patch(f"/api/schools/{world.a.school_id}", json={"dob_policy": "exact"})


def test_school_staff_may_not_rename_their_school_or_rejoin(world):
    staff = world.as_(world.a.staff)
    assert staff.patch(f"/api/schools/{world.a.school_id}", json={"name": "Renamed"}).status == 403
    assert staff.patch(f"/api/schools/{world.a.school_id}", json={"active": True}).status == 403
    assert staff.patch(f"/api/schools/{world.b.school_id}", json={"dob_policy": "generic"}).status == 404
    assert world.as_(world.a.pupil).patch(f"/api/schools/{world.a.school_id}",
                                          json={"dob_policy": "generic"}).status in (403, 404)
    assert world.as_(world.a.manager).get(f"/api/schools/{world.a.school_id}").json()["name"] != "Renamed"


def test_an_assembly_gets_every_award_reached_in_the_dates_as_one_pdf(world):
    staff = world.as_(world.a.staff)
    tag = secrets.token_hex(3)
    load(world, [{"first_name": f"Ava{tag}", "last_name": "Assembly", "date_of_birth": "2016-05-05",
                  "gender": "female"},
                 {"first_name": f"Ben{tag}", "last_name": "Assembly", "date_of_birth": "2016-06-06",
                  "gender": "male"},
                 {"first_name": f"Cal{tag}", "last_name": "Assembly", "date_of_birth": "2016-07-07",
                  "gender": "male"}])
    pupils = listed(world)
    ava, ben = pupils[f"Ava{tag}"]["id"], pupils[f"Ben{tag}"]["id"]
    club = staff.post("/api/activities", json={"title": "Big club", "hours": 35, "skills": [], "interests": [],
                                               "school_id": world.a.school_id}).json()
    resp = staff.post(f"/api/schools/{world.a.school_id}/group-redemptions",
                      json={"activity_id": club["id"], "pupil_ids": [ava, ben], "session_id": secrets.token_hex(8)})
    assert resp.status == 200, resp.body

    today = date.today()
    query = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
    awards = staff.get(f"/api/schools/{world.a.school_id}/awards", params=query)
    assert awards.status == 200, awards.body
    ours = [a for a in awards.json()["awards"] if a["last_name"] == "Assembly"]
    assert [(a["first_name"], a["name"]) for a in ours] == [
        (f"Ava{tag}", "Bronze Award"), (f"Ben{tag}", "Bronze Award")]

    pdf = staff.get(f"/api/schools/{world.a.school_id}/awards", params=query | {"format": "pdf"})
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    document = pdfium.PdfDocument(pdf.body)
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert len(texts) == len(awards.json()["awards"])
    assert any(f"Ava{tag}" in t for t in texts) and any(f"Ben{tag}" in t for t in texts)
    assert not any(f"Cal{tag}" in t for t in texts)

    # Dates before any award: nothing to print, said plainly.
    old = {"from": "2020-01-01", "to": "2020-01-31"}
    assert staff.get(f"/api/schools/{world.a.school_id}/awards", params=old).json() == {"awards": []}
    empty = staff.get(f"/api/schools/{world.a.school_id}/awards", params=old | {"format": "pdf"})
    assert empty.status == 404 and "No awards" in empty.json()["detail"]
    # Another school's staff see nothing of it; a reversed range is a 400.
    assert world.as_(world.b.staff).get(f"/api/schools/{world.a.school_id}/awards", params=query).status == 404
    reversed_range = {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    assert staff.get(f"/api/schools/{world.a.school_id}/awards", params=reversed_range).status == 400
