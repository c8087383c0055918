from devhost.routing import functions_of
from function_app import app
from shared.api.openapi import openapi_path


def test_health_reports_storage_ok(client):
    resp = client.get("/api/health")
    assert resp.status == 200
    assert resp.json() == {"status": "ok", "storage": "ok"}
    assert resp.headers["x-correlation-id"]


def test_openapi_lists_every_http_function_of_the_app(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for fn in functions_of(app):
        trigger = fn.get_trigger()
        if trigger.get_binding_name() != "httpTrigger" or fn.get_function_name() == "web_client":
            continue
        # Routes carry their /api prefix themselves (host.json's routePrefix is empty).
        path = openapi_path(trigger.route, prefix="")
        for method in trigger.methods:
            operation = doc["paths"].get(path, {}).get(str(method.value).lower())
            assert operation is not None, f"{fn.get_function_name()} missing from openapi.json"
            assert operation["operationId"] == fn.get_function_name()


def test_unknown_correlation_header_is_replaced_by_a_fresh_id(client):
    resp = client.get("/api/health", headers={"x-correlation-id": "bad id with spaces"})
    assert resp.headers["x-correlation-id"] != "bad id with spaces"


def test_every_api_response_carries_the_security_headers(client):
    for resp in (client.get("/api/health"), client.get("/api/me", headers={"authorization": "Bearer x"}),
                 client.post("/api/auth/login", body=b"{", headers={"content-type": "application/json"})):
        assert resp.headers.get("x-content-type-options") == "nosniff", resp.status
        assert "frame-ancestors 'none'" in resp.headers.get("content-security-policy", "")
        assert resp.headers.get("referrer-policy") == "no-referrer"
