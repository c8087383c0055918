"""Platform baselines: cold-start import cost, the raw-SDK floor on Azurite, and GET /api/health."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from azure.data.tables import TableClient

from bench.floor import (
    BATCH_SIZE,
    CONCURRENT_READS,
    CONCURRENT_THREADS,
    READ_SEED_ROWS,
    SEQUENTIAL_READS,
    UPSERT_ROWS,
    standard_floors,
)
from bench.floor import REPEATS as FLOOR_REPEATS
from bench.harness import (
    BenchContext,
    Result,
    Row,
    Throughput,
    benchmark,
    compare,
    count_requests,
    describe_kinds,
    run_concurrently,
)
from bench.import_probe import PLATFORM_FLOOR

ROOT = Path(__file__).resolve().parents[2]

# Sizes: the whole platform issue stays well under two minutes on 2 cores.
IMPORT_RUNS = 7  # subprocesses per kind (function_app, platform floor, deps only, uncached); medians reported
PROBE_TIMEOUT_S = 120
HEALTH_OPS = 200  # sequential calls per measured run
HEALTH_REPEATS = 5  # paired runs app vs raw SDK (ABBA), median ratio
HEALTH_WARM_CALLS = 5  # request counts of warm calls, all of which must agree


# --- (a) cold start ------------------------------------------------------------------------------------

# Bytecode goes to caches of the benchmark's own (git-ignored) rather than __pycache__ beside the sources,
# so the run controls what is compiled whatever PYTHONDONTWRITEBYTECODE says in the caller's shell.
WORK = ROOT / "bench" / ".work"
PYCACHE_ALL = WORK / "pycache-all"  # everything compiled
PYCACHE_DEPS = WORK / "pycache-deps"  # the same without the project's own modules
OWN_SOURCES = ("function_app.py", "functions", "shared")


def _probe(mode: str, stdin: str = "", *, pycache: Path = PYCACHE_ALL, write_bytecode: bool = False) -> dict:
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(pycache)}
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.import_probe", mode],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"import probe '{mode}' failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _cache_without_own_bytecode() -> None:
    """PYCACHE_DEPS: a copy of PYCACHE_ALL minus the project's modules, as a package shipped without
    __pycache__ (see .funcignore) on a read-only mount would run: dependencies compiled, our code not."""
    shutil.rmtree(PYCACHE_DEPS, ignore_errors=True)
    shutil.copytree(PYCACHE_ALL, PYCACHE_DEPS)
    mirror = PYCACHE_DEPS / ROOT.relative_to(ROOT.anchor)
    for name in OWN_SOURCES:
        if (mirror / name).is_dir():
            shutil.rmtree(mirror / name)
        for pyc in mirror.glob(f"{Path(name).stem}.*.pyc"):
            pyc.unlink()


def _ms(runs: list[dict], key: str = "seconds") -> list[float]:
    return [r[key] * 1000 for r in runs]


def _spread(runs: list[dict]) -> str:
    wall, cpu = _ms(runs), _ms(runs, "cpu_seconds")
    return (
        f"median of {len(wall)} subprocesses (min {min(wall):.0f}, max {max(wall):.0f}); "
        f"CPU time {statistics.median(cpu):.0f} ms"
    )


@benchmark("cold_start", issue="platform", title="Cold start: importing function_app")
def cold_start(ctx: BenchContext) -> Result:
    # Discovery also compiles every module it imports, so the timed runs start from warm bytecode.
    discovered = _probe("discover", write_bytecode=True)
    modules: list[str] = discovered["modules"]
    deps_stdin = "\n".join(modules)
    packages = sorted({m.partition(".")[0] for m in modules})
    _cache_without_own_bytecode()

    probes = {
        "app": lambda: _probe("app"),
        "floor": lambda: _probe("floor"),
        "deps": lambda: _probe("deps", deps_stdin),
        "uncached": lambda: _probe("app", pycache=PYCACHE_DEPS),
    }
    runs: dict[str, list[dict]] = {mode: [] for mode in probes}
    order = list(probes)
    for n in range(IMPORT_RUNS):
        # The kinds run side by side, rotating who goes first, so load from another process lands on all of
        # them alike rather than on whichever happened to run during that stretch.
        for mode in order[n % len(order) :] + order[: n % len(order)]:
            runs[mode].append(probes[mode]())

    wall = {mode: statistics.median(_ms(r)) for mode, r in runs.items()}
    cpu = {mode: statistics.median(_ms(r, "cpu_seconds")) for mode, r in runs.items()}
    best = {mode: min(_ms(r)) for mode, r in runs.items()}
    probed = [discovered, *runs["app"], *runs["uncached"]]
    network = max(len(r["patched_calls"]) for r in probed)
    audited = max(len(r["audited_events"]) for r in probed)
    deps_failed = sorted({name for r in runs["deps"] for name in r["failed"]})

    floor_ratio = cpu["app"] / cpu["floor"]
    rows = [
        Row("import function_app", wall["app"], "ms", _spread(runs["app"])),
        Row("import the platform floor", wall["floor"], "ms",
            _spread(runs["floor"]) + "; " + ", ".join(f"`{m}`" for m in PLATFORM_FLOOR)),
        Row("ratio function_app / platform floor, CPU time", floor_ratio, "×",
            f"target ≤ 1.2: {'met' if floor_ratio <= 1.2 else 'NOT MET'}; wall clock {wall['app'] / wall['floor']:.2f}×"
            f"; best-of {best['app'] / best['floor']:.2f}×; bytecode cached, as the deployed package starts"),
        Row("import its third-party deps only", wall["deps"], "ms", _spread(runs["deps"])),
        Row("our code's share (function_app − deps), wall clock", wall["app"] - wall["deps"], "ms",
            f"difference of medians; best-of {best['app'] - best['deps']:.0f} ms"),
        Row("our code's share, CPU time", cpu["app"] - cpu["deps"], "ms",
            "difference of medians of process_time: steadier than wall clock on a busy machine"),
        Row("ratio function_app / deps", wall["app"] / wall["deps"], "×",
            f"wall clock; CPU time {cpu['app'] / cpu['deps']:.2f}×; 1.00 = our code costs nothing"),
        Row("import function_app, our bytecode not cached", wall["uncached"], "ms",
            _spread(runs["uncached"]) + "; deps' bytecode cached"),
        Row("our code's share, bytecode not cached, wall clock", wall["uncached"] - wall["deps"], "ms",
            f"difference of medians; best-of {best['uncached'] - best['deps']:.0f} ms"),
        Row("our code's share, bytecode not cached, CPU time", cpu["uncached"] - cpu["deps"], "ms",
            "includes compiling functions/, shared/ and function_app.py"),
        Row("third-party modules loaded", len(modules), "modules", f"from {len(packages)} top-level packages"),
        Row("network calls at import (patched socket API)", network, "calls",
            "must be 0" + ("" if network == 0 else " — FAILS")),
        Row("socket audit events at import", audited, "events", "must be 0" + ("" if audited == 0 else " — FAILS")),
    ]
    if deps_failed:
        rows.append(Row("deps that failed to import alone", len(deps_failed), "modules", ", ".join(deps_failed[:5])))
    notes = (
        "Each figure comes from fresh interpreters (`python -m bench.import_probe app|deps`) timing only the "
        "`import`, so interpreter start-up is excluded. *Deps* imports, in their original load order, every "
        "third-party module (submodules included) that importing `function_app` loaded, found by diffing "
        "`sys.modules` around that import, minus the standard library and the project's own packages "
        "(`function_app`, `functions/`, `shared/`). Top-level packages alone would undercount: `azure` is a "
        "namespace package and pydantic loads lazily. Our share also holds the stdlib modules only our code "
        "pulls in and module-level work (pydantic model building, route registration).\n\n"
        "Bytecode comes from `bench/.work/pycache-*` (`PYTHONPYCACHEPREFIX`), compiled by a discovery run; "
        "*not cached* drops only the project's bytecode, as a package deployed without `__pycache__` "
        "(`.funcignore`) onto a read-only mount would start. The three kinds of run are interleaved. Wall "
        "clock (`perf_counter`) is what a cold start waits; CPU time (`process_time`) is what the import "
        "itself costs and is barely moved by other processes, so when the two disagree (or best-of "
        "disagrees with the median) the machine was busy: trust the CPU-time share.\n\n"
        "Network calls are refused and counted by patching `socket.socket.connect`, `connect_ex`, "
        "`socket.create_connection` and `socket.getaddrinfo`, and cross-checked with an audit hook on the "
        "interpreter's socket events.\n\n"
        f"Third-party packages loaded: {', '.join(f'`{p}`' for p in packages)}."
    )
    return Result(rows, notes)


# --- (b) raw SDK floor ---------------------------------------------------------------------------------


@benchmark("azurite_floor", issue="platform", title="Raw SDK floor on Azurite (bare azure-data-tables)")
def azurite_floor(ctx: BenchContext) -> Result:
    floors = standard_floors(ctx.connection_string)
    upsert, seq, conc = floors.batched_upsert, floors.point_reads, floors.point_reads_concurrent
    rows = [
        Row("batched upsert", upsert.rows_per_second, "rows/s",
            f"{BATCH_SIZE}-entity transactions, one partition, {UPSERT_ROWS:,} rows per run"),
        Row("batched upsert, one transaction p50", upsert.transactions.p50_ms, "ms",
            f"p95 {upsert.transactions.p95_ms:.1f} ms"),
        Row("point reads, sequential", seq.per_second, "reads/s", f"{SEQUENTIAL_READS} reads per run"),
        Row("point read latency p50 / p95, sequential", f"{seq.p50_ms:.2f} / {seq.p95_ms:.2f}", "ms"),
        Row(f"point reads, {CONCURRENT_THREADS} threads", conc.per_second, "reads/s",
            f"{CONCURRENT_READS} reads per run, one shared client"),
        Row(f"point read latency p50 / p95, {CONCURRENT_THREADS} threads",
            f"{conc.p50_ms:.2f} / {conc.p95_ms:.2f}", "ms"),
        Row(f"scaling {CONCURRENT_THREADS} threads / sequential", floors.concurrency_scaling, "×",
            "median of paired runs; client and emulator share the machine's cores"),
    ]
    notes = (
        f"Median of {FLOOR_REPEATS} runs each, `bench.floor` only: `TableClient.from_connection_string`, no "
        "project code, no retry or hook settings. Entities carry eight short string properties (a roster "
        f"row); reads cycle through {READ_SEED_ROWS} entities of one partition. Other benchmarks report their "
        "throughput as a ratio to these figures (`standard_floors`) or pair runs with the floor functions "
        "(`bench.harness.compare`)."
    )
    return Result(rows, notes)


# --- (c) GET /api/health -------------------------------------------------------------------------------


@benchmark("health", issue="platform", title="GET /api/health through the app")
def health(ctx: BenchContext) -> Result:
    import azure.functions as func

    from devhost.routing import http_routes, resolve, route_prefix
    from function_app import app
    from shared.storage.names import SCHOOLS

    path = "/api/health"
    route, route_params, _ = resolve(http_routes(app, route_prefix(ROOT / "host.json")), "GET", path)
    if route is None:
        raise RuntimeError(f"no function of the app serves GET {path}")

    def call() -> None:
        req = func.HttpRequest(
            method="GET", url=f"http://127.0.0.1:7071{path}", headers={}, params={}, route_params=route_params,
            body=b"",
        )
        resp = route.handler(req)
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path} answered {resp.status_code}: {resp.get_body()[:200]!r}")

    # The runner reset the process-wide storage, so the first call also creates every table and container.
    _, cold = count_requests(call)
    warm = [count_requests(call)[1] for _ in range(HEALTH_WARM_CALLS)]
    warm_totals = {t.total for t in warm}
    warm_total = warm[0].total

    # The baseline sends the very same request (first page of one entity) with the bare SDK.
    raw = TableClient.from_connection_string(ctx.connection_string, table_name=SCHOOLS)

    def raw_call(_: int) -> None:
        next(iter(raw.list_entities(results_per_page=1, select=["RowKey"]).by_page()), None)

    def app_run() -> Throughput:
        return run_concurrently(lambda _: call(), ops=HEALTH_OPS)

    def raw_run() -> Throughput:
        return run_concurrently(raw_call, ops=HEALTH_OPS)

    raw_run()  # warm the raw client's connection pool, as the app's already is
    paired = compare(app_run, raw_run, repeats=HEALTH_REPEATS)

    rows = [
        Row("storage requests, first call (cold process)", cold.total, "requests",
            f"{describe_kinds(cold)} — creates every table and container once"),
        Row("storage requests, warm call", warm_total, "requests",
            ("expected 1" if warm_totals == {1} else f"EXPECTED 1; saw {sorted(warm_totals)}")
            + f"; {describe_kinds(warm[0])}"),
        Row("health calls, sequential", paired.candidate.per_second, "calls/s",
            f"p50 {paired.candidate.p50_ms:.2f} ms, p95 {paired.candidate.p95_ms:.2f} ms"),
        Row("raw SDK, same query, sequential", paired.baseline.per_second, "calls/s",
            f"p50 {paired.baseline.p50_ms:.2f} ms, p95 {paired.baseline.p95_ms:.2f} ms"),
        Row("throughput ratio app / raw SDK", paired.ratio, "×",
            f"median of {HEALTH_REPEATS} paired runs: " + ", ".join(f"{r:.2f}" for r in paired.ratios)),
    ]
    notes = (
        "The user function registered for `health` (found with `devhost.routing`) is called with a real "
        "`azure.functions.HttpRequest`, as the functions tests do; storage requests are counted with "
        "`request_counter.measure()`. The ratio compares the whole app path (HTTP adapter, correlation id, "
        "pydantic rendering, counting hook) with the bare SDK sending the same single request; both send "
        f"exactly one request per call, so the gap is our per-request overhead. {HEALTH_OPS} calls per run."
    )
    return Result(rows, notes)
