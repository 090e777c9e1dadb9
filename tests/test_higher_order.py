"""Gradients of gradients: create_graph, nested grad, hessian, hvp."""

import warnings

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor


def test_third_derivative_of_x_cubed():
    f = lambda x: x ** 3  # noqa: E731
    assert al.grad(f)(2.0) == 12.0
    assert al.grad(al.grad(f))(2.0) == 12.0
    assert al.grad(al.grad(al.grad(f)))(2.0) == 6.0
    assert al.grad(al.grad(al.grad(al.grad(f))))(2.0) == 0.0


def test_second_derivative_of_tanh():
    x = 0.7
    t = np.tanh(x)
    assert np.isclose(al.grad(al.grad(al.tanh))(x), -2 * t * (1 - t * t))


def test_backward_with_create_graph_gives_differentiable_grads():
    x = Tensor(1.5, requires_grad=True)
    y = al.exp(x) * x
    y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Tensor) and first.requires_grad
    assert np.isclose(first.item(), np.exp(1.5) * 2.5)
    x.grad = None
    first.backward()
    assert np.isclose(x.grad, np.exp(1.5) * 3.5)


def test_hessian_of_logistic_cost_matches_closed_form():
    rng = np.random.default_rng(0)
    n_x, m = 3, 20
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    w = rng.standard_normal((n_x, 1))

    def cost(w):
        A = al.sigmoid(w.T @ X)
        return -al.mean(Y * al.log(A) + (1 - Y) * al.log(1 - A))

    H = al.hessian(cost)(w)
    a = 1 / (1 + np.exp(-(w.T @ X)))
    closed = X @ np.diag((a * (1 - a)).ravel()) @ X.T / m
    np.testing.assert_allclose(H.reshape(n_x, n_x), closed, rtol=1e-10)


def test_hessian_vector_product_equals_hessian_times_v():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 4))
    f = lambda x: al.sum(al.tanh(A @ x) ** 2)  # noqa: E731
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(al.hvp(f, x, v), al.hessian(f)(x) @ v, rtol=1e-10)


def test_value_and_grad_and_argnums():
    f = lambda x, y: al.sum(x * y ** 2)  # noqa: E731
    value, (gx, gy) = al.value_and_grad(f, argnums=(0, 1))(np.array([1.0, 2.0]),
                                                          np.array([3.0, 4.0]))
    assert value == 1 * 9 + 2 * 16
    np.testing.assert_allclose(gx, [9, 16])
    np.testing.assert_allclose(gy, [6, 16])
    assert isinstance(gx, np.ndarray)


def test_grad_leaves_no_grad_behind_and_needs_scalar():
    x = Tensor(2.0, requires_grad=True)
    al.grad(lambda t: t * t)(x)
    assert x.grad is None
    with pytest.raises(TypeError, match="jacobian"):
        al.grad(lambda t: t * 2)(np.ones(3))
    np.testing.assert_allclose(al.jacobian(lambda t: t * 2)(np.ones(3)), 2 * np.eye(3))


def test_newtons_method_converges_with_engine_hessians():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 50))
    Y = ((X[0] + 0.5 * X[1] + 0.3 * rng.standard_normal(50)) > 0).astype(float)[None]

    def cost(w):
        return al.binary_cross_entropy_with_logits(w.T @ X, Y) + 0.01 * al.sum(w * w)

    w = np.zeros((2, 1))
    for _ in range(8):
        g = al.grad(cost)(w).reshape(2)
        H = al.hessian(cost)(w).reshape(2, 2)
        w = w - np.linalg.solve(H, g).reshape(2, 1)
    assert np.linalg.norm(al.grad(cost)(w)) < 1e-10


def test_first_order_backward_stays_on_plain_arrays():
    x = Tensor(np.ones(3), requires_grad=True)
    (al.tanh(x) * 2).sum().backward()
    assert type(x.grad) is np.ndarray


def test_every_transform_takes_argnums_as_grad_and_jax_spell_it():
    f = lambda x, y: al.sum(x * x * y)  # noqa: E731
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(al.grad(f, argnums=1)(x, y), x * x)
    np.testing.assert_allclose(al.jacobian(lambda x, y: x * y, argnums=1)(x, y), np.diag(x))
    np.testing.assert_allclose(al.hessian(f, argnums=0)(x, y), np.diag(2 * y))
    with pytest.raises(TypeError, match=r"hessian: argnums=\(0, 1\); give one argument index"):
        al.hessian(f, argnums=(0, 1))


def test_a_second_backward_of_a_gradient_that_does_not_depend_on_x_says_why():
    """abs' gradient, sign(x), is constant: x.grad from create_graph has no graph, and the
    error told the user to set requires_grad=True, which they had (PyTorch gives zeros;
    al.grad(al.grad(f)) does too)."""
    x = al.Tensor([-1.0, 2.0], requires_grad=True)
    al.abs(x).sum().backward(create_graph=True)
    g, x.grad = x.grad, None
    with pytest.raises(RuntimeError, match=r"create_graph=True.*does not depend on the inputs"
                                           r".*al\.grad\(al\.grad\(f\)\) gives those zeros"):
        g.sum().backward()
    second = al.grad(lambda t: al.grad(lambda u: al.abs(u).sum())(t).sum())(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(second, [0.0, 0.0])


def test_a_recorded_gradient_has_its_inputs_dtype_as_a_first_order_one_does():
    """A float32 w with float64 operands: w.grad was float32 after backward() and float64
    after backward(create_graph=True); al.value_and_grad of a w that requires grad (which
    records) gave float64 where al.compile of it gave float32."""
    x = np.array([[1.0, 2.0], [3.0, 4.0]])  # float64
    f = lambda w: (w * w * x).sum()  # noqa: E731
    w32 = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    first = al.Tensor(w32, requires_grad=True)
    f(first).backward()
    w = al.Tensor(w32, requires_grad=True)
    f(w).backward(create_graph=True)
    assert first.grad.dtype == w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, first.grad)
    g, w.grad = w.grad, None
    g.sum().backward()  # through the recorded cast: d/dw sum(2 w x) = 2 x
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, (2 * x).astype(np.float32))
    _, dw = al.value_and_grad(f)(al.Tensor(w32, requires_grad=True))
    assert dw.dtype == np.float32
    assert al.compile(al.value_and_grad(f))(al.Tensor(w32, requires_grad=True))[1].dtype == \
        np.float32


def test_hvp_with_pytorchs_tuples_says_how_to_call_it():
    """al.hvp(f, (x,), (v,)), PyTorch's form, failed inside the user's f with "unsupported
    operand type(s) for ** or pow(): 'tuple' and 'int'" (a learner's review)."""
    x, v = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    with pytest.raises(TypeError, match=r"write al\.hvp\(f, x, v\)"):
        al.hvp(lambda t: (t ** 3).sum(), (x,), (v,))
    np.testing.assert_allclose(al.hvp(lambda t: (t ** 3).sum(), x, v), [6.0, 0.0])


def test_transforms_refuse_what_would_broadcast_or_index_out_of_range():
    """hvp with v of shape (1,) for x of shape (3,) broadcast g * v and returned H @ [1, 1, 1];
    grad(f, 2) of a two-argument f raised a bare IndexError."""
    cube = lambda x: (x ** 3).sum()  # noqa: E731
    np.testing.assert_array_equal(al.hvp(cube, [1.0, 2.0, 3.0], [1.0, 0.0, 0.0]), [6.0, 0, 0])
    with pytest.raises(ValueError, match=r"hvp\(f, x, v\): v has shape \(1,\) and x \(3,\)"):
        al.hvp(cube, [1.0, 2.0, 3.0], [1.0])
    with pytest.raises(ValueError, match=r"argnums \(2,\) for a call with 2 positional "
                                         r"argument\(s\).*0 to 1"):
        al.grad(lambda a, b: a * b, 2)(1.0, 2.0)
    assert al.grad(lambda a, b: a * b, -1)(1.0, 2.0) == 1.0


def test_check_gradients_says_a_gradient_is_none_and_refuses_complex_values():
    report = al.check_gradients(lambda P: (P["x"] ** 2).sum(), {"x": np.ones((4, 5))},
                                {"dx": None})
    assert not report.passed and "it is None: is a return statement missing?" in str(report)
    report = al.check_gradients(lambda P: (P["x"] ** 2).sum(), {"x": np.ones(3)},
                                {"dx": np.full(3, 2.0 + 1j)})  # cast to 2.0 with a warning
    assert not report.passed and "'dx' is not a numeric array (it holds complex128" in str(report)


def _penalty_problem():
    rng = np.random.default_rng(3)
    return rng.standard_normal((1, 3)), rng.standard_normal((3, 2)), rng.standard_normal((2, 4))


def _penalised(W, V, X, **options):
    def D(x):
        return al.sum(al.tanh(W @ al.tanh(V @ x)))
    g = al.grad(D, **options)(X)
    return D(X) + (al.norm(g) - 1) ** 2


def test_a_gradient_penalty_backpropagates_into_the_weights_with_create_graph():
    """al.grad(D)(X) was an array, constant in the weights D closes over: W.grad held D's own
    gradient alone ([-0.769, 0.442, -0.711] where torch's create_graph and JAX agree on
    [0.060, -0.601, -1.313]), silently. create_graph=True keeps the dependence; central
    differences of the penalised cost, each computed with arrays, are the truth here."""
    Wd, Vd, X = _penalty_problem()
    W, V = al.Tensor(Wd, requires_grad=True), al.Tensor(Vd, requires_grad=True)
    _penalised(W, V, X, create_graph=True).backward()

    def cost(Wn, Vn):
        return _penalised(al.Tensor(Wn), al.Tensor(Vn), X).item()
    h = 1e-6
    for param, got, at in ((Wd, W.grad, lambda d: cost(Wd + d, Vd)),
                           (Vd, V.grad, lambda d: cost(Wd, Vd + d))):
        want = np.zeros_like(param)
        for i in np.ndindex(param.shape):
            d = np.zeros_like(param)
            d[i] = h
            want[i] = (at(d) - at(-d)) / (2 * h)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_a_top_level_gradient_that_drops_a_closed_over_tensor_says_so():
    Wd, Vd, X = _penalty_problem()
    W = al.Tensor(Wd, requires_grad=True, name="W")
    V = al.Tensor(Vd, requires_grad=True)
    with pytest.warns(al.CutOffWarning, match=r"grad: the function reads tensors that require "
                      r"grad beside its arguments \('W', one of shape \(3, 2\)\).*"
                      r"create_graph=True"):
        _penalised(W, V, X).backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = al.grad(lambda x: al.sum(al.tanh(W @ al.tanh(V @ x))), create_graph=False)(X)
        assert type(g) is np.ndarray
        assert type(al.grad(lambda x: al.sum(x * x))(X)) is np.ndarray  # nothing closed over


@pytest.mark.parametrize("f", [lambda s: 3 * s, al.relu, lambda s: al.abs(s) + 2 * s])
def test_the_third_derivative_of_a_piecewise_linear_function_is_zero(f):
    """It raised "the function returned a ndarray, not a Tensor": the middle level's
    gradient of a constant was np.zeros, not a Tensor. JAX gives 0."""
    assert al.grad(al.grad(al.grad(f)))(0.5) == 0.0
    assert al.grad(al.grad(al.grad(al.grad(f))))(0.5) == 0.0


def test_hvp_differentiates_with_respect_to_its_direction():
    """hvp took np.asarray(v): d/dv sum(H v) was [0, 0, 0] (JAX: H^T 1) and jacobian over v
    raised. H v is linear in v: its Jacobian is H."""
    def f(x):
        return al.sum(x ** 3 * al.sin(x))
    x, v = np.array([0.3, -1.2, 2.0]), np.array([1.0, 2.0, -1.0])
    H = al.hessian(f)(x)
    np.testing.assert_allclose(al.grad(lambda u: al.sum(al.hvp(f, x, u)))(v), H.T @ np.ones(3),
                               rtol=1e-12)
    np.testing.assert_allclose(al.jacobian(lambda u: al.hvp(f, x, u))(v), H, rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(al.hvp(f, x, al.Tensor(v)), H @ v, rtol=1e-12)


def test_argnums_takes_numpys_ints_and_says_where_the_point_goes():
    def f(x, y):
        return al.sum(x * y ** 2)
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_array_equal(al.grad(f, argnums=np.int64(1))(x, y), 2 * x * y)
    assert isinstance(al.value_and_grad(f, argnums=np.int64(0))(x, y)[1], np.ndarray)
    np.testing.assert_array_equal(al.jacobian(lambda a: a * 2, argnums=np.int64(0))(x),
                                  2 * np.eye(2))
    with pytest.raises(TypeError, match=r"grad: argnums=array.*the point goes to the function "
                       r"it returns: al.grad\(f\)\(x\), not al.grad\(f, x\)"):
        al.grad(f, x)
    with pytest.raises(TypeError, match=r"value_and_grad: argnums='0' must be an argument "
                       r"index"):
        al.value_and_grad(f, "0")


@pytest.mark.parametrize("call, name", [
    (lambda f, P: al.jacobian(f)(P), "jacobian"), (lambda f, P: al.hessian(f)(P), "hessian"),
    (lambda f, P: al.hvp(f, P, P), "hvp"),
    (lambda f, P: al.hessian(f)([P["W1"], P["b1"]]), "hessian")])
def test_transforms_of_one_array_say_so_for_the_courses_dict(call, name):
    """jacobian(cost)(P) said 'data of dtype object (from dict) is not real-valued' and hvp
    'float() argument must be ... not dict'. grad takes the dict; these take one array."""
    P = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    with pytest.raises(TypeError, match=rf"{name}: the argument is a (dict|list) of arrays; "
                       rf"{name} takes one array at a time: fix the others, as in al.{name}"):
        call(lambda P: al.sum(P["W1"] ** 2), P)


def test_what_a_review_found_in_the_transforms():
    def f(x):
        return al.sum(x ** 3)
    x, v = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    leaf = al.Tensor(v, requires_grad=True)
    with pytest.warns(al.CutOffWarning, match="pass create_graph=True to hvp"):
        np.testing.assert_array_equal(al.hvp(f, x, leaf), 6 * x * v)  # named hvp, not grad
    hv = al.hvp(f, x, leaf, create_graph=True)
    hv.sum().backward()
    np.testing.assert_array_equal(leaf.grad, 6 * x)  # d/dv sum(H v) = H^T 1
    step = al.compile(al.grad(lambda a, b: al.sum(a * b ** 2), argnums=np.int64(1)))
    np.testing.assert_array_equal(step(x, v), 2 * x * v)
    value, (g,) = al.compile(lambda a, b: al.sum(a * b ** 2), argnums=(np.int64(1),))(x, v)
    np.testing.assert_array_equal(g, 2 * x * v)
    with pytest.raises(TypeError, match=r"give np.stack\(list\)"):
        al.jacobian(lambda a: a * 2)([np.array(1.0), np.array(2.0)])


def test_jacobian_of_a_function_closing_over_a_parameter_warns_once_with_advice_it_takes():
    # an outside tester: one warning per output row, saying to pass create_graph=True to
    # grad, which jacobian and hessian do not take
    w = al.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        J = al.jacobian(lambda x: x * w)(np.array([1.0, 3.0, 5.0]))
    np.testing.assert_array_equal(J, np.diag([1.0, 2.0, 3.0]))
    said = [str(c.message) for c in caught if issubclass(c.category, al.CutOffWarning)]
    assert len(said) == 1 and "call it inside another transform" in said[0]
    assert "create_graph" not in said[0]


def test_grad_of_a_tuple_or_namedtuple_mixing_arrays_and_numbers_keeps_its_structure():
    """(x, 1.0) and P(w=x, b=2.0) raised "cannot make a numeric array from tuple"; the same
    values in a dict worked (h18 engineer). JAX's pytrees give one gradient per leaf."""
    from collections import namedtuple
    x = np.array([1.0, 2.0])
    dx, dc = al.grad(lambda p: (p[0] * p[1]).sum())((x, 1.0))
    assert dx.tolist() == [1.0, 1.0] and float(dc) == 3.0
    P = namedtuple("P", "w b")
    g = al.grad(lambda p: (p.w * p.b).sum())(P(w=x, b=2.0))
    assert type(g) is P and g.w.tolist() == [2.0, 2.0] and float(g.b) == 3.0
    assert al.grad(lambda p: p[0] ** 2 + p[1] ** 3)([1.0, 2.0]).tolist() == [2.0, 12.0]
