"""The web client is served by the app itself at `/`, with the security and cache headers of one policy."""

import pytest

from shared.errors import NotFound
from shared.security.headers import WEB_CONTENT_SECURITY_POLICY, api_headers, web_file_headers
from shared.web_client import WEB_ROOT, web_file

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def test_the_root_serves_index_html_with_the_strict_policy_and_revalidation(client):
    resp = client.get("/")

    assert resp.status == 200
    assert resp.body == (WEB_ROOT / "index.html").read_bytes()
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/styles.css", "text/css; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
        ("/config.json", "application/json"),
    ],
)
def test_each_kind_of_file_is_served_with_its_type_and_the_same_headers(client, path, content_type):
    resp = client.get(path)

    assert resp.status == 200
    assert resp.body == (WEB_ROOT / path.lstrip("/")).read_bytes()
    assert resp.headers["content-type"] == content_type
    for name in SECURITY_HEADERS:
        assert resp.headers[name] == {k.lower(): v for k, v in web_file_headers().items()}[name]


def test_config_json_points_the_client_at_the_api_on_its_own_origin(client):
    assert client.get("/config.json").json() == {"api_base": "/api"}


def test_an_unchanged_file_costs_a_304_and_a_changed_one_is_sent_again(client):
    first = client.get("/js/app.js")

    again = client.get("/js/app.js", headers={"If-None-Match": first.headers["etag"]})
    stale = client.get("/js/app.js", headers={"If-None-Match": '"0123"'})

    assert again.status == 304 and again.body == b""
    assert again.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
    assert stale.status == 200 and stale.body == first.body


@pytest.mark.parametrize(
    "path",
    ["/missing.html", "/js/../../function_app.py", "/..%2Fhost.json", "/.funcignore", "/js/.hidden.js",
     "/api/no-such-endpoint", "/API/health/x", "/index.py"],
)
def test_anything_that_is_not_a_web_file_is_a_404_problem(client, path):
    resp = client.get(path)

    assert resp.status == 404
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_api_routes_win_over_the_web_client(client):
    resp = client.get("/api/health")

    assert resp.status == 200
    assert resp.json()["status"] == "ok"


def test_a_path_outside_the_web_folder_is_refused_even_when_the_file_exists(tmp_path):
    root = tmp_path / "web"
    root.mkdir()
    (root / "index.html").write_text("<p>client</p>")
    (tmp_path / "secret.json").write_text("{}")
    (root / "link.json").symlink_to(tmp_path / "secret.json")

    assert web_file("", root).body == b"<p>client</p>"
    for path in ("../secret.json", "link.json", "/%2e%2e/secret.json"):
        with pytest.raises(NotFound):
            web_file(path, root)


def test_web_files_share_the_api_policy_but_not_its_csp():
    web, api = web_file_headers(), api_headers()

    assert "default-src 'none'" in api["Content-Security-Policy"]
    assert "default-src 'self'" in web["Content-Security-Policy"]
    assert set(api) <= set(web)
    assert all(web[name] == api[name] for name in set(api) - {"Content-Security-Policy"})


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/api/auth/login", "POST"), ("HEAD", "/api/health", "GET"),
     ("GET", "/api/schools/s1/roster", "POST")],
)
def test_an_api_path_asked_with_another_method_is_a_405_that_says_what_is_allowed(client, method, path, allow):
    resp = client.request(method, path)

    assert resp.status == 405
    assert resp.headers["allow"] == allow
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_a_404_for_a_missing_file_carries_the_security_headers(client):
    resp = client.get("/nothing-here.js")

    assert resp.status == 404
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
