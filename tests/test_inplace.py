"""Writing into tensors: in-place operators and item assignment follow PyTorch's rules, and
every way of changing saved data behind the graph's back is refused at backward (shared
version counters for views and detached copies) or cannot happen (read-only np.asarray)."""

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor


def leaf(value, name=None):
    return Tensor(value, requires_grad=True, name=name)


# ---- in-place arithmetic ------------------------------------------------------------------

@pytest.mark.parametrize("op,expected", [
    (lambda p, d: p.__isub__(d), [0.5, 1.5]), (lambda p, d: p.__iadd__(d), [1.5, 2.5]),
    (lambda p, d: p.__imul__(d), [0.5, 1.0]), (lambda p, d: p.__itruediv__(d), [2.0, 4.0]),
    (lambda p, d: p.__ipow__(d), [1.0, 2 ** 0.5]),
])
def test_in_place_operators_on_a_leaf_under_no_grad_write_the_same_tensor(op, expected):
    p = leaf([1.0, 2.0])
    data = p.data
    with al.no_grad():
        result = op(p, 0.5)
    assert result is p and p.data is data  # the same tensor and the same buffer
    np.testing.assert_allclose(p.data, expected)
    assert p.requires_grad and p.is_leaf


def test_augmented_assignment_keeps_the_object_for_every_operator():
    W = leaf(np.eye(2))
    before = W
    with al.no_grad():
        W -= 0.1
        W += 0.1
        W *= 2.0
        W /= 2.0
        W **= 1.0
        W @= np.eye(2) * 3
    assert W is before
    np.testing.assert_allclose(W.data, 3 * np.eye(2))


def test_in_place_on_a_leaf_that_requires_grad_while_recording_is_refused():
    p = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"no_grad\(\)|p\.data"):
        p -= 1.0
    np.testing.assert_allclose(p.data, [1.0, 2.0])  # unchanged


def test_in_place_on_a_tensor_made_by_an_op_is_pythons_rebinding_and_is_recorded():
    x = leaf([1.0, 2.0])
    y = x * 3
    y_before = y
    y += x  # y = y + x
    assert y is not y_before and y.op == "add"
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [4.0, 4.0])


def test_in_place_on_a_constant_works_and_a_value_that_requires_grad_is_recorded():
    t = Tensor([1.0, 2.0])
    t += 1.0
    np.testing.assert_allclose(t.data, [2.0, 3.0])
    w = leaf([1.0, 2.0])
    total = Tensor(0.0)  # PyTorch's running sum: total = torch.tensor(0.); total += loss
    for k in range(3):
        total += (w * k).sum()
    assert total.requires_grad and float(total) == 9.0
    total.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    with pytest.raises(RuntimeError, match=r"the value requires grad \(or holds Tensors\), "
                                           "but writing it into a constant is not recorded"):
        t[0] = (w * 2).sum()  # an element write cannot be recorded: refused, as before


def test_writing_a_list_of_tensors_in_place_is_refused_not_cut_off():
    """total += [a, b] and t[:] = [a, b] wrote the values and dropped the gradient."""
    a, b = leaf(1.0), leaf(2.0)
    for write in ("total += [a, b]", "total[:] = [a, b]", "total *= ([a], [b])"):
        total = Tensor([[0.0, 0.0], [0.0, 0.0]])
        with pytest.raises(RuntimeError, match=r"holds Tensors.*al\.stack"):
            exec(write, {"total": total, "a": a, "b": b})  # noqa: S102
        np.testing.assert_array_equal(total.data, 0.0)  # nothing was written
    with al.no_grad():  # not recorded anyway: the values are written, as in PyTorch
        total = Tensor([0.0, 0.0])
        total += [a, b]
    np.testing.assert_array_equal(total.data, [1.0, 2.0])


def test_in_place_keeps_shape_and_dtype():
    t = Tensor(np.ones(3, np.float32))
    t *= np.float64(2.0)
    assert t.dtype == np.float32 and t.data.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match=r"in-place \+=.*\(2, 3\).*\(3,\)"):
        t += np.ones((2, 3))


def test_in_place_on_a_scalar_leaf():
    p = leaf(1.0)
    (p * p).backward()
    with al.no_grad():
        p -= 0.25 * p.grad
    assert p.item() == 0.5 and p.requires_grad


def test_in_place_update_is_seen_by_a_graph_that_saved_the_old_value():
    W = leaf(np.ones((2, 2)), "W1")
    cost = (W @ np.ones((2, 1))).sum() * W.sum()
    with al.no_grad():
        W -= 0.1
    with pytest.raises(RuntimeError, match="'W1' of shape \\(2, 2\\) was changed in place"):
        cost.backward()


# ---- item assignment ------------------------------------------------------------------------

def test_item_assignment_on_leaves():
    t = Tensor(np.zeros(3))
    t[1] = 5.0
    t[Tensor([0.0]).data.astype(int)] = 2.0
    assert t.tolist() == [2.0, 5.0, 0.0]
    p = leaf(np.zeros(2))
    with pytest.raises(RuntimeError, match="no_grad"):
        p[0] = 1.0
    with al.no_grad():
        p[0] = 1.0
    assert p.tolist() == [1.0, 0.0]


def test_item_assignment_into_an_op_result_is_refused():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match="made by 'multiply'.*al.where"):
        y[0] = 0.0


_VIEWS = {"W[0]": (lambda W: W[0], (0,)), "W.T": (lambda W: W.T, (slice(None), 0)),
          "W.reshape(-1)": (lambda W: W.reshape(-1), (0,)),
          "W[:, ::2]": (lambda W: W[:, ::2], (0, slice(None)))}


@pytest.mark.parametrize("view", list(_VIEWS))
@pytest.mark.parametrize("write", ["+=", "*=", "-=", "[i] ="])
def test_a_view_written_under_no_grad_writes_through_to_what_it_views(view, write):
    """A differential fuzz: V = W[0] made while recording, then `with no_grad(): V += 100`
    left W as it was (V was rebound to V + 100), where PyTorch writes into W. The values
    are torch 2.13's; the write bumps W's version, so a graph that saved W raises."""
    make, where = _VIEWS[view]
    W = leaf(np.arange(6.0).reshape(2, 3), "W")
    V, saved = make(W), (W * W).sum()
    expected = np.arange(6.0).reshape(2, 3)
    with al.no_grad():
        if write == "+=":
            V += 100.0
            make(expected)[...] += 100.0  # (numpy's views write through)
        elif write == "*=":
            V *= 2.0
            make(expected)[...] *= 2.0
        elif write == "-=":
            V -= al.Tensor(1.0)
            make(expected)[...] -= 1.0
        else:
            V[where] = 7.0
            make(expected)[where] = 7.0
    np.testing.assert_array_equal(W.data, expected)
    np.testing.assert_array_equal(V.data, make(expected))
    with pytest.raises(RuntimeError, match="changed in place"):
        saved.backward()
    (V * V).sum().backward()  # the view's own graph reads only shapes: it serves on
    np.testing.assert_array_equal(W.grad, _scatter(make, 2 * make(expected)))


def _scatter(make, g):
    """The gradient of W through view ``make`` of a seed g: g put where the view reads."""
    W = leaf(np.zeros((2, 3)), "W")
    (make(W) * al.Tensor(g)).sum().backward()
    return W.grad


def test_a_view_written_while_recording_is_refused_and_a_copy_is_never_its_base():
    """While recording, `V += x` on a view of a tensor that requires grad rebound V and left
    W as it was, where numpy and PyTorch write through to W (PyTorch refuses it on a view of
    a leaf): it is refused, saying what to write. Under no_grad a copy (W[[0, 1]]) is
    written itself, and W is unchanged, as numpy's copy is."""
    W = leaf(np.ones((2, 3)), "W")
    V = W[0]
    with pytest.raises(RuntimeError, match=r"view made by 'getitem' while recording.*v = v \+ x"):
        V += 1.0
    np.testing.assert_array_equal(W.data, np.ones((2, 3)))
    C = W[[0, 1]]
    with al.no_grad():
        C += 1.0
    np.testing.assert_array_equal(C.data, 2 * np.ones((2, 3)))
    np.testing.assert_array_equal(W.data, np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="made by 'getitem'"):
        W[[0, 1]][0] = 5.0


@pytest.mark.parametrize("write", ["-=", "*=", "[i] =", "sub_", "zero_"])
def test_a_tensor_made_by_an_op_is_written_in_place_under_no_grad_as_in_numpy(write):
    """`W -= 1` under no_grad on a tensor made by an op rebound W: p["W"], the same object,
    kept its old values (numpy and PyTorch write in place)."""
    p = {"W": leaf(np.ones((2, 2))) * 0.5}
    W = p["W"]
    with al.no_grad():
        if write == "-=":
            W -= 1.0
        elif write == "*=":
            W *= 4.0
        elif write == "[i] =":
            W[0] = -0.5
        else:
            getattr(W, write)(*(() if write == "zero_" else (1.0,)))
    assert p["W"] is W
    expected = {"-=": -0.5, "*=": 2.0, "[i] =": -0.5, "sub_": -0.5, "zero_": 0.0}[write]
    assert W.data[0, 0] == expected


def test_a_backward_through_an_op_whose_result_was_written_under_no_grad_raises():
    """exp's derivative is its result: written in place, it would give a wrong gradient."""
    x = leaf([0.0, 1.0])
    y = x.exp()
    with al.no_grad():
        y *= 2.0
    with pytest.raises(RuntimeError, match="its result .* was changed in place"):
        y.sum().backward()
    x2 = leaf([1.0, 2.0])
    z = x2 * 3  # multiply's derivative reads its inputs, not its result: as in PyTorch
    with al.no_grad():
        z -= 1.0
    (z * z).sum().backward()  # d/dx2 of (z_written)^2 = 2 z * 3
    np.testing.assert_allclose(x2.grad, 6 * (3 * np.array([1.0, 2.0]) - 1))


# ---- every way of writing behind the graph's back -----------------------------------------

def _saved_graph():
    W = leaf([1.0, 2.0], "W")
    cost = (W * W).sum()  # dW = 2 W = [2, 4]
    return W, cost


def test_writing_through_np_asarray_is_impossible():
    W, cost = _saved_graph()
    with pytest.raises(ValueError, match="read-only"), pytest.warns(al.CutOffWarning):
        np.asarray(W)[0] = 10.0
    cost.backward()
    np.testing.assert_allclose(W.grad, [2.0, 4.0])


def _detach_isub(W):
    d = W.detach()
    d.data -= 9.0


def _detach_assign(W):
    W.detach().data = np.array([10.0, 2.0])


def _reshape_imul(W):
    r = W.reshape(2, 1)
    r.data *= 0.0


def _slice_isub(W):
    s = W[0:1]
    s.data -= 9.0


def _transpose_iadd(W):
    t = W.T
    t.data += 1.0


def _data_isub(W):
    W.data -= 1.0


@pytest.mark.parametrize("write", [_detach_isub, _detach_assign, _reshape_imul, _slice_isub,
                                   _transpose_iadd, _data_isub],
                         ids=lambda f: f.__name__.strip("_"))
def test_writes_through_views_and_detached_copies_are_refused_at_backward(write):
    W, cost = _saved_graph()
    write(W)
    with pytest.raises(RuntimeError, match="changed in place"):
        cost.backward()


def test_a_write_into_the_base_is_seen_through_a_view_saved_by_the_graph():
    W = leaf(np.arange(4.0))
    V = W.reshape(2, 2)
    cost = (V * V).sum()
    W.data -= 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        cost.backward()


def test_a_copy_does_not_share_the_version_counter():
    W, cost = _saved_graph()
    copy = W.astype(np.float64)  # astype copies
    copy.data -= 5.0
    cost.backward()
    np.testing.assert_allclose(W.grad, [2.0, 4.0])


def test_element_writes_through_data_are_not_caught_as_in_pytorch():
    # documented in the README: t.data[i] = v writes the buffer without telling the engine
    W, cost = _saved_graph()
    W.data[0] = 10.0
    cost.backward()
    np.testing.assert_allclose(W.grad, [20.0, 4.0])


def test_np_array_is_a_copy_and_honours_copy_and_dtype():
    t = Tensor([1.0, 2.0])
    c = np.array(t)
    c[0] = 100.0
    assert t.data[0] == 1.0
    assert np.array(t, dtype=np.float32).dtype == np.float32
    assert np.shares_memory(np.asarray(t), t.data)
    with pytest.raises(ValueError, match="copy"):
        np.asarray(t, dtype=np.float32, copy=False)


def test_assigning_data_converts_like_the_constructor():
    t = leaf([1.0, 2.0])
    t.data = np.array([3, 4])  # ints
    assert t.dtype == np.float64
    (t * 0.5).sum().backward()
    np.testing.assert_allclose(t.grad, [0.5, 0.5])
    f32 = Tensor(np.ones(2, np.float32))
    f32.data = np.array([1.5, 2.5])
    assert f32.dtype == np.float32
    with pytest.raises(TypeError, match="dtype"):
        t.data = np.array(["a", "b"])
    with pytest.raises(ValueError, match="shape"):
        t.data = np.ones(3)


def test_requires_grad_underscore_and_its_limits():
    t = Tensor([1.0, 2.0]).requires_grad_()
    assert t.requires_grad
    (t * 2).sum().backward()
    np.testing.assert_allclose(t.grad, [2.0, 2.0])
    with pytest.raises(RuntimeError, match="only leaves"):
        (t * 2).requires_grad_(False)


def test_pytorchs_in_place_methods_on_a_view_write_through_and_a_broadcast_view_refuses():
    """A hostile review: under no_grad, V += 1 wrote through the view V = W[0] but V.add_(1)
    and W[1].zero_() raised "made by 'getitem'"; a write into w's broadcast view raised
    numpy's bare "assignment destination is read-only" (PyTorch refuses it too, saying
    why). A single entry W[0, 1] is a copy in numpy, rebound as before."""
    W = leaf(np.ones((2, 3)), "W")
    V = W[0]
    with al.no_grad():
        V.add_(1.0)
        V.mul_(3.0)
        W[1].zero_()
    np.testing.assert_array_equal(W.data, [[6.0, 6.0, 6.0], [0.0, 0.0, 0.0]])
    w = leaf(np.ones(3), "w")
    stretched = al.broadcast_to(w, (2, 3))
    for write in (lambda: stretched.__iadd__(1.0), lambda: stretched.__setitem__((0, 0), 5.0),
                  lambda: stretched.add_(1.0)):
        with al.no_grad(), pytest.raises(RuntimeError, match="a broadcast view"):
            write()
    np.testing.assert_array_equal(w.data, np.ones(3))
    with al.no_grad():  # made under no_grad: no op recorded, refused all the same
        plain = al.broadcast_to(w, (2, 3))
        for write in (lambda: plain.__iadd__(1.0), lambda: plain.zero_()):
            with pytest.raises(RuntimeError, match="a broadcast view"):
                write()
    entry = W[0, 1]
    with al.no_grad():
        entry += 1.0
    assert entry.item() == 7.0 and W.data[0, 1] == 6.0


@pytest.mark.parametrize("write", [lambda W: W[0, 1].add_(100), lambda W: W[1][0].zero_(),
                                   lambda W: W[1, 1].fill_(7), lambda W: W[0, 1].sub_(0.5),
                                   lambda W: W[-1, -1].mul_(2), lambda W: W[0, 0].copy_(3.0),
                                   lambda W: W[0, 0].clamp_(max=0.0)])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_pytorchs_in_place_method_on_one_entry_is_refused_not_lost(write, requires_grad):
    # an outside tester: PyTorch's W[0, 1] is a view, numpy's a copy, so W[0, 1].add_(100),
    # and p[0, 1].sub_(lr) under no_grad, changed nothing, in silence
    W = al.tensor(np.arange(6.0).reshape(2, 3), requires_grad=requires_grad)
    before = W.data.copy()
    with al.no_grad(), pytest.raises(RuntimeError, match=r"one entry taken from another \(as "
                                     r"W\[0, 1\] is\), which numpy copies.*write into the "
                                     r"other: W\[0, 1\]"):
        write(W)
    assert np.array_equal(W.data, before)
    with al.no_grad():
        W[0, 1] += 100  # what the message says to write: it does change W
        W[1][0] = 0.0  # (a row is a view: its entry is written through it)
    assert W.data[0, 1] == 101.0 and W.data[1, 0] == 0.0


def test_a_rows_in_place_method_and_a_scalar_tensors_still_write():
    W = al.tensor(np.zeros((2, 3)))
    W[1].add_(1.0)  # a view: written through, as before
    W[:, 0].fill_(5.0)
    t = al.tensor(2.0)
    t.add_(1.0)  # a scalar tensor of its own, not an entry of another
    e = W[0, 2]
    e += 1  # Python's e = e + 1 on a copy, numpy's meaning (README): W is left as it is
    assert W.tolist() == [[5.0, 0.0, 0.0], [5.0, 1.0, 1.0]] and t.item() == 3.0 and e.item() == 1.0


def test_a_write_into_a_clone_names_clone_not_only_astype():
    """y = x.clone(); y[0] = 5 said the tensor was made by 'astype', which the user never
    wrote (h18: a PyTorch user's idiom)."""
    x = al.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"made by 'astype' \(t\.clone\(\)\), and backward"):
        x.clone()[0] = 5.0
    with pytest.raises(RuntimeError, match=r"made by 'multiply', and backward"):
        (x * 2)[0] = 5.0
