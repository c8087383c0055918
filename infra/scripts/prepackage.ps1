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
