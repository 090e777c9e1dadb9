"""numpy functions users reach for (prod, cumsum, hstack, vstack, outer, tile, reciprocal),
written as numpy and PyTorch users write them, against numpy's own results and the
gradients PyTorch gives (its rules, worked by hand here). The registry-driven tests
(test_ops, test_surfaces, test_edges) cover every surface and random shapes; these pin the
conventions a user would check."""

import numpy as np
import pytest

import autograd_lite as al

X = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 0.5]])


def _grad(f, x, dtype=np.float64):
    t = al.Tensor(np.asarray(x, dtype), requires_grad=True)
    out = f(t)
    out.sum().backward() if out.ndim else out.backward()
    return out, t.grad


# ---- prod ----------------------------------------------------------------------------------

def test_prod_gradient_is_the_product_of_the_others_zeros_included():
    """PyTorch's rule (torch 2.13 gives these numbers): a lone zero gets the product of the
    rest, two zeros give 0 everywhere; ans / x would give nan at a zero."""
    rows = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [2.0, 3.0, 4.0]])
    out, grad = _grad(lambda t: t.prod(axis=1), rows)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 24.0])
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [12.0, 8.0, 6.0]])


def test_prod_second_derivative_at_two_zeros():
    """d²(x0 x1 x2)/dx0 dx1 = x2, also where x0 = x1 = 0 (a form that is 0 there would
    pass first derivatives and fail here)."""
    hessian_row = al.grad(lambda x: al.grad(lambda y: al.prod(y))(x)[0])
    np.testing.assert_array_equal(hessian_row(np.array([0.0, 0.0, 3.0])), [0.0, 3.0, 0.0])
    np.testing.assert_array_equal(hessian_row(np.array([2.0, 5.0, 3.0])), [0.0, 3.0, 5.0])


@pytest.mark.parametrize("call", [
    lambda t: np.prod(t, axis=0, keepdims=True), lambda t: t.prod(dim=0, keepdim=True),
    lambda t: al.prod(t, 0, True), lambda t: t.prod(axis=(0,), keepdims=True)])
def test_prod_spellings_agree_with_numpy(call):
    out, grad = _grad(call, X)
    np.testing.assert_array_equal(out.data, np.prod(X, axis=0, keepdims=True))
    np.testing.assert_allclose(grad, np.prod(X, axis=0, keepdims=True) / X, rtol=1e-15)


def test_nps_prod_keywords_where_and_initial():
    mask = np.array([[True, False, True], [True, True, False]])
    out, grad = _grad(lambda t: np.prod(t, axis=1, where=mask, initial=2.0), X)
    np.testing.assert_array_equal(out.data, np.prod(X, axis=1, where=mask, initial=2.0))
    np.testing.assert_array_equal(grad, [[2 * 4.0, 0.0, 2 * 1.0], [2 * 5.0, 2 * 3.0, 0.0]])


def test_prod_keeps_float32():
    out, grad = _grad(al.prod, X, np.float32)
    assert out.dtype == np.float32 and grad.dtype == np.float32


# ---- cumsum --------------------------------------------------------------------------------

def test_cumsum_gradient_is_the_reversed_running_sum_of_the_weights():
    w = np.arange(6.0).reshape(2, 3)
    out, grad = _grad(lambda t: t.cumsum(axis=1) * w, X)
    np.testing.assert_array_equal(out.data, np.cumsum(X, axis=1) * w)
    np.testing.assert_array_equal(grad, np.cumsum(w[:, ::-1], axis=1)[:, ::-1])  # [[3, 3, 2], ..]
    np.testing.assert_array_equal(grad, [[3.0, 3.0, 2.0], [12.0, 9.0, 5.0]])


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_axes_as_numpy_and_pytorch(axis):
    out, grad = _grad(lambda t: np.cumsum(t, axis=axis), X)
    np.testing.assert_array_equal(out.data, np.cumsum(X, axis=axis))
    assert grad.shape == X.shape
    if axis is not None:
        same = al.Tensor(X).cumsum(dim=axis)
        np.testing.assert_array_equal(same.data, out.data)


def test_cumsum_dtype_and_float32():
    out, grad = _grad(lambda t: t.cumsum(0), X, np.float32)
    assert out.dtype == np.float32 and grad.dtype == np.float32
    assert np.cumsum(al.Tensor(X), dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="gradients need a float dtype"):
        np.cumsum(al.Tensor(X), dtype=int)


# ---- joining, tiling, outer, reciprocal ------------------------------------------------------

@pytest.mark.parametrize("parts", [
    [np.float64(1.0), np.array([2.0, 3.0])],  # a number joins as a vector of one
    [np.array([1.0]), np.array([2.0, 3.0])],
    [X, X[:, :1]],  # matrices side by side: (2, 3) and (2, 1) -> (2, 4)
])
def test_hstack_as_numpy(parts):
    tensors = [al.Tensor(p, requires_grad=True) for p in parts]
    out = np.hstack(tensors)
    np.testing.assert_array_equal(out.data, np.hstack(parts))
    (out * np.arange(out.size).reshape(out.shape)).sum().backward()
    back = np.hstack([t.grad for t in tensors])  # each part gets its own columns' weights
    np.testing.assert_array_equal(back, np.arange(out.size).reshape(out.shape))


def test_vstack_makes_a_vector_one_row():
    a, b = al.Tensor([1.0, 2.0, 3.0], requires_grad=True), al.Tensor(X, requires_grad=True)
    out = al.vstack([a, b, [7.0, 8.0, 9.0]])
    np.testing.assert_array_equal(out.data, np.vstack([[1.0, 2.0, 3.0], X, [7.0, 8.0, 9.0]]))
    out.sum().backward()
    assert a.grad.shape == (3,) and b.grad.shape == (2, 3)


@pytest.mark.parametrize("reps", [2, (2, 1), (1, 3), (2, 2, 2), 0, (3,)])
def test_tile_as_numpy_and_the_gradient_counts_the_copies(reps):
    out, grad = _grad(lambda t: np.tile(t, reps), X)
    np.testing.assert_array_equal(out.data, np.tile(X, reps))
    copies = np.prod(reps) if np.ndim(reps) else reps
    np.testing.assert_array_equal(grad, np.full(X.shape, float(copies)))


def test_repeat_means_two_things_and_is_refused_with_both_spellings():
    with pytest.raises(TypeError, match=r"numpy's repeats each entry.*al.tile\(t, reps\)"):
        al.Tensor([1.0, 2.0]).repeat(2)
    with pytest.raises(TypeError, match=r"numpy.repeat on a Tensor has no autograd_lite"):
        np.repeat(al.Tensor([1.0, 2.0]), 2)


def test_outer_flattens_its_inputs_as_numpys_and_matches_pytorchs_method():
    a, b = al.Tensor(X, requires_grad=True), al.Tensor([1.0, -1.0], requires_grad=True)
    out = np.outer(a, b)
    np.testing.assert_array_equal(out.data, np.outer(X, [1.0, -1.0]))
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.zeros_like(X))  # each x meets b's sum, 0
    np.testing.assert_array_equal(b.grad, [X.sum()] * 2)
    pytorch_form = al.Tensor([1.0, 2.0]).outer(al.Tensor([3.0]))
    np.testing.assert_array_equal(pytorch_form.data, [[3.0], [6.0]])


def test_reciprocal_is_one_over_x_in_the_tensors_dtype():
    out, grad = _grad(np.reciprocal, X, np.float32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(grad, -1 / X.astype(np.float32) ** 2, rtol=1e-6)


def test_the_new_ops_compile_to_the_eager_numbers_bit_for_bit():
    def f(x, y):
        return ((al.prod(x, axis=1) * al.cumsum(y, axis=1)[:, -1]).sum() + al.tile(x, 2).sum()
                + al.outer(x[0], y[0]).sum() + al.vstack([x, y]).sum() + al.reciprocal(y).sum())
    x = al.Tensor(X, requires_grad=True)
    y = al.Tensor(X[::-1] + 1.0, requires_grad=True)
    value, (dx, dy) = al.compile(f)(x, y)
    eager = f(x, y)
    eager.backward()
    assert value == eager.item()
    np.testing.assert_array_equal(dx, x.grad)
    np.testing.assert_array_equal(dy, y.grad)


# ---- einsum --------------------------------------------------------------------------------

def test_einsum_gradients_are_the_matrix_formulas():
    """dW = G A^T and dA = W^T G for C = einsum('ij,jk->ik', W, A), as for W @ A."""
    rng = np.random.default_rng(0)
    W, A, G = rng.random((2, 3)), rng.random((3, 4)), rng.random((2, 4))
    w, a = al.Tensor(W, requires_grad=True), al.Tensor(A, requires_grad=True)
    out = np.einsum("ij,jk->ik", w, a)  # numpy's spelling dispatches to the op
    np.testing.assert_array_equal(out.data, np.einsum("ij,jk->ik", W, A))
    (out * G).sum().backward()
    np.testing.assert_allclose(w.grad, G @ A.T, rtol=1e-14)
    np.testing.assert_allclose(a.grad, W.T @ G, rtol=1e-14)


@pytest.mark.parametrize("subscripts,want", [
    ("ij->", np.ones((2, 3))),  # a sum: every entry gets 1
    ("ij->i", np.ones((2, 3))),
    ("ij->ji", np.ones((2, 3))),
    ("ij", np.ones((2, 3))),  # implicit output: 'ij'
    ("ji", np.ones((2, 3))),  # implicit output: 'ij', so a transpose
])
def test_einsum_of_one_operand(subscripts, want):
    out, grad = _grad(lambda t: al.einsum(subscripts, t), X)
    np.testing.assert_array_equal(out.data, np.einsum(subscripts, X))
    np.testing.assert_array_equal(grad, want)


def test_einsum_batched_and_outer_products_against_finite_differences():
    rng = np.random.default_rng(1)
    x, y = rng.random((2, 3, 4)), rng.random((2, 4, 5))
    assert al.gradcheck(lambda a, b: al.einsum("bij,bjk->bik", a, b), [x, y])
    assert al.gradcheck(lambda a, b: al.einsum("i,j->ij", a, b), [x[0, 0], y[0, 0]])
    assert al.gradcheck(lambda a, b, c: al.einsum("ij,jk,kl->il", a, b, c),
                        [x[0], y[0], rng.random((5, 2))])


def test_einsum_refuses_what_it_cannot_differentiate_and_says_what_to_write():
    t = al.Tensor(np.eye(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"'ii' repeats a letter.*al.sum\(x \* np.eye\(n\)\)"):
        al.einsum("ii->", t)
    with pytest.raises(ValueError, match=r"name every axis with a letter \('...' is not"):
        np.einsum("...i->...", t)
    with pytest.raises(ValueError, match=r"name 2 operands, and 1 were given"):
        al.einsum("ij,jk->ik", t)
    with pytest.raises(ValueError, match=r"einsum: cannot apply to shapes \(3, 3\) and \(2,\): "
                                         r"a letter must stand for axes of one length"):
        al.einsum("ij,j->i", t, np.ones(2))
    with pytest.raises(TypeError, match="give the subscripts first, as a string"):
        al.einsum(t, [0, 1], [1])
    with pytest.raises(TypeError, match=r"numpy.einsum\(..., out=...\) on a Tensor: out= is not"):
        np.einsum("ij->", t, out=np.zeros(()))


def test_einsum_that_is_a_transpose_sees_later_writes_as_a_view_does():
    """numpy's einsum gives a view for 'ij->ji', as .T does; both see a write to x."""
    x = al.Tensor(X.copy(), requires_grad=True)
    y, z = al.einsum("ij->ji", x), x.T
    with al.no_grad():
        x[0, 0] = 100.0
    assert y.data[0, 0] == z.data[0, 0] == 100.0


def test_einsum_as_torch_takes_its_operands_as_one_list_and_says_what_is_wrong_with_output():
    a, b = al.Tensor(np.ones((2, 3)), requires_grad=True), al.Tensor(np.ones((3, 4)))
    assert al.einsum("ij,jk->ik", [a, b]).shape == (2, 4)  # torch.einsum's list form
    assert al.einsum("ij,jk", a, b, optimize="greedy").shape == (2, 4)  # numpy's keyword
    with pytest.raises(ValueError, match=r"each output letter must name an input's axis, "
                                         r"once \(k names none\)"):
        al.einsum("ij->k", a)
    with pytest.raises(ValueError, match=r"\('ikk' repeats one\)"):
        al.einsum("ij,jk->ikk", a, b)


def test_tile_refuses_a_fractional_count_by_name():
    with pytest.raises(ValueError, match=r"tile: reps must be non-negative ints, got \(1.5,\)"):
        al.tile(al.Tensor([1.0]), 1.5)


@pytest.mark.parametrize("call", [
    lambda x: np.split(x, [2, 5]), lambda x: np.split(x, 2, axis=1),
    lambda x: np.split(x, [-2, 10]), lambda x: np.array_split(x, 3),
    lambda x: np.array_split(x, 3, axis=-1), lambda x: np.split(x, 7)])
def test_numpys_split_gives_differentiable_views_as_numpys(call):
    """np.split and np.array_split on a Tensor were refused, with nothing said to use."""
    data = np.arange(28.0).reshape(7, 4)
    x = al.Tensor(data, requires_grad=True)
    parts, want = call(x), call(data)
    assert len(parts) == len(want)
    for p, w in zip(parts, want):
        np.testing.assert_array_equal(p.data, w)
    sum((p * (i + 1.0)).sum() for i, p in enumerate(parts)).backward()
    grad = np.zeros_like(data)  # each entry's weight is its piece's number
    for i, w in enumerate(call(np.arange(28).reshape(7, 4))):
        grad.flat[w.ravel()] = i + 1
    np.testing.assert_array_equal(x.grad, grad)


# torch 2.13 printed these pieces' shapes (split: pieces of a size; chunk: a count)
@pytest.mark.parametrize("call, shapes", [
    (lambda x: x.split(3), [(3, 4), (3, 4), (1, 4)]),
    (lambda x: x.split([2, 5]), [(2, 4), (5, 4)]),
    (lambda x: x.split(3, dim=1), [(7, 3), (7, 1)]),
    (lambda x: x.chunk(3), [(3, 4), (3, 4), (1, 4)]),
    (lambda x: x.chunk(4, 1), [(7, 1)] * 4),
    (lambda x: x.chunk(10), [(1, 4)] * 7)])
def test_pytorchs_split_and_chunk(call, shapes):
    data = np.arange(28.0).reshape(7, 4)
    x = al.Tensor(data, requires_grad=True)
    parts = call(x)
    assert [p.shape for p in parts] == shapes
    np.testing.assert_array_equal(np.concatenate([p.data for p in parts],
                                                 axis=0 if shapes[0][1] == 4 else 1), data)
    (parts[0] * 2.0).sum().backward()
    assert x.grad.sum() == 2 * parts[0].data.size


@pytest.mark.parametrize("call, error, message", [
    (lambda x: np.split(x, 3), ValueError, r"numpy.split: an axis of length 7 does not split "
     r"into 3 equal sections; np.array_split allows unequal ones"),
    (lambda x: x.split([2, 2]), ValueError, r"split: the sizes \[2, 2\] must be >= 0 and add "
     r"up to 7"),
    (lambda x: x.chunk(0), ValueError, r"chunk: chunks must be at least 1"),
    (lambda x: np.take(x, [0], axis=1), TypeError, r"To keep the gradient, write indexing: "
     r"x\[idx\] for axis 0, x\[:, idx\]"),
    (lambda x: np.cumprod(x), TypeError, r"al.exp\(al.cumsum\(al.log\(x\)\)\)"),
    (lambda x: np.moveaxis(x, 0, 1), TypeError, r"x.transpose\(axes\)"),
    (lambda x: np.roll(x, 1), TypeError, r"al.concatenate\(\[x\[-k:\], x\[:-k\]\]\)"),
    (lambda x: np.hsplit(x, 2), TypeError, r"np.split\(x, k, axis=1\)"),
])
def test_splits_refused_and_functions_without_an_op_say_what_to_write(call, error, message):
    with pytest.raises(error, match=message):
        call(al.Tensor(np.ones((7, 4))))


def test_view_is_a_view_or_refused_as_pytorchs():
    """x.T.view(-1) quietly returned a copy: a write through it did not reach x, where
    PyTorch refuses the view. reshape copies, as numpy's does."""
    x = al.Tensor(np.arange(6.0).reshape(2, 3))
    with al.no_grad():
        v = x.view(3, 2)
        v[0, 0] = 100.0
    assert x.data[0, 0] == 100.0
    with pytest.raises(RuntimeError, match=r"view\(-1\): the entries of this tensor of shape "
                       r"\(3, 2\) are not laid out .* write t.reshape"):
        x.T.view(-1)
    np.testing.assert_array_equal(x.T.reshape(-1).data, x.data.T.reshape(-1))


def test_a_write_of_the_wrong_shape_names_both_shapes():
    x = al.Tensor(np.zeros((2, 3)))
    with al.no_grad(), pytest.raises(ValueError, match=r"t\[...\] = value: a value of shape "
                                     r"\(2,\) does not fit t\[index\] of shape \(3,\) \(t has "
                                     r"shape \(2, 3\)\)"):
        x[0] = np.ones(2)


def test_what_a_review_found_in_splits_and_views():
    assert al.tensor(1.0).view(1).tolist() == [1.0]  # 0-d data is a numpy scalar: a view
    x = al.Tensor(np.arange(4.0), requires_grad=True)
    assert x.sum().view(1).shape == (1,) and x[0].view(1).shape == (1,)
    assert [p.shape for p in np.split(x, 2.0)] == [(2,), (2,)]  # numpy takes 2.0 sections
    with pytest.raises(ValueError, match="numpy.split: a 0-d tensor has no axis to split"):
        np.split(al.tensor(1.0), 1)
    pieces = x.split([1, 3])
    (pieces[0] * 5.0).sum().backward()  # each piece's gradient lands on its own entries
    (pieces[1] * 7.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0, 7.0, 7.0])


def test_what_a_stranger_typed_from_pytorch():
    x = al.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(TypeError, match=r"view\(<class 'numpy.float32'>\): PyTorch's "
                       r"view\(dtype\) .* t.astype\(dtype\) converts"):
        x.view(np.float32)  # it said "'type' object is not iterable"
    assert x.reshape(shape=(3, 2)).shape == (3, 2)  # numpy's keyword
    assert [p.shape for p in x.split(2, axis=1)] == [(2, 2), (2, 1)]  # axis= for dim=
    assert [p.shape for p in x.chunk(2, axis=1)] == [(2, 2), (2, 1)]
    assert x.view_as(np.zeros((3, 2))).shape == (3, 2)
    assert x.reshape_as(al.zeros(6)).shape == (6,)
    assert x.contiguous() is x
    rows = x.unbind()
    assert [r.tolist() for r in rows] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    (rows[1] * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [2, 2, 2]])
    assert [c.shape for c in x.unbind(1)] == [(2,)] * 3


@pytest.mark.parametrize("options", [dict(reduction="sum"), dict(reduction="none"),
                                     dict(weight=np.ones((1, 3))), dict(pos_weight=2.0)])
def test_pytorchs_loss_options_say_what_to_write(options):
    """reduction=, weight= and pos_weight= gave Python's bare 'unexpected keyword'."""
    Z = al.Tensor(np.zeros((1, 3)), requires_grad=True)
    with pytest.raises(TypeError, match=r"the cost is the mean over every entry .* "
                       r"reduction='sum' multiply it by Z.size"):
        al.binary_cross_entropy_with_logits(Z, np.ones((1, 3)), **options)
    assert al.binary_cross_entropy_with_logits(Z, np.ones((1, 3)), reduction="mean").item() \
        == pytest.approx(np.log(2))
