"""Edges of the command line's inputs: a CSV whose first row is data with a
missing value, `bench --peers` names, and .npz arrays of the wrong shape."""
import importlib.util
import re
import warnings

import numpy as np
import pytest

from fastnn import _bench, _data_files, datasets
from fastnn._cli_args import peer_list

from test_cli import assert_one_line_error, run

ALL_TRAINERS = "fastnn,fastnn_bf16,numpy,torch,torch_bf16,jax,sklearn"


# ---- CSV: header or first data row ----

def load_csv(tmp_path, text, mode="w"):
    path = tmp_path / "d.csv"
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path, _data_files.read_csv(str(path))


def missing_value_message(tmp_path, text):
    with pytest.raises(datasets.DataFileError) as info:
        load_csv(tmp_path, text)
    return str(info.value)


def test_a_first_row_with_a_missing_value_is_data_reported_like_a_later_one(tmp_path):
    first = missing_value_message(tmp_path, "1,,0\n3,4,1\n5,6,0\n")
    later = missing_value_message(tmp_path, "1,2,0\n3,,1\n5,6,0\n")
    pattern = r"d\.csv: not a numeric CSV \(line %d, column 2 is empty: a missing value"
    assert re.search(pattern % 1, first), first  # was taken for a header and dropped
    assert re.search(pattern % 2, later), later
    # a row of empty cells only is no header either
    assert "line 1, column 1 is empty" in missing_value_message(tmp_path, ",,\n3,4,1\n")


@pytest.mark.parametrize("text, fragment", [
    ("a,b,label\n1,2,0\n3,,1\n", "line 3, column 2 ('b') is empty: a missing value"),
    ("a,b,label\n1,2,0\n3,NA,1\n", "line 3, column 2 ('b') holds 'NA': a missing value"),
    ("# made by hand\na,b,label\n1,x,0\n", "line 3, column 2 ('b') holds 'x', not a number"),
    ("a,b,label\n1,2,0\n3,4\n", "line 3 has 2 cells, the lines above 3"),
    ("a;b;label\n1;2;0\n", "line 1: cells separated by ';', not ','"),
])
def test_unreadable_csv_cells_are_named_by_line_and_column_of_the_file(tmp_path, text, fragment):
    message = missing_value_message(tmp_path, text)
    assert fragment in message, message
    assert "usecols" not in message and "float64" not in message  # NumPy's terms


@pytest.mark.parametrize("text", ['"a","b","label"\n1,2,0\n3,4,1\n',
                                  '"1","2","0"\n"3","4","1"\n',
                                  '1,"2",0\n3," 4 ",1\n'])
def test_quoted_cells_are_read_as_their_values(tmp_path, text):
    """Spreadsheets quote every cell; a quoted number is no header text."""
    _, arrays = load_csv(tmp_path, text)
    np.testing.assert_array_equal(arrays["X"], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(arrays["y"], [0, 1])


def test_the_cli_reports_the_first_rows_missing_value(capsys, tmp_path):
    (tmp_path / "d.csv").write_text("1,,0\n" + "3,4,1\n5,6,0\n" * 10)
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"), "--epochs", "1")
    assert_one_line_error(code, err, "d.csv", "line 1, column 2 is empty")
    assert "trained" not in out


@pytest.mark.parametrize("text", ["a,b,label\n1,2,0\n3,4,1\n",
                                  "0,1,label\n1,2,0\n3,4,1\n",  # pandas' unnamed columns
                                  ",b,\n1,2,0\n3,4,1\n",  # a header with unnamed columns
                                  "# exported\n\na,b,label\n1,2,0\n3,4,1\n"])
def test_headers_are_skipped(tmp_path, text):
    _, arrays = load_csv(tmp_path, text)
    np.testing.assert_array_equal(arrays["X"], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(arrays["y"], [0, 1])


@pytest.mark.parametrize("text", [b"1,2,0\n3,4,1\n", b"\xef\xbb\xbf1,2,0\n3,4,1\n",
                                  b" 1 , 2.0e0 ,0\n3,4,1\n"])
def test_a_first_row_of_numbers_is_kept(tmp_path, text):
    """Also behind Excel's byte-order mark, once taken for header text."""
    _, arrays = load_csv(tmp_path, text, "wb")
    np.testing.assert_array_equal(arrays["X"], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(arrays["y"], [0, 1])


def write_pandas_csv(path, n=60):
    """What pandas writes for an unnamed array: the header "0,1,2,3"."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    pd.DataFrame(np.c_[X, y]).to_csv(path, index=False)
    return X, y


def test_pandas_default_column_names_are_a_header_and_said_so(tmp_path):
    X, y = write_pandas_csv(tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_text().startswith("0,1,2,3\n")
    with pytest.warns(UserWarning, match=r"d\.csv: skipped line 1, \"0,\.\.\.,3\", as a header"):
        arrays = _data_files.read_csv(str(tmp_path / "d.csv"))
    np.testing.assert_array_equal(arrays["X"], X)  # no phantom first sample of class 3
    np.testing.assert_array_equal(arrays["y"], y)


@pytest.mark.parametrize("columns", [None, ["x0", "x1", "x2", "label"]])
def test_pandas_row_index_column_is_dropped_and_said_so(tmp_path, columns):
    """DataFrame.to_csv's default writes the row numbers first, under an
    empty header cell: they were read as a feature (or failed to parse)."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    pd.DataFrame(np.c_[X, y], columns=columns).to_csv(tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_text().startswith(",")
    with pytest.warns(UserWarning, match="dropped the first column, whose header cell is empty"):
        arrays = _data_files.read_csv(str(tmp_path / "d.csv"))
    np.testing.assert_array_equal(arrays["X"], X)
    np.testing.assert_array_equal(arrays["y"], y)


def test_the_cli_reports_the_skipped_pandas_header(capsys, tmp_path):
    write_pandas_csv(tmp_path / "d.csv")
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"), "--epochs", "1")
    assert code == 0, err
    assert "50 samples, 3 features, 2 classes" in out  # 60 rows, 1/6 held out
    assert err.startswith("fastnn train: warning: ") and "skipped line 1" in err, err


@pytest.mark.parametrize("text", ["0,2,1\n3,4,1\n", "0.0,1.0,0\n3,4,1\n", "1,0,0\n3,4,1\n"])
def test_other_rows_of_small_integers_are_data(tmp_path, text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and nothing is said about them
        _, arrays = load_csv(tmp_path, text)
    assert arrays["X"].shape == (2, 2) and arrays["X"][1].tolist() == [3, 4]


def test_a_pandas_header_after_comments_is_skipped(tmp_path):
    with pytest.warns(UserWarning, match="skipped line 3"):
        _, arrays = load_csv(tmp_path, "# exported\n\n 0 , 1 ,2\n1,2,0\n3,4,1\n")
    np.testing.assert_array_equal(arrays["X"], [[1, 2], [3, 4]])


# ---- bench --peers ----

BENCH = ("bench", "--quick", "--samples", "128", "--batch-sizes", "32", "--repeats", "1")


@pytest.mark.parametrize("peers,fragment", [
    ("foo", "unknown trainer 'foo': expected a comma-separated subset of " + ALL_TRAINERS),
    ("numpy,tensorflow,mxnet", "unknown trainer 'tensorflow', 'mxnet'"),
    ("", "expected a comma-separated subset of %s, got ''" % ALL_TRAINERS),
    (" , ", "got ' , '"),
])
def test_bad_peers_are_usage_errors_listing_the_names(capsys, peers, fragment):
    code, out, err = run(capsys, *BENCH, "--peers", peers)
    assert code == 2 and "Traceback" not in err and out == ""
    assert "fastnn bench: error: argument --peers: " in err and fragment in err, err


def test_peer_names_are_trimmed_lowercased_and_deduplicated():
    assert peer_list(" NumPy, fastnn,numpy,") == ["numpy", "fastnn"]
    assert peer_list("torch_bf16") == ["torch_bf16"]


def table(out):
    return [line for line in out.splitlines() if line.startswith("|")]


def test_fastnn_alone_reports_its_figures_without_a_ratio(capsys):
    code, out, err = run(capsys, *BENCH, "--peers", "fastnn")
    assert code == 0, err
    rows = table(out)
    assert rows[:2] == ["| batch | fastnn | fastnn % of FMA limit |", "|---:|---:|---:|"]
    assert len(rows) == 3 and re.fullmatch(r"\| 32 \| \d+ \| \d+% \|", rows[2]), rows
    assert "nan" not in out and "fastest peer" not in out


def hide(monkeypatch, module):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == module else real(name, *a))


def test_a_named_peer_that_is_absent_is_named_not_a_nan(capsys, monkeypatch):
    hide(monkeypatch, "jax")
    code, out, err = run(capsys, *BENCH, "--peers", "fastnn,jax")
    assert code == 0, err
    assert err.strip() == "fastnn bench: warning: left out jax: jax is not installed"
    assert table(out)[0] == "| batch | fastnn | fastnn % of FMA limit |"
    assert "nan" not in out
    code, out, err = run(capsys, *BENCH, "--peers", "jax")
    assert_one_line_error(code, err, "nothing to run (jax: jax is not installed)")


def test_a_named_peer_without_the_activation_is_named(capsys):
    code, out, err = run(capsys, *BENCH, "--peers", "fastnn,sklearn", "--activation", "gelu")
    assert code == 0, err
    assert err.strip() == "fastnn bench: warning: left out sklearn: it has no gelu activation"
    assert "nan" not in out and "fastest peer" not in out


def test_format_table_ratio_column_only_with_a_peer():
    sizes = [64, 128, 10]
    gflops = _bench.gemm_flops_per_sample(sizes) * 1000 / 1e9  # a limit of 1000 samples/s
    alone = _bench.format_table({32: {"fastnn": 500.0, "fastnn_bf16": 600.0}}, sizes,
                                gflops, 2 * gflops)
    assert alone.splitlines() == [
        "| batch | fastnn | fastnn_bf16 | fastnn % of FMA limit | fastnn_bf16 % of BF16 limit |",
        "|---:|---:|---:|---:|---:|", "| 32 | 500 | 600 | 50% | 30% |"]
    peers = _bench.format_table({32: {"fastnn": 500.0, "numpy": 250.0, "sklearn": 125.0}},
                                sizes, gflops, gflops)
    assert peers.splitlines() == [
        "| batch | fastnn | numpy | sklearn | fastnn / fastest peer | fastnn % of FMA limit |",
        "|---:|---:|---:|---:|---:|---:|", "| 32 | 500 | 250 | 125 | 2.00x | 50% |"]


# ---- .npz arrays of the wrong shape ----

def npz(tmp_path, **arrays):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    return str(path)


X4, Y4 = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])


@pytest.mark.parametrize("arrays,message", [
    (dict(X=np.array(3.0), y=np.array(1)),
     "X must be a 2-d array, samples x features; got shape () (a single value)"),
    (dict(X=X4, y=np.array(1)), "y must be a 1-d array, one class label per sample; got shape ()"),
    (dict(X=np.zeros(4), y=Y4), "X must be a 2-d array, samples x features; got shape (4,) "
                                "(one feature? save X.reshape(-1, 1))"),
    (dict(X=X4, y=Y4[:, None]), "y must be a 1-d array, one class label per sample; "
                                "got shape (4, 1)"),
    (dict(X=X4, y=Y4[:3]), "X has 4 samples but y has 3"),
    (dict(X=np.zeros((4, 0)), y=Y4), "X holds no features (shape (4, 0))"),
    (dict(X=np.zeros((0, 2)), y=Y4[:0]), "X holds no samples (shape (0, 2))"),
    (dict(X=np.array([["a", "b"]] * 4), y=Y4), "X must hold numbers, got dtype <U1"),
    (dict(X_train=np.array(3.0), y_train=np.array(1)),
     "X_train must be a 2-d array, samples x features; got shape () (a single value)"),
    (dict(X_train=X4, y_train=Y4, X_test=np.array(2.0), y_test=np.array(1)),
     "X_test must be a 2-d array, samples x features; got shape () (a single value)"),
    (dict(X_train=X4, y_train=Y4[:3]), "X_train has 4 samples but y_train has 3"),
    (dict(X_train=X4, y_train=Y4, X_test=X4[:3], y_test=Y4[:2]),
     "X_test has 3 samples but y_test has 2"),
    (dict(X_train=X4, y_train=Y4, X_test=np.zeros((2, 3)), y_test=Y4[:2]),
     "X_train has 2 features but X_test has 3"),
    (dict(X_train=X4, y_train=Y4, y_test=Y4), "y_test without X_test"),
    (dict(X_train=X4, y_train=Y4, X_test=X4), "X_test without y_test"),
])
@pytest.mark.parametrize("split", [True, False])
def test_npz_shape_mistakes_are_named(tmp_path, arrays, message, split):
    path = npz(tmp_path, **arrays)
    with pytest.raises(ValueError) as info:
        datasets.load_data(path, split=split)
    assert str(info.value) == "%s: %s" % (path, message)


def test_a_0d_npz_is_a_one_line_cli_error(capsys, tmp_path):
    path = npz(tmp_path, X=np.array(3.0), y=np.array(1))
    code, out, err = run(capsys, "train", "--data", path)
    assert_one_line_error(code, err, "d.npz: X must be a 2-d array", "got shape ()")
    assert "len()" not in err


def test_npz_images_are_flattened_per_sample(tmp_path):
    X = np.arange(4 * 2 * 3, dtype=np.uint8).reshape(4, 2, 3)
    _, X_train, y_train, X_test, y_test = datasets.load_data(npz(tmp_path, X=X, y=Y4),
                                                             split=False)
    assert X_train.shape == (0, 6) and y_train.shape == (0,)
    np.testing.assert_array_equal(X_test, X.reshape(4, 6))
    np.testing.assert_array_equal(y_test, Y4)


def write_idx(path, array):
    """An IDX file (uint8 data) as the MNIST files are written."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, array.ndim]))
        f.write(b"".join(int(n).to_bytes(4, "big") for n in array.shape))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def test_the_recipe_of_an_idx_directory_follows_its_own_name():
    """Not the path above it (a folder mnist-experiments/ made every IDX
    directory inside it MNIST); torchvision's MNIST/raw is MNIST."""
    kinds = {"/a/mnist-experiments/fmnist": "fashion-mnist", "/a/fashion/MNIST/raw": "mnist",
             "/x/fashion-mnist": "fashion-mnist", "/x/kmnist": "fashion-mnist",
             "/x/my-mnist": "mnist"}
    assert {p: datasets._idx_kind(p) for p in kinds} == kinds


@pytest.mark.parametrize("name", ["fashion", "my-mnist", "MNIST/raw"])
def test_data_as_a_directory_of_idx_files(capsys, tmp_path, name):
    """README: Fashion-MNIST is read ... or --data with a path (it said
    "unknown dataset"); a directory named for MNIST gets MNIST's recipe."""
    rng = np.random.default_rng(0)
    directory = tmp_path / name
    directory.mkdir(parents=True)
    for stem, n in (("train", 60), ("t10k", 20)):
        write_idx(directory / ("%s-images-idx3-ubyte" % stem),
                  rng.integers(0, 256, (n, 28, 28)))
        write_idx(directory / ("%s-labels-idx1-ubyte" % stem), np.arange(n) % 10)
    kind, X, y, Xt, yt = datasets.load_data(str(directory))
    assert kind == ("fashion-mnist" if name == "fashion" else "mnist")  # torchvision's too
    assert X.shape == (60, 784) and Xt.shape == (20, 784)
    code, out, err = run(capsys, "train", "--data", str(directory), "--hidden", "8",
                         "--epochs", "1", "--threads", "1")
    assert code == 0, err
    (directory / "t10k-labels-idx1-ubyte").unlink()
    code, out, err = run(capsys, "train", "--data", str(directory), "--epochs", "1")
    assert_one_line_error(code, err, str(directory), "missing t10k-labels-idx1-ubyte[.gz]")


@pytest.mark.parametrize("content,fragment", [
    (b"", "not an .npz file"),
    (b"a,b,label\n1,2,0\n", "not an .npz file"),   # a CSV named .npz: no pickle advice
    (None, "not an .npz file"),                     # a .npy named .npz
    ("truncated", "not an .npz file"),               # no zip directory at its end
    ("corrupt", "not a readable .npz file"),         # a member's CRC fails
])
def test_npz_files_that_are_not_npz_are_one_line_errors(capsys, tmp_path, content, fragment):
    path = tmp_path / "d.npz"
    if content is None:
        np.save(tmp_path / "d.npy", np.zeros((4, 3)))
        (tmp_path / "d.npy").rename(path)
    elif content in ("truncated", "corrupt"):
        np.savez(path, X=np.zeros((40, 3)), y=np.arange(40) % 2)
        data = bytearray(path.read_bytes())
        if content == "truncated":
            data = data[:len(data) // 2]
        else:
            data[200:260] = bytes(255 - b for b in data[200:260])
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(content)
    code, out, err = run(capsys, "train", "--data", str(path), "--epochs", "1")
    assert_one_line_error(code, err, fragment)
    assert "allow_pickle" not in err


def test_a_csv_whose_first_column_is_named_label_warns(tmp_path):
    """Kaggle's layout (label,pixel0,...) trained on the last pixel as the
    label without a word; the README's rule stands, with a warning."""
    with open(tmp_path / "k.csv", "w") as f:
        f.write("label,p0,p1\n" + "".join("%d,%d,%d\n" % (i % 2, i, i % 3) for i in range(9)))
    with pytest.warns(UserWarning, match="the first column is named 'label', but the label is "
                                         "the last column \\('p1' here\\)"):
        arrays = _data_files.read_csv(str(tmp_path / "k.csv"))
    np.testing.assert_array_equal(arrays["y"], np.arange(9) % 3)
    with open(tmp_path / "ok.csv", "w") as f:
        f.write("p0,p1,label\n1,2,0\n3,4,1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _data_files.read_csv(str(tmp_path / "ok.csv"))
