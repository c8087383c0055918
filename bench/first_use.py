"""What the first request needing a lazily loaded part makes the app load, per part (issue 26).

`python -m bench.import_probe first_use PART` imports function_app, then times one of these in the same
fresh interpreter: the cost that first request pays once, and no later request pays again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def _load(*modules: str) -> Callable[[], None]:
    def load() -> None:
        for name in modules:
            importlib.import_module(name)

    return load


FIRST_USE: dict[str, Callable[[], None]] = {
    "sso (msal)": _load("msal"),
    "pdf (fpdf2)": _load("fpdf"),
    "qr codes (segno)": _load("segno"),
    "open badges signing": _load("shared.achievements.signing"),
    "totp (pyotp)": _load("pyotp"),
    "phone and email validation": _load("phonenumbers", "email_validator"),
    "passwords (argon2)": _load("argon2"),
}
