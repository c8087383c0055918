"""Web client: the first page a child opens (issue 26), measured in Debian's Chromium; and (issue 16) listing
an activity's stamp codes with which are used, the redemptions that mark them, and an assembly's
certificates (every award of a date range in one PDF, each with its verification code). Storage requests
are exact counts (`request_counter`), each taken twice and required to agree."""

from __future__ import annotations

import contextlib
import http
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.harness import BenchContext, Result, Row, benchmark, count_path, describe_kinds

SINGLE_CODES = 200  # single-use codes of the listed activity
USED_SINGLE = 50  # of them redeemed before the listing
CAPPED_CODES = 20  # capped multi-use codes (max_uses CAP) of the same activity
CAP = 5
UNCAPPED_CODES = 10
LEGACY_CODES = 20  # single-use codes whose claims predate use rows in the listing (read one by one)
PUPILS = 120  # the school of the assembly
AWARDED = 60  # pupils who reach the Bronze Award in the range (one certificate each)


def _agreed(tallies) -> tuple[int, str]:
    totals = sorted({t.total for t in tallies})
    note = describe_kinds(tallies[0])
    return tallies[0].total, (f"VARIES {totals}; " if len(totals) > 1 else "") + note


@benchmark("code_list", issue="web-client", title="Stamp-code list with used/unused, and the redemptions that mark it")
def code_list(ctx: BenchContext) -> Result:
    from azure.data.tables import UpdateMode

    from bench.fixtures import TRUST, new_partner, school_with_pupils
    from shared.learning.activities import create_activity, create_codes, list_codes
    from shared.learning.redemption import redeem
    from shared.learning.schemas import ActivityIn, CodesIn, RedemptionIn
    from shared.security.principal import Principal, Role
    from shared.storage.names import ACTIVITIES, CODES

    storage = ctx.storage
    partner_id = new_partner(storage, "Codes")
    school, pupils = school_with_pupils(storage, partner_id, USED_SINGLE + CAP + 10, seed=1601, label="Codes Primary")
    activity = create_activity(TRUST, ActivityIn(title="Castle trail", hours="0.25", skills=["teamwork"],
                                                  partner_id=partner_id), storage=storage)

    def codes(count: int, **body) -> list[str]:
        made = create_codes(TRUST, activity.id, CodesIn(count=count, **body), storage=storage)
        return [c.code for c in made.codes]

    single = codes(SINGLE_CODES)
    capped = codes(CAPPED_CODES, single_use=False, max_uses=CAP)
    codes(UNCAPPED_CODES, single_use=False)
    fresh = iter(pupils)

    def attempt(pupil, code: str):
        caller = Principal(subject_id=pupil.id, role=Role.PUPIL, school_id=school.id, partner_id=partner_id)
        return redeem(caller, RedemptionIn(code=code), storage=storage)

    # Redemptions: the single-use claim and the capped counter, counted on the way (two of each must agree).
    single_tallies, capped_tallies = [], []
    for n, code in enumerate(single[:USED_SINGLE]):
        pupil = next(fresh)
        tally = count_path(lambda pupil=pupil, code=code: attempt(pupil, code))
        if n < 2:
            single_tallies.append(tally)
    capped_pupils = [next(fresh) for _ in range(CAP)]
    for n, pupil in enumerate(capped_pupils):
        tally = count_path(lambda pupil=pupil: attempt(pupil, capped[0]))
        if n < 2:
            capped_tallies.append(tally)
    attempt(capped_pupils[0], capped[1])

    # The listing, as the activity's owner asks for it (json; csv and pdf read the same rows).
    listings = [count_path(lambda: list_codes(TRUST, activity.id, storage=storage)) for _ in range(2)]
    _, listed = list_codes(TRUST, activity.id, storage=storage)
    used = [c for c in listed.codes if getattr(c, "used", False)]
    total = SINGLE_CODES + CAPPED_CODES + UNCAPPED_CODES
    assert len(listed.codes) == total, len(listed.codes)

    # Codes issued before use rows moved beside the listing keep them in their own partition: strip the
    # marker from the rows of a second activity's codes to list codes as they were stored before.
    older = create_activity(TRUST, ActivityIn(title="Older trail", hours="0.25", partner_id=partner_id),
                            storage=storage)
    made = create_codes(TRUST, older.id, CodesIn(count=LEGACY_CODES, single_use=True), storage=storage).codes
    for made_code in made:
        key = made_code.code.replace(" ", "")
        for table, pk, rk in ((CODES, key, "code"), (ACTIVITIES, f"codes-{older.id}", key)):
            row = dict(storage.table(table).get_entity(pk, rk))
            del row["uses_in_listing"]
            storage.table(table).upsert_entity(row, mode=UpdateMode.REPLACE)
    legacy = [count_path(lambda: list_codes(TRUST, older.id, storage=storage)) for _ in range(2)]

    rows = []
    for metric, tallies in (("redemption, single-use code", single_tallies),
                            ("redemption, capped multi-use code", capped_tallies),
                            (f"code list of {total} codes ({USED_SINGLE} single-use used)", listings),
                            (f"code list of {LEGACY_CODES} single-use codes issued before this change", legacy)):
        value, note = _agreed(tallies)
        rows.append(Row(metric, value, "requests", note))
    rows.append(Row("codes listed as used", len(used), "codes",
                    f"expected {USED_SINGLE} single-use + 1 capped code at its cap of {CAP}"))
    return Result(rows, notes=(
        f"One learning destination with {SINGLE_CODES} single-use codes ({USED_SINGLE} redeemed, each by its own "
        f"pupil), {CAPPED_CODES} capped codes (max_uses {CAP}; one used up, one used once) and {UNCAPPED_CODES} "
        "uncapped multi-use codes. Redemptions call `learning.redemption.redeem` with the pupil's Principal; "
        "the listing calls `learning.activities.list_codes` as the Trust (the HTTP layer's csv and pdf "
        "formats render the same listing). Each count is taken on two redemptions / two listings and must agree."
        "\n\nBefore this change (main at 3420ce1, same case): the list took the same 3 requests but could not say "
        "which codes were used; a single-use redemption took 4 (its claim inserted in the code's own `stampcodes` "
        "partition) and a capped one 5. Now the claim (one insert) and a capped code's use count (a read and "
        "a conditional write) are the same requests in the activity's code-listing partition, so its one query returns "
        "codes and their use rows together: +0 requests for the list, +0 for a redemption. Codes issued before "
        "the change keep their claims where they were (a marker on the code row says which), and listing them "
        "costs one point read per single-use or capped code."
    ))


@benchmark("assembly_certificates", issue="web-client",
           title="An assembly's certificates: one PDF of every award in a range, with verification codes")
def assembly_certificates(ctx: BenchContext) -> Result:
    from bench.fixtures import TRUST, new_partner, school_with_pupils
    from shared.achievements.assembly import assembly_certificates_pdf
    from shared.achievements.certificates import certificate_data
    from shared.ids import utcnow
    from shared.learning import assembly
    from shared.learning.activities import create_activity, create_codes
    from shared.learning.model import CertificateRef
    from shared.learning.redemption import redeem
    from shared.learning.schemas import ActivityIn, CodesIn, RedemptionIn, SchoolAwardsQuery
    from shared.security.principal import Principal, Role

    storage = ctx.storage
    partner_id = new_partner(storage, "Assembly")
    activity = create_activity(TRUST, ActivityIn(title="Summer reading", hours=30, skills=["communication"],
                                                  partner_id=partner_id), storage=storage)
    (code,) = create_codes(TRUST, activity.id, CodesIn(count=1, single_use=False), storage=storage).codes
    today = utcnow().date()
    query = SchoolAwardsQuery.model_validate({"from": today - timedelta(days=7), "to": today, "format": "pdf"})

    def awarded_school(seed: int, label: str):
        school, pupils = school_with_pupils(storage, partner_id, PUPILS, seed=seed, label=label)
        for pupil in pupils[:AWARDED]:
            redeem(Principal(subject_id=pupil.id, role=Role.PUPIL, school_id=school.id, partner_id=partner_id),
                   RedemptionIn(code=code.code), storage=storage)
        return school

    school = awarded_school(1602, "Assembly Primary")
    listing = [count_path(lambda: assembly.school_awards(TRUST, school.id, query, storage=storage)) for _ in range(2)]
    first = count_path(lambda: assembly_certificates_pdf(TRUST, school.id, query, storage=storage))
    again = [count_path(lambda: assembly_certificates_pdf(TRUST, school.id, query, storage=storage)) for _ in range(2)]

    # The contrast: the same certificates given their codes one at a time, as opening each certificate does.
    other = awarded_school(1603, "Assembly Contrast Primary")
    reached = assembly.reached_awards(storage, other, query)

    def one_at_a_time() -> None:
        for r in reached:
            certificate_data(storage, other, CertificateRef(other.id, r.listed.pupil_id, r.row.rank))

    single_first = count_path(one_at_a_time)
    single_again = count_path(one_at_a_time)
    rows = []
    for metric, tallies in ((f"awards list (json), {AWARDED} awards", listing),
                            (f"assembly PDF, {AWARDED} certificates, first print (codes created)", [first]),
                            (f"assembly PDF, {AWARDED} certificates, printed again", again),
                            (f"contrast: {AWARDED} certificates one at a time, first opening", [single_first]),
                            (f"contrast: {AWARDED} certificates one at a time, opened again", [single_again])):
        value, note = _agreed(tallies)
        rows.append(Row(metric, value, "requests", note))
    return Result(rows, notes=(
        f"A school of {PUPILS} pupils, {AWARDED} of whom reach the Bronze Award in the week (one 30-hour code "
        "each). Calls go to the services as the Trust (no HTTP layer): `learning.assembly.school_awards` and "
        "`achievements.assembly.assembly_certificates_pdf`. The first print gives every certificate its "
        "verification code: one query reads the school's pupil rows and the award rows of the range; the codes "
        "go onto the award rows 100 to an entity-group transaction (under each row's ETag); each code's record "
        "is one insert into `verifications` (a partition per code, so checking a certificate stays one point "
        "read: these N inserts cannot be batched); the award rows are then marked published, 100 to a "
        "transaction. Printing again reads and writes nothing per certificate. The contrast row gives another "
        "school's same awards their codes through `achievements.certificates.certificate_data`, one "
        "certificate at a time, as opening each certificate (or the graduation list's PDF) does.\n\n"
        "Before this change (main at 3420ce1, same school): the list and the PDF each took 63 requests (a point "
        "read of each pupil: GET pupils ×61, GET schools ×1, POST audit ×1), and the PDF printed no "
        "verification codes."
    ))


# --- the first page a child opens (issue 26) -----------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
# As tests/browser launches it: headless, nothing that reaches out to the network on its own.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SIGN_IN = "/#/signin"
GOAL_BYTES = 60 * 1024
GOAL_REQUESTS = 15
STAFF_SCRIPTS = ("account", "activities", "certificates", "compliance", "graduation", "group-hours", "nav",
                 "organisation", "pupil-detail", "pupils", "report", "school-settings", "staff-admin", "transfer",
                 "upload", "dashboard")


@dataclass(frozen=True)
class Sent:
    """One answer of the server: what was asked for and the bytes of status line, headers and body."""

    path: str
    status: int
    header_bytes: int
    body_bytes: int
    encoding: str


class ServerTally:
    """ASGI wrapper counting what the server sends, byte for byte as HTTP/1.1 puts it on the wire (the
    server adds no Date or Server header of its own here), so the service worker's requests count too."""

    def __init__(self, app) -> None:
        self.app = app
        self.sent: list[Sent] = []
        self.lock = threading.Lock()

    def take(self) -> list[Sent]:
        with self.lock:
            taken, self.sent = self.sent, []
        return taken

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        body = 0

        async def counted(message) -> None:
            nonlocal body
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body += len(message.get("body", b""))
                if not message.get("more_body"):
                    self._record(scope["path"], start, body)
            await send(message)

        await self.app(scope, receive, counted)

    def _record(self, path: str, start: dict, body: int) -> None:
        status = start["status"]
        headers = start.get("headers", [])
        head = len(f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n") + 2
        head += sum(len(name) + len(value) + 4 for name, value in headers)
        encoding = next((value.decode() for name, value in headers if name.lower() == b"content-encoding"), "")
        with self.lock:
            self.sent.append(Sent(path, status, head, body, encoding))


@contextlib.contextmanager
def _web_host() -> Iterator[tuple[str, ServerTally]]:
    """The Function App's HTTP functions as the devhost serves them, in this process on a free port."""
    import os

    import uvicorn

    from devhost.host import DEFAULT_APP, ROOT, FunctionHost, load_app
    from devhost.settings_file import apply_values, read_values

    # The sample's settings the run has not set (the timers' schedules), as `func start` would read them.
    applied = apply_values(read_values(ROOT / "local.settings.sample.json"), os.environ)
    try:
        tally = ServerTally(FunctionHost(load_app(DEFAULT_APP)).asgi_app())
    finally:
        for name in applied:
            del os.environ[name]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # No lifespan: the page needs no blob polling or timers; no Date/Server headers, so the tally is exact.
    server = uvicorn.Server(uvicorn.Config(tally, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off", server_header=False, date_header=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-process web host did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", tally
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _visit(page, base_url: str, *, returning: bool) -> None:
    """Open the pupil's sign-in page and wait until it, and the service worker it installs, are done. On a
    return the worker also checks for a new release, as the browser has it do after a navigation: done here
    once and awaited, so the count does not depend on when the browser would have done it."""
    page.goto(base_url + SIGN_IN)
    page.get_by_role("button", name="Let's go!").wait_for()
    update = ".then((registration) => registration.update())" if returning else ""
    page.evaluate(f"() => navigator.serviceWorker.ready{update}.then(() => true)")
    page.wait_for_load_state("networkidle")


def _summary(sent: list[Sent]) -> tuple[int, int, int]:
    return len(sent), sum(s.header_bytes + s.body_bytes for s in sent), sum(s.header_bytes for s in sent)


def _listing(sent: list[Sent]) -> str:
    return ", ".join(f"`{s.path}` {s.status} {(s.header_bytes + s.body_bytes) / 1024:.1f} KB"
                     + (f" {s.encoding}" if s.encoding else "") for s in sent)


@benchmark("first_page", issue="web-client",
           title="The pupil's sign-in page in a real browser: requests and bytes, first visit and return")
def first_page(ctx: BenchContext) -> Result:
    from playwright.sync_api import sync_playwright

    from shared.web_client import release

    if not CHROMIUM.exists():
        raise RuntimeError("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    with _web_host() as (base_url, tally), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            # A phone that has never seen the site: empty HTTP cache, no service worker yet.
            context = browser.new_context(service_workers="allow", locale="en-GB", **PHONE)
            page = context.new_page()
            tally.take()
            _visit(page, base_url, returning=False)
            cold = tally.take()
            # The child comes back: a new navigation in the same browser, its cache and worker kept.
            page.goto("about:blank")
            _visit(page, base_url, returning=True)
            warm = tally.take()
            context.close()
        finally:
            browser.close()

    cold_requests, cold_bytes, cold_headers = _summary(cold)
    warm_requests, warm_bytes, warm_headers = _summary(warm)
    served = release()
    uncompressed = sum(len(served.files[s.path.lstrip("/") or "index.html"].body) for s in cold
                       if s.status == 200 and (s.path.lstrip("/") or "index.html") in served.files)
    staff = [s.path for s in cold + warm if any(f"/pages/{name}." in s.path for name in STAFF_SCRIPTS)]
    unhashed = [s.path for s in cold if s.path.lstrip("/") in served.hashed_names]
    rows = [
        Row("first visit: requests", cold_requests, "requests", f"goal ≤ {GOAL_REQUESTS}"),
        Row("first visit: transferred", round(cold_bytes / 1024, 1), "KB",
            f"goal ≤ {GOAL_BYTES // 1024} KB; of which headers {cold_headers / 1024:.1f} KB; the same files "
            f"uncompressed {uncompressed / 1024:.1f} KB of bodies"),
        Row("return visit: requests", warm_requests, "requests",
            ", ".join(f"{s.path} {s.status}" for s in warm) or "none"),
        Row("return visit: transferred", round(warm_bytes / 1024, 1), "KB",
            f"of which headers {warm_headers / 1024:.1f} KB"),
        Row("staff page scripts fetched", len(staff), "files", ", ".join(staff) or "none"),
        Row("files fetched by their plain name", len(unhashed), "files", ", ".join(unhashed) or "none"),
    ]
    return Result(rows, notes=(
        "Debian's Chromium (Playwright), phone-sized (390×844), service workers allowed, opens "
        f"`{SIGN_IN}` on the Function App served as the devhost serves it (in this process, uvicorn without "
        "Date/Server headers). The server counts every answer it sends, to the page and to its service worker "
        "alike, byte for byte as HTTP/1.1 puts it on the wire (status line, headers, body; TCP and TLS not "
        "counted). A visit ends when the sign-in button is shown, the service worker is active (its shell "
        "cached) and the network is idle. The return visit is a new navigation in the same browser.\n\n"
        f"First visit: {_listing(cold)}.\n\nReturn visit: {_listing(warm) or 'nothing'}.\n\n"
        "Before issue 26 (main at bb7b85a, this same case): the first visit took 53 requests and 311.8 KB (the "
        "page 34 files, every staff page's script among them, none compressed; then the worker's install "
        "fetched the icons, the manifest and index.html again and revalidated the rest), the return visit 35 "
        "requests and 21.0 KB (every file revalidated, a 304 each)."
    ))
