"""fastnn.MLPClassifier in a scikit-learn Pipeline, tuned by GridSearchCV on
the bundled digits: mean cross-validated accuracy per setting."""
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import fastnn

X_train, y_train, X_test, y_test = fastnn.datasets.load_digits()

pipe = make_pipeline(StandardScaler(),
                     fastnn.MLPClassifier(hidden_layer_sizes=(64,), max_iter=30,
                                          random_state=0))
grid = {"mlpclassifier__dropout": [0.0, 0.2, 0.4],
        "mlpclassifier__alpha": [1e-4, 1e-2, 1.0]}
warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs, on purpose: a quick search
search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)
print("best:", search.best_params_, "test accuracy: %.3f" % search.score(X_test, y_test))

scores = search.cv_results_["mean_test_score"].reshape(len(grid["mlpclassifier__alpha"]),
                                                       len(grid["mlpclassifier__dropout"]))
fig, ax = plt.subplots()
image = ax.imshow(scores, cmap="viridis")
ax.set_xticks(range(3), grid["mlpclassifier__dropout"])
ax.set_yticks(range(3), grid["mlpclassifier__alpha"])
ax.set_xlabel("dropout")
ax.set_ylabel("alpha (L2)")
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, "%.3f" % value, ha="center", va="center", color="w")
ax.set_title("3-fold accuracy; test accuracy of the best: %.3f" % search.score(X_test, y_test))
fig.colorbar(image)
