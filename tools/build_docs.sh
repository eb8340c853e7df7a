#!/usr/bin/env bash
# Build the documentation site into docs/_build/html with every Sphinx
# warning an error.  Needs fastnn importable (installed, or built in place
# and run from the repository root) and the docs extra: pip install ".[docs]".
# The examples in docs/examples/ run during the build (bundled digits only).
set -euo pipefail
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
exec python -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
