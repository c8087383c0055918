"""The stamp-code list says which codes are used (issue 16), at the cost of the one partition query it
already made, and the printed code sheet leaves used codes out unless asked."""

from __future__ import annotations

import csv
import io

import pypdfium2 as pdfium
from azure.data.tables import UpdateMode

from shared.storage.counting import request_counter
from shared.storage.names import ACTIVITIES, CODES
from tests.functions.test_learning import codes_for, partner_activity, pupil_session, redeem
from tests.world import World


def _listed(world: World, activity_id: str) -> dict[str, dict]:
    resp = world.as_(world.a.manager).get(f"/api/activities/{activity_id}/codes")
    assert resp.status == 200, resp.body
    return {c["code"]: c for c in resp.json()["codes"]}


def _sheet_text(world: World, activity_id: str, **params) -> str:
    resp = world.as_(world.a.manager).get(f"/api/activities/{activity_id}/codes", params={"format": "pdf"} | params)
    assert resp.status == 200, resp.body
    document = pdfium.PdfDocument(resp.body)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_the_code_list_says_which_codes_are_used_and_counts_capped_uses(world):
    activity = partner_activity(world)
    unused, used = codes_for(world, activity["id"], count=2)
    (capped_full,) = codes_for(world, activity["id"], single_use=False, max_uses=2)
    (capped_open,) = codes_for(world, activity["id"], single_use=False, max_uses=3)
    (uncapped,) = codes_for(world, activity["id"], single_use=False)
    fresh = _listed(world, activity["id"])
    assert {c["used"] for c in fresh.values()} == {False}
    assert [fresh[c]["uses"] for c in (unused, capped_full, uncapped)] == [0, 0, None]

    assert redeem(pupil_session(world)[1], used).status == 201
    for _ in range(2):
        assert redeem(pupil_session(world)[1], capped_full).status == 201
    _, pupil = pupil_session(world)
    assert redeem(pupil, capped_open).status == 201
    assert redeem(pupil, uncapped).status == 201

    listed = _listed(world, activity["id"])
    assert {code: (c["used"], c["uses"]) for code, c in listed.items()} == {
        unused: (False, 0), used: (True, 1), capped_full: (True, 2), capped_open: (False, 1), uncapped: (False, None),
    }
    sheet = world.as_(world.a.manager).get(f"/api/activities/{activity['id']}/codes", params={"format": "csv"})
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(sheet.body.decode("utf-8-sig")))}
    assert (rows[used]["used"], rows[used]["uses"]) == ("true", "1")
    assert (rows[unused]["used"], rows[uncapped]["uses"]) == ("false", "")


def test_listing_codes_costs_the_same_requests_however_many_are_used(world):
    activity = partner_activity(world)
    codes = codes_for(world, activity["id"], count=6)
    manager = world.as_(world.a.manager)

    def listing_requests() -> dict[str, int]:
        with request_counter.measure() as tally:
            assert manager.get(f"/api/activities/{activity['id']}/codes").status == 200
        return dict(tally.by_kind)

    before = listing_requests()
    for code in codes[:4]:
        assert redeem(pupil_session(world)[1], code).status == 201
    after = listing_requests()
    assert after == before
    assert not any("stampcodes" in kind for kind in after), after


def test_the_code_sheet_prints_only_codes_still_to_hand_out_unless_asked(world):
    activity = partner_activity(world)
    unused, used = codes_for(world, activity["id"], count=2)
    assert redeem(pupil_session(world)[1], used).status == 201

    default = _sheet_text(world, activity["id"])
    assert unused in default and used not in default
    everything = _sheet_text(world, activity["id"], include_used="true")
    assert unused in everything and used in everything

    assert redeem(pupil_session(world)[1], unused).status == 201
    resp = world.as_(world.a.manager).get(f"/api/activities/{activity['id']}/codes", params={"format": "pdf"})
    assert resp.status == 404 and "used" in resp.json()["detail"]


def test_codes_issued_before_the_list_showed_uses_keep_their_claims(world, storage):
    """A code made before use rows moved beside the listing: its claim stays in the code's own partition,
    a second pupil is still refused, and the list finds the old claim."""
    activity = partner_activity(world)
    older, capped = codes_for(world, activity["id"]), codes_for(world, activity["id"], single_use=False, max_uses=1)
    for (code,) in (older, capped):
        key = code.replace(" ", "")
        for table, pk, rk in ((CODES, key, "code"), (ACTIVITIES, f"codes-{activity['id']}", key)):
            row = dict(storage.table(table).get_entity(pk, rk))
            del row["uses_in_listing"]
            storage.table(table).upsert_entity(row, mode=UpdateMode.REPLACE)

    first_id, first = pupil_session(world)
    assert redeem(first, older[0]).status == 201
    assert redeem(first, capped[0]).status == 201
    assert storage.table(CODES).get_entity(older[0].replace(" ", ""), "claim")["pupil_id"] == first_id
    assert storage.table(CODES).get_entity(capped[0].replace(" ", ""), "uses")["count"] == 1
    _, second = pupil_session(world)
    assert redeem(second, older[0]).status == 409
    assert redeem(second, capped[0]).status == 409

    listed = _listed(world, activity["id"])
    assert (listed[older[0]]["used"], listed[capped[0]]["used"], listed[capped[0]]["uses"]) == (True, True, 1)


def test_only_the_activity_owner_lists_its_codes_and_their_use(world):
    activity = partner_activity(world)
    codes_for(world, activity["id"])
    path = f"/api/activities/{activity['id']}/codes"
    assert world.as_(world.a.staff).get(path).status == 404  # a member school's staff: not theirs to hand out
    assert world.as_(world.b.manager).get(path).status == 404
    assert world.as_(world.b.staff).get(path).status == 404
