"""What ``fastnn train`` adds to cli.default_recipe for a time budget and for
images: the network width picked for the budget, the budget of the fit
inside the command's, the augmentation options, and the --plot figure.

Under --time the image recipes (fashion-mnist: shifts and flips; mnist:
shifts only, since a flipped digit is another digit) train with augmentation
inside the compiled epoch, label smoothing and a cosine schedule planned over
the epochs the budget allows; without it they are untimed epoch counts.  A small budget trains a smaller network for more epochs.
Other data get augmentation only from --image-shape HxW: nothing is guessed
from the number of columns.
"""
import time

# (smallest budget in seconds, hidden sizes, dropout) for the image recipes, widest first
WIDTHS = ((40.0, (1024, 512), 0.3), (18.0, (512, 256), 0.2), (0.0, (256, 128), 0.1))
# seconds of the command's budget kept back for evaluating (and saving) the model
EVAL_RESERVE = (0.3, 0.03)  # fixed, share of the budget
MAX_TIMED_EPOCHS = 100  # the bound on epochs when a budget decides (--epochs overrides)


def width_for_budget(seconds):
    """(hidden sizes, dropout) of an image recipe trained within `seconds`."""
    for low, hidden, dropout in WIDTHS:
        if seconds >= low:
            return hidden, dropout
    return WIDTHS[-1][1:]


def parse_image_shape(text):
    """'28x28' or '32x32x3' -> a tuple; ValueError naming the flag otherwise."""
    try:
        shape = tuple(int(v) for v in text.lower().split("x"))
    except ValueError:
        shape = ()
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError("--image-shape expects HxW or HxWxC, e.g. 28x28, got %r" % text)
    return shape


def fit_budget(command_seconds, started, clock=time.perf_counter):
    """The fit's max_time inside the command's budget: what is left after
    loading, less the reserve for evaluation.  ValueError when nothing is left."""
    fixed, share = EVAL_RESERVE
    left = command_seconds - (clock() - started) - fixed - share * command_seconds
    if left <= 0:
        raise ValueError("--time %g s leaves no time to train after loading the data (%.1f s)"
                         % (command_seconds, clock() - started))
    return left


def plot_history(history, path):
    """Training loss, validation loss and accuracy against epochs and seconds."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = list(range(1, len(history["loss"]) + 1))
    seconds = list(history.get("elapsed") or epochs)[:len(epochs)]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6))
    for row, (xs, label) in enumerate(((epochs, "epoch"), (seconds, "seconds"))):
        loss_ax, acc_ax = axes[row]
        loss_ax.plot(xs, history["loss"], label="training loss")
        if history.get("val_loss"):
            loss_ax.plot(xs, history["val_loss"], label="validation loss")
            acc_ax.plot(xs, history["val_accuracy"], label="validation accuracy",
                        color="C2")
        loss_ax.set_xlabel(label)
        loss_ax.set_ylabel("loss")
        loss_ax.legend()
        acc_ax.set_xlabel(label)
        acc_ax.set_ylabel("accuracy")
        if history.get("val_accuracy"):
            acc_ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
