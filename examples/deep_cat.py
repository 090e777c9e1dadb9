"""Week 4: the L-layer network [12288, 20, 7, 5, 1] on cat/non-cat (98.56 % / 80 %).

    CATVNONCAT_DIR=path/to/catvnoncat python examples/deep_cat.py
"""

import os
import sys

import nn

# ---- settings ----------------------------------------------------------------------------
DATA_DIR = os.environ.get("CATVNONCAT_DIR", os.path.join("..", "shared", "data", "catvnoncat"))
QUICK = os.environ.get("QUICK") == "1"
LAYERS_DIMS = [12288, 20, 7, 5, 1]
LEARNING_RATE = 0.0075
NUM_ITERATIONS = 100 if QUICK else 2500
SEED = 1
GRADIENTS = "hand"  # or "engine": the same numbers from autograd_lite's backward()
SAVE = "deep_cat.npz"

if not os.path.isdir(DATA_DIR):
    sys.exit(f"cat data not found in {DATA_DIR}: set CATVNONCAT_DIR to the directory holding "
             "train_catvnoncat.h5 and test_catvnoncat.h5")
data = nn.load_catvnoncat(DATA_DIR)

model = nn.Model(LAYERS_DIMS, hidden="relu", init="lecun", seed=SEED)  # W = randn / sqrt(n[l-1])
costs = model.fit(data.train_X, data.train_Y, LEARNING_RATE, NUM_ITERATIONS,
                  gradients=GRADIENTS)
print(f"cost: {costs[0]:.4f} -> {costs[-1]:.4f}")
print(f"train accuracy: {100 * model.accuracy(data.train_X, data.train_Y):.2f} %")
print(f"test accuracy: {100 * model.accuracy(data.test_X, data.test_Y):.2f} %")
print(f"saved: {model.save(SAVE)}")
