"""Week 4: the L-layer network, by the course's names, with hand-derived backprop.

Shapes: X is (n_x, m) = A0, W[l] is (n[l], n[l-1]), b[l] is (n[l], 1), Z[l] and A[l] are
(n[l], m), AL = A[L] is (1, m). Hidden layers use ``hidden`` (relu in the course), the
output layer sigmoid. The course's dA[l] keys hold m * dJ/dA[l]: the 1/m is applied
in dW and db (linear_backward).

Course 2 generalises the forward and backward passes: ``lambd`` (L2, dW[l] += lambd/m W[l]),
``keep_prob`` (inverted dropout on the hidden layers, the masks drawn D1, D2, ... from
RandomState(seed) reseeded every call) and ``output="softmax"`` for C classes (AL (C, m),
Y one-hot (C, m), dZ[L] = AL - Y). nn.regularization's 3-layer functions are the L = 3 case.
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


def L_model_forward(X, parameters, hidden="relu", keep_prob=1.0, seed=1, output="sigmoid"):
    """[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID. Returns AL (1, m) and caches.

    keep_prob < 1: inverted dropout on the hidden layers, A[l] = A[l] * D[l] / keep_prob,
    with D[l] = (rand(n[l], m) < keep_prob) drawn from RandomState(seed) reseeded every call;
    each hidden layer's cache is then ((A_prev, W, b), Z, D[l]).
    output="softmax": AL = softmax(Z[L]) over the C rows, (C, m).
    """
    _check_output(output)
    dims = check_parameters(parameters, X)
    caches = []
    A = X
    L = num_layers(parameters)
    masks = _dropout_masks(dims[1:-1], np.shape(X)[1], keep_prob, seed, "L_model_forward")
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden)
        if masks:
            A = A * masks[l - 1] / keep_prob
            cache = (*cache, masks[l - 1])
        caches.append(cache)
    if output == "softmax":
        ZL, linear_cache = linear_forward(A, parameters[f"W{L}"], parameters[f"b{L}"])
        AL, cache = softmax(ZL), (linear_cache, ZL)
    else:
        AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"],
                                              "sigmoid")
    caches.append(cache)
    return AL, caches


# ---- Course 2: dropout and a softmax output --------------------------------------------------

OUTPUTS = ("sigmoid", "softmax")


def _check_output(output):
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")


def _check_keep_prob(keep_prob, fn):
    if not (isinstance(keep_prob, (int, float, np.floating)) and 0 < keep_prob <= 1):
        raise ValueError(f"{fn}: keep_prob is the probability of keeping a unit, in (0, 1]; "
                         f"got {keep_prob!r}")


def _dropout_masks(hidden_dims, m, keep_prob, seed, fn):
    _check_keep_prob(keep_prob, fn)
    if keep_prob == 1:
        return None
    from .regularization import dropout_masks

    return dropout_masks([(n, m) for n in hidden_dims], keep_prob, seed)


def softmax(Z):
    """A = exp(Z) / sum(exp(Z)) down each column (over the C classes), without overflow."""
    E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return E / np.sum(E, axis=0, keepdims=True)


def one_hot(labels, C):
    """Y (C, m) with Y[c, i] = 1 where labels[i] == c: labels (m,) or (1, m) of 0 ... C-1."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size and (labels.min() < 0 or labels.max() >= C
                        or not np.all(labels == np.round(labels))):
        raise ValueError(f"one_hot: labels must be integers 0 ... {C - 1}, got values from "
                         f"{labels.min()} to {labels.max()}")
    Y = np.zeros((C, labels.size))
    Y[labels.astype(int), np.arange(labels.size)] = 1.0
    return Y


def check_one_hot(Y, AL, name="Y"):
    """Y must be (C, m) like AL with columns that are one-hot (or sum to 1)."""
    Y = np.asarray(Y)
    C, m = np.shape(AL)
    if Y.shape != (C, m):
        hint = " (use nn.deep.one_hot(labels, C))" if Y.shape in ((1, m), (m,)) else ""
        raise ValueError(f"{name} should be one-hot (C, m) = ({C}, {m}) for a softmax output, "
                         f"got {Y.shape}{hint}")
    if np.any(Y < 0) or not np.allclose(Y.sum(axis=0), 1.0):
        raise ValueError(f"{name} should be one-hot: each column of (C, m) sums to 1")
    return Y


def compute_cost_softmax(AL, Y):
    """J = -1/m sum over classes and examples of Y log AL, for AL (C, m) and Y one-hot (C, m)."""
    Y = check_one_hot(Y, AL)
    return float(-np.sum(Y * np.log(np.clip(AL, 1e-300, None))) / Y.shape[1])


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


def L_model_backward(AL, Y, caches, hidden="relu", lambd=0.0, keep_prob=1.0,
                     output="sigmoid"):
    """Gradients {"dA0", "dW1", "db1", ..., "dA(L-1)", "dWL", "dbL"}.

    The output layer starts from dZ[L] = AL - Y (sigmoid with cross-entropy, or softmax with
    Y one-hot (C, m)), which stays exact where the course's dAL = -(Y/AL - (1-Y)/(1-AL))
    would divide by 0. lambd adds (lambd / m) W[l] to every dW[l]; keep_prob < 1 reapplies
    the forward pass's masks, dA[l] = dA[l] * D[l] / keep_prob (the dA[l] keys hold the
    masked values, as the course's do).
    """
    _check_output(output)
    L = len(caches)
    if output == "softmax":
        check_one_hot(Y, AL)
    else:
        check_Y(Y, AL.shape[1])
    if not (isinstance(lambd, (int, float, np.floating)) and lambd >= 0):
        raise ValueError(f"L_model_backward: lambd (the L2 strength) must be a number >= 0, "
                         f"got {lambd!r}")
    _check_keep_prob(keep_prob, "L_model_backward")
    has_masks = [len(c) == 3 for c in caches[:-1]]
    if L > 1 and any(has_masks) != (keep_prob != 1):
        raise ValueError(f"L_model_backward: keep_prob={keep_prob} but the caches "
                         + ("hold no dropout masks" if keep_prob != 1 else "hold dropout masks")
                         + "; pass L_model_forward's keep_prob to both")
    grads = {}
    linear_cache = caches[L - 1][0]
    dA_prev, dW, db = linear_backward(AL - Y, linear_cache)
    if lambd:
        dW = dW + (lambd / AL.shape[1]) * linear_cache[1]
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = dA_prev, dW, db
    for l in reversed(range(1, L)):
        cache = caches[l - 1]
        if keep_prob != 1:
            grads[f"dA{l}"] = grads[f"dA{l}"] * cache[2] / keep_prob
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l}"], cache[:2], hidden)
        if lambd:
            dW = dW + (lambd / AL.shape[1]) * cache[0][1]
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

def L_model_cost_engine(parameters, X, Y, hidden="relu", activations=None, lambd=0.0,
                        keep_prob=1.0, masks=None, output="sigmoid"):
    """The same network built from autograd_lite Tensors: returns the cost J as a Tensor.

    ``parameters`` holds Tensors (or arrays); the output layer's cross-entropy is taken
    from Z[L] (binary_cross_entropy_with_logits, or log_softmax down the columns for
    output="softmax"), which equals J exactly and stably. ``masks`` [D1, ..., D(L-1)]
    multiply the hidden activations by D[l] / keep_prob; lambd adds lambd/(2m) sum ||W[l]||^2.
    ``activations``, a list, receives A[1] ... A[L-1] (before any mask) with their
    gradients retained.
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
        if masks is not None:
            A = A * masks[l - 1] / keep_prob
    ZL = parameters[f"W{L}"] @ A + parameters[f"b{L}"]
    if output == "softmax":
        J = -al.sum(Y * al.log_softmax(ZL, axis=0)) / np.shape(X)[1]
    else:
        J = al.binary_cross_entropy_with_logits(ZL, Y)
    if lambd:
        J = J + lambd / (2 * np.shape(X)[1]) * sum(al.sum(al.square(parameters[f"W{l}"]))
                                                   for l in range(1, L + 1))
    return J


def L_model_backward_engine(X, Y, parameters, hidden="relu", with_dA=True, lambd=0.0,
                            keep_prob=1.0, seed=1, output="sigmoid"):
    """The gradients of L_model_backward, computed by the engine's backward().

    Returns (grads, cost) with the same keys; dA[l] is scaled by m to match the course.
    keep_prob < 1 uses the masks L_model_forward(..., keep_prob, seed) draws.
    """
    import autograd_lite as al

    _check_output(output)
    dims = check_parameters(parameters, X)
    if output == "softmax":
        check_one_hot(Y, np.empty((dims[-1], np.shape(X)[1])))
    else:
        check_Y(Y, np.shape(X)[1])
    L = num_layers(parameters)
    P = {k: al.Tensor(v, requires_grad=True) for k, v in parameters.items()}
    m = np.shape(X)[1]
    masks = _dropout_masks(dims[1:-1], m, keep_prob, seed, "L_model_backward_engine")
    As = [al.Tensor(X, requires_grad=with_dA)]  # A0 = X: its gradient is dA0
    cost = L_model_cost_engine(P, As[0], Y, hidden, activations=As, lambd=lambd,
                               keep_prob=keep_prob, masks=masks, output=output)
    cost.backward()
    grads = {}
    for l in range(1, L + 1):
        if with_dA:
            grads[f"dA{l - 1}"] = As[l - 1].grad * m
        grads[f"dW{l}"], grads[f"db{l}"] = P[f"W{l}"].grad, P[f"b{l}"].grad
    return grads, cost.item()
