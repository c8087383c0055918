"""Read an MIS export or an API pupil list into validated pupil records (pure: no I/O, no storage).

Data minimisation happens here, before anything else sees a row: only the cells of the five kept fields
are taken out of each row as it streams past, the row is then let go, and every other column is named in
the report by its header. No dropped value outlives the row it came in.

Row numbers in records and errors are data-row numbers: 1 is the first record under the header row
(blank lines and non-pupil OneRoster users keep their numbers, so "row 12" is always the twelfth line of
data a spreadsheet shows under the header); for JSON, 1 is the first item of `pupils`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TypeVar

from shared.errors import FieldError
from shared.organisation.model import DobPolicy
from shared.roster import columns, rules
from shared.roster.columns import DATE_OF_BIRTH, FIELD_LABELS, FIRST_NAME, GENDER, LAST_NAME, ROLE, UPN
from shared.roster.decoding import decode_roster
from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.model import MAX_AGE, MIN_AGE, ParsedRoster, PupilRecord, RejectedRow

# A title or "sep=;" line may sit above the header in hand-saved exports; further down, it is not a header.
MAX_PREAMBLE_LINES = 10
DELIMITERS = (",", ";", "\t")
# OneRoster's role for pupils, plus the words other exports use for the same thing.
PUPIL_ROLES = frozenset({"student", "pupil", "learner"})

_HEADER_EXAMPLES = {
    FIRST_NAME: "'Forename', 'First Name', 'Preferred Forename' or 'givenName'",
    LAST_NAME: "'Surname', 'Last Name', 'Legal Surname' or 'familyName'",
    DATE_OF_BIRTH: "'Date of Birth', 'DOB' or 'birthDate'",
    GENDER: "'Gender' or 'Sex'",
}
_ONEROSTER_HINT = (
    " This looks like a OneRoster users.csv: OneRoster keeps birthDate and sex in demographics.csv, so add"
    " those columns to users.csv (matched by sourcedId) before uploading."
)
_OVERFLOW = "row has more values than the header has columns: a value may contain an unquoted delimiter"
_T = TypeVar("_T")


class _RowChecker:
    """Validates one row at a time and remembers only what cross-row rules need (UPNs and match keys)."""

    def __init__(self, result: ParsedRoster, today: date, dob_policy: DobPolicy) -> None:
        self.result = result
        self.today = today
        self.dob_policy = dob_policy
        self.upn_rows: dict[str, int] = {}
        self.pupil_rows: dict[str, tuple[int, str | None]] = {}
        self.order = rules.DateOrder.DAY_FIRST
        self.two_digit_years = 0

    def decide_date_order(self, dates: Iterable[str]) -> None:
        """Read every date of the file before any row: the order is the file's, not the row's."""
        self.order = rules.date_order_of(dates)
        self.result.date_order = self.order.value

    def finish(self) -> None:
        if self.two_digit_years:
            self.result.warnings.append(FieldError(
                field=DATE_OF_BIRTH,
                message=f"{self.two_digit_years} dates of birth had a two-digit year; the century was taken"
                        f" from the programme's age range ({MIN_AGE} to {MAX_AGE})",
            ))

    def check(self, row: int, raw: Mapping[str, str], *, problems: Sequence[FieldError] = ()) -> bool:
        """Append a record or the row's errors to the result; True when the row was accepted.

        `problems` are errors the caller already found; a field named in one is not checked again, so a
        value of the wrong type is reported once rather than also as missing.
        """
        errors = list(problems)
        reported = {problem.field for problem in problems}

        def value(field: str, parse: Callable[[str], _T]) -> _T | None:
            if field in reported:
                return None
            try:
                return parse(raw.get(field, ""))
            except ValueError as exc:
                message = "is required" if str(exc) == "is blank" else str(exc)
                errors.append(FieldError(message=f"{FIELD_LABELS[field]} {message}", field=field, row=row))
                return None

        first_name = value(FIRST_NAME, rules.clean_name)
        last_name = value(LAST_NAME, rules.clean_name)
        dob = value(DATE_OF_BIRTH, self._date_of_birth)
        gender = value(GENDER, rules.parse_gender)
        upn = self._optional_upn(row, raw.get(UPN, "")) if UPN not in reported else None
        if upn is not None:
            # Every well-formed UPN is remembered, even on a rejected row: the file holds it twice either
            # way, and we cannot tell which row is right.
            first_row = self.upn_rows.setdefault(upn, row)
            if first_row != row:
                errors.append(FieldError(message=f"UPN is the same as the UPN on row {first_row}", field=UPN, row=row))

        if errors or first_name is None or last_name is None or dob is None or gender is None:
            self.result.errors.extend(errors)
            self._remember_rejected(row, upn, first_name, last_name, dob)
            return False
        key = rules.match_key(first_name, last_name, dob)
        earlier = self.pupil_rows.get(key)
        # Two rows with one name and birthday are one child listed twice, unless DfE says otherwise by
        # giving them different UPNs.
        if earlier is not None and (earlier[1] is None or upn is None):
            message = f"the same pupil (name and date of birth) is already on row {earlier[0]}"
            self.result.errors.append(FieldError(message=message, row=row))
            self._remember_rejected(row, upn, first_name, last_name, dob)
            return False
        self.pupil_rows.setdefault(key, (row, upn))
        self.result.records.append(
            PupilRecord(
                row=row,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=rules.apply_dob_policy(dob, self.dob_policy),
                gender=gender,
                upn=upn,
                cohort=rules.cohort_of(dob),
            )
        )
        return True

    def _remember_rejected(
        self, row: int, upn: str | None, first_name: str | None, last_name: str | None, dob: date | None
    ) -> None:
        key = None
        if first_name is not None and last_name is not None and dob is not None:
            # Keyed like the stored pupils (after the school's date-of-birth policy), so they compare.
            key = rules.match_key(first_name, last_name, rules.apply_dob_policy(dob, self.dob_policy))
        if upn is not None or key is not None:
            self.result.rejected.append(RejectedRow(row=row, upn=upn, match_key=key))

    def _optional_upn(self, row: int, text: str) -> str | None:
        # The UPN is optional: a pupil whose UPN is wrong loads without it, and the report says so.
        try:
            return rules.clean_upn(text)
        except ValueError as exc:
            self.result.warnings.append(FieldError(
                message=f"UPN {exc}; the pupil was loaded without a UPN", field=UPN, row=row))
            return None

    def _date_of_birth(self, text: str) -> date:
        if not text.strip():
            raise ValueError("is blank")
        dob, two_digit = rules.read_date(text, self.order, self.today)
        self.two_digit_years += two_digit
        if dob > self.today:
            raise ValueError("is in the future")
        if not MIN_AGE <= rules.age_on(dob, self.today) <= MAX_AGE:
            raise ValueError(f"gives an age outside the programme's range of {MIN_AGE} to {MAX_AGE}")
        return dob


# --- CSV ---------------------------------------------------------------------------------------------------


def _single_line_cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])


def _find_header(stream: io.StringIO) -> tuple[str, columns.ColumnPlan]:
    """Leave `stream` just after the header line; return its delimiter and column plan.

    The delimiter is whichever of comma, semicolon and tab turns a line into a header we recognise,
    trying the most frequent first, so a comma inside a semicolon file's title line does not mislead.
    """
    best: columns.ColumnPlan | None = None
    seen = 0
    while seen < MAX_PREAMBLE_LINES:
        line = stream.readline()
        if not line:
            break
        if not line.strip():
            continue
        seen += 1
        for delimiter in sorted(DELIMITERS, key=line.count, reverse=True):
            plan = columns.plan_columns(_single_line_cells(line, delimiter))
            if not plan.missing:
                return delimiter, plan
            if best is None or len(plan.missing) < len(best.missing):
                best = plan
    if best is None:
        raise RosterUnreadable("The file is empty.")
    missing = best.missing
    detail = "The file has no " + " and no ".join(f"{FIELD_LABELS[f]} column" for f in missing) + "."
    detail += " Expected headers such as " + "; ".join(_HEADER_EXAMPLES[f] for f in missing) + "."
    if DATE_OF_BIRTH in missing and ROLE in best.index and "sourcedid" in {columns.header_key(h) for h in best.dropped}:
        detail += _ONEROSTER_HINT
    errors = [FieldError(message=f"no {FIELD_LABELS[f]} column", field=f) for f in missing]
    raise RosterUnreadable(detail, errors=errors)


def _data_rows(stream: io.StringIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    # Strict: in lenient mode an unclosed quote silently swallows the rest of the file into one cell, and a
    # full sync would then mark every pupil after it as left.
    reader = csv.reader(stream, delimiter=delimiter, skipinitialspace=True, strict=True)
    row = 0
    try:
        for cells in reader:
            row += 1
            yield row, cells
    except csv.Error:
        # `from None`: the csv module's message can quote part of the offending line.
        raise RosterUnreadable(
            f"The file is not well-formed CSV at data row {row + 1}: a quoted value is never closed, is too long,"
            " or has text straight after its closing quote."
        ) from None


def _first_filled(cells: Sequence[str], positions: Sequence[int]) -> str:
    for position in positions:
        if position < len(cells) and cells[position].strip():
            return cells[position]
    return ""


def parse_csv(data: bytes, *, today: date, max_bytes: int, dob_policy: DobPolicy = DobPolicy.EXACT) -> ParsedRoster:
    """Validate an MIS export (SIMS, Arbor, Bromcom, Wonde, OneRoster users.csv, a hand-made spreadsheet).

    Raises RosterTooLarge over `max_bytes` (checked before decoding) and RosterUnreadable for a file that
    cannot be used at all: binary, empty, without name, date-of-birth or gender columns, broken quoting,
    or with no pupil rows (an empty full sync would mark every pupil as left). Anything wrong with a
    single row is a FieldError; the other rows still count.
    """
    if len(data) > max_bytes:
        raise RosterTooLarge(f"The file is larger than the limit of {max_bytes:,} bytes.")
    text = decode_roster(data)
    if not text.strip():
        raise RosterUnreadable("The file is empty.")
    stream = io.StringIO(text, newline="")
    del text  # the stream holds its own copy; the decoded string is not needed twice
    delimiter, plan = _find_header(stream)

    result = ParsedRoster(dropped_columns=list(plan.dropped), special_category_columns=list(plan.special))
    checker = _RowChecker(result, today, dob_policy)
    positions = {f: found for f, found in plan.index.items() if f != ROLE}
    role_at = plan.index[ROLE][0] if ROLE in plan.index else None
    unnamed_with_data: set[int] = set()

    # Only the kept fields of each row are held until every date has been seen (dates are decided per file).
    pending: list[tuple[int, dict[str, str], list[FieldError], bool]] = []
    for row, cells in _data_rows(stream, delimiter):
        if not any(cell.strip() for cell in cells):
            continue
        overflow = len(cells) > plan.width and any(cell.strip() for cell in cells[plan.width:])
        if plan.unnamed or overflow:
            unnamed_with_data.update(
                i for i, cell in enumerate(cells) if (i in plan.unnamed or i >= plan.width) and cell.strip()
            )
        problems: list[FieldError] = []
        if role_at is not None:
            role = cells[role_at].strip().casefold() if role_at < len(cells) else ""
            if role and role not in PUPIL_ROLES:
                result.skipped += 1
                continue
            if not role:
                problems.append(
                    FieldError(message="role is blank: only users with role 'student' are loaded", field=ROLE, row=row)
                )
        result.received += 1
        pending.append((row, {f: _first_filled(cells, found) for f, found in positions.items()}, problems, overflow))

    checker.decide_date_order(raw.get(DATE_OF_BIRTH, "") for _, raw, _, _ in pending)
    for row, raw, problems, overflow in pending:
        accepted = checker.check(row, raw, problems=problems)
        if overflow and not accepted:
            result.errors.append(FieldError(message=_OVERFLOW, row=row))
    checker.finish()

    for position in sorted(unnamed_with_data):
        result.dropped_columns.append(columns.unnamed_column(position))
    if result.received == 0:
        raise RosterUnreadable(
            "The file has a header but no pupil rows." if result.skipped == 0
            else "The file has no pupil rows: no user in it has the role 'student'."
        )
    return result


# --- Items: JSON pupils, Wonde students, OneRoster users --------------------------------------------------


def _choose(item: Mapping[str, object], plan: columns.ColumnPlan, row: int) -> tuple[dict[str, str], list[FieldError]]:
    """The kept fields of one item by the same header synonyms as CSV (best-ranked non-blank key wins)."""
    found: dict[str, list[tuple[int, str, object]]] = {}
    for key, value in item.items():
        recognised = columns.recognise(str(key))
        if recognised is None or recognised[0] == ROLE:
            plan.drop(str(key))
            continue
        found.setdefault(recognised[0], []).append((recognised[1], str(key), value))
    raw: dict[str, str] = {}
    problems: list[FieldError] = []
    for field, candidates in found.items():
        candidates.sort(key=lambda c: c[0])
        filled = [c for c in candidates if not (isinstance(c[2], str) and not c[2].strip()) and c[2] is not None]
        if not filled:
            continue
        value = filled[0][2]
        if isinstance(value, str):
            raw[field] = value
        else:
            problems.append(FieldError(message=f"{FIELD_LABELS[field]} must be a string", field=field, row=row))
    return raw, problems


def parse_items(
    items: Iterable[tuple[int, object]], *, today: date, dob_policy: DobPolicy = DobPolicy.EXACT,
    result: ParsedRoster | None = None,
) -> ParsedRoster:
    """Validate numbered pupil objects (JSON, Wonde, OneRoster) with the same rules as CSV rows.

    Keys are matched like CSV headers (`forename`, `legal_surname`, `DOB`...); every other key is dropped
    and reported by name. Dates are decided over all items before any is checked.
    """
    result = result or ParsedRoster()
    checker = _RowChecker(result, today, dob_policy)
    plan = columns.ColumnPlan(dropped=result.dropped_columns, special=result.special_category_columns)
    pending: list[tuple[int, dict[str, str], list[FieldError]]] = []
    for row, item in items:
        result.received += 1
        if not isinstance(item, dict):
            result.errors.append(FieldError(message="each pupil must be a JSON object", row=row))
            continue
        raw, problems = _choose(item, plan, row)
        pending.append((row, raw, problems))
    checker.decide_date_order(raw.get(DATE_OF_BIRTH, "") for _, raw, _ in pending)
    for row, raw, problems in pending:
        checker.check(row, raw, problems=problems)
    checker.finish()
    return result


def set_aside_leaving(result: ParsedRoster, rows: set[int]) -> None:
    """Move the rows the file marks as leaving out of the records: they identify pupils to mark left."""
    if not rows:
        return
    for record in result.records:
        if record.row in rows:
            result.leaving.append(RejectedRow(row=record.row, upn=record.upn, match_key=rules.match_key(
                record.first_name, record.last_name, record.date_of_birth)))
    result.leaving += [r for r in result.rejected if r.row in rows]
    result.records = [r for r in result.records if r.row not in rows]
    result.rejected = [r for r in result.rejected if r.row not in rows]
    result.errors = [e for e in result.errors if e.row not in rows]
    result.warnings = [w for w in result.warnings if w.row not in rows]


def parse_json_pupils(items: list, *, today: date, dob_policy: DobPolicy = DobPolicy.EXACT) -> ParsedRoster:
    """Validate the `pupils` list of an API request with the same rules as a CSV row.

    Keys are read through the same synonyms as CSV headers; others are dropped and reported like CSV
    columns; rows are numbered from 1. An empty list is refused for the same reason as an empty file.
    """
    if not isinstance(items, list):
        raise RosterUnreadable("`pupils` must be a list of pupil objects.")
    if not items:
        raise RosterUnreadable("The roster has no pupils.")
    return parse_items(enumerate(items, start=1), today=today, dob_policy=dob_policy)
