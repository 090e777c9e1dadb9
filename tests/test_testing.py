"""The hypothesis strategies produce what they promise; graphs() cases evaluate and
differentiate; assert_gradients_match shrinks a failure and writes its diagram."""

import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as al
from autograd_lite.specs import OP_SPECS
from autograd_lite.testing import (
    GradientMismatchError,
    advanced_indices,
    arrays,
    assert_gradients_match,
    basic_indices,
    broadcastable_shapes,
    graphs,
    layer_dims,
    op_inputs,
    tensors,
)


@given(tensors(min_dims=1, max_dims=2, max_side=3, low=-2, high=2, requires_grad=True))
def test_tensors_respect_bounds(t):
    assert isinstance(t, al.Tensor) and t.requires_grad
    assert 1 <= t.ndim <= 2 and max(t.shape) <= 3
    assert np.all(np.isfinite(t.data)) and np.all(np.abs(t.data) <= 2)


@given(arrays(dtype=np.float32, low=-1, high=1, away_from=(0.0,), gap=0.25))
def test_arrays_keep_dtype_and_gap(a):
    assert a.dtype == np.float32 and np.all(np.abs(a) >= 0.25)


@given(broadcastable_shapes(3))
def test_broadcastable_shapes_really_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)


@given(st.data())
def test_indices_index(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    x = np.arange(np.prod(shape)).reshape(shape)
    basic = data.draw(basic_indices(shape))
    assert np.shares_memory(x[basic], x) or x[basic].size <= 1  # basic: a view (or a scalar)
    idx = data.draw(advanced_indices(shape))
    picked = x[idx]
    rows = idx[0] if isinstance(idx, tuple) else idx
    assert picked.shape[0] == len(rows) and np.all((-shape[0] <= rows) & (rows < shape[0]))
    expected = [x[tuple(i[k] for i in idx)] if isinstance(idx, tuple) else x[i]
                for k, i in enumerate(rows if not isinstance(idx, tuple) else idx[0])]
    np.testing.assert_array_equal(picked, np.array(expected))


@settings(max_examples=50)
@given(advanced_indices((3, 4)))
def test_advanced_indices_index_the_first_axes_in_range(idx):
    parts = idx if isinstance(idx, tuple) else (idx,)
    assert 1 <= len(parts) <= 2 and all(p.dtype.kind == "i" and p.ndim == 1 for p in parts)
    for p, n in zip(parts, (3, 4)):
        assert np.all((-n <= p) & (p < n))
    assert len({p.size for p in parts}) == 1  # paired index arrays have one length


def test_advanced_indices_do_produce_repeats():
    seen = []

    @settings(max_examples=100, derandomize=True)
    @given(advanced_indices((2,), max_size=6))
    def collect(idx):
        seen.append(len(np.unique(idx)) < len(idx))

    collect()
    assert any(seen)


@given(layer_dims(min_layers=2, max_layers=4, max_width=9))
def test_layer_dims_are_course_shaped(dims):
    assert 3 <= len(dims) <= 5 and dims[-1] == 1 and all(1 <= n <= 9 for n in dims[:-1])


@pytest.mark.parametrize("spec", OP_SPECS, ids=lambda s: s.primitive)
@settings(max_examples=10)
@given(data=st.data())
def test_op_inputs_stay_in_domain(spec, data):
    args, _ = data.draw(op_inputs(spec))
    if spec.kind in ("leaky", "clip"):  # a slope and bounds have domains of their own
        args = args[:1]
    for a in args:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            assert np.all(a >= spec.low) and np.all(a <= spec.high)
            for p in spec.away_from:
                assert np.all(np.abs(a - p) >= spec.gap)


@given(graphs(max_ops=6))
def test_graphs_evaluate_and_differentiate(case):
    out = case.f(*[al.Tensor(x) for x in case.inputs])
    np.testing.assert_allclose(out.data, case.reference(*case.inputs), rtol=1e-12, atol=1e-12)
    assert al.gradcheck(lambda *xs: al.sum(case.f(*xs)), case.inputs, atol=1e-5, rtol=1e-4)
    assert "v0 = input" in repr(case)


def test_graphs_take_no_max_of_near_ties():
    """The thorough profile drew max over [0, -1, 2e-10]: a finite difference of step 1e-6
    steps across the tie, so gradcheck failed a right gradient."""
    from autograd_lite.testing import _GRAPH_SPECS, _in_domain
    near_tie = np.array([[0.0, 2.0], [-1.0, 0.5], [1.98333217e-10, 1.0]])
    for op in ("max", "min"):
        assert not _in_domain(_GRAPH_SPECS[op], near_tie)
        assert _in_domain(_GRAPH_SPECS[op], np.array([[0.0, 2.0], [-1.0, 0.5]]))


def test_graphs_use_many_ops():
    used = set()

    @settings(max_examples=150, derandomize=True)
    @given(graphs())
    def collect(case):
        used.update(step[0] for step in case.steps)

    collect()
    assert len(used) >= 10, used


def test_assert_gradients_match_passes_and_fails_with_diagram(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    x = np.array([1.0, -2.0])
    assert_gradients_match(lambda t: al.sum(t ** 2), lambda a: 2 * a, [x])
    with pytest.raises(AssertionError, match=r"relative difference.*\n.*yours.*\n.*engine") as err:
        assert_gradients_match(lambda t: al.sum(t ** 2), lambda a: 2 * a + 1, [x],
                               name="square")
    dot = _dot_of(err.value)
    assert os.path.basename(dot).startswith("square")
    dot = open(dot).read()
    assert "digraph" in dot and "yours" in dot and "#e03131" in dot


def test_property_failure_shrinks_to_a_minimal_counterexample(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))

    def wrong_grad(a):  # right for fewer than 3 entries, wrong from 3 on
        return 2 * a + (a.size >= 3)

    @settings(max_examples=200, derandomize=True, database=None)
    @given(arrays(max_dims=1, max_side=6))
    def prop(x):
        assert_gradients_match(lambda t: al.sum(t * t), wrong_grad, [x], name="prop")

    with pytest.raises(AssertionError) as err:
        prop()
    message = str(err.value)
    assert "x0 = [0., 0., 0.]" in message  # shrunk: three zeros
    assert os.path.exists(_dot_of(err.value)) and str(tmp_path / "prop") in message


def _dot_of(err) -> str:
    """The DOT file of the diagram a failure's message points at."""
    return re.search(r"diagram: (\S+?)\.(?:svg|dot)\b", str(err)).group(1) + ".dot"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
@pytest.mark.parametrize("f, hand, x, cause", [
    (lambda t: al.sum(t) + np.nan, np.ones_like, np.array([1.0, -2.0]), r"f is nan"),
    (lambda t: al.sum(t ** 2), lambda a: np.array([2 * a[0], np.nan]), np.array([1.0, -2.0]),
     r"your gradient 0 is nan at index \(1,\)"),
    # both sides inf at 0: np.allclose calls them equal, the check must not
    (lambda t: al.sum(al.sqrt(t)), lambda a: 0.5 / np.sqrt(a), np.array([0.0, 1.0]),
     r"the engine's gradient 0 is inf at index \(0,\)"),
], ids=["nan cost", "nan in yours", "inf in the engine's and yours (sqrt at 0)"])
def test_assert_gradients_match_fails_non_finite_values(tmp_path, monkeypatch, f, hand, x, cause):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    with pytest.raises(AssertionError, match=cause):
        assert_gradients_match(f, hand, [x], name="non_finite")


def test_assert_gradients_match_refuses_f_built_outside_the_engine():
    x = np.array([0.5, -0.2])
    with pytest.raises(TypeError, match="assert_gradients_match: f returned a float.*Tensor"), \
            pytest.warns(al.CutOffWarning, match="a leaf Tensor"):
        assert_gradients_match(lambda t: float(np.sum(np.asarray(t) ** 2)), lambda a: 2 * a, [x])
    with pytest.raises(ValueError, match="assert_gradients_match: .*not connected to any input"):
        assert_gradients_match(lambda t: al.sum(t.detach() ** 2), lambda a: 2 * a, [x])
    # an input that f does not use has gradient zero: that is no error
    assert_gradients_match(lambda t, u: al.sum(t ** 2), lambda a, b: (2 * a, np.zeros_like(b)),
                           [x, np.ones(3)])


@pytest.mark.parametrize("hand", [lambda x: None, lambda x: {"dx": 2 * x}],
                         ids=["None", "dict"])
def test_a_hand_gradient_of_the_wrong_kind_is_named(hand):
    from autograd_lite.testing import assert_gradients_match

    with pytest.raises(TypeError, match=r"assert_gradients_match: hand_grad returned "
                                        r"(NoneType|dict); return one gradient per input"):
        assert_gradients_match(lambda x: (x * x).sum(), hand, [np.array([1.0, 2.0])])


@settings(max_examples=30, deadline=None)
@given(arrays((3,), dtype=np.float32, low=0.1, high=0.7))
def test_float32_arrays_take_bounds_float32_cannot_hold(a):
    # hypothesis refused low=0.1 for width 32 (InvalidArgument); the nearest float32 inside
    assert a.dtype == np.float32 and np.all(a >= np.float32(0.1)) and np.all(a <= 0.7)


def test_layer_dims_refuses_an_impossible_count_by_name():
    with pytest.raises(ValueError, match=r"1 <= min_layers <= max_layers.*got layers 0 to 2"):
        layer_dims(0, 2)  # was hypothesis's "min_size=-1"


# ---- assert_gradients_match: a teacher's hand gradient at the inputs' own dtype ----------------

def _softplus(t):
    return al.sum(al.log(1 + al.exp(t)))


def test_a_hand_gradient_gets_the_dtype_the_teacher_passed():
    seen = []

    def hand(a):
        seen.append(a.dtype)
        return 2 * a
    for x in (np.array([1.0, 2.0], np.float32), al.Tensor(np.array([1.0, 2.0], np.float32)),
              np.array([1.0, 2.0]), np.array([1, 2]), 3.0):
        assert_gradients_match(lambda t: al.sum(t * t), hand, [x])
    assert seen == [np.float32, np.float32, np.float64, np.float64, np.float64]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # float32's exp(100) overflows on purpose
def test_a_hand_gradient_that_overflows_only_in_float32_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    hand = lambda a: np.exp(a) / (1 + np.exp(a))  # noqa: E731  (inf / inf at a = 100)
    assert_gradients_match(_softplus, hand, [np.array([100.0])])  # float64: exp(100) fits
    with pytest.raises(AssertionError, match=r"your gradient 0 is nan"):
        assert_gradients_match(_softplus, hand, [np.array([100.0], np.float32)])


def test_a_hand_gradient_wrong_only_in_float32_is_found_by_the_float32_strategy(tmp_path,
                                                                                monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))

    @settings(max_examples=50, derandomize=True, database=None)
    @given(arrays(dtype=np.float32, max_dims=2))
    def prop(x):
        assert_gradients_match(lambda t: al.sum(t * t),
                               lambda a: 2 * a if a.dtype == np.float64 else 3 * a, [x])

    with pytest.raises(AssertionError, match=r"x0 = .*\(float32\)[\s\S]*relative difference"):
        prop()


def _logistic(X, Y):
    def f(w, b):
        return al.binary_cross_entropy_with_logits(w.T @ X + b, Y)

    def hand(w, b):  # the course's, in the inputs' dtype
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        return X @ (A - Y).T / X.shape[1], np.sum(A - Y, axis=1, keepdims=True) / X.shape[1]
    return f, hand


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(1, 40), st.integers(0, 2 ** 16))
def test_right_float32_gradients_pass_at_float32_precision(n, m, seed):
    # float32 work rounds at 6e-8: compared at float64's 1e-7 (and 10 eps64), db, a sum of
    # m terms that cancel, and sigmoid's 1 - A failed right learners
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, m)).astype(np.float32)
    Y = (rng.random((1, m)) > 0.5).astype(np.float32)
    w, b = rng.standard_normal((n, 1)).astype(np.float32), np.float32(rng.standard_normal((1, 1)))
    f, hand = _logistic(X, Y)
    assert_gradients_match(f, hand, [w, b])
    assert_gradients_match(lambda t: _softplus(t), lambda a: 1 / (1 + np.exp(-a)),
                           [(10 * X).ravel()])


# ---- one gradient per input: a wrapper around a rank-1 array is no nested list -------------

def _square(t):
    return al.sum(t * t)


@pytest.mark.parametrize("hand", [lambda a: [(2 * a).ravel()], lambda a: ((2 * a)[0],),
                                  lambda a: (2 * a).ravel()], ids=["[g]", "(g,)", "g"])
def test_a_rank1_gradient_for_a_row_fails_saying_keep_the_axis(hand, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    # [g] with g (3,) was read as a nested list of values of shape (1, 3): it passed
    with pytest.raises(AssertionError, match=r"gradient 0: shape \(3,\), input 0 has shape "
                                             r"\(1, 3\) \(a rank-1 array: keep the axis"):
        assert_gradients_match(_square, hand, [np.ones((1, 3))])


@settings(max_examples=20, deadline=None)
@given(arrays(shape=st.tuples(st.just(1), st.integers(1, 4))))
def test_a_wrapped_rank1_gradient_never_passes_for_a_row(x):
    with pytest.raises(AssertionError, match="keep the axis"):
        assert_gradients_match(_square, lambda a: [(2 * a).ravel()], [x])


def test_a_transposed_gradient_in_a_wrapper_is_named():
    with pytest.raises(AssertionError, match=r"shape \(3, 1\), input 0 has shape \(1, 3\) "
                                             r"\(transposed\?\)"):
        assert_gradients_match(_square, lambda a: ((2 * a).T,), [np.ones((1, 3))])


@pytest.mark.parametrize("x, hand", [
    (np.ones((1, 3)), lambda a: 2 * a),  # a bare array
    (np.ones((1, 3)), lambda a: (2 * a,)),  # one gradient per input, as a tuple
    (np.ones((1, 3)), lambda a: [2 * a]),  # or a list
    (np.ones((1, 3)), lambda a: (2 * a).tolist()),  # nested lists of its values
    (np.array([0.5]), lambda a: [1.0]),  # a shape-(1,) input's, as a list of its values
    (np.array(0.5), lambda a: 1.0),  # a number for a 0-d input
    (np.array(0.5), lambda a: (1.0,)),
    (np.array(0.5), lambda a: [np.float64(1.0)]),
], ids=["array", "(array,)", "[array]", "tolist", "[number] for (1,)", "number", "(number,)",
        "[np number]"])
def test_the_documented_forms_of_one_gradient_pass(x, hand):
    assert_gradients_match(_square, hand, [x])


@pytest.mark.parametrize("hand", [lambda a, b: (2 * a, np.zeros_like(b)),
                                  lambda a, b: [2 * a, np.zeros(2).tolist()]])
def test_one_gradient_per_input_for_several_inputs_passes(hand):
    assert_gradients_match(lambda t, u: _square(t), hand, [np.ones((1, 3)), np.ones(2)])


# ---- a hand gradient that writes into its inputs fails ------------------------------------

def _overwrites(a):
    g = 2 * a
    a[:] = -99.0
    return g


def _doubles_in_place(a):
    a *= 2  # right values, returned from the input itself
    return a


@pytest.mark.parametrize("hand", [_overwrites, _doubles_in_place])
def test_a_hand_gradient_that_writes_into_its_input_fails_naming_it(hand, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    x = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match=r"hand_grad wrote into input 0 \(x0\).*in place"):
        assert_gradients_match(_square, hand, [x])
    np.testing.assert_array_equal(x, [1.0, 2.0])  # it was given a copy


def test_the_input_written_into_is_the_one_named(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))

    def hand(w, X):
        X -= X.mean()  # "normalising" the data in place: a training loop's X would drift
        return 2 * w, np.zeros_like(X)
    with pytest.raises(AssertionError, match=r"hand_grad wrote into input 1 \(x1\)") as err:
        assert_gradients_match(lambda w, X: _square(w), hand, [np.ones(2), np.arange(3.0)])
    assert "input 0" not in str(err.value)


@settings(max_examples=20, deadline=None)
@given(arrays(max_dims=2, low=0.5, high=2))
def test_a_writing_hand_gradient_never_passes(x):
    with pytest.raises(AssertionError, match="wrote into input 0"):
        assert_gradients_match(_square, _doubles_in_place, [x])


def test_check_gradients_fails_a_grads_function_that_writes_into_the_parameters():
    X = np.array([[1.0, 2.0, 3.0]])
    P = {"W": np.array([[0.5]]), "b": np.array([[0.1]])}

    def grads(Q):
        dZ = 2 * (Q["W"] @ X + Q["b"])
        dW, db = dZ @ X.T, dZ.sum(1, keepdims=True)
        Q["W"] -= 0.1 * dW  # an update step inside the gradient function
        return {"dW": dW, "db": db}
    report = al.check_gradients(lambda Q: al.sum((Q["W"] @ X + Q["b"]) ** 2), P, grads)
    assert [r.status for r in report.rows] == ["wrong", "ok"], report
    assert "your grads function wrote into W in place" in report.rows[0].message
    np.testing.assert_array_equal(P["W"], [[0.5]])  # and b was checked at the given W


# ---- a failure as data: what a grading program scores -------------------------------------

def _two_inputs(a, b):
    return al.sum(a * a) + al.sum(b * b)


def test_a_failure_carries_its_data_for_a_grading_program(tmp_path, monkeypatch):
    import json

    from autograd_lite.testing import GradientMismatchError
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    x, y = np.array([1.0, -2.0]), np.array([[3.0]], np.float32)
    with pytest.raises(GradientMismatchError) as err:
        assert_gradients_match(_two_inputs, lambda a, b: (2 * a, 3 * b), [x, y], name="two")
    e = err.value
    assert isinstance(e, AssertionError)
    assert str(e).startswith("gradients of two disagree on this input:\n  x0 = [ 1., -2.]\n")
    assert (e.input, e.reason) == (1, "values")
    assert e.relative_difference == pytest.approx(0.2)
    np.testing.assert_array_equal(e.inputs[1], y)
    assert e.inputs[1].dtype == np.float32
    np.testing.assert_array_equal(e.yours[1], 3 * y)
    np.testing.assert_array_equal(e.engine[1], 2 * y)
    d = e.to_dict()
    assert d["passed"] is False and d["name"] == "two" and d["input"] == 1
    assert d["inputs"] == [[1.0, -2.0], [[3.0]]] and d["engine"][0] == [2.0, -4.0]
    assert d["problems"][0]["input"] == 1 and d["problems"][0]["reason"] == "values"
    assert d["diagram"] == e.diagram and str(tmp_path) in e.diagram
    assert d["message"] == str(e)
    assert json.loads(e.to_json()) == d


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_failure_as_json_writes_nan_as_null(tmp_path, monkeypatch):
    import json

    from autograd_lite.testing import GradientMismatchError
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    with pytest.raises(GradientMismatchError) as err:
        assert_gradients_match(_square, lambda a: np.array([2.0, np.nan]), [np.ones(2)])
    e = err.value
    assert (e.input, e.reason) == (0, "not finite") and np.isnan(e.relative_difference)
    d = json.loads(e.to_json())  # NaN is not JSON
    assert d["yours"] == [[2.0, None]] and d["relative_difference"] is None


@pytest.mark.parametrize("hand, reason, index", [
    (lambda a: np.ones(3), "shape", 0),
    (lambda a: (2 * a, 2 * a), "count", None),
    (_doubles_in_place, "wrote into input", 0),
], ids=["shape", "count", "wrote"])
def test_a_failure_says_which_kind_it_is(hand, reason, index, tmp_path, monkeypatch):
    import pickle

    from autograd_lite.testing import GradientMismatchError
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    with pytest.raises(GradientMismatchError) as err:
        assert_gradients_match(_square, hand, [np.ones(2)])
    assert (err.value.reason, err.value.input) == (reason, index)
    again = pickle.loads(pickle.dumps(err.value))  # (pytest-xdist sends failures across)
    assert str(again) == str(err.value) and again.to_dict() == err.value.to_dict()


# ---- each failure its own diagram ----------------------------------------------------------

def test_two_failing_lambdas_do_not_share_a_diagram(tmp_path, monkeypatch):
    # both wrote _lambda_.svg: the first message pointed at the second test's graph
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    dots = []
    for f in (lambda t: al.sum(al.sin(t)), lambda t: al.sum(al.exp(t))):
        with pytest.raises(AssertionError) as err:
            assert_gradients_match(f, lambda a: 0 * a + 7, [np.ones(2)])
        dots.append(_dot_of(err.value))
    assert dots[0] != dots[1]
    first, second = (open(d).read() for d in dots)
    assert "sin" in first and "exp" not in first and "exp" in second
    assert all(os.path.basename(d).startswith("_lambda_") for d in dots)


def test_one_cost_failing_at_two_inputs_keeps_both_diagrams(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    dots = []
    for x in (np.ones(2), np.ones(3)):
        with pytest.raises(AssertionError) as err:
            assert_gradients_match(_square, lambda a: 3 * a, [x], name="square")
        dots.append(_dot_of(err.value))
    assert dots[0] != dots[1] and all(os.path.exists(d) for d in dots)
    assert "(2,)" in open(dots[0]).read() and "(3,)" in open(dots[1]).read()


# ---- a None gradient, tolerances, and the profiles a teacher's own tests can load ---------

def test_a_gradient_given_as_none_says_so(tmp_path, monkeypatch):
    from autograd_lite.testing import GradientMismatchError
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    # it said "gradient 1: shape (), input 1 has shape (2,)"
    with pytest.raises(GradientMismatchError, match=r"hand_grad returned None for input 1 "
                                                    r"\(x1\).*np\.zeros_like") as err:
        assert_gradients_match(lambda a, b: _square(a), lambda a, b: (2 * a, None),
                               [np.ones(2), np.ones(2)])
    assert (err.value.reason, err.value.input) == ("missing", 1) and err.value.yours[1] is None
    assert err.value.to_dict()["relative_difference"] is None


@pytest.mark.parametrize("tolerances", [{"rtol": "1e-3"}, {"rtol": -1e-3}, {"rtol": np.inf},
                                        {"atol": float("nan")}, {"atol": [1e-3]},
                                        {"rtol": True}])
def test_a_tolerance_that_is_no_number_is_refused_by_name(tolerances):
    (key, value), = tolerances.items()
    with pytest.raises((TypeError, ValueError), match=rf"assert_gradients_match: {key} must "
                                                      rf"be a finite number >= 0, got "):
        assert_gradients_match(_square, lambda a: 2 * a, [np.ones(2)], **tolerances)


def test_tolerances_of_any_real_kind_are_taken():
    assert_gradients_match(_square, lambda a: 2 * a, [np.ones(2)], rtol=np.float32(1e-3), atol=0)


def test_register_profiles_serves_a_teachers_own_test_file(tmp_path):
    import subprocess
    import sys
    (tmp_path / "conftest.py").write_text(
        "from autograd_lite.testing import register_profiles\nregister_profiles()\n")
    (tmp_path / "test_mine.py").write_text(
        "import os\nfrom hypothesis import settings\n\n\ndef test_profile():\n"
        "    assert settings().max_examples == int(os.environ['EXPECTED'])\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for profile, expected in (("thorough", 400), ("ci", 25), (None, 25)):
        env = dict(os.environ, EXPECTED=str(expected),
                   PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
        env.pop("AUTOGRAD_LITE_PROFILE", None)
        if profile:
            env["AUTOGRAD_LITE_PROFILE"] = profile
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               str(tmp_path)], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (profile, done.stdout[-2000:], done.stderr[-2000:])


def test_register_profiles_refuses_a_profile_it_does_not_have(monkeypatch):
    from autograd_lite.testing import register_profiles
    monkeypatch.setenv("AUTOGRAD_LITE_PROFILE", "thorogh")
    with pytest.raises(ValueError, match=r"AUTOGRAD_LITE_PROFILE='thorogh' names no profile; "
                                         r"use 'ci' or 'thorough'"):
        register_profiles()
    monkeypatch.delenv("AUTOGRAD_LITE_PROFILE")  # it blamed the variable, which was unset
    with pytest.raises(ValueError, match=r"register_profiles\(default='mine'\) names no"):
        register_profiles(default="mine")


def test_register_profiles_called_twice_keeps_thorough_random(monkeypatch):
    """Two conftests calling it: "thorough" was registered again under the loaded "ci",
    inheriting derandomize=True."""
    from hypothesis import settings

    from autograd_lite.testing import register_profiles
    monkeypatch.delenv("AUTOGRAD_LITE_PROFILE", raising=False)
    loaded = settings.default
    try:
        register_profiles()
        monkeypatch.setenv("AUTOGRAD_LITE_PROFILE", "thorough")
        register_profiles()
        thorough = settings.get_profile("thorough")
        assert thorough.derandomize is False and thorough.max_examples == 400
        from hypothesis import Phase  # (its report pointed teachers at the engine's lines)
        assert Phase.explain not in thorough.phases and Phase.shrink in thorough.phases
        assert settings.get_profile("ci").derandomize is True
    finally:
        settings.register_profile("_restored", loaded)
        settings.load_profile("_restored")


def test_a_gradient_given_as_a_list_of_its_rows_still_passes():
    """[2 x[0], 3] for one (2, 3) input (rows as arrays) was read as 2 gradients for 1
    input after [g] became one gradient per input; only a list of one array is ambiguous."""
    f = lambda x: (x[0] ** 2).sum() + (3 * x[1]).sum()  # noqa: E731
    assert_gradients_match(f, lambda x: [2 * x[0], np.full(3, 3.0)],
                           [np.arange(6.0).reshape(2, 3)])


def test_a_wrong_small_float32_entry_beside_a_large_one_fails(tmp_path, monkeypatch):
    """The float32 floor was 10 eps32 times the gradient's norm (1.2e-3 here): the second
    entry, 2e-3 for 1e-3, passed; float64 inputs failed it."""
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    c = np.array([1000.0, 1e-3])
    f = lambda x: (x * c).sum()  # noqa: E731
    with pytest.raises(AssertionError, match="disagree"):
        assert_gradients_match(f, lambda x: np.array([1000.0, 2e-3], x.dtype),
                               [np.ones(2, np.float32)])
    assert_gradients_match(f, lambda x: (c + 0 * x).astype(x.dtype), [np.ones(2, np.float32)])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_right_float32_gradients_where_float32_cannot_resolve_an_entry_pass(tmp_path,
                                                                            monkeypatch):
    """A saturated sigmoid's 2e-9 is 0 in float32, and x - mean at an offset of 1e5 is off
    by an ulp of the mean: the per-entry floor capped the engine's own float32 change
    away, failing right gradients (43 of 50 variance cases)."""
    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    assert_gradients_match(lambda x: al.sigmoid(x).sum(),
                           lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x))),
                           [np.array([0.5, 20.0], np.float32)])
    for seed in range(10):
        x = (1e5 + np.random.default_rng(seed).standard_normal(64)).astype(np.float32)
        assert_gradients_match(lambda x: ((x - x.mean()) ** 2).mean(),
                               lambda x: 2 * (x - x.mean()) / x.size, [x])


def test_a_property_test_shrinks_past_a_kink_to_where_the_gradient_is_wrong():
    """|x|'s gradient wrong for x < 0 shrank to x = 0, where a hand gradient's convention
    may differ from the engine's (any subgradient is right there): a counterexample that
    shows nothing. Passing at kinks, the search shrinks to a negative x."""
    from hypothesis import given, settings

    from autograd_lite.testing import GradientMismatchError, arrays, assert_gradients_match
    cost = lambda x: al.abs(x).sum()  # noqa: E731

    @settings(max_examples=200, derandomize=True, database=None)
    @given(arrays((3,)))
    def prop(x):
        assert_gradients_match(cost, lambda x: np.ones_like(x), [x])  # wrong for x < 0

    with pytest.raises(GradientMismatchError) as raised:
        prop()
    assert (raised.value.inputs[0] < 0).any()
    x = np.array([0.0, 1.0, -2.0])
    for at_zero in (0.0, 0.5, -1.0):  # subgradients of |x| at 0: each is right
        assert_gradients_match(cost, lambda x, g=at_zero: np.where(x == 0, g, np.sign(x)), [x])
    with pytest.raises(GradientMismatchError):  # 3 is no subgradient of |x| at 0
        assert_gradients_match(cost, lambda x: np.where(x == 0, 3.0, np.sign(x)), [x])


# ---- a teacher's property tests: right gradients pass, wrong ones fail (outside testers) --

@settings(max_examples=5, database=None)
@given(Z=hnp.arrays(np.float64, (5, 8), elements=st.floats(-3, 3)))
def test_a_right_relu_backward_passes_on_hypothesis_first_array_all_zeros(Z):
    """Only 32 entries at a kink were looked at: relu_backward = dA * (Z >= 0), right (a
    subgradient at 0), failed on hypothesis's first example, 40 zeros."""
    assert_gradients_match(lambda t: al.relu(t).sum(), lambda z: (z >= 0) * 1.0, [Z])


def _newton_optimum():
    """Logistic regression's w, b at the float64 optimum (Newton's method), and its data."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 50)), (rng.random((1, 50)) < 0.5) * 1.0
    w, b = np.zeros((2, 1)), np.zeros((1, 1))
    Xa = np.vstack([X, np.ones((1, 50))])
    for _ in range(30):
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        step = np.linalg.solve((Xa * A * (1 - A)) @ Xa.T / 50, Xa @ (A - Y).T / 50)
        w, b = w - step[:2], b - step[2:]
    return X, Y, w, b


def test_right_float64_gradients_pass_where_they_cancel_to_rounding():
    """At an optimum both gradients are rounding (~1e-16): 37 of 40 right learners failed,
    compared with each other at 10 eps64 times the engine's own largest entry."""
    X, Y, w, b = _newton_optimum()

    def course(w, b):  # the course's dw, db
        dZ = (1 / (1 + np.exp(-(w.T @ X + b))) - Y) / 50
        return X @ dZ.T, dZ.sum(keepdims=True)

    cost = lambda w, b: al.binary_cross_entropy_with_logits(w.T @ X + b, Y)  # noqa: E731
    assert_gradients_match(cost, course, [w, b])
    report = al.check_gradients(lambda P: cost(P["w"], P["b"]), {"w": w, "b": b},
                                dict(zip(("dw", "db"), course(w, b))))
    assert report.passed, report
    with pytest.raises(GradientMismatchError):  # a wrong one there still fails
        assert_gradients_match(cost, lambda w, b: (course(w, b)[0] + 1e-9, course(w, b)[1]),
                               [w, b])
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    x = np.linalg.eigh(A)[1][:, 0] * 1.3  # an eigenvector: the Rayleigh quotient is stationary
    assert_gradients_match(lambda t: (t @ (al.Tensor(A) @ t)) / (t * t).sum(),
                           lambda t: 2 * (A @ t - (t @ A @ t) / (t @ t) * t) / (t @ t), [x])


@pytest.mark.parametrize("dtype,z", [(np.float64, -720.0), (np.float32, -89.0)])
def test_a_sigmoid_that_underflows_to_0_passes(dtype, z):
    """Yours 0, the engine's 2e-313 (or 2.2e-39 in float32): below the smallest normal."""
    assert_gradients_match(lambda t: al.sigmoid(t).sum(), lambda x: np.zeros_like(x),
                           [np.array([z], dtype)])


@pytest.mark.parametrize("wrong,what", [
    (lambda x: 2 * x + 5j, "complex"), (lambda x: np.asmatrix(2 * x), "a matrix"),
    (lambda x: al.Tensor(2 * x), "an autograd_lite Tensor"), (lambda x: ["a", "b"], "text")])
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # (np.matrix, on purpose)
def test_a_gradient_that_is_not_an_array_of_reals_fails(wrong, what):
    """A complex gradient passed: np.asarray dropped its imaginary part, warning only."""
    with pytest.raises(GradientMismatchError, match=f"gradient 0 is {what}"):
        assert_gradients_match(lambda t: (t * t).sum(), wrong, [np.array([[1.0, -2.0]])])


def test_the_courses_db_a_number_passes_for_b_of_shape_1_1_as_in_check_gradients():
    X, Y = np.array([[1.0, -1.0, 2.0]]), np.array([[1.0, 0.0, 1.0]])

    def propagate(w, b):  # week 2's: db = np.sum(A - Y) / m, a number
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        return X @ (A - Y).T / 3, np.sum(A - Y) / 3

    cost = lambda w, b: al.binary_cross_entropy_with_logits(w.T @ X + b, Y)  # noqa: E731
    assert_gradients_match(cost, propagate, [np.array([[0.3]]), np.zeros((1, 1))])


@pytest.mark.parametrize("inputs", [np.ones((2, 3)), np.ones((1, 3)), 2.0])
def test_inputs_given_without_their_list_are_refused_saying_so(inputs):
    """x of shape (1, 3) was tested as one input of shape (3,), its only row."""
    with pytest.raises(TypeError, match=r"inputs is a list.*write \[x\]"):
        assert_gradients_match(lambda t: (t * t).sum(), lambda t: 2 * t, inputs)


def test_layer_dims_takes_a_strategy_for_n_x_and_n_y():
    seen = set()

    @settings(max_examples=30, database=None)
    @given(layer_dims(n_x=st.integers(2, 3), n_y=st.sampled_from([1, 4])))
    def sizes(dims):
        assert all(type(n) is int for n in dims) and dims[0] in (2, 3) and dims[-1] in (1, 4)
        seen.add((dims[0], dims[-1]))

    sizes()
    assert len(seen) == 4
    with pytest.raises(ValueError, match="n_x must be a size"):
        layer_dims(n_x=0)


def test_a_failures_diagram_shows_the_engines_gradient_as_this_graphs():
    """It showed it as ".grad ... (other graphs)", with a note that the graph had had no
    backward(); the intermediate tensors showed none."""
    with pytest.raises(GradientMismatchError) as failure:
        assert_gradients_match(lambda t: (t * t).sum(), lambda t: 3 * t, [np.array([1.0, 2.0])])
    dot = open(failure.value.diagram.rsplit(".", 1)[0] + ".dot").read()
    assert "other graphs" not in dot and "grad [2, 4]" in dot and "yours [3, 6]" in dot
    assert "grad [1, 1]" in dot  # t * t's, an intermediate


def test_while_hypothesis_shrinks_only_the_reported_failure_is_drawn(tmp_path, monkeypatch):
    """Every failing example hypothesis tried drew an SVG: one failing test wrote 704 files
    and spent 4.8 s of its 7.4 s drawing them."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from autograd_lite.testing import GradientMismatchError, assert_gradients_match

    monkeypatch.setenv("AUTOGRAD_LITE_FAILURE_DIR", str(tmp_path))
    tried = []

    @settings(database=None, derandomize=True, max_examples=50)
    @given(st.lists(st.floats(-3, 3), min_size=1, max_size=6))
    def squares(xs):
        tried.append(xs)
        assert_gradients_match(lambda w: (w * w).sum(), lambda w: w, [np.array(xs)],
                               name="squares")  # d/dw of w^2 is 2w, not w

    with pytest.raises(GradientMismatchError) as caught:
        squares()
    assert len(tried) > 10  # it shrank
    drawn = sorted(p.suffix for p in tmp_path.iterdir())
    assert drawn in ([".dot", ".svg"], [".dot"])  # the reported example's diagram alone
    assert caught.value.diagram and os.path.exists(caught.value.diagram)


def test_past_the_kink_limit_the_message_says_why_a_subgradient_failed():
    from autograd_lite.testing import GradientMismatchError, assert_gradients_match
    relu_backward = lambda t: (t >= 0) * 1.0  # noqa: E731 (a right subgradient at 0)
    assert_gradients_match(lambda t: al.sum(al.relu(t)), relu_backward, [np.zeros(1024)])
    with pytest.raises(GradientMismatchError, match=r"1,025 entries differ, more than the "
                                                    r"1,024 looked at for kinks"):
        assert_gradients_match(lambda t: al.sum(al.relu(t)), relu_backward, [np.zeros(1025)])


def test_np_argmax_s_choice_at_a_tie_passes_and_a_wrong_entry_beside_it_fails():
    """At a tie, each entry is taken between its own one-sided slopes (check_gradients
    notes where yours is no subgradient as a whole: the max-pool bug passes here)."""
    weights = np.array([1.0, 2.0, 3.0])

    def f(x):
        return (al.max(x.reshape(3, 2), axis=1) * weights).sum()

    def first_max(x):
        g = np.zeros((3, 2))
        g[np.arange(3), x.reshape(3, 2).argmax(1)] = weights
        return g.ravel()

    x = np.array([2.0, 2.0, 1.0, 5.0, 0.0, 0.0])
    assert_gradients_match(f, first_max, [x])
    with pytest.raises(GradientMismatchError, match=r"worst at index \(3,\): yours 4, the "
                                                   r"engine's 2"):  # (no tie there)
        assert_gradients_match(f, lambda x: first_max(x) + 2 * (np.arange(6) == 3), [x])
