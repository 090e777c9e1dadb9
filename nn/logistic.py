"""Week 2: logistic regression as a one-neuron network, by the course's names.

Shapes: X (n_x, m), w (n_x, 1), b a number, A = sigmoid(w^T X + b) (1, m), Y (1, m).
"""

from __future__ import annotations

import numpy as np

from .checks import check_X, check_Y
from .cost import cross_entropy_from_logits


def sigmoid(z):
    """1 / (1 + exp(-z)), without overflow."""
    return np.exp(-np.logaddexp(0, -z))


def initialize_with_zeros(dim):
    """w = zeros (dim, 1), b = 0.0."""
    return np.zeros((dim, 1)), 0.0


def _check(w, X, Y=None):
    w = np.asarray(w)
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w should be (n_x, 1), got {w.shape}"
                         + (" (a rank-1 array: use w.reshape(-1, 1))" if w.ndim == 1 else ""))
    check_X(X, w.shape[0])
    if Y is not None:
        check_Y(Y, X.shape[1])


def propagate(w, b, X, Y):
    """Cost J and its gradients: dw = 1/m X (A - Y)^T (n_x, 1), db = 1/m sum(A - Y).

    Returns (grads {"dw", "db"}, cost). J is computed from Z, so it stays finite."""
    _check(w, X, Y)
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = cross_entropy_from_logits(Z, Y)
    dz = A - Y
    dw = X @ dz.T / m
    db = float(np.sum(dz) / m)
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False,
             progress=False):
    """Gradient descent. Returns (params {"w", "b"}, grads, costs every 100 iterations)."""
    from .model import _iterations

    w = np.array(w, dtype=float)
    costs = []
    grads = None
    for i in _iterations(num_iterations, progress, "optimize"):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """0/1 predictions (1, m): A > 0.5."""
    _check(w, X)
    return (sigmoid(w.T @ X + b) > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
          print_cost=False, progress=False):
    """Train from zeros and predict. Returns the course's dict: costs, Y_prediction_test,
    Y_prediction_train, w, b, learning_rate, num_iterations, train/test accuracy (%)."""
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate,
                                print_cost, progress)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    return {"costs": costs, "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations,
            "train_accuracy": 100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100,
            "test_accuracy": 100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100}


# ---- the engine twin ------------------------------------------------------------------------

def cost_engine(w, b, X, Y):
    """J built from Tensors: sigmoid cross-entropy of Z = w^T X + b (a Tensor)."""
    import autograd_lite as al

    return al.binary_cross_entropy_with_logits(w.T @ X + b, Y)


def propagate_engine(w, b, X, Y):
    """propagate's (grads, cost), with the gradients from the engine's backward()."""
    import autograd_lite as al

    _check(w, X, Y)
    wt, bt = al.Tensor(w, requires_grad=True), al.Tensor(b, requires_grad=True)
    cost = cost_engine(wt, bt, X, Y)
    cost.backward()
    return {"dw": wt.grad, "db": float(bt.grad)}, cost.item()
