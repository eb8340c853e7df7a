"""fastnn train's time budget, image augmentation flags and recipes (issue 16)."""
import numpy as np
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
    mnist = cli.default_recipe("mnist")
    assert mnist["timed"]["fit"]["augment"] == ["shift"]  # no flips of digits
    assert "augment" not in mnist["fit"]  # untimed: no augmentation


def test_untimed_image_recipes_train_an_epoch_count(capsys, monkeypatch):
    seen = {}

    def fake_fit(self, X, y, **kwargs):
        seen.update(kwargs)
        raise SystemExit(0)
    fake = (np.zeros((20, 784), np.uint8), np.arange(20) % 10,
            np.zeros((10, 784), np.uint8), np.arange(10) % 10)
    monkeypatch.setattr(cli, "load_data", lambda data, seed=0: ("fashion-mnist", *fake))
    monkeypatch.setattr(cli.fastnn.MLP, "fit", fake_fit)
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist"])
    assert seen["epochs"] == 20 and "max_time" not in seen and "augment" not in seen
    seen.clear()
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist", "--time", "1000"])
    assert seen["max_time"] > 0 and seen["augment"] == ["shift", "flip"]


def test_the_fit_budget_leaves_room_to_load_and_evaluate():
    now = [5.0]
    assert _recipes.fit_budget(30.0, 1.0, clock=lambda: now[0]) == pytest.approx(
        30 - 4 - 0.3 - 0.9)
    with pytest.raises(ValueError, match="--time"):
        _recipes.fit_budget(2.0, 0.0, clock=lambda: now[0])
