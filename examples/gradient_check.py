"""An engineer checks hand-written gradients: a custom op's VJP with gradcheck, then a
whole network's hand-derived dW, db with check_gradients (and a deliberate bug).

    python examples/gradient_check.py
"""

import numpy as np

import autograd_lite as al

# ---- settings ----------------------------------------------------------------------------
SEED = 0
N_X, N_H, M = 3, 4, 6

rng = np.random.default_rng(SEED)

# 1. A new primitive with a hand-written VJP: softplus(z) = log(1 + e^z), d/dz = sigmoid(z).
softplus = al.custom_op(lambda z: np.logaddexp(0, z),
                        lambda g, ans, z: g / (1 + np.exp(-z)), name="softplus")
print("softplus VJP passes gradcheck:", al.gradcheck(softplus, [rng.standard_normal((2, 3))]))

# 2. A two-layer network and its hand-derived gradients, in the course's notation.
X = rng.standard_normal((N_X, M))  # (n_x, m)
Y = (rng.random((1, M)) > 0.5).astype(float)  # (1, m)
params = {"W1": rng.standard_normal((N_H, N_X)) * 0.5, "b1": rng.standard_normal((N_H, 1)),
          "W2": rng.standard_normal((1, N_H)) * 0.5, "b2": rng.standard_normal((1, 1))}


def cost(P):
    A1 = al.tanh(P["W1"] @ X + P["b1"])  # (n_h, m)
    return al.binary_cross_entropy_with_logits(P["W2"] @ A1 + P["b2"], Y)


def my_gradients(P, bug=False):
    A1 = np.tanh(P["W1"] @ X + P["b1"])  # (n_h, m)
    A2 = 1 / (1 + np.exp(-(P["W2"] @ A1 + P["b2"])))  # (1, m)
    dZ2 = A2 - Y  # (1, m)
    dW2 = dZ2 @ A1.T / M  # (1, n_h)
    db2 = dZ2.sum(axis=1, keepdims=True) / M
    dZ1 = (P["W2"].T @ dZ2) * (1 - A1 ** 2)  # (n_h, m)
    dW1 = dZ1 @ X.T / (1 if bug else M)  # the bug: a missing 1/m
    db1 = dZ1.sum(axis=1, keepdims=True) / M
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


report = al.check_gradients(cost, params, my_gradients)
print("\nThe correct gradients (every row should PASS):")
print(report)
buggy = al.check_gradients(cost, params, lambda P: my_gradients(P, bug=True))
print("\nThe same gradients with a bug planted on purpose, a missing 1/m in dW1 (the check "
      "should catch it: dW1 WRONG, the others PASS):")
print(buggy)
print("grader JSON:", buggy.to_json()[:120], "...")
assert report.passed and not buggy.passed and buggy.first_failure.key == "dW1"
