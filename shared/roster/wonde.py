"""Wonde's student JSON (`GET /v1.0/schools/{id}/students?include=education_details`) to pupil items (pure).

A page is `{"data": [Student, ...], "meta": {"pagination": {"next": url | null, ...}}}`. A Student carries
`forename` / `surname` (the names the pupil is known by), `legal_forename` / `legal_surname`, `gender`
(`MALE` / `FEMALE`), `date_of_birth` as a string or as `{"date": "2015-09-29 00:00:00.000000", ...}`, and
the UPN at the top level or, with `include=education_details`, under `education_details.data.upn`.
Everything else (ids, initials, middle names, timestamps, any other included object) is dropped and named
in the report, like a CSV column, by the shared header synonyms in `parsing.parse_items`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from shared.roster.errors import RosterUnreadable

UPN = "upn"


def is_wonde_page(body: object) -> bool:
    return isinstance(body, Mapping) and isinstance(body.get("data"), list) and "pupils" not in body


def is_partial_page(body: Mapping) -> bool:
    """One page of a paginated export, and not the only one: loading it cannot say who has left."""
    meta = body.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, Mapping) else None
    if not isinstance(pagination, Mapping):
        return False
    return bool(pagination.get("next")) or bool(pagination.get("previous"))


def _flatten(student: Mapping) -> dict:
    item: dict = {}
    for key, value in student.items():
        if key == "date_of_birth" and isinstance(value, Mapping):
            item[key] = value.get("date")
        elif key == "education_details" and isinstance(value, Mapping):
            details = value.get("data")
            if isinstance(details, Mapping) and details.get("upn") and not student.get(UPN):
                item[UPN] = details.get("upn")
            # The rest of the education details (admission dates, former UPNs...) are not kept.
            item[key] = value
        else:
            item[key] = value
    return item


def wonde_items(body: Mapping) -> Iterator[tuple[int, object]]:
    """The page's students, numbered from 1, flattened so the shared synonyms can read them."""
    students = body.get("data")
    if not isinstance(students, list) or not students:
        raise RosterUnreadable("The Wonde export has no students in `data`.")
    for row, student in enumerate(students, start=1):
        yield row, _flatten(student) if isinstance(student, Mapping) else student
