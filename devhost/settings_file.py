"""local.settings.json: created on first run from the sample, then its Values become app settings.

Like `func start`, variables already set in the environment win over the file, so a test or a shell can
override one setting without editing it. The file holds the local token signing key, so it is created
readable by its owner only and never committed (.gitignore).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

SIGNING_KEY_SETTING = "TOKEN_SIGNING_KEY"
CREDENTIAL_KEY_SETTING = "CREDENTIAL_SIGNING_KEY"


class SettingsFileError(RuntimeError):
    """local.settings.json cannot be used; the message names the file and the problem, never a value."""


def new_signing_key() -> str:
    return secrets.token_urlsafe(48)


def ensure_settings_file(path: Path, sample: Path) -> bool:
    """Create `path` from `sample` with a fresh random signing key; False when it already exists."""
    if path.exists():
        return False
    try:
        document = json.loads(sample.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = {"IsEncrypted": False, "Values": {}}
    except json.JSONDecodeError as exc:
        raise SettingsFileError(f"{sample} is not valid JSON (line {exc.lineno})") from None
    document.setdefault("Values", {})[SIGNING_KEY_SETTING] = new_signing_key()
    document["Values"][CREDENTIAL_KEY_SETTING] = new_signing_key()
    try:
        # O_EXCL: two processes starting at once must not both write, each with its own key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    return True


def read_values(path: Path) -> dict[str, str]:
    """The "Values" of a local.settings.json, as strings (the host's app settings are all strings)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise SettingsFileError(f"{path} is not valid JSON (line {exc.lineno})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Values", {}), dict):
        raise SettingsFileError(f"{path} must be an object with a \"Values\" object")
    if document.get("IsEncrypted"):
        raise SettingsFileError(f"{path} is encrypted; the devhost reads plain settings only")
    return {name: _as_setting(value) for name, value in document.get("Values", {}).items() if value is not None}


def _as_setting(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def apply_values(values: dict[str, str], environ: MutableMapping[str, str]) -> list[str]:
    """Copy settings into `environ` unless already set there; returns the names that were applied."""
    applied = []
    for name, value in values.items():
        if name not in environ:
            environ[name] = value
            applied.append(name)
    return applied


def load_settings_file(
    path: Path, sample: Path, environ: MutableMapping[str, str] | None = None
) -> list[str]:
    """Create the file if missing, then apply its Values to the environment; returns the names applied."""
    ensure_settings_file(path, sample)
    return apply_values(read_values(path), os.environ if environ is None else environ)
