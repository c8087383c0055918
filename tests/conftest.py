"""Test settings and the session's own Azurite (in memory, free ports), started only when a test needs storage."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

# Before any app module reads settings: a test environment with a fresh signing key. Storage points at
# a placeholder until the `azurite` fixture starts the real emulator.
os.environ["CUO_ENVIRONMENT"] = "test"
os.environ["TOKEN_SIGNING_KEY"] = secrets.token_urlsafe(48)
os.environ.setdefault("AzureWebJobsStorage", "UseDevelopmentStorage=true")
os.environ.setdefault("ARGON2_MEMORY_KIB", "19456")


@pytest.fixture(scope="session")
def azurite() -> Iterator:
    from devhost import azurite as launcher
    from shared.settings import get_settings
    from shared.storage.clients import reset_storage

    with launcher.running() as instance:
        os.environ["AzureWebJobsStorage"] = instance.connection_string
        get_settings.cache_clear()
        reset_storage()
        yield instance
    get_settings.cache_clear()
    reset_storage()


@pytest.fixture
def storage(azurite):
    from shared.storage.clients import get_storage

    return get_storage()
