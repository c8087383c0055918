"""The layout rules of shared/ (README, "Architecture"), checked on the source so they stay true."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The owners of the tables: every `store.py` / `*_store.py`, and these (shared/storage/names.py names the
# owner beside each table; shared/storage/clients.py opens one to check that storage answers).
NAMED_STORES = {
    "shared/audit.py",
    "shared/due_dates.py",
    "shared/storage/clients.py",
}
STORE_MODULES = NAMED_STORES | {
    str(p.relative_to(ROOT)) for p in (ROOT / "shared").rglob("*.py") if p.stem == "store" or p.stem.endswith("_store")
}


def _table_calls(path: Path, kinds: tuple[str, ...] = ("table",)) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in kinds]


def test_only_store_modules_open_a_table():
    outside = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in (ROOT / "shared").rglob("*.py")
        if str(path.relative_to(ROOT)) not in STORE_MODULES
        for line in _table_calls(path)
    }
    assert outside == set(), "keys and row formats belong to the table's store module"


def test_every_store_module_still_opens_a_table():
    # A module that no longer owns a table must leave the list, so the list keeps meaning "the owners".
    # (or a blob container: the MIS drop's uploads and reports have their store too)
    assert {m for m in STORE_MODULES if not _table_calls(ROOT / m, ("table", "container"))} == set()


def test_no_two_parts_of_shared_import_each_other():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def _imported_names(tree: ast.Module) -> set[str]:
    return {(a.asname or a.name).split(".")[0] for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
            for a in node.names}


def test_stores_re_export_nothing():
    # A domain record lives in its package's model.py; importing it through a store that happens to use it
    # would hide where it is defined (and tie the caller to the store's imports).
    imported_by_store = {
        m.removesuffix(".py").replace("/", "."): _imported_names(ast.parse((ROOT / m).read_text(encoding="utf-8")))
        for m in STORE_MODULES
    }
    through_a_store = {
        f"{path.relative_to(ROOT)}:{node.lineno} {alias.name} via {node.module}"
        for folder in ("shared", "functions", "bench", "tests", "devhost")
        for path in (ROOT / folder).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module in imported_by_store
        for alias in node.names
        if alias.name in imported_by_store[node.module]
    }
    assert through_a_store == set(), "import it from the module that defines it"
