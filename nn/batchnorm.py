"""Batch normalisation (Course 2, week 3) in training mode, in the course's notation.

For one layer's Z (n[l], m), the per-unit mean and variance over the m examples of the
mini-batch, then

    Z_norm  = (Z - mu) / sqrt(sigma^2 + epsilon)          (n[l], m)
    Z_tilde = gamma * Z_norm + beta                        gamma, beta (n[l], 1)

and the hand-derived backward in its compact form, from dZ_tilde = dJ/dZ_tilde:

    dZ     = (1/m) * gamma / sigma * (m dZ_tilde - sum(dZ_tilde) - Z_norm * sum(dZ_tilde * Z_norm))
    dgamma = sum(dZ_tilde * Z_norm),  dbeta = sum(dZ_tilde)

with sigma = sqrt(sigma^2 + epsilon) and every sum over the examples (axis 1, keepdims).
The course gives no value for epsilon; 1e-5 is PyTorch's and most frameworks' default.
"""

from __future__ import annotations

import numpy as np

import autograd_lite as al

from .checks import ShapeError, is_number


def _check(Z, gamma, beta):
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2:
        raise ShapeError(f"batchnorm_forward: Z should be (n[l], m), got shape {Z.shape}")
    n = Z.shape[0]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if np.shape(p) != (n, 1):
            raise ShapeError(f"batchnorm_forward: {name} should be (n[l], 1) = ({n}, 1) for Z "
                             f"of shape {Z.shape}, got {np.shape(p)}")
    return Z


def batchnorm_forward(Z, gamma, beta, epsilon=1e-5):
    """Z_tilde (n[l], m) and the cache (Z_norm, gamma, sigma) for batchnorm_backward.

    Z (n[l], m), gamma and beta (n[l], 1); the statistics are the mini-batch's (m >= 1)."""
    Z = _check(Z, gamma, beta)
    if np.ndim(epsilon) == 0 and isinstance(epsilon, np.ndarray):
        epsilon = epsilon.item()  # a 0-d array, as np.float64 is taken
    if not (is_number(epsilon) and epsilon >= 0):
        raise ValueError(f"batchnorm_forward: epsilon must be a finite number >= 0 (1e-5), "
                         f"got {epsilon!r}")
    mu = np.mean(Z, axis=1, keepdims=True)  # (n[l], 1)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)  # sigma^2, (n[l], 1)
    if epsilon == 0 and np.any(var == 0):  # 0 / 0: NaN rows, with numpy's warning only
        units = np.flatnonzero(var[:, 0] == 0).tolist()
        raise ValueError(f"batchnorm_forward: unit(s) {units} have variance 0 over the "
                         f"mini-batch ({'one example' if Z.shape[1] == 1 else 'all m values equal'}"
                         "), and epsilon = 0 divides by it; use epsilon > 0 (1e-5), the ε "
                         "the course adds for this")
    sigma = np.sqrt(var + epsilon)
    Z_norm = (Z - mu) / sigma
    Z_tilde = gamma * Z_norm + beta
    return Z_tilde, (Z_norm, np.asarray(gamma, dtype=np.float64), sigma)


def batchnorm_backward(dZ_tilde, cache):
    """(dZ (n[l], m), dgamma (n[l], 1), dbeta (n[l], 1)) from dZ_tilde = dJ/dZ_tilde."""
    Z_norm, gamma, sigma = cache
    dZ_tilde = np.asarray(dZ_tilde, dtype=np.float64)
    if dZ_tilde.shape != Z_norm.shape:
        raise ShapeError(f"batchnorm_backward: dZ_tilde should have Z's shape {Z_norm.shape}, "
                         f"got {dZ_tilde.shape}")
    m = Z_norm.shape[1]
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True)
    dgamma = np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True)
    dZ = (1 / m) * gamma / sigma * (m * dZ_tilde - dbeta - Z_norm * dgamma)
    return dZ, dgamma, dbeta


def batchnorm_engine(Z, gamma, beta, epsilon=1e-5):
    """The same Z_tilde built from autograd_lite Tensors (the engine's twin): Z, gamma and
    beta may be Tensors; returns a Tensor.

    Shapes: Z (n[l], m); gamma and beta (n[l], 1)."""
    mu = al.mean(Z, axis=1, keepdims=True)
    var = al.mean(al.square(Z - mu), axis=1, keepdims=True)
    return gamma * ((Z - mu) / al.sqrt(var + epsilon)) + beta
