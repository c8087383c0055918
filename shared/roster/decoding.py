"""Bytes of an MIS export to text: the encodings schools' spreadsheets actually produce.

UTF-8 (with or without BOM) is tried first; UTF-16 comes from Excel's "Unicode text" save (BOM, or
recognised by its NUL bytes when the BOM is missing); anything else is read as Windows-1252, which is
what Excel and older MIS versions write on a UK Windows PC.
"""

from __future__ import annotations

import codecs

from shared.roster.errors import RosterUnreadable

# What people upload by mistake, so the message can tell them what to do instead.
_NOT_CSV_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook or other zip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel or Word file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
)
_SAVE_AS_CSV = "Export or save it as CSV (comma-separated or Unicode text) and upload that."
_SNIFF_BYTES = 4096
# Text has tabs and line breaks but almost no other C0 control characters; binary data is full of them.
# The floor keeps one stray control character in a short file from condemning it (the row rules catch it).
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a")
_MAX_CONTROL_SHARE = 0.02
_CONTROL_FLOOR = 16


def _unreadable(reason: str) -> RosterUnreadable:
    return RosterUnreadable(f"The file is {reason}, not a CSV export. {_SAVE_AS_CSV}")


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the NUL bytes sit where UTF-16 puts them for mostly-ASCII text."""
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd >= 0.3 * len(odd) and nul_even <= 0.05 * len(even):
        return "utf-16-le"
    if nul_even >= 0.3 * len(even) and nul_odd <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        # `from None`: the codec error quotes the offending bytes.
        raise _unreadable("not valid UTF-16 text") from None


def _decode_8bit(data: bytes) -> str:
    if b"\x00" in data:
        raise _unreadable("binary data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five byte values undefined; surrogateescape keeps them as lone surrogates, which
        # the name rules reject, so one stray byte in a dropped column does not sink the whole file.
        return data.decode("cp1252", errors="surrogateescape")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _decode_8bit(data[len(codecs.BOM_UTF8):])
    if data.startswith(codecs.BOM_UTF16_LE):
        return _decode_utf16(data[2:], "utf-16-le")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(data[2:], "utf-16-be")
    if utf16 := _utf16_without_bom(data[:_SNIFF_BYTES]):
        return _decode_utf16(data, utf16)
    return _decode_8bit(data)


def decode_roster(data: bytes) -> str:
    """The text of an upload; RosterUnreadable when it is binary or in no encoding we can read."""
    for signature, what in _NOT_CSV_SIGNATURES:
        if data.startswith(signature):
            raise _unreadable(what)
    text = _decode(data).removeprefix("\ufeff")
    if "\x00" in text:
        raise _unreadable("binary data")
    sample = text[: _SNIFF_BYTES * 4]
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS)
    if controls > max(_CONTROL_FLOOR, _MAX_CONTROL_SHARE * len(sample)):
        raise _unreadable("binary data")
    return text
