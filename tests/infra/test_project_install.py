"""`pip install .` is harmless, and the deployment package leaves out local environments and build leftovers.

`azd restore` (and editors that follow it) run `pip install .` in a `<folder>_env` virtual environment when a
pyproject.toml exists. azd then zips the service folder minus what .funcignore names (gitignore syntax); with
a .funcignore present it applies no exclusions of its own, so an environment .funcignore misses is deployed.
Nothing here reaches the network: the build uses the installed setuptools and no package index.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pathspec

from tests.infra.test_lock import direct_pins, normalise

ROOT = Path(__file__).resolve().parents[2]
# Left out of the copy the build runs in: large, generated, or what this test checks is left out anyway.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", ".azurite", ".devhost", "test-artifacts", "__pycache__", ".pytest_cache",
    ".ruff_cache", ".work", ".python_packages", "*_env", "build", "*.egg-info", "local.settings.json",
)


def funcignore() -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines((ROOT / ".funcignore").read_text(encoding="utf-8").splitlines())


def packaged(root: Path) -> set[str]:
    """The files azd would zip from `root` (directories excluded as a whole are not entered)."""
    spec = funcignore()
    files: set[str] = set()

    def walk(directory: Path) -> None:
        for entry in sorted(directory.iterdir()):
            relative = entry.relative_to(root).as_posix()
            if entry.is_dir():
                if not spec.match_file(relative + "/"):
                    walk(entry)
            elif not spec.match_file(relative):
                files.add(relative)

    walk(root)
    return files


def test_pip_install_dot_builds_a_distribution_with_no_modules_only_the_runtime_requirements(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED)
    files_before, deployed_before = set(project.rglob("*")), packaged(project)

    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-w", str(tmp_path / "dist")],
        cwd=project, capture_output=True, text=True, timeout=120,
    )

    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert all(re.match(r"[^/]+\.dist-info/", name) for name in names), names
    requires = dict(
        (normalise(name), version) for name, version in re.findall(r"^Requires-Dist: (\S+)==(\S+)$", metadata, re.M)
    )
    assert requires == direct_pins()
    assert set(project.rglob("*")) - files_before, "an in-tree build leaves its working folders behind"
    assert packaged(project) == deployed_before


def test_the_deployment_package_leaves_out_local_virtual_environments_and_build_leftovers(tmp_path):
    project = tmp_path / "childrens-university-online"
    kept = [
        "function_app.py", "host.json", "requirements.txt", "shared/settings.py", "web/index.html",
        ".python_packages/lib/site-packages/jwt/__init__.py",
    ]
    left_out = [
        f"{project.name}_env/pyvenv.cfg", f"{project.name}_env/lib/python3.11/site-packages/x.py",
        ".venv/pyvenv.cfg", "venv/pyvenv.cfg", "env/pyvenv.cfg", ".env",
        "build/lib/x.py", "childrens_university_online.egg-info/PKG-INFO", "local.settings.json",
    ]
    for name in kept + left_out:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x")

    assert packaged(project) == set(kept)


def test_no_virtual_environment_in_this_checkout_would_be_deployed():
    package = packaged(ROOT)

    environments = {cfg.parent.relative_to(ROOT).as_posix() for cfg in ROOT.glob("*/pyvenv.cfg")}
    assert {f for f in package for env in environments if f.startswith(env + "/")} == set()
    assert "function_app.py" in package and "host.json" in package
