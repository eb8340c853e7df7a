#!/usr/bin/env bash
# Run a short subset of the tests under valgrind memcheck against the normal
# in-place build (python setup.py build_ext --inplace first).  PYTHONMALLOC=malloc
# lets memcheck see every Python allocation; errors in fastnn's code fail the run.
#
#   tools/valgrind.sh                              # default subset
#   tools/valgrind.sh tests/test_gemm.py -k small  # any pytest args
set -euo pipefail
cd "$(dirname "$0")/.."
# The interpreter itself, not a wrapper: a pyenv shim is a shell script that
# execs python, and memcheck (without --trace-children) would check only bash.
py="$(python -c 'import sys; print(sys.executable)')"
export PYTHONMALLOC=malloc OMP_NUM_THREADS=2
exec valgrind --tool=memcheck --error-exitcode=99 --errors-for-leak-kinds=none \
    --suppressions=tools/valgrind-python.supp \
    "$py" -m pytest -q -p no:cacheprovider "${@:-tests/test_build.py}"
