"""Build the fastnn extension.

One extension, ``fastnn._core``, built from ``fastnn/_core.pyx`` and every C file
under ``csrc/``.  Two things are not plain setuptools:

* Per-file ISA flags.  ``*_avx2.c`` files are compiled with AVX2+FMA and
  ``*_avx512*.c`` with AVX-512; everything else with the baseline of the target,
  so the wheel runs on any x86-64 and the dispatcher picks a kernel from CPUID
  at run time.  On other architectures the ISA files are left out.
* OpenMP is probed: if the compiler cannot build ``-fopenmp`` the extension is
  built single-threaded and ``fastnn.show_config()`` says so.
"""
import os
import platform
import sys
import tempfile
from glob import glob

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

IS_X86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "x86")

ISA_FLAGS = {
    "_avx512bf16": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512bf16",
                    "-mavx2", "-mfma"],
    "_avx512": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma"],
    "_avx2": ["-mavx2", "-mfma"],
}


def isa_flags_for(source):
    stem = os.path.splitext(os.path.basename(source))[0]
    for suffix, flags in ISA_FLAGS.items():  # longest suffix first
        if stem.endswith(suffix):
            return flags
    return []


def c_sources():
    sources = sorted(glob(os.path.join("csrc", "**", "*.c"), recursive=True))
    if not IS_X86:
        sources = [s for s in sources if not isa_flags_for(s)]
    return sources


def compiler_accepts(compiler, flags, code="int main(void){return 0;}\n"):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(code)
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=flags)
            compiler.link_executable(objs, os.path.join(tmp, "probe"), extra_postargs=flags)
        except Exception:
            return False
    return True


OPENMP_PROBE = "#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n"


class BuildExt(build_ext):
    def build_extensions(self):
        compiler = self.compiler
        has_openmp = compiler_accepts(compiler, ["-fopenmp"], OPENMP_PROBE)
        if not has_openmp:
            print("fastnn: compiler has no OpenMP; building single-threaded", file=sys.stderr)
        # -mavx512bf16 needs GCC 10 / Clang 9: an older compiler builds the
        # bfloat16 GEMM with its portable kernel only.
        has_bf16 = IS_X86 and compiler_accepts(compiler, ISA_FLAGS["_avx512bf16"])
        for ext in self.extensions:
            if IS_X86 and not has_bf16:
                ext.sources = [s for s in ext.sources
                               if not os.path.splitext(s)[0].endswith("_avx512bf16")]
                ext.define_macros.append(("FNN_NO_AVX512BF16", "1"))
            if has_openmp:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
                ext.define_macros.append(("FNN_HAVE_OPENMP", "1"))
            if not IS_X86:
                ext.define_macros.append(("FNN_GENERIC_ONLY", "1"))
            cc = " ".join(getattr(compiler, "compiler_so", ["cc"])[:1])
            ext.define_macros.append(("FNN_COMPILER", '"%s"' % cc.replace('"', "")))

        original_compile = compiler._compile

        def compile_with_isa_flags(obj, src, ext, cc_args, extra_postargs, pp_opts):
            return original_compile(obj, src, ext, cc_args,
                                    list(extra_postargs) + isa_flags_for(src), pp_opts)

        compiler._compile = compile_with_isa_flags
        super().build_extensions()


debug = os.environ.get("FASTNN_DEBUG_BUILD") == "1"
extra_cflags = os.environ.get("FASTNN_EXTRA_CFLAGS", "").split()
extra_ldflags = os.environ.get("FASTNN_EXTRA_LDFLAGS", "").split()

ext = Extension(
    "fastnn._core",
    sources=["fastnn/_core.pyx"] + c_sources(),
    include_dirs=[np.get_include(), "csrc"],
    # templates and headers: editing one rebuilds the extension
    depends=sorted(glob(os.path.join("csrc", "**", "*.h"), recursive=True)
                   + glob(os.path.join("csrc", "**", "*.inc"), recursive=True)),
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    extra_compile_args=(["-O1", "-g"] if debug else ["-O3"]) + ["-std=gnu11", "-fno-math-errno"]
    + extra_cflags,
    extra_link_args=list(extra_ldflags),
)

setup(
    ext_modules=cythonize([ext], language_level=3,
                          compiler_directives={"boundscheck": False, "wraparound": False,
                                               "cdivision": True}),
    cmdclass={"build_ext": BuildExt},
)
