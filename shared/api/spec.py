"""What each HTTP function declares (method, route, models, roles), collected for the OpenAPI document.

The trigger adapter in `functions/` registers an `Endpoint` here for every HTTP function it wires,
so the contract is generated from the same declarations that drive request parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from shared.security.principal import Role

# Every API path starts with /api/. host.json's routePrefix is empty so that the web client can be served at
# `/` (functions/web.py); the API keeps its paths by carrying this prefix in every route it registers.
API_PREFIX = "api"


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    route: str
    summary: str
    roles: frozenset[Role] | None  # None: anonymous
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    request_content_types: tuple[str, ...] = ("application/json",)
    response_content_type: str = "application/json"
    # Other media types the success answer may take (a `format=csv|pdf` query), documented as files.
    alternative_content_types: tuple[str, ...] = ()
    error_statuses: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class Reply:
    """A non-JSON or non-default response from a handler (PDF, CSV, redirect, 204...)."""

    status: int = 200
    body: bytes | str | BaseModel | Mapping[str, Any] | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class EndpointRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, Endpoint] = {}

    def add(self, endpoint: Endpoint) -> None:
        existing = self._by_name.get(endpoint.name)
        if existing is not None and existing != endpoint:
            raise ValueError(f"two HTTP functions are named {endpoint.name}")
        self._by_name[endpoint.name] = endpoint

    def all(self) -> list[Endpoint]:
        return sorted(self._by_name.values(), key=lambda e: (e.route, e.method))

    def get(self, name: str) -> Endpoint | None:
        return self._by_name.get(name)

    def methods_at(self, path: str) -> list[str]:
        """The methods the API accepts at `path` (without the /api prefix): the `Allow` of a 405."""
        segments = [part for part in path.strip("/").split("/") if part]
        return sorted({e.method for e in self._by_name.values() if _route_matches(e.route, segments)})


def _route_matches(route: str, segments: list[str]) -> bool:
    template = [part for part in route.strip("/").split("/") if part]
    for index, part in enumerate(template):
        if part.startswith("{*"):
            return True
        if index >= len(segments):
            return False
        if not part.startswith("{") and part.lower() != segments[index].lower():
            return False
    return len(template) == len(segments)


registry = EndpointRegistry()
