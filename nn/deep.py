"""Week 4: the L-layer network, by the course's names, with hand-derived backprop.

Shapes: X is (n_x, m) = A0, W[l] is (n[l], n[l-1]), b[l] is (n[l], 1), Z[l] and A[l] are
(n[l], m), AL = A[L] is (1, m). Hidden layers use ``hidden`` (relu in the course), the
output layer sigmoid. The course's dA[l] keys hold m * dJ/dA[l]: the 1/m is applied
in dW and db (linear_backward).
"""

from __future__ import annotations

import numpy as np

from . import activations
from .checks import check_parameters, check_Y, num_layers
from .cost import cross_entropy
from .init import initialize


def initialize_parameters_deep(layer_dims, seed=1, init="lecun"):
    """{"W1": (n[1], n_x), "b1": (n[1], 1), ...}; init "lecun" is the course's
    randn / sqrt(n[l-1]); "small_random" is randn * 0.01 (the two-layer model)."""
    return initialize(layer_dims, init, seed)


def linear_forward(A, W, b):
    """Z = W A + b: A (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1) -> Z (n[l], m), cache."""
    Z = W @ A + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b). Returns A (n[l], m) and cache ((A_prev, W, b), Z)."""
    g = activations.get(activation)[0]
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = g(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters, hidden="relu"):
    """[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID. Returns AL (1, m) and caches."""
    check_parameters(parameters, X)
    caches = []
    A = X
    L = num_layers(parameters)
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """Cross-entropy J = -1/m sum(Y log AL + (1-Y) log(1-AL)), finite even for AL of 0 or 1."""
    return cross_entropy(AL, Y)


def linear_backward(dZ, cache):
    """dW = 1/m dZ A_prev^T, db = 1/m sum(dZ, axis=1, keepdims), dA_prev = W^T dZ."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """dZ = dA * g'(Z), then linear_backward. Returns dA_prev, dW, db."""
    linear_cache, activation_cache = cache
    dZ = activations.get(activation)[1](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches, hidden="relu"):
    """Gradients {"dA0", "dW1", "db1", ..., "dA(L-1)", "dWL", "dbL"}.

    The output layer starts from dZ[L] = AL - Y (sigmoid with cross-entropy), which stays
    exact where the course's dAL = -(Y/AL - (1-Y)/(1-AL)) would divide by 0.
    """
    L = len(caches)
    check_Y(Y, AL.shape[1])
    grads = {}
    linear_cache, _ = caches[L - 1]
    dA_prev, dW, db = linear_backward(AL - Y, linear_cache)
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = dA_prev, dW, db
    for l in reversed(range(1, L)):
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l}"], caches[l - 1], hidden)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
    return grads


def update_parameters(params, grads, learning_rate):
    """W[l] -= learning_rate dW[l], b[l] -= learning_rate db[l]; returns a new dict."""
    return {k: v - learning_rate * grads["d" + k] for k, v in params.items()}


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                  print_cost=False, seed=1, init="lecun", hidden="relu", progress=False):
    """Train by batch gradient descent. Returns (parameters, costs) with the cost
    recorded every 100 iterations and at the last one, as in the course."""
    from .model import _iterations

    parameters = initialize_parameters_deep(layers_dims, seed, init)
    check_Y(Y, np.shape(X)[1])
    costs = []
    for i in _iterations(num_iterations, progress, "L_layer_model"):
        AL, caches = L_model_forward(X, parameters, hidden)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches, hidden)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost}")
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                    print_cost=False, seed=1):
    """The course's LINEAR -> RELU -> LINEAR -> SIGMOID model, W = randn * 0.01."""
    if len(layers_dims) != 3:
        raise ValueError(f"two_layer_model: layers_dims must be (n_x, n_h, n_y), got "
                         f"{layers_dims!r}")
    return L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, print_cost, seed,
                         init="small_random")


def predict(X, y, parameters, hidden="relu"):
    """Predictions p (1, m) of 0/1 (AL > 0.5); y may be None (it is not used)."""
    AL, _ = L_model_forward(X, parameters, hidden)
    return (AL > 0.5).astype(float)


# ---- the engine twin ------------------------------------------------------------------------

def L_model_cost_engine(parameters, X, Y, hidden="relu", activations=None):
    """The same network built from autograd_lite Tensors: returns the cost J as a Tensor.

    ``parameters`` holds Tensors (or arrays); the output layer's cross-entropy is taken
    from Z[L] (binary_cross_entropy_with_logits), which equals J exactly and stably.
    ``activations``, a list, receives A[1] ... A[L-1] with their gradients retained.
    """
    import autograd_lite as al

    L = num_layers(parameters)
    act = {"relu": al.relu, "tanh": al.tanh, "sigmoid": al.sigmoid,
           "leaky_relu": al.leaky_relu}[hidden]
    A = X
    for l in range(1, L):
        A = act(parameters[f"W{l}"] @ A + parameters[f"b{l}"])
        if activations is not None:
            activations.append(A.retain_grad())
    ZL = parameters[f"W{L}"] @ A + parameters[f"b{L}"]
    return al.binary_cross_entropy_with_logits(ZL, Y)


def L_model_backward_engine(X, Y, parameters, hidden="relu", with_dA=True):
    """The gradients of L_model_backward, computed by the engine's backward().

    Returns (grads, cost) with the same keys; dA[l] is scaled by m to match the course.
    """
    import autograd_lite as al

    check_parameters(parameters, X)
    check_Y(Y, np.shape(X)[1])
    L = num_layers(parameters)
    P = {k: al.Tensor(v, requires_grad=True) for k, v in parameters.items()}
    m = np.shape(X)[1]
    As = [al.Tensor(X, requires_grad=with_dA)]  # A0 = X: its gradient is dA0
    cost = L_model_cost_engine(P, As[0], Y, hidden, activations=As)
    cost.backward()
    grads = {}
    for l in range(1, L + 1):
        if with_dA:
            grads[f"dA{l - 1}"] = As[l - 1].grad * m
        grads[f"dW{l}"], grads[f"db{l}"] = P[f"W{l}"].grad, P[f"b{l}"].grad
    return grads, cost.item()
