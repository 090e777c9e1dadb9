"""A user's custom op is guarded as JAX's immutable arrays guard it: its forward and VJPs
cannot write into the arrays they are given (the caller's data, a gradient that add hands to
both inputs, a compiled trace's constants), and what they return is checked. Each case
below gave a silent wrong answer, or failed far from its cause, before the guard."""

import re
import warnings

import numpy as np
import pytest

import autograd_lite as al


def leaf(values):
    return al.Tensor(np.asarray(values, dtype=float), requires_grad=True)


def shifted_exp_forward(x):
    x -= x.max()  # rebinding in JAX, a write in numpy
    return np.exp(x)


def test_a_forward_that_writes_into_its_input_raises_and_leaves_the_data_alone():
    op = al.custom_op(shifted_exp_forward, lambda g, ans, x: g * ans, name="shifted_exp")
    a = np.array([1.0, 2.0, 3.0])
    W = leaf([1.0, 2.0, 3.0])
    for x in (a, W):
        with pytest.raises(RuntimeError, match=r"custom op 'shifted_exp': its forward writes "
                                               r"into an input .*x = x - x.max\(\)"):
            op(x)
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(W.data, [1.0, 2.0, 3.0])


def doubling_vjp(g, ans, x):
    g *= 2.0
    return g


@pytest.mark.parametrize("build", [lambda op, t: t * 3.0 + op(t), lambda op, t: op(t) + t * 3.0])
def test_a_vjp_that_scales_g_in_place_raises_whatever_the_operand_order(build):
    # add hands one g to both inputs: 3t + dbl(t) gave 8 where 5 is right, dbl(t) + 3t gave 5
    dbl = al.custom_op(lambda x: 2.0 * x, doubling_vjp, name="dbl")
    with pytest.raises(RuntimeError, match=r"custom op 'dbl': vjp 0 writes into g.*2 \* g "
                                           r"rather than g \*= 2"):
        al.grad(lambda t: build(dbl, t).sum())(np.ones(3))


def test_a_vjp_cannot_change_the_callers_seed_or_a_compiled_constant():
    dbl = al.custom_op(lambda x: 2.0 * x, doubling_vjp, name="dbl")
    seed, x = np.ones(3), leaf(np.ones(3))
    with pytest.raises(RuntimeError, match="vjp 0 writes into g"):
        dbl(x).backward(seed)
    np.testing.assert_array_equal(seed, np.ones(3))
    step = al.compile(lambda w: (w * 3.0 + dbl(w)).sum())  # doubled a constant each replay
    with pytest.raises(RuntimeError, match="vjp 0 writes into g"):
        step(leaf(np.ones(3)))


def test_a_vjp_that_writes_into_an_input_or_its_output_leaves_both_alone():
    sin_mut = al.custom_op(np.sin, lambda g, ans, x: (x.__imul__(2.0), g * np.cos(x / 2))[1],
                           name="sin_mut")
    zero_ans = al.custom_op(np.exp, lambda g, ans, x: (ans.fill(0.0), g * np.exp(x))[1],
                            name="zero_ans")
    for op in (sin_mut, zero_ans):
        W = leaf([0.3, 0.5])
        y = op(W)
        before = y.data.copy()
        with pytest.raises(RuntimeError, match=f"custom op '{op.name}': vjp 0 writes"):
            y.sum().backward()
        np.testing.assert_array_equal(W.data, [0.3, 0.5])
        np.testing.assert_array_equal(y.data, before)


def test_correct_custom_ops_are_unchanged_by_the_guard():
    softplus = al.custom_op(lambda x: np.logaddexp(0.0, x),
                            lambda g, ans, x: g / (1.0 + np.exp(-x)), name="softplus")
    x = np.array([-2.0, 0.3, 4.0])
    assert al.gradcheck(softplus, [x])
    t = leaf(x)
    softplus(t).sum().backward()
    np.testing.assert_allclose(t.grad, 1 / (1 + np.exp(-x)), rtol=1e-15)
    out = softplus(t)  # the output is the engine's own: writable, as every op's
    with al.no_grad():
        out += 1.0


def test_a_forward_that_returns_its_input_gives_an_output_of_its_own():
    # an op that is not a declared view must not change when its input is written
    for forward in (lambda x: x, lambda x: x.T, lambda x: x[0]):
        op = al.custom_op(forward, lambda g, ans, x: g, name="alias")
        W = leaf([[1.0, 2.0]])
        y = op(W)
        kept = y.data.copy()
        with al.no_grad():
            W.data += 10.0
        np.testing.assert_array_equal(y.data, kept)


@pytest.mark.parametrize("forward, message", [
    (lambda x: (np.sin(x), np.cos(x)), r"forward returned a tuple of 2; a custom op has one "
                                       r"output.*np.stack"),
    (lambda x: al.Tensor(x * 2), r"forward returned a Tensor.*x \* 2, not al.Tensor"),
    (lambda x: "ok", r"custom op 'bad': .*real"),
])
def test_a_forward_result_that_is_not_one_array_is_refused_at_the_call(forward, message):
    op = al.custom_op(forward, lambda g, ans, x: g, name="bad")
    with pytest.raises(TypeError, match=message):
        op(leaf([0.5, -1.0]))


def test_numbers_and_lists_from_a_forward_become_float_arrays():
    for forward, expected in ((lambda x: 2.0, 2.0), (lambda x: [1.0, 2.0], [1.0, 2.0]),
                              (lambda x: [1, 2], [1.0, 2.0])):
        y = al.custom_op(forward, lambda g, ans, x: g * 0.0, name="made")(leaf([0.5, -1.0]))
        assert y.dtype == np.float64
        np.testing.assert_array_equal(y.data, expected)


def test_a_vjp_result_of_a_shape_no_gradient_has_is_refused():
    # a tuple by mistake was summed over its first axis: the gradient doubled
    two = al.custom_op(lambda x: 2.0 * x, lambda g, ans, x: (2 * g, 2 * g), name="two")
    with pytest.raises(ValueError, match=r"custom op 'two': vjp 0 returned shape \(2, 3\); a "
                                         r"gradient has input 0's shape \(3,\).*tuple or list"):
        two(leaf(np.ones(3))).sum().backward()
    scalar = al.custom_op(lambda x: 2.0 * x, lambda g, ans, x: 2.0, name="scalar")
    with pytest.raises(ValueError, match=r"custom op 'scalar': vjp 0 returned shape \(\); a "):
        scalar(leaf(np.ones(3))).sum().backward()


def test_a_vjp_may_return_the_outputs_shape_and_the_engine_sums_broadcast_axes():
    # the course's bias: Z (n, m) + b (n, 1); db is g summed over the examples
    add_bias = al.custom_op(lambda Z, b: Z + b, lambda g, ans, Z, b: g,
                            lambda g, ans, Z, b: g, name="add_bias")
    Z, b = leaf(np.arange(6.0).reshape(2, 3)), leaf([[1.0], [2.0]])
    (add_bias(Z, b) * np.arange(6.0).reshape(2, 3)).sum().backward()
    np.testing.assert_array_equal(b.grad, [[3.0], [12.0]])


@pytest.mark.parametrize("result, kind", [("abc", "text"), (np.array([1j, 2j, 3j]), "complex")])
def test_a_vjp_result_that_is_not_real_numbers_is_refused(result, kind):
    op = al.custom_op(lambda x: 2.0 * x, lambda g, ans, x: result, name="odd")
    with pytest.raises(TypeError, match=f"custom op 'odd': vjp 0 returned {kind}"):
        op(leaf(np.ones(3))).sum().backward()


def test_a_vjp_that_fails_when_differentiated_again_says_why():
    h = al.custom_op(lambda x: np.logaddexp(0.0, x), lambda g, ans, x: g * np.heaviside(x, 0.5),
                     name="h")
    x = np.array([-1.0, 0.3, 2.0])
    np.testing.assert_allclose(al.grad(lambda t: h(t).sum())(x), np.heaviside(x, 0.5))
    with pytest.raises(TypeError, match=r"custom op 'h': vjp 0 failed while it was "
                                        r"differentiated again \(al.hessian.*al.where"):
        al.hessian(lambda t: h(t).sum())(x)


def test_assert_gradients_match_tells_a_wrong_custom_vjp_from_a_wrong_hand_gradient():
    """An engineer's right hand gradient was blamed for their custom op's wrong VJP (the
    Gram matrix's, wrong off the diagonal); check_gradients named the op, this did not."""
    from autograd_lite.testing import GradientMismatchError, assert_gradients_match
    rng = np.random.default_rng(1)
    weights, x = rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    right_hand = lambda x: (weights + weights.T) @ x  # noqa: E731
    for vjp, hand, blamed in ((lambda g, ans, x: 2 * g @ x, right_hand, True),
                              (lambda g, ans, x: (g + g.T) @ x, lambda x: 2 * right_hand(x),
                               False)):
        gram = al.custom_op(lambda x: x @ x.T, vjp, name="gram")
        with pytest.raises(GradientMismatchError) as raised:
            assert_gradients_match(lambda t, op=gram: (op(t) * weights).sum(), hand, [x])
        reasons = [p["reason"] for p in raised.value.problems]
        assert reasons == (["custom op's VJP"] if blamed else ["values"])
        if blamed:
            assert "custom op 'gram': its VJP is the one to check" in str(raised.value)


def test_gradcheck_names_the_custom_op_a_failure_goes_through():
    softplus_bad = al.custom_op(lambda x: np.logaddexp(0.0, x),
                                lambda g, ans, x: g / (1.0 + np.exp(x)), name="softplus_bad")
    with pytest.raises(AssertionError, match=r"disagrees at index .* goes through custom op "
                                             r"'softplus_bad', whose VJP is yours"):
        al.gradcheck(lambda t: softplus_bad(t) * 2.0, [np.array([-1.0, 0.3, 2.0])])
    with pytest.raises(AssertionError) as raised:  # no custom op: nothing said of one
        al.gradcheck(lambda t: al.Tensor(t.data) * t, [np.array([-1.0, 0.3, 2.0])])
    assert "custom op" not in str(raised.value)


def test_a_custom_op_may_return_indices_and_a_library_that_needs_a_writable_copy_is_named():
    """Review: int and bool results (indices, masks) were made floats, so indexing with them
    failed; any "read-only" ValueError was reported as a write by the user's code."""
    argsort = al.custom_op(lambda x: np.argsort(x), lambda g, ans, x: np.zeros_like(x),
                           name="argsort")
    x = leaf([3.0, 1.0, 2.0])
    order = argsort(x)
    assert order.dtype.kind == "i" and order.data.tolist() == [1, 2, 0]

    def needs_writable(x):
        raise ValueError("buffer source array is read-only")  # a Cython function's refusal

    op = al.custom_op(needs_writable, lambda g, ans, x: g, name="cython")
    with pytest.raises(RuntimeError, match=r"custom op 'cython': its forward calls something "
                                           r"that needs a writable array .* np.array\(x\)"):
        op(x)
    boolean = al.custom_op(lambda x: 2.0 * x, lambda g, ans, x: g > 0, name="boolean")
    with pytest.raises(TypeError, match="vjp 0 returned booleans"):
        boolean(x).sum().backward()


def test_gradcheck_of_float32_inputs_checks_the_float32_gradient_too():
    """gradcheck ran on float64 copies alone, so a VJP wrong only in float32 (the code a
    float32 training runs) passed; PyTorch's checks in the dtype given."""
    f32bad = al.custom_op(lambda x: x ** 2, lambda g, ans, x: (2 if x.dtype == np.float64
                                                               else 3) * x * g, name="f32bad")
    x32 = np.random.default_rng(0).standard_normal(5).astype(np.float32)
    assert al.gradcheck(f32bad, [x32.astype(np.float64)])  # right in float64
    with pytest.raises(AssertionError, match=r"in the inputs' own dtype \(float32\), the "
                                             r"gradient w.r.t. input 0 .* a VJP that goes wrong"):
        al.gradcheck(f32bad, [x32])
    assert al.gradcheck(lambda t: al.sigmoid(t) * t, [x32])  # float32 rounding: no failure
    assert al.gradcheck(lambda a, b: a @ b, [np.ones((2, 3), np.float32), np.ones((3, 2))])


# ---- a VJP differentiated again (al.hessian, gradgradcheck) must not cut silently ----------
# An outside engineer's VJPs in plain numpy idioms: float(x), x.copy(), np.full(x.shape, g).
# Each gave a second derivative of 0 (or an error blaming the caller's function) with no
# word about the op.

def test_float_of_x_in_a_vjp_warns_naming_the_op_when_differentiated_again():
    import math
    mexp = al.custom_op(np.exp, lambda g, ans, x: g * math.exp(float(x)), name="mexp")
    assert al.gradcheck(mexp, [np.array(0.5)])  # first order: right, and silent
    with pytest.warns(al.CutOffWarning, match=r"custom op 'mexp': vjp 0, run again .* became "
                                              r"a Python number"):
        al.hessian(mexp)(np.array(0.5))


def test_a_copy_in_a_vjp_warns_naming_the_op_when_differentiated_again():
    cp = al.custom_op(lambda x: x ** 2, lambda g, ans, x: 2 * x.copy() * g, name="cp")
    with pytest.warns(al.CutOffWarning) as caught:  # (and grad's: the copy is a new leaf)
        al.hessian(lambda x: cp(x).sum())(np.array([1.0, 2.0]))
    assert any(re.search(r"custom op 'cp': vjp 0, run again .*t\.copy\(\)", str(w.message))
               for w in caught)


def test_a_vjp_returning_an_array_while_g_requires_grad_is_refused_naming_the_op():
    mysum = al.custom_op(lambda x: x.sum(), lambda g, ans, x: np.full(x.shape, g), name="mysum")
    assert al.gradcheck(mysum, [np.ones(3)])
    with pytest.raises(TypeError, match=r"custom op 'mysum': vjp 0 returned ndarray, not a "
                                        r"Tensor.*g \* al.ones_like\(x\)"), \
            pytest.warns(al.CutOffWarning, match=r"custom op 'mysum': vjp 0, run again .*"
                                                  r"became a plain numpy array"):  # (np.full's)
        al.hessian(lambda x: mysum(x) ** 2)(np.array([1.0, 2.0]))
    # written with recorded operations, the same op has the right Hessian, 2 * ones
    mysum.defvjp(lambda g, ans, x: g * al.ones_like(x))
    np.testing.assert_allclose(al.hessian(lambda x: mysum(x) ** 2)(np.array([1.0, 2.0])),
                               2 * np.ones((2, 2)))


def test_a_linear_ops_plain_vjp_still_gives_a_zero_hessian():
    # g does not require grad here (the seed): the array VJP loses nothing, as JAX's zeros
    mysum = al.custom_op(lambda x: x.sum(), lambda g, ans, x: np.full(x.shape, g), name="mysum")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(al.hessian(mysum)(np.array([1.0, 2.0])), np.zeros((2, 2)))


def test_float_of_the_variable_inside_al_grad_warns_and_printing_a_cost_does_not():
    for cut in (lambda x: x * float(x), lambda x: x * x.item()):  # (a second review: item()
        with pytest.warns(al.CutOffWarning, match=r"inside the function given to al\.grad: "
                                                  r"a leaf Tensor became a Python number"):
            assert al.grad(cut)(2.0) == 2.0  # JAX raises; the truth is 4  # went quiet)
    with warnings.catch_warnings():  # the course's "%f" % cost and float(cost) stay quiet
        warnings.simplefilter("error")
        w = al.tensor([1.0, 2.0], requires_grad=True)
        cost = (w * w).sum()
        assert "cost %f" % cost == "cost 5.000000" and float(cost) == 5.0  # noqa: UP031
        assert al.grad(lambda x: x * float(x.detach()))(2.0) == 2.0  # the cut, said meant


def test_custom_op_misuse_says_what_to_write():
    # an outside engineer's three: each said something beside the point before
    mul = al.custom_op(lambda x, y=1.0: x * y, lambda g, a, x, y=1.0: g * y, name="mul")
    w = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=r"custom op 'mul': y= is a Tensor that requires grad, "
                                        r"but keywords are parameters"):  # was: "forward
        mul(w, y=w)  # returned a Tensor"
    with pytest.raises(TypeError, match=r"custom op 'mul' takes 1 input, one per vjp, got 2"):
        mul(w, 2.0)
    np.testing.assert_array_equal(mul(w, y=2.0).data, [2.0, 4.0])

    @al.custom_op
    def doubled(x):
        return x * 2
    with pytest.raises(TypeError, match=r"custom op 'doubled' has no vjp yet: .*@doubled.defvjp"):
        doubled(w)  # was: "doubled() takes 0 inputs, got 1"


def test_a_zero_vjp_differentiated_again_is_taken_and_a_constant_keyword_tensor_too():
    # a hostile review: a step function's VJP, np.zeros_like(x), was refused under hessian
    step = al.custom_op(lambda x: (x > 0).astype(float), lambda g, a, x: np.zeros_like(x),
                        name="step")
    np.testing.assert_array_equal(al.hessian(lambda x: (step(x) * x * x).sum())(
        np.array([1.0, -2.0])), [[2.0, 0.0], [0.0, 0.0]])
    masked = al.custom_op(lambda x, mask=None: x * np.asarray(mask),
                          lambda g, a, x, mask=None: g * np.asarray(mask), name="masked")
    x = leaf([3.0, 4.0])
    masked(x, mask=al.tensor([1.0, 0.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0])


@pytest.mark.parametrize("read", [lambda x: x.data, lambda x: x.numpy()])
def test_a_vjp_reading_x_data_under_create_graph_warns_rather_than_a_silent_zero(read):
    # an outside tester: 3 x.data ** 2 * g gave a Hessian of 0 (diag(3, -9) is right), with
    # no warning, where float(x) and x.copy() warned
    cube = al.custom_op(lambda x: x ** 3,
                        lambda g, ans, x: 3 * (read(x) if isinstance(x, al.Tensor) else x) ** 2
                        * g)
    x = np.array([0.5, -1.5])
    with pytest.warns(al.CutOffWarning, match=r"vjp 0, run again to differentiate it .*became "
                      r"an array \(t\.(data|numpy\(\))\)"):
        al.hessian(lambda z: al.sum(cube(z)))(x)
    right = al.custom_op(lambda x: x ** 3, lambda g, ans, x: 3 * x ** 2 * g)
    np.testing.assert_allclose(al.hessian(lambda z: al.sum(right(z)))(x), np.diag(6 * x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # first order, and a training loop's t.data, are quiet
        al.grad(lambda z: al.sum(cube(z)))(x)
        w = al.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        w.data -= 0.1 * w.grad


def test_x_data_inside_al_grads_function_warns():
    with pytest.warns(al.CutOffWarning, match=r"inside the function given to al\.grad: .*became "
                      r"an array \(t\.data\)"):
        g = al.grad(lambda x: al.sum(x * x.data))(np.array([1.0, 2.0]))
    assert g.tolist() == [1.0, 2.0]  # the lost half: x.data is a constant there


def test_gradgradcheck_names_a_custom_op_whose_vjp_reads_what_its_forward_saved():
    """Its second derivatives are 0 (the VJP is a constant to the engine); gradgradcheck
    blamed .data and np.asarray, named no op, and said its own name twice (h18 engineer)."""
    saved = {}

    def forward(x):
        saved["slope"] = 3 * x ** 2
        return x ** 3
    cube = al.custom_op(forward, lambda g, ans, x: g * saved["slope"], name="cube_saved")
    x = np.array([1.0, 2.0])
    assert al.gradcheck(cube, [x])  # the first derivative is right
    with pytest.raises(al.GradcheckError) as caught:
        al.gradgradcheck(cube, [x])
    message = str(caught.value)
    assert message.count("gradgradcheck") == 1, message
    assert "f's vector-Jacobian product is not connected to any input" in message
    assert message.endswith("f goes through custom op 'cube_saved', whose VJP is yours: for "
                            "second derivatives it must compute with al ops on the Tensors it "
                            "is given (g, ans, x), not with values its forward saved (a cache) "
                            "or read as arrays")
