"""Dropout against none: the same network on the bundled digits, trained
with a drop rate of 0 and 0.3 after its hidden layers; the validation loss
of each."""
import matplotlib.pyplot as plt

import fastnn

X_train, y_train, X_test, y_test = fastnn.datasets.load_digits()
X_train, X_test = X_train / 16.0, X_test / 16.0

fig, ax = plt.subplots()
for rate in (0.0, 0.3):
    model = fastnn.MLP([64, 128, 128, 10], dropout=rate, random_state=0)
    model.fit(X_train, y_train, epochs=40, batch_size=32, learning_rate=1e-3,
              validation_split=0.2)
    accuracy = model.score(X_test, y_test)
    print("dropout %.1f: test accuracy %.3f" % (rate, accuracy))
    ax.plot(model.history_["val_loss"], label="dropout %.1f (test accuracy %.3f)"
            % (rate, accuracy))
ax.set_xlabel("epoch")
ax.set_ylabel("validation cross-entropy")
ax.set_title("64-128-128-10 on the digits")
ax.legend()
