"""fastnn train's time budget, image augmentation flags and recipes."""
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
    (("--image-shape", "8by8"), "--image-shape"), (("--augment", "rotate"), "--augment"),
    # found before loading the data, named by the flag (they were exit 1, after it)
    (("--lr", "0"), "--lr: expected a positive"), (("--dropout", "1"), "--dropout"),
    (("--label-smoothing", "1.5"), "--label-smoothing"),
    (("--activation", "relu,foo"), "unknown activation 'foo'")])
def test_bad_flags_are_usage_errors(capsys, argv, fragment):
    code, out, err = run(capsys, "train", "--data", "digits", *argv)
    assert code == 2 and fragment in err


def test_an_image_shape_that_does_not_match_the_data_is_one_line(capsys):
    code, out, err = run(capsys, "train", "--data", "digits", "--image-shape", "7x7",
                         "--epochs", "1")
    assert_one_line_error(code, err, "image_shape", "64 features")


def test_an_image_one_pixel_high_cannot_be_shifted(capsys):
    """The shift the CLI defaults to would move nothing (max_shift 0): refused,
    as MLP.fit refuses it, instead of training unaugmented without a word."""
    code, out, err = run(capsys, "train", "--data", "digits", "--image-shape", "1x64",
                         "--epochs", "1")
    assert_one_line_error(code, err, "--image-shape 1x64", "cannot be shifted")
    code, out, err = run(capsys, "train", "--data", "digits", "--image-shape", "1x64",
                         "--augment", "flip", "--epochs", "1")
    assert code == 0, err


def test_components_without_augmentation_take_no_image_shape(capsys):
    """--image-shape with --augment none and --components: the model trains on
    projections, so the shape is not held against their count."""
    code, out, err = run(capsys, "train", "--data", "digits", "--image-shape", "8x8",
                         "--augment", "none", "--components", "20", "--epochs", "1")
    assert code == 0, err


def test_the_planned_width_shrinks_with_the_budget_and_grows_with_the_machine():
    def hidden(seconds, gflops):
        return _recipes.plan_width(seconds, 60000, 784, 10, gflops)[0]
    # a 70 GFLOP/s machine: seconds buy the narrow net, minutes the wider ones
    widths = [hidden(s, 70.0) for s in (400, 100, 8)]
    assert widths == [(1024, 512), (512, 256), (256, 128)]
    assert hidden(40, 4 * 70.0) == (1024, 512)  # four times faster: wider for the same time
    for name in ("fashion-mnist", "mnist"):
        recipe = cli.default_recipe(name)
        assert "augment" not in recipe["fit"] and "augment" not in recipe["timed"]["fit"]


def test_expected_accuracy_interpolates_in_log_epochs():
    curve = {1: 0.80, 4: 0.90}
    assert _recipes.expected_accuracy(curve, 0.5) == 0.0  # cannot finish its first epoch
    assert _recipes.expected_accuracy(curve, 2) == pytest.approx(0.85)
    assert _recipes.expected_accuracy(curve, 64) == 0.90


def test_a_failed_probe_plans_for_a_slow_cpu():
    for reading in (0.0, -1.0, float("nan"), float("inf")):
        assert _recipes.plan_width(10, 60000, 784, 10, reading)[0] == (256, 128)


def test_planned_epochs_follow_the_machine_speed():
    # 5 s is the narrow net on both machines: twice the FLOP rate, twice the epochs
    slow_net, _, slow = _recipes.plan_width(5, 60000, 784, 10, 50.0)
    fast_net, _, fast = _recipes.plan_width(5, 60000, 784, 10, 100.0)
    assert slow_net == fast_net == (256, 128)
    assert fast == pytest.approx(2 * slow) and slow > 1


def test_untimed_image_recipes_train_an_epoch_count(capsys, monkeypatch):
    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (False, ""))
    seen = {}

    def fake_fit(self, X, y, **kwargs):
        seen.update(kwargs, sizes=list(self.layer_sizes))
        raise SystemExit(0)
    fake = (np.zeros((20, 784), np.uint8), np.arange(20) % 10,
            np.zeros((10, 784), np.uint8), np.arange(10) % 10)
    monkeypatch.setattr(cli, "load_data", lambda data, seed=0: ("fashion-mnist", *fake))
    monkeypatch.setattr(cli.fastnn.MLP, "fit", fake_fit)
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist"])
    assert seen["epochs"] == 20 and "max_time" not in seen and "augment" not in seen
    seen.clear()
    monkeypatch.setattr(_recipes, "measured_gflops", lambda threads: 70.0)
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist", "--time", "1000"])
    assert seen["max_time"] > 0 and "augment" not in seen and seen["lr_schedule"] == "cosine"
    # 20 rows and ~1000 s: the widest candidate, as the planner says
    assert seen["sizes"] == [784, *_recipes.plan_width(seen["max_time"], 20, 784, 10, 70.0)[0], 10]
    assert "planned for the budget: 1024-512 hidden" in capsys.readouterr().out

    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (True, ""))
    monkeypatch.setattr(cli.fastnn._config, "bfloat16_speed", lambda: (True, ""))
    with pytest.raises(SystemExit):  # bfloat16 asked for where it is faster: counted faster
        cli.main(["train", "--data", "fashion-mnist", "--time", "1000", "--dtype", "bfloat16"])
    assert ("FMA limit 70 GFLOP/s, bfloat16 epochs counted %.1fx faster"
            % _recipes.BFLOAT16_EPOCH_SPEEDUP) in capsys.readouterr().out

    def no_probe(threads):
        raise AssertionError("--hidden given: nothing to plan, no probe")
    monkeypatch.setattr(_recipes, "measured_gflops", no_probe)
    seen.clear()
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist", "--time", "1000", "--hidden", "64"])
    assert seen["sizes"] == [784, 64, 10] and seen["max_time"] > 0


def test_the_planner_counts_bfloat16_speed_only_where_it_is_faster(monkeypatch):
    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (True, ""))
    assert _recipes.epoch_gain(None) == _recipes.epoch_gain("float32") == 1.0
    assert _recipes.epoch_gain("bfloat16") == _recipes.BFLOAT16_EPOCH_SPEEDUP > 1
    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (False, ""))
    assert _recipes.epoch_gain("bfloat16") == 1.0


def test_the_fit_budget_leaves_room_to_load_and_evaluate():
    now = [5.0]
    assert _recipes.fit_budget(30.0, 1.0, clock=lambda: now[0]) == pytest.approx(
        30 - 4 - 0.3 - 0.9)
    with pytest.raises(ValueError, match="--time"):
        _recipes.fit_budget(2.0, 0.0, clock=lambda: now[0])


def test_a_budget_too_small_says_what_took_the_time_and_what_would_do():
    now = [0.0]  # loading took no time: the message must not blame it alone
    with pytest.raises(ValueError) as caught:
        _recipes.fit_budget(0.05, 0.0, clock=lambda: now[0], plot=True)
    message = str(caught.value)
    assert "loading took 0.0 s" in message and "--plot figure" in message
    least = float(message.split("give --time ")[1].split()[0])
    assert _recipes.fit_budget(least, 0.0, clock=lambda: now[0], plot=True) > 0
    with pytest.raises(ValueError, match="no time to train"):
        _recipes.fit_budget(least - 0.2, 0.0, clock=lambda: now[0], plot=True)


def recipe_dtype_seen(capsys, monkeypatch, faster, *argv, data="fashion-mnist"):
    """(the MLP's dtype, the CLI's output) of `fastnn train` on a fake data set
    whose CPU is or is not one where bfloat16 is faster."""
    seen = {}

    def fake_fit(self, X, y, **kwargs):
        seen["dtype"] = self.get_params()["dtype"]
        raise SystemExit(0)
    fake = (np.zeros((20, 784), np.uint8), np.arange(20) % 10,
            np.zeros((10, 784), np.uint8), np.arange(10) % 10)
    monkeypatch.setattr(cli, "load_data", lambda name, seed=0: (data, *fake))
    monkeypatch.setattr(cli.fastnn.MLP, "fit", fake_fit)
    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (faster, "the probe's reason"))
    monkeypatch.setattr(_recipes, "measured_gflops", lambda threads: 70.0)
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", data, *argv])
    return seen["dtype"], capsys.readouterr().out


def test_the_fashion_mnist_recipe_computes_in_bfloat16_only_where_it_is_faster(capsys,
                                                                               monkeypatch):
    dtype, out = recipe_dtype_seen(capsys, monkeypatch, True)
    assert dtype == "bfloat16"
    assert "computing in bfloat16: the probe's reason (--dtype float32 to keep float32)" in out
    dtype, out = recipe_dtype_seen(capsys, monkeypatch, False)
    assert dtype == "float32" and "bfloat16" not in out
    for asked in ("float32", "float64"):  # the user's --dtype wins, silently
        dtype, out = recipe_dtype_seen(capsys, monkeypatch, True, "--dtype", asked)
        assert dtype == asked and "bfloat16" not in out
    # under --time the planner counts the bfloat16 it will run
    dtype, out = recipe_dtype_seen(capsys, monkeypatch, True, "--time", "1000")
    assert dtype == "bfloat16" and "bfloat16 epochs counted" in out


@pytest.mark.parametrize("data", ["mnist", "digits", "file"])
def test_recipes_not_validated_in_bfloat16_stay_float32(capsys, monkeypatch, data):
    dtype, out = recipe_dtype_seen(capsys, monkeypatch, True, data=data)
    assert dtype == "float32" and "bfloat16" not in out


def test_bfloat16_counts_as_faster_with_amx_or_a_clear_vdpbf16ps_margin(monkeypatch):
    """One rule (config()["bfloat16_faster"]) for warnings, the planner and the
    recipe's dtype: a probe near 1x cannot flip it between runs."""
    from fastnn import _config
    for engine, rate, want in (("avx512bf16", 2.0, True), ("amx", None, True),
                               ("avx512bf16", _config.BF16_FASTER_MIN_RATE, True),
                               ("avx512bf16", 1.2, False), ("avx512bf16", 0.8, False),
                               ("avx512bf16", None, False), ("portable", 5.0, False)):
        monkeypatch.setattr(_config._core, "bf16_engine", lambda: engine)
        monkeypatch.setattr(_config._core, "bf16_vs_fma_rate", lambda: rate)
        assert _config.bfloat16_speed()[0] is want, (engine, rate)
        assert _recipes.recipe_dtype(None, True)[0] == ("bfloat16" if want else None)
