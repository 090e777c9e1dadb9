"""A differential test of every numpy entry point that Tensors accept: each numpy function
and ufunc that the protocol routes (numpy_api.FUNCTIONS and UFUNCS), called with each
keyword that numpy documents for it (read from inspect.signature, so a new numpy keyword
shows up here), either gives numpy's own result on the plain array or raises TypeError.
A keyword is never dropped silently."""

import inspect

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor
from autograd_lite.numpy_api import FUNCTIONS, UFUNCS

RNG = np.random.default_rng(3)
X = RNG.uniform(0.5, 2.0, (3, 4))
Y = RNG.uniform(0.5, 2.0, (3, 4))
M = RNG.uniform(0.5, 2.0, (4, 2))
MASK = RNG.random((3, 4)) > 0.4
F_ORDER = np.asfortranarray(X)
X_NAN = np.where(MASK, np.nan, X)

# the required arguments of each function (arrays are made Tensors on the Tensor side)
BASE_CALLS = {
    "sum": ([X], {}), "nansum": ([X_NAN], {}), "norm": ([X], {}), "mean": ([X], {}),
    "var": ([X], {}), "std": ([X], {}),
    "max": ([X], {}), "amax": ([X], {}),
    "min": ([X], {}), "amin": ([X], {}), "reshape": ([X, (4, 3)], {}), "ravel": ([X], {}),
    "transpose": ([X], {}), "swapaxes": ([X, 0, 1], {}), "squeeze": ([X[:1]], {}),
    "expand_dims": ([X, 0], {}), "concatenate": ([[X, Y]], {}), "stack": ([[X, Y]], {}),
    "where": ([MASK, X, Y], {}), "clip": ([X, 0.8, 1.5], {}), "dot": ([X, M], {}),
    "broadcast_to": ([X[:1], (3, 4)], {}), "shape": ([X], {}), "ndim": ([X], {}),
    "size": ([X], {}), "argmax": ([X], {}), "argmin": ([X], {}), "allclose": ([X, Y], {}),
    "isclose": ([X, Y], {}), "array_equal": ([X, Y], {}), "count_nonzero": ([X - 1], {}),
    "round": ([X], {}), "around": ([X], {}), "result_type": ([X], {}),
    "nonzero": ([X - 1], {}), "any": ([MASK], {}), "all": ([MASK], {}),
    "zeros_like": ([X], {}), "ones_like": ([X], {}), "full_like": ([X, 7.0], {}),
    "prod": ([X], {}), "cumsum": ([X], {}), "hstack": ([[X, Y]], {}), "vstack": ([[X, Y]], {}),
    "outer": ([X, M], {}), "tile": ([X, (2, 1)], {}), "einsum": (["ij,jk->ik", X, M], {}),
    "split": ([X, 2], {}), "array_split": ([X, 3], {}),
    "flip": ([X], {}), "fliplr": ([X], {}), "flipud": ([X], {}), "tril": ([X], {}),
    "triu": ([X], {}), "take_along_axis": ([X, np.array([[0, 3], [2, 2], [1, 0]])], {}),
    "diagonal": ([X], {}), "trace": ([X], {}),
}
# values to try for each optional keyword numpy documents (every one must be listed)
SAMPLES = {
    "axis": [None, 0, 1, -1, (0, 1)], "keepdims": [True, False],
    "dtype": [np.float32, np.float64, np.int64], "out": ["array"],
    "initial": [10.0, -10.0], "where": [MASK, True], "order": ["C", "F", "A", "K"],
    "copy": [None, True, False], "axes": [(1, 0)], "casting": ["no", "same_kind", "unsafe"],
    "a_min": [0.8, None], "a_max": [1.5, None], "min": [0.9], "max": [1.2],
    "subok": [False, True], "decimals": [0, 2], "rtol": [1e-3], "atol": [0.1],
    "equal_nan": [True, False], "shape": [(4, 3)], "newshape": [(2, 6)], "x": [X], "y": [Y],
    "device": [None, "cpu"], "ddof": [0, 1], "correction": [1], "mean": ["mean"],
    "ord": [None, 2, "fro", 1, np.inf], "optimize": [False, True, "greedy"], "k": [0, 1, -2],
    "offset": [0, 1, -1], "axis1": [0, 1], "axis2": [1, 0],
}
UFUNC_KEYWORDS = ["out", "where", "casting", "order", "dtype", "subok", "signature", "axes",
                  "axis", "keepdims"]


def _tensorised(args):
    def convert(a):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return Tensor(a)
        if isinstance(a, list):
            return [convert(v) for v in a]
        return a
    return [convert(a) for a in args]


def _plain(x):
    return x.data if isinstance(x, Tensor) else x


def _compare(got, want, label):
    if isinstance(want, (tuple, list)) and not isinstance(got, Tensor):
        assert len(got) == len(want), label
        for g, w in zip(got, want):
            _compare(g, w, label)
        return
    got = _plain(got)
    assert np.shape(got) == np.shape(want), f"{label}: shape {np.shape(got)} vs {np.shape(want)}"
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=1e-12, atol=1e-13, equal_nan=True, err_msg=label)


def _cases():
    cases = []
    for func in FUNCTIONS:
        name = func.__name__
        assert name in BASE_CALLS, f"numpy.{name} is routed for Tensors: add a base call"
        try:
            params = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            params = []
        optional = [p.name for p in params
                    if p.default is not inspect.Parameter.empty
                    and p.kind is not inspect.Parameter.VAR_KEYWORD]
        for keyword in optional:
            assert keyword in SAMPLES, f"numpy.{name} documents {keyword}=: add samples"
            cases += [(func, keyword, v) for v in SAMPLES[keyword]]
    return cases


CASES = _cases()


@pytest.mark.parametrize("func,keyword,value", CASES,
                         ids=[f"{f.__name__}-{k}={v!r}"[:60] for f, k, v in CASES])
def test_each_keyword_is_honoured_or_refused(func, keyword, value):
    args, kwargs = BASE_CALLS[func.__name__]
    kwargs = dict(kwargs)
    if func.__name__ == "reshape" and keyword in ("shape", "newshape"):
        args = args[:1]
    if isinstance(value, str) and value == "array":  # out=: a real output array
        value = np.empty_like(np.asarray(func(*args, **kwargs)))
    if isinstance(value, str) and value == "mean":  # np.var(mean=): the mean, precomputed
        value = np.mean(args[0], keepdims=True)
    kwargs[keyword] = value
    try:
        with np.errstate(all="ignore"):
            want = func(*args, **kwargs)
    except Exception as err:  # noqa: BLE001  (numpy refuses: the Tensor side must refuse too)
        with pytest.raises(type(err) if not isinstance(err, TypeError) else TypeError):
            func(*_tensorised(args), **kwargs)
        return
    try:
        with np.errstate(all="ignore"):
            got = func(*_tensorised(args), **kwargs)
    except TypeError as err:
        assert keyword in str(err) or "dtype" in str(err), f"refused without naming {keyword}"
        return
    _compare(got, want, f"numpy.{func.__name__}(..., {keyword}={value!r})")


def test_the_reported_findings():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.reshape(t, (3, 2), order="F").data,
                                  np.reshape(a, (3, 2), order="F"))
    assert np.sum(t, initial=100.0).item() == 115.0
    assert np.sum(t, where=a > 2).item() == 12.0
    assert np.max(t, initial=10.0).item() == 10.0 and np.min(t, initial=-1.0).item() == -1.0
    assert np.mean(t, where=a > 2).item() == 4.0


def test_honoured_keywords_keep_the_gradient():
    a = np.arange(6.0).reshape(2, 3)
    for call in (lambda t: np.sum(t, where=a > 2, initial=1.0),
                 lambda t: np.mean(t, axis=1, where=a != 1),
                 lambda t: np.max(t, axis=0, initial=2.5, where=a < 5),
                 lambda t: np.reshape(t, (3, 2), order="F") * np.arange(6.0).reshape(3, 2),
                 lambda t: np.ravel(t, order="F") * np.arange(6.0),
                 lambda t: np.concatenate([t, 2 * t], axis=None)):
        assert al.gradcheck(call, [a + 0.25])


@pytest.mark.parametrize("ufunc", sorted(UFUNCS, key=lambda u: u.__name__),
                         ids=lambda u: u.__name__)
def test_ufunc_keywords_are_honoured_or_refused(ufunc):
    inputs = [X, Y][:ufunc.nin]
    for keyword in UFUNC_KEYWORDS:
        value = {"out": np.empty((3, 4)), "where": MASK, "casting": "unsafe", "order": "F",
                 "dtype": np.float32, "subok": False, "signature": None, "axes": None,
                 "axis": None, "keepdims": False}[keyword]
        try:
            with np.errstate(all="ignore"):
                want = ufunc(*inputs, **{keyword: value})
        except Exception:  # noqa: BLE001  (numpy refuses; so may we)
            continue
        try:
            got = ufunc(*_tensorised(inputs), **{keyword: value})
        except TypeError as err:
            assert keyword in str(err) or "out=" in str(err)
            continue
        if keyword == "where":  # the unselected entries are uninitialised in numpy
            want, got = np.where(MASK, want, 0), np.where(MASK, _plain(got), 0)
        _compare(got, want, f"numpy.{ufunc.__name__}({keyword}={value!r})")
