"""The deployment package carries CPython 3.11 bytecode for every module of the app, valid on a read-only mount.

Without it every new instance of the Function App compiles functions/ and shared/ again before it answers
(the package is mounted read-only, so the compiled code is never kept): the cold start a child waits for.
`infra/scripts/bytecode.sh` (run by the prepackage hook) compiles it as unchecked hash-based .pyc files, which
the interpreter uses without comparing file times a zip does not keep exactly; .funcignore keeps exactly those.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.test_project_install import packaged

ROOT = Path(__file__).resolve().parents[2]
APP = ("function_app.py", "functions", "shared")
# PEP 552: the flags word after the magic number; bit 0 = hash-based, bit 1 = check the source's hash.
HASH_BASED, CHECK_SOURCE = 0b01, 0b10

pytestmark = pytest.mark.skipif(shutil.which("python3.11") is None, reason="needs CPython 3.11, the runtime's")


def _copy_of_the_app(tmp_path: Path) -> Path:
    project = tmp_path / "package"
    project.mkdir()
    for name in (*APP, ".funcignore", "infra/scripts/bytecode.sh", "host.json"):
        source, target = ROOT / name, project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    # What a local run leaves behind: another Python's bytecode and a stale 3.11 file of a module renamed since.
    stale = project / "shared" / "__pycache__"
    stale.mkdir(exist_ok=True)
    (stale / "errors.cpython-312.pyc").write_bytes(b"other python")
    (stale / "gone.cpython-311.pyc").write_bytes(b"stale")
    return project


def test_every_module_of_the_app_ships_with_unchecked_hash_bytecode_for_python_3_11(tmp_path):
    project = _copy_of_the_app(tmp_path)
    subprocess.run(["sh", "infra/scripts/bytecode.sh", *APP], cwd=project, check=True, capture_output=True,
                   timeout=300)
    package = packaged(project)
    sources = sorted(p.relative_to(project) for name in APP for p in (project / name).rglob("*.py")
                     if "__pycache__" not in p.parts) + [Path("function_app.py")]
    tag = sys.implementation.cache_tag if sys.version_info[:2] == (3, 11) else "cpython-311"
    missing = []
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source))).with_name(f"{source.stem}.{tag}.pyc")
        if compiled.as_posix() not in package:
            missing.append(source.as_posix())
            continue
        header = (project / compiled).read_bytes()[:16]
        assert int.from_bytes(header[4:8], "little") == HASH_BASED, f"{compiled} is not unchecked hash-based"
    assert missing == []
    # Only CPython 3.11's bytecode ships, and nothing a local run left.
    assert not any(f.endswith(".cpython-312.pyc") or f.endswith("gone.cpython-311.pyc") for f in package)


def test_the_interpreter_runs_the_shipped_bytecode_without_compiling_or_checking_file_times(tmp_path):
    project = _copy_of_the_app(tmp_path)
    subprocess.run(["sh", "infra/scripts/bytecode.sh", *APP], cwd=project, check=True, capture_output=True,
                   timeout=300)
    # Change a source after it was compiled: an interpreter that looked at the source (file times, hashes)
    # would compile it again and fail; one that runs the shipped bytecode never sees the change.
    source = project / "shared" / "ids.py"
    source.write_text(source.read_text(encoding="utf-8") + "\nraise RuntimeError('compiled from source')\n")
    result = subprocess.run(["python3.11", "-c", "import shared.ids, function_app"], cwd=project,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(tmp_path),
                                 "PYTHONPATH": str(ROOT / ".venv" / "lib" / "python3.11" / "site-packages")})
    assert result.returncode == 0, result.stderr[-2000:]
