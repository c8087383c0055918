"""Checking a certificate from outside: the code on the certificate, the anonymous verify API, erasure."""

from __future__ import annotations

import json
import secrets
import threading

import pypdfium2 as pdfium

from shared.verification_codes import normalise_verification_code
from tests.functions.test_learning import codes_for, partner_activity, pupil_session, redeem
from tests.support import PDFIUM_LOCK
from tests.world import World


def _client_headers() -> dict[str, str]:
    # Each test is its own client (its own /64: IPv6 callers are counted per /64), so the per-client
    # throttle of one test does not reach another.
    return {"x-forwarded-for": f"10.0.0.1, 2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"}


def _pdf_text(pdf: bytes) -> str:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            return document[0].get_textpage().get_text_range()
        finally:
            document.close()


def _bronze_pupil(world: World) -> tuple[str, object, dict]:
    pupil_id, pupil = pupil_session(world)
    activity = partner_activity(world, hours=30, title="Summer of sport")
    (code,) = codes_for(world, activity["id"])
    assert redeem(pupil, code).status == 201
    (award,) = pupil.get("/api/me/progress").json()["awards"]
    return pupil_id, pupil, award


def _anonymous(world: World):
    return world.client.as_(None)


def _certificate_code(pupil, award: dict) -> tuple[str, str]:
    pdf = pupil.get(f"/api/certificates/{award['certificate_id']}")
    assert pdf.status == 200, pdf.body
    text = _pdf_text(pdf.body)
    line = next(part for part in text.split() if normalise_verification_code(part))
    return line, text


def test_a_certificate_prints_a_verification_code_instead_of_its_internal_id(world):
    _, pupil, award = _bronze_pupil(world)
    code, text = _certificate_code(pupil, award)
    assert award["certificate_id"] not in text and "pup_" not in text and "sch_" not in text
    assert pupil.get("/api/me/progress").json()["awards"][0]["verification_code"] == code
    again, _ = _certificate_code(pupil, award)
    assert again == code


def test_the_code_answers_genuine_with_the_award_but_never_the_childs_name_or_school(world):
    pupil_id, pupil, award = _bronze_pupil(world)
    code, _ = _certificate_code(pupil, award)
    staff = world.as_(world.a.staff)
    record = staff.get(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}").json()
    school = staff.get(f"/api/schools/{world.a.school_id}").json()
    for typed in (code, code.lower().replace("-", " "), code.replace("-", "")):
        resp = _anonymous(world).get(f"/api/verify/{typed}", headers=_client_headers())
        assert resp.status == 200, resp.body
        body = resp.json()
        assert body["genuine"] is True and body["code"] == code
        assert body["award"] == "Bronze Award" and body["hours"] == 30
        assert body["achieved_on"] == award["achieved_at"][:10]
        for secret in (record["first_name"], record["last_name"], school["name"], world.a.school_id, pupil_id):
            assert secret not in resp.body.decode()


def test_a_name_the_checker_already_has_answers_only_matches_or_not(world):
    pupil_id, pupil, award = _bronze_pupil(world)
    code, _ = _certificate_code(pupil, award)
    record = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}").json()
    name = f"{record['first_name']} {record['last_name']}"
    headers = _client_headers()
    right = _anonymous(world).post(f"/api/verify/{code}", json={"name": f"  {name.upper()} "}, headers=headers)
    assert right.status == 200 and right.json() == {"matches": True}
    wrong = _anonymous(world).post(f"/api/verify/{code}", json={"name": "Somebody Else"}, headers=headers)
    assert wrong.status == 200 and wrong.json() == {"matches": False}


def test_an_unknown_or_malformed_code_is_not_known(world):
    for typed in ("0000-0000-0000-0000", "not-a-code", "7KQ2"):
        resp = _anonymous(world).get(f"/api/verify/{typed}", headers=_client_headers())
        assert resp.status == 404 and resp.json()["title"] == "Not known"
    resp = _anonymous(world).post("/api/verify/0000-0000-0000-0000", json={"name": "A B"}, headers=_client_headers())
    assert resp.status == 404


def test_name_checks_are_throttled_per_client_and_every_attempt_counts(world):
    headers = _client_headers()
    answers = [_anonymous(world).post("/api/verify/0000-0000-0000-0000", json={"name": "A B"}, headers=headers)
               for _ in range(11)]
    assert [r.status for r in answers] == [404] * 10 + [429]
    assert int(answers[-1].headers["retry-after"]) > 0
    other = _anonymous(world).post("/api/verify/0000-0000-0000-0000", json={"name": "A B"}, headers=_client_headers())
    assert other.status == 404


def test_parallel_name_checks_cannot_slip_past_the_limit(world):
    headers = _client_headers()
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def attempt() -> None:
        barrier.wait()
        resp = _anonymous(world).post("/api/verify/0000-0000-0000-0000", json={"name": "A B"}, headers=headers)
        statuses.append(resp.status)

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [404] * 10 + [429] * 6


def test_two_first_openings_of_a_certificate_at_once_print_the_same_code(world):
    _, pupil, award = _bronze_pupil(world)
    barrier = threading.Barrier(6)
    found: list[str] = []

    def open_certificate() -> None:
        barrier.wait()
        found.append(_certificate_code(pupil, award)[0])

    threads = [threading.Thread(target=open_certificate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1
    assert _anonymous(world).get(f"/api/verify/{found[0]}", headers=_client_headers()).status == 200


def test_erasing_the_pupil_makes_the_code_not_known(world):
    pupil_id, pupil, award = _bronze_pupil(world)
    code, _ = _certificate_code(pupil, award)
    staff = world.as_(world.a.staff)
    assert staff.delete(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}").status == 204
    resp = _anonymous(world).get(f"/api/verify/{code}", headers=_client_headers())
    assert resp.status == 404
    assert json.loads(resp.body)["title"] == "Not known"
