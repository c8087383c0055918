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


registry = EndpointRegistry()
