"""Parameter initializers in the course's notation: W[l] is (n[l], n[l-1]), b[l] is (n[l], 1).

Each takes ``seed``: an int (drawing exactly what the course's ``np.random.seed(seed)``
followed by ``np.random.randn`` would, through a private ``RandomState``), a numpy
``Generator`` or ``RandomState``, or None (fresh entropy). numpy's global random state is
never touched. Weights are drawn W1, W2, ... in layer order; biases are zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rng_from(seed):
    """A random source from a seed; ints give the legacy stream the course's code used."""
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and not (
            0 <= seed < 2 ** 32):  # (numpy's bare "Seed must be between 0 and 2**32 - 1")
        raise ValueError(f"seed must be an int from 0 to 2**32 - 1 (the course's are 1, 2, 3), "
                         f"got {seed}")
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.RandomState(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or RandomState, or None; got "
                    f"{type(seed).__name__}")


def _randn(rng, shape):
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal(shape)
    return rng.randn(*shape)


def check_layer_dims(layer_dims: Sequence[int]) -> list[int]:
    """Validate [n_x, n[1], ..., n[L]]: at least two positive integers."""
    dims = list(layer_dims)
    if len(dims) < 2 or not all(isinstance(n, (int, np.integer)) and n > 0
                                and not isinstance(n, (bool, np.bool_)) for n in dims):
        raise ValueError(f"layer_dims must be a list of at least two positive integers "
                         f"[n_x, n[1], ..., n[L]], got {layer_dims!r}")
    return [int(n) for n in dims]


def _build(layer_dims, seed, scale):
    """Draw W[l] = randn(n[l], n[l-1]) then apply ``scale(W, dims, l)``, as the course writes it."""
    dims = check_layer_dims(layer_dims)
    rng = rng_from(seed)
    parameters = {}
    for l in range(1, len(dims)):  # noqa: E741  (the course's layer index)
        parameters["W" + str(l)] = scale(_randn(rng, (dims[l], dims[l - 1])), dims, l)
        parameters["b" + str(l)] = np.zeros((dims[l], 1))
    return parameters


def zeros(layer_dims, seed=None):
    """All zeros (fine for logistic regression; every hidden unit stays the same otherwise)."""
    dims = check_layer_dims(layer_dims)
    out = {}
    for l in range(1, len(dims)):  # noqa: E741
        out["W" + str(l)] = np.zeros((dims[l], dims[l - 1]))
        out["b" + str(l)] = np.zeros((dims[l], 1))
    return out


def small_random(layer_dims, seed=None, scale=0.01):
    """W = randn * 0.01 (weeks 3 and 4's two-layer model)."""
    return _build(layer_dims, seed, lambda W, dims, l: W * scale)


def large_random(layer_dims, seed=None):
    """W = randn * 10 (Course 2's "random" initialization: too large, it saturates the
    sigmoid)."""
    return small_random(layer_dims, seed, scale=10)


def he(layer_dims, seed=None):
    """W = randn * sqrt(2 / n[l-1]) (He et al., for relu)."""
    return _build(layer_dims, seed, lambda W, dims, l: W * np.sqrt(2.0 / dims[l - 1]))


def xavier(layer_dims, seed=None):
    """W = randn * sqrt(2 / (n[l-1] + n[l])) (Glorot and Bengio)."""
    return _build(layer_dims, seed,
                  lambda W, dims, l: W * np.sqrt(2.0 / (dims[l - 1] + dims[l])))


def lecun(layer_dims, seed=None):
    """W = randn / sqrt(n[l-1]): the course's week-4 application (L_layer_model)."""
    return _build(layer_dims, seed, lambda W, dims, l: W / np.sqrt(dims[l - 1]))


INITIALIZERS = {"zeros": zeros, "small_random": small_random, "large_random": large_random,
                "he": he, "xavier": xavier, "lecun": lecun}


def initialize(layer_dims, method="he", seed=None):
    """Parameters {"W1", "b1", ...} for ``layer_dims`` by the named method."""
    try:
        fn = INITIALIZERS[method]
    except KeyError:
        raise ValueError(f"unknown init {method!r}; choose one of {sorted(INITIALIZERS)}"
                         ) from None
    return fn(layer_dims, seed=seed)
