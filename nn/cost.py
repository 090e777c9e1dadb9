"""The cross-entropy cost J = -1/m sum(Y log A + (1 - Y) log(1 - A)), kept finite."""

from __future__ import annotations

import numpy as np

from .checks import check_Y

# A of exactly 0 or 1 (a saturated sigmoid) would give log(0) = -inf; this bound keeps J
# finite (at most about 34.5 per example) and changes nothing for unsaturated A.
A_BOUND = 1e-15


def cross_entropy(A, Y):
    """J for predictions A (1, m) in [0, 1] and labels Y (1, m); a Python float."""
    A = np.asarray(A)
    m = A.shape[1] if A.ndim == 2 else -1
    check_Y(Y, m, "Y")
    A = np.clip(A, A_BOUND, 1 - A_BOUND)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


def cross_entropy_from_logits(Z, Y):
    """The same J from Z = w^T X + b, exactly and stably: mean(log(1 + e^Z) - Y Z)."""
    return float(np.sum(np.logaddexp(0, Z) - Y * Z) / Z.shape[1])
