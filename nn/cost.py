"""The cross-entropy cost J = -1/m sum(Y log A + (1 - Y) log(1 - A)), kept finite."""

from __future__ import annotations

import numpy as np

import autograd_lite as al

from .checks import ShapeError, check_Y

# A of exactly 0 or 1 (a saturated sigmoid) would give log(0) = -inf; this bound keeps J
# finite (at most about 34.5 per example). It changes J wherever A or 1 - A is below 1e-15
# (A = 1e-20 with Y = 1 counts 34.5, not 46.1): the engine's path, from Z, does not clip.
A_BOUND = 1e-15


def _m_from(A, Y, name, strict, who):
    """m, the number of examples, read from A (1, m); a rank-1 A (m,) counts too unless strict.

    A (m, 1) or any other shape is refused by name: against Y (1, m) the course's formula
    would broadcast it to (m, m) and give a wrong J without a word."""
    if A.ndim == 2 and A.shape[0] == 1:
        return A.shape[1]
    if A.ndim == 1 and not strict:
        return A.shape[0]  # the course's formula broadcasts A (m,) against Y (1, m)
    Y_shape = np.shape(Y)
    m = Y_shape[1] if len(Y_shape) == 2 and Y_shape[0] == 1 else None
    want = f"(1, m) = (1, {m})" if m is not None else "(1, m)"
    if A.ndim == 1:
        hint = f" (a rank-1 array, refused because strict=True: use {name}.reshape(1, -1))"
    elif A.ndim == 2 and A.shape[1] == 1 and A.shape[0] > 1:
        hint = f" (transposed: use {name}.T)"
    else:
        hint = ""
    raise ShapeError(f"{who}: {name} should be {want}, one prediction per example, got "
                     f"{A.shape}{hint}")


def check_predictions(A, Y, name="A", strict=True, who="compute_cost"):
    """(m, Y as an array) for predictions A (1, m) and labels Y (1, m); A (m, 1), Y (m, 1) or
    counts that differ are refused by name (the course's formula would broadcast them to
    (m, m) pairs). A rank-1 A (m,) passes unless ``strict``. A may be a Tensor."""
    A = A if isinstance(A, al.Tensor) else np.asarray(A)
    m = _m_from(A, Y, name, strict, who)
    Y_shape = np.shape(Y)
    if len(Y_shape) == 2 and Y_shape[0] == 1 and Y_shape[1] != m:  # which one is wrong?
        raise ShapeError(f"{who}: {name} has {m} predictions, shape {A.shape}, but Y has "
                         f"{Y_shape[1]} labels, shape {Y_shape}; both should be (1, m), one "
                         "column per example")
    return m, check_Y(Y, m, "Y")


def check_probabilities(A, Y, name="A", who="compute_cost") -> None:
    """Predictions in [0, 1], the sigmoid's outputs, and labels in [0, 1] (0 and 1, or soft
    ones, as al.binary_cross_entropy takes them): Z passed for A (the sigmoid forgotten)
    gave a cost, or 0.0 through the course's nansum, and a label 2 or -1 a cost, without a
    word. NaN in A passes (a diverged run's, which the trainers name); NaN in Y does not
    (nansum would drop its example). A Tensor's values are not read here:
    binary_cross_entropy checks its own, also while al.compile traces; nor are labels that
    al.compile traces (Y an argument of the compiled function: reading them raised).

    Shapes: A and Y (1, m)."""
    try:
        labels = np.asarray(Y, dtype=float)
    except al.TraceError:
        labels = None
    if labels is not None:
        _in_unit_interval(labels, "Y", "labels: 0 and 1 for the two classes", who, nan=False)
    if not isinstance(A, al.Tensor):
        _in_unit_interval(np.asarray(A, dtype=float), name, f"predictions, the sigmoid's "
                          f"output: give {name} = sigmoid(Z), not Z", who)


def _in_unit_interval(values, what, hint, who, nan=True) -> None:
    """``values`` in [0, 1] (NaN too where ``nan``): a min and a max when they are, as every
    training step's are (a mask each took the cost twice as long)."""
    if not values.size or values.min() >= 0 and values.max() <= 1:
        return
    outside = (values < 0) | (values > 1)
    if not nan:
        outside |= np.isnan(values)
    bad = values[outside]
    if bad.size:
        raise ValueError(f"{who}: {what} should hold values in [0, 1], {hint}; {bad.size} of "
                         f"its {values.size} entries are not, such as {float(bad[0])!r}")


def as_cost(J):
    """A cost as the course's functions return it: a Python float, or, on the engine path
    (predictions that are a Tensor), the Tensor itself, so that ``J.backward()`` reaches
    the parameters (a float would cut the graph off)."""
    return J if isinstance(J, al.Tensor) else float(J)


def cross_entropy(A, Y, name="A", strict=False, who="compute_cost",
                  values=True) -> float | al.Tensor:
    """J for predictions A (1, m) in [0, 1] and labels Y (1, m); a Python float (a Tensor
    when A is one: see as_cost).

    As in the course, a rank-1 A (m,) is accepted and paired with Y's m columns;
    ``strict=True`` refuses it. Shape errors call A ``name`` (A2, AL) and the function
    ``who``. ``values``: check that A and Y lie in [0, 1] (check_probabilities; a training
    loop's step leaves it to the checks made before the loop: it cost nn_model 15 %).
    """
    A = A if isinstance(A, al.Tensor) else np.asarray(A)
    m, Y = check_predictions(A, Y, name, strict, who)
    if values:  # (a training loop's own sigmoid output, and labels checked before it: not)
        check_probabilities(A, Y, name, who)
    A = np.clip(A.reshape(1, m), A_BOUND, 1 - A_BOUND)
    return as_cost(-1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))  # (the course's
    # order: -sum / m rounded the week 4 test case's 0.2797765635793422 to ...423)


def cross_entropy_from_logits(Z, Y):
    """The same J from Z = w^T X + b, exactly and stably: mean(log(1 + e^Z) - Y Z).

    Shapes: Z and Y: (1, m)."""
    return float(np.sum(np.logaddexp(0, Z) - Y * Z) / Z.shape[1])
