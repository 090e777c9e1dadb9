"""Course 2, week 1, "Regularization": the 3-layer network with L2 and dropout.

LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID on X (n_x, m), parameters W1 (n[1], n_x),
b1 (n[1], 1), W2, b2, W3 (1, n[2]), b3 (1, 1). The caches are the course's flat tuples:

    forward_propagation:              (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    forward_propagation_with_dropout: (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)

with A1, A2 stored after masking and scaling, D1, D2 the 0/1 masks. The backward functions
return the course's dict: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1, with
dZ3 = A3 - Y and the 1/m applied in dW and db (so dA[l], dZ[l] are m * dJ/dA[l], m * dJ/dZ[l]).
The hand path keeps the course's arithmetic (its sigmoid and its nansum cost), so the
published runs come out the same; ``backward_propagation_engine`` is the engine's twin.
"""

from __future__ import annotations

import functools
import threading
import warnings

import numpy as np

import autograd_lite as al

from . import activations
from .checks import (
    ShapeError,
    check_examples,
    check_learning_rate,
    check_like_parameters,
    check_parameters,
    check_predictable,
    check_scored,
    check_training_data,
    is_number,
    num_layers,
)
from .cost import as_cost, check_predictions, check_probabilities
from .init import lecun
from .training import COURSE_LINE_FULL, check_gradients_option, engine_gradients, gradient_descent

GRAD_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


def sigmoid(x):
    """The course's own arithmetic, 1 / (1 + exp(-x)), kept (rather than nn's stable
    activations.expit) because the published Course 2 runs depend on its last bits: exp
    overflows to inf for x < -709 and gives 0 exactly."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def relu(x):
    """max(0, x) (activations.relu, without its cache)."""
    return activations.relu(x)[0]


_local = threading.local()


def course_rng(seed):
    """A RandomState reseeded with ``seed``: the stream the course's np.random.seed(seed)
    starts, without touching numpy's global state. One generator per thread is reseeded on
    each call (building a RandomState costs ~130 us, reseeding one ~2 us), so the result is
    only good until the next call in the same thread."""
    rng = getattr(_local, "rng", None)
    if rng is None:
        rng = _local.rng = np.random.RandomState()
    rng.seed(seed)
    return rng


# ---- checks ---------------------------------------------------------------------------------

def _check_three_layers(parameters, X, fn):
    if num_layers(parameters) != 3:
        raise ShapeError(f"{fn}: the course's network has 3 layers (W1, b1, W2, b2, W3, b3), "
                         f"got {num_layers(parameters)}; for L layers use "
                         "nn.deep.L_model_forward / L_model_backward")
    dims = check_parameters(parameters, X)
    if dims[-1] != 1:
        raise ShapeError(f"{fn}: W3 should be (1, n[2]) for one sigmoid output, got "
                         f"{np.shape(parameters['W3'])}")


def check_keep_prob(keep_prob, fn):
    """keep_prob must be a number in (0, 1] (numpy's too, not a bool); ``fn`` names the
    function in the error."""
    if not (is_number(keep_prob) and 0 < keep_prob <= 1):
        raise ValueError(f"{fn}: keep_prob is the probability of keeping a unit, in (0, 1]; "
                         f"got {keep_prob!r}")


def check_lambd(lambd, fn):
    """lambd must be a finite number >= 0 (numpy's too, not a bool); ``fn`` names the
    function in the error."""
    if not (is_number(lambd) and lambd >= 0):
        raise ValueError(f"{fn}: lambd (the L2 strength, lambda) must be a number >= 0, got "
                         f"{lambd!r}")


class DropoutScaleWarning(UserWarning):
    """The backward pass's keep_prob is not the one the forward pass scaled its cache by."""


def check_dropout_scale(Z1, D1, A1, keep_prob, fn, made_by, hidden="relu", stacklevel=3):
    """A1 from the forward pass is g(Z1) D1 / its keep_prob; another keep_prob in the backward
    pass rescales every dA[l] (dW1 2.56 times too large for 0.5 after 0.8): a
    DropoutScaleWarning says so, and the course's formula is computed with the keep_prob
    given, as the course's own test case needs (its cache is scaled by 1 / 0.5, its call
    passes 0.8). ``fn`` names the function in the warning, ``made_by`` the forward pass."""
    A1 = np.asarray(A1)
    g = activations.get(hidden).forward(np.asarray(Z1))[0]
    if not np.allclose(A1 * keep_prob, g * D1, rtol=1e-6, atol=1e-12):
        kept = (D1 != 0) & (g != 0)
        used = float(np.median(g[kept] / A1[kept])) if kept.any() else float("nan")
        warnings.warn(f"{fn}: keep_prob={keep_prob}, but the forward pass that made "
                      f"{'these caches' if made_by == 'L_model_forward' else 'this cache'} "
                      f"scaled by 1 / {used:.4g}, so these gradients are not the cost's; "
                      f"computed with keep_prob={keep_prob} all the same, as the course's "
                      f"formula is (its own test case does this). Pass {made_by}'s keep_prob "
                      "to both", DropoutScaleWarning, stacklevel=stacklevel)


def _unpack(cache, size, fn, maker):
    if not isinstance(cache, tuple) or len(cache) != size:
        got = f"a tuple of {len(cache)}" if isinstance(cache, tuple) else type(cache).__name__
        other = {12: "forward_propagation", 14: "forward_propagation_with_dropout"}
        hint = ""
        if isinstance(cache, tuple) and len(cache) in other:
            hint = f" (that is {other[len(cache)]}'s cache)"
        raise ValueError(f"{fn}: cache should be the {size}-tuple that {maker} returns, got "
                         f"{got}{hint}")
    return cache


# ---- forward and cost -----------------------------------------------------------------------

def initialize_parameters(layer_dims, seed=3):
    """W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1]) drawn W1, W2, ... from RandomState(seed),
    b[l] = 0 (n[l], 1): the assignment's initializer (seed 3)."""
    return lecun(layer_dims, seed)


def forward_propagation(X, parameters):
    """A3 (1, m) and the cache (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)."""
    _check_three_layers(parameters, X, "forward_propagation")
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1  # (n[1], m)
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2  # (n[2], m)
    A2 = relu(Z2)
    Z3 = W3 @ A2 + b3  # (1, m)
    A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost(A3, Y):
    """The course's cross-entropy: 1/m nansum(-Y log A3 - (1 - Y) log(1 - A3)); a float, or
    the engine's J when A3 is a Tensor (``J.backward()`` reaches the parameters).

    A3 of exactly 1 where Y = 1 gives 0 * inf = nan, which nansum skips; A3 of exactly 1
    where Y = 0 gives inf (a saturated sigmoid), as the course prints it. On Tensors, the
    gradient at such an A3 is nan too (log's derivative there is 0/0, as in PyTorch): the
    engine's cost from logits, al.binary_cross_entropy_with_logits(Z3, Y), stays finite.

    Shapes: A3 and Y: (1, m)."""
    m, Y = check_predictions(A3, Y, "A3")
    check_probabilities(A3, Y, "A3")
    return _cost(A3, Y, m)


def _cost(A3, Y, m):
    """compute_cost's formula on arrays checked already (the training loop's step)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
        return as_cost(1. / m * np.nansum(logprobs))


def _l2_sum(parameters):
    L = num_layers(parameters)
    return sum(np.sum(np.square(parameters[f"W{l}"])) for l in range(1, L + 1))


def l2_cost(parameters: dict, lambd: float, m: int) -> float:
    """The L2 term lambd / (2m) * sum over l of ||W[l]||_F^2 (no bias terms), for every
    W1, W2, ... in ``parameters`` and m examples."""
    return (1 / m) * (lambd / 2) * _l2_sum(parameters)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """J = cross-entropy + lambd / (2m) * sum over l of ||W[l]||_F^2 (no bias terms).

    Works for any number of layers: every W1, W2, ... in ``parameters`` is penalised.

    Shapes: A3 and Y (1, m); W[l] (n[l], n[l-1])."""
    check_lambd(lambd, "compute_cost_with_regularization")
    cross_entropy_cost = compute_cost(A3, Y)  # (checks Y is (1, m))
    return as_cost(cross_entropy_cost + l2_cost(parameters, lambd, np.shape(Y)[1]))


# ---- backward -------------------------------------------------------------------------------

def _backward(X, Y, W1, A1, W2, A2, W3, A3, lambd=0.0, D1=None, D2=None, keep_prob=1.0):
    m = X.shape[1]
    dZ3 = A3 - Y  # (1, m)
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)  # (n[2], m)
    if D2 is not None:
        dA2 = dA2 * D2 / keep_prob  # the forward pass's mask, reapplied
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)  # (n[1], m)
    if D1 is not None:
        dA1 = dA1 * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def backward_propagation(X, Y, cache):
    """The gradients of compute_cost from forward_propagation's cache (no regularization).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); dW[l] and db[l] have
    their parameter's shape, dZ[l] and dA[l] are (n[l], m)."""
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = _unpack(
        cache, 12, "backward_propagation", "forward_propagation")
    X, Y = check_examples(X, Y, "backward_propagation", {"W1": W1}, A3.shape[1],
                          "forward_propagation")
    return _backward(X, Y, W1, A1, W2, A2, W3, A3)


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """The gradients of compute_cost_with_regularization for the 3-layer model: X (n_x, m),
    Y (1, m), ``cache`` from forward_propagation; returns {"dZ3", "dW3", "db3", "dA2", ...,
    "db1"}, each of its value's shape (dW[l] (n[l], n[l-1]), db[l] (n[l], 1), dZ[l] and
    dA[l] (n[l], m)); dW[l] gains (lambd / m) W[l]."""
    check_lambd(lambd, "backward_propagation_with_regularization")
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = _unpack(
        cache, 12, "backward_propagation_with_regularization", "forward_propagation")
    X, Y = check_examples(X, Y, "backward_propagation_with_regularization", {"W1": W1},
                          A3.shape[1], "forward_propagation")
    return _backward(X, Y, W1, A1, W2, A2, W3, A3, lambd=lambd)


# ---- dropout --------------------------------------------------------------------------------

def dropout_masks(shapes, keep_prob, seed=1):
    """0/1 masks D[l] = (rand(n[l], m) < keep_prob), drawn D1, D2, ... from RandomState(seed),
    the course's draws after its np.random.seed(seed). The arrays are read-only: a reseeded
    generator draws the same masks every time, so they are drawn once and shared."""
    return list(_masks(tuple(tuple(int(n) for n in shape) for shape in shapes), keep_prob,
                       int(seed)))


@functools.lru_cache(maxsize=64)
def _masks(shapes, keep_prob, seed):
    # Seeding a RandomState costs more than the rest of a training step; the draws for a
    # given (shapes, keep_prob, seed) never change, so they are kept.
    rng = np.random.RandomState(seed)
    masks = tuple((rng.rand(*shape) < keep_prob).astype(int) for shape in shapes)
    for D in masks:
        D.flags.writeable = False
    return masks


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, seed=1):
    """Inverted dropout on the hidden layers: A[l] = A[l] * D[l] / keep_prob.

    The generator is reseeded with ``seed`` at the start of every call, as the course's
    np.random.seed(1) is, so every call (every iteration) draws the same masks.
    Returns A3 (1, m) and the cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)."""
    _check_three_layers(parameters, X, "forward_propagation_with_dropout")
    check_keep_prob(keep_prob, "forward_propagation_with_dropout")
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    m = X.shape[1]
    # D1 (n[1], m) then D2 (n[2], m): the course's rand draws after np.random.seed(seed)
    D1, D2 = dropout_masks([(W1.shape[0], m), (W2.shape[0], m)], keep_prob, seed)
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    A1 = A1 * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = relu(Z2)
    A2 = A2 * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """The gradients through the same masks: dA[l] = dA[l] * D[l] / keep_prob.

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); dW[l] and db[l] have
    their parameter's shape, dZ[l] and dA[l] are (n[l], m)."""
    check_keep_prob(keep_prob, "backward_propagation_with_dropout")
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = _unpack(
        cache, 14, "backward_propagation_with_dropout", "forward_propagation_with_dropout")
    X, Y = check_examples(X, Y, "backward_propagation_with_dropout", {"W1": W1}, A3.shape[1],
                          "forward_propagation_with_dropout")
    check_dropout_scale(Z1, D1, A1, keep_prob, "backward_propagation_with_dropout",
                        "forward_propagation_with_dropout")
    return _backward(X, Y, W1, A1, W2, A2, W3, A3, D1=D1, D2=D2, keep_prob=keep_prob)


# ---- training -------------------------------------------------------------------------------

def update_parameters(parameters, grads, learning_rate):
    """Course 2's update_parameters (reg_utils, init_utils): W[l] = W[l] - learning_rate
    dW[l], b[l] = b[l] - learning_rate db[l], assigned into ``parameters`` itself, which is
    returned: a bare ``update_parameters(parameters, grads, lr)`` updates the caller's dict,
    as the course's does. Each array is replaced by a new one, not written into. (Course 1's
    edition copies first and leaves yours untouched: nn.deep.update_parameters.) Every
    dW[l], db[l] is checked for its parameter's shape before any is applied."""
    check_like_parameters(parameters, grads, "update_parameters")
    check_learning_rate(learning_rate, "update_parameters")
    for l in range(1, num_layers(parameters) + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters


def predict(X, y, parameters):
    """0/1 predictions p (1, m) of ints, A3 > 0.5; prints "Accuracy: " + str(np.mean(p[0,:]
    == y[0,:])) as the course's reg_utils, init_utils and opt_utils predict do. Quietly:
    predict_dec(parameters, X) or accuracy(X, Y, parameters).

    Shapes: X (n_x, m), y (1, m)."""
    if y is None:  # (this predict once took y for nothing)
        raise TypeError("predict(X, y, parameters): y, the labels (1, m), is needed to print "
                        "the accuracy, as the course's predict does; predict_dec(parameters, "
                        "X) gives the predictions alone")
    X, y = check_examples(X, y, "predict", parameters, name="y")
    check_scored(y, "predict", "y")
    check_predictable(X, parameters, "predict")
    p = predict_dec(parameters, X).astype(int)
    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))
    return p


def predict_dec(parameters, X):
    """The course's helper for the decision-boundary plots: A3 > 0.5 (1, m) of booleans,
    printing nothing. Shapes: X (n_x, m)."""
    check_predictable(X, parameters, "predict_dec")
    A3, _ = forward_propagation(X, parameters)
    return A3 > 0.5


def accuracy(X, Y, parameters):
    """The fraction predicted right, as predict prints it (e.g. 0.9478672985781991), without
    printing.

    Shapes: X (n_x, m), Y (1, m)."""
    X, Y = check_examples(X, Y, "accuracy", parameters)
    check_scored(Y, "accuracy")
    return float(np.mean(predict_dec(parameters, X)[0, :] == Y[0, :]))


def grads_and_cost(parameters, X, Y, lambd=0.0, keep_prob=1.0, seed=1, gradients="hand",
                   compile=False):
    """(the course's gradient dict dZ3 ... db1, J) for one step of the model: with L2
    (lambd > 0), dropout (keep_prob < 1, masks from ``seed``) or neither, by the course's
    functions ("hand") or the engine's backward of cost_engine ("engine"; with
    ``compile=True`` replayed by al.compile: dW[l] and db[l] only, the same bits).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); dW[l] and db[l] have
    their parameter's shape, dZ[l] and dA[l] are (n[l], m)."""
    check_gradients_option(gradients, "grads_and_cost", compile)
    if gradients == "engine":
        if compile:
            return engine_gradients(cost_engine, parameters, X, Y, lambd, keep_prob,
                                    _step_masks(parameters, X, keep_prob, seed), compile=True)
        return _engine_grads(X, Y, parameters, lambd, keep_prob, seed)
    if keep_prob == 1:
        a3, cache = forward_propagation(X, parameters)
    else:
        a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob, seed)
    m = np.shape(Y)[1]  # (the trainers checked X and Y: the step's cost is not checked)
    if lambd != 0:
        check_lambd(lambd, "grads_and_cost")
    cost = _cost(a3, Y, m) if lambd == 0 else as_cost(_cost(a3, Y, m)
                                                      + l2_cost(parameters, lambd, m))
    if lambd != 0:
        return backward_propagation_with_regularization(X, Y, cache, lambd), cost
    if keep_prob != 1:
        return backward_propagation_with_dropout(X, Y, cache, keep_prob), cost
    return backward_propagation(X, Y, cache), cost


def check_one_regularizer(lambd, keep_prob, fn):
    """L2 (lambd != 0) or dropout (keep_prob != 1), not both, as the course's model allows."""
    if lambd != 0 and keep_prob != 1:
        raise ValueError(f"{fn}: use L2 regularization (lambd) or dropout (keep_prob), not "
                         f"both: the course's model allows one at a time; got lambd={lambd}, "
                         f"keep_prob={keep_prob}")


def model_layers(X, layers_dims, default_hidden, fn):
    """layers_dims [n_x, n[1], n[2], 1] for a Course 2 model on X: the course's hidden sizes
    by default; a clear error unless it is 3 layers with n_x rows of X.

    Shapes: X (n_x, m)."""
    n_x = np.shape(X)[0]
    dims = [n_x, *default_hidden, 1] if layers_dims is None else list(layers_dims)
    if len(dims) != 4 or dims[0] != n_x or dims[-1] != 1:
        raise ValueError(f"{fn}: the course's network has 3 layers, layers_dims = [n_x, n[1], "
                         f"n[2], 1] with n_x = {n_x}; got {layers_dims!r}")
    return dims


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0,
          keep_prob=1, gradients="hand", seed=3, dropout_seed=1, return_costs=False,
          layers_dims=None, progress=False, callback=None, compile=False):
    """The assignment's model: [n_x, 20, 3, 1] (or ``layers_dims``), batch gradient descent,
    optionally with L2 (``lambd`` > 0) or dropout (``keep_prob`` < 1), never both (as in
    the course).

    gradients: "hand" (the backward functions above) or "engine" (autograd_lite's backward
    of the same cost; ``compile=True`` replays it with al.compile, the same bits). The cost
    is recorded every 1000 iterations and printed every 10000 (print_cost=True by default,
    as the course's);
    ``callback(i, cost)`` sees every iteration. Returns the parameters, or
    (parameters, costs) with ``return_costs``.

    Shapes: X (n_x, m), Y (1, m)."""
    check_lambd(lambd, "model")
    check_keep_prob(keep_prob, "model")
    check_one_regularizer(lambd, keep_prob, "model")
    check_gradients_option(gradients, "model", compile)
    X, Y = check_examples(X, Y, "model")
    check_training_data(X, Y, "model")
    parameters, costs = gradient_descent(
        initialize_parameters(model_layers(X, layers_dims, (20, 3), "model"), seed),
        lambda p: grads_and_cost(p, X, Y, lambd, keep_prob, dropout_seed, gradients, compile),
        learning_rate, num_iterations, update=update_parameters, print_cost=print_cost,
        print_every=10000, line=COURSE_LINE_FULL, record_every=1000, progress=progress,
        desc="regularization", callback=callback)
    return (parameters, costs) if return_costs else parameters


# ---- the engine twin ------------------------------------------------------------------------

def cost_engine(parameters, X, Y, lambd=0.0, keep_prob=1.0, masks=None, record=None):
    """The cost written once with autograd_lite Tensors, for any number of layers:
    relu hidden layers (each times its mask D[l] / keep_prob when ``masks`` is given), a
    sigmoid output with its cross-entropy taken from Z[L], plus lambd / (2m) sum ||W[l]||^2.

    ``record``, a list, receives (A[l] before masking, Z[l]) for l = 1 ... L with their
    gradients retained (A[L] is None: the output's cross-entropy starts from Z[L]).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); dW[l] and db[l] have
    their parameter's shape, dZ[l] and dA[l] are (n[l], m)."""
    L = num_layers(parameters)
    m = np.shape(X)[1]
    A = X
    for l in range(1, L):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = al.relu(Z)
        if record is not None:
            record.append((A.retain_grad(), Z.retain_grad()))
        if masks is not None:
            A = A * masks[l - 1] / keep_prob
    ZL = parameters[f"W{L}"] @ A + parameters[f"b{L}"]
    if record is not None:
        record.append((None, ZL.retain_grad()))
    J = al.binary_cross_entropy_with_logits(ZL, Y)
    if lambd:
        J = J + lambd / (2 * m) * sum(al.sum(al.square(parameters[f"W{l}"]))
                                      for l in range(1, L + 1))
    return J


def backward_propagation_engine(X, Y, parameters, lambd=0.0, keep_prob=1.0, seed=1):
    """The course's gradient dict (dZ3 ... db1) from the engine's backward() of cost_engine.

    keep_prob < 1 uses the masks forward_propagation_with_dropout(..., seed) draws; dA[l]
    and dZ[l] are scaled by m to match the course's keys (dA[l] is taken before the mask,
    which is the course's dA[l] after ``dA[l] * D[l] / keep_prob``).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); dW[l] and db[l] have
    their parameter's shape, dZ[l] and dA[l] are (n[l], m)."""
    _check_three_layers(parameters, X, "backward_propagation_engine")
    check_lambd(lambd, "backward_propagation_engine")
    check_keep_prob(keep_prob, "backward_propagation_engine")
    X, Y = check_examples(X, Y, "backward_propagation_engine", parameters)
    grads, _ = _engine_grads(X, Y, parameters, lambd, keep_prob, seed)
    return grads


def _step_masks(parameters, X, keep_prob, seed):
    """The dropout masks D1, D2 of forward_propagation_with_dropout(..., seed); None
    without dropout."""
    if keep_prob == 1:
        return None
    return dropout_masks([(np.shape(parameters[f"W{l}"])[0], np.shape(X)[1]) for l in (1, 2)],
                         keep_prob, seed)


def _engine_grads(X, Y, parameters, lambd, keep_prob, seed):
    """(the course's gradient dict, the cost) from the engine; the models' engine step."""
    m = X.shape[1]
    masks = _step_masks(parameters, X, keep_prob, seed)
    P = {k: al.Tensor(v, requires_grad=True) for k, v in parameters.items()}
    layers = []
    cost = cost_engine(P, X, Y, lambd, keep_prob, masks, record=layers)
    cost.backward()
    grads = {}
    for l in (3, 2, 1):
        A, Z = layers[l - 1]
        grads[f"dZ{l}"] = Z.grad * m
        grads[f"dW{l}"], grads[f"db{l}"] = P[f"W{l}"].grad, P[f"b{l}"].grad
        if l > 1:
            grads[f"dA{l - 1}"] = layers[l - 2][0].grad * m
    return grads, cost.item()
