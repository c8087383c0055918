"""The HTTP side of the devhost: a Starlette app that hands requests to the Function App's HTTP functions.

Requests become real `azure.functions.HttpRequest`s (route values, query, headers, body) and the function's
`HttpResponse` goes back as the host would send it, Content-Type from `mimetype`/`charset` unless the
function set one. Paths under the route prefix belong to the functions; anything else is served from the
web client folder when there is one.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

import azure.functions as func
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from devhost.invocation import call
from devhost.mailbox import Mailbox, mail_page
from devhost.routing import HttpRoute, allowed_methods, resolve
from shared.security.headers import add_missing

log = logging.getLogger("devhost.http")

# The Functions host refuses bodies above 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT default).
MAX_BODY_BYTES = 100 * 1024 * 1024
# Set by the server itself from the body it sends; a function's own values would contradict it.
_SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
MAIL_PAGE = "/devhost/mail"
EXPOSED_HEADERS = ("x-correlation-id", "retry-after", "location", "etag", "content-disposition")


def cors_origins(setting: str | None) -> list[str]:
    """CORS_ALLOWED_ORIGINS: comma separated origins, `*` for any; empty means no CORS at all."""
    return [origin.strip().rstrip("/") for origin in (setting or "").split(",") if origin.strip()]


class FunctionsDispatcher:
    """ASGI app: route to an HTTP function, else 404/405 as the host answers. Like the Functions host it
    serves no files of its own: an app that has a web client serves it from a function."""

    def __init__(self, routes: list[HttpRoute], prefix: str) -> None:
        self.routes = routes
        self.prefix = prefix.strip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path = scope["path"]
        route, params, path_known = resolve(self.routes, request.method, path)
        if route is not None:
            response = await self._invoke(route, params, request)
        elif path_known:
            response = Response(status_code=405, headers={"Allow": ", ".join(allowed_methods(self.routes, path))})
        else:
            response = Response(status_code=404)
        # The host's own answers (404, 405, 413, a crash's 500) carry the same policy as the functions'.
        add_missing(response.headers)
        await response(scope, receive, send)

    async def _invoke(self, route: HttpRoute, params: dict[str, str], request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            return Response(status_code=413)
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if request.client is not None:
            # As Azure's front end does: the app learns the client's address from X-Forwarded-For.
            forwarded = headers.get("x-forwarded-for")
            headers["x-forwarded-for"] = f"{forwarded}, {request.client.host}" if forwarded else request.client.host
        function_request = func.HttpRequest(
            method=request.method,
            url=str(request.url),
            headers=headers,
            params=dict(request.query_params),
            route_params=params,
            body=body,
        )
        try:
            if inspect.iscoroutinefunction(route.handler):
                result = await route.handler(**{route.arg_name: function_request})
            else:
                result = await run_in_threadpool(call, route.handler, {route.arg_name: function_request})
            return to_response(result)
        except Exception as exc:  # noqa: BLE001 - the host answers a crashed function with a bare 500
            log.exception(
                "Executed 'Functions.%s' (Failed)",
                route.function_name,
                extra={"function": route.function_name, "status": 500, "error_type": type(exc).__name__},
            )
            return Response(status_code=500)


async def _read_body(request: Request) -> bytes | None:
    """The whole body, or None when it is larger than the host accepts."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def to_response(result: Any) -> Response:
    """A function's return value as the host sends it."""
    if result is None:
        return Response(status_code=204)
    if isinstance(result, (str, bytes, bytearray)):
        result = func.HttpResponse(body=bytes(result) if not isinstance(result, str) else result)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function returned {type(result).__name__}, not an HttpResponse")
    response = Response(content=result.get_body() or b"", status_code=result.status_code)
    has_content_type = False
    for name, value in result.headers.items():
        if name.lower() in _SERVER_HEADERS:
            continue
        has_content_type = has_content_type or name.lower() == "content-type"
        response.headers.append(name, value)
    if not has_content_type and result.status_code not in (204, 304):
        mimetype = result.mimetype or "text/plain"
        content_type = f"{mimetype}; charset={result.charset}" if mimetype.startswith("text/") else mimetype
        response.headers["content-type"] = content_type
    return response


def build_app(
    routes: list[HttpRoute],
    *,
    prefix: str,
    allowed_origins: Iterable[str] = (),
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]] | None = None,
    mailbox: Mailbox | None = None,
) -> Starlette:
    """The ASGI app to serve: functions under the route prefix, CORS when origins are configured, and the
    local mailbox's page at /devhost/mail when the devhost runs one."""
    origins = list(allowed_origins)
    middleware = []
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=list(EXPOSED_HEADERS),
            )
        )
    dispatcher = FunctionsDispatcher(routes, prefix)
    routes = [Route("/{path:path}", dispatcher)]
    if mailbox is not None:
        routes.insert(0, Route(MAIL_PAGE, lambda request: HTMLResponse(mail_page(mailbox)), methods=["GET"]))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
