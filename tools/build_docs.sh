#!/usr/bin/env bash
# Build the documentation site into docs/_build/html with every Sphinx
# warning an error.  Needs fastnn importable (installed, or built in place
# and run from the repository root) and the docs extra: pip install ".[docs]".
# The examples in docs/examples/ run during the build (bundled digits only).
set -euo pipefail
# Run from docs/: `python -m` puts the working directory first on sys.path,
# and at the root the source fastnn/ (unbuilt in a CI checkout) would shadow
# the installed package.
cd "$(dirname "$0")/../docs"
export MPLBACKEND=Agg
exec python -m sphinx -W --keep-going -b html . _build/html "$@"
