"""An assembly's certificates carry each award's verification code and QR code, as a single certificate
does (issue 16 / 17), made in batches: the storage requests do not grow per certificate beyond the one
insert each new code's record needs."""

from __future__ import annotations

import secrets
import threading
from datetime import date, timedelta

import pypdfium2 as pdfium
import zxingcpp

from shared.storage.counting import request_counter
from shared.verification_codes import normalise_verification_code
from tests.functions.test_verification import _anonymous, _certificate_code, _client_headers
from tests.support import PDFIUM_LOCK
from tests.world import World

WEEK = {"from": (date.today() - timedelta(days=7)).isoformat(), "to": date.today().isoformat()}


def _bronze_class(world: World, count: int) -> list[dict]:
    """`count` new pupils of school A who reach the Bronze Award now (a 30-hour club session, in one go)."""
    staff = world.as_(world.a.staff)
    tag = secrets.token_hex(3)
    pupils = [{"first_name": f"P{n}{tag}", "last_name": f"Hall{tag}", "date_of_birth": f"2016-0{n % 9 + 1}-1{n % 9}",
               "gender": "female"} for n in range(count)]
    resp = staff.post(f"/api/schools/{world.a.school_id}/roster", json={"pupils": pupils}, params={"mode": "partial"})
    assert resp.status == 200 and resp.json()["created"] == count, resp.body
    listed = staff.get(f"/api/schools/{world.a.school_id}/pupils", params={"page_size": "500"}).json()["pupils"]
    ours = [p for p in listed if p["last_name"] == f"Hall{tag}"]
    club = staff.post("/api/activities", json={"title": "Hall club", "hours": 30, "skills": [], "interests": [],
                                               "school_id": world.a.school_id}).json()
    resp = staff.post(f"/api/schools/{world.a.school_id}/group-redemptions", json={
        "activity_id": club["id"], "pupil_ids": [p["id"] for p in ours], "session_id": secrets.token_hex(8)})
    assert resp.status == 200, resp.body
    return ours


def _assembly(world: World) -> list[tuple[str, str, str]]:
    """This week's assembly PDF: each certificate's text, printed code and QR code's text."""
    pdf = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/awards", params=WEEK | {"format": "pdf"})
    assert pdf.status == 200, pdf.body
    pages = []
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf.body)
        try:
            for page in document:
                text = page.get_textpage().get_text_range()
                code = next((part for part in text.split() if normalise_verification_code(part)), "")
                qr = [b.text for b in zxingcpp.read_barcodes(page.render(scale=110 / 72).to_pil().convert("RGB"))
                      if b.format == zxingcpp.BarcodeFormat.QRCode]
                pages.append((text, code, qr[0] if qr else ""))
        finally:
            document.close()
    return pages


def _printed_for(pages: list[tuple[str, str, str]], pupils: list[dict]) -> dict[str, tuple[str, str]]:
    """Pupil's first name -> (printed code, QR text) of their one certificate."""
    found = {}
    for p in pupils:
        (page,) = [(code, qr) for text, code, qr in pages if p["first_name"] in text]
        found[p["first_name"]] = page
    return found


def test_every_assembly_certificate_prints_a_code_that_verifies_and_its_qr(world):
    pupils = _bronze_class(world, 3)
    printed = _printed_for(_assembly(world), pupils)
    codes = [code for code, _ in printed.values()]
    assert all(codes) and len(set(codes)) == 3, printed
    for code, qr in printed.values():
        assert qr.endswith(f"/#/verify/{code}"), (code, qr)
        check = _anonymous(world).get(f"/api/verify/{code}", headers=_client_headers())
        assert check.status == 200 and check.json()["award"] == "Bronze Award"
    # The same codes the next time, and on each pupil's own certificate.
    assert _printed_for(_assembly(world), pupils) == printed
    staff = world.as_(world.a.staff)
    for p in pupils:
        (award,) = staff.get(f"/api/schools/{world.a.school_id}/pupils/{p['id']}/progress").json()["awards"]
        assert _certificate_code(staff, award)[0] == printed[p["first_name"]][0]


def test_an_assembly_prints_the_code_a_certificate_opened_earlier_already_has(world):
    pupils = _bronze_class(world, 2)
    staff = world.as_(world.a.staff)
    (award,) = staff.get(f"/api/schools/{world.a.school_id}/pupils/{pupils[0]['id']}/progress").json()["awards"]
    earlier, _ = _certificate_code(staff, award)
    printed = _printed_for(_assembly(world), pupils)
    assert printed[pupils[0]["first_name"]][0] == earlier
    assert printed[pupils[1]["first_name"]][0] not in ("", earlier)


def test_an_assembly_and_a_certificate_opened_at_the_same_moment_print_the_same_code(world):
    pupils = _bronze_class(world, 4)
    staff = world.as_(world.a.staff)
    awards = [staff.get(f"/api/schools/{world.a.school_id}/pupils/{p['id']}/progress").json()["awards"][0]
              for p in pupils]
    barrier = threading.Barrier(1 + len(awards))
    singles: dict[str, str] = {}
    assembly: list[dict] = []

    def print_assembly() -> None:
        barrier.wait()
        assembly.append(_printed_for(_assembly(world), pupils))

    def open_one(pupil: dict, award: dict) -> None:
        barrier.wait()
        singles[pupil["first_name"]] = _certificate_code(world.as_(world.a.staff), award)[0]

    threads = [threading.Thread(target=print_assembly)]
    threads += [threading.Thread(target=open_one, args=(p, a)) for p, a in zip(pupils, awards, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (printed,) = assembly
    assert {name: code for name, (code, _) in printed.items()} == singles
    for code in singles.values():
        assert _anonymous(world).get(f"/api/verify/{code}", headers=_client_headers()).status == 200


def _assembly_requests(world: World) -> dict[str, int]:
    with request_counter.measure() as tally:
        resp = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/awards",
                                            params=WEEK | {"format": "pdf"})
        assert resp.status == 200, resp.body
    return dict(tally.by_kind)


def test_printing_an_assembly_costs_one_insert_per_new_code_and_nothing_per_certificate_after(world):
    _bronze_class(world, 3)
    first = _assembly_requests(world)
    again = _assembly_requests(world)
    _bronze_class(world, 5)  # five more certificates this week: three known, five new
    second = _assembly_requests(world)
    later = _assembly_requests(world)

    def inserts(tally: dict[str, int]) -> int:
        return sum(n for kind, n in tally.items() if "verifications" in kind)

    # Every certificate of the week is reprinted, but only new codes' records are written.
    assert inserts(first) >= 3 and inserts(second) == 5
    assert inserts(again) == inserts(later) == 0
    # Reading the awards, writing codes and marks: batches, not a request per certificate.
    assert {k: n for k, n in second.items() if "verifications" not in k} == {
        k: n for k, n in first.items() if "verifications" not in k}
    assert again == later
    assert again.get("GET pupils") == 1, again
