"""``nn.Model``: an L-layer binary classifier for everyday use, in the course's notation."""

from __future__ import annotations

import os
import tempfile
import zipfile

import numpy as np

from . import deep
from .activations import ACTIVATIONS
from .checks import check_parameters, check_X, check_Y, num_layers
from .init import INITIALIZERS, check_layer_dims, initialize

FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A checkpoint file is corrupt, truncated, pickled, or does not fit the model."""


def _iterations(n, progress, desc):
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"num_iterations must be a non-negative integer, got {n!r}")
    if not progress:
        return range(n)
    from tqdm.auto import tqdm

    return tqdm(range(n), desc=desc, unit="it", leave=False, disable=None)


class Model:
    """[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID, parameters {"W1", "b1", ...}.

    layer_dims: [n_x, n[1], ..., 1]; hidden: relu, tanh, sigmoid or leaky_relu;
    init: zeros, small_random, he, xavier or lecun; seed: int, numpy Generator or None.
    """

    def __init__(self, layer_dims, hidden="relu", output="sigmoid", init="he", seed=None):
        self.layer_dims = check_layer_dims(layer_dims)
        if hidden not in ACTIVATIONS:
            raise ValueError(f"hidden must be one of {sorted(ACTIVATIONS)}, got {hidden!r}")
        if output != "sigmoid":
            raise ValueError("output must be 'sigmoid' (binary classification, as in the course)")
        if init not in INITIALIZERS:
            raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {init!r}")
        self.hidden, self.output, self.init = hidden, output, init
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
            progress=True, record_every=100):
        """Batch gradient descent; returns the cost history (every ``record_every``
        iterations and the last). gradients: "hand" (numpy backprop) or "engine"."""
        X = check_X(X, self.layer_dims[0])
        Y = check_Y(Y, X.shape[1])
        if gradients not in ("hand", "engine"):
            raise ValueError(f"gradients must be 'hand' or 'engine', got {gradients!r}")
        step = self._engine_step if gradients == "engine" else self._hand_step
        costs = []
        for i in _iterations(num_iterations, progress, "fit"):
            cost = step(X, Y, learning_rate)
            if i % record_every == 0 or i == num_iterations - 1:
                costs.append(cost)
        self.costs.extend(costs)
        return costs

    def _hand_step(self, X, Y, learning_rate):
        AL, caches = deep.L_model_forward(X, self.parameters, self.hidden)
        cost = deep.compute_cost(AL, Y)
        grads = deep.L_model_backward(AL, Y, caches, self.hidden)
        self.parameters = deep.update_parameters(self.parameters, grads, learning_rate)
        return cost

    def _engine_step(self, X, Y, learning_rate):
        import autograd_lite as al

        P = {k: al.Tensor(v, requires_grad=True) for k, v in self.parameters.items()}
        cost = deep.L_model_cost_engine(P, X, Y, self.hidden)
        cost.backward()
        self.parameters = {k: v - learning_rate * P[k].grad for k, v in self.parameters.items()}
        return cost.item()

    def predict(self, X):
        """0/1 predictions (1, m)."""
        return (self.forward(X) > 0.5).astype(float)

    def accuracy(self, X, Y):
        """Fraction of examples predicted right, in [0, 1]."""
        Y = check_Y(Y, np.shape(X)[1])
        return float(np.mean(self.predict(X) == Y))

    # ---- files --------------------------------------------------------------------------
    def save(self, path):
        """Write an .npz checkpoint atomically (temporary file, then rename): an interrupted
        save leaves the previous file intact. No pickle."""
        path = os.fspath(path)
        arrays = dict(self.parameters)
        arrays.update(layer_dims=np.array(self.layer_dims), hidden=np.array(self.hidden),
                      output=np.array(self.output), init=np.array(self.init),
                      format_version=np.array(FORMAT_VERSION))
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".npz")
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


_META = {"layer_dims", "hidden", "output", "init", "format_version"}


def load(path) -> Model:
    """Load a Model from ``save``'s .npz. Refuses pickled content, truncated or corrupt
    files, missing or extra keys, shapes that do not fit layer_dims and NaN/inf values,
    each with a message that says which."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: {path} not found")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except ValueError as err:
        if "allow_pickle" in str(err) or "Object arrays" in str(err):
            raise ModelFileError(f"load: {path} contains pickled objects; refusing to load it "
                                 "(unpickling can run arbitrary code)") from None
        raise ModelFileError(f"load: {path} is not a valid .npz checkpoint ({err})") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as err:
        raise ModelFileError(f"load: {path} is truncated or not an .npz file "
                             f"({type(err).__name__}: {err})") from None
    missing = sorted(_META - set(arrays))
    if missing:
        raise ModelFileError(f"load: {path} lacks {missing}; it was not written by Model.save")
    try:
        dims = check_layer_dims([int(n) for n in arrays["layer_dims"]])
        hidden, output, init = (str(arrays[k]) for k in ("hidden", "output", "init"))
    except (TypeError, ValueError) as err:
        raise ModelFileError(f"load: {path} has bad metadata: {err}") from None
    params = {k: v for k, v in arrays.items() if k not in _META}
    expected = {f"{p}{l}" for l in range(1, len(dims)) for p in "Wb"}  # noqa: E741
    if set(params) != expected:
        raise ModelFileError(f"load: {path} has parameter keys {sorted(params)}, expected "
                             f"{sorted(expected)} for layer_dims {dims}; missing "
                             f"{sorted(expected - set(params))}, extra "
                             f"{sorted(set(params) - expected)}")
    for k, v in params.items():
        if v.dtype.kind != "f":
            raise ModelFileError(f"load: {k} in {path} has dtype {v.dtype}, expected floats")
        if not np.all(np.isfinite(v)):
            raise ModelFileError(f"load: {k} in {path} contains NaN or inf")
    try:
        found = check_parameters(params)
    except ValueError as err:
        raise ModelFileError(f"load: {path}: {err}") from None
    if found != dims or num_layers(params) != len(dims) - 1:
        raise ModelFileError(f"load: {path}: parameter shapes give layer sizes {found}, but "
                             f"layer_dims says {dims}")
    model = Model(dims, hidden=hidden, output=output, init=init, seed=0)
    model.parameters = {k: params[k].astype(np.float64) for k in sorted(
        params, key=lambda k: (int(k[1:]), k[0] == "b"))}
    return model
