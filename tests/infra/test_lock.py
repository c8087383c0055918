"""requirements.lock is requirements.txt fully resolved, with hashes, and it is what deploys and what the tests run on.

requirements.txt stays the short list of direct pins people edit; `make lock` regenerates the lock from it.
Nothing here reaches the network: the checks compare the two files and the installed packages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "requirements.lock does not match requirements.txt: run `make lock` and commit requirements.lock"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_pins(path: Path = ROOT / "requirements.txt") -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)", line)
        assert match, f"requirements.txt pins exact versions only: {line!r}"
        pins[normalise(match.group(1))] = match.group(2)
    return pins


@dataclass
class Locked:
    version: str
    hashes: list[str] = field(default_factory=list)
    via: set[str] = field(default_factory=set)


def locked(path: Path = ROOT / "requirements.lock") -> dict[str, Locked]:
    entries: dict[str, Locked] = {}
    current: Locked | None = None
    via_block = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", raw)
        if pin:
            current = entries.setdefault(normalise(pin.group(1)), Locked(pin.group(2)))
            via_block = False
        if current is None:
            continue
        current.hashes += re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        # uv writes "# via x" on one line, or "# via" followed by one "#   x" line per parent.
        via = re.match(r"^#\s+via\s*(.*)$", line)
        if via:
            via_block = True
            if via.group(1):
                current.via.add(via.group(1).strip())
        elif via_block and re.match(r"^#\s+\S", line):
            current.via.add(line.lstrip("#").strip())
    return entries


def test_every_direct_pin_is_locked_at_its_version():
    lock = locked()

    mismatched = {
        name: (version, lock[name].version if name in lock else None)
        for name, version in direct_pins().items()
        if name not in lock or lock[name].version != version
    }

    assert mismatched == {}, f"{REGENERATE} (requirements.txt vs lock: {mismatched})"


def test_the_lock_names_no_direct_requirement_that_requirements_txt_dropped():
    from_requirements = {name for name, entry in locked().items() if "-r requirements.txt" in entry.via}

    assert from_requirements == set(direct_pins()), f"{REGENERATE} (stale: {from_requirements ^ set(direct_pins())})"


def test_every_locked_package_is_needed_by_requirements_txt():
    lock = locked()
    needed, frontier = set(), [name for name, entry in lock.items() if "-r requirements.txt" in entry.via]
    dependants = {name: {normalise(parent) for parent in entry.via if not parent.startswith("-r")} for name, entry in
                  lock.items()}
    while frontier:
        name = frontier.pop()
        if name in needed:
            continue
        needed.add(name)
        frontier += [child for child, parents in dependants.items() if name in parents]

    assert set(lock) - needed == set(), f"{REGENERATE} (left over: {sorted(set(lock) - needed)})"


def test_every_locked_package_carries_hashes_and_an_exact_version():
    lock = locked()

    assert len(lock) > len(direct_pins()), "the lock must hold the transitive packages too"
    assert all(entry.hashes for entry in lock.values()), [name for name, entry in lock.items() if not entry.hashes]
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", entry.version) for entry in lock.values())


def test_the_lock_says_how_to_regenerate_it():
    header = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[:3]

    assert any("make lock" in line for line in header)
    assert "lock:" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_tests_run_on_exactly_the_locked_runtime_packages():
    drift = {}
    for name, entry in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != entry.version:
            drift[name] = (entry.version, installed)

    assert drift == {}, f"installed packages differ from requirements.lock (locked, installed): {drift}; `make deps`"


def test_the_lock_parser_reads_single_and_multi_line_parents(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# header\n"
        "a-pkg==1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements.txt\n"
        "b_pkg==2.0 \\\n    --hash=sha256:" + "b" * 64 + "\n    # via\n    #   a-pkg\n    #   c-pkg\n"
    )

    entries = locked(lock)

    assert entries["a-pkg"].via == {"-r requirements.txt"}
    assert entries["b-pkg"].via == {"a-pkg", "c-pkg"} and entries["b-pkg"].version == "2.0"
