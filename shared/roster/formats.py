"""Which reader an upload needs: an MIS CSV export, a OneRoster zip bundle, Wonde's student JSON, or the
project's own JSON (`{"pupils": [...]}`), and what the upload itself says about the sync (pure: no I/O).

A zip is recognised by its bytes as well as its content type, because schools send bundles as `text/csv`
too. A delta OneRoster bundle and one page of a paginated Wonde export can only be partial syncs: they do
not list every pupil, so nobody may be marked as left for being absent from them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.errors import UnsupportedMediaType
from shared.organisation.model import DobPolicy
from shared.roster import oneroster, wonde
from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.model import ParsedRoster
from shared.roster.parsing import parse_csv, parse_items, parse_json_pupils, set_aside_leaving
from shared.roster.schemas import RosterMode

CSV_CONTENT_TYPES = (
    "text/csv", "application/csv", "text/plain", "text/tab-separated-values", "application/vnd.ms-excel",
)
JSON_CONTENT_TYPE = "application/json"
ZIP_CONTENT_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-zip")
ROSTER_CONTENT_TYPES = (*CSV_CONTENT_TYPES, JSON_CONTENT_TYPE, *ZIP_CONTENT_TYPES)


@dataclass
class Upload:
    parsed: ParsedRoster
    default_mode: RosterMode
    partial_only: bool = False


def _json_body(data: bytes) -> object:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RosterUnreadable("The file is not valid JSON.") from None


def read_upload(
    *, data: bytes | None, body: object, content_type: str, today: date, dob_policy: DobPolicy, max_bytes: int,
    oneroster_org_id: str | None,
) -> Upload:
    """Parse an upload with the reader its content calls for; RosterUnreadable etc. when it cannot be used."""
    if content_type in ZIP_CONTENT_TYPES or (content_type in CSV_CONTENT_TYPES and oneroster.is_zip(data or b"")):
        raw = data or b""
        if len(raw) > max_bytes:
            raise RosterTooLarge(f"The file is larger than the limit of {max_bytes:,} bytes.")
        if not oneroster.is_zip(raw):
            raise RosterUnreadable("The file is not a zip file: send a OneRoster bundle as .zip, or a CSV export.")
        bundle = oneroster.read_bundle(raw, org_sourced_id=oneroster_org_id, max_unzipped_bytes=max_bytes * 10)
        parsed = ParsedRoster(dropped_columns=bundle.dropped, special_category_columns=bundle.special,
                              skipped=bundle.skipped)
        parse_items(bundle.items, today=today, dob_policy=dob_policy, result=parsed)
        set_aside_leaving(parsed, bundle.leaving_rows)
        parsed.source = "oneroster"
        return Upload(parsed, RosterMode.FULL, partial_only=bundle.delta)
    if content_type == JSON_CONTENT_TYPE:
        if body is None:
            if data is not None and len(data) > max_bytes:
                raise RosterTooLarge(f"The file is larger than the limit of {max_bytes:,} bytes.")
            body = _json_body(data or b"")
        if wonde.is_wonde_page(body):
            assert isinstance(body, Mapping)
            parsed = parse_items(wonde.wonde_items(body), today=today, dob_policy=dob_policy)
            parsed.source = "wonde"
            return Upload(parsed, RosterMode.FULL, partial_only=wonde.is_partial_page(body))
        if isinstance(body, Mapping) and "pupils" in body:
            parsed = parse_json_pupils(body["pupils"], today=today, dob_policy=dob_policy)
            parsed.source = "json"
            return Upload(parsed, RosterMode.PARTIAL)
        raise RosterUnreadable('Send {"pupils": [...]} or a Wonde students export ({"data": [...]}).')
    if content_type in CSV_CONTENT_TYPES:
        return Upload(parse_csv(data or b"", today=today, max_bytes=max_bytes, dob_policy=dob_policy), RosterMode.FULL)
    raise UnsupportedMediaType(
        "Send the roster as text/csv (an MIS export), application/zip (a OneRoster bundle) or application/json.")
