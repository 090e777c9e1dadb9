"""Week 2: logistic regression on the course's cat/non-cat images (99.04 % / 70 %).

    python examples/logistic_regression_cat.py   # after: autograd-lite data add cat PATH...
    python examples/logistic_regression_cat.py DIR   # or DIR, the folder of the two .h5 files
"""

import importlib.util
import os
import sys

import numpy as np

import nn

# ---- settings ----------------------------------------------------------------------------
QUICK = os.environ.get("QUICK") == "1"  # a short run, for the tests
NUM_ITERATIONS = 200 if QUICK else 2000
LEARNING_RATE = 0.005
PLOT = "logistic_costs.png"  # the course's cost curve (needs matplotlib)

try:
    data = nn.load_catvnoncat(sys.argv[1] if len(sys.argv) > 1 else None)  # else
    # $CATVNONCAT_DIR, else your data folder
except FileNotFoundError as err:
    sys.exit(str(err))
X_train, Y_train = data.train_X, data.train_Y  # (12288, 209), (1, 209)
X_test, Y_test = data.test_X, data.test_Y  # (12288, 50), (1, 50)

d = nn.logistic.model(X_train, Y_train, X_test, Y_test, num_iterations=NUM_ITERATIONS,
                      learning_rate=LEARNING_RATE, print_cost=True, progress=True)
print(f"train accuracy: {d['train_accuracy']:.2f} %")
print(f"test accuracy: {d['test_accuracy']:.2f} %")

# the engine agrees with the hand-derived dw = 1/m X (A - Y)^T, db = 1/m sum(A - Y)
grads, _ = nn.logistic.propagate(d["w"], d["b"], X_train, Y_train)
engine, _ = nn.logistic.propagate_engine(d["w"], d["b"], X_train, Y_train)
print("max |dw - engine dw| =", np.max(np.abs(grads["dw"] - engine["dw"])))

if importlib.util.find_spec("matplotlib"):
    nn.plot.plot_costs(d["costs"], LEARNING_RATE).savefig(PLOT)
    print(f"plot: {PLOT}")
