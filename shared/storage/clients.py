"""Table and Blob clients built from settings, with request counting and retries.

Locally (Azurite) the clients come from a connection string; in Azure from the account name and
`DefaultAzureCredential` (the Function App's managed identity). Tables and containers are created
idempotently once per process, on first use, never at import time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.blob import BlobServiceClient, ContainerClient

from shared.settings import AZURITE_CONNECTION_STRING, Settings, get_settings
from shared.storage.counting import RequestCounter, request_counter
from shared.storage.names import CONTAINERS, SCHOOLS, TABLES

# The SDKs and urllib3 log request URLs (entity keys, query filters) at INFO/DEBUG. Keys hold ids and
# hashes only, but a debug switch in production must still not turn storage traffic into log lines.
for _noisy in ("azure", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

AZURITE_DEV_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
)


def _client_options(settings: Settings) -> dict:
    """Timeouts, and back-off on throttling, server errors (500, 503, ...) and lost connections: 0.4 s, 0.8 s,
    1.6 s ... at most `STORAGE_RETRIES` retries in all (5), of each kind at most the SDK's own 3."""
    each = min(3, settings.storage_retries)
    return {"retry_total": settings.storage_retries, "retry_connect": each, "retry_read": each, "retry_status": each,
            "retry_backoff_factor": 0.4, "retry_backoff_max": 8,
            "connection_timeout": settings.storage_connect_timeout_seconds,
            "read_timeout": settings.storage_read_timeout_seconds}


def _connection_string(settings: Settings) -> str | None:
    conn = settings.storage_connection_string
    if conn and conn.strip().rstrip(";") == AZURITE_CONNECTION_STRING:
        return AZURITE_DEV_CONNECTION_STRING
    return conn


class Storage:
    """All storage clients of the app. One per process (see `get_storage`)."""

    def __init__(self, settings: Settings, counter: RequestCounter | None = None) -> None:
        self.counter = counter or request_counter
        hook = {"raw_request_hook": self.counter.on_request}
        options = _client_options(settings)
        conn = _connection_string(settings)
        self._tables: dict[str, TableClient] = {}
        self._lock = threading.Lock()
        self._ensured = False
        if conn:
            self._table_service = TableServiceClient.from_connection_string(conn, **hook, **options)
            self.blob_service = BlobServiceClient.from_connection_string(conn, **hook, **options)
            self._make_table = lambda name: TableClient.from_connection_string(
                conn, table_name=name, **hook, **options
            )
        else:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential(managed_identity_client_id=settings.storage_client_id)
            account = settings.storage_account_name
            table_url = f"https://{account}.table.core.windows.net"
            self._table_service = TableServiceClient(table_url, credential=credential, **hook, **options)
            self.blob_service = BlobServiceClient(
                f"https://{account}.blob.core.windows.net", credential=credential, **hook, **options
            )
            self._make_table = lambda name: TableClient(
                table_url, table_name=name, credential=credential, **hook, **options
            )

    def table(self, name: str) -> TableClient:
        client = self._tables.get(name)
        if client is None:
            with self._lock:
                client = self._tables.get(name)
                if client is None:
                    client = self._tables[name] = self._make_table(name)
        return client

    def container(self, name: str) -> ContainerClient:
        return self.blob_service.get_container_client(name)

    def ensure(self, tables: Iterable[str] = TABLES, containers: Iterable[str] = CONTAINERS) -> None:
        """Create every table and container the app uses; safe to call concurrently and repeatedly."""
        for name in tables:
            with contextlib.suppress(ResourceExistsError):
                self._table_service.create_table(name)
        for name in containers:
            with contextlib.suppress(ResourceExistsError):
                self.blob_service.create_container(name)

    def ensure_once(self) -> None:
        if self._ensured:
            return
        with self._lock:
            if not self._ensured:
                self.ensure()
                self._ensured = True


_storage: Storage | None = None
_storage_lock = threading.Lock()


def get_storage() -> Storage:
    """The process-wide storage, built lazily from settings with its tables and containers in place."""
    global _storage
    if _storage is None:
        with _storage_lock:
            if _storage is None:
                storage = Storage(get_settings())
                storage.ensure_once()
                _storage = storage
    return _storage


def reset_storage() -> None:
    """Forget the process-wide storage (tests that change settings)."""
    global _storage
    with _storage_lock:
        _storage = None


def unreachable_reason() -> str | None:
    """None when storage answers one cheap request (the first key of a small table); otherwise the error's
    type name (never its message, which can carry URLs and keys)."""
    try:
        storage = get_storage()
        next(iter(storage.table(SCHOOLS).list_entities(results_per_page=1, select=["RowKey"]).by_page()), None)
        return None
    except AzureError as exc:
        return type(exc).__name__
