"""Roster ingest domain: MIS exports and API pupil lists to validated, minimised pupil records (no I/O)."""

from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.model import DobPolicy, Gender, ParsedRoster, PupilRecord
from shared.roster.parsing import parse_csv, parse_json_pupils

__all__ = [
    "DobPolicy",
    "Gender",
    "ParsedRoster",
    "PupilRecord",
    "RosterTooLarge",
    "RosterUnreadable",
    "parse_csv",
    "parse_json_pupils",
]
