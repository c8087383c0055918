"""Bytes of an MIS export to text: the encodings schools' spreadsheets actually produce.

UTF-8 (with or without BOM) is tried first; UTF-16 comes from Excel's "Unicode text" save (BOM, or
recognised by its NUL bytes when the BOM is missing); anything else is read as Windows-1252, which is
what Excel and older MIS versions write on a UK Windows PC.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Encoding:
    """How a file's bytes become its text: skip `bom` bytes, then decode with `codec` and `errors`."""

    codec: str
    errors: str = "strict"
    bom: int = 0


def _check_sample(text: str) -> None:
    sample = text[: _SNIFF_BYTES * 4]
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS)
    if controls > max(_CONTROL_FLOOR, _MAX_CONTROL_SHARE * len(sample)):
        raise _unreadable("binary data")


def _candidate(head: bytes) -> Encoding:
    for signature, what in _NOT_CSV_SIGNATURES:
        if head.startswith(signature):
            raise _unreadable(what)
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8", bom=len(codecs.BOM_UTF8))
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("utf-16-le", bom=2)
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16-be", bom=2)
    return Encoding(_utf16_without_bom(head[:_SNIFF_BYTES]) or "utf-8")


def encoding_of(chunks: Iterable[bytes]) -> Encoding:
    """The encoding of a file read chunk by chunk (one pass, nothing kept): UTF-8 (with or without BOM)
    when all of it is valid UTF-8, UTF-16 by BOM or NUL pattern, else Windows-1252. RosterUnreadable when
    it is binary or not valid UTF-16. The first chunk must hold the first 64 KiB (or the whole file)."""
    chunks = iter(chunks)
    head = next(chunks, b"")
    found = _candidate(head)
    decoder = codecs.getincrementaldecoder(found.codec)()
    utf16 = found.codec.startswith("utf-16")
    chunk, first = head[found.bom:], True
    while True:
        if not utf16 and b"\x00" in chunk:
            raise _unreadable("binary data")
        if found.codec == "utf-8":
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                # cp1252 leaves five byte values undefined; surrogateescape keeps them as lone surrogates,
                # which the name rules reject, so one stray byte in a dropped column does not sink the file.
                found = Encoding("cp1252", "surrogateescape", found.bom)
                text = chunk.decode("cp1252", errors="surrogateescape") if first else ""
        elif found.codec == "cp1252":
            text = ""
        else:
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                # `from None`: the codec error quotes the offending bytes.
                raise _unreadable("not valid UTF-16 text") from None
            if "\x00" in text:
                raise _unreadable("binary data")
        if first:
            _check_sample(text.removeprefix("\ufeff"))
            first = False
        if not chunk:
            return found
        chunk = next(chunks, b"")


def decode_roster(data: bytes) -> str:
    """The text of an upload; RosterUnreadable when it is binary or in no encoding we can read."""
    found = encoding_of([data])
    return data[found.bom:].decode(found.codec, errors=found.errors).removeprefix("\ufeff")
