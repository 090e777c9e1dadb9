"""Activations with their hand-derived backward, in the course's form:
``A, cache = g(Z)`` and ``dZ = g_backward(dA, cache)`` (the cache is Z)."""

from __future__ import annotations

import numpy as np


def sigmoid(Z):
    """A = 1 / (1 + exp(-Z)), computed without overflow. Returns (A, cache=Z)."""
    return np.exp(-np.logaddexp(0, -Z)), Z


def sigmoid_backward(dA, cache):
    """dZ = dA * s (1 - s), s = sigmoid(Z)."""
    s = sigmoid(cache)[0]
    return dA * s * (1 - s)


def tanh(Z):
    """A = tanh(Z). Returns (A, cache=Z)."""
    return np.tanh(Z), Z


def tanh_backward(dA, cache):
    """dZ = dA * (1 - tanh(Z)^2)."""
    return dA * (1 - np.tanh(cache) ** 2)


def relu(Z):
    """A = max(0, Z). Returns (A, cache=Z)."""
    return np.maximum(0, Z), Z


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (0 at Z = 0, as in the course)."""
    return np.where(cache > 0, dA, 0.0)


def leaky_relu(Z, slope=0.01):
    """A = Z where Z > 0, else slope * Z. Returns (A, cache=Z)."""
    return np.where(Z > 0, Z, slope * Z), Z


def leaky_relu_backward(dA, cache, slope=0.01):
    """dZ = dA where Z > 0, else slope * dA."""
    return np.where(cache > 0, dA, slope * dA)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
}


def get(name):
    """(forward, backward) for an activation name; a clear error for unknown names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{sorted(ACTIVATIONS)}") from None
