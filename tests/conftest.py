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
os.environ["CREDENTIAL_SIGNING_KEY"] = secrets.token_urlsafe(48)
os.environ.setdefault("AzureWebJobsStorage", "UseDevelopmentStorage=true")
os.environ.setdefault("ARGON2_MEMORY_KIB", "19456")


@pytest.fixture(scope="session", autouse=True)
def mailbox() -> Iterator:
    """The suite's own SMTP server: every email the app sends (in process or from a devhost) lands here."""
    from devhost.mailbox import Mailbox
    from shared.mail.mailer import get_mailer
    from shared.settings import get_settings

    box = Mailbox().start()
    os.environ.update(box.settings())
    get_settings.cache_clear()
    get_mailer.cache_clear()
    yield box
    box.stop()
    get_mailer.cache_clear()


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
