"""Week 2: logistic regression as a one-neuron network, by the course's names.

Shapes: X (n_x, m), w (n_x, 1), b a number, A = sigmoid(w^T X + b) (1, m), Y (1, m).
Return types follow the course's graded functions: ``propagate``'s cost is a 0-d array
(the course's ``np.squeeze(np.array(cost))``) and its db a ``np.float64``.
"""

from __future__ import annotations

import functools

import numpy as np

import autograd_lite as al

from .activations import expit
from .checks import (
    check_examples,
    check_learning_rate,
    check_predictable,
    check_scored,
    check_training_data,
    check_X,
    check_Y,
)
from .cost import cross_entropy_from_logits
from .training import check_gradients_option, engine_gradients, train_loop


def sigmoid(z):
    """1 / (1 + exp(-z)) for a number or an array of any shape, without overflow.

    Week 2's contract (returns A); week 4's ``activations.sigmoid`` returns (A, cache).
    Both are nn's one implementation, ``activations.expit``."""
    return expit(z)


def initialize_with_zeros(dim: int):
    """w = zeros (dim, 1), b = 0.0 (a Python float, as the course's test checks)."""
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"initialize_with_zeros: dim is n_x, the number of features (X.shape[0]"
                         f"), a positive int, got {dim!r}")  # (0 gave a w of shape (0, 1))
    return np.zeros((dim, 1)), 0.0


def _check(w, b, X, Y=None):
    """w (n_x, 1), b a number, X (n_x, m), Y (1, m), as arrays (X a list works, as numpy's
    w.T @ X does); b of another shape broadcast dw to (n_x, n_x) and J to a wrong value."""
    w = np.asarray(w)
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w should be (n_x, 1), got {w.shape}"
                         + (" (a rank-1 array: use w.reshape(-1, 1))" if w.ndim == 1 else ""))
    if np.size(b) != 1:
        raise ValueError(f"b should be a number (the bias, as initialize_with_zeros gives 0.0), "
                         f"got an array of shape {np.shape(b)}")
    X = check_X(X, w.shape[0])
    return w, X, (None if Y is None else check_Y(Y, X.shape[1]))


def propagate(w, b, X, Y):
    """Cost J and its gradients: dw = 1/m X (A - Y)^T (n_x, 1), db = 1/m sum(A - Y).

    w (n_x, 1), b a number, X (n_x, m), Y (1, m). Returns (grads {"dw", "db"}, cost):
    db is a ``np.float64`` and cost a 0-d array, as the course's. J is computed from Z,
    so it stays finite."""
    w, X, Y = _check(w, b, X, Y)
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = np.asarray(cross_entropy_from_logits(Z, Y))
    dz = A - Y
    dw = X @ dz.T / m
    db = np.float64(np.sum(dz) / m)
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False,
             progress=False, gradients="hand", callback=None, compile=False):
    """Gradient descent. Returns (params {"w", "b"}, grads, costs).

    costs holds the cost (before that step's update) at iterations 0, 100, 200, ...:
    exactly the course's list, so 101 iterations record 2 costs. ``print_cost`` prints
    those as the course does: ``Cost after iteration 100: 0.310571``. gradients: "hand"
    (propagate) or "engine" (propagate_engine; ``compile=True`` replays it with al.compile);
    ``callback(i, cost)`` sees every iteration.

    Shapes: w (n_x, 1), b a number, X (n_x, m), Y (1, m); dw (n_x, 1)."""
    check_gradients_option(gradients, "optimize", compile)
    check_learning_rate(learning_rate, "optimize")
    find = propagate if gradients == "hand" else functools.partial(propagate_engine,
                                                                   compile=compile)
    w = np.array(w, dtype=float)
    grads = None

    def step(i):
        nonlocal w, b, grads
        grads, cost = find(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        return cost

    costs = train_loop(step, num_iterations, print_cost=print_cost, progress=progress,
                       desc="optimize", callback=callback)  # the course's "%i: %f"
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """0/1 predictions (1, m) of floats: A > 0.5. w (n_x, 1), or (n_x,) which the course's
    predict reshapes to (n_x, 1) too."""
    w = np.asarray(w)
    if w.ndim == 1:
        w = w.reshape(-1, 1)
    w, X, _ = _check(w, b, X)
    check_predictable(X, {"w": w, "b": b}, "predict")
    return (sigmoid(w.T @ X + b) > 0.5).astype(float)


def model(X_train, Y_train, X_test=None, Y_test=None, num_iterations=2000, learning_rate=0.5,
          print_cost=False, progress=False, gradients="hand", callback=None, compile=False):
    """Train from zeros and predict. Returns the course's dict: costs (as optimize
    records them), Y_prediction_test, Y_prediction_train, w, b, learning_rate,
    num_iterations, plus train_accuracy and test_accuracy (%). ``print_cost`` prints the
    costs, then "train accuracy: ... %" and "test accuracy: ... %", as the course does.
    Y_test may be rank-1 (m_test,), as in the course's own test. Without a test set
    (X_test None) the test entries are None. gradients, callback and compile: as
    optimize's.

    Shapes: X_train (n_x, m_train), Y_train (1, m_train), X_test (n_x, m_test), Y_test (1,
    m_test); w (n_x, 1)."""
    X_train, Y_train = check_examples(X_train, Y_train, "model", name="Y_train")
    if X_test is not None:
        if Y_test is None:
            raise TypeError("model: X_test is given without Y_test; give both (the test "
                            "accuracy needs the labels), or neither")
        X_test = check_X(X_test, np.shape(X_train)[0], "X_test")
        Y_test = np.asarray(Y_test)
        if Y_test.ndim == 1 and Y_test.shape[0] == X_test.shape[1]:
            Y_test = Y_test.reshape(1, -1)  # the course's test passes y_test = np.array([0, 1, 0])
        Y_test = check_Y(Y_test, X_test.shape[1], "Y_test")
        check_scored(Y_test, "model", "Y_test")
    check_training_data(X_train, Y_train, "model")
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate,
                                print_cost, progress, gradients, callback, compile)
    w, b = params["w"], params["b"]
    Y_prediction_train = predict(w, b, X_train)
    train_accuracy = 100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100
    Y_prediction_test = test_accuracy = None
    if X_test is not None:
        Y_prediction_test = predict(w, b, X_test)
        test_accuracy = 100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100
    if print_cost:
        print(f"train accuracy: {train_accuracy} %")
        if X_test is not None:
            print(f"test accuracy: {test_accuracy} %")
    return {"costs": costs, "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations,
            "train_accuracy": train_accuracy, "test_accuracy": test_accuracy}


# ---- the engine twin ------------------------------------------------------------------------

def cost_engine(w, b, X, Y):
    """J built from Tensors: sigmoid cross-entropy of Z = w^T X + b (a Tensor).

    Shapes: w (n_x, 1), b a number, X (n_x, m), Y (1, m); dw (n_x, 1)."""
    return al.binary_cross_entropy_with_logits(w.T @ X + b, Y)


def _cost_of(P, X, Y):
    return cost_engine(P["w"], P["b"], X, Y)


def propagate_engine(w, b, X, Y, compile=False):
    """propagate's (grads, cost), with the gradients from the engine's backward()
    (``compile``: replayed by al.compile, the same bits).

    Shapes: w (n_x, 1), b a number, X (n_x, m), Y (1, m); dw (n_x, 1)."""
    w, X, Y = _check(w, b, X, Y)
    grads, cost = engine_gradients(_cost_of, {"w": w, "b": b}, X, Y, compile=compile)
    return {"dw": grads["dw"], "db": float(grads["db"])}, cost
