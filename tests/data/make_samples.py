"""Builds the sample MIS exports in this folder. Every pupil, teacher and parent in them is fictional.

The files are checked in so tests read real bytes; `test_samples.py` fails if they drift from this
script. Regenerate with `.venv/bin/python -m tests.data.make_samples`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.data.synthetic import make_upn

DATA_DIR = Path(__file__).parent


def _csv(rows: list[tuple[str, ...]], *, delimiter: str = ",", newline: str = "\r\n", quote_all: bool = False) -> str:
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(rows)
    return out.getvalue()


def sims_export() -> bytes:
    """SIMS "Student List" report saved as CSV: UTF-8 with BOM, CRLF, every field quoted."""
    header = (
        "Adno", "UPN", "Legal Surname", "Legal Forename", "Preferred Surname", "Preferred Forename", "Middle Name(s)",
        "Gender", "DOB", "Year", "Reg", "Ethnicity", "SEN Status", "FSM Eligible", "EAL", "Medical Conditions",
    )
    rows = [
        ("001024", make_upn(873, 2104, 2018, 311), "Thornbury", "Amelia", "Thornbury", "Amelia", "Rose",
         "F", "14/02/2015", "Y5", "5T", "WBRI", "N", "No", "No", ""),
        ("001025", make_upn(873, 2104, 2019, 12), "Okonjo", "Theodore", "Okonjo", "Teddy", "",
         "M", "03/09/2016", "Y3", "3H", "BAFR", "K", "Yes", "Yes", "Asthma - inhaler in class"),
        ("001026", make_upn(873, 2104, 2020, 47), "Pemberton-Vale", "Isla", "Pemberton-Vale", "Isla", "May",
         "F", "31/08/2017", "Y2", "2W", "WOTH", "N", "No", "No", ""),
        ("001027", make_upn(873, 2104, 2021, 5, temporary=True), "Haddadi", "Yusuf", "Haddadi", "Yusuf", "",
         "M", "01/09/2017", "Y1", "1B", "AOTH", "E", "Yes", "Yes", "Nut allergy (EpiPen)"),
        ("001028", "", "Quill", "Florence", "Quill", "Flo", "Jane",
         "F", "22/06/2020", "R", "RS", "MWBC", "N", "No", "No", ""),
        ("001029", make_upn(873, 2104, 2017, 903), "Ashdown", "Reuben", "Ashdown", "Reuben", "Elliot",
         "M", "09/11/2013", "Y6", "6T", "WBRI", "N", "Yes", "No", ""),
    ]
    return b"\xef\xbb\xbf" + _csv([header, *rows], quote_all=True).encode("utf-8")


def arbor_export() -> bytes:
    """Arbor student export: UTF-8 without BOM, LF, dates like `4 Mar 2016`, preferred name often blank."""
    header = (
        "Arbor ID", "First Name", "Preferred First Name", "Last Name", "Date of Birth", "Gender", "UPN", "Year",
        "Registration Form", "House", "Ethnicity", "SEN Status", "Pupil Premium", "First Language", "Religion",
    )
    rows = [
        ("S-10001", "Maisie", "", "Brackenridge", "4 Mar 2016", "Female", make_upn(202, 2211, 2020, 101), "Year 3",
         "3 Oak", "Kestrel", "White - British", "No Special Educational Need", "Yes", "English", "Christian"),
        ("S-10002", "Alexander", "Sasha", "Villiers", "17 Sep 2014", "Male", make_upn(202, 2211, 2018, 77), "Year 5",
         "5 Ash", "Heron", "Asian - Indian", "SEN Support", "No", "Gujarati", "Hindu"),
        ("S-10003", "Ottilie", "", "Farrow", "29 Feb 2016", "Female", make_upn(202, 2211, 2020, 215), "Year 3",
         "3 Elm", "Kestrel", "Mixed - Other", "No Special Educational Need", "No", "English", "No Religion"),
        ("S-10004", "Jude", "", "Marchetti", "1 Dec 2018", "Male", make_upn(202, 2211, 2022, 8), "Year 1",
         "1 Oak", "Heron", "White - Other", "No Special Educational Need", "No", "Italian", ""),
        ("S-10005", "Wren", "", "Castellane", "30 Aug 2019", "Other", "", "Reception",
         "R Ash", "Kestrel", "Information not yet obtained", "No Special Educational Need", "No", "English", ""),
    ]
    return _csv([header, *rows], newline="\n").encode("utf-8")


def bromcom_export() -> bytes:
    """Bromcom export as Excel saves it on a UK PC: Windows-1252, semicolon-separated, CRLF, accented names."""
    header = (
        "Legal Surname", "Legal Forename", "Preferred Forename", "Date Of Birth", "Gender", "UPN", "Tutor Group",
        "Year Group", "Looked After", "Pupil Premium", "Nationality", "Home Language",
    )
    rows = [
        ("Fernández", "Zoë", "", "12/01/2015", "F", make_upn(330, 2456, 2019, 654), "5F", "5", "No", "N",
         "Spanish", "Spanish"),
        ("Lefèvre", "Chloé", "", "05/07/2016", "F", make_upn(330, 2456, 2020, 3), "4L", "4", "No", "Y",
         "French", "French"),
        ("O’Connor", "Renée", "Nell", "23/03/2014", "F", make_upn(330, 2456, 2018, 880), "6O", "6", "Yes", "Y",
         "Irish", "English"),
        ("Öztürk", "Ömer", "", "18/10/2017", "M", make_upn(330, 2456, 2021, 19), "2Z", "2", "No", "N",
         "Turkish", "Turkish"),
        ("Bjørnsen", "Anaïs", "", "02/05/2018", "F", make_upn(330, 2456, 2022, 41), "1B", "1", "No", "N",
         "Norwegian", "Norwegian"),
        ("Müller", "José", "Pepe", "27/11/2013", "M", make_upn(330, 2456, 2017, 2), "6M", "6", "No", "N",
         "German", "German"),
    ]
    return _csv([header, *rows], delimiter=";").encode("cp1252")


def excel_unicode_text() -> bytes:
    """A spreadsheet saved from Excel as "Unicode Text": UTF-16 LE with BOM, tab-separated, CRLF."""
    header = ("Surname", "Forename", "Date of Birth", "Sex", "Unique Pupil Number", "Reg Group", "First Language",
              "Ethnicity")
    rows = [
        ("Wójcik", "Łukasz", "08/04/2015", "Male", make_upn(306, 2031, 2019, 412), "5W", "Polish", "WPOL"),
        ("Nguyễn", "Lan", "19/12/2016", "Female", make_upn(306, 2031, 2020, 88), "3N", "Vietnamese", "AOTH"),
        ("Popescu", "Dragoș", "30/06/2014", "Male", make_upn(306, 2031, 2018, 901), "6P", "Romanian", "WROM"),
        ("Dąbrowska", "Aleksandra", "14/09/2018", "Female", make_upn(306, 2031, 2022, 37), "1D", "Polish", "WPOL"),
        ("Yılmaz", "Ayşe", "03/03/2017", "Female", make_upn(306, 2031, 2021, 250), "2Y", "Turkish", "WOTH"),
    ]
    return b"\xff\xfe" + _csv([header, *rows], delimiter="\t").encode("utf-16-le")


def oneroster_users() -> bytes:
    """OneRoster 1.1 users.csv with birthDate and sex joined in from demographics.csv (as UK syncs deliver it)."""
    header = (
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
        "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
        "password", "birthDate", "sex",
    )
    org, stamp = "org-brookfield-primary", "2025-02-28T06:00:00Z"
    rows = [
        ("u-1001", "active", stamp, "true", org, "student", "pbellamy", "{MIS:4411}", "Poppy", "Bellamy", "", "4411",
         "", "", "", "u-2001", "04", "", "2015-10-02", "female"),
        ("u-1002", "active", stamp, "true", org, "student", "ekaramanlis", "{MIS:4412}", "Elias", "Karamanlis", "",
         "4412", "", "", "", "u-2002", "02", "", "2017-04-15", "male"),
        ("u-3001", "active", stamp, "true", org, "teacher", "ghartnell", "{MIS:T12}", "Gwendolyn", "Hartnell", "",
         "T12", "g.hartnell@brookfield.example.sch.uk", "", "01632 960123", "", "", "", "", ""),
        ("u-1003", "active", stamp, "true", org, "student", "rnakamura", "{MIS:4413}", "Ren", "Nakamura", "", "4413",
         "", "", "", "", "KG", "", "2020-01-20", "other"),
        ("u-2001", "active", stamp, "true", org, "parent", "", "", "Harriet", "Bellamy", "", "",
         "h.bellamy@example.org", "07700 900123", "", "u-1001", "", "", "", "female"),
        ("u-1004", "active", stamp, "true", org, "student", "tadeyemi", "{MIS:4414}", "Tobi", "Adeyemi", "Oluwaseun",
         "4414", "", "", "", "", "06", "", "2013-12-07", "male"),
        ("u-3002", "active", stamp, "true", org, "administrator", "lfairweather", "{MIS:T2}", "Lionel", "Fairweather",
         "", "T2", "l.fairweather@brookfield.example.sch.uk", "", "", "", "", "", "", ""),
        ("u-2002", "active", stamp, "true", org, "guardian", "", "", "Dimitra", "Karamanlis", "", "", "", "", "",
         "u-1002", "", "", "", ""),
        ("u-1005", "active", stamp, "true", org, "student", "mfinch", "{MIS:4415}", "Matilda", "Finch", "", "4415",
         "", "", "", "", "01", "", "2018-07-31", "female"),
    ]
    return _csv([header, *rows]).encode("utf-8")


def wonde_export() -> bytes:
    """A Wonde-style student export: UTF-8, LF, quoted multi-line addresses and notes, ISO dates with times."""
    header = (
        "mis_id", "upn", "forename", "surname", "legal_forename", "legal_surname", "middle_names", "date_of_birth",
        "gender", "year_group", "registration_group", "address", "medical_notes", "dietary_needs", "sen_status",
    )
    rows = [
        ("W77310", make_upn(919, 2087, 2019, 140), "Hattie", "Greenhalgh", "Harriet", "Greenhalgh", "Ann",
         "2015-05-21 00:00:00.000000", "F", "Year 4", "4G", "Flat 2\n14 Larch Walk\nStevenage", "", "", ""),
        ("W77311", make_upn(919, 2087, 2020, 141), "Caspian", "Rowntree", "Caspian", "Rowntree", "",
         "2016-11-30 00:00:00.000000", "M", "Year 3", "3R", "7 Mill Lane\nHitchin", 'Uses an "inhaler" at PE\nSee plan',
         "Halal", "SEN Support"),
        ("W77312", make_upn(919, 2087, 2021, 9), "Esme", "Abara-Lowe", "Esmeralda", "Abara-Lowe", "Grace",
         "2017-08-01 00:00:00.000000", "F", "Year 2", "2A", "3 Orchard Close\nBaldock", "", "Vegetarian", ""),
        ("W77313", make_upn(919, 2087, 2018, 600), "Fitz", "Delacourt", "Fitzwilliam", "Delacourt", "",
         "2014-02-14 00:00:00.000000", "M", "Year 6", "6D", "The Old Forge\nHigh Street\nAshwell", "", "", ""),
    ]
    return _csv([header, *rows], newline="\n").encode("utf-8")


def no_dob_column() -> bytes:
    """A class list someone typed up by hand: names, gender and UPN but no date of birth."""
    header = ("Surname", "Forename", "Gender", "UPN", "Class")
    rows = [
        ("Penhallow", "Ada", "F", make_upn(908, 2310, 2019, 55), "Robins"),
        ("Trelawny", "Kit", "M", make_upn(908, 2310, 2019, 56), "Robins"),
    ]
    return _csv([header, *rows]).encode("utf-8")


SAMPLES = {
    "sims_export.csv": sims_export,
    "arbor_export.csv": arbor_export,
    "bromcom_export.csv": bromcom_export,
    "excel_unicode_text.txt": excel_unicode_text,
    "oneroster_users.csv": oneroster_users,
    "wonde_export.csv": wonde_export,
    "no_dob_column.csv": no_dob_column,
}


def main() -> None:
    for name, build in SAMPLES.items():
        (DATA_DIR / name).write_bytes(build())


if __name__ == "__main__":
    main()
