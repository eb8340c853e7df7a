#!/usr/bin/env bash
# Build fastnn with AddressSanitizer + UndefinedBehaviorSanitizer in a scratch
# copy of the tree and run the test suite (or the pytest args given) under it,
# with the sanitizer runtimes preloaded into the Python interpreter.
#
#   tools/sanitize.sh                 # whole suite
#   tools/sanitize.sh tests/test_gemm.py -x
#   tools/sanitize.sh --python tools/fuzz_ops.py --random 300 --seed 1
#
# --python runs a script in the scratch copy instead of pytest (paths are
# relative to the tree's root).  FASTNN_SANITIZE_REUSE=1 keeps an earlier
# sanitized build in the scratch directory instead of copying and rebuilding.
#
# Leak detection is off: CPython and NumPy keep allocations alive until exit
# by design, which LeakSanitizer reports as leaks.  Any ASan or UBSan report
# fails the run (halt_on_error).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${FASTNN_SANITIZE_DIR:-/tmp/fastnn-sanitize}"
if [ "${FASTNN_SANITIZE_REUSE:-0}" != 1 ] || ! ls "$work"/fastnn/_core*.so > /dev/null 2>&1; then
    rm -rf "$work" && mkdir -p "$work"
    git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work")
    cd "$work"
    flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    FASTNN_DEBUG_BUILD=1 FASTNN_EXTRA_CFLAGS="$flags" FASTNN_EXTRA_LDFLAGS="$flags" \
        python setup.py build_ext --inplace -j2 > build.log 2>&1 || { tail -30 build.log; exit 1; }
fi
cd "$work"
preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export PYTHONMALLOC=malloc
if [ "${1:-}" = --python ]; then
    shift
    LD_PRELOAD="$preload" python "$@"
else
    LD_PRELOAD="$preload" python -m pytest -q -p no:cacheprovider "${@:-tests}"
fi
