# azd prepackage hook of the `api` service (Windows): the same as prepackage.sh. Installs the runtime
# packages from requirements.lock (hashes checked) as Linux x86_64 / CPython 3.11 wheels into
# .python_packages/lib/site-packages, where the Functions Python worker looks for them.
$ErrorActionPreference = 'Stop'
$target = '.python_packages/lib/site-packages'
if (Test-Path .python_packages) { Remove-Item -Recurse -Force .python_packages }
python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --only-binary=:all: `
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp `
  --target $target -r requirements.lock
if ($LASTEXITCODE -ne 0) { throw "pip install from requirements.lock failed" }
# Bytecode for CPython 3.11 in the package, as infra/scripts/bytecode.sh explains: unchecked hash-based .pyc
# files, so the read-only mount never compiles the app again at a cold start. Needs Python 3.11 (py -3.11).
$py311 = Get-Command py -ErrorAction SilentlyContinue
if ($py311 -and (& py -3.11 -c "import sys" 2>$null; $LASTEXITCODE -eq 0)) {
  foreach ($dir in @('functions', 'shared')) {
    Get-ChildItem -Path $dir -Recurse -Directory -Filter __pycache__ | Remove-Item -Recurse -Force
  }
  & py -3.11 -m compileall -q -f -j 0 --invalidation-mode unchecked-hash function_app.py functions shared $target
  if ($LASTEXITCODE -ne 0) { throw "compiling bytecode failed" }
} else {
  Write-Warning "bytecode: no Python 3.11 (py -3.11); the package goes without compiled bytecode"
}
