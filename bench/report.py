"""RESULTS.md and the console table: rendering, and rewriting only the sections of the benchmarks that ran.

Each benchmark's section sits between stable HTML-comment markers naming the benchmark and its issue, so
a partial run (`python -m bench cold_start`) replaces that section and keeps every other one verbatim.
Issue headings are not stored: they are regenerated from the markers on every write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bench.harness import Row

TITLE = "# Benchmark results"
_BEGIN = '<!-- bench:begin {name} issue="{issue}" -->'
_END = "<!-- bench:end {name} -->"
_SECTION = re.compile(
    r'^<!-- bench:begin (?P<name>\S+) issue="(?P<issue>[^"]*)" -->\n(?P<body>.*?)^<!-- bench:end (?P=name) -->$',
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Section:
    name: str
    issue: str
    body: str

    def render(self) -> str:
        return "\n".join(
            (_BEGIN.format(name=self.name, issue=self.issue), self.body.strip("\n"), _END.format(name=self.name))
        )


def parse_sections(text: str) -> list[Section]:
    return [Section(m["name"], m["issue"], m["body"]) for m in _SECTION.finditer(text)]


def merge_sections(existing: str, fresh: Sequence[Section], order: Sequence[str]) -> list[Section]:
    """Every section of `existing`, with those named in `fresh` replaced or added, in registry `order`.

    Sections of benchmarks that are no longer registered are kept (after the known ones) rather than
    silently dropped: deleting a measurement should be a deliberate edit.
    """
    by_name = {s.name: s for s in parse_sections(existing)}
    by_name.update({s.name: s for s in fresh})
    rank = {name: i for i, name in enumerate(order)}
    seen = {name: i for i, name in enumerate(by_name)}
    return [by_name[n] for n in sorted(by_name, key=lambda n: (rank.get(n, len(rank)), seen[n]))]


def compose(header: str, sections: Sequence[Section]) -> str:
    """The whole file: header, then sections grouped under one heading per issue (first-seen order)."""
    issues: dict[str, list[Section]] = {}
    for section in sections:
        issues.setdefault(section.issue, []).append(section)
    parts = [header.strip("\n")]
    for issue, members in issues.items():
        parts.append(f"## Issue: {issue}")
        parts.extend(s.render() for s in members)
    return "\n\n".join(parts) + "\n"


def format_value(value: float | int | str) -> str:
    """Integers as counted; floats with about three significant figures, never in scientific notation."""
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| metric | value | unit | note |", "| --- | ---: | --- | --- |"]
    lines += [
        f"| {_cell(r.metric)} | {_cell(format_value(r.value))} | {_cell(r.unit)} | {_cell(r.note)} |" for r in rows
    ]
    return "\n".join(lines)


def section_body(title: str, name: str, stamp: str, rows: Sequence[Row], notes: str) -> str:
    parts = [f"### {title} (`{name}`)", f"_{stamp}_", markdown_table(rows)]
    if notes.strip():
        parts.append(notes.strip())
    return "\n\n".join(parts)


def console_table(title: str, rows: Sequence[Row]) -> str:
    cells = [(r.metric, format_value(r.value), r.unit, r.note) for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(("metric", "value", "unit", "note"))]

    def line(metric: str, value: str, unit: str, note: str) -> str:
        return "  ".join(
            (metric.ljust(widths[0]), value.rjust(widths[1]), unit.ljust(widths[2]), note)
        ).rstrip()

    out = [title, line("metric", "value", "unit", "note"), line(*("-" * w for w in widths[:3]), "-" * 4)]
    out += [line(*c) for c in cells]
    return "\n".join(out)
