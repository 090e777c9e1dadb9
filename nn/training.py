"""What every course model's training shares: the one training loop, the gradient-descent
update, and the engine's gradients of a cost.

Each model writes only its step (one iteration, or one epoch of mini-batches) and hands it
to ``train_loop``, which counts the iterations, shows the progress bar, records and prints
the cost at the model's cadence, in the course's words, and calls an optional callback.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd_lite as al

from .checks import ShapeError, check_learning_rate

GRADIENTS = ("hand", "engine")  # the hand-derived backward, or the engine's backward()


def check_gradients_option(gradients, fn: str, compile=False) -> None:
    """``gradients`` must be "hand" or "engine", and "engine" with ``compile``; ``fn`` names
    the function in the error."""
    if gradients not in GRADIENTS:
        raise ValueError(f"{fn}: gradients must be 'hand' or 'engine', got {gradients!r}")
    if compile and gradients != "engine":
        raise ValueError(f"{fn}: compile=True replays the engine's gradients with al.compile; "
                         "pass gradients='engine' with it")


def iterations(n, progress: bool, desc: str, leave: bool = False):
    """range(n), or a tqdm.auto progress bar over it when ``progress``: a widget in Jupyter,
    a bar in a terminal, none when the output is neither (a file, a pipe, a test).
    ``leave``: keep the finished bar on screen."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"num_iterations must be a non-negative integer, got {n!r}")
    if not progress:
        return range(n)
    from tqdm.auto import tqdm

    try:
        return tqdm(range(n), desc=desc, unit="it", leave=leave, disable=None)
    except ImportError:  # a notebook without ipywidgets: tqdm.auto cannot draw its widget
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm(range(n), desc=desc, unit="it", leave=leave, disable=None)


def update_parameters(parameters, grads, learning_rate):
    """W[l] - learning_rate dW[l], b[l] - learning_rate db[l] for every parameter key
    (grads are keyed "d" + key) in a new dict; the caller's dict and arrays are untouched.
    Course 1's edition (weeks 3 and 4: ``parameters = copy.deepcopy(params)`` first), as
    nn.shallow's and nn.deep.update_parameters. Course 2's reg_utils and init_utils assign
    into the dict passed in instead: nn.regularization.update_parameters. Every gradient is
    checked first (there, and not broadcasting its parameter: a rank-1 db made b1 (4, 4); a
    number for a (1, 1) b2 is fine, as numpy takes it)."""
    check_learning_rate(learning_rate, "update_parameters")
    for k, v in parameters.items():  # all checked before any step is taken
        if "d" + k not in grads:
            raise KeyError(f"update_parameters: no 'd{k}' in the gradients (keys given: "
                           f"{sorted(grads)})")
        if np.broadcast_shapes(np.shape(v), np.shape(grads["d" + k])) != np.shape(v):
            raise ShapeError(f"update_parameters: d{k} has shape {np.shape(grads['d' + k])}, "
                             f"which would make {k} of shape {np.shape(v)} broadcast; give "
                             f"d{k} the shape of {k} (keepdims=True for db)")
    return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}


def engine_gradients(cost: Callable, parameters, *args, compile: bool = False
                     ) -> tuple[dict, float]:
    """(grads {"d" + key: dJ/d parameter}, J) from the engine, as a learner would ask for
    them: the parameters as Tensors that require grad, J = cost(P, *args), J.backward(),
    .grad (zeros for a parameter that J does not use).

    compile: replay ``cost``'s al.compile trace instead (one trace per shape, kept per
    cost function). The results are the same bits: the replay makes the eager engine's
    numpy calls in the same order. Never the default: the course's functions show the
    eager engine at work, and a trace costs a few ms, which pays back only over a few
    hundred iterations (see the README's al.compile section).
    """
    if compile:
        step = _COMPILED.get(cost)
        if step is None:
            if len(_COMPILED) >= 32:  # a few course costs are expected; never an unbounded cache
                _COMPILED.pop(next(iter(_COMPILED)))
            # a trace per value of a number option (lambd, keep_prob: the cost branches on
            # them): 64 kept, so that a sweep of 10 lambd does not warn about nn's own call
            step = _COMPILED[cost] = al.compile(cost, argnums=0, cache_size=64)
        # (a number, such as logistic regression's b, as a 0-d array: al.Tensor does so too)
        J, grads = step({k: v if type(v) is np.ndarray else np.asarray(v, float)
                         for k, v in parameters.items()}, *args)
        return {"d" + k: g for k, g in grads.items()}, float(J)
    P = {k: al.Tensor(v, requires_grad=True) for k, v in parameters.items()}
    J = cost(P, *args)
    J.backward()
    return {"d" + k: np.zeros(t.shape) if t.grad is None else t.grad
            for k, t in P.items()}, J.item()


_COMPILED: dict = {}  # cost function -> its al.compile


def gradient_descent(parameters, grads_and_cost: Callable, learning_rate, num_iterations,
                     update: Callable = update_parameters, **loop) -> tuple[dict, list]:
    """Batch gradient descent: ``grads, cost = grads_and_cost(parameters)``, then
    ``parameters = update(parameters, grads, learning_rate)`` (the course's update_parameters
    of the model's edition), num_iterations times. Returns (parameters, costs); ``loop`` is
    train_loop's settings (cadence, printing, progress, callback)."""
    def step(i):
        nonlocal parameters
        grads, cost = grads_and_cost(parameters)
        parameters = update(parameters, grads, learning_rate)
        return cost

    costs = train_loop(step, num_iterations, **loop)
    return parameters, costs


COURSE_LINE = "Cost after {unit} {i}: {cost:f}"  # weeks 2 and 3: "%i: %f"
COURSE_LINE_FULL = "Cost after {unit} {i}: {cost}"  # week 4 and Course 2: "{}".format


def cost_line(i: int, cost, line: str | Callable = COURSE_LINE, unit="iteration") -> str:
    """The course's progress line for iteration (or epoch: ``unit``) ``i``: ``line`` is a
    format string of unit, i and cost (COURSE_LINE gives "Cost after iteration 100:
    0.310571") or a function of i and cost."""
    return line(i, cost) if callable(line) else line.format(i=i, cost=cost, unit=unit)


def train_loop(step: Callable[[int], float], num_iterations: int, *, print_cost=False,
               print_every=100, print_last=False, line: str | Callable = COURSE_LINE,
               record_every: int | None = 100, record_last=False, progress=False,
               leave=False, desc="train", callback: Callable | None = None) -> list:
    """Run ``step(i)`` for i = 0 ... num_iterations - 1; each returns that iteration's cost.

    Returns the costs at iterations 0, record_every, 2 record_every, ... (and the last with
    ``record_last``; none when record_every is None). ``print_cost`` prints
    ``cost_line(i, cost, line)`` at the same kind of cadence, with print_every and
    print_last, above the progress bar when there is one (``progress``; ``leave`` keeps it
    when done), whose postfix shows the current cost. ``callback(i, cost)`` is called after
    every step; an exception it raises stops the training.
    """
    costs = []
    bar = iterations(num_iterations, progress, desc, leave)
    show = getattr(bar, "set_postfix_str", None) if not getattr(bar, "disable", True) else None
    write = print if show is None else bar.write
    for i in bar:
        cost = step(i)
        if callback is not None:
            callback(i, cost)
        last = i == num_iterations - 1
        if show is not None and (i % 10 == 0 or last):  # the bar redraws at most 10 times/s
            show(f"cost={float(cost):.6g}", refresh=False)
        if print_cost and (i % print_every == 0 or (print_last and last)):
            write(cost_line(i, cost, line))
        if record_every is not None and (i % record_every == 0 or (record_last and last)):
            costs.append(cost)
    return costs
