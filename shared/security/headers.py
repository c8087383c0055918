"""Security response headers: one policy, applied by the HTTP adapter and by the devhost alike (pure).

API responses are data (JSON, CSV, PDF), never a page: nothing in them may run, embed or be framed,
browsers must not guess their type, and following a link from them must not leak the URL.
The web client's files (functions/web.py) get the same headers with a page's CSP and their caching; the
Function App serves both on one origin, so the headers are the same locally and in Azure.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from types import MappingProxyType

# `default-src 'none'` stops a response that a browser renders anyway (an error body opened in a tab)
# from loading anything; `frame-ancestors 'none'` stops it being framed (clickjacking).
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

API_HEADERS: Mapping[str, str] = MappingProxyType({
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    # Ignored by browsers over plain http (local development); binding once the site is served over TLS.
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
})


def api_headers() -> dict[str, str]:
    """A fresh copy of the headers every /api response carries."""
    return dict(API_HEADERS)


def add_missing(headers: MutableMapping[str, str], policy: Mapping[str, str] = API_HEADERS) -> None:
    """Add each policy header the response does not set itself (names compared case-insensitively)."""
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - some header types iterate as pairs
    for name, value in policy.items():
        if name.lower() not in present:
            headers[name] = value


# The web client has no inline script or style and loads nothing from another origin (tests/browser checks
# every page under this very policy); `data:`/`blob:` images are the QR codes and charts it makes itself.
WEB_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A file asked for by its plain name (a page, the service worker, JSON) may be kept but is revalidated each
# time: a deployment shows at once, and an unchanged file costs a 304. A file asked for by a name carrying a
# hash of its content (shared/web_client.py) never changes, so it is kept for a year without asking again.
WEB_FILE_CACHE_CONTROL = "no-cache"
WEB_HASHED_FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"

WEB_FILE_HEADERS: Mapping[str, str] = MappingProxyType({
    **API_HEADERS,
    "Content-Security-Policy": WEB_CONTENT_SECURITY_POLICY,
    "Cache-Control": WEB_FILE_CACHE_CONTROL,
})


def web_file_headers(*, immutable: bool = False) -> dict[str, str]:
    """A fresh copy of the headers every file of the web client carries; `immutable` for a hashed name."""
    headers = dict(WEB_FILE_HEADERS)
    if immutable:
        headers["Cache-Control"] = WEB_HASHED_FILE_CACHE_CONTROL
    return headers
