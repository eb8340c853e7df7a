"""fastnn.export to plain C: compiled with gcc -std=c99 -Wall -Werror and
compared with fastnn for every activation, output and model class."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import fastnn
from _exportutil import ATOL, RTOL, fresh_rows, model_factories, output_layer

pytest.importorskip("sklearn", reason="the estimators under test need scikit-learn")
GCC = shutil.which("gcc")
pytestmark = pytest.mark.skipif(GCC is None, reason="gcc is not installed")
FACTORIES = model_factories()

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "%(header)s"

/* driver N IN OUT: N rows of floats from IN through %(lo)s_predict into OUT */
int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    size_t n = (size_t)atol(argv[1]);
    float *x = malloc(n * %(up)s_N_INPUTS * sizeof(float) + 1);
    float *y = malloc(n * %(up)s_N_OUTPUTS * sizeof(float) + 1);
    FILE *f = fopen(argv[2], "rb");
    if (!x || !y || !f || fread(x, sizeof(float), n * %(up)s_N_INPUTS, f) != n * %(up)s_N_INPUTS)
        return 3;
    fclose(f);
    %(lo)s_predict(x, n, y);
    f = fopen(argv[3], "wb");
    if (!f || fwrite(y, sizeof(float), n * %(up)s_N_OUTPUTS, f) != n * %(up)s_N_OUTPUTS)
        return 4;
    fclose(f);
    free(x);
    free(y);
    return 0;
}
"""


def compile_program(tmp_path, sources, name="driver"):
    exe = str(tmp_path / name)
    cmd = [GCC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-o", exe]
    cmd += [str(s) for s in sources] + ["-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return exe


def run_c(tmp_path, model, X, prefix="fastnn"):
    """Export `model`, build a driver around it and return its outputs for X."""
    c_path = tmp_path / ("%s.c" % prefix)
    fastnn.export(model, c_path, prefix=prefix)
    driver = tmp_path / ("main_%s.c" % prefix)
    driver.write_text(DRIVER % {"header": "%s.h" % prefix, "lo": prefix, "up": prefix.upper()})
    exe = compile_program(tmp_path, [driver, c_path], "run_%s" % prefix)
    X = np.ascontiguousarray(X, dtype=np.float32)
    (tmp_path / "in.bin").write_bytes(X.tobytes())
    result = subprocess.run([exe, str(X.shape[0]), str(tmp_path / "in.bin"),
                             str(tmp_path / "out.bin")], capture_output=True)
    assert result.returncode == 0
    return np.fromfile(tmp_path / "out.bin", dtype=np.float32).reshape(X.shape[0], -1)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_c_matches_fastnn(tmp_path, name):
    model = FACTORIES[name]()
    X = fresh_rows()
    np.testing.assert_allclose(run_c(tmp_path, model, X), output_layer(model, X),
                               rtol=RTOL, atol=ATOL)


def test_header_macros_and_classes(tmp_path):
    model = FACTORIES["cli-scaled"]()
    fastnn.export(model, tmp_path / "digits.c", prefix="digits")
    header = (tmp_path / "digits.h").read_text()
    assert "#define DIGITS_N_INPUTS 5\n" in header
    assert "#define DIGITS_N_OUTPUTS 3\n" in header
    assert "extern const int64_t DIGITS_CLASSES[DIGITS_N_CLASSES];" in header
    assert "void digits_predict(const float *x, size_t n_rows, float *out);" in header
    source = (tmp_path / "digits.c").read_text()
    assert "malloc" not in source and "static float buf" not in source
    labels = [int(v) for v in model.classes]
    probe = tmp_path / "probe.c"
    probe.write_text('#include <stdio.h>\n#include <inttypes.h>\n#include "digits.h"\n'
                     "int main(void)\n{\n    for (int i = 0; i < DIGITS_N_CLASSES; i++)\n"
                     '        printf("%" PRId64 "\\n", DIGITS_CLASSES[i]);\n    return 0;\n}\n')
    exe = compile_program(tmp_path, [probe, tmp_path / "digits.c"], "probe")
    out = subprocess.run([exe], capture_output=True, text=True).stdout.split()
    assert [int(v) for v in out] == labels


def test_string_labels_are_c_strings(tmp_path):
    fastnn.export(FACTORIES["clf-strings"](), tmp_path / "m.c")
    header = (tmp_path / "m.h").read_text()
    assert "extern const char *const FASTNN_CLASSES[FASTNN_N_CLASSES];" in header
    assert '"hi"' in (tmp_path / "m.c").read_text()


def test_two_prefixes_link_into_one_program(tmp_path):
    first, second = FACTORIES["mlp-gelu"](), FACTORIES["ordinal"]()
    fastnn.export(first, tmp_path / "first.c", prefix="first")
    fastnn.export(second, tmp_path / "second.c", prefix="second")
    X = fresh_rows(8)
    main = tmp_path / "both.c"
    main.write_text(
        '#include <stdio.h>\n#include "first.h"\n#include "second.h"\n'
        "static const float x[%d] = {%s};\n"
        "int main(void)\n{\n"
        "    float a[8 * FIRST_N_OUTPUTS], b[8 * SECOND_N_OUTPUTS];\n"
        "    first_predict(x, 8, a);\n    second_predict(x, 8, b);\n"
        "    for (int i = 0; i < 8 * FIRST_N_OUTPUTS; i++) printf(\"%%.9g\\n\", a[i]);\n"
        "    for (int i = 0; i < 8 * SECOND_N_OUTPUTS; i++) printf(\"%%.9g\\n\", b[i]);\n"
        "    return 0;\n}\n" % (X.size, ", ".join("%.9gf" % v for v in X.ravel())))
    exe = compile_program(tmp_path, [main, tmp_path / "first.c", tmp_path / "second.c"])
    values = np.array(subprocess.run([exe], capture_output=True, text=True).stdout.split(),
                      dtype=np.float64)
    want = np.concatenate([output_layer(first, X).ravel(), output_layer(second, X).ravel()])
    np.testing.assert_allclose(values, want, rtol=RTOL, atol=ATOL)


def test_prefix_must_be_a_c_identifier(tmp_path):
    for bad in ("", "2x", "a-b", "a b", None):
        with pytest.raises(ValueError, match="prefix"):
            fastnn.export(FACTORIES["mlp-relu"](), tmp_path / "m.c", prefix=bad)
    assert os.listdir(tmp_path) == []


def print_labels(tmp_path, stem, up, fmt):
    """Compile a program printing UP_CLASSES (declared in stem.h) with the
    printf format fmt; returns its lines."""
    probe = tmp_path / "labels.c"
    probe.write_text('#include <stdio.h>\n#include <inttypes.h>\n#include "%s.h"\n'
                     "int main(void)\n{\n    for (int i = 0; i < %s_N_CLASSES; i++)\n"
                     '        printf(%s "\\n", %s_CLASSES[i]);\n    return 0;\n}\n'
                     % (stem, up, fmt, up))
    exe = compile_program(tmp_path, [probe, tmp_path / ("%s.c" % stem)], "labels")
    result = subprocess.run([exe], capture_output=True, text=True)
    assert result.returncode == 0
    return result.stdout.splitlines()


def test_labels_and_file_names_are_never_renamed(tmp_path):
    # the writer's PFX_/UPX_ tokens become the prefix; labels, the header's
    # file name and a prefix holding such a token itself stay as they are
    X, y = fresh_rows(90), np.array(["PFX_low", "UPX_mid", "high"])
    model = fastnn.LogisticRegression().fit(X, y[np.digitize(X[:, 0], [-0.5, 0.5])])
    fastnn.export(model, tmp_path / "PFX_model.c", prefix="PFX_m")
    header = (tmp_path / "PFX_model.h").read_text()
    assert "#define PFX_M_N_INPUTS 5\n" in header and "#ifndef PFX_M_MODEL_H\n" in header
    assert "void PFX_m_predict(const float *x, size_t n_rows, float *out);" in header
    assert '#include "PFX_model.h"\n' in (tmp_path / "PFX_model.c").read_text()
    assert print_labels(tmp_path, "PFX_model", "PFX_M", '"%s"') == list(model.classes_)
    np.testing.assert_allclose(run_c(tmp_path, model, X, prefix="PFX_m"), output_layer(model, X),
                               rtol=RTOL, atol=ATOL)


def test_int64_extreme_labels_compile_exactly(tmp_path):
    # -2**63 has no C literal (its magnitude does not fit int64_t)
    X = fresh_rows(60)
    labels = np.array([-2 ** 63, 2 ** 63 - 1], dtype=np.int64)
    model = fastnn.LogisticRegression().fit(X, labels[(X[:, 0] > 0).astype(int)])
    fastnn.export(model, tmp_path / "m.c")
    assert print_labels(tmp_path, "m", "FASTNN", '"%" PRId64') == [str(v) for v in labels]


def test_multilabel_header_has_no_classes(tmp_path):
    # column j is label j's probability: no PREFIX_CLASSES to look up
    fastnn.export(FACTORIES["clf-multilabel"](), tmp_path / "m.c")
    header = (tmp_path / "m.h").read_text()
    assert "FASTNN_CLASSES" not in header and "FASTNN_N_CLASSES" not in header
    assert "the probability of each label (column j: label j)" in header
