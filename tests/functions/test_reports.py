"""School, partner and national reports through the app, on a dataset built through the API.

The dataset (partner "Insight CU"), with redemptions on three fixed days (D1, D2, D3) and year groups
chosen relative to today's school year:

  +Plus Academy (S1)  p1 female Y3: A1 D1, A2 D2, Chess D3, Summer D3      34.5 h  Bronze Award on D3
                      p2 male   Y3: A1 D1, Summer D1                       32 h    Bronze Award on D1
                      p3 other  Y4: A2 D2, Away D2 (another partner's)      4.5 h
                      p4 female Y4: Chess D3                                1 h
                      p5 female Y5, p6 male Y5: nothing
                      p7 male Y5: A1 D1, then restricted   -> left out
                      p8 female Y6: A2 D2, then erased     -> left out
  @Small School (S2)  q1 female Y3: A1 D1 · q2 male Y3: A1 D2 · q3 female Y4: nothing
  =Formula Juniors (S3)  five pupils (2 female Y3, 3 male Y4), no learning
  -Minus Primary (S4)    no pupils, never rolled up (pending)
  Activities: A1 '=HYPERLINK(...)' 2 h teamwork/sport · A2 "Bank visit" 1.5 h communication+teamwork,
  employer · A3 "Unused trail" 1 h · A4 "Old walk" 1 h, valid to 2020 · A5 "Summer scheme" 30 h ·
  Chess (S1's club) 1 h problem solving/STEM · Away (partner a's) 3 h leadership.
Each expected figure below is worked out by hand from this table.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from shared.ids import clock_moved, utcnow
from shared.organisation.store import get_school
from shared.reports import roll_up, roll_up_partner, roll_up_school
from shared.reports.figures import MonthlySummary, PupilFacts, month_figures, pupil_figures
from shared.reports.store import PARTNER_TOTALS_PK, read_cursor
from shared.reports.suppression import SmallNumbersHidden
from shared.roster.rules import cohort_of
from shared.storage.clients import get_storage
from shared.storage.counting import request_counter
from shared.storage.names import SCHOOL_STATS
from shared.storage.tables import delete_op, query_all, submit_batches
from tests.world import Actor, World, accept, staff_body

D1, D2, D3 = date(2025, 1, 15), date(2025, 2, 10), date(2025, 3, 20)
HYPERLINK = '=HYPERLINK("http://example.org/x","click")'
FORMULA_SIGNS = ("=", "+", "-", "@")


def on_day(day: date):
    """Run with the service clock at noon UTC on `day` (redemptions are filed by the day they happen)."""
    return clock_moved(datetime(day.year, day.month, day.day, 12, tzinfo=UTC) - utcnow())


def dob_for_year(year_group: int) -> str:
    return date(cohort_of(utcnow().date()) - 5 - year_group, 10, 1).isoformat()


@dataclass
class Insight:
    world: World
    partner_id: str
    manager: Actor
    schools: dict[str, str]  # S1.. -> school id
    staff: dict[str, Actor]
    pupils: dict[str, str]  # p1.. -> pupil id
    activities: dict[str, str]
    codes: dict[str, str]
    tiny_partner_id: str = ""
    tiny_school_id: str = ""

    def as_(self, actor: Actor):
        return self.world.as_(actor)


def _created(resp) -> dict:
    assert resp.status == 201, resp.body
    return resp.json()


def _school(world: World, as_creator, partner_id: str, name: str) -> str:
    return _created(as_creator.post(f"/api/partners/{partner_id}/schools", json={"name": name}))["id"]


def _staff(world: World, school_id: str, label: str) -> Actor:
    created = _created(world.as_(world.admin).post(f"/api/schools/{school_id}/staff", json=staff_body(label)))
    return accept(world.client, created["invitation_url"], created["email"])


def _upload(as_uploader, school_id: str, pupils: dict[str, tuple[str, int]]) -> dict[str, str]:
    body = {"pupils": [{"first_name": f"{key.title()}name", "last_name": "Insight", "gender": gender,
                        "date_of_birth": dob_for_year(year)} for key, (gender, year) in pupils.items()]}
    resp = as_uploader.post(f"/api/schools/{school_id}/roster", json=body)
    assert resp.status == 200 and resp.json()["created"] == len(pupils), resp.body
    listed = as_uploader.get(f"/api/schools/{school_id}/pupils").json()["pupils"]
    ids = {p["first_name"]: p["id"] for p in listed}
    return {key: ids[f"{key.title()}name"] for key in pupils}


def _activity(as_owner, **body) -> tuple[str, str]:
    """(activity id, a multi-use code for it)."""
    body = {"skills": [], "interests": [], "employer_engagement": False} | body
    activity = _created(as_owner.post("/api/activities", json=body))
    codes = _created(as_owner.post(f"/api/activities/{activity['id']}/codes", json={"count": 1, "single_use": False}))
    return activity["id"], codes["codes"][0]["code"]


@pytest.fixture(scope="module")
def insight(world: World) -> Insight:
    admin = world.as_(world.admin)
    partner_id = _created(admin.post("/api/partners", json={"name": "Insight CU"}))["id"]
    body = staff_body("insightmanager")
    invited = _created(admin.post(f"/api/partners/{partner_id}/managers", json=body))
    manager = accept(world.client, invited["invitation_url"], body["email"])
    as_manager = world.as_(manager)
    schools = {key: _school(world, as_manager, partner_id, name) for key, name in (
        ("S1", "+Plus Academy"), ("S2", "@Small School"), ("S3", "=Formula Juniors"))}
    staff = {key: _staff(world, schools[key], f"insight{key.lower()}") for key in ("S1", "S2")}

    pupils = _upload(world.as_(staff["S1"]), schools["S1"], {
        "p1": ("female", 3), "p2": ("male", 3), "p3": ("other", 4), "p4": ("female", 4), "p5": ("female", 5),
        "p6": ("male", 5), "p7": ("male", 5), "p8": ("female", 6)})
    pupils |= _upload(world.as_(staff["S2"]), schools["S2"], {"q1": ("female", 3), "q2": ("male", 3),
                                                              "q3": ("female", 4)})
    pupils |= _upload(as_manager, schools["S3"], {"r1": ("female", 3), "r2": ("female", 3), "r3": ("male", 4),
                                                  "r4": ("male", 4), "r5": ("male", 4)})

    activities, codes = {}, {}
    for key, body in (
        ("A1", {"title": HYPERLINK, "hours": 2, "skills": ["teamwork"], "interests": ["sport"]}),
        ("A2", {"title": "Bank visit", "hours": 1.5, "skills": ["communication", "teamwork"],
                "employer_engagement": True}),
        ("A3", {"title": "Unused trail", "hours": 1, "interests": ["nature & outdoors"]}),
        ("A4", {"title": "Old walk", "hours": 1, "valid_from": "2020-01-01", "valid_to": "2020-12-31"}),
        ("A5", {"title": "Summer scheme", "hours": 30}),
    ):
        activities[key], codes[key] = _activity(as_manager, partner_id=partner_id, **body)
    activities["Chess"], codes["Chess"] = _activity(world.as_(staff["S1"]), school_id=schools["S1"], title="Chess club",
                                                    hours=1, skills=["problem solving"], interests=["STEM"])
    activities["Away"], codes["Away"] = _activity(world.as_(world.a.manager), partner_id=world.a.partner_id,
                                                  title="Away day", hours=3, skills=["leadership"])

    data = Insight(world=world, partner_id=partner_id, manager=manager, schools=schools, staff=staff, pupils=pupils,
                   activities=activities, codes=codes)
    plan = [
        (D1, "S1", "p1", "A1"), (D1, "S1", "p2", "A1"), (D1, "S1", "p2", "A5"), (D1, "S1", "p7", "A1"),
        (D1, "S2", "q1", "A1"),
        (D2, "S1", "p1", "A2"), (D2, "S1", "p3", "A2"), (D2, "S1", "p3", "Away"), (D2, "S1", "p8", "A2"),
        (D2, "S2", "q2", "A1"),
        (D3, "S1", "p1", "Chess"), (D3, "S1", "p1", "A5"), (D3, "S1", "p4", "Chess"),
    ]
    for day, school, pupil, activity in plan:
        redeem(data, day, school, pupil, activity)

    as_s1 = world.as_(staff["S1"])
    resp = as_s1.request("PATCH", f"/api/schools/{schools['S1']}/pupils/{pupils['p7']}", json_body={"restricted": True})
    assert resp.status == 200, resp.body
    assert as_s1.request("DELETE", f"/api/schools/{schools['S1']}/pupils/{pupils['p8']}").status == 204

    # A second partner with one single-pupil school, for the national report.
    data.tiny_partner_id = _created(admin.post("/api/partners", json={"name": "Tiny CU"}))["id"]
    data.tiny_school_id = _school(world, admin, data.tiny_partner_id, "Tiny School")
    _upload(admin, data.tiny_school_id, {"t1": ("female", 3)})
    return data


def redeem(data: Insight, day: date, school: str, pupil: str, activity: str) -> None:
    with on_day(day):
        resp = data.as_(data.staff[school]).post("/api/redemptions",
                                                 json={"code": data.codes[activity], "pupil_id": data.pupils[pupil]})
    assert resp.status == 201, resp.body


@pytest.fixture(scope="module")
def rolled_up(insight: Insight, azurite) -> Insight:
    """Only this module's partners in `schoolstats`: other tests' rows are derived data, and the national
    figures below are worked out for exactly these partners. S4 joins after the roll-up, so it is pending."""
    storage = get_storage()
    table = storage.table(SCHOOL_STATS)
    stale = query_all(table, "( PartitionKey ge @lo and PartitionKey lt @hi ) or PartitionKey eq @totals",
                      {"lo": "ptn_", "hi": "ptn`", "totals": PARTNER_TOTALS_PK}, select=["PartitionKey", "RowKey"])
    submit_batches(table, [delete_op(e["PartitionKey"], e["RowKey"]) for e in stale])
    for partner_id in (insight.partner_id, insight.tiny_partner_id):
        assert not roll_up_partner(storage, partner_id).failed
    insight.schools["S4"] = _school(insight.world, insight.as_(insight.manager), insight.partner_id, "-Minus Primary")
    return insight


def school_report(data: Insight, actor: Actor | None = None, school: str = "S1", **params):
    resp = data.as_(actor or data.staff["S1"]).get(f"/api/schools/{data.schools[school]}/report",
                                                   params=params or None)
    assert resp.status == 200, resp.body
    return resp.json()


def partner_report(data: Insight, **params):
    resp = data.as_(data.manager).get(f"/api/partners/{data.partner_id}/report", params=params or None)
    assert resp.status == 200, resp.body
    return resp.json()


# --- the school report -----------------------------------------------------------------------------


def test_school_report_matches_the_hand_computed_figures(insight):
    report = school_report(insight)
    assert report["school"] == {"id": insight.schools["S1"], "name": "+Plus Academy"}
    assert report["period"] == {"from": None, "to": None, "granularity": "day"}
    assert report["pupils"] == 6  # p7 restricted, p8 erased
    assert report["participants"] == 4
    assert report["participation_rate"] == 0.667
    assert report["total_hours"] == 72.0  # 34.5 + 32 + 4.5 + 1
    assert report["hours_per_participant"] == 18.0
    assert report["redemptions"] == 9
    assert report["by_gender"] == {"roster": {"female": 3, "male": 2, "other": 1},
                                   "participants": {"female": 2, "male": 1, "other": 1}}
    assert report["by_year_group"] == {
        "Year 3": {"pupils": 2, "participants": 2, "hours": 66.5},
        "Year 4": {"pupils": 2, "participants": 2, "hours": 5.5},
        "Year 5": {"pupils": 2, "participants": 0, "hours": 0.0},
    }
    assert report["skills"] == {"teamwork": 7.0, "communication": 3.0, "leadership": 3.0, "problem solving": 2.0}
    assert list(report["skills"]) == ["teamwork", "communication", "leadership", "problem solving"]
    assert report["interests"] == {"sport": 4.0, "STEM": 2.0}
    assert report["employer_engagement_hours"] == 3.0
    assert report["awards"] == {"Bronze Award": 2}
    # Offered: A1-A5 and the club (A4 has an old window, but an open range includes it); used: A1, A2, A5,
    # Chess and Away, which another partner offers.
    assert (report["activities_available"], report["activities_used"], report["activities_available_used"]) == (6, 5, 4)
    uses = {a["title"]: (a["provider"], a["offered"], a["pupils"]) for a in report["activities"]}
    assert uses == {HYPERLINK: ("partner", True, 2), "Bank visit": ("partner", True, 2),
                    "Summer scheme": ("partner", True, 2), "Chess club": ("school", True, 2),
                    "Away day": ("partner", False, 1), "Unused trail": ("partner", True, 0),
                    "Old walk": ("partner", True, 0)}


def test_school_report_counts_only_the_days_in_range(insight):
    report = school_report(insight, **{"from": "2025-02-01", "to": "2025-03-31"})
    assert report["period"] == {"from": "2025-02-01", "to": "2025-03-31", "granularity": "day"}
    assert (report["pupils"], report["participants"], report["participation_rate"]) == (6, 3, 0.5)
    assert (report["total_hours"], report["hours_per_participant"], report["redemptions"]) == (38.0, 12.67, 6)
    assert report["by_gender"]["participants"] == {"female": 2, "male": 0, "other": 1}
    assert report["by_year_group"] == {
        "Year 3": {"pupils": 2, "participants": 1, "hours": 32.5},
        "Year 4": {"pupils": 2, "participants": 2, "hours": 5.5},
        "Year 5": {"pupils": 2, "participants": 0, "hours": 0.0},
    }
    assert report["skills"] == {"communication": 3.0, "leadership": 3.0, "teamwork": 3.0, "problem solving": 2.0}
    assert report["interests"] == {"STEM": 2.0}
    assert report["employer_engagement_hours"] == 3.0
    # p1 had 2 hours before the range and passed 30 within it; p2 passed 30 before it.
    assert report["awards"] == {"Bronze Award": 1}
    # A4 was open only in 2020.
    assert (report["activities_available"], report["activities_used"], report["activities_available_used"]) == (5, 4, 3)

    one_day = school_report(insight, **{"from": D1.isoformat(), "to": D1.isoformat()})
    assert (one_day["participants"], one_day["total_hours"], one_day["awards"]) == (2, 34.0, {"Bronze Award": 1})
    assert school_report(insight, **{"from": "2025-03-21"})["participants"] == 0


def test_a_bad_range_or_format_is_a_400(insight):
    as_staff = insight.as_(insight.staff["S1"])
    path = f"/api/schools/{insight.schools['S1']}/report"
    assert as_staff.get(path, params={"from": "2025-03-01", "to": "2025-02-01"}).status == 400
    assert as_staff.get(path, params={"from": "01/02/2025"}).status == 400
    assert as_staff.get(path, params={"format": "xlsx"}).status == 400


def test_school_report_is_for_its_staff_its_partner_manager_and_the_trust(insight):
    s1 = insight.schools["S1"]
    for actor in (insight.staff["S1"], insight.manager, insight.world.admin):
        assert insight.as_(actor).get(f"/api/schools/{s1}/report").status == 200
    assert insight.as_(insight.staff["S2"]).get(f"/api/schools/{s1}/report").status == 404
    assert insight.as_(insight.world.a.manager).get(f"/api/schools/{s1}/report").status == 404
    assert insight.as_(insight.world.a.pupil).get(f"/api/schools/{s1}/report").status == 403


def test_restricting_or_erasing_a_pupil_takes_them_out_of_the_school_report(insight):
    as_s1 = insight.as_(insight.staff["S1"])
    s1 = insight.schools["S1"]
    extra = _upload(as_s1, s1, {"x1": ("male", 4)})["x1"]
    insight.pupils["x1"] = extra
    redeem(insight, D2, "S1", "x1", "Away")
    before = school_report(insight)
    assert (before["pupils"], before["participants"], before["total_hours"]) == (7, 5, 75.0)

    assert as_s1.request("PATCH", f"/api/schools/{s1}/pupils/{insight.pupils['p5']}",
                         json_body={"restricted": True}).status == 200
    assert school_report(insight)["pupils"] == 6
    assert as_s1.request("PATCH", f"/api/schools/{s1}/pupils/{insight.pupils['p5']}",
                         json_body={"restricted": False}).status == 200

    assert as_s1.request("DELETE", f"/api/schools/{s1}/pupils/{extra}").status == 204
    after = school_report(insight)
    assert (after["pupils"], after["participants"], after["total_hours"]) == (6, 4, 72.0)


def test_rectifying_a_pupil_keeps_their_learning_in_the_report(insight):
    as_s1 = insight.as_(insight.staff["S1"])
    school = insight.schools["S1"]
    pupil = insight.pupils["y1"] = _upload(as_s1, school, {"y1": ("female", 4)})["y1"]
    try:
        redeem(insight, D2, "S1", "y1", "A3")
        hours = school_report(insight)["total_hours"]
        resp = as_s1.request("PATCH", f"/api/schools/{school}/pupils/{pupil}", json_body={"last_name": "Renamed"})
        assert resp.status == 200, resp.body
        assert school_report(insight)["total_hours"] == hours
    finally:
        as_s1.request("DELETE", f"/api/schools/{school}/pupils/{pupil}")


# --- CSV -------------------------------------------------------------------------------------------


def csv_cells(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_school_report_csv_is_formula_safe(insight):
    resp = insight.as_(insight.staff["S1"]).get(f"/api/schools/{insight.schools['S1']}/report",
                                                params={"format": "csv"})
    assert resp.status == 200 and resp.content_type.startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = csv_cells(resp.body)
    assert rows[0] == ["section", "item", "measure", "value"]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_SIGNS)]
    assert ["report", "school", "name", "'+Plus Academy"] in rows
    assert ["activity", "'" + HYPERLINK, "pupils", "2"] in rows
    assert ["summary", "", "total_hours", "72.0"] in rows
    assert ["year_group", "Year 3", "hours", "66.5"] in rows


def test_partner_report_csv_is_formula_safe(rolled_up):
    resp = rolled_up.as_(rolled_up.manager).get(f"/api/partners/{rolled_up.partner_id}/report",
                                                params={"format": "csv"})
    rows = csv_cells(resp.body)
    assert not [c for row in rows for c in row if c.startswith(FORMULA_SIGNS)]
    names = {row[1] for row in rows if row[0] == "school"}
    assert names == {"'+Plus Academy", "'@Small School", "'=Formula Juniors", "'-Minus Primary"}
    assert ["school", "'@Small School", "pupils", "<5"] in rows


# --- partner and national --------------------------------------------------------------------------


def test_partner_report_sums_its_schools_and_hides_small_numbers(rolled_up):
    report = partner_report(rolled_up)
    assert report["partner"] == {"id": rolled_up.partner_id, "name": "Insight CU"}
    assert report["period"] == {"from": None, "to": None, "granularity": "month"}
    assert report["suppression"]["marker"] == "<5" and report["suppression"]["threshold"] == 5
    assert report["schools_pending"] == 1  # -Minus Primary, never rolled up
    assert (report["pupils"], report["participants"], report["participation_rate"]) == (14, 6, 0.429)
    assert (report["total_hours"], report["hours_per_participant"], report["redemptions"]) == (76.0, 12.67, 11)
    # female 7, male 6, other 1: "other" is hidden, and male too, or 14 - 7 - 6 would give it away.
    assert report["by_gender"] == {"roster": {"female": 7, "male": "<5", "other": "<5"},
                                   "participants": {"female": "<5", "male": "<5", "other": "<5"}}
    # Roll: Y3 6, Y4 6, Y5 2 -> Y5 hidden, and the smaller of the rest (a tie: Year 3 first) with it.
    assert report["by_year_group"] == {
        "Year 3": {"pupils": "<5", "participants": "<5", "hours": "<5"},
        "Year 4": {"pupils": 6, "participants": "<5", "hours": "<5"},
        "Year 5": {"pupils": "<5", "participants": 0, "hours": 0.0},
    }
    # teamwork: p1, p2, p3, q1, q2 = 5 pupils, 11 hours; every other skill and interest has fewer pupils.
    assert report["skills"] == {"teamwork": 11.0, "communication": "<5", "leadership": "<5", "problem solving": "<5"}
    assert report["interests"] == {"sport": "<5", "STEM": "<5"}
    assert report["employer_engagement_hours"] == "<5"
    assert report["awards"] == {"Bronze Award": "<5"}
    assert (report["activities_available"], report["activities_used"], report["activities_available_used"]) == (6, 5, 4)

    lines = {line["name"]: line for line in report["schools"]}
    # Pupils 6, 3, 5: the 3 is hidden, and the 5 with it, or 14 - 6 - 5 would give it away.
    assert {k: lines["+Plus Academy"][k] for k in ("pupils", "participants", "participation_rate", "total_hours")} \
        == {"pupils": 6, "participants": "<5", "participation_rate": "<5", "total_hours": "<5"}
    assert {k: lines["@Small School"][k] for k in ("pupils", "participants", "participation_rate", "total_hours")} \
        == {"pupils": "<5", "participants": "<5", "participation_rate": "<5", "total_hours": "<5"}
    assert {k: lines["=Formula Juniors"][k] for k in ("pupils", "participants", "participation_rate", "total_hours")} \
        == {"pupils": "<5", "participants": 0, "participation_rate": "<5", "total_hours": 0.0}
    assert lines["-Minus Primary"] == {"id": rolled_up.schools["S4"], "name": "-Minus Primary", "as_of": None,
                                       "pupils": None, "participants": None, "participation_rate": None,
                                       "total_hours": None}
    assert report["as_of"] == min(lines[n]["as_of"] for n in ("+Plus Academy", "@Small School", "=Formula Juniors"))


def test_partner_report_ranges_are_whole_months(rolled_up):
    report = partner_report(rolled_up, **{"from": "2025-02-14", "to": "2025-03-02"})
    assert report["period"] == {"from": "2025-02-01", "to": "2025-03-31", "granularity": "month"}
    # Feb-Mar: p1, p3, p4 and q2 (4 pupils, 41 hours); A1, A2, A5, Chess and Away used; A4 not open.
    assert (report["pupils"], report["participants"], report["total_hours"]) == (14, "<5", "<5")
    assert (report["activities_available"], report["activities_used"], report["activities_available_used"]) == (5, 5, 4)
    january = partner_report(rolled_up, **{"from": "2025-01-01", "to": "2025-01-31"})
    # p1, p2, q1 on D1 (p7 is restricted): 3 pupils.
    assert (january["participants"], january["activities_used"]) == ("<5", 2)


def test_partner_report_is_for_its_manager_and_the_trust(rolled_up):
    path = f"/api/partners/{rolled_up.partner_id}/report"
    assert rolled_up.as_(rolled_up.world.admin).get(path).status == 200
    assert rolled_up.as_(rolled_up.world.a.manager).get(path).status == 404
    assert rolled_up.as_(rolled_up.staff["S1"]).get(path).status == 403


def test_national_report_adds_up_every_partner_and_hides_small_numbers(rolled_up):
    resp = rolled_up.as_(rolled_up.world.admin).get("/api/reports/national")
    assert resp.status == 200, resp.body
    report = resp.json()
    assert report["schools"] == 4  # S1-S3 and Tiny School; S4 never rolled up
    assert report["partners_pending"] >= 2  # partners a and b of the world, never rolled up here
    assert (report["pupils"], report["participants"], report["participation_rate"]) == (15, 6, 0.4)
    assert (report["total_hours"], report["redemptions"]) == (76.0, 11)
    assert report["by_gender"]["roster"] == {"female": 8, "male": "<5", "other": "<5"}
    assert report["activities_used"] == 5 and report["activities_available"] >= 6
    lines = {line["name"]: line for line in report["partners"]}
    # Pupils 14 and 1: the 1 is hidden, so the 14 must be too (15 - 14 = 1).
    assert lines["Insight CU"] == {"id": rolled_up.partner_id, "name": "Insight CU", "schools": 3, "pupils": "<5",
                                   "participants": 6, "participation_rate": "<5", "total_hours": 76.0}
    assert lines["Tiny CU"] == {"id": rolled_up.tiny_partner_id, "name": "Tiny CU", "schools": 1, "pupils": "<5",
                                "participants": 0, "participation_rate": "<5", "total_hours": 0.0}
    assert report["as_of"] is not None

    for actor in (rolled_up.manager, rolled_up.staff["S1"]):
        assert rolled_up.as_(actor).get("/api/reports/national").status == 403


def test_partner_figures_change_at_the_next_roll_up_and_say_how_fresh_they_are(rolled_up):
    storage = get_storage()
    as_s2 = rolled_up.as_(rolled_up.staff["S2"])
    s2 = rolled_up.schools["S2"]
    before = partner_report(rolled_up)
    assert as_s2.request("DELETE", f"/api/schools/{s2}/pupils/{rolled_up.pupils['q3']}").status == 204
    assert partner_report(rolled_up)["pupils"] == before["pupils"]  # not rolled up yet: still as of before
    row = roll_up_school(storage, get_school(storage, s2))
    after = partner_report(rolled_up)
    assert after["pupils"] == before["pupils"] - 1
    line = next(line for line in after["schools"] if line["id"] == s2)
    assert line["as_of"] == row.rolled_up_at >= before["as_of"]


# --- cost ------------------------------------------------------------------------------------------


def requests_of(fn) -> int:
    with request_counter.measure() as tally:
        fn()
    return tally.total


def test_report_cost_does_not_grow_with_redemptions(rolled_up):
    s1_report = lambda: school_report(rolled_up)  # noqa: E731
    partner = lambda: partner_report(rolled_up)  # noqa: E731
    school_before, partner_before = requests_of(s1_report), requests_of(partner)
    # The caller's own row (session check), school, pupil rows, two activity listings, one title (Away day
    # is another partner's).
    assert school_before == 6
    # The caller's own row, partner, its schools, its schoolstats partition, its destinations.
    assert partner_before == 5
    for pupil in ("p4", "p5", "p6"):
        redeem(rolled_up, D3, "S1", pupil, "A3")
    roll_up_school(get_storage(), get_school(get_storage(), rolled_up.schools["S1"]))
    assert (requests_of(s1_report), requests_of(partner)) == (school_before, partner_before)


# --- the roll-up run -------------------------------------------------------------------------------


def test_the_roll_up_run_is_bounded_and_goes_on_where_it_stopped(rolled_up):
    storage = get_storage()
    mine = {*rolled_up.schools.values(), rolled_up.tiny_school_id}

    def one_cycle() -> list[str]:
        seen: list[str] = []
        for _ in range(1000):
            run = roll_up(storage, max_partners=2, workers=2)
            assert run.partners <= 2 and not run.failed
            seen += run.rolled_up
            assert read_cursor(storage).resume_after == run.resume_after
            if run.cycle_completed:
                return seen
        pytest.fail("the roll-up never finished a cycle")

    one_cycle()  # whatever cycle an earlier test left half done
    seen = one_cycle()
    assert mine <= set(seen) and len(seen) == len(set(seen))
    assert read_cursor(storage).resume_after == ""
    report = partner_report(rolled_up)
    assert report["schools_pending"] == 0  # -Minus Primary was rolled up too


# --- the pure parts --------------------------------------------------------------------------------


def _random_pupil(rng: random.Random) -> PupilFacts:
    stats: dict[str, dict] = {}
    for _ in range(rng.randrange(0, 12)):
        day = date(2024, rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        minutes = rng.choice([15, 60, 90, 600, 1800])
        entry = stats.setdefault(day, {"m": 0, "e": 0, "n": 0, "s": {}, "i": {}, "a": []})
        entry["m"] += minutes
        entry["n"] += 1
        entry["e"] += minutes if rng.random() < 0.3 else 0
        for skill in rng.sample(["teamwork", "leadership", "creativity"], rng.randrange(0, 3)):
            entry["s"][skill] = entry["s"].get(skill, 0) + minutes
        for interest in rng.sample(["sport", "music"], rng.randrange(0, 2)):
            entry["i"][interest] = entry["i"].get(interest, 0) + minutes
        entry["a"] = sorted({*entry["a"], f"act_{rng.randrange(6)}"})
    return PupilFacts(gender=rng.choice(["female", "male", "other"]), cohort=rng.choice([2016, 2017, None]),
                      stats=stats)


def test_the_monthly_roll_up_counts_each_pupil_once_over_any_range_of_months():
    rng = random.Random(7)
    pupils = [_random_pupil(rng) for _ in range(60)]
    summary = MonthlySummary.of(pupils)
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    for i, first in enumerate(months):
        for last in months[i:]:
            start = date.fromisoformat(first + "-01")
            end = date.fromisoformat(last + "-28")
            direct = pupil_figures(pupils, start, end)
            rolled = month_figures(summary.roster, summary.months, first, last)
            assert (rolled.pupils, rolled.participants, rolled.minutes, rolled.redemptions, rolled.awards) == \
                (direct.pupils, direct.participants, direct.minutes, direct.redemptions, direct.awards)
            assert set(rolled.activities) == set(+direct.activities)
    assert month_figures(summary.roster, summary.months, None, None).participants == \
        pupil_figures(pupils, None, None).participants


def test_school_summaries_add_up_to_the_partner_total():
    rng = random.Random(11)
    pupils = [_random_pupil(rng) for _ in range(90)]
    total = MonthlySummary()
    for school in (pupils[:20], pupils[20:70], pupils[70:]):
        total.add(MonthlySummary.of(school))
    for first, last in (("2024-01", "2024-12"), ("2024-03", "2024-05"), ("2024-07", "2024-07"), (None, None)):
        start = date.fromisoformat(first + "-01") if first else None
        end = date.fromisoformat(last + "-28") if last else None
        direct = pupil_figures(pupils, start, end)
        rolled = month_figures(total.roster, total.months, first, last)
        assert (rolled.pupils, rolled.participants, rolled.minutes, rolled.redemptions, rolled.awards) == \
            (direct.pupils, direct.participants, direct.minutes, direct.redemptions, direct.awards)
        assert set(rolled.activities) == set(+direct.activities)


def test_one_hidden_part_of_a_breakdown_takes_the_next_smallest_with_it():
    hide = SmallNumbersHidden()
    assert hide.breakdown({"a": (40, 40), "b": (3, 3), "c": (9, 9), "d": (0, 0)}, 52) == \
        {"a": 40, "b": "<5", "c": "<5", "d": 0}
    assert hide.breakdown({"a": (40, 40), "b": (3, 3), "c": (2, 2)}, 45) == {"a": 40, "b": "<5", "c": "<5"}
    assert hide.breakdown({"a": (3, 3), "b": (0, 0)}, 3) == {"a": "<5", "b": 0}
    assert hide.cell(12.5, 4) == "<5" and hide.cell(0.0, 0) == 0.0 and hide.cell(7, 5) == 7
    assert Counter(hide.breakdown({"x": (5, 5), "y": (5, 5)}, 10).values()) == Counter({5: 2})



# --- month by month, and before the first roll-up ------------------------------------------------------


def test_school_report_has_a_month_by_month_trend(insight):
    report = school_report(insight)
    months = {m["month"]: (m["participants"], m["hours"]) for m in report["trend"]}
    # D1: p1 A1, p2 A1 + Summer (34 h); D2: p1 A2, p3 A2 + Away (6 h). (Tests above add to March.)
    assert [m["month"] for m in report["trend"][:3]] == ["2025-01", "2025-02", "2025-03"]
    assert (months["2025-01"], months["2025-02"]) == ((2, 34.0), (2, 6.0))
    # Every month up to now is there, the quiet ones as zero, so the chart's gaps are real.
    assert report["trend"][-1]["month"] == utcnow().strftime("%Y-%m")
    assert all(months[m] == (0, 0.0) for m in months if m > "2025-03")
    assert sum(hours for _, hours in months.values()) == report["total_hours"]
    ranged = school_report(insight, **{"from": "2025-02-01", "to": "2025-02-28"})
    assert ranged["trend"] == [{"month": "2025-02", "participants": 2, "hours": 6.0}]


def test_partner_trend_hides_months_with_fewer_than_5_pupils(rolled_up):
    report = partner_report(rolled_up, **{"from": "2025-01-01", "to": "2025-03-31"})
    # Three, three and two pupils a month: every month hidden, hours with its pupils.
    assert report["trend"] == [{"month": m, "participants": "<5", "hours": "<5"}
                               for m in ("2025-01", "2025-02", "2025-03")]


def test_reports_not_rolled_up_yet_say_when_the_next_roll_up_runs(rolled_up):
    report = partner_report(rolled_up)
    if report["schools_pending"] == 0:  # every school rolled up (earlier tests run a full roll-up)
        assert report["next_rollup_at"] is None
    fresh = rolled_up.world.as_(rolled_up.world.admin).post("/api/partners", json={"name": "Brand new CU"}).json()
    rolled_up.world.as_(rolled_up.world.admin).post(f"/api/partners/{fresh['id']}/schools", json={"name": "New"})
    waiting = rolled_up.world.as_(rolled_up.world.admin).get(f"/api/partners/{fresh['id']}/report").json()
    assert waiting["as_of"] is None and waiting["schools_pending"] == 1
    # The default schedule is every hour at half past.
    assert waiting["next_rollup_at"] > utcnow().isoformat()[:19] and waiting["next_rollup_at"][14:19] == "30:00"
    csv_rows = rolled_up.as_(rolled_up.manager).get(f"/api/partners/{rolled_up.partner_id}/report",
                                                    params={"format": "csv"}).body.decode()
    assert "month,2025-01,participants,<5" in csv_rows
