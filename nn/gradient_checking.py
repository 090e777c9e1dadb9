"""Course 2, week 1, "Gradient Checking": the course's two-sided difference, 1-D and N-D.

gradapprox = (J(theta + eps) - J(theta - eps)) / (2 eps), compared with the backward pass's
grad by the course's difference ||grad - gradapprox||_2 / (||grad||_2 + ||gradapprox||_2).
The N-D check flattens the parameters in the course's order W1, b1, W2, b2, ... (each in C
order) into one column theta (n_params, 1). ``al.check_gradients`` goes one step further:
it compares each dW[l], db[l] separately, so it names the wrong ones.
"""

from __future__ import annotations

import functools

import numpy as np

import autograd_lite as al

from . import deep
from .checks import (
    ShapeError,
    check_like_parameters,
    check_parameters,
    check_X,
    is_number,
    num_layers,
)
from .regularization import backward_propagation as network_backward
from .regularization import cost_engine as network_cost
from .regularization import l2_cost, relu, sigmoid
from .training import check_gradients_option

# ---- 1-D: J(theta) = theta x ----------------------------------------------------------------


def forward_propagation(x, theta):
    """J = theta * x."""
    return np.dot(theta, x)


def backward_propagation(x, theta):
    """dJ/dtheta = x."""
    return x


def difference(grad, gradapprox):
    """The course's ||grad - gradapprox||_2 / (||grad||_2 + ||gradapprox||_2) (0 if both 0)."""
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return float(numerator / denominator) if denominator else 0.0


def backward_propagation_engine(x, theta):
    """dJ/dtheta of J = theta x from autograd_lite's backward() (the engine's twin)."""
    t = al.Tensor(theta, requires_grad=True)
    (t * x).backward()
    return t.grad


def _check_epsilon(epsilon, fn, theta) -> float:
    """epsilon as a Python float (a float32 one made theta float32, where 4 + 1e-7 is 4), a
    step that moves every entry of theta: 0, NaN or 1e-20 made 0/0 or a difference of 1,
    blamed on the backward propagation."""
    if not (is_number(epsilon) and epsilon > 0):
        raise ValueError(f"{fn}: epsilon must be a small positive number, such as the course's "
                         f"1e-7, got {epsilon!r}")
    epsilon = float(epsilon)
    theta = np.asarray(theta, dtype=np.float64)
    if not np.isfinite(theta).all():
        raise ValueError(f"{fn}: theta holds NaN or inf, where no difference is defined")
    if (theta + epsilon == theta).any():
        raise ValueError(f"{fn}: epsilon {epsilon!r} rounds away beside theta (largest "
                         f"|theta| {np.abs(theta).max():g}): a step that moves nothing gives "
                         "a difference of 1; take epsilon near 1e-7 times |theta| (the "
                         "course's 1e-7 for |theta| about 1)")
    return epsilon


def gradient_check(x, theta, epsilon=1e-7, print_msg=False, gradients="hand"):
    """The course's difference between the gradient of J = theta x (from
    backward_propagation, or the engine with gradients="engine") and its two-sided
    difference. ``print_msg`` prints the current edition's verdict, as gradient_check_n's:
    "Your backward propagation works perfectly fine! difference = ..." at most 2e-7, "There
    is a mistake in the backward propagation! difference = ..." above."""
    check_gradients_option(gradients, "gradient_check")
    epsilon = _check_epsilon(epsilon, "gradient_check", theta)
    # in float64, as gradient_check_n's theta is: a float32 theta + 1e-7 is theta (3.0), and
    # a right gradient had difference 1
    x, theta = (np.asarray(v, np.float64) if np.asarray(v).dtype.kind == "f" and
                np.asarray(v).dtype.itemsize < 8 else v for v in (x, theta))
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = forward_propagation(x, thetaplus)
    J_minus = forward_propagation(x, thetaminus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = (backward_propagation if gradients == "hand" else backward_propagation_engine)(
        x, theta)
    diff = difference(grad, gradapprox)
    if print_msg:
        print(_verdict(diff, forward_propagation(x, theta), gradapprox, grad))
    return diff


# ---- parameters <-> one column ----------------------------------------------------------------

def _layer_keys(d, prefix=""):
    L = sum(1 for k in d if k.startswith(prefix + "W") and k[len(prefix) + 1:].isdigit())
    keys = [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    missing = [k for k in keys if k not in d]
    if L == 0 or missing:
        raise KeyError(f"expected keys {prefix}W1, {prefix}b1, ..., {prefix}WL, {prefix}bL; "
                       f"missing {missing or [prefix + 'W1', prefix + 'b1']} (keys given: "
                       f"{sorted(d)})")
    return keys


def dictionary_to_vector(parameters):
    """theta (n_params, 1): W1, b1, W2, b2, ... each flattened in C order, stacked; and
    ``keys``, the name of the parameter each row comes from."""
    parts, keys = [], []
    for key in _layer_keys(parameters):
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys += [key] * new_vector.shape[0]
        parts.append(new_vector)
    return np.concatenate(parts, axis=0).astype(np.float64), keys


def gradients_to_vector(gradients):
    """grad (n_params, 1): dW1, db1, dW2, db2, ... flattened as dictionary_to_vector does
    (other keys such as dZ3 or dA2 are ignored)."""
    return np.concatenate([np.reshape(gradients[k], (-1, 1)) for k in _layer_keys(gradients, "d")],
                          axis=0).astype(np.float64)


COURSE_LAYER_DIMS = (4, 5, 3, 1)  # the notebook's test case: X (4, 3), W1 (5, 4), ...


def vector_to_dictionary(theta, layer_dims=COURSE_LAYER_DIMS):
    """The inverse of dictionary_to_vector for ``layer_dims`` [n_x, n[1], ..., n[L]]
    (the course's [4, 5, 3, 1] by default): {"W1": (n[1], n_x), "b1": (n[1], 1), ...}."""
    dims = list(layer_dims)
    theta = np.asarray(theta)
    need = sum(dims[l] * dims[l - 1] + dims[l] for l in range(1, len(dims)))
    if theta.size != need:
        raise ValueError(f"vector_to_dictionary: theta has {theta.size} entries, but "
                         f"layer_dims {dims} need {need}")
    flat = theta.reshape(-1)
    parameters, i = {}, 0
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            n = shape[0] * shape[1]
            parameters[key] = flat[i:i + n].reshape(shape)
            i += n
    return parameters


# ---- N-D: the notebook's 3-layer network --------------------------------------------------------

def _check_labels(Y, m, fn):
    Y = np.asarray(Y)
    if Y.shape == (m,):  # the course's own test case passes y = np.array([1, 1, 0])
        return Y.reshape(1, m)
    if Y.shape != (1, m):
        raise ValueError(f"{fn}: Y should be (1, m) = (1, {m}), got {Y.shape}")
    return Y


def forward_propagation_n(X, Y, parameters):
    """The notebook's LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID and its cost
    J = 1/m sum(-Y log A3 - (1 - Y) log(1 - A3)). Returns (cost, cache) with the cache
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m)."""
    X = check_X(X)
    Y = _check_labels(Y, X.shape[1], "forward_propagation_n")
    m = X.shape[1]
    if num_layers(parameters) != 3:  # W4 would be left out silently, a 2-layer net KeyError
        raise ShapeError(f"forward_propagation_n is the notebook's 3-layer network; these "
                         f"parameters have {num_layers(parameters)} layers: use "
                         "forward_propagation_deep (gradient_check_n picks it by itself)")
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return _cost(A3, Y, m), (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def _cost(A, Y, m):
    """The notebook's J = 1/m sum(-Y log A - (1 - Y) log(1 - A))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(A), Y) + np.multiply(-np.log(1 - A), 1 - Y)
    return 1. / m * np.sum(logprobs)


def forward_propagation_deep(X, Y, parameters, hidden="relu", lambd=0.0):
    """forward_propagation_n for any number of layers L: [LINEAR -> ``hidden``] x (L-1) ->
    LINEAR -> SIGMOID (the course's L_model_forward) and the same cost, plus Course 2's L2
    term lambd / (2 m) sum ||W[l]||^2 where ``lambd`` is not 0. Returns (cost, caches).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1)."""
    X = check_X(X)
    Y = _check_labels(Y, X.shape[1], "forward_propagation_deep")
    AL, caches = deep.L_model_forward(X, parameters, hidden=hidden)
    m = X.shape[1]
    return _cost(AL, Y, m) + (l2_cost(parameters, lambd, m) if lambd else 0.0), caches


def backward_propagation_n(X, Y, cache):
    """The correct gradients of forward_propagation_n (the notebook's, without its two
    planted bugs; examples/learners/gradient_check_buggy.py has them).

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m)."""
    X = check_X(X)
    return network_backward(X, _check_labels(Y, X.shape[1], "backward_propagation_n"), cache)


def cost_engine(parameters, X, Y):
    """forward_propagation_n's cost J built from autograd_lite Tensors (the engine's twin):
    a function of the parameter dict, as al.check_gradients wants it.

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m)."""
    X = check_X(X)
    return network_cost(parameters, X, _check_labels(Y, X.shape[1], "cost_engine"))


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False,
                     forward=None, hidden="relu", lambd=0.0):
    """The course's N-D check: nudge each entry of theta by +-epsilon, recompute the cost
    with ``forward`` (by default the notebook's forward_propagation_n for 3 layers,
    forward_propagation_deep for any other number, or for ``hidden`` layers other than relu
    or an L2 term ``lambd``: give your model's, or its gradients are checked against another
    network's cost), and return the difference between ``gradients`` (flattened by
    gradients_to_vector) and the two-sided estimate.

    parameters: {"W1", "b1", ...} of any number of layers; gradients: {"dW1", "db1", ...}.
    Above 2e-7 the course says there is a mistake in the backward propagation.

    Shapes: X (n_x, m), Y (1, m); W[l] (n[l], n[l-1]), b[l] (n[l], 1); every gradient has
    its parameter's shape, dA[l] (n[l], m)."""
    dims = check_parameters(parameters, X)
    chosen = forward is None  # (then say which network's cost a mistake was found against)
    if forward is None and (hidden != "relu" or lambd):  # (a tanh network's right gradients
        forward = functools.partial(forward_propagation_deep, hidden=hidden,  # were "a
                                    lambd=lambd)  # mistake", 0.83 from the relu network's)
    elif forward is None:
        forward = forward_propagation_n if len(dims) == 4 else forward_propagation_deep
    parameters_values, _ = dictionary_to_vector(parameters)
    epsilon = _check_epsilon(epsilon, "gradient_check_n", parameters_values)
    check_like_parameters(parameters, gradients, "gradient_check_n")
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus, _ = forward(X, Y, vector_to_dictionary(thetaplus, dims))
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus, _ = forward(X, Y, vector_to_dictionary(thetaminus, dims))
        with np.errstate(invalid="ignore"):  # inf - inf: said below, once
            gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)
    diff = difference(grad, gradapprox)
    if print_msg:
        against = (f" (against the cost of {hidden} hidden layers, a sigmoid output and "
                   + (f"the L2 term of lambd={lambd}" if lambd else "no L2 term")
                   + ": give hidden=, lambd= or forward= if your network's differs)")
        print(_verdict(diff, forward(X, Y, parameters)[0], gradapprox, grad,
                       ". Saturated sigmoids (large weights) make log(0); check at smaller "
                       "parameters") + (against if chosen and diff > 2e-7 else ""))
    return diff


def _verdict(diff, cost, gradapprox, grad, hint=""):
    """The course's message (both checks: one edition, threshold 2e-7), unless a NaN or inf
    leaves nothing to compare: nan > 2e-7 is False, and a saturated network (W * 10) was
    told it "works perfectly fine"."""
    for what, values in (("the cost J", cost), ("gradapprox", gradapprox),
                         ("your gradients", grad)):
        if not np.all(np.isfinite(values)):
            return (f"Cannot check: {what} is not finite (nan or inf) at these parameters, so "
                    f"difference = {diff} tells nothing" + hint)
    if diff > 2e-7:
        return f"There is a mistake in the backward propagation! difference = {diff}"
    return f"Your backward propagation works perfectly fine! difference = {diff}"


def gradient_check_n_test_case():
    """The notebook's test case: X (4, 3), Y = [1, 1, 0] and a [4, 5, 3, 1] network, all
    drawn from RandomState(1) in the course's order (x, W1, b1, W2, b2, W3, b3)."""
    rng = np.random.RandomState(1)
    x = rng.randn(4, 3)
    y = np.array([1, 1, 0])
    parameters = {}
    for key, shape in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))):
        parameters[key] = rng.randn(*shape)
    return x, y, parameters
