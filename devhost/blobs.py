"""Blob triggers, delivered by polling the container (the devhost's stand-in for Event Grid or the scan).

Every new or changed blob whose name matches the trigger's path is handed to the function once. As in the
real host, a receipt per function and blob in `azure-webjobs-hosts` (host storage) records the blob's ETag,
the attempts made and the outcome, so a restarted host does not deliver a blob again. A lease on the receipt
keeps two hosts (or a crashed one) from running the same delivery twice. After `poisonBlobThreshold` failed
attempts (host.json, default 5) the blob goes to the `webjobs-blobtrigger-poison` queue and is left alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob import BlobClient, BlobLeaseClient, BlobProperties, BlobServiceClient, ContainerClient
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost.appsettings import ConfigurationError, connection_string, resolve_expressions
from devhost.invocation import annotation_of, call
from shared.observability import correlation

log = logging.getLogger("devhost.blob")

HOSTS_CONTAINER = "azure-webjobs-hosts"
RECEIPTS_PREFIX = "blobreceipts/devhost"
POISON_QUEUE = "webjobs-blobtrigger-poison"
DEFAULT_POISON_THRESHOLD = 5
LEASE_SECONDS = 60
LEASE_RENEW_SECONDS = 20

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_-]*)\}")


class Outcome(StrEnum):
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    POISONED = "Poisoned"


RUNNING = "Running"
_SETTLED = {Outcome.SUCCEEDED.value, Outcome.POISONED.value}


@dataclass(frozen=True)
class BlobPath:
    """A trigger path `container/pattern`; `{param}` captures any text, `{{`/`}}` are literal braces.

    The capture is greedy and may span `/`, as in the WebJobs SDK's binding templates.
    """

    container: str
    template: str
    regex: re.Pattern[str]
    literal_prefix: str

    @classmethod
    def parse(cls, path: str) -> BlobPath:
        container, sep, template = path.strip("/").partition("/")
        if not container or "{" in container:
            raise ValueError(f"blob trigger path '{path}' must start with a literal container name")
        if not sep:
            template = "{name}"
        regex, prefix, literal_only = "", "", True
        pos = 0
        for token in _TOKEN.finditer(template):
            text = template[pos : token.start()]
            regex += re.escape(text)
            if literal_only:
                prefix += text
            if token.group(1):
                regex += f"(?P<{token.group(1)}>.*)"
                literal_only = False
            else:
                regex += re.escape(token.group(0)[0])
                if literal_only:
                    prefix += token.group(0)[0]
            pos = token.end()
        regex += re.escape(template[pos:])
        if literal_only:
            prefix += template[pos:]
        return cls(container, template, re.compile(f"^{regex}$", re.DOTALL), prefix)

    def match(self, blob_name: str) -> dict[str, str] | None:
        m = self.regex.match(blob_name)
        return m.groupdict() if m else None


@dataclass(frozen=True)
class BlobFunction:
    name: str
    arg_name: str
    path: BlobPath
    connection_string: str
    user_function: Callable[..., Any]

    @classmethod
    def from_function(cls, fn: Any, environ: Mapping[str, str]) -> BlobFunction:
        trigger = fn.get_trigger()
        name = fn.get_function_name()
        try:
            path = BlobPath.parse(resolve_expressions(trigger.path, environ, function=name))
        except ValueError as exc:
            raise ConfigurationError(f"function '{name}': {exc}") from None
        return cls(
            name=name,
            arg_name=trigger.name,
            path=path,
            connection_string=connection_string(trigger.connection, environ, function=name),
            user_function=fn.get_user_function(),
        )


def poison_threshold(host_json: Path) -> int:
    """`extensions.blobs.poisonBlobThreshold` from host.json (5 when absent)."""
    try:
        config = json.loads(host_json.read_text())
    except FileNotFoundError:
        return DEFAULT_POISON_THRESHOLD
    return int(config.get("extensions", {}).get("blobs", {}).get("poisonBlobThreshold", DEFAULT_POISON_THRESHOLD))


def _record(receipt: BlobClient, lease: BlobLeaseClient, etag: str, attempts: int, status: str) -> None:
    receipt.set_blob_metadata({"etag": etag, "attempts": str(attempts), "status": str(status)}, lease=lease)


def _quoted(etag: str) -> str:
    # Listings give ETags bare, property reads in quotes; receipts and messages use the quoted form.
    return f'"{etag.strip(chr(34))}"'


@contextlib.contextmanager
def _renewed(lease: BlobLeaseClient) -> Iterator[None]:
    """Keep the lease while the function runs, however long; a crashed host loses it within a minute."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LEASE_RENEW_SECONDS):
            with contextlib.suppress(HttpResponseError):
                lease.renew()

    keeper = threading.Thread(target=renew, name="blob-lease", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        done.set()
        keeper.join()


class BlobListener:
    """Delivers the blobs of one blob-trigger function. `poll_once` is one scan; `run` repeats it."""

    def __init__(self, function: BlobFunction, host_storage: str, *, poison_threshold: int = 5) -> None:
        self.function = function
        self.poison_threshold = poison_threshold
        self._source: ContainerClient = BlobServiceClient.from_connection_string(
            function.connection_string
        ).get_container_client(function.path.container)
        self._receipts: ContainerClient = BlobServiceClient.from_connection_string(host_storage).get_container_client(
            HOSTS_CONTAINER
        )
        self._poison = QueueClient.from_connection_string(
            function.connection_string, POISON_QUEUE, message_encode_policy=TextBase64EncodePolicy()
        )
        self._argument_type = annotation_of(function.user_function, function.arg_name)
        # Blob name -> ETag already settled (succeeded or poisoned): spares a receipt read per blob per scan.
        self._settled: dict[str, str] = {}
        self._warmed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def _receipt_prefix(self) -> str:
        return f"{RECEIPTS_PREFIX}/{self.function.name}/{self.function.path.container}/"

    def start(self, interval: float) -> None:
        self._thread = threading.Thread(
            target=self.run, args=(interval,), name=f"blob:{self.function.name}", daemon=True
        )
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 30.0) -> None:
        if self._thread and self._thread.is_alive():
            self._thread.join(timeout)

    def run(self, interval: float) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # noqa: BLE001 - storage hiccups must not end the listener
                if not failing:  # once per outage, not once per scan
                    log.warning(
                        "blob scan failed; retrying every %ss",
                        interval,
                        extra={"function": self.function.name, "error_type": type(exc).__name__},
                    )
                failing = True
            else:
                if failing:
                    log.info("blob scan recovered", extra={"function": self.function.name})
                failing = False
            self._stop.wait(interval)

    def poll_once(self) -> dict[str, Outcome]:
        """One scan of the container: deliver each new or changed matching blob once. Returns outcomes by name."""
        if not self._warmed:
            self._warm_from_receipts()
        outcomes: dict[str, Outcome] = {}
        try:
            prefix = self.function.path.literal_prefix or None
            blobs = list(self._source.list_blobs(name_starts_with=prefix, include=["metadata"]))
        except ResourceNotFoundError:
            return outcomes  # the container does not exist yet: nothing to deliver
        for blob in blobs:
            if self._stop.is_set():
                break
            etag = _quoted(blob.etag)
            if self._settled.get(blob.name) == etag or self.function.path.match(blob.name) is None:
                continue
            outcome = self._deliver(blob, etag)
            if outcome is not None:
                outcomes[blob.name] = outcome
        return outcomes

    def _warm_from_receipts(self) -> None:
        with contextlib.suppress(ResourceExistsError):
            self._receipts.create_container()
        for receipt in self._receipts.list_blobs(name_starts_with=self._receipt_prefix, include=["metadata"]):
            meta = receipt.metadata or {}
            if meta.get("status") in _SETTLED and meta.get("etag"):
                self._settled[receipt.name.removeprefix(self._receipt_prefix)] = meta["etag"]
        self._warmed = True

    def _deliver(self, blob: BlobProperties, etag: str) -> Outcome | None:
        """Attempt one delivery under the receipt's lease; None when there was nothing to do."""
        receipt = self._receipts.get_blob_client(self._receipt_prefix + blob.name)
        with contextlib.suppress(ResourceExistsError):
            receipt.upload_blob(b"", overwrite=False)
        try:
            lease = receipt.acquire_lease(lease_duration=LEASE_SECONDS)
        except HttpResponseError as exc:
            if exc.status_code == 409:
                return None  # another host holds it; it will record the outcome
            raise
        try:
            meta = receipt.get_blob_properties().metadata or {}
            same_blob = meta.get("etag") == etag
            if same_blob and meta.get("status") in _SETTLED:
                self._settled[blob.name] = etag
                return None
            attempt = (int(meta.get("attempts", "0")) if same_blob else 0) + 1
            if attempt > self.poison_threshold:
                # A host stopped after its last attempt and before recording the outcome.
                return self._poison_blob(blob, etag, receipt, lease, attempt - 1)
            try:
                data = self._source.get_blob_client(blob.name).download_blob(
                    etag=etag, match_condition=MatchConditions.IfNotModified
                ).readall()
            except (ResourceNotFoundError, ResourceModifiedError):
                return None  # deleted or replaced since the listing: the next scan sees its current state
            # The attempt is counted before the function runs, so a host that dies mid-run still used it up.
            _record(receipt, lease, etag, attempt, RUNNING)
            with _renewed(lease):
                succeeded = self._invoke(blob, etag, data, attempt)
            if succeeded:
                _record(receipt, lease, etag, attempt, Outcome.SUCCEEDED)
                self._settled[blob.name] = etag
                return Outcome.SUCCEEDED
            if attempt >= self.poison_threshold:
                return self._poison_blob(blob, etag, receipt, lease, attempt)
            _record(receipt, lease, etag, attempt, Outcome.FAILED)
            return Outcome.FAILED
        finally:
            with contextlib.suppress(HttpResponseError):
                lease.release()

    def _invoke(self, blob: BlobProperties, etag: str, data: bytes, attempt: int) -> bool:
        name = self.function.name
        full_name = f"{self.function.path.container}/{blob.name}"
        with correlation():
            log.info(
                "Executing 'Functions.%s' (Reason='New blob detected', Attempt=%d)",
                name,
                attempt,
                extra={"function": name, "blob": full_name, "attempt": attempt},
            )
            started = time.perf_counter()
            try:
                call(self.function.user_function, {self.function.arg_name: self._argument(blob, etag, data)})
            except Exception as exc:  # noqa: BLE001 - counted as a failed attempt, retried or poisoned
                log.exception(
                    "Executed 'Functions.%s' (Failed, Attempt=%d)",
                    name,
                    attempt,
                    extra={
                        "function": name, "blob": full_name, "attempt": attempt, "status": Outcome.FAILED.value,
                        "error_type": type(exc).__name__,
                    },
                )
                return False
            log.info(
                "Executed 'Functions.%s' (Succeeded, Attempt=%d)",
                name,
                attempt,
                extra={
                    "function": name, "blob": full_name, "attempt": attempt, "status": Outcome.SUCCEEDED.value,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return True

    def _argument(self, blob: BlobProperties, etag: str, data: bytes) -> Any:
        # The worker converts by the parameter's annotation: bytes, str, or (default) an InputStream.
        if self._argument_type in (bytes, "bytes"):
            return data
        if self._argument_type in (str, "str"):
            return data.decode("utf-8")
        content = blob.content_settings
        properties = {
            "ContentLength": blob.size,
            "ContentType": content.content_type if content else None,
            "ContentEncoding": content.content_encoding if content else None,
            "ETag": etag,
            "LastModified": blob.last_modified.isoformat() if blob.last_modified else None,
            "CreatedOn": blob.creation_time.isoformat() if blob.creation_time else None,
            "BlobType": str(blob.blob_type.value if blob.blob_type else "BlockBlob"),
        }
        return func.blob.InputStream(
            data=data,
            name=f"{self.function.path.container}/{blob.name}",
            uri=self._source.get_blob_client(blob.name).url,
            length=blob.size,
            blob_properties=properties,
            metadata=dict(blob.metadata or {}),
        )

    def _poison_blob(
        self, blob: BlobProperties, etag: str, receipt: BlobClient, lease: BlobLeaseClient, attempts: int
    ) -> Outcome:
        with contextlib.suppress(ResourceExistsError):
            self._poison.create_queue()
        message = {
            "Type": "blob",
            "FunctionId": f"Host.Functions.{self.function.name}",
            "BlobType": str(blob.blob_type.value if blob.blob_type else "BlockBlob"),
            "ContainerName": self.function.path.container,
            "BlobName": blob.name,
            "ETag": etag,
        }
        self._poison.send_message(json.dumps(message))
        _record(receipt, lease, etag, attempts, Outcome.POISONED)
        self._settled[blob.name] = etag
        log.error(
            "Blob moved to poison queue '%s' after %d attempts",
            POISON_QUEUE,
            attempts,
            extra={
                "function": self.function.name,
                "blob": f"{self.function.path.container}/{blob.name}",
                "attempt": attempts,
                "status": Outcome.POISONED.value,
            },
        )
        return Outcome.POISONED
