"""Index a FunctionApp like the Functions host does and run its triggers: HTTP, blob (polled) and timer."""

from __future__ import annotations

import importlib
import logging
import math
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from devhost.appsettings import ConfigurationError, connection_string
from devhost.blobs import BlobFunction, BlobListener, poison_threshold
from devhost.http_server import build_app, cors_origins
from devhost.mailbox import Mailbox
from devhost.routing import HttpRoute, functions_of, http_routes, route_prefix
from devhost.timers import TimerFunction, TimerRunner

log = logging.getLogger("devhost")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_APP = "function_app:app"
DEFAULT_POLL_SECONDS = 2.0
# Bindings the devhost feeds besides the trigger: the HTTP response (`$return`).
_SUPPORTED_EXTRA_BINDINGS = frozenset({"http"})


def load_app(spec: str) -> Any:
    """Import `module:attribute` (the FunctionApp), as the worker indexes function_app.py."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"--app must be module:attribute, got '{spec}'")
    app = getattr(importlib.import_module(module_name), attribute, None)
    if app is None or not hasattr(app, "get_functions"):
        raise ConfigurationError(f"'{spec}' is not a FunctionApp")
    return app


@dataclass(frozen=True)
class HostOptions:
    """What the devhost itself reads from app settings."""

    blob_poll_seconds: float = DEFAULT_POLL_SECONDS
    allowed_origins: list[str] = field(default_factory=list)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> HostOptions:
        raw = environ.get("DEVHOST_BLOB_POLL_SECONDS") or str(DEFAULT_POLL_SECONDS)
        try:
            seconds = float(raw)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds <= 0:
            raise ConfigurationError(f"DEVHOST_BLOB_POLL_SECONDS must be a positive number of seconds, got '{raw}'")
        return cls(blob_poll_seconds=seconds, allowed_origins=cors_origins(environ.get("CORS_ALLOWED_ORIGINS")))


class FunctionHost:
    """The functions of one app, ready to serve. Raises ConfigurationError naming every function in error."""

    def __init__(self, app: Any, *, root: Path = ROOT, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.root = root
        self.options = HostOptions.from_environ(environ)
        self.prefix = route_prefix(root / "host.json")
        self.http_routes: list[HttpRoute] = http_routes(app, self.prefix)
        self.blob_functions: list[BlobFunction] = []
        self.timer_functions: list[TimerFunction] = []
        self.unsupported: list[tuple[str, str]] = []
        errors: list[str] = []
        for fn in functions_of(app):
            kind = fn.get_trigger().get_binding_name()
            try:
                if kind == "blobTrigger":
                    self.blob_functions.append(BlobFunction.from_function(fn, environ))
                elif kind == "timerTrigger":
                    self.timer_functions.append(TimerFunction.from_function(fn, environ))
                elif kind != "httpTrigger":
                    self.unsupported.append((fn.get_function_name(), kind))
            except ConfigurationError as exc:
                errors.append(str(exc))
            for binding in fn.get_bindings():
                if binding is not fn.get_trigger() and binding.get_binding_name() not in _SUPPORTED_EXTRA_BINDINGS:
                    log.warning(
                        "binding '%s' (%s) is not supplied by the devhost",
                        binding.name,
                        binding.get_binding_name(),
                        extra={"function": fn.get_function_name()},
                    )
        self.host_storage: str | None = None
        if self.blob_functions:
            try:
                self.host_storage = connection_string(None, environ, function="host (blob receipts)")
            except ConfigurationError as exc:
                errors.append(str(exc))
        if errors:
            raise ConfigurationError("; ".join(errors))
        self._background: list[BlobListener | TimerRunner] = []

    def timer(self, name: str) -> TimerFunction:
        for timer in self.timer_functions:
            if timer.name.lower() == name.lower():
                return timer
        known = ", ".join(t.name for t in self.timer_functions) or "none"
        raise ConfigurationError(f"no timer function named '{name}' (timer functions: {known})")

    def describe(self, base_url: str) -> None:
        """Log every function with its trigger, and the URL of each HTTP function (as `func start` lists them)."""
        now = datetime.now(UTC)
        for route in self.http_routes:
            methods = ",".join(sorted(route.methods)) or "ALL"
            path = "/".join(part for part in (self.prefix, route.template.strip("/")) if part)
            log.info(
                "%s: [%s] %s/%s",
                route.function_name,
                methods,
                base_url,
                path,
                extra={"function": route.function_name, "category": "httpTrigger", "method": methods},
            )
        for blob in self.blob_functions:
            log.info(
                "%s: blobTrigger (%s/%s, polled every %ss)",
                blob.name,
                blob.path.container,
                blob.path.template,
                self.options.blob_poll_seconds,
                extra={"function": blob.name, "category": "blobTrigger"},
            )
        for timer in self.timer_functions:
            log.info(
                "%s: timerTrigger (%s UTC, next %s%s)",
                timer.name,
                timer.schedule.expression,
                timer.schedule.next_after(now).isoformat(),
                ", runs on startup" if timer.run_on_startup else "",
                extra={"function": timer.name, "category": "timerTrigger"},
            )
        for name, kind in self.unsupported:
            log.warning("%s: %s is not supported by the devhost; not run", name, kind, extra={"function": name})

    def start_background(self) -> None:
        """Start polling blob containers and firing timers."""
        threshold = poison_threshold(self.root / "host.json")
        for blob in self.blob_functions:
            assert self.host_storage is not None
            listener = BlobListener(blob, self.host_storage, poison_threshold=threshold)
            listener.start(self.options.blob_poll_seconds)
            self._background.append(listener)
        for timer in self.timer_functions:
            runner = TimerRunner(timer)
            runner.start()
            self._background.append(runner)

    def stop_background(self) -> None:
        """Stop every listener and timer, letting a running invocation finish first."""
        for worker in self._background:
            worker.request_stop()
        for worker in self._background:
            worker.join()
        self._background.clear()

    def asgi_app(self, mailbox: Mailbox | None = None) -> Starlette:
        @asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            self.start_background()
            try:
                yield
            finally:
                await run_in_threadpool(self.stop_background)

        return build_app(
            self.http_routes,
            prefix=self.prefix,
            allowed_origins=self.options.allowed_origins,
            lifespan=lifespan,
            mailbox=mailbox,
        )
