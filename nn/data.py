"""The course's data: cat/non-cat images (loaded from a path) and the planar flower."""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np


class DataError(ValueError):
    """A data file is missing pieces or is not what the course's files are."""


class CatData(NamedTuple):
    """train_X (12288, 209), train_Y (1, 209), test_X (12288, 50), test_Y (1, 50), classes."""

    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray
    classes: list[str]


def _read(path, prefix):
    import h5py

    if not os.path.isfile(path):
        raise FileNotFoundError(f"cat data: {path} not found; pass the directory that holds "
                                "train_catvnoncat.h5 and test_catvnoncat.h5")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise DataError(f"cat data: {path} is not a readable HDF5 file ({err}); it may be a "
                        "Git LFS pointer or an HTML page saved by a failed download") from None
    with f:
        need = [f"{prefix}_set_x", f"{prefix}_set_y", "list_classes"]
        missing = [k for k in need if k not in f]
        if missing:
            raise DataError(f"cat data: {path} lacks the dataset(s) {missing} (it has "
                            f"{sorted(f.keys())})")
        x, y, classes = (f[k][()] for k in need)
    if x.ndim != 4 or x.shape[1:] != (64, 64, 3) or x.dtype != np.uint8:
        raise DataError(f"cat data: {prefix}_set_x in {path} should be (m, 64, 64, 3) uint8 "
                        f"images, got {x.shape} {x.dtype}")
    if y.shape != (x.shape[0],) or not np.isin(y, (0, 1)).all():
        raise DataError(f"cat data: {prefix}_set_y in {path} should be {x.shape[0]} labels of "
                        f"0 or 1, got shape {y.shape}")
    m = x.shape[0]
    X = x.reshape(m, -1).T / 255.0  # (12288, m): each image flattened in C order
    Y = y.reshape(1, m).astype(np.float64)
    return X, Y, [c.decode() if isinstance(c, bytes) else str(c) for c in classes]


def load_catvnoncat(directory) -> CatData:
    """Load train_catvnoncat.h5 and test_catvnoncat.h5 from ``directory``.

    X is (12288, m) with pixels scaled to [0, 1], Y is (1, m) of 0/1, as the course prepares them.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cat data: directory {directory!r} not found")
    train_X, train_Y, classes = _read(os.path.join(directory, "train_catvnoncat.h5"), "train")
    test_X, test_Y, _ = _read(os.path.join(directory, "test_catvnoncat.h5"), "test")
    return CatData(train_X, train_Y, test_X, test_Y, classes)


def planar_flower(seed=1, m=400):
    """The week-3 "flower": X (2, m) and Y (1, m), two classes of m/2 points each.

    Drawn from a private RandomState(seed), so numpy's global state is untouched and seed=1
    gives the course's data (rows of class 0 first, then class 1)."""
    rng = np.random.RandomState(seed)
    N = m // 2
    a = 4  # maximum ray of the flower
    X = np.zeros((2 * N, 2))
    Y = np.zeros((2 * N, 1))
    for j in range(2):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2  # radius
        X[N * j:N * (j + 1)] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[N * j:N * (j + 1)] = j
    return X.T, Y.T
