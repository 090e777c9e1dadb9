"""Shape checks in the course's notation, so a mistake reads like the lecture:
``W2 should be (n[2], n[1]) = (1, 4), got (4, 1)``."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

from autograd_lite import Tensor


class ShapeError(ValueError):
    """A parameter or data array has the wrong shape for the network."""


def _arr(x, what):
    if isinstance(x, Tensor):  # the engine twins check Tensors by their shapes too
        return x
    try:
        a = np.asarray(x)
    except Exception:  # noqa: BLE001
        raise TypeError(f"{what} must be a numeric array, got {type(x).__name__}") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be a numeric array, got dtype {a.dtype}")
    return a


def _rank1_hint(shape):
    return " (a rank-1 array: use .reshape(-1, 1) to make it a column)" if len(shape) == 1 else ""


def num_layers(parameters) -> int:
    """L, from the keys W1, b1, ..., WL, bL; a clear error if any is missing (L is the
    highest l of a W or a b: a b2 without W2 ran as one layer, in silence)."""
    if type(parameters) is not dict and not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict {{'W1': ..., 'b1': ..., ...}}, got "
                        f"{type(parameters).__name__} (arguments in the wrong order?)")
    L = len(parameters) // 2
    if not (len(parameters) % 2 == 0 and all(f"W{l}" in parameters and f"b{l}" in parameters
                                             for l in range(1, L + 1))):  # (else the fast way)
        L = max((int(k[1:]) for k in parameters if isinstance(k, str) and k[:1] in ("W", "b")
                 and k[1:].isdigit()), default=0)
    missing = [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}") if k not in parameters]
    if L == 0 or missing:
        raise KeyError(f"parameters must have keys W1, b1, ..., WL, bL; missing "
                       f"{missing or ['W1', 'b1']} (keys given: {sorted(parameters)})")
    return L


def check_parameters(parameters, X=None):
    """Check W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1) for every l, and X is (n_x, m).

    Returns the layer sizes [n_x, n[1], ..., n[L]].
    """
    L = num_layers(parameters)
    dims = []
    for l in range(1, L + 1):
        W = _arr(parameters[f"W{l}"], f"W{l}")
        if W.ndim != 2:
            raise ShapeError(f"W{l} should be a matrix (n[{l}], n[{l - 1}]), got shape "
                             f"{W.shape}")
        if l == 1:
            _check_W1(W, parameters["b1"], parameters.get("W2"), X)
            dims.append(W.shape[1])
        elif W.shape[1] != dims[-1]:
            if W.shape[0] == dims[-1]:
                raise ShapeError(f"W{l} should be (n[{l}], n[{l - 1}]) = ({W.shape[1]}, "
                                 f"{dims[-1]}), got {W.shape} (transposed?)")
            raise ShapeError(f"W{l} should be (n[{l}], n[{l - 1}]) with n[{l - 1}] = "
                             f"{dims[-1]} (the rows of W{l - 1}), got {W.shape}")
        dims.append(W.shape[0])
        b = _arr(parameters[f"b{l}"], f"b{l}")
        if tuple(b.shape) != (dims[l], 1):
            raise ShapeError(f"b{l} should be (n[{l}], 1) = ({dims[l]}, 1), got "
                             f"{tuple(b.shape)}{_rank1_hint(b.shape)}")
    if X is not None:
        check_X(X, dims[0])
    return dims


def _check_W1(W1, b1, W2, X) -> None:
    """W1 transposed, (n_x, n[1]), blamed on W1: its rows are taken for n[1], so b1 or W2
    was blamed ("b1 should be (n[1], 1) = (5, 1), got (4, 1)"). Told by X's rows, n_x
    (unless X's columns fit W1: then X is the transposed one), or without X by W2's
    columns, n[1], where b1 does not side with W1 as it is (a transposed W2 then)."""
    rows, cols = W1.shape
    if rows == cols:
        return  # (square: nothing tells)
    b_rows = np.shape(b1)[0] if np.ndim(b1) >= 1 else None
    x_shape = np.shape(X) if X is not None and np.ndim(X) == 2 else None
    if x_shape == (rows, cols):  # X fits W1 either way (m = n[1]): b1 tells
        transposed = b_rows == cols
    elif x_shape is not None:
        transposed = rows == x_shape[0] and x_shape[1] != cols
    else:
        n_1 = np.shape(W2)[1] if W2 is not None and np.ndim(W2) == 2 else None
        transposed = cols == n_1 and b_rows != rows
    if transposed:
        raise ShapeError(f"W1 should be (n[1], n_x) = ({cols}, {rows}), got {W1.shape} "
                         "(transposed?)")


def check_X(X, n_x=None, name="X"):
    """X must be (n_x, m): one example per column."""
    X = _arr(X, name)
    if X.ndim != 2:
        raise ShapeError(f"{name} should be (n_x, m) with one example per column, got shape "
                         f"{X.shape}" + (" (a rank-1 array: use X.reshape(-1, 1) for one "
                                         "example)" if X.ndim == 1 else ""))
    if n_x is not None and X.shape[0] != n_x:
        if X.shape[1] == n_x:
            raise ShapeError(f"{name} should be (n_x, m) = ({n_x}, {X.shape[0]}) with examples "
                             f"as columns, got {X.shape}: examples are on the wrong axis; "
                             f"use {name}.T")
        raise ShapeError(f"{name} should be (n_x, m) with n_x = {n_x} features (W1 is "
                         f"(n[1], n_x)), got {X.shape}")
    return X


def check_Y(Y, m, name="Y"):
    """Y must be (1, m), matching the m examples of X."""
    Y = _arr(Y, name)
    if tuple(Y.shape) != (1, m):
        hint = ""
        if Y.ndim == 1:
            hint = " (a rank-1 array: use Y.reshape(1, -1))"
        elif tuple(Y.shape) == (m, 1):
            hint = f" (transposed: use {name}.T)"
        raise ShapeError(f"{name} should be (1, m) = (1, {m}), got {tuple(Y.shape)}{hint}")
    return Y


def check_training_data(X, Y, fn):
    """What a training run needs of X (n_x, m) and Y (1, m), beyond their shapes: at least
    one example, finite features (one NaN in X made every parameter NaN, and the trained
    model was lost), and the labels 0 and 1 only (255 * Y trained to a negative cost)."""
    X = np.asarray(X)
    if X.shape[-1] == 0:
        raise ValueError(f"{fn}: X has m = 0 examples (shape {X.shape}); give at least one")
    check_finite(X, fn, "one NaN makes every parameter NaN")
    check_labels(Y, fn)


def check_finite(X, fn, why="NaN > 0.5 is False: it would be predicted 0"):
    """X (n_x, m) without NaN or inf, naming the examples (columns) that have one."""
    X = np.asarray(X)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        columns = np.unique(np.nonzero(~np.isfinite(X))[-1])
        shown = ", ".join(map(str, columns[:5])) + (", ..." if columns.size > 5 else "")
        raise ValueError(f"{fn}: X holds NaN or inf in {columns.size} example(s) (columns "
                         f"{shown}); drop or fill those examples first: {why}")


def check_predictable(X, parameters, fn) -> None:
    """X and the parameters without NaN or inf: NaN > 0.5 is False, so a NaN example, or a
    diverged run's NaN parameters, would be predicted 0 in silence.

    Shapes: X (n_x, m); the parameters' own."""
    if not isinstance(parameters, Mapping):
        num_layers(parameters)  # (the arguments swapped: said so)
    check_finite(X, fn, "NaN > 0.5 is False: it would be predicted 0 (an inf feature can "
                        "make W @ X NaN)")
    bad = [str(k) for k, v in parameters.items() if np.asarray(v).dtype.kind == "f"
           and not np.isfinite(v).all()]
    if bad:
        raise ValueError(f"{fn}: {', '.join(bad)} {'holds' if len(bad) == 1 else 'hold'} NaN "
                         "or inf (a diverged training run?): NaN > 0.5 is False, so every "
                         "example would be predicted 0")


def check_labels(Y, fn, name="Y"):
    """Binary labels: every entry of Y (1, m) is 0 or 1 (a label 2 or -1 trained silently;
    a test set's -1/1 labels gave an accuracy of -3 %)."""
    values = np.asarray(Y)
    if ((values == 0) | (values == 1)).all():  # (np.isin took 3x as long: every cost calls it)
        return
    bad = ~np.isin(values, (0, 1))
    if bad.any():
        found = np.unique(values[bad])
        shown = ", ".join(f"{v:g}" for v in found[:5]) + (", ..." if found.size > 5 else "")
        raise ValueError(f"{fn}: {name} must hold the labels 0 and 1 only (binary "
                         f"classification), found {bad.sum()} other value(s): {shown}; map "
                         f"two classes to 0/1, e.g. {name} = (labels == positive_class)"
                         ".astype(float) (for more classes: nn.deep's output=\"softmax\" with "
                         "one-hot labels, nn.deep.one_hot)")


def check_scored(Y, fn, name="Y"):
    """Labels an accuracy is taken against: at least one example (the mean of none was
    NaN, with numpy's warnings) and 0s and 1s only (-1/1 labels scored 0.39 for 0.935).

    Shapes: Y (1, m)."""
    if np.shape(Y)[-1] == 0:
        raise ValueError(f"{fn}: {name} has m = 0 examples (shape {np.shape(Y)}); an "
                         "accuracy needs at least one")
    check_labels(Y, fn, name)


def check_examples(X, Y, fn, parameters=None, cache_m=None, made_by=None, name="Y"):
    """X (n_x, m) and Y (1, m), in that order, as ``fn``'s: an X with its examples as rows
    was blamed on Y ("Y should be (1, m) = (1, 2), got (1, 300)"). n_x is W1's columns when
    ``parameters`` are given, else told by Y: Y's m examples in X's rows. ``cache_m``: the
    examples of the cache they go with (made by ``made_by``): a mini-batch's cache with the
    full X and Y gave numpy's broadcast error."""
    W1 = None if parameters is None else parameters.get("W1")
    n_x = np.shape(W1)[1] if np.ndim(W1) == 2 else None
    try:
        X = check_X(X, n_x)
        y_shape = np.shape(Y)
        if n_x is None and len(y_shape) == 2 and y_shape[1] == X.shape[0] != X.shape[1]:
            raise ShapeError(f"X should be (n_x, m) with examples as columns, got {X.shape}, "
                             f"and {name} has m = {y_shape[1]}: examples are on the wrong "
                             "axis; use X.T")
        if cache_m is not None and X.shape[1] != cache_m:
            raise ShapeError(f"X has m = {X.shape[1]} examples and the cache {cache_m}: give "
                             f"the X and {name} that {made_by} was run on (the mini-batch's, "
                             "if the cache is a mini-batch's)")
        return X, check_Y(Y, X.shape[1], name)
    except ShapeError as err:
        raise ShapeError(f"{fn}: {err}") from None


def _real(value) -> float | None:
    """A real number as a float: a Python or numpy one, a 0-d array or Tensor; else None."""
    if isinstance(value, (bool, np.bool_, Tensor)):  # (a Tensor rate made every parameter
        return None  # a Tensor, and the graph spanned every update)
    if isinstance(value, numbers.Real):
        return float(value)
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    return float(value) if kind in ("i", "u", "f") and np.ndim(value) == 0 else None


def is_number(value) -> bool:
    """A finite real number: a Python or numpy int or float, not a bool (True is no lambda)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value))


def check_learning_rate(learning_rate, fn) -> None:
    """A finite learning rate >= 0 (0 leaves the parameters as they are): NaN or inf made
    every parameter NaN, and a negative one climbed the cost, without a word."""
    rate = _real(learning_rate)
    if not (rate is not None and math.isfinite(rate) and rate >= 0):
        raise ValueError(f"{fn}: learning_rate must be a finite number >= 0, such as the "
                         f"course's 0.0075, got {learning_rate!r}")


def check_like_parameters(parameters, d, fn, name="gradients", hint=""):
    """Every "dW1", "db1", ... of ``d`` (a gradient dict, or v or s) is there with the shape
    of W1, b1, ...: a db of (n,) holds the right numbers, but b - alpha db broadcasts b to
    (n, n). A KeyError or ShapeError naming ``fn`` and the key; ``hint`` says how to make
    ``d`` (a moving average's initializer). Where a shape differs, the parameters are
    checked before the gradient is blamed: a transposed W1 was blamed on its right dW1,
    with an n[1] that W2 contradicts. (Not before: the course's own test cases hold
    parameters that make no network, W1 (2, 3) beside W2 (3, 3).)"""
    L = num_layers(parameters)
    for key in (f"{p}{l}" for l in range(1, L + 1) for p in "Wb"):
        if "d" + key not in d:
            where = "the gradients" if name == "gradients" else name
            raise KeyError(f"{fn}: no 'd{key}' in {where} (keys given: {sorted(d)})"
                           + (f"; {hint}" if hint else ""))
        shape, want = tuple(np.shape(d["d" + key])), tuple(np.shape(parameters[key]))
        if shape != want:
            try:
                check_parameters(parameters)
            except ShapeError as err:
                raise ShapeError(f"{fn}: {err}") from None
            label = f"d{key}" if name == "gradients" else f"{name}['d{key}']"
            l = key[1:]
            course = f"(n[{l}], n[{int(l) - 1}])" if key[0] == "W" else f"(n[{l}], 1)"
            raise ShapeError(
                f"{fn}: {label} should be {course} = {want}, the shape of {key}, got {shape}; "
                + (hint or "each dW[l], db[l] must have the shape of W[l], b[l]: keep db a "
                   "column with np.sum(dZ, axis=1, keepdims=True)"))
