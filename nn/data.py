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


def _dataset(f, path, name):
    """The dataset ``name`` at the file's root, refusing anything that would read outside
    the file: soft and external links are never followed (the link type is read with the
    low-level API, which does not traverse the link), nor virtual or external-storage
    datasets."""
    import h5py

    key = name.encode()
    if not f.id.links.exists(key):
        raise DataError(f"cat data: {path} lacks the dataset {name!r} (it has "
                        f"{sorted(f.keys())})")
    kind = f.id.links.get_info(key).type
    if kind == h5py.h5l.TYPE_EXTERNAL:
        target, obj = (v.decode(errors="replace") for v in f.id.links.get_val(key))
        raise DataError(f"cat data: {name} in {path} is an external link to {obj!r} in "
                        f"{target!r}; refusing to follow it (the course's files hold their "
                        "data themselves)")
    if kind == h5py.h5l.TYPE_SOFT:
        target = f.id.links.get_val(key).decode(errors="replace")
        raise DataError(f"cat data: {name} in {path} is a soft link to {target!r}; refusing "
                        "to follow it (the course's files hold their data themselves)")
    if kind != h5py.h5l.TYPE_HARD:
        raise DataError(f"cat data: {name} in {path} is a link of unknown type {kind}")
    obj = f[name]
    if not isinstance(obj, h5py.Dataset):
        what = "a group" if isinstance(obj, h5py.Group) else type(obj).__name__
        raise DataError(f"cat data: {name} in {path} is {what}, where a dataset should be")
    if obj.is_virtual:
        sources = sorted({s.file_name for s in obj.virtual_sources()})
        raise DataError(f"cat data: {name} in {path} is a virtual dataset mapping data from "
                        f"{sources}; refusing to read it")
    if obj.external:
        files = sorted({e[0] for e in obj.external})
        raise DataError(f"cat data: {name} in {path} keeps its data in the external file(s) "
                        f"{files}; refusing to read it")
    return obj


def _check_storage(dset, path):
    """A dataset can declare far more than it stores (never written, or compressed): refuse
    to expand one beyond what deflate could give, so a tiny file cannot fill memory."""
    stored = dset.id.get_storage_size()
    if dset.nbytes > 1100 * stored + 2**20:
        raise DataError(f"cat data: {dset.name.lstrip('/')} in {path} declares {dset.shape} "
                        f"{dset.dtype} ({dset.nbytes} bytes) but stores only {stored} bytes; "
                        "it is corrupt or forged")


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
        # Every check is made on the datasets' metadata before any data is read.
        x, y, classes = (_dataset(f, path, k)
                         for k in (f"{prefix}_set_x", f"{prefix}_set_y", "list_classes"))
        if len(x.shape) != 4 or x.shape[1:] != (64, 64, 3) or x.dtype != np.uint8:
            raise DataError(f"cat data: {prefix}_set_x in {path} should be (m, 64, 64, 3) "
                            f"uint8 images, got {x.shape} {x.dtype}")
        m = x.shape[0]
        if m == 0:
            raise DataError(f"cat data: {prefix}_set_x in {path} has no examples (m = 0)")
        if y.shape != (m,) or y.dtype.kind not in "biuf":
            raise DataError(f"cat data: {prefix}_set_y in {path} should be {m} labels of 0 "
                            f"or 1, got shape {y.shape} {y.dtype}")
        if (len(classes.shape) != 1 or not 1 <= classes.shape[0] <= 100
                or h5py.check_string_dtype(classes.dtype) is None
                or classes.dtype.itemsize > 256):
            raise DataError(f"cat data: list_classes in {path} should be a short list of class "
                            f"names (strings), got shape {classes.shape} {classes.dtype}")
        for dset in (x, y, classes):
            _check_storage(dset, path)
        try:
            x, y, classes = x[()], y[()], classes[()]
        except OSError as err:  # a corrupt chunk, or a compression filter not installed
            raise DataError(f"cat data: cannot read {path} ({err})") from None
    bad = ~np.isin(y, (0, 1))
    if bad.any():
        raise DataError(f"cat data: {prefix}_set_y in {path} should be {m} labels of 0 or 1, "
                        f"found {np.unique(y[bad])[:5].tolist()}")
    try:
        names = [c.decode("utf-8") if isinstance(c, bytes) else str(c) for c in classes]
    except UnicodeDecodeError as err:
        raise DataError(f"cat data: the class names in {path} are not UTF-8 text: "
                        f"{err.object!r} ({err.reason} at byte {err.start})") from None
    X = x.reshape(m, -1).T / 255.0  # (12288, m): each image flattened in C order
    Y = y.reshape(1, m).astype(np.float64)
    return X, Y, names


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
