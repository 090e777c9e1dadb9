"""Week 4: the L-layer network [12288, 20, 7, 5, 1] on cat/non-cat (98.56 % / 80 %).

    python examples/deep_cat.py   # after: autograd-lite data add cat PATH...
    python examples/deep_cat.py DIR   # or DIR, the folder of the two .h5 files
"""

import importlib.util
import os
import sys

import nn

# ---- settings ----------------------------------------------------------------------------
QUICK = os.environ.get("QUICK") == "1"
LAYERS_DIMS = [12288, 20, 7, 5, 1]
LEARNING_RATE = 0.0075
NUM_ITERATIONS = 100 if QUICK else 2500
SEED = 1
GRADIENTS = "hand"  # or "engine": the same numbers from autograd_lite's backward()
SAVE = "deep_cat.npz"
PLOTS = "deep_cat_costs.png", "deep_cat_mislabeled.png"  # the course's figures (matplotlib)

try:
    data = nn.load_catvnoncat(sys.argv[1] if len(sys.argv) > 1 else None)  # else
    # $CATVNONCAT_DIR, else your data folder
except FileNotFoundError as err:
    sys.exit(str(err))

model = nn.Model(LAYERS_DIMS, hidden="relu", init="lecun", seed=SEED)  # W = randn / sqrt(n[l-1])
costs = model.fit(data.train_X, data.train_Y, LEARNING_RATE, NUM_ITERATIONS,
                  gradients=GRADIENTS)
print(f"cost: {costs[0]:.4f} -> {costs[-1]:.4f}")
print(f"train accuracy: {100 * model.accuracy(data.train_X, data.train_Y):.2f} %")
print(f"test accuracy: {100 * model.accuracy(data.test_X, data.test_Y):.2f} %")
print(f"saved: {model.save(SAVE)}")

if importlib.util.find_spec("matplotlib"):
    nn.plot.plot_costs(costs, LEARNING_RATE).savefig(PLOTS[0])
    predictions = model.predict(data.test_X)  # (1, 50)
    nn.plot.plot_mislabeled_images(data.classes, data.test_X, data.test_Y,
                                   predictions).savefig(PLOTS[1])
    print(f"plots: {', '.join(PLOTS)}")
