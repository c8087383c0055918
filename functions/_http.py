"""The HTTP trigger adapter: declares an endpoint once, wires it on a Blueprint, parses, renders.

A handler receives an `HttpCall` (principal, validated body and query, route values) and returns a
pydantic model, a `Reply`, or None (204). Domain exceptions become problem+json through
`shared.problems`, the single mapping (a passing storage failure is a 503 with Retry-After, logged as
"storage unavailable"). Nothing here touches storage.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from pydantic import BaseModel, ValidationError

from shared.api.spec import API_PREFIX, Endpoint, Reply, registry
from shared.errors import (
    DomainError,
    FieldError,
    Forbidden,
    InvalidRequest,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from shared.observability import correlation
from shared.problems import PROBLEM_CONTENT_TYPE, problem_for
from shared.security.addresses import client_address
from shared.security.headers import add_missing
from shared.security.principal import Principal, Role

log = logging.getLogger("cuo.http")

MAX_JSON_BYTES = 1_000_000
_SAFE_CORRELATION = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@dataclass
class HttpCall:
    principal: Principal | None
    body: Any
    query: Any
    route: dict[str, str]
    raw_body: bytes
    content_type: str
    headers: dict[str, str]

    @property
    def client_address(self) -> str:
        """The caller's address as the platform saw it (for per-address throttles)."""
        return client_address(self.headers)

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "endpoint declared anonymous"
        return self.principal


def _pydantic_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    out = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"] if p != "__root__")
        message = err["msg"].removeprefix("Value error, ")
        out.append(FieldError(field=(prefix + loc) or None, message=message))
    return out


def _authenticate(req: func.HttpRequest, roles: frozenset[Role]) -> Principal:
    from shared.identity.service import authenticate

    header = req.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an access token as 'Authorization: Bearer <token>'.")
    principal = authenticate(token.strip())
    if principal.role not in roles:
        raise Forbidden("Your role cannot use this endpoint.")
    return principal


def _parse_query(req: func.HttpRequest, model: type[BaseModel] | None) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(dict(req.params))
    except ValidationError as exc:
        raise InvalidRequest("The query string is not valid.", errors=_pydantic_errors(exc)) from None


def _parse_body(req: func.HttpRequest, endpoint: Endpoint) -> tuple[Any, str]:
    ctype = (req.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = req.get_body() or b""
    if endpoint.request is None and endpoint.request_content_types == ("application/json",):
        return None, ctype
    if ctype not in endpoint.request_content_types:
        if not raw and endpoint.request is not None and "application/json" in endpoint.request_content_types:
            ctype = "application/json"
        else:
            accepted = ", ".join(endpoint.request_content_types)
            raise UnsupportedMediaType(f"Send the body as {accepted}.")
    if ctype != "application/json" or endpoint.request is None:
        return None, ctype
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes.")
    try:
        data = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack ("[" * 50000), never a real request.
        raise InvalidRequest("The body is not valid JSON.") from None
    try:
        body = endpoint.request.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest("The request body is not valid.", errors=_pydantic_errors(exc)) from None
    if endpoint.method == "PATCH" and not body.model_fields_set:
        raise InvalidRequest("Send at least one field to change.")
    return body, ctype


def _json_response(status: int, payload: Any, headers: dict[str, str], content_type: str = "application/json"):
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json(exclude_none=False)
    else:
        body = json.dumps(payload, default=str)
    return func.HttpResponse(body=body, status_code=status, headers=headers, mimetype=content_type, charset="utf-8")


def _render(result: Any, endpoint: Endpoint, headers: dict[str, str]) -> func.HttpResponse:
    if result is None:
        return func.HttpResponse(status_code=204, headers=headers)
    if isinstance(result, Reply):
        merged = {**headers, **result.headers}
        if result.body is None:
            return func.HttpResponse(status_code=result.status, headers=merged)
        if isinstance(result.body, (bytes, str)):
            return func.HttpResponse(
                body=result.body,
                status_code=result.status,
                headers=merged,
                mimetype=result.content_type or "application/octet-stream",
            )
        return _json_response(result.status, result.body, merged, result.content_type or "application/json")
    return _json_response(endpoint.status, result, headers)


def problem_response(exc: BaseException, correlation_id: str) -> func.HttpResponse:
    problem = problem_for(exc, correlation_id=correlation_id)
    return func.HttpResponse(
        body=json.dumps(problem.body),
        status_code=problem.status,
        headers={**problem.headers, "x-correlation-id": correlation_id},
        mimetype=PROBLEM_CONTENT_TYPE,
        charset="utf-8",
    )


def _invoke(req: func.HttpRequest, endpoint: Endpoint, handler: Callable[[HttpCall], Any]) -> func.HttpResponse:
    incoming = req.headers.get("x-correlation-id") or ""
    with correlation(incoming if _SAFE_CORRELATION.match(incoming) else None) as cid:
        started = time.perf_counter()
        status = 500
        try:
            principal = _authenticate(req, endpoint.roles) if endpoint.roles is not None else None
            query = _parse_query(req, endpoint.query)
            body, ctype = _parse_body(req, endpoint)
            call = HttpCall(
                principal=principal,
                body=body,
                query=query,
                route=dict(req.route_params),
                raw_body=req.get_body() or b"",
                content_type=ctype,
                headers={k.lower(): v for k, v in req.headers.items()},
            )
            response = _render(handler(call), endpoint, {"x-correlation-id": cid, "Cache-Control": "no-store"})
        except DomainError as exc:
            response = problem_response(exc, cid)
        except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into a clean 500 (or 503)
            response = problem_response(exc, cid)
            if response.status_code == 503:
                # Passing: storage stalled or busy. The type only, never the text (it can carry keys and URLs).
                log.warning("storage unavailable", extra={"function": endpoint.name,
                                                          "error_type": type(exc).__name__})
            else:
                log.exception("unhandled error", extra={"function": endpoint.name, "error_type": type(exc).__name__})
        add_missing(response.headers)
        status = response.status_code
        log.info(
            "http %s",
            endpoint.name,
            extra={
                "function": endpoint.name,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


def endpoint(
    bp: func.Blueprint,
    *,
    name: str,
    method: str,
    route: str,
    summary: str,
    roles: Iterable[Role] | None,
    request: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    request_content_types: tuple[str, ...] = ("application/json",),
    response_content_type: str = "application/json",
    alternative_content_types: tuple[str, ...] = (),
    errors: tuple[int, ...] = (),
    tags: tuple[str, ...] = (),
) -> Callable[[Callable[[HttpCall], Any]], Callable[[HttpCall], Any]]:
    """Declare an HTTP function: registers it on the Blueprint and in the OpenAPI registry."""
    spec = Endpoint(
        name=name,
        method=method.upper(),
        route=route,
        summary=summary,
        roles=frozenset(roles) if roles is not None else None,
        request=request,
        query=query,
        response=response,
        status=status,
        request_content_types=request_content_types,
        response_content_type=response_content_type,
        alternative_content_types=alternative_content_types,
        error_statuses=errors,
        tags=tags,
    )

    def decorate(handler: Callable[[HttpCall], Any]) -> Callable[[HttpCall], Any]:
        def entry(req: func.HttpRequest) -> func.HttpResponse:
            return _invoke(req, spec, handler)

        entry.__name__ = name
        entry.__qualname__ = name
        bp.function_name(name=name)(
            bp.route(route=f"{API_PREFIX}/{route}", methods=[spec.method], auth_level=func.AuthLevel.ANONYMOUS)(entry)
        )
        registry.add(spec)
        return handler

    return decorate
