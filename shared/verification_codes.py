"""Verification codes and recipient name hashes (pure).

A verification code is 80 random bits written as 16 Crockford base32 characters in four groups
(`7KQ2-M9XD-4TRB-H3WP`): unguessable, easy to read aloud and to type. Input is forgiving: case,
spaces and dashes are ignored, and the letters people confuse with digits (O, I, L) read as 0, 1, 1.

A name is never stored to check it later: only SHA-256 of the normalised name followed by a random
salt, in the form Open Badges 3.0 uses for a hashed IdentityObject (`sha256$<hex>`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_CHARS = 16
GROUP = 4
CODE_BITS = CODE_CHARS * 5
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_verification_code() -> str:
    """A fresh code in its canonical form (16 characters, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))


def normalise_verification_code(text: str) -> str | None:
    """The canonical code for what a person typed, or None when it cannot be one."""
    canonical = _SEPARATORS.sub("", text.strip().upper()).translate(_CONFUSABLE)
    if len(canonical) != CODE_CHARS or any(ch not in ALPHABET for ch in canonical):
        return None
    return canonical


def format_verification_code(canonical: str) -> str:
    """The printed form: four groups of four."""
    return "-".join(canonical[i : i + GROUP] for i in range(0, len(canonical), GROUP))


def normalise_name(name: str) -> str:
    """A name as compared: accents dropped, case folded, punctuation and repeated spaces removed.

    "Siobhán O'Neill", "siobhan oneill" and "SIOBHAN  O-NEILL" are the same person to a checker.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() or ch.isspace() else "" for ch in letters.casefold())
    return " ".join(kept.split())


def new_salt() -> str:
    return secrets.token_hex(16)


def name_hash(name: str, salt: str) -> str:
    """`sha256$` + hex SHA-256 of the normalised name followed by the salt (Open Badges' identityHash)."""
    return "sha256$" + hashlib.sha256((normalise_name(name) + salt).encode("utf-8")).hexdigest()


def name_matches(name: str, salt: str, stored_hash: str) -> bool:
    return hmac.compare_digest(name_hash(name, salt), stored_hash)
