#!/bin/sh
# Compiled bytecode for the package (called by prepackage.sh; `sh infra/scripts/bytecode.sh [dir ...]`).
# The Function App runs the package from a read-only mount, so a module without bytecode beside it is compiled
# again by every new instance: ~250 ms of a child's first tap after a quiet spell. This compiles the app
# (function_app.py, functions/, shared/) and the installed packages for CPython 3.11, the runtime's version, as
# unchecked hash-based .pyc files (PEP 552): the interpreter uses them without comparing file times, which a
# zip does not keep exactly, and the package never changes after it is built.
set -eu
python311=$(command -v python3.11 || true)
if [ -z "$python311" ] || ! "$python311" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "bytecode: no python3.11 on this machine; the package goes without compiled bytecode" >&2
  exit 0
fi
[ "$#" -gt 0 ] || set -- function_app.py functions shared .python_packages
present=""
for path in "$@"; do
  [ -e "$path" ] || continue
  present="$present $path"
  # Bytecode left by a local run (timestamp-based, perhaps stale) is replaced, never shipped beside new code.
  if [ -d "$path" ]; then find "$path" -name __pycache__ -type d -prune -exec rm -rf {} +; fi
done
rm -rf __pycache__
# shellcheck disable=SC2086 # the paths are this project's own folders, without spaces
"$python311" -m compileall -q -f -j 0 --invalidation-mode unchecked-hash $present
echo "bytecode: compiled$present for CPython 3.11 (unchecked-hash)"
