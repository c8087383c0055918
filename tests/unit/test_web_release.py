"""The web client's release (shared/web_client.py): hashed names that change exactly when a file or anything
it loads changes, references rewritten to them, and the encoding a browser's Accept-Encoding picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.web_client import build_release, choose_encodings


def tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


APP = {
    "index.html": '<link rel="stylesheet" href="styles.css"><script type="module" src="js/app.js"></script>',
    "sw.js": 'const SHELL = ["offline.html", "styles.css", "js/app.js"];',
    "offline.html": '<link rel="stylesheet" href="styles.css">',
    "manifest.json": '{"icons": [{"src": "icon.svg"}], "start_url": "./"}',
    "config.json": '{"api_base": "/api"}',
    "styles.css": "body { color: black; }",
    "icon.svg": "<svg></svg>",
    "js/app.js": 'import { h } from "./dom.js";\nconst page = () => import("./pages/page.js");\nfetch("config.json");',
    "js/dom.js": "export const h = 1;",
    "js/pages/page.js": 'import { h } from "../dom.js";\nexport const page = h;',
    "js/other.js": "export const other = 2;",
}


def test_pages_the_worker_and_json_keep_their_names_and_everything_else_gets_a_hashed_one(tmp_path):
    served = build_release(tree(tmp_path, APP))

    assert set(served.hashed_names) == {"styles.css", "icon.svg", "js/app.js", "js/dom.js", "js/pages/page.js",
                                        "js/other.js"}
    for plain, named in served.hashed_names.items():
        stem, suffix = plain.rsplit(".", 1)
        assert named.startswith(stem + ".") and named.endswith("." + suffix) and len(named) == len(plain) + 11
        assert served.files[named].immutable and not served.files[plain].immutable
        assert served.files[named].body == served.files[plain].body


def test_references_are_rewritten_relative_to_the_file_that_makes_them(tmp_path):
    served = build_release(tree(tmp_path, APP))
    names = served.hashed_names

    def name(path: str) -> str:
        return names[path].rsplit("/", 1)[-1]

    assert served.files["index.html"].body.decode() == (
        f'<link rel="stylesheet" href="{names["styles.css"]}"><script type="module" src="{names["js/app.js"]}">'
        "</script>")
    assert served.files["sw.js"].body.decode() == (
        f'const SHELL = ["offline.html", "{names["styles.css"]}", "{names["js/app.js"]}"];')
    manifest = served.files["manifest.json"].body.decode()
    assert manifest == f'{{"icons": [{{"src": "{names["icon.svg"]}"}}], "start_url": "./"}}'
    app = served.files["js/app.js"].body.decode()
    assert f'from "./{name("js/dom.js")}"' in app and f'import("./pages/{name("js/pages/page.js")}")' in app
    # A fetch() names a URL relative to the page, not to the module: config.json is not a module's neighbour.
    assert 'fetch("config.json")' in app
    assert f'from "../{name("js/dom.js")}"' in served.files["js/pages/page.js"].body.decode()


def test_a_change_renames_the_file_and_everything_that_loads_it_and_nothing_else(tmp_path):
    before = build_release(tree(tmp_path, APP)).hashed_names
    (tmp_path / "js" / "dom.js").write_text("export const h = 2;")
    after = build_release(tmp_path).hashed_names

    changed = {path for path in before if before[path] != after[path]}
    assert changed == {"js/dom.js", "js/pages/page.js", "js/app.js"}


def test_a_changed_shell_file_changes_the_service_worker_so_browsers_install_the_new_one(tmp_path):
    worker_before = build_release(tree(tmp_path, APP)).files["sw.js"].body
    (tmp_path / "styles.css").write_text("body { color: navy; }")

    assert build_release(tmp_path).files["sw.js"].body != worker_before


def test_modules_that_import_each_other_share_a_change(tmp_path):
    files = {"js/a.js": 'import { b } from "./b.js";\nexport const a = 1;',
             "js/b.js": 'import { a } from "./a.js";\nexport const b = 1;',
             "js/c.js": 'import { a } from "./a.js";\nexport const c = 1;',
             "js/d.js": "export const d = 1;"}
    before = build_release(tree(tmp_path, files))
    names = before.hashed_names
    assert f'from "./{names["js/b.js"].split("/")[-1]}"' in before.files["js/a.js"].body.decode()
    assert f'from "./{names["js/a.js"].split("/")[-1]}"' in before.files["js/b.js"].body.decode()

    (tmp_path / "js" / "b.js").write_text('import { a } from "./a.js";\nexport const b = 2;')
    after = build_release(tmp_path).hashed_names

    assert {path for path in names if names[path] != after[path]} == {"js/a.js", "js/b.js", "js/c.js"}


def test_the_same_files_get_the_same_names_in_every_process(tmp_path):
    assert build_release(tree(tmp_path, APP)).hashed_names == build_release(tmp_path).hashed_names


def test_hidden_files_unknown_types_and_references_out_of_the_folder_are_left_alone(tmp_path):
    files = {**APP, ".secret.js": "x", "notes.md": "x", "js/up.js": 'import "../../outside.js";'}
    (tmp_path / "outside.js").write_text("x")
    served = build_release(tree(tmp_path / "web", files))

    assert ".secret.js" not in served.files and "notes.md" not in served.files
    assert served.files["js/up.js"].body == b'import "../../outside.js";'


@pytest.mark.parametrize(
    ("accept_encoding", "chosen"),
    [
        ("gzip, deflate, br, zstd", ["br", "gzip"]),
        ("gzip", ["gzip"]),
        ("br;q=0.5, gzip", ["gzip", "br"]),
        ("BR", ["br"]),
        ("*", ["br", "gzip"]),
        ("*;q=0.2, gzip", ["gzip", "br"]),
        ("br;q=0, *", ["gzip"]),
        ("br; q=0.000, gzip; q=0", []),
        ("identity", []),
        ("", []),
        (None, []),
        ("br;q=oops, gzip", ["gzip"]),
        (",,gzip;;", ["gzip"]),
    ],
)
def test_the_encodings_offered_follow_accept_encoding_and_its_weights(accept_encoding, chosen):
    assert choose_encodings(accept_encoding) == chosen
