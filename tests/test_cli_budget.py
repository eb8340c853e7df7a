"""fastnn train's time budget, image augmentation flags and recipes (issue 16)."""
import pytest

from fastnn import _recipes, cli
from test_cli import assert_one_line_error, run


def test_time_budget_and_image_shape_on_digits(capsys):
    code, out, err = run(capsys, "train", "--data", "digits", "--time", "20",
                         "--image-shape", "8x8", "--augment", "shift", "--threads", "1")
    assert code == 0, err
    assert "time budget 20 s" in out and "stopped: " in out
    assert float(out.strip().splitlines()[-1].split(": ")[1]) > 0.8


@pytest.mark.parametrize("argv,fragment", [
    (("--time", "-3"), "--time"), (("--time", "soon"), "--time"),
    (("--image-shape", "8by8"), "--image-shape"), (("--augment", "rotate"), "--augment")])
def test_bad_flags_are_usage_errors(capsys, argv, fragment):
    code, out, err = run(capsys, "train", "--data", "digits", *argv)
    assert code == 2 and fragment in err


def test_an_image_shape_that_does_not_match_the_data_is_one_line(capsys):
    code, out, err = run(capsys, "train", "--data", "digits", "--image-shape", "7x7",
                         "--epochs", "1")
    assert_one_line_error(code, err, "image_shape", "64 features")


def test_the_recipe_width_shrinks_with_the_budget():
    widths = [_recipes.width_for_budget(s)[0] for s in (60, 30, 10)]
    assert widths == [(1024, 512), (512, 256), (256, 128)]
    assert cli.default_recipe("mnist")["fit"]["augment"] == ["shift"]  # no flips of digits


def test_the_fit_budget_leaves_room_to_load_and_evaluate():
    now = [5.0]
    assert _recipes.fit_budget(30.0, 1.0, clock=lambda: now[0]) == pytest.approx(
        30 - 4 - 0.3 - 0.9)
    with pytest.raises(ValueError, match="--time"):
        _recipes.fit_budget(2.0, 0.0, clock=lambda: now[0])
