"""The layout rules of shared/ (README, "Architecture"), checked on the source so they stay true."""

from __future__ import annotations

import ast
import re
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


# --- typed stores (issue 21): rows stay inside their stores -----------------------------------------------

KEY_FIELDS = {"PartitionKey", "RowKey"}
# The names under which a store spells out where its rows live: partitions, row keys, prefixes and ranges.
_KEY_NAME = re.compile(r"(_PK|_RK|_PREFIX|_RANGE_END|_RANGE|_LISTING)$|^\w*_listing(_\w+)?$|_partition$|_range$")
# What a raw row looks like in a signature: an entity, a mapping, or a dict of anything.
_RAW_ROW = re.compile(r"\b(Entity|TableEntity|Mapping|Any)\b|\bdict\b(?!\[str, (?!Any)\w)")
TABLE_STORES = {m for m in STORE_MODULES if _table_calls(ROOT / m)}


def _shared_modules() -> list[Path]:
    return sorted((ROOT / "shared").rglob("*.py"))


def _is_store_or_storage(path: Path) -> bool:
    rel = str(path.relative_to(ROOT))
    return rel in STORE_MODULES or rel.startswith("shared/storage/")


def test_nothing_outside_the_stores_names_a_key_field():
    named = {
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in [*_shared_modules(), *(ROOT / "functions").rglob("*.py")]
        if not _is_store_or_storage(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in KEY_FIELDS
    }
    assert named == set(), "only a table's store knows its keys"


def test_nothing_outside_the_stores_uses_how_a_store_lays_out_its_keys():
    store_modules = {m.removesuffix(".py").replace("/", ".") for m in STORE_MODULES}
    used = set()
    for path in [*_shared_modules(), *(ROOT / "functions").rglob("*.py")]:
        if _is_store_or_storage(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        store_aliases = {a.asname or a.name.rsplit(".", 1)[-1] for node in ast.walk(tree)
                         if isinstance(node, ast.ImportFrom) for a in node.names
                         if f"{node.module}.{a.name}" in store_modules}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in store_modules:
                used |= {f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if _KEY_NAME.search(a.name)}
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in store_aliases and _KEY_NAME.search(node.attr)):
                used.add(f"{path.relative_to(ROOT)}: {node.value.id}.{node.attr}")
    assert used == set(), "a key's layout is its store's: ask the store a question in the domain's words"


def _public_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")):
        found += [n for n in cls.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    return found


def test_no_public_store_function_hands_out_a_raw_row():
    raw = {
        f"{module}: {fn.name} -> {ast.unparse(fn.returns) if fn.returns else '(not annotated)'}"
        for module in TABLE_STORES
        for fn in _public_functions(ast.parse((ROOT / module).read_text(encoding="utf-8")))
        if fn.returns is None or _RAW_ROW.search(ast.unparse(fn.returns))
    }
    assert raw == set(), "a store takes and returns records; its rows stay inside it"


# The fields of a pupil's own row: only its codec, roster/store.py, spells them out.
PUPIL_ROW_FIELDS = {"first_name", "last_name", "date_of_birth", "gender", "upn", "username", "status", "restricted",
                    "total_minutes", "learning_stats", "session_version", "erasing", "has_login", "cohort",
                    "deletion_due", "left_at"}


def test_the_pupil_row_has_one_codec():
    # Every other module that reads or writes the `pupils` table (the learning record's store) goes through it.
    spelled = {
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value}"
        for path in _shared_modules()
        if str(path.relative_to(ROOT)) in TABLE_STORES and str(path.relative_to(ROOT)) != "shared/roster/store.py"
        and "PUPILS" in path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in PUPIL_ROW_FIELDS
    }
    assert spelled == set()


def _dict_builders(key: str) -> set[str]:
    """Functions of modules that write the `pupils` table and build a dict literal with `key` among its keys."""
    found = set()
    for path in _shared_modules():
        if "PUPILS" not in path.read_text(encoding="utf-8"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and any(
                    isinstance(d, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == key for k in d.keys)
                    for d in ast.walk(fn)):
                found.add(f"{path.relative_to(ROOT)}:{fn.name}")
    return found


def test_learning_rows_have_one_writer_and_award_rows_one_builder():
    assert _dict_builders("award_key") == {"shared/learning/record_store.py:_award_entity"}
    assert _dict_builders("redemption_id") <= {"shared/learning/record_store.py:_redemption_entity",
                                               "shared/learning/record_store.py:_award_entity"}
    # The learning record's keys (`L|<pupil>|...`) are written out in its store alone.
    spelled = {str(p.relative_to(ROOT)) for p in _shared_modules() if '"L|' in p.read_text(encoding="utf-8")
               or "f\"L|" in p.read_text(encoding="utf-8")}
    assert spelled <= {"shared/learning/record_store.py"}


def test_certificate_ids_are_parsed_and_formatted_in_one_place():
    pattern = re.compile(r"\{[^{}]*\}\.\{[^{}]*rank|sch_\[a-z0-9\]")
    found = {str(p.relative_to(ROOT)) for p in _shared_modules() if pattern.search(p.read_text(encoding="utf-8"))}
    assert found == {"shared/learning/model.py"}
