"""``nn.Model``: an L-layer binary classifier for everyday use, in the course's notation."""

from __future__ import annotations

import functools
import io
import math
import numbers
import os
import secrets
import stat
import warnings
import zipfile
import zlib
from typing import NamedTuple

import numpy as np

from . import deep, optimization
from .activations import ACTIVATIONS
from .checks import (
    check_predictable,
    check_scored,
    check_training_data,
    check_X,
    check_Y,
    is_number,
)
from .init import INITIALIZERS, check_layer_dims, initialize
from .regularization import check_keep_prob, check_lambd, check_one_regularizer
from .training import COURSE_LINE_FULL, GRADIENTS, check_gradients_option

FORMAT_VERSION = 2  # 2: the cost history too; a model without one is written as format 1,
# which earlier releases read
OUTPUT = "sigmoid"  # the checkpoint format's "output" entry: Model is a binary classifier


class ModelFileError(ValueError):
    """A checkpoint file is corrupt, truncated, pickled, or does not fit the model."""


class _KeptOnInterrupt:
    """Around a fit's loop: a fit stopped by Ctrl-C keeps the parameters its last whole step
    left and the costs recorded (as Keras and a PyTorch loop do; it kept none), unless they
    are not finite, and says so. ``after_step(i, cost)`` is the loop's callback."""

    def __init__(self, model, parameters: dict, record_every: int) -> None:
        self.model, self.parameters, self.record_every = model, parameters, record_every
        self.steps, self.reached, self.costs = 0, dict(parameters), []

    def __enter__(self):
        return self.after_step

    def after_step(self, i: int, cost) -> None:  # (a dict of ~8 entries copied: ~0.3 us)
        self.steps, self.reached = i + 1, dict(self.parameters)
        if i % self.record_every == 0:
            self.costs.append(float(cost))

    def __exit__(self, kind, error, traceback) -> bool:
        if kind is KeyboardInterrupt:
            finite = all(np.isfinite(v).all() for v in self.reached.values())
            if self.steps and finite and all(np.isfinite(self.costs)):
                self.model.parameters = self.reached
                self.model.costs.extend(self.costs)
                n = len(self.costs)
                said = (f"the model keeps the parameters of its last whole step and the "
                        f"{n} cost{'s' * (n != 1)} recorded")
            else:
                said = "the model keeps its parameters from before the fit"
            warnings.warn(f"fit: interrupted after {self.steps} of its steps; {said}",
                          stacklevel=3)
        return False


class Model:
    """[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID, parameters {"W1", "b1", ...}.

    layer_dims: [n_x, n[1], ..., 1]; hidden: relu, tanh, sigmoid or leaky_relu;
    init: one of nn.init.INITIALIZERS; seed: int, numpy Generator or None.

    init defaults to "he" (randn * sqrt(2 / n[l-1])), the scale made for relu layers, which
    keeps deep relu networks learning. nn.deep.L_layer_model defaults to "lecun" (randn /
    sqrt(n[l-1])) on purpose: it is the course's application, whose numbers (98.56 % /
    80 % on the cats) need its exact draws. Model(layer_dims, init="lecun", seed=1) makes
    L_layer_model's parameters.
    The output is a sigmoid unit; for C classes, nn.deep's functions take output="softmax".
    """

    def __init__(self, layer_dims, hidden="relu", init="he", seed=None):
        self.layer_dims = check_layer_dims(layer_dims)
        if self.layer_dims[-1] != 1:  # (2, m) predictions broadcast against Y (1, m)
            raise ValueError(f"Model: layer_dims {self.layer_dims} ends in "
                             f"{self.layer_dims[-1]} units; a Model is a binary classifier "
                             "with one sigmoid output unit: [n_x, ..., 1]. For C classes, "
                             "nn.deep's functions take output=\"softmax\"")
        if hidden not in ACTIVATIONS:
            raise ValueError(f"hidden must be one of {sorted(ACTIVATIONS)}, got {hidden!r}")
        if init not in INITIALIZERS:
            raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {init!r}")
        self.hidden, self.init = hidden, init
        self.parameters = initialize(self.layer_dims, init, seed)
        self.costs: list[float] = []

    def __repr__(self):
        return (f"Model(layer_dims={self.layer_dims}, hidden={self.hidden!r}, "
                f"init={self.init!r})")

    def forward(self, X):
        """AL (1, m) for X (n_x, m)."""
        return deep.L_model_forward(X, self.parameters, self.hidden)[0]

    def cost(self, X, Y):
        """The cross-entropy J on (X, Y)."""
        return deep.compute_cost(self.forward(X), Y)

    def gradients(self, X, Y, method="hand"):
        """{"dW1", "db1", ...}: hand-derived (L_model_backward) or from the engine."""
        if method == "hand":
            AL, caches = deep.L_model_forward(X, self.parameters, self.hidden)
            return deep.L_model_backward(AL, Y, caches, self.hidden)
        if method == "engine":
            return deep.L_model_backward_engine(X, Y, self.parameters, self.hidden,
                                                with_dA=False)[0]
        raise ValueError(f"method must be 'hand' or 'engine', got {method!r}")

    def fit(self, X, Y, learning_rate=0.0075, num_iterations=2500, gradients="hand",
            progress=True, record_every=100, print_cost=False, verbose=False, leave=False, *,
            optimizer="gd", mini_batch_size=None, beta=None, beta1=None, beta2=None,
            epsilon=None, lambd=0.0, keep_prob=1.0, lr_decay=None, decay_rate=None,
            compile=False, **others):
        """Train on X (n_x, m), Y (1, m); returns the cost history (every ``record_every``
        iterations and the last). gradients: "hand" (numpy backprop) or "engine".
        progress: a tqdm.auto bar with the current cost (``leave`` keeps it when done).
        print_cost (or verbose, the same): print "Cost after iteration i: J" every 100
        iterations and at the last, as the course's L_layer_model does. compile=True (with
        "engine") replays the engine's step with al.compile: the same bits, near hand-written
        numpy's speed, after a trace of a few ms. Off by default.
        A second fit goes on from the parameters the first left, but starts all else afresh:
        Momentum's and Adam's moments and t, the decay's epoch count and the mini-batches'
        shuffle seeds, and its cost history counts from iteration 0 (``self.costs`` holds
        every fit's, one after the other). A fit that diverges (a NaN cost, or NaN or inf
        parameters) raises FloatingPointError and leaves the parameters as they were; one
        stopped with Ctrl-C keeps the parameters of its last whole step, and warns.

        Course 2's options, by the course's functions (nn.optimization, nn.deep):
        - optimizer: "gd", "momentum" (beta, 0.9) or "adam" (beta1 0.9, beta2 0.999,
          epsilon 1e-8); Adam's t counts the updates of this call from 1.
        - mini_batch_size: None (batch gradient descent) or the size of the course's
          random_mini_batches; then an iteration is an epoch, epoch e shuffles with seed
          10 + e + 1, and its cost is the summed loss / m.
        - lambd: L2 regularization, J + lambd/(2m) sum ||W[l]||^2, m of the whole training
          set: with mini-batches each step adds lambd/m W[l] too, so lambd means the same.
        - keep_prob: inverted dropout on the hidden layers, with the course's masks
          (RandomState(1) reseeded at every step). Not with lambd, as in the course.
        - lr_decay: None, "update_lr", "schedule_lr_decay" or f(learning_rate0, epoch,
          decay_rate), applied after each epoch, with decay_rate (1 by default).
        """
        X = check_X(X, self.layer_dims[0])
        Y = check_Y(Y, X.shape[1])
        check_training_data(X, Y, "fit")
        _check_settings(gradients, compile, learning_rate, record_every, others)
        hyper = optimization.optimizer_settings(optimizer, "fit", beta=beta, beta1=beta1,
                                                beta2=beta2, epsilon=epsilon)
        decay, decay_rate = _decay(lr_decay, decay_rate)
        _check_regularization(lambd, keep_prob, X.shape[1], mini_batch_size, self.layer_dims)

        grads_and_loss = functools.partial(_batch_grads_and_loss, self.hidden, gradients, lambd,
                                           keep_prob, compile, X.shape[1])
        parameters = dict(self.parameters)  # the updates replace its entries, not the arrays
        update = optimization.make_update(optimizer, parameters, **hyper)
        with _KeptOnInterrupt(self, parameters, int(record_every)) as after_step:
            trained, costs = optimization.train_epochs(
                parameters, X, Y, grads_and_loss, update, learning_rate, num_iterations,
                mini_batch_size, decay, decay_rate, record_every=int(record_every),
                record_last=True, progress=progress, leave=leave, desc="fit",
                print_cost=print_cost or verbose, print_last=True, callback=after_step,
                line=COURSE_LINE_FULL.format(unit="epoch" if mini_batch_size else "iteration",
                                             i="{i}", cost="{cost}"))
        costs = [float(c) for c in costs]
        _check_trained(trained, costs, learning_rate)
        self.parameters = trained
        self.costs.extend(costs)
        return costs

    def predict(self, X):
        """0/1 predictions (1, m) for X (n_x, m), which must be finite (NaN > 0.5 is False:
        an example with a NaN feature was predicted 0)."""
        check_predictable(X, self.parameters, "predict")
        return (self.forward(X) > 0.5).astype(float)

    def accuracy(self, X, Y):
        """Fraction of examples predicted right, in [0, 1]; Y (1, m) holds 0s and 1s."""
        Y = check_Y(Y, np.shape(X)[1])
        check_scored(Y, "accuracy")
        return float(np.mean(self.predict(X) == Y))

    # ---- files --------------------------------------------------------------------------
    def save(self, path):
        """Write an .npz checkpoint atomically (temporary file, then rename): an interrupted
        save leaves the previous file intact. No pickle. The file gets the usual mode,
        0o666 & ~umask, as ``open(path, "w")`` would give it."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):  # (the error named the temporary file, not the path)
            raise IsADirectoryError(f"save: {path} is a folder; give a file path such as "
                                    f"{os.path.join(path, 'model.npz')}")
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"save: there is no folder {folder} for {path}; create it "
                                    "first")
        _check_saveable(self.parameters, list(self.layer_dims), self.costs)
        arrays = {k: np.asarray(v, dtype=np.float64) if np.asarray(v).dtype.kind in "iu"
                  else v for k, v in self.parameters.items()}  # (load takes floats)
        arrays.update(layer_dims=np.array(self.layer_dims), hidden=np.array(self.hidden),
                      output=np.array(OUTPUT), init=np.array(self.init),
                      format_version=np.array(FORMAT_VERSION if self.costs else 1))
        if self.costs:
            arrays[_HISTORY] = np.asarray(self.costs, dtype=np.float64)
        fd, tmp = _create_temp(os.path.dirname(os.path.abspath(path)))
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    @classmethod
    def load(cls, path):
        """Read a checkpoint written by ``save``, checking it thoroughly (see ``nn.load``)."""
        return load(path)


# ---- fit's Course 2 options ---------------------------------------------------------------

def _check_trained(parameters, costs, learning_rate):
    """A run whose cost became NaN, or whose parameters did, is refused, and the model keeps
    the parameters it had: a fit that diverged wiped out a trained model, whose file then
    could not be loaded. (An infinite cost alone is the course's saturated sigmoid.)"""
    bad = [k for k, v in parameters.items() if not np.isfinite(v).all()]
    if bad or any(np.isnan(c) for c in costs):
        error = FloatingPointError(
            f"fit: the training diverged ({'the cost became NaN' if not bad else ', '.join(bad)}"
            f"{' became NaN or inf' if bad else ''}) at learning_rate={learning_rate:g}; the "
            "model keeps the parameters it had before this fit. Try a smaller learning rate, "
            "or scale X (pixels / 255)")
        error.costs = costs  # (the costs recorded, to see where it went)
        raise error


def _check_positive(value, name, example):
    if not is_number(value) or value <= 0:
        raise ValueError(f"fit: {name} must be a finite positive number ({example}), got "
                         f"{value!r}")


def _decay(lr_decay, decay_rate):
    """(the decay function or None, decay_rate) from fit's lr_decay and decay_rate."""
    if lr_decay is None:
        if decay_rate is not None:
            raise ValueError("fit: decay_rate is given but lr_decay is None; pass "
                             "lr_decay='update_lr' or 'schedule_lr_decay'")
        return None, None
    if isinstance(lr_decay, str):
        if lr_decay not in optimization.DECAYS:
            raise ValueError(f"fit: lr_decay must be None, one of {list(optimization.DECAYS)} "
                             f"or a function f(learning_rate0, epoch_num, decay_rate), got "
                             f"{lr_decay!r}")
        lr_decay = optimization.DECAYS[lr_decay]
    elif not callable(lr_decay):
        raise TypeError(f"fit: lr_decay must be None, a name in {list(optimization.DECAYS)} or "
                        f"a function, got {type(lr_decay).__name__}")
    decay_rate = 1 if decay_rate is None else decay_rate
    if not is_number(decay_rate) or decay_rate < 0:
        raise ValueError(f"fit: decay_rate must be a finite number >= 0 (the course's 1), got "
                         f"{decay_rate!r}")
    return lr_decay, decay_rate


def _batch_grads_and_loss(hidden, gradients, lambd, keep_prob, compile, m, p, X_b, Y_b):
    """A mini-batch's gradients and summed loss, for fit's loop (m: the whole set's)."""
    m_b = X_b.shape[1]  # L2: lambd/(2m), m of the whole set, in each batch (+ below)
    grads, cost = deep.grads_and_cost(p, X_b, Y_b, hidden, gradients,
                                      _batch_lambd(lambd, m_b, m), keep_prob, compile=compile)
    return grads, cost * m_b


def _batch_lambd(lambd, m_b, m):
    """The lambd that gives a batch of m_b examples the L2 term lambd/(2m) sum ||W||^2 of the
    whole set of m: with lambd/(2 m_b) the epoch's cost counted the term once per batch."""
    return lambd if m_b == m else lambd * m_b / m


# Keras's and PyTorch's names for fit's options, and what to write
_OTHER_NAMES = {"epochs": "num_iterations (with mini_batch_size, an iteration is an epoch)",
                "batch_size": "mini_batch_size", "lr": "learning_rate",
                "validation_data": "nothing: call model.accuracy(X_dev, Y_dev) after fit",
                "callbacks": "nothing: fit has no callbacks (nn.deep.L_layer_model takes "
                             "callback=)"}


def _no_other_options(others: dict) -> None:
    """A keyword fit does not take, said with what to write (Keras's epochs= got Python's
    bare "unexpected keyword argument")."""
    if others:
        said = "; ".join(f"{k}=: write {_OTHER_NAMES[k]}" if k in _OTHER_NAMES else f"{k}="
                         for k in others)
        raise TypeError(f"fit() got option(s) it does not take: {said} (help(Model.fit) "
                        "lists its options)")


def _check_settings(gradients, compile, learning_rate, record_every, others):
    """fit's gradients, compile, learning_rate and record_every, each said by name, and no
    ``others`` (Keras's names: said with what to write)."""
    _no_other_options(others)
    if gradients not in GRADIENTS:
        raise ValueError(f"gradients must be 'hand' or 'engine', got {gradients!r}")
    check_gradients_option(gradients, "fit", compile)
    _check_positive(learning_rate, "learning_rate", "e.g. the course's 0.0075")
    if (isinstance(record_every, bool) or not isinstance(record_every, numbers.Integral)
            or record_every < 1):
        raise ValueError(f"fit: record_every must be a positive integer (the cost is kept "
                         f"every record_every iterations), got {record_every!r}")


def _check_regularization(lambd, keep_prob, m, mini_batch_size, layer_dims):
    """lambd >= 0 or keep_prob in (0, 1], not both, and keep_prob < 1 only with a hidden
    layer (it was ignored without one); mini_batch_size None or a positive int."""
    check_lambd(lambd, "fit")
    check_keep_prob(keep_prob, "fit")
    check_one_regularizer(lambd, keep_prob, "fit")
    if keep_prob != 1 and len(layer_dims) == 2:
        raise ValueError(f"fit: keep_prob drops hidden units, and {layer_dims} has no hidden "
                         "layer (dropout never drops the input or the output)")
    if mini_batch_size is not None and (isinstance(mini_batch_size, bool) or not isinstance(
            mini_batch_size, numbers.Integral) or mini_batch_size < 1):
        raise ValueError(f"fit: mini_batch_size must be None (the whole batch) or a positive "
                         f"integer such as the course's 64 (m = {m}), got {mini_batch_size!r}")


def _create_temp(directory):
    """A new file .tmp-XXXX.npz in ``directory``, open for writing: (fd, path).

    Created with mode 0o666 so that the kernel applies the umask (and any default ACL) as
    for any new file; ``mkstemp`` would force 0o600, and reading the umask with ``os.umask``
    means changing it for every thread for a moment."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".tmp-{secrets.token_hex(8)}.npz")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except PermissionError as err:  # (it named the hidden temporary file)
            raise PermissionError(f"save: cannot write in {directory} ({err.strerror}); "
                                  "save the model in a folder you can write") from None
    raise FileExistsError(f"save: could not create a temporary file in {directory}")


# ---- load: every check is made on the zip directory and the .npy headers, before any array
# data is decompressed, so a hostile file cannot make load allocate more than the model that
# its own metadata describes.

_META = {"layer_dims", "hidden", "output", "init", "format_version"}
_HISTORY = "costs"  # format 2's cost history: (n,) floats, inf allowed (a saturated sigmoid)
_NOT_PARAMETERS = _META | {_HISTORY}
_MAX_COSTS = 1_000_000  # a million recorded costs: 8 MB read, ~30 MB as Python floats
SUPPORTED_FORMAT_VERSIONS = (1, 2)
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
_MAX_HEADER = 10_000  # numpy's own limit for a header it parses safely
_MAX_MEMBERS = 10_000
_MAX_META_BYTES = 8 * _MAX_MEMBERS  # layer_dims of int64, or a short string
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand beyond ~1032:1


class _Header(NamedTuple):
    shape: tuple
    dtype: np.dtype
    nbytes: int  # the array data's size that the header declares
    size: int  # the member's declared uncompressed size (header included)


def _fail(path, what):
    return ModelFileError(f"load: {path}: {what}")


def _open_regular(path):
    """Open ``path`` for reading; a ModelFileError that says why if it is not a regular file
    that begins like a zip. O_NONBLOCK, so that a FIFO cannot make load wait for a writer."""
    where = path
    if os.path.islink(path):
        where = f"{path} (a symlink to {os.path.realpath(path)!r})"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if where != path:
            raise _fail(where, "the symlink is dangling: its target does not exist") from None
        raise FileNotFoundError(f"load: {path} not found") from None
    except IsADirectoryError:
        raise _fail(where, "is a directory, not an .npz checkpoint") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise _fail(where, f"is {kind}, not an .npz checkpoint")
    fh = os.fdopen(fd, "rb")
    head = fh.read(8)
    if head.startswith(_NPY_MAGIC):
        fh.close()
        raise _fail(where, "is a single .npy array saved under an .npz name, not a "
                    "checkpoint; write checkpoints with Model.save")
    if not head.startswith(_ZIP_MAGICS):
        fh.close()
        what = "is empty" if not head else f"begins with {head!r}"
        raise _fail(where, f"is not an .npz checkpoint (a zip archive): it {what}")
    fh.seek(0)
    return fh


def _truncated(path, err):
    return ModelFileError(f"load: {path} is truncated or not an .npz file "
                          f"({type(err).__name__}: {err})")


def _read_header(zf, info, path, file_size) -> _Header:
    """Check the member's zip entry and parse its .npy header, reading at most
    _MAX_HEADER + 12 bytes of it."""
    name = info.filename[:-4]
    if info.flag_bits & 0x1:
        raise _fail(path, f"member {name} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _fail(path, f"member {name} uses zip compression method {info.compress_type}; "
                    "np.savez writes only stored or deflated members")
    if info.header_offset + info.compress_size > file_size:
        raise _fail(path, f"member {name} declares {info.compress_size} bytes of data, more "
                    f"than the file's {file_size} bytes (truncated or forged)")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise _fail(path, f"member {name} is stored uncompressed but declares {info.file_size}"
                    f" bytes in {info.compress_size} (corrupt or forged)")
    if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
        raise _fail(path, f"member {name} declares {info.file_size} bytes from "
                    f"{info.compress_size} compressed bytes, more than deflate can produce "
                    "(corrupt or a zip bomb)")
    with zf.open(info) as fh:
        head = fh.read(12)  # magic (6), version (2), header length (2 or 4)
        if len(head) < 10 or not head.startswith(_NPY_MAGIC):
            raise _fail(path, f"member {name} is not a .npy array")
        version = (head[6], head[7])
        if version not in ((1, 0), (2, 0)):
            raise _fail(path, f"member {name} has .npy format version {version}; expected "
                        "(1, 0) or (2, 0)")
        start = 10 if version == (1, 0) else 12
        length = int.from_bytes(head[8:start], "little")
        if length > _MAX_HEADER:
            raise _fail(path, f"member {name} has a {length}-byte .npy header; at most "
                        f"{_MAX_HEADER} is allowed")
        buf = io.BytesIO(head + fh.read(start + length - len(head)))
    try:
        np.lib.format.read_magic(buf)
        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, _, dtype = reader(buf, max_header_size=_MAX_HEADER)  # any fortran_order
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError) as err:
        raise _fail(path, f"member {name} has a corrupt .npy header ({err})") from None
    if any(n < 0 for n in shape):
        raise _fail(path, f"member {name} declares the negative shape {shape}")
    return _Header(shape, dtype, math.prod(shape) * dtype.itemsize,
                   info.file_size - start - length)


def _read_headers(fh, path) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo],
                                     dict[str, _Header]]:
    """The zip directory and every member's .npy header; refuses pickled members and members
    whose declared size is not what their header says."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
        raise _truncated(path, err) from None
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise _fail(path, f"has {len(infos)} members; a checkpoint has 2 per layer plus "
                    f"{len(_META)}")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise _fail(path, f"member {info.filename!r} is not a .npy array")
        name = info.filename[:-4]
        if name in members:
            raise _fail(path, f"has the member {name} twice")
        members[name] = info
    size = os.fstat(fh.fileno()).st_size
    try:
        headers = {k: _read_header(zf, info, path, size) for k, info in members.items()}
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as err:
        raise _truncated(path, err) from None
    pickled = sorted(k for k, h in headers.items() if h.dtype.hasobject)
    if pickled:
        raise ModelFileError(f"load: {path} contains pickled objects (in {pickled}); refusing "
                             "to load it (unpickling can run arbitrary code)")
    for k, h in headers.items():
        if h.nbytes != h.size:
            raise _fail(path, f"{k}'s header declares shape {h.shape} of {h.dtype} "
                        f"({h.nbytes} bytes), but its zip entry holds {h.size} bytes of data "
                        "(corrupt or forged)")
    return zf, members, headers


def _read_member(zf, info, path):
    try:
        with zf.open(info) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False)
    except MemoryError:
        raise _fail(path, f"{info.filename[:-4]} does not fit in memory") from None
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as err:
        raise _truncated(path, err) from None


def _metadata(zf, members, headers, path):
    """format_version, layer_dims, hidden and init (and output, which must be "sigmoid"),
    each checked from its header (dtype, shape) before it is read, then by value."""
    def read(key, kinds, shape_ok, expected):
        h = headers[key]
        if h.dtype.kind not in kinds or not shape_ok(h.shape) or h.nbytes > _MAX_META_BYTES:
            raise _fail(path, f"has bad metadata: {key} should be {expected}, got shape "
                        f"{h.shape} of {h.dtype}")
        return _read_member(zf, members[key], path)

    def text(key, choices):
        value = str(read(key, "U", lambda s: s == (), "a string"))
        if value not in choices:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise _fail(path, f"has bad metadata: {key} is {shown!r}, expected one of "
                        f"{sorted(choices)}")
        return value

    version = int(read("format_version", "iu", lambda s: s == (), "an integer"))
    if version not in SUPPORTED_FORMAT_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_FORMAT_VERSIONS))
        raise _fail(path, f"has format_version {version}, which this version of nn cannot "
                    f"read (it reads format_version {supported}); load it with the version "
                    "of nn that wrote it")
    raw = read("layer_dims", "iu", lambda s: len(s) == 1 and 2 <= s[0] <= _MAX_MEMBERS,
               "a list of at least two positive integers [n_x, n[1], ..., 1]")
    try:
        dims = check_layer_dims([int(n) for n in raw])
        if dims[-1] != 1:
            raise ValueError(f"layer_dims {dims} must end in 1 (one sigmoid output unit)")
    except ValueError as err:
        raise _fail(path, f"has bad metadata: {err}") from None
    text("output", {OUTPUT})
    return dims, text("hidden", ACTIVATIONS), text("init", INITIALIZERS)


def _layer_shapes(dims) -> dict[str, tuple[int, int]]:
    """{"W1": (n[1], n[0]), "b1": (n[1], 1), ...}: the parameters layer_dims gives."""
    return {f"{p}{l}": ((dims[l], dims[l - 1]) if p == "W" else (dims[l], 1))
            for l in range(1, len(dims)) for p in "Wb"}


def _check_saveable(parameters, dims, costs=None):
    """save() refuses what load() would: parameters that do not fit layer_dims (assigned
    from L_layer_model's run of other sizes: the file was written, and failed at load)."""
    expected = _layer_shapes(dims)
    wrong = [k for k in expected if np.shape(parameters.get(k)) != expected[k]]
    try:
        bad_costs = costs is not None and (np.ndim(costs) != 1 or len(costs) > _MAX_COSTS
                                           or np.isnan(np.asarray(costs, float)).any())
    except (TypeError, ValueError):
        bad_costs = True
    if bad_costs:
        raise ValueError(f"save: costs should be a list of at most {_MAX_COSTS:,} numbers, none "
                         "of them NaN (fit records them): load() would refuse the file")
    for k in sorted(set(parameters) & set(expected)):
        v = np.asarray(parameters[k])
        if v.dtype.kind not in "iuf":
            raise ValueError(f"save: {k} has dtype {v.dtype}, not numbers: load() would "
                             "refuse the file")
        if v.dtype.kind == "f" and not np.isfinite(v).all():
            raise ValueError(f"save: {k} holds NaN or inf (a diverged training run?): load() "
                             "would refuse the file")
    if set(parameters) != set(expected) or wrong:
        k = wrong[0] if wrong else sorted(set(parameters) ^ set(expected))[0]
        raise ValueError(f"save: {k} is {np.shape(parameters.get(k))} (keys given: "
                         f"{sorted(parameters)}), but layer_dims {dims} gives "
                         f"{expected.get(k, 'no such key')}: load() would refuse the file. "
                         "Give the model the layer_dims its parameters have "
                         "(nn.Model(layer_dims) for L_layer_model's layer_dims)")


def _check_parameter_headers(headers, dims, path):
    """Every W[l] and b[l] is declared a float array of the shape layer_dims gives it."""
    params = set(headers) - _NOT_PARAMETERS
    expected = set(_layer_shapes(dims))
    if params != expected:
        raise ModelFileError(f"load: {path} has parameter keys {sorted(params)}, expected "
                             f"{sorted(expected)} for layer_dims {dims}; missing "
                             f"{sorted(expected - params)}, extra {sorted(params - expected)}")
    for l in range(1, len(dims)):
        for k, want, course in ((f"W{l}", (dims[l], dims[l - 1]), f"(n[{l}], n[{l - 1}])"),
                                (f"b{l}", (dims[l], 1), f"(n[{l}], 1)")):
            h = headers[k]
            if h.dtype.kind != "f":
                raise ModelFileError(f"load: {k} in {path} has dtype {h.dtype}, expected floats")
            if h.shape != want:
                hint = " (transposed?)" if h.shape == want[::-1] and k[0] == "W" else ""
                raise _fail(path, f"{k} should be {course} = {want} for layer_dims {dims}, got "
                            f"{h.shape}{hint}")


def load(path) -> Model:
    """Load a Model from ``save``'s .npz, refusing anything else with a ModelFileError that
    names the file and says why: not a regular file (directory, FIFO, dangling symlink), not
    a zip (e.g. an .npy under an .npz name), truncated or corrupt, pickled content, an
    unknown format_version, bad metadata, missing or extra keys, shapes or dtypes that do not
    fit layer_dims, NaN/inf values. The sizes and headers are checked before any array data
    is decompressed, so a hostile file costs no more memory than the model it describes."""
    path = os.fspath(path)
    with _open_regular(path) as fh:
        zf, members, headers = _read_headers(fh, path)
        with zf:
            missing = sorted(_META - set(headers))
            if missing:
                raise ModelFileError(f"load: {path} lacks {missing}; it was not written by "
                                     "Model.save")
            dims, hidden, init = _metadata(zf, members, headers, path)
            _check_parameter_headers(headers, dims, path)
            params = {}
            for k in sorted(set(headers) - _NOT_PARAMETERS,
                            key=lambda k: (int(k[1:]), k[0] == "b")):
                v = _read_member(zf, members[k], path)
                if not np.all(np.isfinite(v)):
                    raise ModelFileError(f"load: {k} in {path} contains NaN or inf")
                params[k] = v.astype(np.float64)
            costs = _read_costs(zf, members, headers, path)
    model = Model(dims, hidden=hidden, init=init, seed=0)
    model.parameters = params
    model.costs = costs
    return model


def _read_costs(zf, members, headers, path) -> list[float]:
    """The cost history of a format 2 file (none in format 1's): (n,) floats, no NaN."""
    h = headers.get(_HISTORY)
    if h is None:
        return []
    if h.dtype not in (np.float32, np.float64) or len(h.shape) != 1 or h.shape[0] > _MAX_COSTS:
        raise _fail(path, f"has bad metadata: {_HISTORY} should be a list of at most "
                    f"{_MAX_COSTS:,} float64 (or float32) costs, got shape {h.shape} of {h.dtype}")
    costs = _read_member(zf, members[_HISTORY], path)
    if np.isnan(costs).any():
        raise ModelFileError(f"load: {_HISTORY} in {path} contains NaN")
    return [float(c) for c in costs]
