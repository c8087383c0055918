"""The devhost's ASGI app, driven in process through httpx's ASGI transport (no sockets, no storage)."""

import asyncio
import json

import azure.functions as func
import httpx
import pytest

from devhost.http_server import build_app, cors_origins
from devhost.routing import http_routes


def _app() -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="echo/{item_id}", methods=["POST"])
    def echo(req: func.HttpRequest) -> func.HttpResponse:
        payload = {
            "method": req.method,
            "url": req.url,
            "route": dict(req.route_params),
            "params": dict(req.params),
            "header": req.headers.get("x-test"),
            "body": req.get_json(),
        }
        return func.HttpResponse(json.dumps(payload), status_code=201, mimetype="application/json")

    @app.route(route="text", methods=["GET"])
    def text(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("héllo", headers={"Set-Cookie": "a=1", "X-Extra": "yes"})

    @app.route(route="typed", methods=["GET"])
    def typed(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(b"%PDF", headers={"Content-Type": "application/pdf"}, mimetype="text/plain")

    @app.route(route="nothing", methods=["DELETE"])
    def nothing(req: func.HttpRequest) -> None:
        return None

    @app.route(route="plain", methods=["GET"])
    def plain(req: func.HttpRequest) -> str:
        return "just text"

    @app.route(route="crash", methods=["GET"])
    def crash(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("internal detail that must not leak")

    @app.route(route="async", methods=["GET"])
    async def asynchronous(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("awaited")

    return app


ROUTES = http_routes(_app(), "api")


class AsgiClient:
    """A blocking client over httpx.ASGITransport (Starlette's TestClient is deprecated with httpx)."""

    def __init__(self, app) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def options(self, url: str, **kwargs) -> httpx.Response:
        return self.request("OPTIONS", url, **kwargs)


@pytest.fixture
def client():
    return AsgiClient(build_app(ROUTES, prefix="api"))


def test_the_function_gets_a_real_request_with_route_values_query_headers_and_body(client):
    resp = client.post("/api/echo/42?q=x&page=2", json={"a": 1}, headers={"x-test": "yes"})
    assert resp.status_code == 201
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == {
        "method": "POST",
        "url": "http://testserver/api/echo/42?q=x&page=2",
        "route": {"item_id": "42"},
        "params": {"q": "x", "page": "2"},
        "header": "yes",
        "body": {"a": 1},
    }


def test_text_gets_its_charset_and_every_header_the_function_set(client):
    resp = client.get("/api/text")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert resp.text == "héllo"
    assert resp.headers["x-extra"] == "yes"
    assert resp.headers["set-cookie"] == "a=1"


def test_a_content_type_header_wins_over_the_mimetype(client):
    resp = client.get("/api/typed")
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.content == b"%PDF"


def test_returning_none_is_204_and_a_string_is_200(client):
    assert client.delete("/api/nothing").status_code == 204
    resp = client.get("/api/plain")
    assert (resp.status_code, resp.text) == (200, "just text")


def test_async_functions_are_awaited(client):
    assert client.get("/api/async").text == "awaited"


def test_a_crash_is_a_bare_500(client):
    resp = client.get("/api/crash")
    assert resp.status_code == 500
    assert resp.content == b""


def test_another_method_on_a_known_path_is_405_and_an_unknown_path_404(client):
    wrong_method = client.get("/api/echo/42")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in client.get("/api/unknown").headers["content-security-policy"]
    assert client.get("/api/unknown").status_code == 404
    assert client.get("/").status_code == 404


def test_cors_answers_preflights_for_allowed_origins_only():
    client = AsgiClient(build_app(ROUTES, prefix="api", allowed_origins=["http://web.test"]))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = client.options("/api/echo/1", headers={"Origin": "http://web.test", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://web.test"
    refused = client.options("/api/echo/1", headers={"Origin": "http://evil.test", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    simple = client.get("/api/text", headers={"Origin": "http://web.test"})
    assert simple.headers["access-control-allow-origin"] == "http://web.test"
    assert "x-correlation-id" in simple.headers["access-control-expose-headers"]


def test_without_origins_there_are_no_cors_headers(client):
    resp = client.get("/api/text", headers={"Origin": "http://web.test"})
    assert "access-control-allow-origin" not in resp.headers


def test_cors_origins_setting_is_comma_separated_and_may_be_empty():
    assert cors_origins("") == []
    assert cors_origins(None) == []
    assert cors_origins("http://a.test/, *") == ["http://a.test", "*"]


def test_the_local_mailbox_page_lists_received_mail_escaped():
    import smtplib
    from email.message import EmailMessage

    from devhost.http_server import MAIL_PAGE, build_app
    from devhost.mailbox import Mailbox

    box = Mailbox().start()
    try:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "app@cu.local", "reader@example.org.uk", "Hello <there>"
        mail.set_content("Open http://127.0.0.1/#/password/reset/abc")
        with smtplib.SMTP(box.host, box.port) as smtp:
            smtp.send_message(mail)
        page = AsgiClient(build_app([], prefix="api", mailbox=box)).request("GET", MAIL_PAGE)
    finally:
        box.stop()
    assert page.status_code == 200 and "Hello &lt;there&gt;" in page.text
    assert "reader@example.org.uk" in page.text and "#/password/reset/abc" in page.text
