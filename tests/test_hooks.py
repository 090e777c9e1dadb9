"""t.register_hook(fn), written as PyTorch users write it, checked against hand-derived
gradients here and against torch itself where it is installed."""

import numpy as np
import pytest

import autograd_lite as al


def test_a_leaf_hook_sees_the_total_and_its_result_goes_into_grad():
    x = al.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(np.array(g)))
    x.register_hook(lambda g: g * 10)
    (x * x + 3 * x).sum().backward()  # d/dx = 2x + 3, summed over both users
    np.testing.assert_array_equal(seen[0], [5.0, 7.0, 9.0])
    np.testing.assert_array_equal(x.grad, [50.0, 70.0, 90.0])


def test_an_intermediate_hook_changes_what_flows_upstream():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []

    def halve(g):
        seen.append(np.array(g))
        return g / 2

    y.register_hook(halve)
    (y * y + y).sum().backward()  # dy = 2y + 1 = 4x + 1, its total over y's two users
    np.testing.assert_array_equal(seen[0], [5.0, 9.0])
    np.testing.assert_array_equal(x.grad, [5.0, 9.0])  # (dy / 2) * 2
    with pytest.warns(UserWarning, match="retain_grad"):  # not kept, as in PyTorch
        assert y.grad is None


def test_retain_grad_keeps_what_the_hooks_left():
    x = al.Tensor([1.0, -1.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    np.testing.assert_array_equal(y.grad, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_hooks_chain_in_order_and_none_leaves_the_gradient():
    x = al.Tensor(2.0, requires_grad=True)  # micrograd's scalar
    order = []
    x.register_hook(lambda g: order.append("first"))
    x.register_hook(lambda g: g + 1)
    x.register_hook(lambda g: order.append(("third", float(g))) or g * 2)
    (x * x).backward()
    assert order == ["first", ("third", 5.0)]
    assert float(x.grad) == 10.0


def test_remove_takes_the_hook_off_and_may_be_called_twice():
    x = al.Tensor([1.0], requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1) or g * 0)
    (x * 5).sum().backward()
    assert calls == [1] and x.grad[0] == 0.0
    handle.remove()
    handle.remove()
    x.grad = None
    (x * 5).sum().backward()
    assert calls == [1] and x.grad[0] == 5.0


def test_an_intermediate_without_hooks_after_remove_walks_as_before():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 0).remove()
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [8.0, 16.0])
    with pytest.warns(UserWarning):  # nor is its gradient kept
        assert y.grad is None


def test_a_hook_cannot_write_into_the_gradient_it_is_shown():
    # the array may be another input's gradient too (add passes one array to both)
    a = al.Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = al.Tensor([3.0, 4.0], requires_grad=True)

    def scale_in_place(g):
        g *= 100

    a.register_hook(scale_in_place)
    with pytest.raises(ValueError, match=r"the hook scale_in_place wrote into the gradient of "
                                         r"'a' it was shown.*g \* 2, not g \*= 2"):
        (a + b).sum().backward()


def test_a_hook_result_is_copied_not_held():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    mine = np.array([7.0, 7.0])
    x.register_hook(lambda g: mine)
    x.sum().backward()
    mine[:] = 0  # the user's array changes later: .grad keeps the gradient
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_a_hook_returning_the_wrong_shape_names_it_and_the_shapes():
    W = al.Tensor(np.ones((4, 2)), requires_grad=True, name="W1")

    def flatten(g):
        return g.reshape(-1)

    W.register_hook(flatten)
    with pytest.raises(ValueError, match=r"hook flatten returned a gradient of shape "
                                         r"\(8,\) for 'W1' of shape \(4, 2\)"):
        W.sum().backward()
    unnamed = al.Tensor(np.ones(2), requires_grad=True)
    unnamed.register_hook(lambda g: g[:1])
    with pytest.raises(ValueError, match=r"of shape \(1,\) for a tensor of shape \(2,\)"):
        unnamed.sum().backward()


def test_bad_registrations_say_what_to_do():
    x = al.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="called with the gradient; got a int"):
        x.register_hook(3)
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        al.Tensor([1.0]).register_hook(print)


def test_hooks_run_on_every_backward_and_for_requested_inputs():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    w = al.Tensor([3.0, 4.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(1) or g + 1)
    y = (x * w).sum()
    y.backward(retain_graph=True)
    y.backward(inputs=[x])  # PyTorch's inputs=: x's .grad adds its hooked gradient again
    assert calls == [1, 1]
    np.testing.assert_array_equal(x.grad, 2 * (w.data + 1))
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_drawing_and_explaining_run_no_hook():
    a = al.Tensor(2.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    calls = []
    a.register_hook(lambda g: calls.append(1))
    e = (a + b) * (b + 1)
    e.backward()
    al.draw(e).source  # noqa: B018
    al.explain(e)
    assert calls == [1]


def test_under_create_graph_the_hook_gets_a_tensor_and_stays_differentiable():
    x = al.Tensor(3.0, requires_grad=True)
    got = []
    x.register_hook(lambda g: got.append(type(g)) or g * g)  # dx = (3x^2)^2 = 9x^4
    (x ** 3).backward(create_graph=True)
    assert got == [al.Tensor]
    assert float(x.grad) == 9 * 3.0 ** 4
    grad = x.grad
    x.grad = None
    grad.backward()  # d/dx (3x^2)^2 = 36 x^3; the hook runs again, squaring it
    assert float(x.grad) == (36 * 3.0 ** 3) ** 2


def test_transforms_run_hooks_made_inside_their_function():
    def f(x):
        h = x * 2
        h.register_hook(lambda g: g * 0.5)
        return (h * h).sum()

    g = al.grad(f)(np.array([1.0, 2.0]))  # dh = 2h = 4x, halved, times 2: 4x
    np.testing.assert_array_equal(g, [4.0, 8.0])


def test_compile_refuses_hooks_inside_and_on_its_arguments():
    def f(x):
        h = x * 2
        h.register_hook(print)
        return h.sum()

    with pytest.raises(al.TraceError, match="register_hook inside the compiled function"):
        al.compile(f)(al.Tensor([1.0, 2.0], requires_grad=True))
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(print)
    step = al.compile(lambda x: (x * x).sum())
    with pytest.raises(TypeError, match="argument 0 has a hook"):
        step(x)
    handle.remove()
    value, (grad,) = step(x)  # the gradient of each argument that requires grad
    np.testing.assert_array_equal(grad, [2.0, 4.0])


def test_hooks_agree_with_torch():
    torch = pytest.importorskip("torch", reason="torch is the peers' extra")
    rng = np.random.default_rng(0)
    W0, X0 = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    results = []
    for lib in (al, torch):
        W = lib.tensor(W0, requires_grad=True)
        X = lib.tensor(X0)
        Z = W @ X
        Z.register_hook(lambda g: g * (g > 0))  # clip negative gradients
        W.register_hook(lambda g: g - g.mean())
        A = lib.tanh(Z)
        J = (A * A).sum() + (Z * 0.5).sum()
        J.backward()
        results.append(np.asarray(W.grad))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-12)


def test_a_hook_registered_after_a_compiled_functions_first_call_is_refused_too():
    """A hostile review: the replay's fast path never looked for hooks: the hook was silently
    not run."""
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    step = al.compile(lambda x: (x * x).sum())
    step(x)
    handle = x.register_hook(lambda g: g * 0)
    with pytest.raises(TypeError, match="argument 0 has a hook"):
        step(x)
    handle.remove()
    assert step(x)[1][0].tolist() == [2.0, 4.0]
    x.retain_grad()  # (a leaf's retain_grad: nothing to refuse, the slower path takes it)
    assert step(x)[1][0].tolist() == [2.0, 4.0]


def test_hooks_run_only_on_the_inputs_asked_for():
    """A hostile review: backward(inputs=[w]) ran the hook of x, whose gradient nobody asked
    for (PyTorch calls it 0 times)."""
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    w = al.Tensor([3.0, 4.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append("x"))
    w.register_hook(lambda g: calls.append("w"))
    (x * w).sum().backward(inputs=[w])
    assert calls == ["w"] and x.grad is None


def test_removing_every_hook_gives_the_walk_back_its_hookless_path():
    from autograd_lite import backward
    before = backward._hooked[0]
    x = al.Tensor([1.0], requires_grad=True)
    y = x * 2
    handles = [x.register_hook(print), y.register_hook(print)]
    assert backward._hooked[0] == before + 2 and y._retain == "hooks"
    for handle in handles:
        handle.remove()
    assert backward._hooked[0] == before and y._retain is False
