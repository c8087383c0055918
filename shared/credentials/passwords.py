"""Password hashing (Argon2id, OWASP parameters), staff password rules and child-friendly pupil passwords."""

from __future__ import annotations

import functools
import secrets
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.errors import FieldError, InvalidRequest
from shared.settings import get_settings

MIN_STAFF_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@functools.cache
def hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(
        time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib, parallelism=s.argon2_parallelism
    )


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so unknown users cost the same time.
    return hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-work check: an absent hash still runs one Argon2 verification."""
    try:
        return hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("shared.credentials").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _normalised_for_list(password: str) -> str:
    # "Password123!" and "password123" are the same guess for a dictionary attack.
    return password.strip().lower().rstrip("!?.*#@$1234567890")


def check_staff_password(password: str, *, email: str | None = None) -> None:
    """Staff passwords: at least 12 characters and not a commonly used password (NCSC / OWASP)."""
    problems: list[str] = []
    if len(password) < MIN_STAFF_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_STAFF_PASSWORD_LENGTH} characters.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    else:
        lowered = password.lower()
        base = _normalised_for_list(password)
        if not base or lowered in common_passwords() or base in common_passwords() or len(set(lowered)) < 4:
            problems.append("This password is too common; choose a less guessable one (a few random words work well).")
        elif email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
            problems.append("Do not use your email address in your password.")
    if problems:
        raise InvalidRequest(
            "The password does not meet the rules.",
            errors=[FieldError(field="password", message=m) for m in problems],
        )


PUPIL_WORDS = (
    "apple", "banana", "cherry", "mango", "lemon", "melon", "peach", "plum", "grape", "berry",
    "tiger", "panda", "otter", "zebra", "koala", "eagle", "robin", "whale", "shark", "horse",
    "river", "ocean", "cloud", "storm", "sunny", "frost", "rainy", "windy", "comet", "star",
    "rocket", "planet", "moon", "castle", "dragon", "wizard", "pirate", "robot", "ninja", "knight",
    "pencil", "crayon", "paint", "drum", "flute", "piano", "violin", "guitar", "music", "dance",
    "jelly", "toast", "pizza", "pasta", "cookie", "muffin", "waffle", "honey", "sugar", "cocoa",
    "green", "purple", "orange", "yellow", "silver", "golden", "red", "blue", "pink", "brown",
    "happy", "brave", "clever", "kind", "quick", "quiet", "jolly", "lucky", "super", "magic",
    "forest", "meadow", "garden", "island", "valley", "desert", "jungle", "harbour", "bridge", "tower",
)


def generate_pupil_password() -> str:
    """Two everyday words and two digits (e.g. `otter-comet-47`): easy for a child to type.

    About 20 bits; online guessing is what threatens it, and sign-in lockout throttles that.
    """
    rng = secrets.SystemRandom()
    first, second = rng.sample(PUPIL_WORDS, 2)
    return f"{first}-{second}-{rng.randrange(10, 100)}"
