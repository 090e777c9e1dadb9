"""numpy functions on Tensors record the graph; ones without a counterpart refuse clearly."""

import re

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor

RNG = np.random.default_rng(0)
X = RNG.uniform(0.2, 2.0, (3, 4))
Y = RNG.uniform(0.2, 2.0, (3, 4))

UNARY = {
    np.negative: np.negative, np.exp: np.exp, np.log: np.log, np.sqrt: np.sqrt,
    np.square: np.square, np.abs: np.abs, np.tanh: np.tanh,
    np.sum: np.sum, np.mean: np.mean, np.max: np.max, np.amax: np.amax, np.min: np.min,
    np.amin: np.amin, np.transpose: np.transpose, np.squeeze: np.squeeze,
}
BINARY = [np.add, np.subtract, np.multiply, np.divide, np.true_divide, np.power, np.maximum,
          np.minimum]


@pytest.mark.parametrize("func", list(UNARY), ids=lambda f: f.__name__)
def test_unary_numpy_functions_record(func):
    t = Tensor(X, requires_grad=True)
    out = func(t)
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, func(X))
    assert al.gradcheck(lambda x: func(x), [X])


@pytest.mark.parametrize("func", BINARY, ids=lambda f: f.__name__)
def test_binary_numpy_functions_record_with_mixed_operands(func):
    t = Tensor(X, requires_grad=True)
    for out in (func(t, Y), func(Y, t), func(t, 2.0), func(t, Tensor(Y))):
        assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_allclose(func(t, Y).data, func(X, Y))
    assert al.gradcheck(lambda a, b: func(a, b), [X, Y])


@pytest.mark.parametrize("call", [
    lambda t: np.sum(t, axis=1, keepdims=True),
    lambda t: np.mean(t, axis=0),
    lambda t: np.max(t, axis=1),
    lambda t: np.reshape(t, (4, 3)),
    lambda t: np.transpose(t, (1, 0)),
    lambda t: np.expand_dims(t, 0),
    lambda t: np.concatenate([t, t * 2], axis=0),
    lambda t: np.stack([t, t], axis=2),
    lambda t: np.where(X > 1, t, 0.0),
    lambda t: np.clip(t, 0.5, 1.5),
    lambda t: np.dot(np.ones((2, 3)), t),
    lambda t: np.matmul(t, np.ones((4, 2))),
    lambda t: np.dot(t, 3.0),
    lambda t: np.broadcast_to(t[:1], (3, 4)),
    lambda t: np.swapaxes(t, 0, 1),
], ids=["sum", "mean", "max", "reshape", "transpose", "expand_dims", "concatenate", "stack",
        "where", "clip", "dot", "matmul", "dot_scalar", "broadcast_to", "swapaxes"])
def test_numpy_functions_with_arguments(call):
    t = Tensor(X, requires_grad=True)
    out = call(t)
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, call(X))
    assert al.gradcheck(call, [X])


def test_ndarray_on_the_left_gives_a_tensor():
    t = Tensor(X, requires_grad=True)
    for out in (Y + t, Y - t, Y * t, Y / t, Y ** t, np.ones((2, 3)) @ t):
        assert isinstance(out, Tensor) and out.requires_grad


def test_functions_without_counterpart_raise_naming_the_function():
    t = Tensor(X, requires_grad=True)
    for call, name in [(lambda: np.arctan(t), "arctan"), (lambda: np.cumprod(t), "cumprod"),
                       (lambda: np.add.reduce(t), "add.reduce"), (lambda: np.sort(t), "sort")]:
        with pytest.raises(TypeError, match=rf"numpy\.{name}.*cut off from the graph"):
            call()


def test_out_arguments_are_refused():
    t = Tensor(X, requires_grad=True)
    with pytest.raises(TypeError, match="out="):
        np.add(t, 1.0, out=np.empty((3, 4)))
    with pytest.raises(TypeError, match="out="):
        np.sum(t, out=np.empty(()))


def test_asarray_gives_a_read_only_view_and_non_differentiable_results_are_arrays():
    t = Tensor(X, requires_grad=True).detach()  # (one that requires grad warns: below)
    view = np.asarray(t)
    assert np.shares_memory(view, t.data) and not view.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 100.0  # would change t behind the graph's back
    copy = np.array(t)  # numpy 2 passes copy=True: the caller's own array
    copy[0, 0] = 100.0
    assert t.data[0, 0] == X[0, 0] and copy.flags.writeable
    assert type(np.argmax(t)) is not Tensor and np.argmax(t) == np.argmax(X)
    assert np.shape(t) == (3, 4) and np.ndim(t) == 2
    assert type(np.greater(t, 1.0)) is np.ndarray
    assert np.allclose(t, X)


@pytest.mark.parametrize("func,args", [(np.zeros_like, ()), (np.ones_like, ()),
                                       (np.full_like, (7.0,))])
def test_like_constructors_give_numpys_plain_arrays(func, args):
    """The course's initialize_velocity / initialize_adam: np.zeros_like(parameters["W1"])."""
    t = al.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    got, want = func(t, *args, dtype=np.float32), func(t.data, *args, dtype=np.float32)
    assert type(got) is np.ndarray and got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_out_refusal_names_the_function_in_its_advice():
    t = al.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"assign the result instead \(x = np\.exp\(\.\.\.\)\)"):
        np.exp(t, out=np.empty(2))


def test_a_numpy_function_given_a_list_of_tensors_warns_that_it_is_cut_off():
    """numpy does not look inside lists for Tensors, so np.mean([loss1, loss2]) is a plain
    number; PyTorch raises there. The warning names the op and the way that keeps the
    gradient."""
    w = al.Tensor([1.0, 2.0], requires_grad=True)
    losses = [(w * w).sum(), (w * 3).sum()]
    with pytest.warns(al.CutOffWarning, match=r"made by 'sum'.*al\.stack\(list\)"):
        np.mean(losses)
    loss = al.stack(losses).mean() + 0.1 * (w * w).sum()  # what the warning says
    loss.backward()
    np.testing.assert_allclose(w.grad, [2.7, 3.9])
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.asarray(w.detach()), w.numpy(), w.data  # a leaf's values, as for plotting
        np.asarray(losses[0].detach())  # said explicitly
        with al.no_grad():
            np.asarray((w * 2).sum())
        np.asarray(loss)  # after backward: the spent graph's values, for reading


@pytest.mark.parametrize("call", [
    lambda a, b: np.sum([a, b]), lambda a, b: np.mean([a, b]), lambda a, b: np.max([a, b]),
    lambda a, b: np.exp([a, b]), lambda a, b: np.array([a, b]), lambda a, b: np.asarray(a),
    lambda a, b: al.Tensor(a, requires_grad=True),
], ids=["sum", "mean", "max", "exp", "array", "asarray", "Tensor(leaf)"])
def test_a_leaf_that_requires_grad_warns_when_numpy_takes_its_values(call):
    """np.sum([a, b]) of leaves was 5.0 with no word, and a and b got no gradient (a
    non-leaf warned); PyTorch raises for both. A leaf not requiring grad, a detached one
    and no_grad() stay silent."""
    a = al.Tensor(2.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    with pytest.warns(al.CutOffWarning, match=r"leaf Tensor \('[ab]'\) .*t\.detach\(\)"):
        call(a, b)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(a.detach(), b.detach())
        call(al.Tensor(2.0), al.Tensor(3.0))
        with al.no_grad():
            call(a, b)


# each spelling beside numpy's own on an array: a view where numpy's is one, else a new array
SPELLINGS = {
    "t.flatten()": (lambda t: t.flatten(), lambda x: x.flatten()),
    "t.flatten('F')": (lambda t: t.flatten("F"), lambda x: x.flatten("F")),
    "t.ravel()": (lambda t: t.ravel(), lambda x: x.ravel()),
    "np.ravel(t)": (np.ravel, np.ravel),
    "+t": (lambda t: +t, lambda x: +x),
    "np.positive(t)": (np.positive, np.positive),
    "np.tile(t, 1)": (lambda t: np.tile(t, 1), lambda x: np.tile(x, 1)),
    "np.tile(t, (1, 1))": (lambda t: np.tile(t, (1, 1)), lambda x: np.tile(x, (1, 1))),
    "np.clip(t, None, None)": (lambda t: np.clip(t, None, None),
                               lambda x: np.clip(x, -np.inf, np.inf)),
    "t.reshape(3, 4)": (lambda t: t.reshape(3, 4), lambda x: x.reshape(3, 4)),
    "t.T": (lambda t: t.T, lambda x: x.T),
    "t[0]": (lambda t: t[0], lambda x: x[0]),
    "t[[0, 1]]": (lambda t: t[[0, 1]], lambda x: x[[0, 1]]),
    "np.squeeze(t)": (np.squeeze, np.squeeze),
    "np.expand_dims(t, 0)": (lambda t: np.expand_dims(t, 0), lambda x: np.expand_dims(x, 0)),
    "t.copy()": (lambda t: t.copy(), lambda x: x.copy()),
    "t.astype(float)": (lambda t: t.astype(float), lambda x: x.astype(float)),
    "np.concatenate([t])": (lambda t: np.concatenate([t]), lambda x: np.concatenate([x])),
    "t * 1": (lambda t: t * 1, lambda x: x * 1),
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("shape", [(3, 4), (12,), ()])
def test_a_spelling_is_a_view_exactly_where_numpys_is(spelling, shape):
    """t.flatten() was a view (W.flatten() then W -= 1 changed the 'copy'), and +t was t."""
    ours, numpys = SPELLINGS[spelling]
    x = np.arange(float(np.prod(shape))).reshape(shape)
    t = Tensor(x.copy())
    try:
        expected = numpys(x)
    except (ValueError, IndexError):  # (a shape the spelling does not take)
        pytest.skip(f"numpy refuses {spelling} on shape {shape}")
    out = ours(t)
    assert out is not t or expected is x
    if np.shares_memory(out.data, t.data):
        assert np.shares_memory(expected, x)
    elif shape:  # (a 0-d tensor's views are copies: it holds a number)
        assert not np.shares_memory(expected, x)
    np.testing.assert_array_equal(out.data, expected)
    if not np.shares_memory(expected, x):  # a write into the new array leaves t as it was
        with al.no_grad():
            out += 1.0
        np.testing.assert_array_equal(t.data, x)


def test_ord_2_of_a_matrix_is_refused_not_the_frobenius_norm():
    """numpy's and torch.linalg's ord=2 of a matrix is its spectral norm (2.05 here); al.norm
    gave the Frobenius norm (2.17) for it. p=2 (torch.norm's) and ord=None are Frobenius."""
    M = np.random.default_rng(0).random((3, 4))
    t = Tensor(M)
    for spelled in (lambda: al.norm(t, ord=2), lambda: t.norm(ord=2),
                    lambda: t[0].norm(ord="fro"), lambda: np.linalg.norm(t, 2)):
        with pytest.raises(TypeError, match="ord"):
            spelled()
    frobenius = np.linalg.norm(M)
    for spelled in (al.norm(t), t.norm(p=2), al.norm(t, 2), t.norm(ord="fro"),
                    np.linalg.norm(t, "fro")):
        assert spelled.item() == pytest.approx(frobenius, rel=1e-15)
    np.testing.assert_allclose(t.norm(ord=2, axis=1).data, np.linalg.norm(M, 2, axis=1))


@pytest.mark.parametrize("func", [np.sum, np.prod, np.max, np.min], ids=lambda f: f.__name__)
@pytest.mark.parametrize("initial", [np.float64(1.0), np.array(2.0), 1.5, np.float32(0.5)],
                         ids=["float64", "0-d array", "number", "float32"])
@pytest.mark.parametrize("axis", [None, 0])
def test_initial_is_cast_to_the_reductions_dtype_as_numpy_does(func, initial, axis):
    """A float64 initial= made a float32 sum, prod, max or min float64; numpy keeps float32."""
    x = np.random.default_rng(0).uniform(0.5, 1.5, (2, 3)).astype(np.float32)
    ours, numpys = func(Tensor(x), axis=axis, initial=initial), func(x, axis=axis,
                                                                     initial=initial)
    assert ours.dtype == numpys.dtype == np.float32
    np.testing.assert_allclose(ours.data, numpys, rtol=1e-6)


@pytest.mark.parametrize("shape,axis", [((1, 3), 0), ((3, 1), 1), ((1,), None), ((2, 1, 3), 1)])
def test_std_over_one_entry_is_0_with_gradient_0_as_finite_differences_give(shape, axis):
    """sqrt's derivative at 0 made it NaN: a hand-written normalisation over a batch of one
    poisoned every gradient. (torch.std(correction=0) gives 0 too.)"""
    x = np.random.default_rng(0).standard_normal(shape)
    t = Tensor(x, requires_grad=True)
    out = np.std(t, axis=axis)
    np.testing.assert_array_equal(out.data, np.std(x, axis=axis))
    (out * 3.0).sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros(shape))
    assert al.gradcheck(lambda a: np.std(a, axis=axis).sum(), [x])


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_an_array_written_with_a_tensor_in_place_says_what_to_write(op):
    """It said np.add(..., out=...), which the user never wrote."""
    a = np.ones(3)
    with pytest.raises(TypeError, match=rf"a {re.escape(op)} t, with a a numpy array"):
        exec(f"a {op} Tensor(np.ones(3))", {"a": a, "Tensor": Tensor, "np": np})
    np.testing.assert_array_equal(a, np.ones(3))  # and a is as it was


def test_ravel_takes_numpys_order_and_is_a_view_where_numpys_is():
    x = np.arange(6.0).reshape(2, 3)
    t = Tensor(x.copy())
    np.testing.assert_array_equal(t.ravel("F").data, x.ravel("F"))
    assert np.shares_memory(t.ravel().data, t.data)


def test_the_courses_np_array_of_the_cost_says_what_keeps_the_gradient():
    """Week 2's graded propagate writes cost = np.squeeze(np.array(cost)): on a Tensor that
    cuts the graph, and the warning named np.asarray and al.stack, neither of which helps."""
    w = al.Tensor(np.ones((2, 1)), requires_grad=True)
    cost = (w * w).sum()
    with pytest.warns(al.CutOffWarning, match=r"np.array\(t\).*Keep the Tensor \(np.squeeze\("
                      r"cost\), not np.squeeze\(np.array\(cost\)\)"):
        np.squeeze(np.array(cost))
    np.squeeze(cost).backward()  # what it says to write: the gradient is there
    np.testing.assert_array_equal(w.grad, [[2.0], [2.0]])


def test_a_0d_tensor_formats_as_its_number_as_pytorchs():
    """The course prints "Cost after iteration {}: {}".format(i, cost): on a Tensor that gave
    'Tensor(0.6931, op=multiply)', not the notebook's number. PyTorch formats a 0-d tensor
    as its item (str() keeps the Tensor's form, as PyTorch's)."""
    w = al.Tensor(np.full((2, 1), 0.5), requires_grad=True)
    cost = (w * w).sum() * np.log(2)
    line = "Cost after iteration {}: {}"  # the course's own line
    assert line.format(0, cost) == f"Cost after iteration 0: {0.5 * np.log(2)}"
    assert f"{cost}" == str(cost.item()) and str(cost).startswith("Tensor(")
    assert f"{al.Tensor([1.0, 2.0])}" == str(al.Tensor([1.0, 2.0]))  # not 0-d: as before
