"""The web client's files (web/), served by the Function App itself on its own origin, next to /api.

Only files that exist under web/ with a known type are served; a path that climbs out of web/, names a
hidden file or an unknown type is simply not found. Files are read once per process (the package is
read-only in Azure) and carry a strong ETag, so an unchanged file costs the browser a 304.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from shared.api.spec import API_PREFIX
from shared.errors import NotFound
from shared.security.headers import web_file_headers

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


@dataclass(frozen=True)
class WebFile:
    body: bytes
    content_type: str
    etag: str

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0]

    def headers(self) -> dict[str, str]:
        return {**web_file_headers(), "Content-Type": self.content_type, "ETag": self.etag}

    def is_current(self, if_none_match: str | None) -> bool:
        """True when the browser's copy (If-None-Match) is this file, so a 304 will do."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return self.etag in tags or "*" in tags


def _relative(path: str) -> PurePosixPath:
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts:
        return PurePosixPath("index.html")
    # API paths are never web files: an unknown /api/... path is a 404, not the web client.
    if parts[0].lower() == API_PREFIX or any(part in (".", "..") or part.startswith(".") for part in parts):
        raise NotFound("There is nothing at this address.")
    return PurePosixPath(*parts)


@cache
def _load(root: Path, relative: PurePosixPath) -> WebFile:
    content_type = CONTENT_TYPES.get(relative.suffix.lower())
    candidate = root.joinpath(*relative.parts)
    if relative.suffix == "" and candidate.is_dir():
        # /folder/ serves its index.html, as static hosts do.
        candidate, content_type = candidate / "index.html", CONTENT_TYPES[".html"]
    resolved = candidate.resolve()
    if content_type is None or not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        raise NotFound("There is nothing at this address.")
    body = resolved.read_bytes()
    return WebFile(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def web_file(path: str, root: Path = WEB_ROOT) -> WebFile:
    """The file of the web client at a request path ("" and "/" are index.html); NotFound otherwise."""
    return _load(root, _relative(path))
