"""The course's data: cat/non-cat images (loaded from a path) and the planar flower, and
Course 2's circles, moons (generated) and football (loaded from a path). ``DATASETS`` names
them all for the course-model registry and the command line's ``--data``."""

import hashlib
import os
import shutil
from collections.abc import Callable
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
    """(X (12288, m) in [0, 1], Y (1, m) float, class names) of one of the course's files."""
    x, y, _, names = _read_raw(path, prefix)
    m = x.shape[0]
    X = x.reshape(m, -1).T / 255.0  # (12288, m): each image flattened in C order
    Y = y.reshape(1, m).astype(np.float64)
    return X, Y, names


def _read_raw(path, prefix):
    """(images (m, 64, 64, 3) uint8, labels (m,), classes as stored, class names), checked."""
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
    return x, y, classes, names


# ---- the per-user data folder: the course's files, added once with `autograd-lite data add` --

# The course's own files (the Week 2 and Week 4 assignments' datasets/ folders, and Course 2's
# Regularization assignment), by their sha256: `data add` copies only these bytes.
COURSE_FILES = {
    "cat": {"train_catvnoncat.h5":
            "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
            "test_catvnoncat.h5":
            "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951"},
    "football": {"data.mat": "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"},
}
_FOLDERS = {"cat": "catvnoncat", "football": "football"}
_WHERE = {"cat": "the datasets/ folder of the course's Week 2 assignment (Logistic Regression "
                 "with a Neural Network mindset) or Week 4 assignment (Deep Neural Network - "
                 "Application)",
          "football": "the Regularization assignment of Course 2 (Improving Deep Neural "
                      "Networks, week 1)"}


def data_folder(name: str | None = None) -> str:
    """The per-user data folder (platformdirs' user data directory for autograd-lite, or
    $AUTOGRAD_LITE_DATA_DIR), or its sub-folder for data set ``name`` ("cat", "football").
    It need not exist yet."""
    root = os.environ.get("AUTOGRAD_LITE_DATA_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_data_dir("autograd-lite", appauthor=False)
    return root if name is None else os.path.join(root, _FOLDERS[name])


def _missing_files_message(what: str, name: str, env: str) -> str:
    files = COURSE_FILES[name]
    listed = "; ".join(f"{f} (sha256 {h})" for f, h in files.items())
    paths = " ".join(f"PATH/{f}" for f in files)
    return (f"{what}: the course's files are not in {data_folder(name)} and ${env} is not "
            f"set. Needed: {listed}. They come from {_WHERE[name]}. Add them once with "
            f"`autograd-lite data add {name} {paths}` (the sha256 is checked), or set {env} "
            "to the folder that holds them, or pass that folder")


def _data_directory(directory, env, what, files, name=None) -> str:
    """``directory``; else $env; else the data folder of ``name`` when it holds every one of
    the course's files. A FileNotFoundError that says which files to add when none is."""
    if directory is None:
        directory = os.environ.get(env)
        if not directory and name is not None:
            folder = data_folder(name)
            if all(os.path.isfile(os.path.join(folder, f)) for f in COURSE_FILES[name]):
                return folder
            raise FileNotFoundError(_missing_files_message(what, name, env))
        if not directory:
            raise FileNotFoundError(f"{what}: no directory given and ${env} is not set; pass "
                                    f"the directory that holds {files} or set {env}")
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        source = f" (from ${env})" if directory == os.environ.get(env) else ""
        raise FileNotFoundError(f"{what}: directory {directory!r}{source} not found")
    return directory


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def add_data(name: str, paths) -> list[str]:
    """Copy the course's files for data set ``name`` ("cat" or "football") into its data
    folder, after checking each file's sha256 against the course's (COURSE_FILES). A path
    may be a file or a folder holding the files. Returns the paths written; a DataError
    (nothing copied) for a file whose bytes are not one of the course's files."""
    if name not in COURSE_FILES:
        raise DataError(f"add_data: no data set {name!r}; one of {sorted(COURSE_FILES)} (the "
                        "others are generated in code)")
    by_hash = {h: f for f, h in COURSE_FILES[name].items()}
    found = {}
    for path in map(os.fspath, paths):
        candidates = ([os.path.join(path, f) for f in COURSE_FILES[name]]
                      if os.path.isdir(path) else [path])
        for candidate in candidates:
            if os.path.isdir(path) and not os.path.isfile(candidate):
                continue
            if not os.path.isfile(candidate):
                raise FileNotFoundError(f"add_data: {candidate} not found")
            digest = _sha256(candidate)
            if digest not in by_hash:
                raise DataError(f"add_data: {candidate} is not one of the course's {name} files "
                                f"(its sha256 is {digest}; expected "
                                + "; ".join(f"{f}: {h}" for f, h in COURSE_FILES[name].items())
                                + "). A Git LFS pointer or an HTML page saved by a failed "
                                "download has other bytes")
            found[by_hash[digest]] = candidate
    if not found:
        raise DataError(f"add_data: none of {list(paths)} holds {', '.join(COURSE_FILES[name])}")
    folder = data_folder(name)
    os.makedirs(folder, exist_ok=True)
    written = []
    for target, source in found.items():
        tmp = os.path.join(folder, f".{target}.part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, os.path.join(folder, target))  # never a half-copied file under its name
        written.append(os.path.join(folder, target))
    return written


def _cat_directory(directory) -> str:
    """The folder of the cat files: ``directory``, $CATVNONCAT_DIR, or the data folder."""
    return _data_directory(directory, "CATVNONCAT_DIR", "cat data",
                           "train_catvnoncat.h5 and test_catvnoncat.h5", "cat")


def load_catvnoncat(directory=None) -> CatData:
    """Load train_catvnoncat.h5 and test_catvnoncat.h5 from ``directory``; without it, from
    $CATVNONCAT_DIR, else from the per-user data folder (``data_folder("cat")``, where
    ``autograd-lite data add cat PATH...`` puts them).

    X is (12288, m) with pixels scaled to [0, 1], Y is (1, m) of 0/1, as the course prepares them.
    """
    directory = _cat_directory(directory)
    train_X, train_Y, classes = _read(os.path.join(directory, "train_catvnoncat.h5"), "train")
    test_X, test_Y, _ = _read(os.path.join(directory, "test_catvnoncat.h5"), "test")
    return CatData(train_X, train_Y, test_X, test_Y, classes)


def load_dataset(directory=None):
    """The course's own ``lr_utils.load_dataset()``, for its notebook's code as written:
    ``train_set_x_orig`` (209, 64, 64, 3) uint8 images, ``train_set_y`` (1, 209),
    ``test_set_x_orig`` (50, 64, 64, 3), ``test_set_y`` (1, 50) and ``classes`` (the stored
    byte strings: ``classes[y].decode("utf-8")``). The notebook then flattens the images
    (``reshape(m, -1).T``) and divides by 255; ``load_catvnoncat()`` returns them so
    prepared. Files are found as by load_catvnoncat."""
    directory = _cat_directory(directory)
    train_x, train_y, _, _ = _read_raw(os.path.join(directory, "train_catvnoncat.h5"), "train")
    test_x, test_y, classes, _ = _read_raw(os.path.join(directory, "test_catvnoncat.h5"), "test")
    return (train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), np.array(classes))


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


# ---- Course 2's data: circles and moons (generated), football (read from a path) ------------

class CirclesData(NamedTuple):
    """The Initialization assignment's data: train_X (2, 300), train_Y (1, 300),
    test_X (2, 100), test_Y (1, 100)."""

    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray


class MoonsData(NamedTuple):
    """The Optimization assignment's data: train_X (2, 300), train_Y (1, 300)."""

    train_X: np.ndarray
    train_Y: np.ndarray


class FootballData(NamedTuple):
    """The Regularization assignment's data: train_X (2, 211), train_Y (1, 211),
    test_X (2, 200), test_Y (1, 200)."""

    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray


def _shuffle_and_noise(points, labels, noise, seed):
    # scikit-learn's order: one in-place shuffle of arange(n), then the noise, from one stream
    rng = np.random.RandomState(seed)
    idx = np.arange(len(labels))
    rng.shuffle(idx)
    X = points[idx] + rng.normal(scale=noise, size=points.shape)
    return X.T, labels[idx].reshape(1, -1).astype(np.float64)


def make_circles(n=300, noise=0.05, seed=1, factor=0.8):
    """Two noisy concentric circles, bit for bit scikit-learn's ``make_circles`` after the
    course's ``np.random.seed(seed)``: X (2, n), Y (1, n) with the outer circle labelled 0.

    Drawn from a private RandomState(seed); numpy's global state is untouched."""
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    points = np.vstack([np.append(np.cos(t_out), np.cos(t_in) * factor),
                        np.append(np.sin(t_out), np.sin(t_in) * factor)]).T
    labels = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _shuffle_and_noise(points, labels, noise, seed)


def make_moons(n=300, noise=0.2, seed=3):
    """Two interleaving half circles, bit for bit scikit-learn's ``make_moons`` after the
    course's ``np.random.seed(seed)``: X (2, n), Y (1, n) with the outer moon labelled 0.

    Drawn from a private RandomState(seed); numpy's global state is untouched."""
    n_out = n // 2
    n_in = n - n_out
    s_out = np.linspace(0, np.pi, n_out)
    s_in = np.linspace(0, np.pi, n_in)
    points = np.vstack([np.append(np.cos(s_out), 1 - np.cos(s_in)),
                        np.append(np.sin(s_out), 1 - np.sin(s_in) - 0.5)]).T
    labels = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _shuffle_and_noise(points, labels, noise, seed)


def load_circles() -> CirclesData:
    """The Initialization assignment's circles: 300 training points (seed 1) and 100 test
    points (seed 2), noise 0.05. X is (2, m), Y is (1, m) of 0.0/1.0."""
    return CirclesData(*make_circles(300, 0.05, seed=1), *make_circles(100, 0.05, seed=2))


def load_moons() -> MoonsData:
    """The Optimization assignment's moons: 300 points, noise 0.2, seed 3; no test set.
    X is (2, 300), Y is (1, 300) of 0.0/1.0."""
    return MoonsData(*make_moons(300, 0.2, seed=3))


FOOTBALL_KEYS = {"X": (211, 2), "y": (211, 1), "Xval": (200, 2), "yval": (200, 1)}


def load_football(directory=None) -> FootballData:
    """The Regularization assignment's football data from ``data.mat`` (needs scipy: install
    the ``football`` extra).

    ``directory`` holds data.mat; without it, $FOOTBALL_DIR is read, else the per-user
    data folder (``autograd-lite data add football PATH``). Returns train_X
    (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200), as the course's loader
    transposes them (labels as float64 0.0/1.0, no shuffle).
    """
    directory = _data_directory(directory, "FOOTBALL_DIR", "football data", "data.mat",
                                "football")
    path = os.path.join(directory, "data.mat")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"football data: {path} not found; pass the directory that "
                                "holds the course's data.mat (or set FOOTBALL_DIR)")
    try:
        import scipy.io
    except ImportError:
        raise ImportError("football data: reading data.mat needs scipy; install it with "
                          "pip install 'autograd-lite[football]'") from None
    try:
        mat = scipy.io.loadmat(path)
    except Exception as err:  # noqa: BLE001  (scipy raises MatReadError, IndexError, ... on junk)
        raise DataError(f"football data: {path} is not a readable MATLAB file ({err}); it may "
                        "be a Git LFS pointer or an HTML page saved by a failed download"
                        ) from None
    missing = [k for k in FOOTBALL_KEYS if k not in mat]
    if missing:
        raise DataError(f"football data: {path} lacks the key(s) {missing} (it has "
                        f"{sorted(k for k in mat if not k.startswith('__'))})")
    for k, shape in FOOTBALL_KEYS.items():
        a = np.asarray(mat[k])
        if a.shape != shape or a.dtype.kind not in "biuf":
            raise DataError(f"football data: {k} in {path} should be a {shape} numeric array, "
                            f"got {a.shape} {a.dtype}")
    for k in ("y", "yval"):
        if not np.isin(mat[k], (0, 1)).all():
            raise DataError(f"football data: {k} in {path} should hold labels 0 or 1")
    return FootballData(mat["X"].T.astype(np.float64), mat["y"].T.astype(np.float64),
                        mat["Xval"].T.astype(np.float64), mat["yval"].T.astype(np.float64))


# ---- every data set by name, as the registry and the command line's --data name them ---------

class Dataset(NamedTuple):
    """train_X (n_x, m), train_Y (1, m), and test_X, test_Y (None where there is no test set)."""

    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray | None = None
    test_Y: np.ndarray | None = None


class DataSource(NamedTuple):
    """A data set: what it is, how to load it (from a directory, or generated) and the
    environment variable read when a directory is needed and none is given."""

    title: str
    load: Callable[[str | None], Dataset]  # directory (None: the environment's) -> Dataset
    env: str | None = None  # None: generated, no directory


DATASETS = {
    "flower": DataSource("the planar flower (week 3), generated",
                         lambda directory: Dataset(*planar_flower())),
    "cat": DataSource("the course's cat/non-cat images (weeks 2 and 4)",
                      lambda directory: Dataset(*load_catvnoncat(directory)[:4]),
                      "CATVNONCAT_DIR"),
    "circles": DataSource("the circles (Course 2, Initialization), generated",
                          lambda directory: Dataset(*load_circles())),
    "moons": DataSource("the moons (Course 2, Optimization), generated",
                        lambda directory: Dataset(*load_moons())),
    "football": DataSource("the football data (Course 2, Regularization)",
                           lambda directory: Dataset(*load_football(directory)), "FOOTBALL_DIR"),
}
