"""Week 3: one hidden layer of tanh units on the planar flower (90.75 % for 4 units).

    python examples/shallow_flower.py
"""

import importlib.util
import os

import numpy as np

import nn

# ---- settings ----------------------------------------------------------------------------
QUICK = os.environ.get("QUICK") == "1"
N_H = 4  # hidden units
NUM_ITERATIONS = 1000 if QUICK else 10000
LEARNING_RATE = 1.2
SEED = 2  # the course's initialize_parameters seed
SWEEP = [] if QUICK else [1, 2, 3, 4, 5]  # the course's hidden-layer-size experiment
PLOT = "flower_boundary.png"  # the course's decision-boundary figure (needs matplotlib)

X, Y = nn.planar_flower()  # X (2, 400), Y (1, 400)

parameters = nn.shallow.nn_model(X, Y, N_H, NUM_ITERATIONS, print_cost=True, seed=SEED,
                                 learning_rate=LEARNING_RATE, progress=True)
predictions = nn.shallow.predict(parameters, X)  # (1, 400)
print(f"accuracy with {N_H} hidden units: {100 * np.mean(predictions == Y):.2f} %")

if importlib.util.find_spec("matplotlib"):
    fig = nn.plot.plot_decision_boundary(lambda x: nn.shallow.predict(parameters, x), X, Y,
                                         f"Decision Boundary for hidden layer size {N_H}")
    fig.savefig(PLOT)
    print(f"plot: {PLOT}")
else:
    print("no plot: matplotlib is not installed (pip install -e \".[plot]\")")

for n_h in SWEEP:
    p = nn.shallow.nn_model(X, Y, n_h, 5000, seed=SEED)
    print(f"n_h = {n_h}: {100 * np.mean(nn.shallow.predict(p, X) == Y):.2f} %")
