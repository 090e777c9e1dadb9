"""What a sweep of about 2,000 bad inputs found: each a silent wrong answer or an internal
crash before its fix, checked here against the course's formula, numpy, or the message
the function's siblings give."""

import math

import numpy as np
import pytest

import autograd_lite as al
from nn import deep, logistic, optimization, regularization, shallow
from nn.cli import main


def _data(n_x=3, m=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(float)


def test_logistic_refuses_a_b_that_is_an_array_and_takes_x_as_a_list():
    # b of shape (n_x, 1) broadcast dw to (3, 3) and J to 2.54 (0.845 is right); a list X
    # raised AttributeError: 'list' object has no attribute 'shape'
    X, Y = _data()
    w = np.full((3, 1), 0.1)
    with pytest.raises(ValueError, match=r"b should be a number .* got an array of shape "
                       r"\(3, 1\)"):
        logistic.propagate(w, np.zeros((3, 1)), X, Y)
    with pytest.raises(ValueError, match=r"shape \(1, 8\)"):
        logistic.propagate(w, np.zeros((1, 8)), X, Y)
    grads, cost = logistic.propagate(w, 0.5, X.tolist(), Y)
    A = 1 / (1 + np.exp(-(w.T @ X + 0.5)))  # the course's formulas
    np.testing.assert_allclose(grads["dw"], X @ (A - Y).T / 8, rtol=1e-12)
    assert math.isclose(float(cost), float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))),
                        rel_tol=1e-12)
    logistic.propagate(w, np.array([[0.5]]), X, Y)  # a (1, 1) b is a number too


@pytest.mark.parametrize("cost, A", [
    (lambda A, Y: deep.compute_cost(A, Y), "AL"),
    (lambda A, Y: deep.compute_cost(A, Y, strict=True), "AL"),
    (lambda A, Y: shallow.compute_cost(A, Y), "A2"),
    (lambda A, Y: regularization.compute_cost(A, Y), "A3"),  # gave 0.0 through nansum
    (lambda A, Y: optimization.compute_cost(A, Y), "a3"),
])
def test_a_cost_of_z_passed_for_a_is_refused(cost, A):
    # the sigmoid forgotten: Z passed as AL gave 17.38, 25.9, 0.0 or nan, without a word
    X, Y = _data()
    Z = np.linspace(-2.0, 1.5, 8).reshape(1, 8)
    with pytest.raises(ValueError, match=rf"{A} should hold values in \[0, 1\], predictions, "
                       rf"the sigmoid's output: give {A} = sigmoid\(Z\), not Z"):
        cost(Z, Y)
    with pytest.raises(ValueError, match=r"Y should hold values in \[0, 1\], labels"):
        cost(np.full((1, 8), 0.5), Y * 2 - 1)  # labels -1 and 1
    A_ok = 1 / (1 + np.exp(-Z))
    assert np.isfinite(cost(A_ok, Y))  # the sigmoid's output passes, saturated or not
    cost(np.where(Y == 1, 1.0, 0.0), Y)  # (opt_utils' sum gives the course's nan there)


def test_predict_refuses_nan_rather_than_predicting_0():
    X, Y = _data()
    X[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"predict: X holds NaN or inf in 1 example\(s\) "
                       r"\(columns 3\)"):
        logistic.predict(np.zeros((3, 1)), 0.0, X)
    with pytest.raises(ValueError, match=r"predict: w holds NaN or inf"):
        logistic.predict(np.full((3, 1), np.nan), 0.0, _data()[0])
    P = regularization.initialize_parameters([3, 4, 2, 1]) \
        if hasattr(regularization, "initialize_parameters") else deep.initialize_parameters_deep(
            [3, 4, 2, 1])
    with pytest.raises(ValueError, match="predict: X holds NaN"):
        regularization.predict(X, Y, P)


def test_a_b_key_without_its_w_is_named_rather_than_a_layer_dropped():
    # W2 missing, b2 present: L_model_forward ran one layer, AL of shape (4, 8); the L2
    # cost left W3's term out (0.981 for 1.001)
    X, Y = _data()
    P = deep.initialize_parameters_deep([3, 4, 1])
    del P["W2"]
    with pytest.raises(KeyError, match=r"missing \['W2'\]"):
        deep.L_model_forward(X, P)
    P3 = deep.initialize_parameters_deep([3, 4, 2, 1])
    A3 = np.full((1, 8), 0.5)
    del P3["W3"]
    with pytest.raises(KeyError, match=r"missing \['W3'\]"):
        regularization.compute_cost_with_regularization(A3, Y, P3, 0.7)


@pytest.mark.parametrize("call", [
    lambda X, P: deep.L_model_forward(X, [P["W1"], P["b1"]]),
    lambda X, P: shallow.predict(X, P),  # the arguments swapped
])
def test_parameters_that_are_not_a_dict_are_named(call):
    # AttributeError: 'numpy.ndarray' object has no attribute 'startswith'
    X, _ = _data()
    P = deep.initialize_parameters_deep([3, 4, 1])
    with pytest.raises(TypeError, match=r"parameters must be a dict \{'W1': ..., 'b1': ..., "
                       r"...\}, got (list|ndarray) \(arguments in the wrong order\?\)"):
        call(X, P)


@pytest.mark.parametrize("rate", [math.nan, math.inf, -0.01])
@pytest.mark.parametrize("update", [
    lambda P, g, r: deep.update_parameters(P, g, r),
    lambda P, g, r: shallow.update_parameters(P, g, r),
    lambda P, g, r: regularization.update_parameters(P, g, r),
    lambda P, g, r: optimization.update_parameters_with_gd(P, g, r),
    lambda P, g, r: optimization.update_parameters_with_momentum(
        P, g, optimization.initialize_velocity(P), 0.9, r),
    lambda P, g, r: optimization.update_parameters_with_adam(
        P, g, *optimization.initialize_adam(P), 1, r),
])
def test_a_learning_rate_that_is_not_finite_or_is_negative_is_refused(update, rate):
    # nan made every parameter NaN and a negative rate climbed the cost, without a word
    P = deep.initialize_parameters_deep([3, 2, 1])
    grads = {f"d{k}": np.ones_like(v) for k, v in P.items()}
    before = {k: v.copy() for k, v in P.items()}
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number >= 0, such "
                       r"as the course's 0.0075, got"):
        update(P, grads, rate)
    assert all(np.array_equal(P[k], before[k]) for k in P)  # nothing stepped
    update(P, grads, 0.0)  # 0 leaves them as they are, as optimization.model allows


def test_the_models_refuse_a_nan_learning_rate_before_training():
    X, Y = _data()
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        deep.L_layer_model(X, Y, [3, 2, 1], learning_rate=math.nan, num_iterations=2)
    with pytest.raises(ValueError, match="optimize: learning_rate must be"):
        logistic.optimize(np.zeros((3, 1)), 0.0, X, Y, learning_rate=-1.0)


@pytest.mark.parametrize("gradient, message", [
    (np.array([1j, 2.0]), "not real-valued"), (np.array([None, None]), "not real-valued"),
    (np.array(["1", "2"]), "not real-valued")])
def test_backward_gradient_refuses_what_a_tensor_refuses(gradient, message):
    # a complex gradient lost its imaginary part, None gave NaN, and '1' was read as 1
    x = al.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"backward\(gradient=...\): .*{message}"):
        (x * 2).backward(gradient=gradient)
    (x * 2).backward(gradient=[1, 0])  # ints and lists, as numbers
    assert x.grad.tolist() == [2.0, 0.0]


@pytest.mark.parametrize("make", [al.zeros_like, al.ones_like, al.randn_like, al.rand_like,
                                  lambda t: al.full_like(t, 2.0)])
@pytest.mark.parametrize("bad", ["abc", None, {"a": 1}])
def test_a_like_maker_refuses_what_has_no_shape_to_take(make, bad):
    with pytest.raises(TypeError, match="give a Tensor, an array or numbers"):
        make(bad)
    assert make([1.0, 2.0]).shape == (2,) and make(np.ones((2, 1), int)).dtype == np.float64


def test_grading_a_notebook_says_to_export_it(tmp_path, capsys):
    # the grader's own AttributeError (spec.loader of None) was shown as the learner's
    notebook = tmp_path / "learner.ipynb"
    notebook.write_text('{"cells": []}')
    main(["grade", str(notebook), "-o", str(tmp_path / "results.json")])
    out = capsys.readouterr().out
    assert ("is not a Python file (.py): export the notebook first, jupyter nbconvert "
            "--to script") in out
    assert "Traceback" not in out and "AttributeError" not in out


@pytest.mark.parametrize("name", ["sqrt", "square", "reciprocal", "mean", "clip", "std"])
def test_a_composite_given_none_names_itself_not_its_first_primitive(name):
    # al.sqrt(None) said "power:", al.mean(None) "sum:"
    with pytest.raises(TypeError, match=rf"^{name}: .*NoneType"):
        getattr(al, name)(None)
    with pytest.raises(TypeError, match=rf"^{name}: .*str"):
        getattr(al, name)("abc")


def test_shallow_backward_names_a_transposed_x_and_missing_keys():
    # it blamed Y ("Y should be (1, m) = (1, 3), got (1, 8)") for X.T, and a missing W2 or
    # A1 was a bare KeyError
    X, Y = _data(n_x=3, m=8)
    P = shallow.initialize_parameters(3, 4, 1)
    A2, cache = shallow.forward_propagation(X, P)
    with pytest.raises(ValueError, match=r"backward_propagation: X should be \(n_x, m\) = "
                       r"\(3, 8\) with examples as columns, got \(8, 3\)"):
        shallow.backward_propagation(P, cache, X.T, Y)
    with pytest.raises(KeyError, match=r"the shallow network's parameters are W1, b1, W2 and "
                       r"b2 .* keys given: \['W1', 'b1'\]"):
        shallow.forward_propagation(X, {"W1": P["W1"], "b1": P["b1"]})
    with pytest.raises(KeyError, match=r"the cache lacks \['A1'\]"):
        shallow.backward_propagation(P, {"A2": A2}, X, Y)
    grads = shallow.backward_propagation(P, cache, X, Y)
    dZ2 = A2 - Y  # the course's formulas
    np.testing.assert_allclose(grads["dW2"], dZ2 @ cache["A1"].T / 8, rtol=1e-12)


@pytest.mark.parametrize("epsilon", [0.0, math.nan, -1e-7, "1e-7"])
def test_gradient_checks_refuse_an_epsilon_that_is_no_step(epsilon):
    # epsilon 0 gave 0/0, blamed on "saturated sigmoids (large weights)"
    from nn import gradient_checking as gc
    X, Y = _data(n_x=4, m=3)
    P = deep.initialize_parameters_deep([4, 5, 3, 1])
    AL, caches = deep.L_model_forward(X, P)
    grads = deep.L_model_backward(AL, Y, caches)
    with pytest.raises(ValueError, match="gradient_check_n: epsilon must be a small positive "
                       "number, such as the course's 1e-7"):
        gc.gradient_check_n(P, grads, X, Y, epsilon=epsilon)
    with pytest.raises(ValueError, match="gradient_check: epsilon must be"):
        gc.gradient_check(2.0, 4.0, epsilon=epsilon)


def test_train_compile_with_hand_gradients_is_refused_rather_than_ignored(capsys):
    # --compile --gradients hand trained on the engine's gradients, the header the only sign
    assert main(["train", "shallow", "--compile", "--gradients", "hand", "--iterations", "1",
                 "--no-progress"]) == 2
    assert "--compile replays the engine's gradients: give --gradients engine" in \
        capsys.readouterr().err
    assert main(["train", "shallow", "--compile", "--iterations", "1", "--no-progress"]) == 0
    assert "engine gradients (compiled)" in capsys.readouterr().out


def test_retain_grad_on_a_tensor_without_grad_is_refused_as_pytorch_refuses_it():
    with pytest.raises(RuntimeError, match="retain_grad\\(\\): this tensor does not require"):
        (al.tensor([1.0]) * 2).retain_grad()
    x = al.tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]


# ---- a review of the fixes above -----------------------------------------------------------

@pytest.mark.parametrize("predict", [
    lambda X, Y, P: deep.predict(X, Y, P),
    lambda X, Y, P: shallow.predict(P, X),
    lambda X, Y, P: regularization.predict(X, Y, P),
    lambda X, Y, P: regularization.predict_dec(P, X),
    lambda X, Y, P: regularization.accuracy(X, Y, P),
])
def test_every_predict_refuses_nan_in_x_or_in_the_parameters(predict):
    # only logistic and regularization's predict had the check: predict_dec, accuracy and
    # deep's predict with a NaN b3 predicted 0 in silence
    X, Y = _data(n_x=2, m=4)
    P = deep.initialize_parameters_deep([2, 4, 1] if predict.__code__.co_names[0] == "shallow"
                                        else [2, 4, 3, 1])
    assert predict(X, Y, P) is not None
    bad = X.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match=r"X holds NaN or inf in 1 example\(s\) \(columns 1\)"):
        predict(bad, Y, P)
    key = "b2" if "b3" not in P else "b3"
    P[key] = np.full_like(P[key], np.nan)
    with pytest.raises(ValueError, match=rf"{key} holds NaN or inf \(a diverged training run\?\)"):
        predict(X, Y, P)


def test_the_cost_checks_take_soft_labels_and_show_the_exact_bad_value():
    A = np.array([[0.8, 0.9, 0.4]])
    soft = np.array([[0.9, 0.9, 0.1]])  # as al.binary_cross_entropy takes them
    expected = -np.mean(soft * np.log(A) + (1 - soft) * np.log(1 - A))
    assert math.isclose(deep.compute_cost(A, soft), expected, rel_tol=1e-12)
    with pytest.raises(ValueError, match=r"AL should hold values in \[0, 1\], predictions, "
                       r"the sigmoid's output: .* such as 1.0000000000000002"):
        deep.compute_cost(np.array([[1 + 2 ** -52, 0.5, 0.5]]), soft)  # (".4g" showed "1")
    with pytest.raises(ValueError, match=r"Y should hold values in \[0, 1\], labels"):
        deep.compute_cost(A, np.array([[2.0, 0.0, 1.0]]))


def test_gradient_check_refuses_an_epsilon_that_rounds_away_and_takes_a_float32_one():
    from nn import gradient_checking as gc
    with pytest.raises(ValueError, match=r"epsilon 1e-20 rounds away beside theta \(largest "
                       r"\|theta\| 4\)"):  # it said "a mistake in the backward propagation"
        gc.gradient_check(3.0, 4.0, epsilon=1e-20)
    assert gc.gradient_check(3.0, 4.0, epsilon=np.float32(1e-7)) < 1e-7  # (4 + 1e-7f was 4)


def test_backward_refuses_pytorchs_positional_inputs_rather_than_retaining_every_gradient():
    w = al.tensor([1.0, 2.0], requires_grad=True)
    v = al.tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"PyTorch's fourth argument, inputs, is given by "
                       r"keyword here: backward\(inputs=\[w\]\)"):
        (w * v).sum().backward(None, False, False, [w])  # it kept every gradient, v's too
    assert w.grad is None and v.grad is None


def test_retain_grad_under_no_grad_names_no_grad():
    x = al.tensor([1.0], requires_grad=True)
    with al.no_grad(), pytest.raises(RuntimeError, match=r"made under no_grad\(\)"):
        (x * 2).retain_grad()


@pytest.mark.parametrize("rate", [np.array(0.01), np.float32(0.01), 1, np.int64(0)])
def test_a_learning_rate_that_is_a_0d_array_or_an_int_is_taken(rate):
    P = deep.initialize_parameters_deep([3, 2, 1])
    grads = {f"d{k}": np.ones_like(v) for k, v in P.items()}
    out = deep.update_parameters(P, grads, rate)
    np.testing.assert_allclose(out["W1"], P["W1"] - float(rate), rtol=1e-6)


# ---- a third review ------------------------------------------------------------------------

def test_a_tensor_learning_rate_is_refused_rather_than_recording_every_update():
    # 10,000 updates made one graph of 1.3 GB, and the parameters came back as Tensors
    P = deep.initialize_parameters_deep([3, 2, 1])
    grads = {f"d{k}": np.ones_like(v) for k, v in P.items()}
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        deep.update_parameters(P, grads, al.tensor(1.2, requires_grad=True))


def test_nan_labels_are_refused_by_every_cost():
    A = np.array([[0.2, 0.9, 0.6, 0.7]])
    Y = np.array([[0.0, 1.0, np.nan, 1.0]])  # regularization's nansum dropped the example
    for cost in (deep.compute_cost, shallow.compute_cost, regularization.compute_cost,
                 optimization.compute_cost):
        with pytest.raises(ValueError, match=r"Y should hold values in \[0, 1\], .* such as "
                           r"nan"):
            cost(A, Y)


def test_shallow_backward_checks_x_against_w1_and_takes_a_list():
    X, Y = _data(n_x=2, m=5)
    P = shallow.initialize_parameters(2, 4, 1)
    A2, cache = shallow.forward_propagation(X, P)
    right = shallow.backward_propagation(P, cache, X, Y)
    listed = shallow.backward_propagation(P, cache, X.tolist(), Y)  # (an AttributeError)
    assert all(np.array_equal(right[k], listed[k]) for k in right)
    with pytest.raises(ValueError, match=r"X should be \(n_x, m\) with n_x = 2 features"):
        shallow.backward_propagation(P, cache, np.ones((3, 5)), Y)  # (dW1 came out (4, 3))


def test_model_predict_refuses_nan_parameters():
    from nn import Model
    X, Y = _data(n_x=2, m=6)
    model = Model([2, 3, 1])
    model.fit(X, Y, num_iterations=2, progress=False)
    model.parameters["W2"] = model.parameters["W2"] * np.nan
    with pytest.raises(ValueError, match=r"W2 holds NaN or inf"):
        model.predict(X)


@pytest.mark.parametrize("keys", [("W1", "b1", "b3"), ("W1", "b1", "W2", "b2", "b4")])
def test_num_layers_names_a_layer_missing_below_a_higher_key(keys):
    from nn.checks import num_layers
    with pytest.raises(KeyError, match="missing"):
        num_layers({k: np.zeros((1, 1)) for k in keys})
    assert num_layers({"W1": 0, "b1": 0, "W2": 0, "b2": 0, "gamma1": 0}) == 2


def test_an_emptied_param_groups_says_so_at_step():
    w = al.tensor([1.0], requires_grad=True)
    opt = al.optim.SGD([w], lr=0.1)
    opt.param_groups.clear()
    w.grad = np.ones(1)
    with pytest.raises(ValueError, match="param_groups is empty"):
        opt.step()


def test_backward_takes_numpy_bools_and_none_for_retain_grads():
    x = al.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward(retain_grads=np.True_)
    (x * 2).sum().backward(retain_grads=None)
    assert x.grad.tolist() == [4.0, 4.0]


def test_gradient_check_of_an_infinite_theta_blames_theta():
    from nn import gradient_checking as gc
    with pytest.raises(ValueError, match="theta holds NaN or inf"):
        gc.gradient_check(2.0, np.inf)
    with pytest.raises(ValueError, match=r"take epsilon near 1e-7 times \|theta\|"):
        gc.gradient_check(2.0, 1e10)


@pytest.mark.parametrize("write, op", [
    (lambda t: t.__iadd__(np.ones((3, 5))), r"in-place \+=: add"),
    (lambda t: t.add_(np.ones((3, 5))), r"in-place \+=: add"),
    (lambda t: t.__imatmul__(np.ones((3, 4))), r"in-place @=: matmul")])
def test_an_in_place_op_of_the_wrong_shape_names_the_op_and_shapes(write, op):
    # numpy's bare "operands could not be broadcast together with shapes (3,4) (3,5)"
    t = al.tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match=rf"{op}: cannot apply to shapes \(3, 4\) and"):
        write(t)
    assert t.tolist() == np.ones((3, 4)).tolist()


def test_clip_and_expand_dims_name_a_bad_bound_or_axis():
    t = al.tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"clip: a bound of shape \(5,\) does not broadcast "
                       r"with x's shape \(3, 4\)"):
        al.clip(t, np.zeros(5), 1.0)
    assert np.clip(al.tensor(np.ones(4)), np.zeros((3, 4)), 1.0).shape == (3, 4)  # numpy's
    with pytest.raises(TypeError, match=r"expand_dims: axis must be an int"):
        al.expand_dims(t, 1.5)  # ('float' object is not iterable)


@pytest.mark.parametrize("dim", [0, -2, 2.0, True, "3"])
def test_initialize_with_zeros_refuses_a_dim_that_is_no_feature_count(dim):
    with pytest.raises(ValueError, match=r"dim is n_x, the number of features"):
        logistic.initialize_with_zeros(dim)
    w, b = logistic.initialize_with_zeros(np.int64(2))
    assert w.shape == (2, 1) and b == 0.0 and type(b) is float
