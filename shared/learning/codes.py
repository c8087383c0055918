"""Stamp codes: a colour word and four digits, printed `RED 2468`, stored and looked up as `RED2468`.

Children type these from a paper passport, often on a phone, so input is forgiving about case, spaces,
dashes, full-width characters and the letters O / I / L typed for the digits 0 / 1 / 1. Forgiveness never
widens the space: every accepted spelling maps to exactly one canonical code.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from math import comb

COLOURS = (
    "RED", "BLUE", "GREEN", "YELLOW", "ORANGE", "PURPLE", "PINK",
    "BROWN", "BLACK", "WHITE", "GREY", "GOLD", "SILVER",
)  # fmt: skip
DIGITS = 4
CODE_SPACE = len(COLOURS) * 10**DIGITS

# The longest real code is "SILVER 2468" (11 characters); a generous cap still stops anyone making us
# normalise megabytes, and is checked before any other work.
MAX_INPUT_LENGTH = 40

# American spelling is common on shared family devices and collides with no other colour.
_ALIASES = {"GRAY": "GREY"}
_KNOWN = {colour: colour for colour in COLOURS} | _ALIASES
# Separators people put between or inside the two halves: spaces of every kind, and any dash or hyphen.
_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015\u2212\u00ad]+")
_SHAPE = re.compile(r"([A-Z]+)([0-9OIL]{4})")
_DIGIT_LOOKALIKES = str.maketrans("OIL", "011")

_SYSTEM_RANDOM = secrets.SystemRandom()


def normalise_code(raw: str) -> str | None:
    """The canonical form (`RED2468`) of what a child typed, or None when it cannot be a stamp code."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        return None
    # NFKC turns full-width and other compatibility forms (common on phone keyboards) into plain ASCII.
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    # Upper-casing only ASCII keeps letters such as the dotless i from turning into a different code.
    if not compact.isascii():
        return None
    match = _SHAPE.fullmatch(compact.upper())
    if match is None:
        return None
    colour = _KNOWN.get(match.group(1))
    if colour is None:
        return None
    return colour + match.group(2).translate(_DIGIT_LOOKALIKES)


def display_code(canonical: str) -> str:
    """The printed form, `RED 2468`; ValueError if it is not a stamp code at all."""
    code = normalise_code(canonical)
    if code is None:
        raise ValueError("Not a stamp code.")
    return f"{code[:-DIGITS]} {code[-DIGITS:]}"


def generate_code(rng: random.Random | secrets.SystemRandom | None = None) -> str:
    """A canonical code drawn uniformly from the whole space; cryptographically random unless `rng` is given."""
    index = (rng or _SYSTEM_RANDOM).randrange(CODE_SPACE)
    colour, number = divmod(index, 10**DIGITS)
    return f"{COLOURS[colour]}{number:0{DIGITS}d}"


def guess_success_probability(live_codes: int, attempts: int) -> float:
    """Chance that `attempts` distinct random guesses hit at least one of `live_codes` live codes.

    A guesser never repeats a guess, so this is drawing without replacement: 1 - C(N-L, a) / C(N, a).
    """
    if not 0 <= live_codes <= CODE_SPACE:
        raise ValueError(f"live_codes must be between 0 and {CODE_SPACE}.")
    if attempts < 0:
        raise ValueError("attempts must not be negative.")
    attempts = min(attempts, CODE_SPACE)
    # Exact integer arithmetic, divided once: no rounding builds up even for a year of guesses.
    return 1 - comb(CODE_SPACE - live_codes, attempts) / comb(CODE_SPACE, attempts)
