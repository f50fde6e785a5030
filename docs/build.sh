#!/bin/sh
# Build the documentation site with warnings as errors (the command CI runs).
# Usage: docs/build.sh [extra sphinx-build options]   (needs: pip install -e .[docs])
set -eu
cd "$(dirname "$0")/.."
rm -rf docs/_build docs/reference/generated
exec sphinx-build -W --keep-going -b html "$@" docs docs/_build/html
