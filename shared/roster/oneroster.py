"""A OneRoster 1.1 or 1.2 CSV bundle (a `.zip`, per the 1EdTech OneRoster CSV binding) to pupil items (pure).

What is read, and why:
- `manifest.csv` (`propertyName,value`): `file.users` is `bulk` (the full list: a full sync), `delta`
  (changes only: a partial sync that never marks absent pupils as left) or `absent` (refused). No
  manifest is read as bulk.
- `users.csv`: `givenName`, `familyName` and the preferred names (`preferredGivenName` /
  `preferredFirstName`, `preferredFamilyName` / `preferredLastName`, 1.2) when filled; the UPN from
  `identifier`, or from a `userIds` entry (`{type:id}`), where it is a valid UPN. Students only: 1.1 `role`;
  1.2 `roles.csv` (`userSourcedId`, `role`, `roleType`, `orgSourcedId`), or a `roles` column of users.csv.
  `status=tobedeleted` or `enabledUser=false` marks the pupil as leaving.
- `demographics.csv`, joined by `sourcedId`: `birthDate` and `sex` (`unspecified` / `other` → other).
  Its other columns (race flags, places of birth...) are never read, only named in the report.
- `orgs.csv`: a bundle naming several schools loads only the users of the uploading school's org
  (its recorded OneRoster `sourcedId`), and is refused when the school has not recorded one.

Zip safety: the archive's own size is the upload limit; at most `MAX_ENTRIES` entries; names with `..`,
absolute paths or drive letters, encrypted entries and archives inside the archive are refused; each file
is read in chunks and the total unpacked bytes are capped, so a zip bomb stops at the cap (413).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from shared.roster import columns
from shared.roster.decoding import encoding_of
from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.rules import is_valid_upn

ZIP_SIGNATURE = b"PK\x03\x04"
MAX_ENTRIES = 64
_CHUNK = 1 << 16
_ARCHIVE_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".cab")
_NEEDED = ("manifest.csv", "users.csv", "demographics.csv", "roles.csv", "orgs.csv")
STUDENT = "student"
LEAVING_STATUS = "tobedeleted"
# Users.csv columns this reader uses; every other users.csv and demographics.csv column is only reported.
_USER_FIELDS = {
    "first_name": ("preferredFirstName", "preferredGivenName", "givenName"),
    "last_name": ("preferredLastName", "preferredFamilyName", "familyName"),
}
_USED_USER_COLUMNS = frozenset(
    {"sourcedId", "status", "enabledUser", "role", "roles", "orgSourcedIds", "primaryOrgSourcedId",
     "identifier", "userIds", *(c for names in _USER_FIELDS.values() for c in names)}
)
_USED_DEMOGRAPHIC_COLUMNS = frozenset({"sourcedId", "status", "dateLastModified", "birthDate", "sex"})
_MANIFEST_COLUMNS = frozenset({"propertyName", "value"})
_ROLE_COLUMNS = frozenset({"userSourcedId", "role", "orgSourcedId"})
_ORG_COLUMNS = frozenset({"sourcedId", "type"})
_USER_ID = re.compile(r"\{?\s*[^{}:,]*:\s*([^{},]+?)\s*\}?(?:,|$)")


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_SIGNATURE)


@dataclass
class Bundle:
    """The pupils a bundle holds, as items for `parsing.parse_items`, and what else it says."""

    items: list[tuple[int, dict]] = field(default_factory=list)
    leaving_rows: set[int] = field(default_factory=set)
    delta: bool = False
    skipped: int = 0
    dropped: list[str] = field(default_factory=list)
    special: list[str] = field(default_factory=list)


def _safe_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise RosterUnreadable(f"The zip file has more than {MAX_ENTRIES} entries; a OneRoster bundle has a few CSVs.")
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if name.startswith("/") or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
            raise RosterUnreadable("The zip file has an entry whose path leaves the archive; it was not opened.")
        if info.flag_bits & 0x1:
            raise RosterUnreadable("The zip file is encrypted; export the OneRoster bundle without a password.")
        if info.is_dir():
            continue
        if name.lower().endswith(_ARCHIVE_SUFFIXES):
            raise RosterUnreadable("The zip file holds another archive; upload the OneRoster CSV files in one zip.")
        base = path.name.lower()
        if base in _NEEDED:
            if base in found:
                raise RosterUnreadable(f"The zip file holds more than one {base}.")
            found[base] = info
    return found


class _Budget:
    """The unpacked bytes still allowed for this bundle (a zip bomb stops here, whatever headers claim)."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.limit = limit

    def _chunks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        with archive.open(info) as entry:
            while chunk := entry.read(_CHUNK):
                self.left -= len(chunk)
                if self.left < 0:
                    raise RosterTooLarge(
                        f"The zip file unpacks to more than {self.limit:,} bytes, more than a roster needs.")
                yield chunk

    def open(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> io.TextIOWrapper:
        """The entry as text, read as it is used. A first pass counts its bytes against the budget and
        decides its encoding (both need all of it) without keeping anything; the second decodes."""
        try:
            head = b""

            def counted() -> Iterator[bytes]:
                nonlocal head
                for chunk in self._chunks(archive, info):
                    head = head or chunk
                    yield chunk

            found = encoding_of(counted())
            if is_zip(head[:4]):
                raise RosterUnreadable("The zip file holds another archive; upload the OneRoster CSV files in one zip.")
            entry = archive.open(info)
            entry.read(found.bom)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, OSError):
            raise RosterUnreadable("The zip file is damaged or uses a compression we cannot read.") from None
        # newline="": the csv module reads the line endings itself (quoted fields may hold line breaks).
        return io.TextIOWrapper(entry, encoding=found.codec, errors=found.errors, newline="")


@dataclass
class _Table:
    """One CSV file of the bundle: its headers, and its rows with only the columns this reader uses."""

    headers: list[str]
    rows: Iterator[dict[str, str]]


def _table(text: io.TextIOWrapper, name: str, used: frozenset[str]) -> _Table:
    reader = csv.reader(text, strict=True)
    try:
        first = next(reader, [])
    except csv.Error:
        raise RosterUnreadable(f"{name} in the bundle is not well-formed CSV.") from None
    headers = [h.strip().removeprefix("\ufeff") for h in first]
    wanted = [(h, i) for i, h in enumerate(headers) if h in used]

    def rows() -> Iterator[dict[str, str]]:
        with text:
            try:
                for row in reader:
                    if row:  # a blank line is no row, as csv.DictReader has it
                        yield {h: row[i].strip() if i < len(row) else "" for h, i in wanted}
            except csv.Error:
                raise RosterUnreadable(f"{name} in the bundle is not well-formed CSV.") from None
            except (zipfile.BadZipFile, EOFError, OSError):
                raise RosterUnreadable("The zip file is damaged or uses a compression we cannot read.") from None

    return _Table(headers, rows())


def _upn_of(user: dict[str, str]) -> str:
    identifier = user.get("identifier", "")
    if identifier and is_valid_upn(identifier):
        return identifier
    for match in _USER_ID.finditer(user.get("userIds", "")):
        if is_valid_upn(match[1]):
            return match[1]
    return ""


def _first(user: dict[str, str], names: tuple[str, ...]) -> str:
    return next((user[n] for n in names if user.get(n)), "")


def read_bundle(data: bytes, *, org_sourced_id: str | None, max_unzipped_bytes: int) -> Bundle:
    """The bundle's pupils of the school; RosterUnreadable / RosterTooLarge when it cannot be used."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise RosterUnreadable("The file is not a readable zip file.") from None
    with archive:
        entries = _safe_entries(archive)
        if "users.csv" not in entries:
            raise RosterUnreadable(
                "The zip file has no users.csv: upload a OneRoster CSV bundle (manifest.csv, users.csv,"
                " demographics.csv...) or the MIS export as a CSV file.")
        budget = _Budget(max_unzipped_bytes)

        def table(name: str, used: frozenset[str]) -> _Table | None:
            return _table(budget.open(archive, entries[name]), name, used) if name in entries else None

        return _read(table, org_sourced_id)


def _read(table: Callable[[str, frozenset[str]], _Table | None], org_sourced_id: str | None) -> Bundle:
    """The bundle's pupils, reading each file once, row by row: only what the join needs is kept."""
    bundle = Bundle()
    manifest_file = table("manifest.csv", _MANIFEST_COLUMNS)
    manifest = {r.get("propertyName", ""): r.get("value", "").lower() for r in manifest_file.rows} \
        if manifest_file else {}
    users_mode = manifest.get("file.users", "bulk")
    if users_mode == "absent":
        raise RosterUnreadable("The bundle's manifest says it has no users (file.users is absent).")
    bundle.delta = users_mode == "delta"

    demographics: dict[str, tuple[str, str]] = {}
    plan = columns.ColumnPlan(dropped=bundle.dropped, special=bundle.special)
    demographics_file = table("demographics.csv", _USED_DEMOGRAPHIC_COLUMNS)
    if demographics_file:
        for header in demographics_file.headers:
            if header not in _USED_DEMOGRAPHIC_COLUMNS:
                plan.drop(header)
        for r in demographics_file.rows:
            demographics[r.get("sourcedId", "")] = (r.get("birthDate", ""), r.get("sex", ""))

    student_orgs: dict[str, set[str]] = {}
    roles_file = table("roles.csv", _ROLE_COLUMNS)
    has_roles_file = roles_file is not None
    if roles_file:
        for r in roles_file.rows:
            if r.get("role", "").lower() == STUDENT:
                student_orgs.setdefault(r.get("userSourcedId", ""), set()).add(r.get("orgSourcedId", ""))

    orgs_file = table("orgs.csv", _ORG_COLUMNS)
    schools = [r.get("sourcedId", "") for r in orgs_file.rows if r.get("type", "").lower() == "school"] \
        if orgs_file else []
    if len(schools) > 1 and not org_sourced_id:
        raise RosterUnreadable(
            f"This bundle lists {len(schools)} schools. Record this school's OneRoster org sourcedId"
            " (oneroster_org_id on the school) so only its pupils are loaded.")
    if org_sourced_id and schools and org_sourced_id not in schools:
        raise RosterUnreadable("The school's OneRoster org sourcedId is not among the bundle's schools (orgs.csv).")
    only_org = org_sourced_id if len(schools) > 1 or (org_sourced_id and schools) else None

    users = table("users.csv", _USED_USER_COLUMNS)
    assert users is not None  # read_bundle has checked it is there
    for header in users.headers:
        if header not in _USED_USER_COLUMNS:
            plan.drop(header)
    if demographics_file is None and "birthDate" not in users.headers:
        raise RosterUnreadable(
            "The bundle has no demographics.csv: OneRoster keeps birthDate and sex there. Export the"
            " demographics file too.")
    for row, user in enumerate(users.rows, start=1):
        sourced_id = user.get("sourcedId", "")
        if has_roles_file and "role" not in user:
            orgs = student_orgs.get(sourced_id)
            is_student = orgs is not None
        else:
            roles = {r.strip().lower() for r in (user.get("role") or user.get("roles") or "").split(",")}
            is_student = STUDENT in roles
            orgs = {o.strip() for o in user.get("orgSourcedIds", "").split(",") if o.strip()}
            if user.get("primaryOrgSourcedId"):
                orgs.add(user["primaryOrgSourcedId"])
        if not is_student or (only_org and only_org not in (orgs or set())):
            bundle.skipped += 1
            continue
        birth, sex = demographics.get(sourced_id, (user.get("birthDate", ""), user.get("sex", "")))
        if sex.lower() in ("unspecified", "other"):
            sex = "other"
        bundle.items.append((row, {
            "first_name": _first(user, _USER_FIELDS["first_name"]),
            "last_name": _first(user, _USER_FIELDS["last_name"]),
            "date_of_birth": birth,
            "gender": sex,
            "upn": _upn_of(user),
        }))
        if user.get("status", "").lower() == LEAVING_STATUS or user.get("enabledUser", "").lower() == "false":
            bundle.leaving_rows.add(row)
    if not bundle.items:
        raise RosterUnreadable("The bundle has no students" + (" of this school." if only_org else "."))
    return bundle
