#!/bin/sh
# azd prepackage hook of the `api` service (azure.yaml): installs the runtime packages from requirements.lock
# into .python_packages/lib/site-packages, where the Functions Python worker looks for them, as wheels for
# the platform the app runs on (Linux x86_64, CPython 3.11). --require-hashes: any file whose hash differs
# from the lock stops the deployment. Needs Python 3 with pip on the deployer's machine (any OS).
set -eu
target=.python_packages/lib/site-packages
rm -rf .python_packages
python3 -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --only-binary=:all: \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp \
  --target "$target" -r requirements.lock
echo "prepackage: $(ls "$target" | grep -c '\.dist-info$') locked packages in $target"
sh infra/scripts/bytecode.sh function_app.py functions shared "$target"
