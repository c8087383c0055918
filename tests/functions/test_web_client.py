"""The web client is served by the app itself at `/`, with the security and cache headers of one policy,
compressed as the browser accepts, and with names that carry each file's content hash."""

import gzip
import json
import re

import brotli
import pytest

from shared.errors import NotFound
from shared.security.headers import WEB_CONTENT_SECURITY_POLICY, api_headers, web_file_headers
from shared.web_client import WEB_ROOT, release, web_file

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
IMMUTABLE = "public, max-age=31536000, immutable"
BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


def hashed(path: str) -> str:
    return "/" + release().hashed_names[path.lstrip("/")]


def decoded(resp) -> bytes:
    encoding = resp.headers.get("content-encoding")
    if encoding == "br":
        return brotli.decompress(resp.body)
    if encoding == "gzip":
        return gzip.decompress(resp.body)
    assert encoding is None, encoding
    return resp.body


def test_the_root_serves_index_html_with_the_strict_policy_and_revalidation(client):
    resp = client.get("/")

    assert resp.status == 200
    assert resp.body == release().files["index.html"].body
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert "script-src 'self';" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-cache"
    assert resp.headers["etag"]


def test_index_html_names_its_script_and_stylesheet_by_content_hash_and_has_no_inline_script(client):
    page = client.get("/").body.decode()

    assert f'<script type="module" src="{hashed("js/app.js")[1:]}"></script>' in page
    assert f'<link rel="stylesheet" href="{hashed("styles.css")[1:]}">' in page
    # The strict CSP allows no inline script: every <script> names a file.
    assert re.findall(r"<script\b[^>]*>", page) == [f'<script type="module" src="{hashed("js/app.js")[1:]}">']


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/styles.css", "text/css; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
        ("/config.json", "application/json"),
        ("/icons/icon-192.png", "image/png"),
    ],
)
def test_each_kind_of_file_is_served_with_its_type_and_the_same_headers(client, path, content_type):
    resp = client.get(path)

    assert resp.status == 200
    assert resp.body == release().files[path.lstrip("/")].body
    assert resp.headers["content-type"] == content_type
    for name in SECURITY_HEADERS:
        assert resp.headers[name] == {k.lower(): v for k, v in web_file_headers().items()}[name]


def test_files_without_references_are_served_as_they_are_in_the_package(client):
    for path in ("/config.json", "/icon.svg", "/styles.css", "/icons/icon-192.png"):
        assert client.get(path).body == (WEB_ROOT / path.lstrip("/")).read_bytes(), path


def test_config_json_points_the_client_at_the_api_on_its_own_origin(client):
    assert client.get("/config.json").json() == {"api_base": "/api"}


def test_an_unchanged_file_costs_a_304_and_a_changed_one_is_sent_again(client):
    first = client.get("/js/app.js")

    again = client.get("/js/app.js", headers={"If-None-Match": first.headers["etag"]})
    stale = client.get("/js/app.js", headers={"If-None-Match": '"0123"'})

    assert again.status == 304 and again.body == b""
    assert again.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
    assert again.headers["etag"] == first.headers["etag"]
    assert stale.status == 200 and stale.body == first.body


# --- compression -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [(BROWSER, "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip"), ("gzip;q=0.5, br;q=0.8", "br"),
     ("*", "br"), ("identity", None), ("br;q=0, gzip;q=0", None), (None, None), ("zstd", None)],
)
def test_text_is_sent_compressed_as_the_browser_accepts(client, accept_encoding, encoding):
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    resp = client.get(hashed("styles.css"), headers=headers)

    assert resp.status == 200
    assert resp.headers.get("content-encoding") == encoding
    assert resp.headers["vary"] == "Accept-Encoding"
    assert decoded(resp) == (WEB_ROOT / "styles.css").read_bytes()
    if encoding:
        assert len(resp.body) < len(decoded(resp)) / 3


def test_each_encoding_has_its_own_etag_and_a_304_only_for_the_copy_the_browser_holds(client):
    br = client.get("/js/app.js", headers={"Accept-Encoding": "br"})
    gz = client.get("/js/app.js", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/js/app.js")

    assert len({br.headers["etag"], gz.headers["etag"], plain.headers["etag"]}) == 3
    held = client.get("/js/app.js", headers={"Accept-Encoding": "br", "If-None-Match": br.headers["etag"]})
    other = client.get("/js/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": br.headers["etag"]})
    assert held.status == 304 and held.body == b""
    assert held.headers["vary"] == "Accept-Encoding" and "content-encoding" not in held.headers
    assert other.status == 200 and other.headers["content-encoding"] == "gzip"
    assert decoded(other) == plain.body


def test_images_already_compressed_and_tiny_files_are_sent_as_they_are(client):
    png = client.get(hashed("icons/icon-192.png"), headers={"Accept-Encoding": BROWSER})
    config = client.get("/config.json", headers={"Accept-Encoding": BROWSER})

    assert "content-encoding" not in png.headers and "vary" not in png.headers
    assert png.body == (WEB_ROOT / "icons" / "icon-192.png").read_bytes()
    # 25 bytes: compressed it would only grow, so it goes as it is (still varying by Accept-Encoding).
    assert "content-encoding" not in config.headers and config.headers["vary"] == "Accept-Encoding"


def test_a_head_request_gets_the_headers_of_the_compressed_answer(client):
    resp = client.request("HEAD", hashed("js/app.js"), headers={"Accept-Encoding": BROWSER})

    assert resp.status == 200
    assert resp.headers["content-encoding"] == "br" and resp.headers["cache-control"] == IMMUTABLE


# --- names that carry a content hash ---------------------------------------------------------------------


def test_a_hashed_name_is_cached_for_a_year_and_the_plain_name_is_revalidated(client):
    for plain in ("js/app.js", "styles.css", "icon.svg", "js/pages/upload.js", "icons/maskable-512.png"):
        named = client.get(hashed(plain))
        assert named.status == 200 and named.headers["cache-control"] == IMMUTABLE, plain
        assert named.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
        assert re.fullmatch(r"/.+\.[0-9a-f]{10}\.\w+", hashed(plain))
        assert client.get("/" + plain).headers["cache-control"] == "no-cache"
        assert client.get("/" + plain).body == named.body


@pytest.mark.parametrize("path", ["/", "/index.html", "/sw.js", "/manifest.json", "/config.json", "/offline.html"])
def test_pages_the_worker_and_json_keep_their_names_and_are_revalidated_with_an_etag(client, path):
    resp = client.get(path)

    assert resp.status == 200
    assert resp.headers["cache-control"] == "no-cache" and resp.headers["etag"]
    assert path.lstrip("/") not in release().hashed_names


def test_a_hashed_name_of_another_release_is_not_found(client):
    current = hashed("js/app.js")
    other = re.sub(r"\.[0-9a-f]{10}\.js$", ".0000000000.js", current)

    assert client.get(other).status == 404


def test_every_module_imports_the_others_by_their_hashed_names(client):
    """One name per module: a module loaded by its plain name beside its hashed one would run twice (two
    sessions, two routers), so no served module may import another by a plain name, nor by a template."""
    served = release()
    for plain, named in served.hashed_names.items():
        if not plain.endswith(".js"):
            continue
        source = client.get("/" + named).body.decode()
        assert not re.search(r"\bimport\s*\(\s*`", source), f"{plain}: import() of a template literal"
        specifiers = re.findall(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'\s]+)["']""", source)
        for specifier in specifiers:
            assert re.search(r"\.[0-9a-f]{10}\.js$", specifier), f"{plain} imports {specifier} by its plain name"
            target = "/".join([*plain.split("/")[:-1], specifier]).replace("/./", "/")
            resolved = client.get("/" + re.sub(r"[^/]+/\.\./", "", target))
            assert resolved.status == 200, (plain, specifier)


def test_the_worker_caches_only_files_that_exist_and_knows_which_names_are_hashed(client):
    worker = client.get("/sw.js").body.decode()
    shell = json.loads("[" + re.search(r"const SHELL = \[(.*?)\];", worker, re.S).group(1).rstrip().rstrip(",") + "]")
    hashed_pattern = re.search(r"const HASHED = /(.+)/;", worker).group(1)

    assert "offline.html" in shell
    for path in shell:
        assert client.get("/" + path).status == 200, path
    # The worker answers hashed names from its cache: its pattern must match exactly the server's names.
    for name, file in release().files.items():
        assert bool(re.search(hashed_pattern, name)) == file.immutable, name


def test_index_html_preloads_exactly_the_modules_app_js_imports(client):
    served = release()
    page = served.files["index.html"].body.decode()
    app = served.files["js/app.js"].body.decode()

    preloaded = set(re.findall(r'<link rel="modulepreload" href="js/([^"]+)">', page))
    imported = set(re.findall(r'^import .* from "\./([^"]+)";$', app, re.M))
    assert preloaded == imported and imported


def test_the_pupil_sign_in_page_reaches_no_staff_script_through_static_imports():
    served = release()
    plain_of = {named: plain for plain, named in served.hashed_names.items()}
    static = re.compile(r'^import .* from "([^"]+)";$', re.M)
    reached, todo = set(), ["js/app.js", "js/pages/signin.js"]
    while todo:
        path = todo.pop()
        if path in reached:
            continue
        reached.add(path)
        folder = path.rsplit("/", 1)[0]
        for specifier in static.findall(served.files[path].body.decode()):
            parts = [*folder.split("/"), *specifier.split("/")]
            stack: list[str] = []
            for part in parts:
                if part == "..":
                    stack.pop()
                elif part != ".":
                    stack.append(part)
            todo.append(plain_of["/".join(stack)])

    assert reached == {"js/app.js", "js/api.js", "js/dom.js", "js/session.js", "js/icons.js",
                       "js/pages/common.js", "js/pages/signin.js"}


# --- what is not a web file ------------------------------------------------------------------------------


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
    assert web_file_headers(immutable=True) == {**web, "Cache-Control": IMMUTABLE}


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
