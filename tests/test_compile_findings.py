"""What an outside tester of al.compile found: replays that could give another answer than
eager autograd_lite, each now refused or made the same, bit for bit."""

import warnings

import numpy as np
import pytest

import autograd_lite as al


def _dropout_cost(A, D):
    return ((A * D / 0.8) ** 2).mean()


@pytest.mark.parametrize("mask_dtype", [bool, np.uint8, np.int8, np.int16])
def test_an_int_or_bool_mask_with_float32_data_is_refused_not_widened(mask_dtype):
    # eager numpy keeps float32 * bool float32; the trace took the mask as float64
    rng = np.random.default_rng(0)
    A = al.Tensor(rng.standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    D = (rng.random((4, 5)) < 0.8).astype(mask_dtype)
    assert _dropout_cost(A, D).dtype == np.float32
    said = (r"D is an int or bool array.*eager: float32, traced: float64.*astype\(np.float32\)"
            if mask_dtype is bool else rf"D is a {np.dtype(mask_dtype)} array.*wraps")
    with pytest.raises(TypeError, match=said):
        al.compile(_dropout_cost)(A, D)
    value, (dA, _) = al.compile(_dropout_cost)(A, D.astype(np.float32))  # as it says
    J = _dropout_cost(A, D)
    J.backward()
    assert value.dtype == np.float32 and value.tobytes() == J.data.tobytes()
    assert dA.tobytes() == A.grad.tobytes()


def test_an_int_or_bool_mask_with_float64_data_still_compiles_bit_for_bit():
    rng = np.random.default_rng(1)
    A = al.Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    step = al.compile(_dropout_cost)
    for seed in range(3):  # replays with new masks
        D = np.random.default_rng(seed).random((4, 5)) < 0.8
        value, (dA, _) = step(A, D)
        A.grad = None
        J = _dropout_cost(A, D)
        J.backward()
        assert value.tobytes() == J.data.tobytes() and dA.tobytes() == A.grad.tobytes()
    assert step.trace_count == 1


def test_uint8_images_with_float32_weights_are_refused():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 255, (3, 6)).astype(np.uint8)  # the cat pictures as stored
    W = al.Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="X is a uint8 array"):
        al.compile(lambda W, X: (W @ X).sum())(W, X)


def test_another_int_dtype_of_the_same_shape_is_another_trace():
    # int64 and int16 promote differently with float32: the trace of one is not the other's
    W = al.Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    step = al.compile(lambda W, X: (W @ X).sum())
    X = np.arange(6).reshape(3, 2)
    step(W, X.astype(np.int64))  # float32 @ int64 is float64, eagerly too: compiles
    assert step.trace_count == 1
    with pytest.raises(TypeError, match="int16 array"):
        step(W, X.astype(np.int16))


def test_binary_cross_entropy_checks_p_on_every_replay():
    step = al.compile(lambda p, y: al.binary_cross_entropy(p, y))
    y = np.array([1.0, 0.0, 1.0])
    step(al.Tensor([0.2, 0.4, 0.9], requires_grad=True), y)
    assert "probabilities(p)" in step.source  # the check, by a readable name
    with pytest.raises(ValueError, match=r"binary_cross_entropy: p holds values in "
                                         r"\[0.4, 1.5\]"):
        step(al.Tensor([1.5, 0.4, 0.9], requires_grad=True), y)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: p holds values"):  # eager
        al.binary_cross_entropy(al.Tensor([1.5, 0.4, 0.9], requires_grad=True), y)


def test_the_readmes_forgotten_sigmoid_is_refused_when_replayed():
    step = al.compile(lambda W, X, Y: al.binary_cross_entropy(W @ X, Y))
    X, Y = np.array([[0.1, 0.3]]), np.array([[1.0, 0.0]])
    step(al.Tensor([[1.0]], requires_grad=True), X, Y)  # p <= 0.3: traces
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        step(al.Tensor([[5.0]], requires_grad=True), X, Y)


def _counts(x, X):
    # the course's accuracy pattern: a mask cast to int, np.floor(...).astype(int), and an
    # array argument cast: arrays eagerly, traced tensors under al.compile
    return ((x * (x > 1).astype(int)).sum() + np.floor(x * 2).astype(int).sum()
            + X.astype(np.int32).sum())


def test_an_int_cast_of_what_is_an_array_eagerly_compiles_bit_for_bit():
    X = np.array([1.5, 2.5])
    step = al.compile(_counts)
    for values in ([0.6, 1.2, 3.0], [2.0, 3.0, 0.1]):  # the trace, then a replay
        x = al.Tensor(values, requires_grad=True)
        value, (dx, _) = step(x, X)
        J = _counts(x, X)
        J.backward()
        assert np.asarray(value).tobytes() == J.data.tobytes()
        assert dx.tobytes() == x.grad.tobytes()
    assert step.trace_count == 1


def test_an_int_cast_of_a_tensor_that_requires_grad_is_refused_as_eagerly():
    x = al.Tensor([0.6, 1.2], requires_grad=True)
    for call in (lambda: x.astype(int), lambda: al.compile(lambda x: x.astype(int).sum())(x)):
        with pytest.raises(TypeError, match="astype: int64 is not a float dtype"):
            call()


@pytest.mark.parametrize("pick", [
    lambda Z, y: Z[y, np.arange(3)],
    lambda Z, y: al.take_along_axis(Z, y[None, :], 0),
    lambda Z, y: Z.gather(0, y[None, :]),
], ids=["getitem", "take_along_axis", "gather"])
def test_an_index_array_argument_says_what_to_write_for_every_way_of_indexing(pick):
    # take_along_axis and gather said only "np.asarray(t) needs the value of a tensor"
    Z = al.Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    y = np.array([0, 3, 1])
    with pytest.raises(al.TraceError, match="give it at static_argnums as a tuple"):
        al.compile(lambda Z, y: -al.log_softmax(pick(Z, y), axis=0).sum())(Z, y)


def test_one_hot_labels_are_the_compiled_cross_entropy():
    rng = np.random.default_rng(3)
    Z = al.Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = np.array([0, 3, 1])
    Y = np.eye(4)[y].T  # (classes, m), as the README says

    def cost(Z, Y):
        return -(Y * al.log_softmax(Z, axis=0)).sum() / 3
    value, (dZ, _) = al.compile(cost)(Z, Y)
    J = -al.log_softmax(Z, axis=0)[y, np.arange(3)].sum() / 3  # indexed eagerly
    J.backward()
    np.testing.assert_allclose(value, J.data, rtol=1e-15)
    np.testing.assert_allclose(dZ, Z.grad, rtol=1e-14, atol=1e-16)


def test_a_one_tuple_comes_back_a_one_tuple_as_the_readme_says():
    w = al.Tensor([1.0, 2.0], requires_grad=True)
    step = al.compile(lambda x: (x.sum(),))
    for _ in range(2):  # the trace, then a replay
        value, (dw,) = step(w)
        assert type(value) is tuple and len(value) == 1 and value[0] == 3.0
    assert "return ((J,), (dx,))" in step.source


@pytest.mark.parametrize("model", ["deep", "shallow"])
def test_a_cost_built_from_nns_compute_cost_compiles_with_the_labels_as_an_argument(model):
    """compute_cost read Y's values to check them; under al.compile Y is traced, and the
    obvious compiled course step raised a TraceError pointing into nn/cost.py."""
    import nn
    from nn import deep, shallow
    X, Y = nn.planar_flower()
    if model == "deep":
        params = deep.initialize_parameters_deep([2, 4, 3, 1])

        def J(params, X, Y):
            return deep.compute_cost(deep.L_model_forward(X, params)[0], Y)
    else:
        params = shallow.initialize_parameters(2, 4, 1)

        def J(params, X, Y):
            return shallow.compute_cost(shallow.forward_propagation(X, params)[0], Y)
    value, grads = al.value_and_grad(J)(params, X, Y)
    step = al.compile(J, argnums=0)
    for labels in (Y, 1 - Y):  # the trace, then a replay with other labels
        value, grads = al.value_and_grad(J)(params, X, labels)
        compiled, compiled_grads = step(params, X, labels)
        assert np.asarray(compiled).tobytes() == np.asarray(value).tobytes()
        assert all(compiled_grads[k].tobytes() == grads[k].tobytes() for k in grads)
    with pytest.raises(ValueError, match="Y should hold values in"):  # eagerly still checked
        J(params, X, 2 * Y)


def test_a_narrow_int_argument_is_refused_whatever_its_first_values():
    """A hostile review: uint8 labels passed the first call's comparison; a later call where
    y - 1 wrapped (0 - 1 is 255 in uint8, -1 in float64) replayed 7.0 where eager gave 263."""
    w = al.Tensor([1.0, 2.0], requires_grad=True)
    f = lambda w, y: (w * (y - 1)).sum()  # noqa: E731
    for dtype in (np.uint8, np.uint16, np.int32, np.uint64):
        with pytest.raises(TypeError, match=f"y is a {np.dtype(dtype)} array"):
            al.compile(f)(w, np.array([2, 3], dtype))
    value, (dw, _) = al.compile(f)(w, np.array([2, 3]))  # int64: compared with eager, taken
    assert value == 5.0 and dw.tolist() == [1.0, 2.0]


def test_reading_or_setting_grad_inside_a_compiled_function_is_refused():
    """Eagerly w.grad held [2, 4] and f took the other branch (9); compiled, the traced copy's
    .grad was None and the replay returned 5, silently."""
    w = al.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()

    def branches_on_grad(w):
        return (w * w).sum() if w.grad is None else (w * 3).sum()

    assert float(branches_on_grad(w)) == 9.0
    with pytest.raises(al.TraceError, match=r"reading t.grad inside the compiled function, "
                                            r"at\n  .*test_compile_findings.py"):
        al.compile(branches_on_grad)(w)

    outside = al.tensor([1.0, 1.0], requires_grad=True)
    outside.grad = np.array([5.0, 5.0])

    def reads_a_closures_grad(w):  # baked in: a later outside.grad would go unseen
        return (w * outside.grad).sum()

    with pytest.raises(al.TraceError, match="reading t.grad"):
        al.compile(reads_a_closures_grad)(w)

    def sets_grad(w):
        w.grad = None
        return (w * w).sum()

    with pytest.raises(al.TraceError, match="setting t.grad"):
        al.compile(sets_grad)(w)
    assert w.grad.tolist() == [2.0, 4.0] and outside.grad.tolist() == [5.0, 5.0]
    value, (dw,) = al.compile(lambda w: (w * w).sum())(w)  # and without .grad, as before
    assert value == 5.0 and dw.tolist() == [2.0, 4.0]


_BATCH = np.array([[1.0, 2.0, 3.0]])


def _cost_of_the_global_batch(w):
    return (w * _BATCH).sum()


def test_rebinding_a_global_or_closure_value_that_f_reads_retraces_saying_so():
    """The trace took X, a global, as a constant: after X = next batch the replay gave the
    old cost and gradients, silently (h18: 0.7037 where eager gave 1.3276)."""
    global _BATCH
    w = al.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    step = al.compile(_cost_of_the_global_batch)
    first = np.array([[1.0, 2.0, 3.0]])
    _BATCH = first
    assert step(w)[0] == 4.5
    try:
        _BATCH = first * 2
        with pytest.warns(UserWarning, match=r"al.compile\(_cost_of_the_global_batch\): "
                                             r"_BATCH, which .* reads from outside \(a global "
                                             r"or closure variable\), now holds another value"):
            value, (dw,) = step(w)
        assert value == 9.0 and dw.tolist() == [[2.0, 4.0, 6.0]] and step.trace_count == 2
        _BATCH = first * 3  # said once
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert step(w)[0] == float(_cost_of_the_global_batch(w)) == 13.5
            assert step(w)[0] == 13.5 and step.trace_count == 3  # unchanged: replayed
    finally:
        _BATCH = first


def test_a_closures_number_flag_or_dict_item_changed_retraces_an_equal_one_does_not():
    w = al.tensor([1.0, 2.0], requires_grad=True)
    scale, training, params = 1.0, True, {"v": np.array([1.0, 1.0])}

    def f(w):
        out = (w * scale * params["v"]).sum()
        return out * 2 if training else out

    step = al.compile(f)
    assert step(w)[0] == 6.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scale = 5.0
        assert step(w)[0] == float(f(w)) == 30.0
        training = False
        assert step(w)[0] == float(f(w)) == 15.0
        params["v"] = params["v"] * 10
        value, (dw,) = step(w)
    assert value == float(f(w)) == 150.0 and dw.tolist() == [50.0, 50.0]
    count = step.trace_count
    scale, params["v"] = 5.0, params["v"]  # the same number again, the same array
    assert step(w)[0] == 150.0 and step.trace_count == count == 4


def test_an_equal_numpy_number_again_is_no_change_and_a_big_dict_is_one_object():
    w = al.tensor([1.0, 2.0], requires_grad=True)
    steps, table = np.int64(3), {i: float(i) for i in range(1000)}

    def f(w):
        return (w * float(steps) * table[2]).sum()

    step = al.compile(f)
    assert step(w)[0] == 18.0
    steps = np.int64(3)  # another object, the same number: replayed
    table[999] = -1.0  # a 1,000-item dict is watched as one object (each call would compare
    assert step(w)[0] == 18.0 and step.trace_count == 1  # every item), as documented


log = [0.6931]  # a training loop's record, named as al.log is: f does not read it


def _learner_cost(w):
    A = al.sigmoid(w)
    return -(al.log(A) + al.log(1 - A)).sum()


def test_attribute_names_are_not_watched_and_what_f_loads_is_even_nested_or_a_function():
    """co_names holds attribute names too: a global list named log was watched because f
    calls al.log, and a loop appending to it retraced every step, saying f reads it (h19
    review). And a list of dicts, a dict in a dict, a list in a tuple, a rebound object or
    helper function replayed their old values (3.0 where eager gave 30.0)."""
    w = al.tensor([0.5, -1.0], requires_grad=True)
    step = al.compile(_learner_cost)
    for _ in range(5):
        value, _ = step(w)
        log.append(float(value))
    assert step.trace_count == 1
    nested, pair = [{"v": 1.0}], ([1.0],)

    def scale(x):
        return x * 1.0

    def f(w):
        return scale(w * nested[0]["v"] * pair[0][0]).sum() * 3

    fixed = al.tensor([1.0], requires_grad=True)
    compiled = al.compile(f)
    assert compiled(fixed)[0] == 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for change in (lambda: nested[0].update(v=10.0), lambda: pair[0].__setitem__(0, 2.0)):
            change()
            assert compiled(fixed)[0] == float(f(fixed))
        scale = lambda x: x * 0.5  # noqa: E731  (a helper rebound)
        assert compiled(fixed)[0] == float(f(fixed)) == 30.0


def test_compiling_a_cost_of_plain_arrays_says_its_gradients_are_none():
    """A JAX user's arrays came back with (None, None), silently, and a TypeError followed
    at p - lr * g (h19 stranger); argnums differentiates them."""
    def cost(w, X):
        return (w * X).sum()
    step = al.compile(cost)
    with pytest.warns(UserWarning, match=r"al.compile\(cost\): no argument requires grad, so "
                                         r"every gradient it returns is None.*argnums="):
        assert step(np.ones(3), np.ones(3)) == (3.0, (None, None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, dw = al.compile(cost, argnums=0)(np.ones(3), np.ones(3))
    assert value == 3.0 and dw.tolist() == [1.0, 1.0, 1.0]
