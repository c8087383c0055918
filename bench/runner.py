"""`python -m bench [name-or-issue ...]`: one in-memory Azurite for the whole run, the selected benchmarks,
a console table, and RESULTS.md with only the selected sections rewritten."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.harness import REGISTRY, BenchContext, Benchmark, prepare_environment, reset_app_state
from bench.report import TITLE, Section, compose, console_table, merge_sections, section_body

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def load_cases() -> None:
    """Import every module of bench.cases so its @benchmark functions register themselves."""
    import bench.cases

    for module in sorted(pkgutil.iter_modules(bench.cases.__path__), key=lambda m: m.name):
        importlib.import_module(f"bench.cases.{module.name}")


def cpu_count() -> int:
    # What `nproc` reports: the CPUs this process may run on, which a container can limit below the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def azurite_version() -> str:
    try:
        return json.loads((ROOT / "node_modules" / "azurite" / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    # Other processes on a 2-core machine move wall-clock figures; the load at the start says how busy it was.
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def select(requested: Sequence[str]) -> list[Benchmark]:
    """Benchmarks named on the command line, by name or by issue; all of them when none is named."""
    if not requested:
        return list(REGISTRY.values())
    issues = {b.issue for b in REGISTRY.values()}
    unknown = [r for r in requested if r not in REGISTRY and r not in issues]
    if unknown:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise SystemExit(f"unknown benchmark or issue: {', '.join(unknown)} (benchmarks: {known})")
    return [b for b in REGISTRY.values() if b.name in requested or b.issue in requested]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark names or issues (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    # Before any case module can import app code that reads settings.
    prepare_environment()
    load_cases()
    if args.list:
        for b in REGISTRY.values():
            print(f"{b.name:24} {b.issue:16} {b.title}")
        return 0
    selected = select(args.names)

    from devhost import azurite as launcher

    nproc = cpu_count()
    python = platform.python_version()
    az_version = azurite_version()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"bench: {len(selected)} benchmark(s) · {nproc} CPUs · Python {python} · Azurite {az_version}", flush=True)

    fresh: list[Section] = []
    failed: list[str] = []
    with launcher.running() as azurite:
        for chosen in selected:
            # Each benchmark starts from cold app state: settings re-read, process-wide storage rebuilt.
            reset_app_state(azurite.connection_string)
            ctx = BenchContext(connection_string=azurite.connection_string, azurite_version=az_version)
            load = load_average()
            clock = time.perf_counter()
            try:
                result = chosen(ctx)
            except Exception:
                traceback.print_exc()
                failed.append(chosen.name)
                print(f"bench: {chosen.name} FAILED; its section in RESULTS.md is left as it was", flush=True)
                continue
            took = time.perf_counter() - clock
            print("\n" + console_table(f"== {chosen.name}: {chosen.title} ({took:.1f} s)", result.rows), flush=True)
            stamp = (
                f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} · {nproc} CPUs · Python {python}"
                f" · Azurite {az_version} · load {load} at start · took {took:.1f} s"
            )
            body = section_body(chosen.title, chosen.name, stamp, result.rows, result.notes)
            fresh.append(Section(chosen.name, chosen.issue, body))

    header = "\n\n".join(
        (
            TITLE,
            "Written by `make bench` (`python -m bench [name-or-issue ...]`). A run rewrites only the sections of "
            "the benchmarks it ran, so sections may come from different runs: each carries its own stamp. "
            "Throughput is a ratio against the raw SDK on the same Azurite in the same run; storage requests "
            "per operation are exact counts.",
            f"- Last run: {started_at} ({', '.join(b.name for b in selected) or 'nothing selected'})\n"
            f"- Machine: {nproc} CPUs (nproc) · {cpu_model()} · {platform.system()} {platform.machine()}\n"
            f"- Python {python} ({sys.implementation.name}) · Azurite {az_version} (in memory) · "
            f"azure-data-tables {package_version('azure-data-tables')} · azure-core {package_version('azure-core')}",
        )
    )
    existing = RESULTS.read_text() if RESULTS.exists() else ""
    RESULTS.write_text(compose(header, merge_sections(existing, fresh, order=list(REGISTRY))))
    print(f"\nbench: wrote {RESULTS.relative_to(ROOT)}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
