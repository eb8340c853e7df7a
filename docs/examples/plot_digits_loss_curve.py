"""Train fastnn.MLP on the bundled 8x8 digits and plot its loss curves."""
import matplotlib.pyplot as plt

import fastnn

X_train, y_train, X_test, y_test = fastnn.datasets.load_digits()
X_train, X_test = X_train / 16.0, X_test / 16.0     # pixels 0..16 -> [0, 1]

model = fastnn.MLP([64, 128, 10], activation="relu", output="softmax", random_state=0)
model.fit(X_train, y_train, epochs=40, batch_size=32, optimizer="adam",
          learning_rate=1e-3, validation_split=0.1)
print("test accuracy: %.3f" % model.score(X_test, y_test))

fig, ax = plt.subplots()
ax.plot(model.history_["loss"], label="training loss")
ax.plot(model.history_["val_loss"], label="validation loss")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_title("64-128-10 MLP on the digits: test accuracy %.3f" % model.score(X_test, y_test))
ax.legend()
