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

import autograd_lite as al

from . import activations
from .checks import (
    ShapeError,
    check_parameters,
    check_predictable,
    check_training_data,
    check_X,
    check_Y,
    num_layers,
)
from .cost import as_cost, cross_entropy
from .init import initialize
from .regularization import (
    check_dropout_scale,
    check_keep_prob,
    check_lambd,
    dropout_masks,
    l2_cost,
)
from .training import COURSE_LINE_FULL, check_gradients_option, engine_gradients, gradient_descent
from .training import update_parameters as update_parameters  # Course 1's edition: copies


def initialize_parameters(n_x: int, n_h: int, n_y: int, seed=1) -> dict:
    """The 2-layer model's parameters: W1 (n_h, n_x), W2 (n_y, n_h) = randn * 0.01, b = 0.

    seed=1 draws what the course's week-4 initialize_parameters draws (np.random.seed(1)),
    in the step-by-step assignment and in the application's two_layer_model alike."""
    return initialize([n_x, n_h, n_y], "small_random", seed)


def initialize_parameters_deep(layer_dims, seed=3, init="small_random") -> dict:
    """{"W1": (n[1], n_x), "b1": (n[1], 1), ...} for layer_dims [n_x, n[1], ..., n[L]].

    The defaults are the step-by-step assignment's graded function: np.random.seed(3),
    W = randn * 0.01. The application (L_layer_model) uses its helper's seed=1 and
    init="lecun", W = randn / sqrt(n[l-1]); any nn.init method name works."""
    return initialize(layer_dims, init, seed)


def _shape_hint(shape, fix):
    return f" (a rank-1 array: use {fix})" if len(shape) == 1 else ""


def _check_linear(A_prev, W, b, who):
    """A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1), or a ShapeError naming the one."""
    A_shape, W_shape, b_shape = np.shape(A_prev), np.shape(W), np.shape(b)
    if len(W_shape) != 2:
        raise ShapeError(f"{who}: W should be a matrix (n[l], n[l-1]), got shape {W_shape}")
    if len(A_shape) != 2:
        raise ShapeError(f"{who}: A_prev should be (n[l-1], m) = ({W_shape[1]}, m), one "
                         f"example per column, got {A_shape}"
                         + _shape_hint(A_shape, "A_prev.reshape(-1, 1) for one example"))
    if W_shape[1] != A_shape[0]:
        raise ShapeError(f"{who}: W should be (n[l], n[l-1]) with n[l-1] = {A_shape[0]} (the "
                         f"rows of A_prev {A_shape}), got {W_shape}")
    if tuple(b_shape) != (W_shape[0], 1):
        raise ShapeError(f"{who}: b should be (n[l], 1) = ({W_shape[0]}, 1), got "
                         f"{tuple(b_shape)}" + _shape_hint(b_shape, "b.reshape(-1, 1)"))


def linear_forward(A, W, b):
    """Z = W A + b: A (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1) -> Z (n[l], m).

    Returns (Z, cache) with the course's linear cache (A, W, b)."""
    _check_linear(A, W, b, "linear_forward")
    Z = W @ A + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b), g "relu" or "sigmoid" (or "tanh", "leaky_relu").

    Returns A (n[l], m) and the course's cache (linear_cache, activation_cache) =
    ((A_prev, W, b), Z)."""
    g = activations.get(activation).forward
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = g(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters, hidden="relu", keep_prob=1.0, seed=1, output="sigmoid"):
    """[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID on X (n_x, m).

    Returns AL (1, m) and caches, a list of L linear_activation_forward caches.
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


def compute_cost(AL, Y, *, strict=False) -> np.float64:
    """J = -1/m sum(Y log AL + (1-Y) log(1-AL)) for AL (1, m) and Y (1, m), finite even for
    AL of 0 or 1. A ``np.float64``: a Python float with shape (), as the course's
    ``np.squeeze(cost)``. AL may be rank-1 (m,) as the course's formula allows;
    ``strict=True`` refuses that."""
    J = cross_entropy(AL, Y, "AL", strict)
    return J if isinstance(J, al.Tensor) else np.float64(J)  # (a Tensor AL: the engine's J)


# ---- Course 2: dropout and a softmax output --------------------------------------------------

OUTPUTS = ("sigmoid", "softmax")


def _check_output(output, fn=None):
    if output not in OUTPUTS:
        raise ValueError(f"{fn + ': ' if fn else ''}output must be one of {OUTPUTS}, got "
                         f"{output!r}")


def _dropout_masks(hidden_dims, m, keep_prob, seed, fn):
    check_keep_prob(keep_prob, fn)
    if keep_prob == 1:
        return None
    return dropout_masks([(n, m) for n in hidden_dims], keep_prob, seed)


def softmax(Z):
    """A = exp(Z) / sum(exp(Z)) down each column (over the C classes), without overflow.

    Shapes: Z and A: (C, m)."""
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
    return as_cost(-np.sum(Y * np.log(np.clip(AL, 1e-300, None))) / Y.shape[1])


def linear_backward(dZ, cache):
    """dW = 1/m dZ A_prev^T, db = 1/m sum(dZ, axis=1, keepdims), dA_prev = W^T dZ.

    dZ (n[l], m), cache (A_prev, W, b). Returns (dA_prev (n[l-1], m), dW (n[l], n[l-1]),
    db (n[l], 1))."""
    A_prev, W, b = cache
    want = (np.shape(W)[0], np.shape(A_prev)[1])
    if np.shape(dZ) != want:
        raise ShapeError(f"linear_backward: dZ should be (n[l], m) = {want}, like Z = W A_prev "
                         f"+ b for the cache's W {np.shape(W)} and A_prev "
                         f"{np.shape(A_prev)}, got {np.shape(dZ)}")
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """dZ = dA * g'(Z), then linear_backward. dA (n[l], m), cache ((A_prev, W, b), Z).

    Returns (dA_prev, dW, db)."""
    linear_cache, activation_cache = cache
    dZ = activations.get(activation).backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def _output_dZ(AL, Y, ZL):
    """dZ[L] of a sigmoid output under cross-entropy.

    When AL = sigmoid(Z[L]), as L_model_forward makes it, dZ[L] = AL - Y: exact, and finite
    where AL rounds to 0 or 1. Caches built by hand with an unrelated AL (the course's own
    L_model_backward test does this) get the course's chain as written:
    dAL = -(Y/AL - (1-Y)/(1-AL)), dZ[L] = dAL * s(1 - s) with s = sigmoid(Z[L])."""
    s = activations.expit(ZL)
    if np.shape(s) == AL.shape and np.allclose(AL, s, rtol=1e-7, atol=0, equal_nan=True):
        return AL - Y
    with np.errstate(divide="ignore", invalid="ignore"):
        dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dZ = activations.sigmoid_backward(dAL, ZL)
    if not np.all(np.isfinite(dZ)):
        raise ValueError("L_model_backward: AL is not sigmoid(Z[L]) of the last cache, and the "
                         "course's dAL = -(Y/AL - (1-Y)/(1-AL)) is not finite there (AL of 0 "
                         "or 1); pass the AL and caches that L_model_forward returned")
    return dZ


def _check_dropout_scale(caches, hidden, keep_prob):
    """Layer 1's cache holds Z[1] and D[1], layer 2's A_prev = A[1] (check_dropout_scale)."""
    (_, Z1, D1), A1 = caches[0], caches[1][0][0]
    check_dropout_scale(Z1, D1, A1, keep_prob, "L_model_backward", "L_model_forward", hidden,
                        stacklevel=4)  # (the caller of L_model_backward)


def L_model_backward(AL, Y, caches, hidden="relu", lambd=0.0, keep_prob=1.0,
                     output="sigmoid"):
    """Gradients {"dA0", "dW1", "db1", ..., "dA(L-1)", "dWL", "dbL"} for AL (1, m), Y (1, m)
    and the caches of L_model_forward (a list or tuple of L caches).

    The output layer starts from dZ[L] = AL - Y (sigmoid with cross-entropy, or softmax with
    Y one-hot (C, m)), which equals the course's dAL = -(Y/AL - (1-Y)/(1-AL)) times
    sigmoid'(Z[L]) and stays exact where that would divide by 0. If AL is not sigmoid(Z[L])
    of the last cache (caches built by hand, as in the course's unit test), the course's
    form is applied as written. lambd adds (lambd / m) W[l] to every dW[l]; keep_prob < 1
    reapplies the forward pass's masks, dA[l] = dA[l] * D[l] / keep_prob (the dA[l] keys
    hold the masked values, as the course's do).
    """
    _check_output(output)
    L = len(caches)
    AL = np.asarray(AL)
    if output == "softmax":
        Y = check_one_hot(Y, AL)
    else:
        if AL.ndim != 2 or AL.shape[0] != 1:
            raise ShapeError(f"L_model_backward: AL should be (1, m), got {AL.shape}"
                             + _shape_hint(AL.shape, "AL.reshape(1, -1)"))
        Y = check_Y(Y, AL.shape[1])
    check_lambd(lambd, "L_model_backward")
    check_keep_prob(keep_prob, "L_model_backward")
    has_masks = [len(c) == 3 for c in caches[:-1]]
    if L > 1 and any(has_masks) != (keep_prob != 1):
        raise ValueError(f"L_model_backward: keep_prob={keep_prob} but the caches "
                         + ("hold no dropout masks" if keep_prob != 1 else "hold dropout masks")
                         + "; pass L_model_forward's keep_prob to both")
    if L > 1 and keep_prob != 1:
        _check_dropout_scale(caches, hidden, keep_prob)
    grads = {}
    linear_cache, ZL = caches[L - 1][:2]
    dZL = AL - Y if output == "softmax" else _output_dZ(AL, Y, ZL)
    dA_prev, dW, db = linear_backward(dZL, linear_cache)
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


def grads_and_cost(parameters, X, Y, hidden="relu", gradients="hand", lambd=0.0,
                   keep_prob=1.0, seed=1, compile=False):
    """(grads {"dA0", "dW1", "db1", ...}, J) for one gradient-descent step: L_model_forward,
    compute_cost and L_model_backward ("hand"; J a np.float64), or the engine's backward
    of L_model_cost_engine ("engine"; no dA keys, J a float; ``compile``: replayed by
    al.compile, the same bits).

    lambd adds the L2 term lambd/(2m) sum ||W[l]||^2 to J (and lambd/m W[l] to dW[l]);
    keep_prob < 1 drops hidden units with the masks L_model_forward(..., keep_prob, seed)
    draws (the same masks for both paths, and at every step, as the course's reseeding).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m)."""
    check_gradients_option(gradients, "grads_and_cost", compile)
    if gradients == "engine":
        check_keep_prob(keep_prob, "grads_and_cost")
        masks = None if keep_prob == 1 else dropout_masks(
            [(n, np.shape(X)[1]) for n in check_parameters(parameters)[1:-1]], keep_prob, seed)
        return engine_gradients(L_model_cost_engine, parameters, X, Y, hidden, None, lambd,
                                keep_prob, masks, compile=compile)
    AL, caches = L_model_forward(X, parameters, hidden, keep_prob, seed)
    cost = np.float64(cross_entropy(AL, Y, "AL", values=False))  # (compute_cost, unchecked)
    if lambd:
        cost = cost + l2_cost(parameters, lambd, AL.shape[1])
    return L_model_backward(AL, Y, caches, hidden, lambd, keep_prob), cost


def _gradient_descent(X, Y, parameters, learning_rate, num_iterations, hidden, gradients, desc,
                      compile=False, **loop):
    """The course's training loop; costs are 0-d arrays, as the course's tests expect.
    ``loop``: train_loop's print_cost, progress, record_last and callback."""
    check_gradients_option(gradients, desc, compile)
    X = check_X(X, check_parameters(parameters)[0])
    check_training_data(X, check_Y(Y, X.shape[1]), desc)

    def find(p):
        grads, cost = grads_and_cost(p, X, Y, hidden, gradients, compile=compile)
        return grads, np.asarray(cost)

    return gradient_descent(parameters, find, learning_rate, num_iterations, print_last=True,
                            desc=desc, line=COURSE_LINE_FULL,  # the course's
                            **loop)


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                  print_cost=False, seed=1, init="lecun", hidden="relu", progress=False,
                  record_last=False, gradients="hand", callback=None, compile=False):
    """Train [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID by batch gradient descent on
    X (n_x, m), Y (1, m). Returns (parameters, costs).

    Initialized as the course's application: seed=1, init="lecun" (randn / sqrt(n[l-1])),
    which its published numbers need; nn.Model, for everyday use, defaults to "he" (the
    scale made for relu), and Model(layers_dims, init="lecun", seed=1) starts here too.
    costs holds the cost at iterations 0, 100, 200, ... only, each a 0-d array: exactly
    the course's list (2 iterations record 1 cost). ``record_last=True`` also records the
    last iteration's. ``print_cost`` prints "Cost after iteration {i}: {cost}" at those
    iterations and at the last, as the course does. gradients: "hand" (L_model_backward)
    or "engine" (autograd_lite; with ``compile=True`` replayed by al.compile, the same
    bits, faster); ``callback(i, cost)`` sees every iteration.
    """
    parameters = initialize_parameters_deep(layers_dims, seed, init)
    return _gradient_descent(X, Y, parameters, learning_rate, num_iterations, hidden, gradients,
                             "L_layer_model", compile, print_cost=print_cost, progress=progress,
                             record_last=record_last, callback=callback)


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                    print_cost=False, seed=1, progress=False, record_last=False,
                    gradients="hand", callback=None, compile=False):
    """The course's LINEAR -> RELU -> LINEAR -> SIGMOID model on X (n_x, m), Y (1, m),
    layers_dims (n_x, n_h, n_y), from initialize_parameters (W = randn * 0.01, seed 1).

    Returns (parameters, costs), costs, printing, gradients and compile as L_layer_model's."""
    if len(layers_dims) != 3:
        raise ValueError(f"two_layer_model: layers_dims must be (n_x, n_h, n_y), got "
                         f"{layers_dims!r}")
    parameters = initialize_parameters(*layers_dims, seed=seed)
    return _gradient_descent(X, Y, parameters, learning_rate, num_iterations, "relu", gradients,
                             "two_layer_model", compile, print_cost=print_cost, progress=progress,
                             record_last=record_last, callback=callback)


def predict(X, y, parameters, hidden="relu", output="sigmoid"):
    """Predictions p (1, m) of 0/1 floats (AL > 0.5) for X (n_x, m); y is not used (the
    course's helper takes it to print the accuracy, which nn leaves to you).
    output="softmax": for C classes, the class of each example, argmax of AL (C, m), as
    floats 0 ... C-1 in p (1, m) (compare them with labels, or with one-hot Y's argmax)."""
    _check_output(output, "predict")
    check_predictable(X, parameters, "predict")
    AL, _ = L_model_forward(X, parameters, hidden, output=output)
    if output == "softmax":
        if AL.shape[0] < 2:  # (argmax of one row: class 0 for every example, silently)
            raise ValueError("predict: output=\"softmax\" needs an output layer of C >= 2 "
                             "units, one per class; this one has 1: leave output out for a "
                             "sigmoid's 0/1")
        return np.argmax(AL, axis=0).reshape(1, -1).astype(float)
    if AL.shape[0] != 1:  # (each unit was thresholded: 19 of 150 columns had 0 or 2 classes)
        L = num_layers(parameters)
        raise ValueError(f"predict: the output layer has {AL.shape[0]} units (W{L} is "
                         f"{np.shape(parameters[f'W{L}'])}), where a sigmoid output has 1; for "
                         f"{AL.shape[0]} classes, predict(X, y, parameters, output=\"softmax\") "
                         "gives each example's class")
    return (AL > 0.5).astype(float)


# ---- the engine twin ------------------------------------------------------------------------

def L_model_cost_engine(parameters, X, Y, hidden="relu", record=None, lambd=0.0,
                        keep_prob=1.0, masks=None, output="sigmoid"):
    """The same network built from autograd_lite Tensors: returns the cost J as a Tensor.

    ``parameters`` holds Tensors (or arrays); the output layer's cross-entropy is taken
    from Z[L] (binary_cross_entropy_with_logits, or log_softmax down the columns for
    output="softmax"), which equals J exactly and stably. ``masks`` [D1, ..., D(L-1)]
    multiply the hidden activations by D[l] / keep_prob; lambd adds lambd/(2m) sum ||W[l]||^2.
    ``record``, a list, receives A[1] ... A[L-1] (before any mask) with their gradients
    retained.
    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m).
    """
    L = num_layers(parameters)
    g = activations.get(hidden).engine
    A = X
    for l in range(1, L):
        A = g(parameters[f"W{l}"] @ A + parameters[f"b{l}"])
        if record is not None:
            record.append(A.retain_grad())
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
    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m).
    """
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
    cost = L_model_cost_engine(P, As[0], Y, hidden, record=As, lambd=lambd,
                               keep_prob=keep_prob, masks=masks, output=output)
    cost.backward()
    grads = {}
    for l in range(1, L + 1):
        if with_dA:
            grads[f"dA{l - 1}"] = As[l - 1].grad * m
        grads[f"dW{l}"], grads[f"db{l}"] = P[f"W{l}"].grad, P[f"b{l}"].grad
    return grads, cost.item()
