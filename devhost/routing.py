"""Match request paths against the Function App's HTTP triggers, as the Functions host does."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}")


def route_prefix(host_json: Path) -> str:
    """`extensions.http.routePrefix` from host.json ("api" when absent, "" allowed)."""
    try:
        config = json.loads(host_json.read_text())
    except FileNotFoundError:
        return "api"
    return config.get("extensions", {}).get("http", {}).get("routePrefix", "api").strip("/")


def compile_route(template: str, prefix: str) -> re.Pattern[str]:
    """`{name}` matches one segment, `{*rest}` the remainder, `{name?}` an optional last segment."""
    pattern = ""
    pos = 0
    full = f"{prefix}/{template.strip('/')}" if prefix else template.strip("/")
    for m in _PARAM.finditer(full):
        pattern += re.escape(full[pos : m.start()])
        catch_all, name, optional = m.groups()
        if catch_all:
            # ASP.NET routing lets a catch-all match nothing at all, slash included: `files/{*rest}` serves /files.
            pattern = pattern.removesuffix(re.escape("/")) + f"(?:/(?P<{name}>.*))?"
        elif optional:
            pattern = pattern.removesuffix(re.escape("/")) + f"(?:/(?P<{name}>[^/]+))?"
        else:
            pattern += f"(?P<{name}>[^/]+)"
        pos = m.end()
    pattern += re.escape(full[pos:])
    return re.compile(f"^/?{pattern}/?$", re.IGNORECASE)


@dataclass(frozen=True)
class HttpRoute:
    function_name: str
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Any
    literal_segments: int
    # The keyword the user function takes the HttpRequest as, and the template as declared (for listings).
    arg_name: str = "req"
    template: str = ""

    def match(self, method: str, path: str) -> dict[str, str] | None:
        m = self.pattern.match(path)
        if m is None:
            return None
        return {k: v for k, v in m.groupdict().items() if v is not None}


_indexed: dict[int, list[Any]] = {}


def functions_of(app: Any) -> list[Any]:
    """`app.get_functions()` once per app: the SDK's build step is not repeatable (like the worker's indexing)."""
    key = id(app)
    if key not in _indexed:
        _indexed[key] = app.get_functions()
    return _indexed[key]


def http_routes(app: Any, prefix: str) -> list[HttpRoute]:
    """Every HTTP function of `app`, most specific (most literal segments) first."""
    routes = []
    for fn in functions_of(app):
        trigger = fn.get_trigger()
        if trigger is None or trigger.get_binding_name() != "httpTrigger":
            continue
        template = getattr(trigger, "route", None) or fn.get_function_name()
        methods = frozenset(str(getattr(m, "value", m)).upper() for m in (getattr(trigger, "methods", None) or []))
        literal = sum(1 for seg in template.split("/") if seg and "{" not in seg)
        pattern = compile_route(template, prefix)
        routes.append(
            HttpRoute(
                fn.get_function_name(), methods, pattern, fn.get_user_function(), literal, trigger.name, template
            )
        )
    routes.sort(key=lambda r: -r.literal_segments)
    return routes


def resolve(routes: list[HttpRoute], method: str, path: str) -> tuple[HttpRoute | None, dict[str, str], bool]:
    """(route, route params, path_known). path_known is True when some route matched the path but not the method."""
    path_known = False
    for route in routes:
        params = route.match(method, path)
        if params is None:
            continue
        if route.methods and method.upper() not in route.methods:
            path_known = True
            continue
        return route, params, True
    return None, {}, path_known


def allowed_methods(routes: list[HttpRoute], path: str) -> list[str]:
    """The methods some route accepts at `path` (for the `Allow` header of a 405)."""
    methods: set[str] = set()
    for route in routes:
        if route.match("GET", path) is not None:
            methods |= route.methods
    return sorted(methods)
