"""al.compile: the replay equals the eager engine bit for bit, reads as the course's
formulas, refuses value-dependent Python, retraces when it must and only then."""

import copy
import gc
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.testing import graphs
from nn import deep


def same_bits(a, b):
    """The same shape, dtype and bits, a NaN matching a NaN of any sign or payload (numpy
    does not say which NaN an op on two NaNs returns)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return (np.array_equal(nan_a, nan_b)
            and np.where(nan_a, 0, a).tobytes() == np.where(nan_b, 0, b).tobytes())


def eager(f, *args):
    """The value and the gradients of ``f`` as the eager engine gives them (zeros for an
    argument that requires grad but is not reached, as al.grad gives)."""
    out = f(*args)
    if out.requires_grad:
        out.backward()
    grads = tuple((a.grad if a.grad is not None else np.zeros_like(a.data))
                  if isinstance(a, al.Tensor) and a.requires_grad else None for a in args)
    return out.data, grads


def fresh(arrays, requires_grad=True):
    return [al.Tensor(a, requires_grad=requires_grad) for a in arrays]


def assert_same(compiled, expected):
    value, grads = compiled
    ev, eg = expected
    assert same_bits(value, ev), (value, ev)
    assert len(grads) == len(eg)
    for g, e in zip(grads, eg):
        assert (g is None) == (e is None)
        if e is not None:
            assert same_bits(g, e), (g, e)


def scalar_of(case):
    def f(*xs):
        out = case.f(*xs)
        return out.sum() if out.size != 1 else out
    return f


# ---- bit for bit on random graphs -----------------------------------------------------------

@given(graphs())
def test_compiled_equals_eager_bit_for_bit_on_random_graphs(case):
    f = scalar_of(case)
    step = al.compile(f)
    with np.errstate(all="ignore"):
        assert_same(step(*fresh(case.inputs)), eager(f, *fresh(case.inputs)))
        # new values, same shapes: a replay, not a trace
        moved = [a + 0.01 * np.sign(a + 0.5) for a in case.inputs]
        assert_same(step(*fresh(moved)), eager(f, *fresh(moved)))
        assert step.trace_count == 1
        # another requires-grad pattern: a retrace, still the eager bits
        flags = [i % 2 == 1 for i in range(len(moved))]
        args = [al.Tensor(a, requires_grad=r) for a, r in zip(moved, flags)]
        expected = eager(f, *[al.Tensor(a, requires_grad=r) for a, r in zip(moved, flags)])
        assert_same(step(*args), expected)
        assert step.trace_count == 2
        # and back: the first trace is still cached
        assert_same(step(*fresh(case.inputs)), eager(f, *fresh(case.inputs)))
        assert step.trace_count == 2
    # every rule was read into the code, except those that must be called (see CALLED_BY_NAME)
    called = set(re.findall(r"from autograd_lite\.ops import (\w+)", step.source))
    assert called <= CALLED_BY_NAME and not step.constants, step.source


# Called by name, not read: sigmoid (by design, for readability), bce's check of p (it
# raises on values: every replay checks them), concatenate's VJP (it loops over a variable
# number of inputs), power's VJP when the exponent is an input and prod's (they branch on
# values: the exponent's, a zero in a lane).
CALLED_BY_NAME = {"_stable_sigmoid", "probabilities", "_dconcat", "_dpow_dbase", "_dprod"}


# ---- the composites that read values: a replay with new values recomputes them ----------------

COMPOSITES = {
    "clip": lambda x: al.clip(x, -0.5, 0.7).sum(),
    "clip_tensor_bounds": lambda x: al.clip(x, x * 0 - 0.2, x * 0 + 0.3).sum(),
    "leaky_relu": lambda x: al.leaky_relu(x, 0.1).sum(),
    "relu": lambda x: al.relu(x).sum(),
    "abs": lambda x: al.abs(x).sum(),
    "maximum": lambda x: al.maximum(x, 0.2 * x[::-1]).sum(),
    "minimum": lambda x: al.minimum(x, 0.1).sum(),
    "max": lambda x: al.max(x * x),
    "min": lambda x: al.min(x),
    "logsumexp": lambda x: al.logsumexp(300 * x),
    "softmax": lambda x: (al.softmax(20 * x) * np.arange(4.0)).sum(),
    "log_softmax": lambda x: al.log_softmax(x * 30)[1],
    "where_comparison": lambda x: al.where(x > 0, x * x, -x).sum(),
    "where_and": lambda x: al.where((x > -0.5) & (x < 0.5), x, 0.0).sum(),
    "where_not": lambda x: al.where(~(x > 0), x, 2 * x).sum(),
    "mask_multiply": lambda x: (x * (x > 0)).sum(),
    "np_greater": lambda x: al.where(np.greater(x, 0.1), x, 0.0).sum(),
    "np_isfinite": lambda x: al.where(np.isfinite(al.log(x)), x, 1.0).sum(),
    "np_sign": lambda x: (x * np.sign(x)).sum(),
    "bce": lambda x: al.binary_cross_entropy(al.sigmoid(10 * x), np.array([0., 1., 1., 0.])),
    "power_negative_base": lambda x: (al.Tensor(2.0) ** x).sum() + (x ** 2.0).sum(),
    "power_traced_exponent": lambda x: (al.abs(x) ** (x * 0)).sum(),
    "detach": lambda x: (x * x.detach()).sum(),
    "any": lambda x: al.where(np.any(x > 1.0), x, 0.0).sum(),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_a_replay_with_new_values_gives_the_eager_result(name):
    f = COMPOSITES[name]
    first = np.array([0.9, -0.3, 0.2, -1.2])
    step = al.compile(f)
    with np.errstate(all="ignore"):
        assert_same(step(*fresh([first])), eager(f, *fresh([first])))
        for new in (-first, first[::-1].copy(), np.array([0.05, 0.6, -0.4, 2.0])):
            assert_same(step(*fresh([new])), eager(f, *fresh([new])))
    assert step.trace_count == 1


NEGATIVE_CONSTANTS = {
    "static base": (lambda x, c: al.sum(c ** x), -2),
    "static float base": (lambda x, c: al.sum(al.power(c, x)), -2.0),
    "literal base": (lambda x, c: al.sum((-2.0) ** x + c), 0.0),
    "negative zero": (lambda x, c: al.sum(x * c), -0.0),
    "negative exponent": (lambda x, c: al.sum(x ** c), -3),
}


@pytest.mark.parametrize("name", sorted(NEGATIVE_CONSTANTS))
def test_negative_constants_replay_as_negative_numbers(name):
    """A constant -2 in the generated text must stay (-2): written bare, -2.0 ** x is
    -(2.0 ** x), which agreed with the trace at odd x and replayed even x with the wrong
    sign."""
    f, c = NEGATIVE_CONSTANTS[name]
    step = al.compile(f, static_argnums=1)
    for x in ([3.0, 1.0], [2.0, 4.0], [0.5, -1.0]):
        with np.errstate(all="ignore"):
            value, (dx, dc) = step(*fresh([np.array(x)]), c)
            assert dc is None  # a static argument has no gradient
            assert_same((value, (dx,)), eager(lambda t: f(t, c), *fresh([np.array(x)])))
    assert step.trace_count == 1
    namespace = dict(step.constants)  # the text, read back, is the same function
    exec(compile(step.source, "<al.compile source>", "exec"), namespace)  # noqa: S102
    fn = namespace[re.search(r"^def (\w+)\(", step.source, re.M).group(1)]
    x = np.array([2.0, 4.0])
    with np.errstate(all="ignore"):
        assert same_bits(fn(x)[0], eager(lambda t: f(t, c), *fresh([x]))[0])


# ---- value-dependent Python raises, naming the line --------------------------------------------

def _branch(x):
    if (x > 0).sum() > 0:  # a Python if on values
        return x.sum()
    return -x.sum()


TRACE_ERRORS = {
    "if on a comparison": (_branch, "if (x > 0)"),
    "float": (lambda x: x.sum() * float(x.sum()), "float(x.sum())"),
    "item": (lambda x: x.sum() * x.sum().item(), "x.sum().item()"),
    "int": (lambda x: x[int(x.sum()) % 2:].sum(), "int(x.sum())"),
    "np.asarray": (lambda x: x.sum() + np.asarray(x).sum(), "np.asarray(x)"),
    "format": (lambda x: x.sum() if f"{x.sum():.3f}" else x, "x.sum():.3f"),
    "tolist": (lambda x: x.sum() * len(x.tolist()), "x.tolist()"),
    "data": (lambda x: x.sum() + x.data.sum(), "x.data.sum()"),
    "Tensor(t)": (lambda x: (x * al.Tensor(x)).sum(), "al.Tensor(x)"),
    "np.argmax": (lambda x: x[np.argmax(x)], "np.argmax(x)"),
    "np.allclose": (lambda x: x.sum() if np.allclose(x, 0) else -x.sum(), "np.allclose"),
    "index with a tensor": (lambda x: x[x > 0].sum(), "x[x > 0]"),
    "backward inside": (lambda x: x.sum().backward() or x.sum(), "backward()"),
    "where= mask": (lambda x: np.sum(x, where=x > 0), "where=x > 0"),
    "copy.copy": (lambda x: (x * copy.copy(x)).sum(), "copy.copy(x)"),  # its values, baked in
}


@pytest.mark.parametrize("case", sorted(TRACE_ERRORS))
def test_value_dependent_python_raises_trace_error_naming_the_line(case):
    f, code = TRACE_ERRORS[case]
    step = al.compile(f)
    with pytest.raises(al.TraceError) as info:
        step(al.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True))
    message = str(info.value)
    assert "test_compile.py" in message and code in message, message
    if case == "backward inside":  # the advice is compile's own backward, not al.where
        assert "use the (cost, gradients) each call returns" in message
    else:
        assert "al.where" in message or "argument" in message


def test_in_place_write_to_an_argument_raises():
    def f(x, y):
        y += 1.0  # would change the caller's array
        return (x * y).sum()
    with pytest.raises(al.TraceError, match="in-place"):
        al.compile(f)(al.Tensor(np.ones(3), requires_grad=True), np.zeros(3))

    def running_sum(x, y):
        y += x  # recorded, as eagerly: y becomes y + x, the caller's array is untouched
        return y.sum()
    y0 = np.zeros(3)
    assert_same(al.compile(running_sum)(al.Tensor(np.ones(3), requires_grad=True), y0),
                eager(running_sum, al.Tensor(np.ones(3), requires_grad=True), al.Tensor(y0)))
    assert not y0.any()


def test_a_captured_tensor_that_requires_grad_must_be_an_argument():
    W = al.Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    step = al.compile(lambda X: (W @ X).sum())
    with pytest.raises(al.TraceError, match="'W'.*not an argument"):
        step(np.ones((2, 3)))


def test_a_compiled_function_inside_a_trace_raises():
    inner = al.compile(lambda x: (x * x).sum())

    def outer(x):
        inner(x)
        return x.sum()
    with pytest.raises(al.TraceError, match="inside the trace"):
        al.compile(outer)(al.Tensor(np.ones(2), requires_grad=True))


def test_eager_comparisons_still_give_plain_arrays():
    x = al.Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    assert type(x > 0) is np.ndarray and type(np.greater(x, 0)) is np.ndarray
    assert type(~(x > 0)) is np.ndarray and type((x > 0) & (x < 3)) is np.ndarray


# ---- caching and retracing -------------------------------------------------------------------

def test_retraces_on_shape_dtype_flags_and_static_arguments_only():
    def f(x, y, scale, mode):
        z = x * y * scale
        return (al.tanh(z) if mode == "tanh" else al.relu(z)).sum()
    step = al.compile(f, static_argnums=3)
    x, y = np.arange(3.0), np.ones(3)
    step(al.Tensor(x, requires_grad=True), y, 2.0, "tanh")
    step(al.Tensor(x + 1, requires_grad=True), y * 3, 2.0, "tanh")  # new values only
    assert step.trace_count == 1
    step(al.Tensor(np.arange(4.0), requires_grad=True), np.ones(4), 2.0, "tanh")  # shape
    step(al.Tensor(x.astype(np.float32), requires_grad=True), y, 2.0, "tanh")  # dtype
    step(al.Tensor(x), y, 2.0, "tanh")  # requires_grad
    step(al.Tensor(x, requires_grad=True), y, 3.0, "tanh")  # a Python number is static
    step(al.Tensor(x, requires_grad=True), y, 2.0, "relu")  # static_argnums
    assert step.trace_count == 6
    value, grads = step(al.Tensor(x, requires_grad=True), y, 2.0, "relu")
    assert step.trace_count == 6
    assert same_bits(value, f(al.Tensor(x), y, 2.0, "relu").data)


LAYOUT = 3  # the variant that changes only an array's strides


def _variants():
    """(first arguments, later arguments) pairs: the same key or not."""
    a, b = np.ones((2, 3)), np.zeros((3, 2))
    t = al.Tensor(a, requires_grad=True)
    base = ({"W": a, "b": np.ones((2, 1))}, t, 2.0, [b, np.float64(1.0)], "mode")
    out = []
    for change in [
        lambda x: x,
        lambda x: ({"W": a.copy(), "b": np.ones((2, 1))}, *x[1:]),  # new values
        lambda x: ({"W": np.ones((3, 3)), "b": np.ones((2, 1))}, *x[1:]),  # shape
        lambda x: ({"W": np.asfortranarray(a), "b": np.ones((2, 1))}, *x[1:]),  # layout
        lambda x: ({"W": a.astype(np.float32), "b": np.ones((2, 1))}, *x[1:]),  # dtype
        lambda x: ({"b": np.ones((2, 1)), "W": a}, *x[1:]),  # key order
        lambda x: ({"W": a}, *x[1:]),  # keys
        lambda x: ({"W": a, "b": al.Tensor(np.ones((2, 1)))}, *x[1:]),  # a non-grad Tensor
        lambda x: ({"W": a, "b": np.ones((2, 1), int)}, *x[1:]),  # an int array
        lambda x: (x[0], al.Tensor(a), *x[2:]),  # requires_grad
        lambda x: (x[0], a, *x[2:]),  # an array for a Tensor
        lambda x: (x[0], al.Tensor(np.ones((2, 3, 1)), requires_grad=True), *x[2:]),
        lambda x: (x[0], x[1], 3.0, *x[3:]),  # a static value
        lambda x: (x[0], x[1], 2, *x[3:]),  # int for float
        lambda x: (*x[:3], [b, np.float32(1.0)], x[4]),  # a numpy number's type
        lambda x: (*x[:3], (b, np.float64(1.0)), x[4]),  # tuple for list
        lambda x: (*x[:3], [b], x[4]),  # length
        lambda x: (*x[:4], "other"),  # a string
        lambda x: x[:4],  # fewer arguments
    ]:
        out.append((base, change(base)))
    return out


@pytest.mark.parametrize("argnums", [None, (0, 1)])
def test_the_fast_argument_check_agrees_with_the_cache_key(argnums):
    """The guard of the last trace accepts exactly the arguments whose key is its key, and
    gives the same arrays to replay with."""
    def f(P, t, scale, pair, mode):
        return (P["W"] * scale).sum() + al.sum(t) + pair[0].sum() * pair[1]
    for n, (first, later) in enumerate(_variants()):
        same_kinds = n < 2
        step = al.compile(f, argnums=argnums)
        step(*first)
        entry = step._last
        assert entry.match is not None
        key, leaves = step._flatten(first)
        later_key, later_leaves = step._flatten(later)
        got = entry.match(later)
        # never a replay the key would not give (it may leave a rarer case to the cache:
        # a non-grad Tensor where an array was shares the trace but not the fast check),
        # but for the layout, which this f's code does not depend on (no reshape)
        assert not entry.layout
        assert got is None or later_key == key or n == LAYOUT, later
        if same_kinds:  # the same arguments, or new values of the same kinds: the fast check
            assert got is not None, later
        if got is not None:
            assert len(got) == len(later_leaves) and all(
                x is y for x, y in zip(got, later_leaves))


@pytest.mark.parametrize("reshapes", [False, True])
def test_a_new_layout_replays_as_eager_and_retraces_only_where_the_code_reads_it(reshapes):
    """The fast check reads strides only when the code depends on them: a reshape of an
    input is a view or a copy by its strides (16,300 -> 11,800 instructions on the flower's
    check without them). Either way the replay gives the eager bits on the new layout."""
    def cost(W, X):
        back = X.reshape((X.shape[1], X.shape[0])).T if reshapes else X
        return (al.tanh(W @ X) * back).sum()
    rng = np.random.default_rng(3)
    W, X = rng.standard_normal((3, 3)), rng.standard_normal((3, 5))
    step = al.compile(cost)
    for layout in (X, np.asfortranarray(X), np.ascontiguousarray(X.T).T, X * 2):
        assert_same(step(al.Tensor(W, requires_grad=True), layout),
                    eager(cost, al.Tensor(W, requires_grad=True), al.Tensor(layout)))
    assert step._last.layout is reshapes
    assert step.trace_count == (2 if reshapes else 1)  # C, then F (C again is cached)


def test_the_fast_check_leaves_odd_constants_and_keys_to_the_cache():
    """A Tensor as a constant (its == is elementwise), numpy numbers as dict keys (their hash
    and == disagree across types): the fast check steps aside, and the results are eager's."""
    x = np.ones(3)
    step = al.compile(lambda x, s: (x / s).sum(), static_argnums=1)
    for s in (al.Tensor(np.full(1, 2.0)), al.Tensor(np.full(1, 4.0)), al.Tensor(-np.zeros(1))):
        with np.errstate(divide="ignore"):
            assert same_bits(step(x, s)[0], (al.Tensor(x) / s).sum().data)
    assert step.trace_count == 3 and step._last.match is None

    def first_minus_twice_second(d):
        a, b = d.values()
        return a.sum() - 2 * b.sum()
    step = al.compile(first_minus_twice_second)
    big = 2.0 ** 53
    step({big: np.ones(2), np.int64(2**53 + 1): np.full(2, 10.0)})
    later = {np.int64(2**53 + 1): np.ones(2), np.float64(big): np.full(2, 10.0)}
    assert step(later)[0] == 2.0 - 40.0 and step._last.match is None


def test_the_cache_is_bounded_least_recently_used_first():
    step = al.compile(lambda x, scale: (x * x).sum() * scale, cache_size=3)
    with pytest.warns(UserWarning, match="4 traces, more than cache_size=3.*each new shape") \
            as caught:  # (a Python number that never changed is not blamed)
        for n in range(1, 6):
            step(al.Tensor(np.ones(n), requires_grad=True), 2.0)
    assert "Python number" not in str(caught[0].message)
    assert step.cache_info() == {"traces": 5, "cached": 3, "cache_size": 3}
    step(al.Tensor(np.ones(5), requires_grad=True), 2.0)  # the most recent: cached
    assert step.trace_count == 5
    step(al.Tensor(np.ones(1), requires_grad=True), 2.0)  # evicted long ago: traced again
    assert step.trace_count == 6 and step.cache_info()["cached"] == 3


def test_a_captured_tensor_written_later_makes_a_retrace():
    scale = al.Tensor(np.array([1.0, 2.0]))
    step = al.compile(lambda x: (x * scale).sum())
    x = al.Tensor(np.array([3.0, 4.0]), requires_grad=True)
    assert step(x)[0] == 11.0
    scale.data = np.array([10.0, 0.0])
    assert step(x)[0] == 30.0 and step.trace_count == 2


def test_gradient_structure_follows_the_arguments():
    def f(P, X, Y):
        return al.binary_cross_entropy_with_logits(P["W"] @ X + P["b"], Y)
    P = {"W": al.Tensor(np.full((1, 2), 0.1), requires_grad=True), "b": al.Tensor(np.zeros((1, 1)))}
    X, Y = np.ones((2, 5)), np.ones((1, 5))
    J, (dP, dX, dY) = al.compile(f)(P, X, Y)
    assert set(dP) == {"W", "b"} and dP["b"] is None and dX is None and dY is None
    J2, dW = al.compile(f, argnums=0)({"W": P["W"].data, "b": np.zeros((1, 1))}, X, Y)
    assert same_bits(J, J2) and same_bits(dP["W"], dW["W"]) and dW["b"].shape == (1, 1)
    value, (dx,) = al.compile(lambda x: (x.sum(), x * 2, {"n": x.shape}))(
        al.Tensor(np.ones(2), requires_grad=True))
    assert same_bits(value[1], np.full(2, 2.0)) and value[2] == {"n": (2,)}


def test_compiling_grad_and_value_and_grad_as_jax_jit_of_grad_gives_their_results():
    """al.compile(al.grad(cost)) is JAX's jit(grad(cost)): grad's results, bit for bit, on
    the first call and on later ones with new values, from one trace."""
    def cost(P, X, Y):
        A = al.sigmoid(P["W"] @ X + P["b"])
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / Y.shape[1]
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((3, 6)), (rng.random((1, 6)) > 0.5).astype(float)
    step, both = al.compile(al.grad(cost)), al.compile(al.value_and_grad(cost, argnums=(0, 1)))
    for _ in range(3):
        P = {"W": rng.standard_normal((1, 3)), "b": rng.standard_normal((1, 1))}
        got, want = step(P, X, Y), al.grad(cost)(P, X, Y)
        assert set(got) == {"W", "b"} and all(same_bits(got[n], want[n]) for n in got)
        (J, (dP, dX)), (eJ, (edP, edX)) = both(P, X, Y), al.value_and_grad(cost, (0, 1))(P, X, Y)
        assert same_bits(J, eJ) and same_bits(dX, edX) and same_bits(dP["W"], edP["W"])
    assert step.trace_count == both.trace_count == 1 and "dW = " in step.source
    with pytest.raises(TypeError, match="argnums is given to al.grad already"):
        al.compile(al.grad(cost), argnums=1)


@pytest.mark.parametrize("transform", [
    lambda f: al.jacobian(f), lambda f: al.hessian(f), lambda f: al.grad(f)])
def test_a_transform_inside_a_compiled_function_says_to_compile_the_cost(transform):
    def outer(x):
        return al.sum(transform(lambda v: al.sum(v ** 3))(x))
    with pytest.raises(al.TraceError, match=r"al.compile\(al.grad\(f\)\) the gradients"):
        al.compile(outer)(al.Tensor(np.ones(2), requires_grad=True))


def test_an_unreached_argument_gets_zeros_and_a_constant_cost_its_value():
    x, y = al.Tensor(np.ones(2), requires_grad=True), al.Tensor(np.ones(3), requires_grad=True)
    J, (dx, dy) = al.compile(lambda x, y: (x * 3).sum())(x, y)
    assert same_bits(dy, np.zeros(3)) and same_bits(dx, np.full(2, 3.0))
    J, (dx,) = al.compile(lambda x: al.Tensor(5.0))(x)
    assert J == 5.0 and same_bits(dx, np.zeros(2))


def test_returned_gradients_are_owned_arrays():
    def f(a, b):
        return (a + b).sum()  # both gradients come from one array in the walk
    a, b = (al.Tensor(np.ones((2, 2)), requires_grad=True) for _ in range(2))
    step = al.compile(f)
    _, (da, db) = step(a, b)
    da += 1
    assert same_bits(db, np.ones((2, 2)))
    _, (da2, _) = step(a, b)
    assert same_bits(da2, np.ones((2, 2)))


# ---- the source ------------------------------------------------------------------------------

def _run_source(step, *arrays):
    ns = dict(step.constants)
    exec(compile(step.source, "<al.compile source>", "exec"), ns)  # noqa: S102
    fn = ns[step.__name__]
    return fn(*arrays)


def test_source_compiles_and_runs_to_the_same_numbers():
    rng = np.random.default_rng(1)
    mask_scale = rng.random((3, 4))  # an array constant of the trace

    def cost(W, X, Y):
        A = al.leaky_relu(W @ X * mask_scale, 0.05)
        return ((A - Y) ** 2).mean() + al.logsumexp(A, axis=0).sum()
    W, X, Y = rng.standard_normal((3, 2)), rng.standard_normal((2, 4)), rng.random((3, 4))
    step = al.compile(cost)
    J, (dW, _, _) = step(al.Tensor(W, requires_grad=True), X, Y)
    value, (dW2, dX, dY) = _run_source(step, W, X, Y)
    assert same_bits(value, J) and same_bits(dW2, dW) and dX is None and dY is None


def test_reuse_is_shown_as_an_in_place_sum():
    step = al.compile(lambda x: (x * al.exp(x)).sum())
    step(al.Tensor(np.ones(3), requires_grad=True))
    assert re.search(r"^\s+dx \+= ", step.source, re.M), step.source


def test_constants_are_computed_once_but_returned_arrays_are_never_shared():
    step = al.compile(lambda x: (x * x).mean())
    step(al.Tensor(np.ones((2, 3)), requires_grad=True))
    head, body = step.source.split("\ndef ", 1)
    assert "dJ = np.float64(1.0)" in head and "np.full((2, 3)" in head, step.source
    assert "np.full" not in body
    # a big array's: a broadcast view, not 70,000 numbers held by the compiled function
    step(al.Tensor(np.ones((2, 35_000)), requires_grad=True))
    head, body = step.source.split("\ndef ", 1)
    assert "np.broadcast_to" in head and "np.full" not in step.source, step.source
    # a gradient that depends on no input: fresh arrays every call, never a shared constant
    constant = al.compile(lambda x: (3.0 * x).sum())
    x = al.Tensor(np.ones(4), requires_grad=True)
    _, (g1,) = constant(x)
    g1 += 100.0
    _, (g2,) = constant(x)
    assert g2 is not g1 and np.array_equal(g2, np.full(4, 3.0)), constant.source


# ---- exact peepholes (codegen._lift_constant_operands, _reuse_common, _drop_unit_factors) -----

@given(st.integers(1, 4), st.integers(2, 9), st.booleans(), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_peepholes_keep_the_eager_bits_on_new_values(n, m, fortran, by_axis, seed):
    """The trace checks its own inputs; the rewrites must hold for every later call too, in
    either layout, with the cost summed at once or over an axis first (whose broadcast
    gradient is a constant operand, lifted out of the function)."""
    rng = np.random.default_rng(seed)

    def cost(Z, Y):
        A = al.sigmoid(Z)
        loss = -(Y * al.log(A) + (1 - Y) * al.log(1 - A))
        return (loss.sum(axis=1).sum() if by_axis else loss.sum()) / Y.shape[1]
    step = al.compile(cost)
    for _ in range(3):
        Z = rng.standard_normal((n, m)) * 3
        Y = (rng.random((n, m)) > 0.5).astype(float)
        Y = np.asfortranarray(Y) if fortran else Y
        assert_same(step(al.Tensor(Z, requires_grad=True), Y),
                    eager(cost, al.Tensor(Z, requires_grad=True), al.Tensor(Y)))
    assert step.trace_count == 1
    head, body = step.source.split("\ndef ", 1)
    assert "1 - A\n" in body and body.count("1 - A") == 1, step.source  # reused, not redone
    assert ("np.broadcast_to" in head) == by_axis and "np.broadcast_to" not in body


def test_nan_and_inf_replay_to_nan_and_inf_where_eager_has_them():
    """A trace on finite values replayed on NaN and inf (and a trace on NaN itself): NaN in
    the same entries as eager (numpy does not fix which NaN), every other entry bit for bit."""
    def cost(Z, Y):
        return _learner_cost(al.sigmoid(Z), Y)
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    step = al.compile(cost)
    for Z in ([[0.3, -1.2, 2.0, 0.5]], [[np.nan, -1.2, np.inf, -np.inf]],
              [[-np.nan, 800.0, -800.0, 0.0]]):
        Z = np.array(Z)
        with np.errstate(all="ignore"):
            got = step(al.Tensor(Z, requires_grad=True), Y)
            want = eager(cost, al.Tensor(Z, requires_grad=True), al.Tensor(Y))
        assert_same(got, want)
    assert step.trace_count == 1
    nan_traced = al.compile(lambda x: al.binary_cross_entropy_with_logits(x, x))
    with np.errstate(all="ignore"):  # traced on NaN: its check must not call that a bug
        assert np.isnan(nan_traced(al.Tensor(np.array([[np.nan]]), requires_grad=True))[0])


def _learner_cost(A, Y):
    return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / Y.shape[1]


@pytest.mark.parametrize("dtypes", [("float64", "float64"), ("float32", "float32"),
                                    ("float32", "float64")])
def test_the_seed_of_one_multiplies_nothing_and_the_bits_stay(dtypes):
    def expr(a, b):
        return (a + b) * (b + 1)

    def args():
        return [al.Tensor(np.dtype(d).type(v), requires_grad=True) for d, v in zip(dtypes, (2, 3))]
    step = al.compile(expr)
    got = step(*args())
    assert_same(got, eager(expr, *args()))
    assert got[0].dtype == np.result_type(*dtypes)
    assert "dJ" not in step.source, step.source  # de/dc = d: "dt3 = t5", not "dJ * t5"
    for a, b in [(0.5, -1.0), (-0.0, 7.25), (1e308, 1e308)]:  # replays, the eager bits
        with np.errstate(all="ignore"):
            new = [al.Tensor(np.dtype(d).type(v), requires_grad=True)
                   for d, v in zip(dtypes, (a, b))]
            again = [al.Tensor(np.dtype(d).type(v), requires_grad=True)
                     for d, v in zip(dtypes, (a, b))]
            assert_same(step(*new), eager(expr, *again))
    assert step.trace_count == 1


def test_reuse_never_gives_one_array_two_names():
    import ast

    from autograd_lite.codegen import _reuse_common
    body = ast.parse("t = 1 - A\nd = 1 - A\nd += B\ne = (1 - A) * B\nA += C\n"
                     "f = (1 - A) * B\nreturn (t, d, e, f)").body
    out = ast.unparse(ast.Module(_reuse_common(body), []))
    # a whole right-hand side stays (d += B would write t), a part is reused, and nothing
    # is reused once what it read has changed
    assert out.splitlines() == ["t = 1 - A", "d = 1 - A", "d += B", "e = t * B", "A += C",
                                "f = (1 - A) * B", "return (t, d, e, f)"]


# ---- the course's formulas in the generated backward -------------------------------------------

def test_logistic_regression_backward_is_the_courses_dw_and_db():
    from nn import logistic
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    w, b = rng.standard_normal((3, 1)), 0.2
    step = al.compile(logistic.cost_engine)
    J, (dw, db, _, _) = step(al.Tensor(w, requires_grad=True), al.Tensor(b, requires_grad=True),
                             X, Y)
    src = step.source
    # dZ = (A - Y) / m, then dw = X dZ^T and db = sum(dZ)
    assert "dZ = (sigmoid(Z) - Y) * (dJ / 7)" in src, src
    assert re.search(r"dw = \(dZ @ X\.T\)\.T", src), src
    assert re.search(r"db = dZ\.sum\(", src), src
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    m = X.shape[1]
    np.testing.assert_allclose(dw, X @ (A - Y).T / m, rtol=1e-12)
    np.testing.assert_allclose(db, np.sum(A - Y) / m, rtol=1e-12)
    grads, cost = logistic.propagate(w, b, X, Y)
    np.testing.assert_allclose(J, cost, rtol=1e-12)


def test_L_layer_backward_is_the_courses_dW_equals_dZ_times_A_prev():
    rng = np.random.default_rng(2)
    dims = [5, 4, 3, 1]
    params = deep.initialize_parameters_deep(dims, seed=3)
    X, Y = rng.standard_normal((5, 9)), (rng.random((1, 9)) > 0.5).astype(float)
    step = al.compile(deep.L_model_cost_engine)
    J, (grads, _, _) = step({k: al.Tensor(v, requires_grad=True) for k, v in params.items()},
                            X, Y)
    src = step.source
    for l in (1, 2):
        assert re.search(rf"^\s+Z{l} = W{l} @ {'X' if l == 1 else f'A{l - 1}'} \+ b{l}$",
                         src, re.M), src
        assert re.search(rf"^\s+A{l} = np\.maximum\(Z{l}, 0\)$", src, re.M), src
        assert re.search(rf"^\s+dZ{l} = dA{l} \* \(Z{l} > 0\)$", src, re.M), src
        assert re.search(rf"^\s+db{l} = dZ{l}\.sum\(axis=1, keepdims=True\)$", src, re.M), src
    assert re.search(r"^\s+dW3 = dZ3 @ A2\.T$", src, re.M), src
    assert re.search(r"^\s+dW2 = dZ2 @ A1\.T$", src, re.M), src
    assert re.search(r"^\s+dW1 = dZ1 @ X\.T$", src, re.M), src
    assert re.search(r"^\s+dA2 = W3\.T @ dZ3$", src, re.M), src
    # no work for the data: X and Y require no gradient, so nothing computes dA0, dX or dY
    assert not re.search(r"\bd(X|Y|A0)\b", src) and src.count(" @ ") == 3 + 3 + 2, src
    AL, caches = deep.L_model_forward(X, params)
    hand = deep.L_model_backward(AL, Y, caches)
    for k in params:
        np.testing.assert_allclose(grads[k], hand["d" + k], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(J, deep.compute_cost(AL, Y), rtol=1e-12)


def test_learner_cost_form_shows_each_step_of_the_chain_rule():
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((2, 6)), (rng.random((1, 6)) > 0.5).astype(float)

    def flower(W1, b1, W2, b2, X, Y):
        m = X.shape[1]
        A1 = al.tanh(W1 @ X + b1)
        A2 = al.sigmoid(W2 @ A1 + b2)
        return -(Y * al.log(A2) + (1 - Y) * al.log(1 - A2)).sum() / m
    P = [rng.standard_normal((4, 2)), np.zeros((4, 1)), rng.standard_normal((1, 4)),
         np.zeros((1, 1))]
    step = al.compile(flower)
    args = [*fresh(P), X, Y]
    assert_same(step(*args), eager(flower, *fresh(P), X, Y))
    src = step.source
    # sigmoid's rule reads the cost's own 1 - A2 (computed once, _reuse_common)
    one_minus_a2 = re.search(r"^    (\w+) = 1 - A2$", src, re.M).group(1)
    for line in ("Z1 = W1 @ X + b1", "A1 = np.tanh(Z1)", "A2 = sigmoid(Z2)",
                 f"dZ2 = dA2 * A2 * {one_minus_a2}\n", "dW2 = dZ2 @ A1.T",
                 "dZ1 = dA1 * (1 - A1 * A1)", "dA2 += "):
        assert line in src, src
    assert src.count("1 - A2") == 1, src


# ---- memory and size ---------------------------------------------------------------------------

def test_memory_stays_flat_over_ten_thousand_replays():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((2, 50)), (rng.random((1, 50)) > 0.5).astype(float)
    P = {"W1": rng.standard_normal((4, 2)), "b1": np.zeros((4, 1)),
         "W2": rng.standard_normal((1, 4)), "b2": np.zeros((1, 1))}
    step = al.compile(deep.L_model_cost_engine, argnums=0, static_argnums=3)
    for _ in range(20):
        step(P, X, Y, "tanh")
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        J, grads = step(P, X, Y, "tanh")
        P = {k: v - 0.1 * grads[k] for k, v in P.items()}
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 20_000, f"{grown} bytes more after 10,000 replays"
    assert step.trace_count == 1


def test_a_long_chain_compiles_and_replays():
    def chain(x):
        y = x
        for i in range(3000):
            y = y + 0.1 if i % 3 == 0 else (y * 0.9 if i % 3 == 1 else al.tanh(y))
        return y
    step = al.compile(chain)
    x = al.Tensor(0.5, requires_grad=True)
    assert_same(step(x), eager(chain, al.Tensor(0.5, requires_grad=True)))


def test_the_readme_shows_the_code_that_its_example_generates(tmp_path):
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## al.compile")[1].split("\n## ")[0]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(example, str(tmp_path / "readme_example.py"), "exec"), namespace)  # noqa: S102
    assert namespace["step"].source == shown
    value, (dw, db, dX, dY) = namespace["step"](*(namespace[k] for k in ("w", "b", "X", "Y")))
    X, Y = namespace["X"], namespace["Y"]
    A = 1 / (1 + np.exp(-(namespace["w"].data.T @ X + namespace["b"].data)))
    np.testing.assert_allclose(dw, X @ (A - Y).T / 5, rtol=1e-12)
    np.testing.assert_allclose(db, np.sum(A - Y) / 5, rtol=1e-12)
    assert dX is None and dY is None


def test_an_array_read_from_outside_is_a_constant_of_the_trace_even_when_written_later():
    """The code read the global array itself, but 1 - Y computed from it while tracing: after
    Y[:] = ..., the replay mixed old and new labels (neither cost, and its gradient disagreed
    with its value)."""
    labels = np.array([[1.0, 0.0, 1.0]])

    def cost(Z):
        A = al.sigmoid(Z)
        return -(labels * al.log(A) + (1 - labels) * al.log(1 - A)).sum()
    Z = np.array([[0.3, -1.2, 2.0]])
    step = al.compile(cost)
    at_trace = eager(cost, al.Tensor(Z, requires_grad=True))
    assert_same(step(al.Tensor(Z, requires_grad=True)), at_trace)
    labels[:] = [[0.0, 1.0, 0.0]]
    assert_same(step(al.Tensor(Z, requires_grad=True)), at_trace)  # as JAX: the trace's


KEPT_OUTSIDE = {
    "appended to a list": lambda log: lambda x: (log.append(J := (x * x).sum()), J)[1],
    "an unused value appended": lambda log: lambda x: (log.append(x * 3), (x * x).sum())[1],
    "stored in a dict": lambda log: lambda x: (log.append({"A": (A := al.tanh(x))}),
                                               A.sum())[1],
    # the list is returned too, and is the caller's: a replay would not append to it
    "appended and returned": lambda log: lambda x: (log.append(J := (x * x).sum()), J, log)[1:],
}


@pytest.mark.parametrize("case", sorted(KEPT_OUTSIDE))
def test_a_tensor_made_inside_and_kept_outside_is_a_trace_error(case):
    # losses.append(J) inside a compiled step kept the first call's J (5.0) for ever: a
    # replay runs no Python, so the list never got the later ones
    log = []
    step = al.compile(KEPT_OUTSIDE[case](log), argnums=0)
    with pytest.raises(al.TraceError, match=r"while the function was recorded is kept outside "
                                            r"it \(in a (list|dict)\).*Return it as an extra"):
        step(np.arange(3.0))


def test_a_tensor_kept_on_an_object_is_a_trace_error_and_one_returned_is_not():
    class Model:
        def step(self, x):
            self.A = al.tanh(x)  # the course's caches, kept on the model
            return self.A.sum()
    with pytest.raises(al.TraceError, match=r"kept outside it \(in an object Model\)"):
        al.compile(Model().step)(al.Tensor(np.ones(3), requires_grad=True))

    def with_cache(x):  # returned, in containers made inside (one twice): fine
        cache = {"A": al.tanh(x), "more": [x * 2, (x * 3,)]}
        return cache["A"].sum(), cache, cache
    step = al.compile(with_cache)
    for v in (1.0, 2.0):
        (value, cache, _), (grad,) = step(al.Tensor(np.full(3, v), requires_grad=True))
        np.testing.assert_array_equal(cache["A"], np.tanh(np.full(3, v)))
        np.testing.assert_array_equal(cache["more"][1][0], np.full(3, 3 * v))
    assert step.trace_count == 1


def test_a_python_number_that_changes_every_call_is_warned_of_once_the_cache_overflows():
    """A decaying learning rate passed as a float traced on every call, silently (20 calls,
    20 traces); JAX takes it as an input. np.float64(lr) is one, a trace for all."""
    w = al.Tensor(np.ones(3), requires_grad=True)
    step = al.compile(lambda w, lr: (w * lr).sum())
    with pytest.warns(UserWarning, match=r"9 traces, more than cache_size=8.*argument 1 is a "
                                         r"Python number.*np.float64\(value\)") as caught:
        for i in range(20):
            step(w, 0.1 * 0.9 ** i)
    assert step.trace_count == 20 and len(caught) == 1  # said once
    step = al.compile(lambda w, lr: (w * lr).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [step(w, np.float64(0.1 * 0.9 ** i))[0] for i in range(20)]
    assert step.trace_count == 1 and values[3] == (np.ones(3) * (0.1 * 0.9 ** 3)).sum()


def test_a_tensor_made_by_an_op_while_recording_warns_that_the_gradient_stops_there():
    """step(t * 2) inside an eager graph gave t.grad without the compiled part's share
    ([288, 288, 288] for [432, 864, 1584]), silently."""
    f = lambda y: (y ** 3).sum()  # noqa: E731
    step = al.compile(f)
    x = np.array([1.0, 2.0, 3.0])
    t = al.Tensor(x, requires_grad=True)
    for _ in range(2):  # the first call (a trace) and a replay both warn
        with pytest.warns(al.CutOffWarning, match="argument 0 was made by 'multiply'"):
            value, _ = step(t * 2)
    assert value == f(al.Tensor(2 * x)).item()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step(t)  # a leaf: its gradient is what step returns
        step((t * 2).detach())  # the cut, said
        with al.no_grad():
            step(t * 2)  # nothing is recorded, so nothing is cut


def test_differentiating_a_compiled_function_says_to_differentiate_the_plain_one():
    step = al.compile(lambda y: (y ** 3).sum())
    for transform in (al.grad, al.value_and_grad):
        with pytest.raises(TypeError, match="differentiate the plain function"):
            transform(step)(np.array([1.0, 2.0]))


def test_a_compiled_function_inside_another_ones_trace_names_both_and_the_line():
    inner = al.compile(lambda y: (y ** 3).sum())

    def outer(y):
        return inner(y)[0] * 2

    with pytest.raises(al.TraceError, match=r"al.compile\(<lambda>\) was called inside the "
                       r"trace of al.compile\(outer\)(.|\n)*test_compile.py:\d+"):
        al.compile(outer)(al.Tensor(np.ones(2), requires_grad=True))


def test_the_source_says_what_the_arrays_it_reads_by_name_are():
    """Arrays a closure held, or an index, appear as c, c_2 with nothing in .source to say
    what they are: exec(source) alone raised NameError with no hint."""
    w = np.array([1.0, 2.0, 3.0])

    def f(x):
        return (x[[0, 2, 2]] * w[None, :]).sum()
    compiled = al.compile(f)
    compiled(al.Tensor(np.arange(9.0).reshape(3, 3), requires_grad=True))
    source = compiled.source
    assert "# arrays read while tracing (not literals: the compiled function's constants " \
           "holds them)" in source
    assert "#   c: array (1, 3) float64" in source and "c" in compiled.constants
    ns = dict(compiled.constants)
    exec(compile(source, "<source>", "exec"), ns)  # noqa: S102  (runs with what it names)


# ---- an outside tester's stale replays (a JAX user's habits), each silent before --------

def test_the_forgotten_sigmoid_is_caught_on_the_first_call_as_eagerly():
    def cost(w, X, Y):
        return al.binary_cross_entropy(w.T @ X, Y)  # logits given as probabilities
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 5)), np.array([[1.0, 0, 1, 1, 0]])
    w = al.Tensor(rng.standard_normal((3, 1)), requires_grad=True)
    with pytest.raises(ValueError, match="probabilities lie in"):
        cost(w, X, Y)
    with pytest.raises(ValueError, match="probabilities lie in"):
        al.compile(cost)(w, X, Y)  # gave (21.82, dw ~ 7e30)


@pytest.mark.parametrize("write", [
    lambda p, Z: p.__setitem__("Z", Z),  # params["Z1"] = Z1
    lambda p, Z: p.__setitem__("W", p["W"] * 1.0),  # an item replaced
    lambda p, Z: p.pop("W"),
])
def test_a_write_into_a_dict_argument_is_refused_not_lost(write):
    def f(p, X):
        Z = p["W"] @ X
        write(p, Z)
        return (Z * Z).sum()
    p = {"W": al.Tensor(np.ones((1, 2)), requires_grad=True)}
    with pytest.raises(al.TraceError, match=r"writes into its argument 'p' \(a dict"):
        al.compile(f)(p, np.ones((2, 3)))
    assert list(p) == ["W"]


def test_a_write_into_a_list_argument_is_refused_and_reading_one_is_fine():
    def forward(W, caches):
        caches.append(W * 2.0)  # the course's caches, passed in
        return (W * W).sum()
    W = al.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(al.TraceError, match=r"writes into its argument 'caches' \(a list"):
        al.compile(forward)(W, [])
    reads = al.compile(lambda Ws: sum((w * w).sum() for w in Ws))
    V = al.Tensor(np.full(2, 3.0), requires_grad=True)
    J, (grads,) = reads([W, V])
    assert J == 20.0 and [g.tolist() for g in grads] == [[2.0, 2.0], [6.0, 6.0]]


@pytest.mark.parametrize("strict", [lambda: np.errstate(divide="raise"), al.detect_anomaly])
def test_errstate_warnings_or_anomaly_set_inside_f_are_refused(strict):
    def f(x):
        try:
            with strict():
                y = al.log(x)
        except (FloatingPointError, al.AnomalyError):
            y = x * 0.0  # a value decides which branch: a replay of log(0) gave -inf
        return y.sum()
    assert al.value_and_grad(f)(np.array([0.0, 2.0]))[0] == 0.0
    with pytest.raises(al.TraceError, match=r"'log' ran under np.errstate, a warnings filter "
                                            r"or al.detect_anomaly\(\) that the function set"):
        al.compile(f, argnums=0)(np.array([1.0, 2.0]))
    with np.errstate(divide="raise"):  # set around the call: the replay runs under it too
        step = al.compile(lambda x: al.log(x).sum(), argnums=0)
        step(np.array([1.0, 2.0]))
        with pytest.raises(FloatingPointError):
            step(np.array([0.0, 2.0]))


def test_a_broadcast_array_argument_replays_the_bits_eager_gives():
    # Tensor() copies a stride-0 array as np.array does (Fortran order here), and its sum
    # adds in that order: the replay summed the raw array, 26 of 50 seeds a bit apart
    f = lambda x: (x * x).sum()  # noqa: E731
    step = al.compile(f, argnums=0)
    rng = np.random.default_rng(1)
    for i in range(40):
        x = (np.broadcast_to(rng.standard_normal((1, 8)), (8, 8)) if i % 2
             else rng.standard_normal((8, 8)))  # the guard of the last call sees each kind
        (J, dx), (J0, dx0) = step(x), al.value_and_grad(f)(x)
        assert same_bits(J, J0) and same_bits(dx, dx0)


def test_a_python_number_at_argnums_is_differentiated_as_value_and_grad_does():
    def f(w, X, lam):
        return ((w * X).sum() ** 2) * lam
    w, X = al.Tensor(np.ones(3), requires_grad=True), np.arange(3.0)
    step = al.compile(f, argnums=2)
    for lam in (0.5, 2, np.int64(3), np.float32(0.25)):
        J, dlam = step(w, X, lam)
        J0, dlam0 = al.value_and_grad(f, argnums=2)(w.detach(), X, lam)
        assert J == J0 and dlam == dlam0 == 9.0 and np.asarray(dlam).dtype == dlam0.dtype
    assert np.asarray(step(w, X, np.float32(0.25))[1]).dtype == np.float32  # its own dtype


def test_a_new_axis_of_one_is_not_taken_for_a_broadcast_array():
    b = np.arange(3.0)[:, None]  # a stride 0 on its axis of 1: an ordinary view
    step = al.compile(lambda x: (x * x).sum(), argnums=0)
    for _ in range(3):
        assert step(b)[0] == 5.0
    assert step.trace_count == 1


def test_static_tuples_of_other_types_are_other_traces():
    step = al.compile(lambda x, i: x[i].sum(), static_argnums=1)
    x = al.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for index, total in [((1,), 7.0), ((True,), 10.0), ((1,), 7.0), ((True,), 10.0)]:
        assert step(x, index)[0] == total == x[index].sum().item()
    assert step.trace_count == 2


def test_a_warnings_filter_set_inside_f_is_refused_too():
    # a second review: a filter set by f and caught as control flow replayed log(0) as -inf
    def f(x):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                y = al.log(x)
        except RuntimeWarning:
            y = x * 0.0
        return y.sum()
    assert al.value_and_grad(f)(np.array([0.0, 2.0]))[0] == 0.0
    with pytest.raises(al.TraceError, match=r"(?s)a warnings filter .*another thread"):
        al.compile(f, argnums=0)(np.array([1.0, 2.0]))


def test_a_bool_at_argnums_is_taken_as_value_and_grad_takes_it():
    f = lambda x, s: (x * s * 5.0).sum()  # noqa: E731
    x = np.ones(1)
    for s in (True, np.bool_(True)):
        J, ds = al.compile(f, argnums=1)(x, s)
        assert (J, ds) == (5.0, 5.0) == (al.value_and_grad(f, argnums=1)(x, s)[0], 5.0)
