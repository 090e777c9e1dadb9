"""Week 3: one hidden layer of tanh units and a sigmoid output, by the course's names.

Shapes: X (n_x, m), W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), A2 (n_y, m).
"""

from __future__ import annotations

import numpy as np

import autograd_lite as al

from .activations import sigmoid
from .checks import (
    check_examples,
    check_parameters,
    check_predictable,
    check_training_data,
    check_Y,
)
from .cost import cross_entropy
from .init import small_random
from .training import check_gradients_option, engine_gradients, gradient_descent
from .training import update_parameters as _update_parameters


def layer_sizes(X, Y, n_h=4):
    """(n_x, n_h, n_y), a tuple of ints: n_x = rows of X (n_x, m), n_y = rows of Y (n_y, m)."""
    return int(np.shape(X)[0]), n_h, int(np.shape(Y)[0])


def initialize_parameters(n_x, n_h, n_y, seed=2):
    """W1 (n_h, n_x), W2 (n_y, n_h) = randn * 0.01 (W1 then W2 from one stream), b = 0.

    seed=2 draws what the course's week-3 code draws after ``np.random.seed(2)``."""
    return small_random([n_x, n_h, n_y], seed)


def forward_propagation(X, parameters):
    """Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2).
    Returns A2 (n_y, m) and cache {"Z1", "A1", "Z2", "A2"}."""
    _check_two_layers(parameters, X, "forward_propagation")
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2
    A2, _ = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _check_two_layers(parameters, X, fn) -> None:
    """W1, b1, W2, b2 of one hidden layer (a missing W2 was a bare KeyError: 'W2')."""
    if len(check_parameters(parameters, X)) != 3:
        raise KeyError(f"{fn}: the shallow network's parameters are W1, b1, W2 and b2 (one "
                       f"hidden layer); keys given: {sorted(parameters)}")


def _backward_mistake(parameters, cache, X, Y) -> tuple:
    """What is wrong with backward_propagation's arguments: missing keys, or an X whose
    examples are rows (it blamed Y for X.T)."""
    _check_two_layers(parameters, None, "backward_propagation")
    missing = [k for k in ("A1", "A2") if k not in cache]
    if missing:
        raise KeyError(f"backward_propagation: the cache lacks {missing}; give the cache "
                       f"forward_propagation returned (keys given: {sorted(cache)})")
    return check_examples(X, Y, "backward_propagation", parameters)


def compute_cost(A2, Y, parameters=None, *, strict=False) -> float:
    """Cross-entropy J of A2 (1, m) against Y (1, m): a Python float, as the course's
    ``float(np.squeeze(cost))``; finite even for A2 of exactly 0 or 1.

    A2 may be rank-1 (m,), as in the course's own test (its formula broadcasts);
    ``strict=True`` refuses that. ``parameters`` is accepted and unused, for the older
    edition's ``compute_cost(A2, Y, parameters)``."""
    return cross_entropy(A2, Y, "A2", strict)


def backward_propagation(parameters, cache, X, Y):
    """dZ2 = A2 - Y, dW2 = 1/m dZ2 A1^T, db2 = 1/m sum(dZ2), dZ1 = W2^T dZ2 * (1 - A1^2),
    dW1 = 1/m dZ1 X^T, db1 = 1/m sum(dZ1). Returns {"dW1", "db1", "dW2", "db2"}.

    Shapes: X (n_x, m), Y (1, m); W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1); every
    gradient has its parameter's shape."""
    if "W2" not in parameters or "A1" not in cache or "A2" not in cache \
            or type(X) is not np.ndarray or X.ndim != 2 or np.shape(Y) != (1, X.shape[1]) \
            or X.shape[:1] != np.shape(parameters.get("W1"))[-1:]:  # (each step: say why only
        X, Y = _backward_mistake(parameters, cache, X, Y)  # when something is wrong)
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    """theta = theta - learning_rate * d theta; returns a new dict, yours untouched, as
    Course 1's edition (its copy.deepcopy) does (week 3's default learning rate, 1.2, on
    training.update_parameters)."""
    return _update_parameters(parameters, grads, learning_rate)


def grads_and_cost(parameters, X, Y, gradients="hand", compile=False):
    """(grads {"dW1", "db1", "dW2", "db2"}, J) for one step: forward_propagation,
    compute_cost and backward_propagation ("hand"), or the engine's backward of
    cost_engine ("engine"; ``compile``: replayed by al.compile, the same bits).

    Shapes: X (n_x, m), Y (1, m); W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1); every
    gradient has its parameter's shape."""
    if gradients == "engine":
        return engine_gradients(cost_engine, parameters, X, Y, compile=compile)
    A2, cache = forward_propagation(X, parameters)
    return backward_propagation(parameters, cache, X, Y), cross_entropy(A2, Y, "A2",
                                                                         values=False)


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, seed=2, learning_rate=1.2,
             progress=False, gradients="hand", return_costs=False, callback=None,
             compile=False):
    """Train the one-hidden-layer network on X (n_x, m), Y (n_y, m); returns the parameters.

    seed=2 draws what the course's initialize_parameters draws after np.random.seed(2)
    (the edition that seeds inside it); seed=3 gives the edition whose test calls
    np.random.seed(3) before nn_model. ``print_cost`` prints "Cost after iteration %i: %f"
    every 1000 iterations, as the course. The course records no costs; ``return_costs``
    returns (parameters, costs) with the cost at iterations 0, 100, 200, ... gradients:
    "hand" or "engine" (``compile=True``: replayed by al.compile); ``callback(i, cost)`` sees
    every iteration."""
    check_gradients_option(gradients, "nn_model", compile)
    n_x, _, n_y = layer_sizes(X, Y, n_h)
    check_training_data(X, check_Y(Y, X.shape[1]), "nn_model")
    parameters, costs = gradient_descent(
        initialize_parameters(n_x, n_h, n_y, seed),
        lambda p: grads_and_cost(p, X, Y, gradients, compile),
        learning_rate, num_iterations, print_cost=print_cost, print_every=1000,
        progress=progress, desc="nn_model", callback=callback)
    return (parameters, costs) if return_costs else parameters


def predict(parameters, X):
    """Predictions (1, m), True for class 1: A2 > 0.5, a boolean array as the course returns."""
    check_predictable(X, parameters, "predict")
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5


# ---- the engine twin ------------------------------------------------------------------------

def cost_engine(parameters, X, Y):
    """The same forward pass and cost built from Tensors (returns J as a Tensor).

    Shapes: X (n_x, m), Y (1, m); W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1); every
    gradient has its parameter's shape."""
    A1 = al.tanh(parameters["W1"] @ X + parameters["b1"])
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    return al.binary_cross_entropy_with_logits(Z2, Y)


def backward_propagation_engine(parameters, X, Y):
    """backward_propagation's gradients from the engine: {"dW1", "db1", "dW2", "db2"}.

    Shapes: X (n_x, m), Y (1, m); W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1); every
    gradient has its parameter's shape."""
    check_parameters(parameters, X)
    check_Y(Y, X.shape[1])
    return grads_and_cost(parameters, X, Y, "engine")[0]
