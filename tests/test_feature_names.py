"""fastnn/_feature_names.py: scikit-learn's feature_names_in_ rule, duck-typed
on ``.columns`` (pandas and polars DataFrames, or anything shaped like one)."""
import warnings

import numpy as np
import pytest

from fastnn._feature_names import check_column_names, column_names, loaded_column_names


class Table:
    """A DataFrame as the module sees one without pandas: an object with columns."""

    def __init__(self, columns):
        self.columns = columns


def fitted(*names):
    return np.array(names, dtype=object)


def no_warning(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call(*args)


def test_str_columns_are_names():
    names = column_names(Table(["a", "b", "c"]))
    assert names.dtype == object and names.tolist() == ["a", "b", "c"]
    assert column_names(Table(("x",))).tolist() == ["x"]


@pytest.mark.parametrize("X", [np.zeros((2, 3)), [[1, 2]], Table([0, 1, 2]), Table([]),
                               Table("abc"), Table(None), Table(5),
                               Table([("a", 1), ("a", 2)])])  # a MultiIndex's tuples
def test_no_names(X):
    assert column_names(X) is None


def test_mixed_str_and_other_names_are_refused():
    with pytest.raises(TypeError, match=r"must all be str, got names of types \['int', 'str'\]"):
        column_names(Table(["a", 1]))


def test_same_names_in_the_same_order_pass_silently():
    no_warning(check_column_names, fitted("a", "b"), Table(["a", "b"]))
    no_warning(check_column_names, None, np.zeros((1, 2)))


def test_reordered_names_are_an_error():
    with pytest.raises(ValueError, match=r"^The feature names should match those that were "
                       r"passed during fit: the names are in another order \(or repeated\): "
                       r"fit had 'a', 'b', 'c', X has 'c', 'b', 'a'$"):
        check_column_names(fitted("a", "b", "c"), Table(["c", "b", "a"]))


def test_the_message_names_unseen_and_missing_columns():
    with pytest.raises(ValueError, match=r"unseen at fit: 'x'; seen at fit, now missing: 'b'$"):
        check_column_names(fitted("a", "b"), Table(["a", "x"]))
    with pytest.raises(ValueError, match=r"during fit: seen at fit, now missing: 'c'$"):
        check_column_names(fitted("a", "b", "c"), Table(["a", "b"]))
    with pytest.raises(ValueError, match=r"unseen at fit: 'c'$"):
        check_column_names(fitted("a", "b"), Table(["a", "b", "c"]))
    many = ["n%d" % i for i in range(8)]
    with pytest.raises(ValueError, match=r"unseen at fit: 'n0', 'n1', 'n2', 'n3', 'n4', \.\.\.;"):
        check_column_names(fitted("a"), Table(many))


def test_names_on_one_side_only_warn(recwarn):
    check_column_names(fitted("a", "b"), np.zeros((1, 2)), "Model")
    check_column_names(None, Table(["a", "b"]), "Model")
    assert [str(w.message) for w in recwarn] == [
        "X does not have valid feature names, but Model was fitted with feature names",
        "X has feature names, but Model was fitted without feature names"]
    assert all(w.filename == __file__ for w in recwarn)  # the caller's line, not fastnn's


def test_loaded_names():
    assert loaded_column_names(None, 3) is None
    names = loaded_column_names(["a", "b"], 2)
    assert names.dtype == object and names.tolist() == ["a", "b"]
    for bad in (["a"], ["a", 2], "ab", {"a": 1, "b": 2}):
        with pytest.raises(ValueError, match="feature_names_in must be a list of 2 str"):
            loaded_column_names(bad, 2)


def test_pandas():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.zeros((2, 3)), columns=["a", "b", "c"])
    assert column_names(df).tolist() == ["a", "b", "c"]
    assert column_names(pd.DataFrame(np.zeros((2, 3)))) is None  # 0, 1, 2
    assert column_names(df.to_numpy()) is None
    no_warning(check_column_names, column_names(df), df)
    with pytest.raises(ValueError, match="another order"):
        check_column_names(column_names(df), df[["b", "a", "c"]])
    with pytest.raises(TypeError):
        column_names(pd.DataFrame(np.zeros((1, 2)), columns=["a", 1]))


def test_polars():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"a": [1.0], "b": [2.0]})
    assert column_names(df).tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="another order"):
        check_column_names(column_names(df), df.select(["b", "a"]))
