"""Drive HTTP functions through the app's registry with real func.HttpRequest objects."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import azure.functions as func

from devhost.routing import http_routes, resolve, route_prefix

HOST_JSON = Path(__file__).resolve().parents[1] / "host.json"

# PDFium is not thread-safe (pypdfium2 says so): tests whose threads race requests for PDFs parse them one at a
# time under this lock, or the process crashes (seen as a segfault or SIGTRAP in a full run).
PDFIUM_LOCK = threading.Lock()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class FunctionsClient:
    """Calls the user functions of `function_app.app` exactly as the host would hand them a request."""

    def __init__(self, app=None, token: str | None = None) -> None:
        if app is None:
            from function_app import app as default_app

            app = default_app
        self.app = app
        self.routes = http_routes(app, route_prefix(HOST_JSON))
        self.token = token

    def as_(self, token: str | None) -> FunctionsClient:
        other = FunctionsClient.__new__(FunctionsClient)
        other.app, other.routes, other.token = self.app, self.routes, token
        return other

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Response:
        route, route_params, known = resolve(self.routes, method, path)
        if route is None:
            return Response(405 if known else 404, {}, b"")
        hdrs = {k.lower(): v for k, v in (headers or {}).items()}
        if self.token and "authorization" not in hdrs:
            hdrs["authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("content-type", "application/json")
        url = "http://127.0.0.1:7071" + path + (("?" + urlencode(params)) if params else "")
        req = func.HttpRequest(
            method=method.upper(), url=url, headers=hdrs, params=params or {}, route_params=route_params,
            body=body or b"",
        )
        resp: func.HttpResponse = route.handler(req)
        out_headers = {k.lower(): v for k, v in resp.headers.items()}
        if resp.mimetype:
            out_headers.setdefault("content-type", resp.mimetype)
        return Response(resp.status_code, out_headers, resp.get_body() or b"")

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw) -> Response:
        return self.request("POST", path, json_body=json, **kw)

    def patch(self, path: str, json: Any = None, **kw) -> Response:
        return self.request("PATCH", path, json_body=json, **kw)

    def delete(self, path: str, **kw) -> Response:
        return self.request("DELETE", path, **kw)
