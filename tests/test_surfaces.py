"""One registry drives every surface: for each op in ``al.OPS``, every way to reach it that
the registry documents (``al.f(t)``, ``t.f()``, ``np.f(t)``, the operator, the command
line's expressions) gives the same value and the same gradient as ``al.f``. A new op
without a sample here, or a surface that does not work, fails."""

import inspect

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.expr import FUNCTIONS as CLI_FUNCTIONS
from autograd_lite.expr import GRAMMAR_OPS, evaluate
from autograd_lite.specs import SPECS_BY_PRIMITIVE

RNG = np.random.default_rng(7)
X = RNG.uniform(0.5, 2.0, (3, 4))
Y = RNG.uniform(0.5, 2.0, (3, 4))
P = RNG.uniform(0.1, 0.9, (3, 4))
LABELS = RNG.uniform(0.0, 1.0, (3, 4))
M = RNG.uniform(0.5, 2.0, (4, 2))
MASK = RNG.random((3, 4)) > 0.5

# name -> (inputs that get gradients, extra positional args, keyword args, CLI text or None).
# In the CLI text the inputs are called a and b.
SAMPLES = {
    "add": ([X, Y], [], {}, "a + b"),
    "subtract": ([X, Y], [], {}, "a - b"),
    "multiply": ([X, Y], [], {}, "a * b"),
    "divide": ([X, Y], [], {}, "a / b"),
    "negative": ([X], [], {}, "-a"),
    "power": ([X, Y], [], {}, "a ** b"),
    "remainder": ([3 * X, Y], [], {}, None),
    "exp": ([X], [], {}, "exp(a)"),
    "log": ([X], [], {}, "log(a)"),
    "log1p": ([X], [], {}, "log1p(a)"),
    "expm1": ([X], [], {}, "expm1(a)"),
    "sqrt": ([X], [], {}, "sqrt(a)"),
    "square": ([X], [], {}, "square(a)"),
    "reciprocal": ([X], [], {}, "reciprocal(a)"),
    "abs": ([X - 1.25], [], {}, "abs(a)"),
    "tanh": ([X], [], {}, "tanh(a)"),
    "sin": ([X], [], {}, "sin(a)"),
    "cos": ([X], [], {}, "cos(a)"),
    "sigmoid": ([X], [], {}, "sigmoid(a)"),
    "relu": ([X - 1.25], [], {}, "relu(a)"),
    "leaky_relu": ([X - 1.25], [0.1], {}, "leaky_relu(a, slope=0.1)"),
    "maximum": ([X, Y], [], {}, "maximum(a, b)"),
    "minimum": ([X, Y], [], {}, "minimum(a, b)"),
    "clip": ([X], [0.8, 1.5], {}, "clip(a, 0.8, 1.5)"),
    "logaddexp": ([X, Y], [], {}, "logaddexp(a, b)"),
    "where": ([X, Y], [], {}, None),
    "binary_cross_entropy": ([P, LABELS], [], {}, "binary_cross_entropy(a, b)"),
    "binary_cross_entropy_with_logits": ([X, LABELS], [], {},
                                         "binary_cross_entropy_with_logits(a, b)"),
    "sum": ([X], [], {"axis": 1, "keepdims": True}, "sum(a, axis=1, keepdims=True)"),
    "mean": ([X], [], {"axis": 0}, "mean(a, axis=0)"),
    "var": ([X], [], {"axis": 1}, "var(a, axis=1)"),
    "std": ([X], [], {"axis": 0, "keepdims": True}, "std(a, axis=0, keepdims=True)"),
    "max": ([X], [], {"axis": 1}, "max(a, axis=1)"),
    "min": ([X], [], {"axis": 0, "keepdims": True}, "min(a, axis=0, keepdims=True)"),
    "norm": ([X], [], {"axis": 1}, "norm(a, axis=1)"),
    "prod": ([X], [], {"axis": 1, "keepdims": True}, "prod(a, axis=1, keepdims=True)"),
    "cumsum": ([X], [], {"axis": 1}, "cumsum(a, axis=1)"),
    "logsumexp": ([X], [], {"axis": 1}, "logsumexp(a, axis=1)"),
    "softmax": ([X], [], {"axis": 0}, "softmax(a, axis=0)"),
    "log_softmax": ([X], [], {"axis": 1}, "log_softmax(a, axis=1)"),
    "matmul": ([X, M], [], {}, "a @ b"),
    "dot": ([X, M], [], {}, None),
    "outer": ([X[0], M[:, 0]], [], {}, None),
    "einsum": ([X, M], [], {}, None),
    "reshape": ([X], [(4, 3)], {}, None),
    "flatten": ([X], [], {}, None),
    "transpose": ([X], [], {}, None),
    "swapaxes": ([X], [0, 1], {}, None),
    "expand_dims": ([X], [1], {}, None),
    "squeeze": ([X[:1]], [], {}, None),
    "broadcast_to": ([X[:1]], [(3, 4)], {}, None),
    "astype": ([X], [np.float32], {}, None),
    "getitem": ([X], [(slice(0, 2), [0, 3])], {}, None),
    "concatenate": ([X, Y], [], {}, None),
    "stack": ([X, Y], [], {}, None),
    "hstack": ([X, Y[:, :2]], [], {}, None),
    "vstack": ([X, Y[0]], [], {}, None),
    "tile": ([X], [(2, 1, 3)], {}, None),
}
SEQUENCE_OPS = {"concatenate", "stack", "hstack", "vstack"}  # take their inputs as one list
OPERATORS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "**": lambda a, b: a ** b, "@": lambda a, b: a @ b,
    "%": lambda a, b: a % b,
    "-x": lambda a: -a, "abs(x)": lambda a: abs(a), ".T": lambda a: a.T,
    "x[i]": lambda a, index: a[index],
}


def test_every_op_has_a_sample():
    assert set(SAMPLES) == set(al.OPS), "add a sample for each new op (and remove old ones)"


def test_every_op_is_exported_under_its_name():
    for name, op in al.OPS.items():
        assert getattr(al, name) is op.function and name in al.__all__


def _call(op, surface, tensors, extra, kwargs):
    if op.name in SEQUENCE_OPS:
        return surface(tensors, *extra, **kwargs)
    if op.name == "where":
        return surface(MASK, *tensors, *extra, **kwargs)
    if op.name == "einsum":  # its subscripts come first
        return surface("ij,jk->ik", *tensors, *extra, **kwargs)
    return surface(*tensors, *extra, **kwargs)


def _value_and_grads(op, surface, extra=None):
    """The surface applied to fresh Tensors, and the gradient of a weighted sum of it."""
    inputs, sample_extra, kwargs, _ = SAMPLES[op.name]
    extra = sample_extra if extra is None else extra
    tensors = [al.Tensor(x, requires_grad=True) for x in inputs]
    out = _call(op, surface, tensors, extra, kwargs)
    assert isinstance(out, al.Tensor), f"{op.name}: got {type(out).__name__}"
    weights = np.random.default_rng(0).uniform(0.5, 1.5, out.shape)
    (out * weights).sum().backward()
    return out.data, [t.grad for t in tensors]


def _same(op, surface_name, got, want):
    value, grads = got
    np.testing.assert_allclose(value, want[0], rtol=1e-12, atol=1e-12,
                               err_msg=f"{op.name} via {surface_name}: value")
    for i, (g, w) in enumerate(zip(grads, want[1])):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{op.name} via {surface_name}: gradient {i}")


# PyTorch's spelling -> (its arguments after the tensor(s), its keywords, the registry op's
# extra arguments it stands for, where they are not the op's sample's)
TORCH_FORMS = {
    "t.add": ((), {}, None), "t.sub": ((), {}, None), "t.mul": ((), {}, None),
    "t.div": ((), {}, None), "t.neg": ((), {}, None), "t.pow": ((), {}, None),
    "t.remainder": ((), {}, None), "t.outer": ((), {}, None),
    "t.matmul": ((), {}, None), "t.mm": ((), {}, None), "t.ravel": ((), {}, None),
    "t.clamp": ((), {"min": 0.8, "max": 1.5}, None),
    "t.view": ((4, 3), {}, None), "t.permute": ((1, 0), {}, None), "t.t": ((), {}, None),
    "t.unsqueeze": ((), {"dim": 1}, None), "t.expand": ((3, -1), {}, None),
    "t.float": ((), {}, None), "t.double": ((), {}, [np.float64]),
    "t.clone": ((), {}, [np.float64]), "al.cat": ((), {"dim": 0}, None),
    "t.amax": ((), {"dim": 1}, None), "t.amin": ((0,), {"keepdim": True}, None),
}


def test_every_pytorch_name_has_a_sample():
    names = {name for op in al.OPS.values() for name in op.torch}
    assert set(TORCH_FORMS) == names, "add a PyTorch form for each new PyTorch name"


SURFACES = [(name, kind) for name, op in al.OPS.items()
            for kind in ["method"] * bool(op.method) + ["operator"] * bool(op.operator)
            + [f"numpy:{f.__name__}" for f in op.numpy] + ["cli"] * op.cli
            + [f"torch:{t}" for t in op.torch]]


@pytest.mark.parametrize("name,kind", SURFACES, ids=[f"{n}-{k}" for n, k in SURFACES])
def test_each_documented_surface_matches_the_function(name, kind):
    op = al.OPS[name]
    if kind.startswith("torch:"):
        _pytorchs_form_matches(op, kind[6:])
        return
    want = _value_and_grads(op, op.function)
    if kind == "method":
        def surface(first, *rest, **kw):
            return getattr(first, op.method)(*rest, **kw)
    elif kind == "operator":
        surface = OPERATORS[op.operator]
    elif kind.startswith("numpy:"):
        surface = next(f for f in op.numpy if f.__name__ == kind[6:])
    else:
        text = SAMPLES[name][3]
        assert text is not None, f"{name} is in the CLI's language but has no CLI sample"

        def surface(*tensors, **_):
            return evaluate(text, dict(zip("ab", tensors)))
    _same(op, kind, _value_and_grads(op, surface), want)


def _pytorchs_form_matches(op, spelling):
    """``t.clamp(min=0.8, max=1.5)`` gives the value and gradient of ``al.clip(t, 0.8, 1.5)``,
    ``al.cat(ts, dim=0)`` those of ``al.concatenate(ts, 0)``, ..."""
    args, kwargs, stands_for = TORCH_FORMS[spelling]
    where, name = spelling.split(".")
    if where == "t":
        def surface(first, *rest, **_):
            return getattr(first, name)(*rest, *args, **kwargs)
    else:
        def surface(*inputs, **_):  # (a sequence op's list is one input)
            return getattr(al, name)(*inputs, *args, **kwargs)
    want = _value_and_grads(op, op.function, stands_for)
    got = _value_and_grads(op, lambda *t, **kw: surface(*t), [])
    assert got[0].dtype == want[0].dtype, f"{spelling}: dtype {got[0].dtype}"
    _same(op, spelling, got, want)


def test_the_cli_language_is_exactly_the_registrys():
    cli = {name for name, op in al.OPS.items() if op.cli}
    assert set(CLI_FUNCTIONS) | GRAMMAR_OPS == cli and not set(CLI_FUNCTIONS) & GRAMMAR_OPS


def test_readme_operations_table_is_generated_from_the_registry():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_docs", root / "docs" / "make_docs.py")
    make_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_docs)
    readme = (root / "README.md").read_text()
    start, end = "<!-- ops:start -->\n", "<!-- ops:end -->"
    assert start in readme, "README.md lacks the generated operations table"
    table = readme.split(start, 1)[1].split(end, 1)[0]
    assert table.strip() == make_docs.operations_table().strip(), \
        "README's operations table is stale: run python docs/make_docs.py"


# ---- an operator with a plain operand on either side -------------------------------------------

BINARY = ["+", "-", "*", "/", "**", "@"]


def _plain_operands(symbol):
    x, y = (X, M) if symbol == "@" else (X, Y)
    return x, y


MIXED = [(symbol, plain, side) for symbol in BINARY
         for plain in (["array"] if symbol == "@" else ["array", "numpy number", "float"])
         for side in ("left", "right")]


@pytest.mark.parametrize("symbol,plain,side", MIXED, ids=["-".join(c) for c in MIXED])
def test_an_operator_with_a_plain_operand_is_the_op_on_a_constant(symbol, plain, side):
    """``Y * log(A)`` (Y an array: numpy hands it to Tensor.__array_ufunc__), ``2.0 * t``,
    ``t * Y``: the value and gradient of the op with that operand as a constant Tensor."""
    op = OPERATORS[symbol]
    x, y = _plain_operands(symbol)
    other = {"array": x if side == "left" else y, "numpy number": np.float64(1.5),
             "float": 1.5}[plain]
    mine = al.Tensor(y if side == "left" else x, requires_grad=True)
    got = op(other, mine) if side == "left" else op(mine, other)
    ref_mine = al.Tensor(mine.data.copy(), requires_grad=True)
    ref = op(al.Tensor(other), ref_mine) if side == "left" else op(ref_mine, al.Tensor(other))
    assert type(got) is al.Tensor and got.requires_grad and got.op == ref.op
    weights = RNG.uniform(0.5, 1.5, ref.shape)
    (got * weights).sum().backward()
    (ref * weights).sum().backward()
    np.testing.assert_array_equal(got.data, ref.data)
    np.testing.assert_array_equal(mine.grad, ref_mine.grad)


# the primitives users call with one or two inputs (where's first input is a condition)
PRIMITIVE_OPS = [name for name, op in al.OPS.items() if op.primitive
                 and name not in ("where", "einsum")  # (einsum's first input: subscripts)
                 and op.family in ("arithmetic", "elementwise", "linear algebra")]


@pytest.mark.parametrize("name", PRIMITIVE_OPS)
def test_a_primitives_function_gives_what_its_primitive_gives(name):
    """``al.tanh`` is a plain function (calling the Primitive object costs more), with the
    primitive's inputs as parameters and a docstring. On Tensors it records the same op,
    with the same bits and gradients as the registry's Primitive; on plain numbers, lists
    and arrays it gives a float64 Tensor that does not require grad, as the Primitive does."""
    op, prim = al.OPS[name], al.PRIMITIVES[name]
    assert op.function.primitive is prim and op.function.__doc__
    assert list(inspect.signature(op.function).parameters) == ["x", "y"][:prim.arity]
    got, want = _value_and_grads(op, op.function), _value_and_grads(op, prim)
    np.testing.assert_array_equal(got[0], want[0])
    for g, w in zip(got[1], want[1]):
        np.testing.assert_array_equal(g, w)
    inputs = SAMPLES[name][0]
    numpy_ref = SPECS_BY_PRIMITIVE[name].reference  # numpy's own function (sigmoid: 1/(1+e^-x))
    for plain in (inputs, [x.tolist() for x in inputs], [float(x.flat[0]) for x in inputs]):
        if name == "matmul" and type(plain[0]) is float:
            continue  # matmul takes no scalars (numpy's rule)
        out, ref = op.function(*plain), prim(*plain)
        assert type(out) is al.Tensor and out.dtype == np.float64 and not out.requires_grad
        np.testing.assert_array_equal(out.data, ref.data)
        np.testing.assert_allclose(out.data, numpy_ref(*(np.asarray(x) for x in plain)),
                                   rtol=1e-14, err_msg=f"{name} on {type(plain[0]).__name__}s")
    if prim.arity == 2:  # a Tensor on either side of a plain array
        t = al.Tensor(inputs[0], requires_grad=True)
        out = op.function(t, inputs[1])
        np.testing.assert_array_equal(out.data, prim(inputs[0], inputs[1]).data)
        assert out.requires_grad
        out = op.function(inputs[0], al.Tensor(inputs[1], requires_grad=True))
        assert out.requires_grad and out._op is prim


def test_primitive_functions_on_plain_numbers_follow_numpy():
    assert al.add(1, 2).dtype == np.float64 and al.add(1, 2).item() == 3.0
    with np.errstate(divide="ignore"):
        assert al.divide(1, 0).item() == np.inf  # numpy's rule, not ZeroDivisionError
    assert al.power(2, -1).item() == 0.5  # not numpy's integer power error
    assert al.negative(True).item() == -1.0
    with pytest.raises(TypeError, match=r"add\(\) missing 1 required positional argument"):
        al.add(al.Tensor(1.0))


@pytest.mark.parametrize("name", list(al.OPS))
def test_every_op_takes_lists_and_arrays_as_tensors(name):
    """A learner's first call is often al.f([1, 2], [3, 4]): lists and arrays are taken as
    Tensor() takes them (no list concatenation or repetition from Python's + and *)."""
    op = al.OPS[name]
    inputs, extra, kwargs, _ = SAMPLES[name]
    want = _call(op, op.function, [al.Tensor(x) for x in inputs], extra, kwargs)
    for plain in ([x.tolist() for x in inputs], list(inputs)):
        got = _call(op, op.function, plain, extra, kwargs)
        assert type(got) is al.Tensor and got.shape == want.shape
        np.testing.assert_array_equal(got.data, want.data, err_msg=f"{name} on {plain[0]!r}")


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.bool_])
@pytest.mark.parametrize("name", list(al.OPS))
def test_int_and_bool_arrays_compute_as_tensors_of_them(name, dtype):
    """Tensor() makes int and bool data float64; an op given such arrays (and no Tensor)
    computes the same, not in the array's own dtype (a uint8 sigmoid gave 0, uint8 200 + 100
    gave 44, uint8 exp a float16)."""
    op = al.OPS[name]
    inputs, extra, kwargs, _ = SAMPLES[name]
    scale = 1 if name == "binary_cross_entropy" else 3  # (its p: probabilities, 0 or 1)
    ints = [np.round(x * scale).astype(dtype) for x in inputs]
    with np.errstate(all="ignore"):
        want = _call(op, op.function, [al.Tensor(x) for x in ints], extra, kwargs)
        got = _call(op, op.function, ints, extra, kwargs)
    assert got.dtype == want.dtype and got.dtype.kind == "f"  # (astype's is its own)
    np.testing.assert_array_equal(got.data, want.data, err_msg=f"{name} on {np.dtype(dtype)}")


def test_plain_ints_as_a_learner_meets_them():
    image = np.array([1, 2, 12, 200], np.uint8)  # pixel values, before dividing by 255
    np.testing.assert_allclose(al.sigmoid(image).data, 1 / (1 + np.exp(-image.astype(float))))
    assert al.exp(np.array([12], np.uint8)).item() == pytest.approx(np.exp(12.0))
    assert al.add(np.array([200], np.uint8), np.array([100], np.uint8)).item() == 300.0
    assert al.power(np.array([3_000_000]), 3).item() == pytest.approx(2.7e19)  # no int64 wrap
    assert al.power(np.int64(2), -1).item() == 0.5 and al.exp(np.uint8(3)).dtype == np.float64
    assert al.add(np.array([True]), np.array([True])).item() == 2.0


A = np.array  # the reference: the same form with each list an array, written by hand
LIST_FORMS = [
    (lambda t: t ** [1.0, 2.0], lambda t: t ** A([1.0, 2.0])),
    (lambda t: [1.0, 2.0] ** t, lambda t: A([1.0, 2.0]) ** t),
    (lambda t: t @ [[1.0], [2.0]], lambda t: t @ A([[1.0], [2.0]])),
    (lambda t: [[1.0, 2.0]] @ t, lambda t: A([[1.0, 2.0]]) @ t),
    (lambda t: t * [1, 2], lambda t: t * A([1.0, 2.0])),
    (lambda t: (1, 2) - t, lambda t: A([1.0, 2.0]) - t),
    (lambda t: al.maximum([1.5, 1.5], t), lambda t: al.maximum(A([1.5, 1.5]), t)),
]


@pytest.mark.parametrize("i", range(len(LIST_FORMS)))
def test_a_list_next_to_a_tensor_is_an_array_forward_and_backward(i):
    """t ** [1., 2.] and [[1., 2.]] @ t computed right but kept the list for backward,
    which then failed."""
    with_list, with_array = LIST_FORMS[i]
    t, u = al.Tensor([1.0, 2.0], requires_grad=True), al.Tensor([1.0, 2.0], requires_grad=True)
    got, want = with_list(t), with_array(u)
    np.testing.assert_array_equal(got.data, want.data)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_array_equal(t.grad, u.grad)


def test_a_0d_tensor_times_a_list_multiplies():
    scalar = al.Tensor(2.0)  # its data is a numpy number, which repeats a list it multiplies
    for product in (scalar * [1, 2], [1, 2] * scalar, al.multiply([1, 2], scalar)):
        np.testing.assert_array_equal(product.data, [2.0, 4.0])


def test_a_list_of_tensors_is_refused_not_cut_off():
    a, b = al.Tensor(1.0, requires_grad=True), al.Tensor(2.0, requires_grad=True)
    for call in (lambda: al.multiply([a, b], 3.0), lambda: al.tanh([a, b]),
                 lambda: al.add([[a], [b]], 1.0), lambda: a * [a, b]):
        with pytest.raises(TypeError, match=r"a list of Tensors .* al\.stack"):
            call()
    np.testing.assert_array_equal(al.stack([a, b]).data, [1.0, 2.0])  # the way that keeps grads


def test_a_custom_op_takes_data_as_built_in_ops_do_and_parameters_by_keyword():
    """Positional inputs are data for every op, a custom one too: lists and int arrays are
    float arrays (a custom x + y joined two lists, x * x on uint8 wrapped); parameters such
    as a shape go by keyword and reach the forward untouched."""
    cadd = al.custom_op(lambda x, y: x + y, lambda g, a, x, y: g, lambda g, a, x, y: g)
    np.testing.assert_array_equal(cadd([1.0, 2.0], [3.0, 4.0]).data, [4.0, 6.0])
    square = al.custom_op(lambda x: x * x, lambda g, a, x: 2 * x * g, name="square")
    assert square(np.array([200], np.uint8)).item() == 40000.0
    tile = al.custom_op(lambda x, *, shape: np.broadcast_to(x, shape).copy(),
                        lambda g, ans, x, *, shape: g.sum(axis=0), name="tile")
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    out = tile(x, shape=(3, 2))
    assert out.shape == (3, 2)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    with pytest.raises(TypeError, match="cadd|<lambda>|custom"):
        cadd(x, [x, x])


@pytest.mark.parametrize("call", [
    lambda a, b: al.binary_cross_entropy([a, b], [1.0, 0.0]),
    lambda a, b: al.min([a, b]), lambda a, b: al.minimum([a, b], 0.0),
    lambda a, b: al.logsumexp([a, b]), lambda a, b: al.softmax([a, b]),
    lambda a, b: al.maximum([[a], [b]], 0.0), lambda a, b: al.sum([a, b]),
], ids=["bce", "min", "minimum", "logsumexp", "softmax", "nested", "sum"])
def test_a_list_of_tensors_is_refused_by_composites_too(call):
    a, b = al.Tensor(0.9, requires_grad=True), al.Tensor(0.2, requires_grad=True)
    with pytest.raises(TypeError, match=r"a list of Tensors .* al\.stack"):
        call(a, b)


def test_a_bad_list_names_the_op():
    with pytest.raises(TypeError, match=r"^exp: .*cannot|^exp: .*not real"):
        al.exp(["a"])
    with pytest.raises(TypeError, match=r"^multiply: "):
        al.Tensor([1.0, 2.0]) * [1, None]


@pytest.mark.parametrize("i", range(len(LIST_FORMS)))
def test_a_list_operand_stands_as_its_array_in_the_graph(i):
    """Backward with create_graph, al.compile and the diagrams read the op's inputs: the
    list is the array there too (they failed on the raw list)."""
    with_list, with_array = LIST_FORMS[i]
    t, u = al.Tensor([1.0, 2.0], requires_grad=True), al.Tensor([1.0, 2.0], requires_grad=True)
    y, z = with_list(t).sum(), with_array(u).sum()
    y.backward(create_graph=True)
    z.backward(create_graph=True)
    np.testing.assert_array_equal(t.grad.data, u.grad.data)
    assert "digraph" in al.draw(y).source
    x32 = al.Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    step = al.compile(lambda v: with_list(v).sum())
    value, (grad,) = step(x32)
    eager = with_list(al.Tensor(np.float32([1.0, 2.0]), requires_grad=True))
    assert value.dtype == eager.dtype and np.array_equal(value, eager.sum().data)


def test_a_float32_tensor_times_a_bool_list_compiles():
    f = al.compile(lambda t: al.sum(t * [True, False]))
    value, (grad,) = f(al.Tensor(np.float32([1, 2]), requires_grad=True))
    assert value == 1.0 and grad.tolist() == [1.0, 0.0]


TWO_INPUT_OPS = [name for name, op in al.OPS.items() if len(SAMPLES[name][0]) == 2
                 and name not in ("matmul", "dot", "where", "einsum", *SEQUENCE_OPS)]


@pytest.mark.parametrize("name", TWO_INPUT_OPS)
def test_a_float32_tensor_with_a_python_number_stays_float32(name):
    """numpy's rule for Python numbers (weak: float32 with 0.5 stays float32), for the
    composites too (al.minimum and binary_cross_entropy made the number a float64 Tensor)."""
    op = al.OPS[name]
    inputs, extra, kwargs, _ = SAMPLES[name]
    t = al.Tensor(inputs[0].astype(np.float32), requires_grad=True)
    out = op.function(t, 0.5, *extra, **kwargs)
    out.sum().backward()
    assert out.dtype == np.float32 and t.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_binary_cross_entropy_is_finite_at_p_0_and_1_in_every_float_dtype(dtype):
    """p is clipped to [eps, 1 - eps] of its own dtype: float32's eps left float16's
    1 - p at 0, and the cost at inf."""
    p, y = np.array([1.0, 0.0], dtype), np.array([0.0, 1.0], dtype)
    cost = al.binary_cross_entropy(al.Tensor(p, requires_grad=True), y)
    assert cost.dtype == dtype and np.isfinite(cost.item()) and cost.item() > 5


# ---- operands numpy would treat in their own way ------------------------------------------------

def _matrix(x):
    return np.matrix(x) if isinstance(x, np.ndarray) and x.ndim == 2 else x


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("name", list(al.OPS))
def test_every_op_takes_a_matrix_as_the_array_it_holds(name):
    """np.matrix's * and ** are matrix products and powers: t * M gave t @ M, silently.
    A matrix is taken as Tensor() takes it, a plain 2-D array, by every op."""
    op = al.OPS[name]
    inputs, extra, kwargs, _ = SAMPLES[name]
    want = _call(op, op.function, [al.Tensor(x) for x in inputs], extra, kwargs)
    got = _call(op, op.function, [_matrix(x) for x in inputs], extra, kwargs)
    assert type(got) is al.Tensor and type(got.data) is not np.matrix
    np.testing.assert_array_equal(got.data, want.data, err_msg=name)


MATRIX_SIDES = [(symbol, side) for symbol in BINARY for side in ("left", "right")
                if (symbol, side) != ("**", "left")]  # M ** t: np.matrix's own matrix_power


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("symbol,side", MATRIX_SIDES, ids=["-".join(c) for c in MATRIX_SIDES])
def test_an_operator_with_a_matrix_operand_is_elementwise_as_with_its_array(symbol, side):
    op = OPERATORS[symbol]
    x, y = _plain_operands(symbol)
    matrix = np.matrix(x if side == "left" else y)
    mine, ref_mine = (al.Tensor(y if side == "left" else x, requires_grad=True)
                      for _ in range(2))
    got = op(matrix, mine) if side == "left" else op(mine, matrix)
    plain = np.asarray(matrix)
    ref = op(plain, ref_mine) if side == "left" else op(ref_mine, plain)
    np.testing.assert_array_equal(got.data, ref.data)
    got.sum().backward()
    ref.sum().backward()
    np.testing.assert_array_equal(mine.grad, ref_mine.grad)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
def test_writing_a_matrix_in_place_is_elementwise():
    t, u = al.Tensor(X[:, :3].copy()), al.Tensor(X[:, :3].copy())
    t *= np.matrix(Y[:, :3])
    u *= Y[:, :3]
    np.testing.assert_array_equal(t.data, u.data)


COMPLEX_CALLS = {
    "Tensor()": lambda t, z: al.Tensor(z),
    "t * z": lambda t, z: t * z,
    "z * t": lambda t, z: z * t,
    "t ** z": lambda t, z: t ** z,
    "al.add(t, z)": lambda t, z: al.add(t, z),
    "al.exp(z)": lambda t, z: al.exp(z),
    "al.maximum(t, z)": lambda t, z: al.maximum(t, z),
    "al.binary_cross_entropy(t, z)": lambda t, z: al.binary_cross_entropy(t * 0.1, z),
    "al.where(mask, t, z)": lambda t, z: al.where(MASK[0, :2], t, z),
    "t += z": lambda t, z: t.__iadd__(z),
    "t[:] = z": lambda t, z: t.__setitem__(slice(None), z),
}


@pytest.mark.parametrize("form", list(COMPLEX_CALLS))
@pytest.mark.parametrize("z", [1 + 2j, np.array([1 + 2j, 3.0]), np.complex128(2j)],
                         ids=["complex", "complex array", "numpy complex"])
def test_complex_values_are_refused_not_kept_with_a_real_gradient(form, z):
    """t * (1+2j) made a complex Tensor whose gradient was real: the engine differentiates
    real functions, so a complex value is an error that says so, on every surface."""
    t = al.Tensor([1.0, 2.0], requires_grad=form not in ("t += z", "t[:] = z"))
    with pytest.raises(TypeError, match="not real-valued"):
        COMPLEX_CALLS[form](t, z)
    np.testing.assert_array_equal(t.data, [1.0, 2.0])  # nothing was written


def test_a_masked_array_with_masked_values_is_refused_and_one_without_is_data():
    """np.array() of a masked array takes the hidden values as numbers: the mask is lost.
    (hidden + t is numpy.ma's own operator, which gives a masked array, not a Tensor.)"""
    hidden = np.ma.array([1.0, 99.0], mask=[False, True])
    t = al.Tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: t * hidden, lambda: al.add(hidden, t), lambda: al.Tensor(hidden),
                 lambda: al.sigmoid(hidden), lambda: al.Tensor([0.0, 0.0]).__iadd__(hidden)):
        with pytest.raises(TypeError, match=r"masked array.*filled"):
            call()
    np.testing.assert_array_equal((t * np.ma.array([3.0, 4.0])).data, [3.0, 8.0])


def test_tensor_cannot_be_subclassed_and_says_what_to_do():
    """A subclass's operators recursed until RecursionError: the engine tells its nodes by
    type(t) is Tensor. Defining one is the error."""
    with pytest.raises(TypeError, match=r"class Parameter\(Tensor\): Tensor cannot be "
                                        r"subclassed.*attribute"):
        type("Parameter", (al.Tensor,), {})


@pytest.mark.parametrize("number", [np.float32(1.5), np.int64(2), np.uint8(3), True,
                                    np.array([0, 3], np.uint8), np.array([True, False])],
                         ids=["float32", "int64", "uint8", "bool", "uint8 array", "bool array"])
@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "**"])
def test_an_operator_with_a_numpy_int_is_the_op_on_its_value(symbol, number):
    """The gradient of uint8(3) ** t used log(uint8 3), which numpy computes in float16:
    wrong in the fifth digit. Constants reach the VJPs in the result's float."""
    op = OPERATORS[symbol]
    X = np.array([[0.5, 2.0], [20.0, 1.5]])
    with np.errstate(divide="ignore"):  # (t / uint8 0 is inf)
        for side in ("left", "right"):
            t, u = al.Tensor(X, requires_grad=True), al.Tensor(X, requires_grad=True)
            got = op(number, t) if side == "left" else op(t, number)
            want = op(al.Tensor(number), u) if side == "left" else op(u, al.Tensor(number))
            np.testing.assert_array_equal(got.data, want.data)
            got.sum().backward()
            want.sum().backward()
            np.testing.assert_array_equal(t.grad, u.grad)


@pytest.mark.parametrize("small_int", [np.int8(0), np.array([1, 0, 1, 1], np.uint8),
                                       np.array([True, False, True, False])],
                         ids=["int8", "uint8 array", "bool array"])
@pytest.mark.parametrize("name", TWO_INPUT_OPS)
def test_a_float32_tensor_with_a_small_numpy_int_stays_float32(name, small_int):
    """numpy keeps float32 with uint8, int8 and bool, and so do the primitives; al.minimum and
    binary_cross_entropy made the int a float64 Tensor."""
    op = al.OPS[name]
    inputs, extra, kwargs, _ = SAMPLES[name]
    t = al.Tensor(inputs[0].astype(np.float32), requires_grad=True)
    if op.family == "losses":  # labels of the prediction's shape, as the losses require
        small_int = np.broadcast_to(small_int, t.shape).copy()
    with np.errstate(all="ignore"):
        out = op.function(t, small_int, *extra, **kwargs)
        out.sum().backward()
    assert out.dtype == np.float32 and t.grad.dtype == np.float32
