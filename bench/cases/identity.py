"""Identity: storage requests of sign-in (success, first sign-in of a month, failures) and what Argon2 costs."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from bench.floor import raw_transaction_rate
from bench.harness import BenchContext, Result, Row, benchmark, count_path, count_requests, describe_kinds, percentile

# Sizes: the whole identity issue takes well under half a minute on 2 cores.
LOGIN_SAMPLES = 40  # sequential successful sign-ins timed (staff, warm: no monthly write), each followed by
# two bare argon2 verifications (match, mismatch) of the same hash
COUNT_REPEATS = 3  # each request count is taken this many times and must agree
LOGIN_TARGET = 3
PROBE_NAME = "nobody-{}@example.org.uk"


def _ms(seconds: list[float]) -> tuple[float, float]:
    return statistics.median(seconds) * 1000, percentile(seconds, 95) * 1000


def _counts(fn: Callable[[], object], repeats: int = COUNT_REPEATS, expect: type[BaseException] | None = None):
    """Request tallies of `repeats` calls; each call must end as expected (return, or raise `expect`)."""
    return [count_path(fn, expect) for _ in range(repeats)]


def _moves_due_date(tally) -> bool:
    return any(kind.endswith(" duedates") for kind in tally.by_kind)


def _row(metric: str, tallies, target: int | None = None, extra: str = "") -> Row:
    totals = sorted({t.total for t in tallies})
    value = tallies[0].total
    verdict = ""
    if target is not None:
        verdict = f"target ≤ {target}: " + ("met" if max(totals) <= target else "MISSED") + "; "
    if len(totals) > 1:
        verdict += f"VARIES {totals}; "
    return Row(metric, value, "requests", verdict + describe_kinds(tallies[0]) + (f" — {extra}" if extra else ""))


@benchmark("identity_login", issue="identity", title="Sign-in: storage requests and Argon2 cost")
def identity_login(ctx: BenchContext) -> Result:
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    from bench.fixtures import TRUST, new_coordinator, new_partner, school_with_pupils
    from shared.credentials.logins import login_key, read_login
    from shared.credentials.passwords import hasher
    from shared.errors import TooManyAttempts, Unauthenticated
    from shared.identity import lockout
    from shared.identity.service import login
    from shared.ids import clock_moved
    from shared.roster.pupils import reset_password
    from shared.settings import get_settings

    storage = ctx.storage
    settings = get_settings()

    # --- accounts: staff who accepted an invitation, and a pupil given a password by staff
    partner_id = new_partner(storage, "Identity")
    school, pupils = school_with_pupils(storage, partner_id, 5, seed=11, label="Identity Primary")
    staff = new_coordinator(storage, school, "signin")
    fresh = [new_coordinator(storage, school, f"first{n}") for n in range(COUNT_REPEATS)]
    failing = new_coordinator(storage, school, "failing")
    pupil_creds = reset_password(TRUST, school.id, pupils[0].id, storage=storage)
    stored_hash = read_login(storage, login_key(staff.email)).password_hash or ""

    # --- storage requests
    # The first sign-in after accepting an invitation (which may or may not have set the due date already).
    first_ever = [count_requests(lambda a=a: login(a.email, a.password, storage=storage))[1] for a in fresh]
    login(staff.email, staff.password, storage=storage)  # staff's own first sign-in of this month
    warm_staff = _counts(lambda: login(staff.email, staff.password, storage=storage))
    warm_pupil = _counts(lambda: login(pupil_creds.username, pupil_creds.password, storage=storage))
    # A month later (service clock moved on) the due date moves forward once, then sign-ins are cheap again.
    month_later = []
    for months in range(1, COUNT_REPEATS + 1):
        with clock_moved(timedelta(days=32 * months)):
            month_later.append(count_requests(lambda: login(staff.email, staff.password, storage=storage))[1])
    with clock_moved(timedelta(days=32 * COUNT_REPEATS)):
        after_month = _counts(lambda: login(staff.email, staff.password, storage=storage), repeats=1)

    login(failing.email, failing.password, storage=storage)  # its monthly due-date write out of the way
    # Failures below the lockout threshold (the first FREE_FAILURES - 1 are free), then the success that clears them.
    known_fail = _counts(lambda: login(failing.email, "wrong password entirely", storage=storage),
                         repeats=lockout.FREE_FAILURES - 1, expect=Unauthenticated)
    clears = _counts(lambda: login(failing.email, failing.password, storage=storage), repeats=1)
    # Lock it (the FREE_FAILURES-th failure locks), then one more attempt while locked.
    for _ in range(lockout.FREE_FAILURES):
        with contextlib.suppress(Unauthenticated, TooManyAttempts):
            login(failing.email, "wrong password entirely", storage=storage)
    locked = _counts(lambda: login(failing.email, "wrong password entirely", storage=storage), repeats=1,
                     expect=TooManyAttempts)
    unknown = []
    for n in range(COUNT_REPEATS):
        name = PROBE_NAME.format(n)
        unknown += _counts(lambda name=name: login(name, "whatever it is", storage=storage), repeats=1,
                           expect=Unauthenticated)
    unknown_again = _counts(lambda: login(PROBE_NAME.format(0), "whatever it is", storage=storage), repeats=1,
                            expect=Unauthenticated)

    # --- latency: whole sign-ins (warm staff) interleaved with bare verifications of the same hash
    bare = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                          parallelism=settings.argon2_parallelism)
    login(staff.email, staff.password, storage=storage)
    bare.verify(stored_hash, staff.password)
    login_s, verify_s, mismatch_s = [], [], []
    for _ in range(LOGIN_SAMPLES):
        t0 = time.perf_counter()
        login(staff.email, staff.password, storage=storage)
        t1 = time.perf_counter()
        bare.verify(stored_hash, staff.password)
        t2 = time.perf_counter()
        with contextlib.suppress(VerifyMismatchError):
            bare.verify(stored_hash, "not the password")
        t3 = time.perf_counter()
        login_s.append(t1 - t0)
        verify_s.append(t2 - t1)
        mismatch_s.append(t3 - t2)
    # The same storage round trips with the bare SDK: 1 point read, 1 transaction of 2 inserts, 1 insert.
    raw = raw_transaction_rate(ctx.connection_string, reads_per_op=1, writes_per_op=2, inserts_per_op=1,
                               ops=LOGIN_SAMPLES, repeats=1)
    login_p50, login_p95 = _ms(login_s)
    verify_p50, verify_p95 = _ms(verify_s)
    mismatch_p50, _ = _ms(mismatch_s)
    in_use = hasher()
    hash_params = stored_hash.split("$")[3] if stored_hash.count("$") >= 4 else "?"

    rows = [
        _row("login success, staff (usual: due date already this month)", warm_staff, LOGIN_TARGET),
        _row("login success, pupil", warm_pupil, LOGIN_TARGET),
        _row("login success, staff, first sign-in after accepting the invitation", first_ever, None,
             "writes the inactivity due-date row and saves the login row" if _moves_due_date(first_ever[0])
             else "no due-date write: accepting the invitation already started this month's inactivity clock"),
        _row("login success, staff, first sign-in of a later month", month_later, None,
             "the due date moves forward at most once a month"),
        _row("login success, staff, second sign-in of that month", after_month, LOGIN_TARGET),
        _row("login failure, known account (wrong password)", known_fail, None,
             f"same for each of the first {lockout.FREE_FAILURES - 1} failures"),
        _row("login success after failures (clears the count)", clears, None),
        _row("login refused, known account locked", locked, None, "no Argon2 verification"),
        _row("login failure, unknown name (first attempt)", unknown, None),
        _row("login failure, unknown name (repeat attempt)", unknown_again, None),
        Row("Argon2 parameters (settings)",
            f"m={settings.argon2_memory_kib} KiB, t={settings.argon2_time_cost}, p={settings.argon2_parallelism}",
            "", f"argon2id; stored hashes carry {hash_params}; hasher in use m={in_use.memory_cost}, "
                f"t={in_use.time_cost}, p={in_use.parallelism}"),
        Row("login latency p50 (staff, success)", login_p50, "ms",
            f"p95 {login_p95:.1f} ms; {len(login_s)} sequential sign-ins"),
        Row("bare argon2 verify p50 (match)", verify_p50, "ms",
            f"p95 {verify_p95:.1f} ms; mismatch p50 {mismatch_p50:.1f} ms; same hash, same parameters"),
        Row("login minus verify, p50", login_p50 - verify_p50, "ms",
            f"the sign-in's own cost: {warm_staff[0].total} storage requests, JWT, refresh token; "
            f"Argon2 is {verify_p50 / login_p50:.0%} of a sign-in"),
        Row("raw SDK, the same 3 round trips, p50", raw.p50_ms, "ms",
            f"p95 {raw.p95_ms:.1f} ms; bench.floor: 1 point read + 1 transaction of 2 + 1 insert, "
            f"{LOGIN_SAMPLES} sequential ops; what the non-Argon2 part of a sign-in is measured against"),
    ]
    notes = (
        "Accounts are made through the services: `create_school_staff` then `accept_invitation` for staff "
        "(school staff: trust admins and CU managers also give a code, a second step); a pupil "
        "comes from `sync_school` and gets a password from `reset_password` (Trust caller). Requests are counted "
        "with `request_counter.measure()` around `identity.service.login` (no HTTP layer); each count is taken "
        f"{COUNT_REPEATS} times and must agree (VARIES otherwise).\n\n"
        "Success path: one point read of the login row (hash, role, scope, lockout state), one entity-group "
        "transaction creating the refresh-token family and its first token, one audit insert. Staff also move "
        "their inactivity due date (`due` table upsert + login row save under its ETag) on their first sign-in "
        "of a calendar month, unless account creation or invitation acceptance already set this month's; a "
        "later month is reached by moving the service clock (`clock_moved`). A wrong "
        "password reads the login row, saves the failure count under its ETag and writes an audit entry. An "
        "unknown name reads the login row (absent), reads the per-day throttle row, verifies the dummy hash so "
        "the answer takes as long as for a real account, reads the throttle row again, upserts it and writes "
        "an audit entry.\n\n"
        "Latency: sequential successful staff sign-ins against Azurite, each followed by a bare "
        "`argon2.PasswordHasher.verify` of the same stored hash with the same parameters (and a mismatching "
        "one), so both see the same machine load. The parameters are read from settings (`ARGON2_*`, "
        "defaults: OWASP m=19 MiB, t=2, p=1); the stored hash's own parameters are shown to prove they are "
        "what was used. The raw-SDK row sends the same three round trips with bare `azure-data-tables` "
        "(`bench.floor.raw_transaction_rate`), so *login minus verify* can be read against it."
    )
    return Result(rows, notes)
