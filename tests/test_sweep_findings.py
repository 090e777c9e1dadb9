"""What two table-driven sweeps found, one of numpy's surface on Tensors and one of
PyTorch's Tensor API against torch: each a silent wrong answer or a crash with the wrong
advice before its fix, checked here against numpy's own result (computed on the same
arrays) or PyTorch's documented rule, and gradients against central differences."""

import warnings

import numpy as np
import pytest

import autograd_lite as al


def _central_differences(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


@pytest.mark.parametrize("low, high", [(np.nan, 1.0), (0.0, np.nan), (np.nan, np.nan),
                                       (np.array([np.nan, 0.0, 0.0]), 1.0),
                                       (np.array([0.0, 0.0, np.nan]),
                                        np.array([1.0, np.nan, 1.0]))])
def test_clip_with_a_nan_bound_is_numpys_nan(low, high):
    # np.clip(t, nan, 1) gave [-1, 0.5, 1], the NaN bound ignored; numpy's is NaN
    x = np.array([-1.0, 0.5, 2.0])
    expected = np.clip(x, low, high)
    with np.errstate(invalid="ignore"):
        for got in (np.clip(al.tensor(x), low, high), al.clip(al.tensor(x), low, high)):
            np.testing.assert_array_equal(got.data, expected)  # (NaN where numpy's is NaN)


def test_clip_with_tensor_bounds_keeps_its_gradients():
    x = al.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    low = al.tensor([0.0, 0.0, 0.0], requires_grad=True)
    high = al.tensor(1.0, requires_grad=True)
    (al.clip(x, low, high) * np.array([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0] and low.grad.tolist() == [1.0, 0.0, 0.0]
    assert high.grad.item() == 3.0


def test_float16_mean_sums_in_float32_as_numpy_does():
    # np.mean(al.tensor(a)) of 1,000 float16 entries of 100 was inf: the sum overflowed
    a = np.full(1000, 100, np.float16)
    for got in (np.mean(al.tensor(a)), al.tensor(a).mean(), al.mean(al.tensor(a), axis=0)):
        assert got.dtype == np.float16 and got.item() == np.mean(a) == 100.0
    b = np.full((2, 1000), 60, np.float16)
    t = al.tensor(b, requires_grad=True)
    m = t.mean(axis=1, keepdims=True)
    np.testing.assert_array_equal(m.data, np.mean(b, axis=1, keepdims=True))
    m.sum().backward()
    assert t.grad.dtype == np.float16 and np.allclose(t.grad, 1 / 1000, rtol=1e-3)


@pytest.mark.parametrize("value, shape", [(0.5, (1, 2)), (4.0, (2, 3)), (7.0, (2, 3)),
                                          (0.0, (2, 2, 2)), (np.float32(5.0), (2, 3))])
def test_in_is_numpys_any_entry_equal(value, shape):
    # 0.5 in al.tensor([[0.5, 1.0]]) raised "truth value ... ambiguous"
    data = np.arange(np.prod(shape), dtype=float).reshape(shape) * 0.5
    assert (value in al.tensor(data)) == (value in data)


def test_in_is_refused_while_tracing_as_other_value_reads_are():
    f = al.compile(lambda x: (x * 2).sum() if 1.0 in x else x.sum())
    with pytest.raises(al.TraceError, match="v in t"):
        f(al.tensor([1.0, 2.0], requires_grad=True))


def test_contiguous_then_view_is_pytorchs_attention_idiom():
    # k.transpose(1, 2).contiguous().view(2, 12) raised "write t.reshape(...)":
    # contiguous() was t itself, still laid out as the transpose
    rng = np.random.default_rng(0)
    data, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 12))
    k = al.tensor(data, requires_grad=True)
    v = k.transpose(1, 2).contiguous().view(2, 12)
    np.testing.assert_array_equal(v.data, data.transpose(0, 2, 1).reshape(2, 12))
    (v * w).sum().backward()
    expected = _central_differences(
        lambda d: (d.transpose(0, 2, 1).reshape(2, 12) * w).sum(), data)
    np.testing.assert_allclose(k.grad, expected, rtol=1e-7, atol=1e-9)
    assert k[:, ::2].contiguous().view(-1).shape == (16,)
    c = al.tensor(data)
    assert c.contiguous() is c  # laid out already: t itself, as PyTorch's
    view = c.contiguous().view(6, 4)
    view[0, 0] = 99.0  # a view of c: the write reaches it
    assert c.data[0, 0, 0] == 99.0


# ---- PyTorch's and numpy's names that were a bare AttributeError or "no counterpart" -------

def _value_and_grad(f, data, weights):
    x = al.tensor(data, requires_grad=True)
    out = f(x)
    (out * weights).sum().backward()
    return out.data, x.grad


_FLIPS = [
    (lambda t: t.flip(0), lambda a: np.flip(a, 0)),
    (lambda t: t.flip((0, 1)), lambda a: a[::-1, ::-1]),
    (lambda t: t.flip(-1), lambda a: np.flip(a, -1)),
    (lambda t: np.flip(t), lambda a: np.flip(a)),
    (lambda t: np.fliplr(t), np.fliplr), (lambda t: np.flipud(t), np.flipud),
    (lambda t: al.flip(t, 1), lambda a: np.flip(a, 1)),
    (lambda t: t.tril(), np.tril), (lambda t: t.triu(1), lambda a: np.triu(a, 1)),
    (lambda t: np.tril(t, -1), lambda a: np.tril(a, -1)), (lambda t: al.triu(t), np.triu),
    (lambda t: np.take_along_axis(t, np.array([[2, 0, 0, 1], [1, 1, 3, 0], [0, 0, 0, 0]]), 1),
     lambda a: np.take_along_axis(a, np.array([[2, 0, 0, 1], [1, 1, 3, 0], [0, 0, 0, 0]]), 1)),
    (lambda t: np.take_along_axis(t, np.array([[2, 0, 1, 0]]), axis=0),
     lambda a: np.take_along_axis(a, np.array([[2, 0, 1, 0]]), axis=0)),
    (lambda t: al.take_along_axis(t, np.array([11, 0, 11]), None),
     lambda a: np.take_along_axis(a, np.array([11, 0, 11]), None)),
    # PyTorch's gather: index's shape, the first entries on the other axes
    (lambda t: t.gather(1, np.array([[3], [0]])), lambda a: np.array([[a[0, 3]], [a[1, 0]]])),
    (lambda t: al.gather(t, 0, np.array([[2, 2, 0]])), lambda a: a[[2, 2, 0], [0, 1, 2]][None]),
]


def test_gather_is_the_cross_entropy_pytorch_users_write():
    rng = np.random.default_rng(2)
    logits, y = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    z = al.tensor(logits, requires_grad=True)
    loss = -al.log_softmax(z, axis=1).gather(1, y[:, None]).mean()
    loss.backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(4)[y]) / 5, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call, error, message", [
    (lambda t: t.tril(), ValueError, r"tril: a tensor of shape \(3,\)"),
    (lambda t: t.gather(0, np.array([0.0, 1.0])), IndexError, "gather: indices must be an int "),
    (lambda t: t.gather(0, np.array([[0], [1]])), IndexError, r"with x's 1 axes"),
    (lambda t: t.gather(0, np.array([-1, 0])), IndexError, r"gather: index from -1 to 0 is out "
     r"of bounds for x's axis 0 of length 3 \(PyTorch's rule"),  # a -1 took the last entry
    (lambda t: t.gather(0, np.array([3])), IndexError, "out of bounds"),
    (lambda t: t.sum().gather(0, np.array(0)), ValueError, "x is 0-d"),
    (lambda t: t.flip(), TypeError, r"flip\(dims\): give the axes to reverse"),
    (lambda t: t.flip(0, dim=0), TypeError, "unexpected keyword 'dim'"),
    (lambda t: t.register_hook(print), RuntimeError, "does not require grad"),
    (lambda t: t.type_as([1, 2]), TypeError, "type_as: give a Tensor or an array, got list"),
    (lambda t: t.new_zeros(2, dtype=np.int64), TypeError, "int64 is not a float dtype"),
    (lambda t: al.tensor(np.ones((2, 2))).gather(0, np.zeros((2, 3), int)), ValueError,
     "longer than x"),
])
def test_the_new_names_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call(al.tensor([1.0, 2.0, 3.0]))


def test_flip_the_method_is_pytorchs_copy_and_np_flip_numpys_view():
    # a review: t.flip(0) was a view, so y[0] = 100 changed x (PyTorch's flip copies)
    x = al.tensor([1.0, 2.0, 3.0])
    y = x.flip(0)
    y[0] = 100.0
    assert x.tolist() == [1.0, 2.0, 3.0] and x.flip(dims=(0,)).tolist() == [3.0, 2.0, 1.0]
    v = np.flip(x, 0)
    v[0] = 100.0  # numpy's flip is a view of x, for tensors as for arrays
    assert x.tolist() == [1.0, 2.0, 100.0]
    w = al.tensor([1.0, 2.0], requires_grad=True)
    (w.flip(0) * np.array([1.0, 10.0])).sum().backward()
    assert w.grad.tolist() == [10.0, 1.0]


def test_new_zeros_takes_pytorchs_size_keyword():
    x = al.tensor(np.ones(2, np.float32))
    assert x.new_zeros(size=(2, 3)).shape == (2, 3) and x.new_ones(size=[1]).dtype == np.float32


def test_pytorchs_small_conveniences():
    x = al.tensor([[1.26, 0.0], [3.0, -2.5]], requires_grad=True)
    e = x.expand_as(np.ones((3, 2, 2)))
    e.sum().backward()
    assert e.shape == (3, 2, 2) and x.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert x.type_as(np.ones(1, np.float32)).dtype == np.float32 and x.type_as(x) is x
    z = x.new_zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float64 and not z.requires_grad
    assert x.new_ones((1,), dtype=np.float32).dtype == np.float32
    assert x.new_zeros((2,), requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="device='cpu'"):
        x.new_ones(2, device="cuda")
    assert x.sign().tolist() == [[1.0, 0.0], [1.0, -1.0]] and type(x.sign()) is np.ndarray
    assert x.round(1).tolist() == [[1.3, 0.0], [3.0, -2.5]]
    assert [i.tolist() for i in x.nonzero()] == [[0, 1, 1], [0, 0, 1]]
    y = al.tensor([1.0, 2.0])
    y.fill(7.0)  # numpy's in-place fill
    assert y.tolist() == [7.0, 7.0]
    with pytest.raises(RuntimeError, match="fill_"):
        x.fill(0.0)  # a leaf that requires grad, while recording: refused as fill_ is


def test_pytorchs_function_names_of_ops():
    x = al.tensor([-1.0, 2.0], requires_grad=True)
    for name, same in [("pow", "power"), ("mul", "multiply"), ("sub", "subtract"),
                       ("div", "divide"), ("neg", "negative"), ("clamp", "clip")]:
        assert getattr(al, name) is getattr(al, same), name
    al.clamp(x, min=0.0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]
    namespace = {}
    exec("from autograd_lite import *", namespace)
    assert "pow" not in namespace  # Python's pow is not shadowed by a star import


def test_np_dot_with_a_python_number_is_float64_as_numpys():
    x32 = np.ones(3, np.float32)
    for b in (2.5, 2):
        assert np.dot(al.tensor(x32), b).dtype == np.dot(x32, b).dtype == np.float64
        assert np.dot(b, al.tensor(x32)).dtype == np.float64
    assert np.dot(al.tensor(x32), np.float32(2)).dtype == np.float32


def test_amax_takes_numpys_axis_and_max_points_to_an_argmax_that_exists():
    x = al.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    assert x.amax(axis=1).tolist() == [3.0, 4.0] and x.amin(axis=0, keepdims=True).shape == (1, 3)
    assert x.amax(1, keepdim=True).shape == (2, 1)
    with pytest.raises(TypeError, match="give dim= or axis="):
        x.amax(1, axis=0)
    with pytest.raises(TypeError, match=r"t.argmax\(axis=1\) \(or np.argmax\)") as refused:
        al.max(x, 1)  # it named argmax(axis=1), and al.argmax is no function
    written = str(refused.value).split("Write ")[1]
    assert "t.argmax(axis=1)" in written and x.argmax(axis=1).tolist() == [2, 1]


def test_the_readmes_shuffle_keeps_every_row_and_its_gradient():
    # numpy's rng.shuffle(t) duplicates rows (the README says so); its advice does not
    data = np.arange(12.0).reshape(6, 2)
    t = al.tensor(data, requires_grad=True)
    order = np.random.default_rng(0).permutation(len(t))
    shuffled = t[order]
    assert sorted(map(tuple, shuffled.data)) == sorted(map(tuple, data))
    (shuffled * np.arange(6.0)[:, None]).sum().backward()
    assert t.grad[:, 0].tolist() == np.argsort(order).astype(float).tolist()


def test_an_arrays_dot_method_cuts_the_graph_and_the_warning_says_what_to_write():
    # X.dot(W) (CS231n's form) gives a plain array through __array__: the warning named only
    # np.array and np.asarray
    X = np.ones((2, 3))
    W = al.tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.warns(al.CutOffWarning, match=r"X.dot\(W\).*np.dot\(X, W\) or X @ W"):
        assert type(X.dot(W)) is np.ndarray
    (np.dot(X, W) + X @ W).sum().backward()  # what it says to write keeps the gradient
    assert W.grad.tolist() == [[4.0, 4.0]] * 3


# ---- PyTorch's backward(inputs=...) ----------------------------------------------------------

def _loss(w, b):
    y = w * 2.0
    return y, (y * y).sum() + b * w.sum()


def test_backward_inputs_fills_those_alone_with_the_full_gradient():
    w = al.tensor([1.0, 2.0], requires_grad=True)
    b = al.tensor(3.0, requires_grad=True)
    _, loss = _loss(w, b)
    loss.backward(inputs=[w])  # PyTorch's: only w.grad; it was a TypeError
    assert w.grad.tolist() == [8 * 1.0 + 3.0, 8 * 2.0 + 3.0] and b.grad is None
    _, loss = _loss(w, b)
    loss.backward(inputs=b)  # one tensor, and it adds into what .grad holds
    assert b.grad.item() == 3.0 and w.grad.tolist() == [11.0, 19.0]


def test_backward_inputs_through_an_intermediate_gives_upstream_inputs_their_totals():
    # the walk stopped at a requested tensor: w, upstream of y, lost the path through y
    w = al.tensor([1.0, 2.0], requires_grad=True)
    b = al.tensor(3.0, requires_grad=True)
    y, loss = _loss(w, b)
    loss.backward(inputs=[y, w, y])  # y twice: added once
    assert y.grad.tolist() == [4.0, 8.0] and w.grad.tolist() == [11.0, 19.0]
    w2, b2 = al.tensor([1.0, 2.0], requires_grad=True), al.tensor(3.0, requires_grad=True)
    _loss(w2, b2)[1].backward()
    assert w2.grad.tolist() == w.grad.tolist() and b.grad is None


@pytest.mark.parametrize("inputs, error, message", [
    ([], ValueError, r"backward\(inputs=\[\]\): give the tensors"),
    ([np.ones(2)], TypeError, "ndarray has no gradient to get"),
    ([al.tensor([1.0, 2.0])], TypeError, "a tensor without grad has no gradient"),
])
def test_backward_inputs_refuses_what_has_no_gradient(inputs, error, message):
    w = al.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(error, match=message):
        (w * w).sum().backward(inputs=inputs)


def test_backward_inputs_matches_torch_where_it_is_installed():
    torch = pytest.importorskip("torch", reason="torch is the peers' extra")
    data = np.array([0.5, -1.5, 2.0])
    t = torch.tensor(data, requires_grad=True)
    u = torch.tanh(t) * 3
    (u.exp().sum() + (t * t).sum()).backward(inputs=[u, t])
    a = al.tensor(data, requires_grad=True)
    v = al.tanh(a) * 3
    (v.exp().sum() + (a * a).sum()).backward(inputs=[v, a])
    np.testing.assert_allclose(v.grad, u.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-14)


def test_an_entry_made_a_parameter_of_its_own_steps_in_place():
    # a review: x = X[0, 0].requires_grad_() kept the one-entry flag, and x.sub_(lr * x.grad)
    # was refused with advice that would not update x
    X = al.tensor(np.ones((2, 2)))
    x = X[0, 0]
    x.requires_grad_()
    (x * 3.0).backward()
    with al.no_grad():
        x.sub_(0.5 * x.grad)
    assert x.item() == -0.5 and X.data[0, 0] == 1.0


@pytest.mark.parametrize("write", [lambda z: z[()].add_(1.0), lambda z: z[...].fill_(5.0)])
def test_a_0d_tensors_entry_is_a_copy_too_and_its_in_place_method_is_refused(write):
    z = al.tensor(2.0)  # its number is immutable: z[()] and z[...] are copies
    with pytest.raises(RuntimeError, match="one entry taken from another"):
        write(z)
    assert z.item() == 2.0


def test_a_detached_entry_still_refuses_the_lost_write():
    W = al.tensor(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="one entry taken from another"):
        W[0, 1].detach().add_(1.0)  # PyTorch writes W; numpy's entry is a copy
    e = W[0, 1].clone()
    e.add_(1.0)  # what the message offers for a tensor of its own
    assert e.item() == 1.0 and W.data[0, 1] == 0.0


# ---- the stranger's list of names: diagonals, PyTorch's keywords, new_*, *_like -----------

_DIAGONALS = [
    (lambda t: t.diagonal(), lambda a: np.diagonal(a).copy()),
    (lambda t: t.diagonal(2), lambda a: np.diagonal(a, 2).copy()),
    (lambda t: np.diagonal(t, -1), lambda a: np.diagonal(a, -1).copy()),
    (lambda t: np.diagonal(t, 1, axis1=1, axis2=0), lambda a: np.diagonal(a, 1, 1, 0).copy()),
    (lambda t: al.diagonal(t, 5), lambda a: np.diagonal(a, 5).copy()),  # empty
    (lambda t: np.trace(t, 1), lambda a: np.trace(a, 1)),
    (lambda t: t.trace(), np.trace),
    (lambda t: t.fliplr(), np.fliplr), (lambda t: t.flipud(), np.flipud),
    (lambda t: al.flip(t, dims=(0, 1)), lambda a: a[::-1, ::-1]),
    (lambda t: al.tril(t, diagonal=-1), lambda a: np.tril(a, -1)),
    (lambda t: al.triu(t, diagonal=2), lambda a: np.triu(a, 2)),
    (lambda t: t.clamp_min(0.0), lambda a: np.maximum(a, 0.0)),
    (lambda t: t.clamp_max(0.5), lambda a: np.minimum(a, 0.5)),
]


def test_the_stranger_list_of_names_refuses_what_it_cannot_mean():
    t = al.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="give k= or diagonal=, not both"):
        al.tril(t, 1, diagonal=1)
    with pytest.raises(ValueError, match="axis1 and axis2 cannot be the same"):
        np.diagonal(t, 0, 1, 1)
    with pytest.raises(ValueError, match=r"diagonal: x of shape \(2, 2, 2\)"):
        al.tensor(np.ones((2, 2, 2))).diagonal()
    with pytest.raises(TypeError, match=r"keyword\(s\) \['dtype'\]"):
        np.trace(t, dtype=np.float32)


def test_pytorchs_new_and_like_makers():
    x = al.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    full = x.new_full((2,), 7.0)
    assert full.tolist() == [7.0, 7.0] and full.dtype == np.float32 and not full.requires_grad
    made = x.new_tensor([1, 2], requires_grad=True)
    assert made.dtype == np.float32 and made.requires_grad and made.tolist() == [1.0, 2.0]
    assert x.new_empty(4).shape == (4,)
    r = al.randn_like(x, rng=np.random.default_rng(0))
    assert r.shape == (2, 3) and r.dtype == np.float32
    np.testing.assert_array_equal(
        r.data, np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32))
    u = al.rand_like(np.zeros(5), generator=np.random.default_rng(1))
    assert u.dtype == np.float64 and ((0 <= u.data) & (u.data < 1)).all()
    with pytest.raises(ValueError, match="device='cpu'"):
        al.randn_like(x, device="cuda")


@pytest.mark.parametrize("f, reference", _FLIPS + _DIAGONALS)
def test_flip_triangles_gathers_and_diagonals_match_numpy_with_gradients(f, reference):
    rng = np.random.default_rng(1)
    data = rng.standard_normal((3, 4))
    out = f(al.tensor(data))
    weights = rng.uniform(0.5, 1.5, out.shape)
    value, grad = _value_and_grad(f, data, weights)
    np.testing.assert_array_equal(value, reference(data))  # exact: indexing and zeros
    expected = _central_differences(lambda d: (reference(d) * weights).sum(), data)
    np.testing.assert_allclose(grad, expected, rtol=1e-7, atol=1e-9)  # repeats add up


def test_mm_inside_al_grad_reads_no_value():
    # t.mm(w) read w.data for its shape check, and warned that w's derivative was lost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gw = al.grad(lambda x, w: x.mm(w).sum(), argnums=(0, 1))(np.ones((2, 2)),
                                                                      np.ones((2, 3)))
    assert gx.tolist() == [[3.0, 3.0]] * 2 and gw.tolist() == [[2.0, 2.0, 2.0]] * 2
