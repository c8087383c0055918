"""Small builders shared by the roster unit tests."""

from __future__ import annotations

from datetime import date

from shared.roster import DobPolicy, ParsedRoster, parse_csv
from tests.data.synthetic import make_upn

TODAY = date(2025, 3, 1)
HEADER = "Surname,Forename,DOB,Gender,UPN"


def upn(serial: int, *, temporary: bool = False) -> str:
    return make_upn(873, 2104, 2019, serial, temporary=temporary)


def parse_text(
    text: str, *, encoding: str = "utf-8", today: date = TODAY, dob_policy: DobPolicy = DobPolicy.EXACT
) -> ParsedRoster:
    return parse_csv(text.encode(encoding), today=today, max_bytes=1_000_000, dob_policy=dob_policy)


def roster(*rows: str, header: str = HEADER, **kwargs) -> ParsedRoster:
    """Parse a CSV made of `header` and `rows`, one line each."""
    return parse_text("\n".join((header, *rows)) + "\n", **kwargs)


def messages(result: ParsedRoster) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.field, e.message) for e in result.errors]


def fields_in_error(result: ParsedRoster) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.field) for e in result.errors]
