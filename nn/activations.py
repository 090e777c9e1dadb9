"""Activations with their hand-derived backward, in the course's form:
``A, cache = g(Z)`` and ``dZ = g_backward(dA, cache)`` (the cache is Z).

``ACTIVATIONS`` is the one table of them: each name gives the forward, the backward and the
engine's op (for the engine twins), so the hand path and the engine path cannot drift apart.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

import autograd_lite as al


def expit(Z):
    """The logistic sigmoid 1 / (1 + exp(-Z)) of a number or an array of any shape,
    computed without overflow.

    nn's one sigmoid. The course has two contracts for the name ``sigmoid`` and nn keeps
    both on top of this function: week 2's ``logistic.sigmoid(z)`` returns A, week 4's
    ``activations.sigmoid(Z)`` returns ``(A, cache)``.

    Shapes: Z: (n[l], m), or any shape; the result has Z's shape."""
    return np.exp(-np.logaddexp(0, -Z))


def sigmoid(Z):
    """A = 1 / (1 + exp(-Z)), computed without overflow. Returns (A, cache=Z).

    Shapes: Z and A: (n[l], m), or any shape."""
    return expit(Z), Z


def sigmoid_backward(dA, cache):
    """dZ = dA * s (1 - s), s = sigmoid(Z).

    Shapes: dA, Z (the cache) and dZ: (n[l], m), or any one shape."""
    s = expit(cache)
    return dA * s * (1 - s)


def tanh(Z):
    """A = tanh(Z). Returns (A, cache=Z).

    Shapes: Z and A: (n[l], m), or any shape."""
    return np.tanh(Z), Z


def tanh_backward(dA, cache):
    """dZ = dA * (1 - tanh(Z)^2).

    Shapes: dA, Z (the cache) and dZ: (n[l], m), or any one shape."""
    return dA * (1 - np.tanh(cache) ** 2)


def relu(Z):
    """A = max(0, Z). Returns (A, cache=Z). On a Tensor it is ``al.relu``, whose derivative
    at Z = 0 is relu_backward's 0; ``np.maximum(0, Z)`` there is the engine's maximum, whose
    tie shares the gradient (0.5), and a dead unit's Z is exactly 0.

    Shapes: Z and A: (n[l], m), or any shape."""
    return (al.relu(Z) if isinstance(Z, al.Tensor) else np.maximum(0, Z)), Z


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (0 at Z = 0, as in the course).

    Shapes: dA, Z (the cache) and dZ: (n[l], m), or any one shape."""
    return np.where(cache > 0, dA, 0.0)


def leaky_relu(Z, slope=0.01):
    """A = Z where Z > 0, else slope * Z. Returns (A, cache=Z).

    Shapes: Z and A: (n[l], m), or any shape."""
    return np.where(Z > 0, Z, slope * Z), Z


def leaky_relu_backward(dA, cache, slope=0.01):
    """dZ = dA where Z > 0, else slope * dA.

    Shapes: dA, Z (the cache) and dZ: (n[l], m), or any one shape."""
    return np.where(cache > 0, dA, slope * dA)


class Activation(NamedTuple):
    """One activation: the hand path's forward and backward, and the engine's op."""

    forward: Callable  # Z -> (A, cache)
    backward: Callable  # (dA, cache) -> dZ
    engine: Callable  # Tensor Z -> Tensor A


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_backward, al.sigmoid),
    "tanh": Activation(tanh, tanh_backward, al.tanh),
    "relu": Activation(relu, relu_backward, al.relu),
    "leaky_relu": Activation(leaky_relu, leaky_relu_backward, al.leaky_relu),
}


def get(name) -> Activation:
    """The Activation (forward, backward, engine) for a name; a clear error for unknown names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{sorted(ACTIVATIONS)}") from None
