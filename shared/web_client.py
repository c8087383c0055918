"""The web client's files (web/), served by the Function App itself on its own origin, next to /api.

The package is read-only, so the files are read once per process, on the first request for one, into a
*release*:

- Every script, stylesheet and image also gets a name carrying a hash of its content
  (`js/app.js` → `js/app.3f9a0c12de.js`), and each reference to it in the release is rewritten to that name:
  `src`/`href` in the pages, `import` and `import()` in the modules, the service worker's shell list, the
  manifest's icons. A reference is any quoted relative path that names such a file from where the
  referring file sits, so a dynamic `import()` must name its module as a literal string. A file's hash
  covers the names it refers to, so a change reaches every file that loads it (files that import each
  other in a cycle share one hash). A hashed name always means the same bytes: browsers keep it for a year
  without asking again.
- The files whose address must not change (the pages, the service worker, JSON: `index.html`, `sw.js`,
  `manifest.json`, `config.json`, ...) keep only their own names and are revalidated on each use (a strong
  ETag, so an unchanged file costs a 304). The plain names of hashed files still answer, revalidated too.
- Text is sent compressed as the browser accepts (Brotli, else gzip, else as it is); each encoding of a file
  is made once, on its first request, and has its own ETag.

Only files of the release are served: a path that climbs out of web/, names a hidden file or an unknown
type is simply not found.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
# Text: references in it are rewritten, and it is worth compressing (PNG and WOFF2 are compressed already).
TEXT_TYPES = frozenset({".html", ".js", ".css", ".json", ".svg"})
# Pages, the worker and JSON are asked for by a name that must not change; everything else a page loads
# gets a hashed name too.
SERVICE_WORKER = "sw.js"
FIXED_NAME_TYPES = frozenset({".html", ".json"})
HASH_LENGTH = 10
# A quoted relative (or root-relative) path: `"./api.js"`, `'../dom.js'`, `"icons/icon-192.png"`.
REFERENCE = re.compile(r"""(?P<quote>["'])(?P<path>[\w./-]+\.\w+)(?P=quote)""")
BROTLI_QUALITY = 11  # the smallest output; each file is compressed once per process


def _keeps_its_name(path: PurePosixPath) -> bool:
    return path.suffix.lower() in FIXED_NAME_TYPES or str(path) == SERVICE_WORKER


@dataclass(frozen=True)
class Representation:
    """One encoding of a web file, as sent: the body and every header of the answer."""

    body: bytes
    headers: Mapping[str, str]

    @property
    def etag(self) -> str:
        return self.headers["ETag"]

    def is_current(self, if_none_match: str | None) -> bool:
        """True when the browser's copy (If-None-Match) is this representation, so a 304 will do."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return self.etag in tags or "*" in tags

    def not_modified_headers(self) -> dict[str, str]:
        """The headers of a 304: the same validators and caching, no body's encoding."""
        return {name: value for name, value in self.headers.items() if name != "Content-Encoding"}


@dataclass(frozen=True, eq=False)
class WebFile:
    """A file of the release at one of its names; `immutable` when that name carries its hash."""

    body: bytes
    content_type: str
    digest: str  # sha256 of the body, hex
    compressible: bool = False
    immutable: bool = False
    _encoded: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0]

    def representation(self, accept_encoding: str | None) -> Representation:
        """The file in the best encoding the browser accepts (Accept-Encoding) that makes it smaller."""
        headers = {**web_file_headers(immutable=self.immutable), "Content-Type": self.content_type}
        if not self.compressible:
            return Representation(self.body, {**headers, "ETag": f'"{self.digest[:32]}"'})
        # The answer depends on Accept-Encoding, so caches must keep one copy per encoding.
        headers["Vary"] = "Accept-Encoding"
        for encoding in choose_encodings(accept_encoding):
            body = self._encoding(encoding)
            if body is not None:
                return Representation(body, {**headers, "Content-Encoding": encoding,
                                             "ETag": f'"{self.digest[:32]}-{encoding}"'})
        return Representation(self.body, {**headers, "ETag": f'"{self.digest[:32]}"'})

    def _encoding(self, encoding: str) -> bytes | None:
        """The body in `encoding`, made on first use; None when it would not be smaller."""
        if encoding not in self._encoded:
            # Two first requests at once may both compress; either result is the same bytes.
            self._encoded[encoding] = COMPRESSORS[encoding](self.body)
        body = self._encoded[encoding]
        return body if len(body) < len(self.body) else None


def _brotli(body: bytes) -> bytes:
    import brotli  # only a process that serves the web client needs it

    return brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)


def _gzip(body: bytes) -> bytes:
    import gzip

    # mtime=0: the same bytes every time, so every instance sends the same representation for one ETag.
    return gzip.compress(body, compresslevel=9, mtime=0)


COMPRESSORS: Mapping[str, Callable[[bytes], bytes]] = {"br": _brotli, "gzip": _gzip}


def choose_encodings(accept_encoding: str | None) -> list[str]:
    """The encodings we offer that Accept-Encoding allows, best first (RFC 9110 §12.5.3); [] for identity."""
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if not name:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.lower()] = weight
    ranked = [(weights.get(encoding, weights.get("*", 0.0)), -rank, encoding)
              for rank, encoding in enumerate(COMPRESSORS)]
    return [encoding for weight, _, encoding in sorted(ranked, reverse=True) if weight > 0]


# --- the release ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """Every servable file of web/, by each name it answers to."""

    files: Mapping[str, WebFile]
    hashed_names: Mapping[str, str]  # plain path -> hashed path, for the files that have one

    def find(self, relative: PurePosixPath) -> WebFile:
        key = str(relative)
        found = self.files.get(key) or self.files.get(f"{key}/index.html")  # /folder/ serves its index.html
        if found is None:
            raise NotFound("There is nothing at this address.")
        return found


def _sources(root: Path) -> dict[str, bytes]:
    """The files under `root` that may be served: a known type, no hidden part, inside `root` once resolved."""
    resolved_root = root.resolve()
    found = {}
    for candidate in sorted(root.rglob("*")):
        relative = candidate.relative_to(root)
        if (relative.suffix.lower() not in CONTENT_TYPES or any(part.startswith(".") for part in relative.parts)
                or not candidate.is_file() or not candidate.resolve().is_relative_to(resolved_root)):
            continue
        found[relative.as_posix()] = candidate.read_bytes()
    return found


def _target(referrer: str, reference: str) -> str | None:
    """The web/ path a reference in `referrer` names, or None when it leaves web/."""
    base = "" if reference.startswith("/") else posixpath.dirname(referrer)
    target = posixpath.normpath(posixpath.join(base, reference.lstrip("/")))
    return None if target.startswith("..") else target


def _references(referrer: str, text: str, hashable: set[str]) -> set[str]:
    found = (_target(referrer, match["path"]) for match in REFERENCE.finditer(text))
    return {target for target in found if target in hashable}


def _rewrite(referrer: str, text: str, names: Mapping[str, str]) -> str:
    """`text` with each reference to a file in `names` pointing at its hashed name instead."""

    def renamed(match: re.Match[str]) -> str:
        reference = match["path"]
        hashed = names.get(_target(referrer, reference) or "")
        if hashed is None:
            return match[0]
        # The hashed file sits beside the original: only the last segment of the reference changes.
        head = reference[: len(reference) - len(posixpath.basename(reference))]
        return f"{match['quote']}{head}{posixpath.basename(hashed)}{match['quote']}"

    return REFERENCE.sub(renamed, text)


def _components(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each listed after every component it refers to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    ordered: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            ordered.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return ordered


def _hashed(path: str, digest: str) -> str:
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{digest[:HASH_LENGTH]}{pure.suffix}"))


def build_release(root: Path) -> Release:
    """Read web/ once: hashed names for what pages load, references rewritten to them, bodies final."""
    sources = _sources(root)
    text = {path: body.decode("utf-8") for path, body in sources.items()
            if PurePosixPath(path).suffix.lower() in TEXT_TYPES}
    hashable = {path for path in sources if not _keeps_its_name(PurePosixPath(path))}
    graph = {path: _references(path, text[path], hashable) if path in text else set() for path in hashable}

    names: dict[str, str] = {}
    bodies: dict[str, bytes] = {}
    for component in _components(graph):
        # What the component refers to outside itself is named already; its members are named together,
        # from all their contents, so a cycle of imports still gets names that change with any member.
        drafts = {path: _rewrite(path, text[path], names).encode() if path in text else sources[path]
                  for path in component}
        together = hashlib.sha256(b"".join(path.encode() + b"\0" + drafts[path] + b"\0" for path in component))
        for path in component:
            names[path] = _hashed(path, hashlib.sha256(together.digest() + path.encode()).hexdigest())
        for path in component:
            bodies[path] = _rewrite(path, drafts[path].decode(), names).encode() if path in text else drafts[path]
    for path in sources.keys() - hashable:
        bodies[path] = _rewrite(path, text[path], names).encode() if path in text else sources[path]

    files: dict[str, WebFile] = {}
    for path, body in bodies.items():
        suffix = PurePosixPath(path).suffix.lower()
        plain = WebFile(body, CONTENT_TYPES[suffix], hashlib.sha256(body).hexdigest(), suffix in TEXT_TYPES)
        files[path] = plain
        if path in names:
            # The same bytes, and so the same encodings once made, under the name that never changes them.
            files[names[path]] = replace(plain, immutable=True, _encoded=plain._encoded)
    return Release(files, names)


_releases: dict[Path, Release] = {}
_building = threading.Lock()


def release(root: Path = WEB_ROOT) -> Release:
    """The release of `root`, built by the first request that needs it (one build however many arrive)."""
    built = _releases.get(root)
    if built is None:
        with _building:
            built = _releases.get(root) or _releases.setdefault(root, build_release(root))
    return built


def _relative(path: str) -> PurePosixPath:
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts:
        return PurePosixPath("index.html")
    # API paths are never web files: an unknown /api/... path is a 404, not the web client.
    if parts[0].lower() == API_PREFIX or any(part in (".", "..") or part.startswith(".") for part in parts):
        raise NotFound("There is nothing at this address.")
    return PurePosixPath(*parts)


def web_file(path: str, root: Path = WEB_ROOT) -> WebFile:
    """The file of the web client at a request path ("" and "/" are index.html); NotFound otherwise."""
    relative = _relative(path)
    return release(root).find(relative)
