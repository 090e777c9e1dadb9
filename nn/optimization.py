"""Course 2, week 2, "Optimization Methods": mini-batches, momentum, Adam, learning-rate decay.

Parameters {"W1", "b1", ...} of any number of layers; gradients {"dW1", "db1", ...}; the
moving averages v, s are keyed like the gradients. The update functions assign the new
arrays into ``parameters``, ``v`` and ``s`` as the course's do, and return them too; every
key and shape is checked first, so a refused step changes nothing.

The assignment's model: the moons data (nn.load_moons()), layers [2, 5, 2, 1] with He
initialization (seed 3), mini-batches of 64, 5000 epochs. Epoch e (from 0) shuffles with
seed 10 + e + 1; Adam's step counter t counts mini-batches from 1; the cost printed for an
epoch is the sum of its per-example losses divided by m.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .checks import (
    ShapeError,
    check_learning_rate,
    check_like_parameters,
    check_parameters,
    check_training_data,
    check_X,
    check_Y,
    is_number,
    num_layers,
)
from .cost import as_cost, check_predictions, check_probabilities
from .init import he
from .regularization import accuracy as accuracy  # the three Course 2 notebooks' is one
from .regularization import (
    backward_propagation,
    course_rng,
    forward_propagation,
    grads_and_cost,
)
from .regularization import predict as predict  # opt_utils' predict, which prints
from .regularization import predict_dec as predict_dec  # opt_utils' too
from .training import check_gradients_option, train_loop


def _layers(parameters, fn):
    try:
        return num_layers(parameters)
    except KeyError as err:
        raise KeyError(f"{fn}: {err.args[0]}") from None


def _keys(parameters, grads, fn, **averages):
    """The parameter keys W1, b1, ..., after checking every gradient and every moving average
    (``averages``: v and/or s) is there with its parameter's shape: all before any update,
    so a refused step changes nothing and a rerun of the fixed cell takes one step."""
    L = _layers(parameters, fn)
    check_like_parameters(parameters, grads, fn)
    init = "initialize_adam" if "s" in averages else "initialize_velocity"
    for name, d in averages.items():
        check_like_parameters(parameters, d, fn, name, f"initialize {name} with {init}"
                              "(parameters), keyed 'dW1', 'db1', ... like the gradients")
    return [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]


# ---- gradient descent and mini-batches ------------------------------------------------------

def update_parameters_with_gd(parameters, grads, learning_rate):
    """W[l] = W[l] - learning_rate dW[l], b[l] = b[l] - learning_rate db[l] for every l."""
    keys = _keys(parameters, grads, "update_parameters_with_gd")
    check_learning_rate(learning_rate, "update_parameters_with_gd")
    for k in keys:
        parameters[k] = parameters[k] - learning_rate * grads["d" + k]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """[(mini_batch_X (n_x, size), mini_batch_Y (1, size)), ...]: the columns permuted by
    RandomState(seed).permutation(m) (after the course's np.random.seed(seed)), then
    floor(m / mini_batch_size) full batches, then the remainder if m is not a multiple."""
    X = check_X(X)
    m = X.shape[1]
    Y = np.asarray(Y)
    # which one is transposed: Y (m, n_y) is, unless it is (1, m), the course's labels
    y_transposed = Y.ndim == 2 and Y.shape[0] == m != 1
    if Y.ndim == 2 and Y.shape[1] not in (m, 1) and y_transposed and X.shape[0] == Y.shape[1]:
        raise ShapeError(f"random_mini_batches: X {X.shape} and Y {Y.shape} disagree on m, and "
                         "either one may be transposed (n_x = n_y): X is (n_x, m) and Y "
                         "(n_y, m), examples as columns; transpose the one that is not")
    if Y.ndim == 2 and Y.shape[1] != m and not y_transposed and X.shape[0] == Y.shape[1]:
        raise ShapeError(f"random_mini_batches: X should be (n_x, m) = ({m}, {X.shape[0]}) "
                         f"with examples as columns, like Y {Y.shape}, got {X.shape}: examples "
                         "are on the wrong axis; use X.T")
    if Y.ndim != 2 or Y.shape[1] != m:  # (a ShapeError with the hint, as every function's)
        hint = (" (transposed: use Y.T)" if Y.ndim == 2 and Y.shape[0] == m else
                " (a rank-1 array: use Y.reshape(1, -1))" if Y.ndim == 1 else "")
        raise ShapeError(f"random_mini_batches: Y should be (n_y, m) with m = {m} columns, "
                         f"got {Y.shape}{hint}")
    if not (isinstance(mini_batch_size, (int, np.integer)) and mini_batch_size > 0):
        raise ValueError(f"random_mini_batches: mini_batch_size must be a positive integer, "
                         f"got {mini_batch_size!r}")
    permutation = list(course_rng(seed).permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    mini_batches = []
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        mini_batches.append((shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size],
                             shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete_minibatches * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches


# ---- momentum -------------------------------------------------------------------------------

def initialize_velocity(parameters):
    """v = {"dW1": zeros like W1, "db1": zeros like b1, ...}."""
    L = _layers(parameters, "initialize_velocity")
    return {f"d{p}{l}": np.zeros(np.shape(parameters[f"{p}{l}"]))
            for l in range(1, L + 1) for p in "Wb"}


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """v = beta v + (1 - beta) grad, then W[l] -= learning_rate v["dW[l]"] (b likewise).
    Returns (parameters, v)."""
    check_hyperparameter("beta", beta, "update_parameters_with_momentum")
    check_learning_rate(learning_rate, "update_parameters_with_momentum")
    keys = _keys(parameters, grads, "update_parameters_with_momentum", v=v)
    for k in keys:
        v["d" + k] = beta * v["d" + k] + (1 - beta) * grads["d" + k]
        parameters[k] = parameters[k] - learning_rate * v["d" + k]
    return parameters, v


# ---- Adam -----------------------------------------------------------------------------------

def initialize_adam(parameters):
    """(v, s): two dicts of zeros keyed "dW1", "db1", ..., shaped like the parameters."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """One Adam step, t = 1, 2, ... counting the updates made so far including this one:

        v = beta1 v + (1 - beta1) grad          v_corrected = v / (1 - beta1^t)
        s = beta2 s + (1 - beta2) grad^2        s_corrected = s / (1 - beta2^t)
        W = W - learning_rate v_corrected / (sqrt(s_corrected) + epsilon)

    (epsilon outside the square root). Returns (parameters, v, s, v_corrected, s_corrected),
    as the course's current edition does; the older edition's notebook unpacks three
    (``parameters, v, s = ...``): take ``update_parameters_with_adam(...)[:3]`` there.
    """
    if not (is_number(t) and t >= 1 and t == int(t)):  # 2.0 works in the course's beta ** t
        raise ValueError(f"update_parameters_with_adam: t must be a positive integer step "
                         f"count: t counts the Adam steps from 1 (1, 2, ...), this one "
                         f"included; got {t!r}")
    t = int(t)
    for name, value in (("beta1", beta1), ("beta2", beta2), ("epsilon", epsilon)):
        check_hyperparameter(name, value, "update_parameters_with_adam")
    check_learning_rate(learning_rate, "update_parameters_with_adam")
    keys = _keys(parameters, grads, "update_parameters_with_adam", v=v, s=s)
    v_corrected, s_corrected = {}, {}
    # Python's float ** int, as the course's beta1 ** t and al.optim.Adam: np.power differs
    # from it in the last bit for about one t in 20 (0.999 ** 7)
    correction1, correction2 = 1 - float(beta1) ** t, 1 - float(beta2) ** t
    for key in ("d" + k for k in keys):
        g = grads[key]
        v[key] = beta1 * v[key] + (1 - beta1) * g
        v_corrected[key] = v[key] / correction1
        s[key] = beta2 * s[key] + (1 - beta2) * np.power(g, 2)
        s_corrected[key] = s[key] / correction2
        parameters[key[1:]] = parameters[key[1:]] - learning_rate * v_corrected[key] / (
            np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected


# ---- learning-rate decay --------------------------------------------------------------------

def _check_decay(fn, epoch_num, decay_rate, time_interval=1):
    # A negative decay_rate or epoch_num can make 1 + decay_rate * epoch_num zero.
    for name, value, low, what in (
            ("epoch_num", epoch_num, 0, "a number >= 0 (the epoch, counted from 0)"),
            ("decay_rate", decay_rate, 0, "a finite number >= 0 (the course's 1)"),
            ("time_interval", time_interval, None, "a positive number of epochs (the "
                                                   "course's 1000)")):
        if not (is_number(value) and (value > 0 if low is None else value >= low)):
            raise ValueError(f"{fn}: {name} must be {what}, got {value!r}")


def update_lr(learning_rate0, epoch_num, decay_rate):
    """alpha = alpha0 / (1 + decay_rate * epoch_num): decays every epoch."""
    _check_decay("update_lr", epoch_num, decay_rate)
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """alpha = alpha0 / (1 + decay_rate * floor(epoch_num / time_interval)): decays in steps,
    once every ``time_interval`` epochs."""
    _check_decay("schedule_lr_decay", epoch_num, decay_rate, time_interval)
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


# ---- the assignment's model -----------------------------------------------------------------

def initialize_parameters(layer_dims, seed=3):
    """He initialization, W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), seed 3."""
    return he(layer_dims, seed)


def compute_cost(a3, Y):
    """The course's summed loss over the examples given (not divided by m):
    sum(-Y log a3 - (1 - Y) log(1 - a3)). The model divides each epoch's total by m.

    Shapes: a3 and Y (1, m); a transposed one is refused (it would broadcast to (m, m))."""
    _, Y = check_predictions(a3, Y, "a3")
    check_probabilities(a3, Y, "a3")
    return _summed_cost(a3, Y)


def _summed_cost(a3, Y):
    """compute_cost's sum on arrays checked already (a mini-batch step's)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return as_cost(np.sum(logprobs))


DECAYS = {"update_lr": update_lr, "schedule_lr_decay": schedule_lr_decay}


HYPERPARAMETERS = {"gd": {}, "momentum": {"beta": 0.9},
                   "adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}}
OPTIMIZERS = tuple(HYPERPARAMETERS)


def optimizer_settings(optimizer: str, fn: str = "model", **given) -> dict:
    """{name: value} of the hyperparameters ``optimizer`` takes (HYPERPARAMETERS): the
    course's defaults, or the values in ``given`` (None: not given). A ValueError naming
    ``fn`` for an unknown optimizer, a value out of range, or one that another optimizer
    takes (it would be ignored)."""
    if optimizer not in HYPERPARAMETERS:
        raise ValueError(f"{fn}: optimizer must be one of {list(HYPERPARAMETERS)}, got "
                         f"{optimizer!r}")
    own = HYPERPARAMETERS[optimizer]
    for name, value in given.items():
        if value is None:
            continue
        if name not in own:
            owner = next(o for o, names in HYPERPARAMETERS.items() if name in names)
            raise ValueError(f"{fn}: {name} is a setting of optimizer={owner!r}, not of "
                             f"optimizer={optimizer!r} (its settings: "
                             f"{', '.join(own) or 'none'})")
        check_hyperparameter(name, value, fn)
    return {k: v if given.get(k) is None else given[k] for k, v in own.items()}


def check_hyperparameter(name: str, value, fn: str) -> None:
    """beta, beta1, beta2 in [0, 1), epsilon finite and > 0, or a ValueError naming ``fn``:
    beta1 = 1 divides by 1 - beta1^t = 0, epsilon = 0 divides 0 by 0 where a gradient is 0,
    and beta > 1 grows the moving average without bound."""
    if name == "epsilon" and not (is_number(value) and value > 0):
        raise ValueError(f"{fn}: epsilon must be a finite positive number (Adam's 1e-8), "
                         f"got {value!r}")
    if name != "epsilon" and not (is_number(value) and 0 <= value < 1):
        default = HYPERPARAMETERS["momentum" if name == "beta" else "adam"][name]
        raise ValueError(f"{fn}: {name} must be a number in [0, 1) (the course's {default}), "
                         f"got {value!r}")


def _minibatch_grads(parameters, X, Y, gradients, compile=False):
    """(grads, the mini-batch's summed loss): the course's functions, or the engine
    (``compile``: replayed by al.compile; a smaller last mini-batch is a second trace)."""
    if gradients == "engine":
        grads, cost_mean = grads_and_cost(parameters, X, Y, gradients="engine",
                                          compile=compile)
        return grads, cost_mean * X.shape[1]
    a3, caches = forward_propagation(X, parameters)
    return backward_propagation(X, Y, caches), _summed_cost(a3, Y)


def make_update(optimizer: str, parameters: dict, beta=0.9, beta1=0.9, beta2=0.999,
                epsilon=1e-8) -> Callable:
    """update(parameters, grads, learning_rate) -> parameters, for optimizer "gd",
    "momentum" or "adam", keeping the moving averages (initialize_velocity, initialize_adam,
    shaped like ``parameters``) and Adam's step counter t: the first update uses t = 1."""
    if optimizer == "gd":
        return update_parameters_with_gd
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
        return lambda p, g, lr: update_parameters_with_momentum(p, g, v, beta, lr)[0]
    v, s = initialize_adam(parameters)
    t = 0

    def adam(p, g, lr):
        nonlocal t
        t = t + 1
        return update_parameters_with_adam(p, g, v, s, t, lr, beta1, beta2, epsilon)[0]
    return adam


def train_epochs(parameters: dict, X, Y, grads_and_loss: Callable, update: Callable,
                 learning_rate: float, num_epochs: int, mini_batch_size: int | None = 64,
                 decay: Callable | None = None, decay_rate=1, shuffle_seed=10,
                 **loop) -> tuple[dict, list]:
    """The course model's loop over epochs, for any network: each epoch i (from 0) takes
    random_mini_batches(X, Y, mini_batch_size, shuffle_seed + i + 1) (mini_batch_size None:
    one batch, all of X (n_x, m) in order), and for each mini-batch
    ``grads, loss = grads_and_loss(parameters, mini_batch_X, mini_batch_Y)`` (loss summed
    over the batch's examples), then ``parameters = update(parameters, grads,
    learning_rate)`` (make_update). After the epoch, ``decay(learning_rate0, i,
    decay_rate)`` (update_lr, schedule_lr_decay or None) sets the learning rate. The epoch's
    cost is its summed loss / m. ``loop``: train_loop's settings. Returns (parameters, costs).
    """
    m = X.shape[1]
    learning_rate0 = learning_rate

    def epoch(i):
        nonlocal parameters, learning_rate
        cost_total = 0
        batches = ([(X, Y)] if mini_batch_size is None
                   else random_mini_batches(X, Y, mini_batch_size, shuffle_seed + i + 1))
        for minibatch_X, minibatch_Y in batches:
            grads, cost = grads_and_loss(parameters, minibatch_X, minibatch_Y)
            cost_total += cost
            parameters = update(parameters, grads, learning_rate)
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        return cost_total / m

    costs = train_loop(epoch, num_epochs, **loop)
    return parameters, costs


def _check_model_arguments(X, Y, layers_dims, optimizer, decay, gradients, compile=False):
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"model: optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    check_gradients_option(gradients, "model", compile)
    if decay is not None and not callable(decay):
        raise TypeError(f"model: decay must be None or a function such as update_lr or "
                        f"schedule_lr_decay, got {decay!r}")
    if len(layers_dims) != 4:
        raise ValueError(f"model: the course's network has 3 layers, layers_dims = [n_x, n[1], "
                         f"n[2], 1]; got {layers_dims!r}")
    X = check_X(X, layers_dims[0])
    check_training_data(X, check_Y(Y, X.shape[1]), "model")
    return X


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None,
          decay_rate=1, gradients="hand", seed=3, return_costs=False, progress=False,
          callback=None, compile=False):
    """The assignment's model: the 3-layer network (layers_dims [n_x, n[1], n[2], 1]) trained
    on mini-batches with ``optimizer`` "gd", "momentum" or "adam".

    decay: None, update_lr or schedule_lr_decay (any f(learning_rate0, epoch, decay_rate)),
    applied after each epoch. gradients: "hand" (nn.regularization.backward_propagation) or
    "engine" (autograd_lite; ``compile=True`` replays it with al.compile, the same bits).
    The epoch cost (summed loss / m) is recorded every 100 epochs and printed every 1000
    as "Cost after epoch i: %f" (print_cost=True by default, as the course's);
    ``callback(epoch, cost)`` sees every epoch. Returns the parameters, or (parameters,
    costs) with ``return_costs``."""
    X = _check_model_arguments(X, Y, layers_dims, optimizer, decay, gradients, compile)
    if not (is_number(learning_rate) and learning_rate >= 0):  # (0: the cost alone, measured)
        raise ValueError(f"model: learning_rate must be a finite number >= 0, got "
                         f"{learning_rate!r}")
    settings = {"beta": beta} if optimizer == "momentum" else {
        "beta1": beta1, "beta2": beta2, "epsilon": epsilon} if optimizer == "adam" else {}
    for name, value in settings.items():  # up front, named by model: not in the first update
        check_hyperparameter(name, value, "model")
    parameters = initialize_parameters(layers_dims, seed)
    check_parameters(parameters, X)
    update = make_update(optimizer, parameters, beta, beta1, beta2, epsilon)

    def line(i, cost):  # the course's "%i: %f", and the learning rate when it decays
        text = f"Cost after epoch {i}: {cost:f}"
        return text + (f"\nlearning rate after epoch {i}: "
                       f"{decay(learning_rate, i, decay_rate):f}" if decay else "")

    parameters, costs = train_epochs(
        parameters, X, Y, lambda p, X_b, Y_b: _minibatch_grads(p, X_b, Y_b, gradients, compile),
        update,
        learning_rate, num_epochs, mini_batch_size, decay, decay_rate, print_cost=print_cost,
        print_every=1000, line=line, progress=progress, desc="optimization",
        callback=callback)
    return (parameters, costs) if return_costs else parameters
