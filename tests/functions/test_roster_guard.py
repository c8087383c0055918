"""A sync never loses pupils: rejected rows keep their pupil, an all-rejected file and the leaver guard
change nothing, held blob uploads wait for a person, and the school's UPNs stay unique."""

from __future__ import annotations

import csv
import io
import json

from shared.audit import Action
from shared.storage.names import AUDIT, MIS_REPORTS, MIS_UPLOADS, PUPILS
from tests.data.synthetic import synthetic_sims_csv
from tests.functions.test_roster import all_pupils, new_school, upload
from tests.world import World

HEADER = "Forename,Surname,DOB,Gender,UPN\n"


def rows_of(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def simple_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["Forename", "Surname", "DOB", "Gender", "UPN"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def school_of(world: World, n: int, seed: int) -> tuple[str, list[dict]]:
    """A school loaded with `n` synthetic pupils; returns its id and the rows as a simple CSV's dicts."""
    school_id = new_school(world)
    rows = [{"Forename": r["Preferred Forename"], "Surname": r["Preferred Surname"], "DOB": r["DOB"],
             "Gender": r["Gender"], "UPN": r["UPN"]} for r in rows_of(synthetic_sims_csv(n, seed=seed))]
    resp = upload(world, school_id, simple_csv(rows))
    assert resp.status == 200 and resp.json()["created"] == n, resp.body
    return school_id, rows


def pupil_rows(storage, school_id: str) -> list[dict]:
    return sorted((dict(e) for e in storage.table(PUPILS).query_entities(
        "PartitionKey eq @s", parameters={"s": school_id})), key=lambda e: e["RowKey"])


def audit_actions(storage, school_id: str) -> list[str]:
    return [e["action"] for e in storage.table(AUDIT).query_entities(
        "school_id eq @s", parameters={"s": school_id})]


def test_a_full_sync_whose_rows_are_all_rejected_is_refused_and_changes_nothing(world, storage):
    school_id, rows = school_of(world, 23, seed=31)
    before = pupil_rows(storage, school_id)
    # Census-style rows the importer cannot accept: two-digit years and bad check letters.
    bad = [{"Forename": f"Kid{i}", "Surname": "Census", "DOB": "04/05/60", "Gender": "?",
            "UPN": "A123456789012"} for i in range(5)]
    resp = upload(world, school_id, simple_csv(bad))
    assert resp.status == 422, resp.body
    problem = resp.json()
    assert problem["report"]["left"] == 23 and problem["report"]["created"] == 0
    assert {e["row"] for e in problem["errors"]} == {1, 2, 3, 4, 5}
    assert pupil_rows(storage, school_id) == before


def test_a_rejected_row_that_matches_a_pupil_keeps_them_instead_of_marking_them_left(world):
    school_id, rows = school_of(world, 8, seed=32)
    # One pupil's sex is blank (a OneRoster export with a gap): the row is rejected, the pupil stays.
    rows[3] = rows[3] | {"Gender": ""}
    # Another's UPN has lost its check letter, but name and date of birth still say who it is.
    rows[5] = rows[5] | {"Gender": "?", "UPN": "Z" + rows[5]["UPN"][1:]}
    report = upload(world, school_id, simple_csv(rows)).json()
    assert report["rejected"] == 2 and report["kept_unchanged_rejected"] == 2
    assert report["left"] == 0 and report["unchanged"] == 6
    assert all(p["status"] == "active" for p in all_pupils(world, school_id))


def test_a_full_sync_that_would_mark_many_pupils_as_left_is_held_until_the_number_is_confirmed(world, storage):
    school_id, rows = school_of(world, 30, seed=33)
    before = pupil_rows(storage, school_id)
    shorter = simple_csv(rows[:20])
    held = upload(world, school_id, shorter)
    assert held.status == 409 and held.content_type == "application/problem+json"
    body = held.json()
    assert body["confirm_leavers"] == 10 and body["report"]["outcome"] == "held"
    assert body["report"]["left"] == 10 and "10 of the school's 30" in body["report"]["hold_reason"]
    assert pupil_rows(storage, school_id) == before
    assert Action.ROSTER_SYNC_HELD.value in audit_actions(storage, school_id)
    # The wrong number is refused too, and still changes nothing.
    assert upload(world, school_id, shorter, confirm_leavers=9).status == 409
    assert pupil_rows(storage, school_id) == before
    applied = upload(world, school_id, shorter, confirm_leavers=10)
    assert applied.status == 200 and applied.json()["left"] == 10 and applied.json()["outcome"] == "applied"
    assert len(all_pupils(world, school_id, status="left")) == 10


def test_a_full_sync_with_more_than_half_its_rows_rejected_is_held(world, storage):
    school_id, rows = school_of(world, 6, seed=34)
    before = pupil_rows(storage, school_id)
    newcomers = [{"Forename": f"New{i}", "Surname": "Pupil", "DOB": "31/31/2016", "Gender": "F", "UPN": ""}
                 for i in range(8)]
    resp = upload(world, school_id, simple_csv(rows + newcomers))
    assert resp.status == 409 and "has 8 of its 14 rows rejected" in resp.json()["detail"]
    assert pupil_rows(storage, school_id) == before


def test_a_dry_run_names_the_pupils_who_would_be_new_and_who_would_be_marked_left(world):
    school_id, rows = school_of(world, 12, seed=35)
    newcomer = {"Forename": "Marigold", "Surname": "Quennell", "DOB": "02/03/2016", "Gender": "F", "UPN": ""}
    resp = upload(world, school_id, simple_csv([*rows[:6], newcomer]), dry_run=True)
    assert resp.status == 200, resp.body
    report = resp.json()
    assert report["outcome"] == "preview" and report["confirm_leavers"] == 6 and report["hold_reason"]
    assert report["new_pupils"] == [{"row": 7, "first_name": "Marigold", "last_name": "Quennell"}]
    assert sorted(p["first_name"] for p in report["leaving_pupils"]) == sorted(r["Forename"] for r in rows[6:])
    assert all(p["status"] == "active" for p in all_pupils(world, school_id))


def test_a_held_blob_upload_is_kept_listed_and_applied_only_when_confirmed(world, storage):
    from shared.roster.blob_drop import ingest_upload

    school_id, rows = school_of(world, 30, seed=36)
    before = pupil_rows(storage, school_id)
    data = simple_csv(rows[:20])
    storage.container(MIS_UPLOADS).upload_blob(f"{school_id}/autumn.csv", data, overwrite=True)
    report = ingest_upload(f"mis-uploads/{school_id}/autumn.csv", data, storage=storage)
    assert report["status"] == "held" and report["confirm_leavers"] == 10 and report["hold_reason"]
    stored = json.loads(storage.container(MIS_REPORTS).download_blob(f"{school_id}/autumn.csv.json").readall())
    assert stored["status"] == "held" and "leaving_pupils" not in stored
    assert rows[0]["Forename"] not in json.dumps(stored)
    assert pupil_rows(storage, school_id) == before
    # A re-delivery of the same blob keeps it held and kept.
    assert ingest_upload(f"mis-uploads/{school_id}/autumn.csv", data, storage=storage)["status"] == "held"

    client = world.as_(world.a.manager)
    listed = client.get(f"/api/schools/{school_id}/roster/uploads").json()["uploads"]
    assert [(u["name"], u["status"], u["report"]["confirm_leavers"]) for u in listed] == [("autumn.csv", "held", 10)]
    assert world.as_(world.b.manager).get(f"/api/schools/{school_id}/roster/uploads").status == 404

    confirm = f"/api/schools/{school_id}/roster/uploads/autumn.csv/confirm"
    assert client.post(confirm, params={"confirm_leavers": "3"}).status == 409
    assert pupil_rows(storage, school_id) == before
    done = client.post(confirm, params={"confirm_leavers": "10"})
    assert done.status == 200 and done.json()["left"] == 10
    assert client.get(f"/api/schools/{school_id}/roster/uploads").json()["uploads"] == []
    assert client.post(confirm, params={"confirm_leavers": "10"}).status == 404


def test_a_held_blob_upload_can_be_discarded(world, storage):
    from shared.roster.blob_drop import ingest_upload

    school_id, rows = school_of(world, 30, seed=37)
    data = simple_csv(rows[:5])
    storage.container(MIS_UPLOADS).upload_blob(f"{school_id}/wrong.csv", data, overwrite=True)
    assert ingest_upload(f"mis-uploads/{school_id}/wrong.csv", data, storage=storage)["status"] == "held"
    client = world.as_(world.a.manager)
    assert client.delete(f"/api/schools/{school_id}/roster/uploads/wrong.csv").status == 204
    assert client.get(f"/api/schools/{school_id}/roster/uploads").json()["uploads"] == []
    report = json.loads(storage.container(MIS_REPORTS).download_blob(f"{school_id}/wrong.csv.json").readall())
    assert report["status"] == "discarded"
    assert all(p["status"] == "active" for p in all_pupils(world, school_id))
    assert Action.ROSTER_UPLOAD_DISCARDED.value in audit_actions(storage, school_id)


def test_erasing_a_pupil_leaves_no_row_naming_them_and_frees_their_upn(world, storage):
    school_id, rows = school_of(world, 3, seed=38)
    pupil = next(p for p in all_pupils(world, school_id) if p["upn"])
    other = next(p for p in all_pupils(world, school_id) if p["id"] != pupil["id"])
    client = world.as_(world.a.manager)
    assert client.delete(f"/api/schools/{school_id}/pupils/{pupil['id']}").status == 204
    remaining = json.dumps(pupil_rows(storage, school_id), default=str)
    assert pupil["id"] not in remaining and pupil["upn"] not in remaining
    resp = client.patch(f"/api/schools/{school_id}/pupils/{other['id']}", json={"upn": pupil["upn"]})
    assert resp.status == 200 and resp.json()["upn"] == pupil["upn"]


def test_rectifying_a_pupil_to_another_pupils_upn_is_refused(world):
    school_id, rows = school_of(world, 4, seed=39)
    with_upn = [p for p in all_pupils(world, school_id) if p["upn"]]
    other = next(p for p in all_pupils(world, school_id) if p["id"] != with_upn[0]["id"])
    resp = world.as_(world.a.manager).patch(f"/api/schools/{school_id}/pupils/{other['id']}",
                                            json={"upn": with_upn[0]["upn"]})
    assert resp.status == 409 and with_upn[0]["upn"] not in resp.body.decode()


def test_odd_upload_names_are_not_found_never_a_server_error(world):
    """`%2e%2e` and `%2e` arrive decoded as ".." and ".": dot-segments the blob service cannot address (it
    answered 400/403, and the endpoints 500)."""
    school_id = world.a.school_id
    client = world.as_(world.a.manager)
    for name in ("..", ".", "...", "export.", "export.csv.", " ", "%2e%2e", "a%2fb", "con", "\u202e"):
        for resp in (client.delete(f"/api/schools/{school_id}/roster/uploads/{name}"),
                     client.post(f"/api/schools/{school_id}/roster/uploads/{name}/confirm",
                                 params={"confirm_leavers": "1"})):
            assert resp.status == 404, (name, resp.status, resp.body)
            assert resp.content_type.startswith("application/problem+json")
