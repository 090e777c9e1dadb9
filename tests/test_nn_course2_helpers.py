"""Course 2's initializers, gradient checking's vector helpers and the models' printed lines."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite.testing import layer_dims
from nn import gradient_checking as gc
from nn import initialization, regularization


def _course_draws(seed, dims, scale):
    """The course's code, on numpy's global generator (its state saved and restored)."""
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        return [np.random.randn(dims[l], dims[l - 1]) * scale(dims[l - 1])
                for l in range(1, len(dims))]
    finally:
        np.random.set_state(saved)


@pytest.mark.parametrize("name, scale", [("random", lambda n: 10),
                                         ("he", lambda n: np.sqrt(2. / n))])
def test_initializers_draw_what_the_course_draws(name, scale):
    dims = [2, 10, 5, 1]
    before = np.random.get_state()[1].copy()
    params = initialization.INITIALIZATIONS[name](dims)  # the course's default seed, 3
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    for l, W in enumerate(_course_draws(3, dims, scale), start=1):
        np.testing.assert_array_equal(params[f"W{l}"], W)  # W1, W2, ...: biases draw nothing
        np.testing.assert_array_equal(params[f"b{l}"], np.zeros((dims[l], 1)))
    other = initialization.INITIALIZATIONS[name](dims, seed=4)
    assert not np.array_equal(other["W1"], params["W1"])


def test_zeros_and_the_regularization_initializer():
    params = initialization.initialize_parameters_zeros([3, 2, 1])
    assert {k: v.shape for k, v in params.items()} == {"W1": (2, 3), "b1": (2, 1),
                                                       "W2": (1, 2), "b2": (1, 1)}
    assert not any(v.any() for v in params.values())
    params = regularization.initialize_parameters([2, 20, 3, 1])
    for l, W in enumerate(_course_draws(3, [2, 20, 3, 1], lambda n: 1 / np.sqrt(n)), start=1):
        np.testing.assert_allclose(params[f"W{l}"], W, rtol=1e-15)


@given(dims=layer_dims(min_layers=1, max_layers=4, max_width=6), seed=st.integers(0, 2**16))
def test_vector_helpers_round_trip_in_the_course_order(dims, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1]))
        params[f"b{l}"] = rng.standard_normal((dims[l], 1))
    theta, keys = gc.dictionary_to_vector(params)
    order = [k for l in range(1, len(dims)) for k in (f"W{l}", f"b{l}")]
    expected = np.concatenate([params[k].ravel(order="C") for k in order]).reshape(-1, 1)
    np.testing.assert_array_equal(theta, expected)
    assert keys == [k for k in order for _ in range(params[k].size)]
    back = gc.vector_to_dictionary(theta, dims)
    assert sorted(back) == sorted(params)
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])
    grads = {"d" + k: v for k, v in params.items()}
    grads["dA1"] = np.ones((3, 3))  # the course's dicts carry dA, dZ too: not part of grad
    np.testing.assert_array_equal(gc.gradients_to_vector(grads), theta)


def test_vector_helpers_course_shapes_and_errors():
    _, _, params = gc.gradient_check_n_test_case()
    theta, _ = gc.dictionary_to_vector(params)
    assert theta.shape == (47, 1)
    assert {k: v.shape for k, v in gc.vector_to_dictionary(theta).items()} == {
        "W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    with pytest.raises(ValueError, match="theta has 46 entries, but layer_dims"):
        gc.vector_to_dictionary(theta[:-1])
    with pytest.raises(KeyError, match="missing"):
        gc.dictionary_to_vector({"W1": np.ones((1, 1))})
    X, Y, _ = gc.gradient_check_n_test_case()
    bad = {"d" + k: v for k, v in params.items()}
    bad["dW1"] = bad["dW1"].T.copy()[:3]
    with pytest.raises(ValueError, match=r"gradient_check_n: dW1 should be \(n\[1\], n\[0\]\) "
                                         r"= \(5, 4\), the shape of W1, got \(3, 5\)"):
        gc.gradient_check_n(params, bad, X, Y)
    rank1 = {"d" + k: v for k, v in params.items()}
    rank1["db1"] = rank1["db1"].ravel()  # the right count of numbers: it was checked as fine
    with pytest.raises(ValueError, match=r"db1 should be \(n\[1\], 1\) = \(5, 1\).*got "
                                         r"\(5,\).*keepdims"):
        gc.gradient_check_n(params, rank1, X, Y)


def test_gradient_check_messages(capsys):
    gc.gradient_check(3, 4, print_msg=True)
    X, Y, params = gc.gradient_check_n_test_case()
    _, cache = gc.forward_propagation_n(X, Y, params)
    gc.gradient_check_n(params, gc.backward_propagation_n(X, Y, cache), X, Y, print_msg=True)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Your backward propagation works perfectly fine! difference = "
                      "7.814075313343006e-11")
    assert out[1].startswith("Your backward propagation works perfectly fine! difference = ")


@pytest.mark.parametrize("off, verdict", [(3e-7, "Your backward propagation works perfectly "
                                                  "fine!"),
                                          (1e-6, "There is a mistake in the backward "
                                                 "propagation!")])
def test_gradient_check_1d_is_the_current_editions_like_gradient_check_n(off, verdict, capsys,
                                                                         monkeypatch):
    """One edition for both checks: threshold 2e-7 (difference <= 2e-7 passes) and the
    course's two sentences, each followed by " difference = " + str(difference)."""
    monkeypatch.setattr(gc, "backward_propagation", lambda x, theta: x * (1 + off))
    diff = gc.gradient_check(3, 4, print_msg=True)
    gradapprox = ((4 + 1e-7) * 3 - (4 - 1e-7) * 3) / (2 * 1e-7)  # the course's, eps = 1e-7
    grad = 3 * (1 + off)
    assert diff == pytest.approx(abs(grad - gradapprox) / (abs(grad) + abs(gradapprox)),
                                 rel=1e-12)
    assert (diff <= 2e-7) == verdict.startswith("Your")
    assert capsys.readouterr().out == f"{verdict} difference = {diff}\n"


@pytest.mark.parametrize("case", ["random init (W * 10)", "b3 = 60"])
def test_gradient_check_n_cannot_pass_anything_when_the_cost_is_not_finite(case, capsys):
    """A learner's report: Course 2's own random init saturates the sigmoid (J = inf), the
    difference is nan, nan > 2e-7 is False, and all-zero gradients "work perfectly fine"."""
    X, Y, params = gc.gradient_check_n_test_case()
    if case == "b3 = 60":
        params = dict(params, b3=np.array([[60.0]]))
    else:
        params = initialization.initialize_parameters_random([4, 5, 3, 1])
    cost, cache = gc.forward_propagation_n(X, Y, params)
    assert not np.isfinite(cost)
    zeros = {k: np.zeros_like(v) for k, v in gc.backward_propagation_n(X, Y, cache).items()}
    diff = gc.gradient_check_n(params, zeros, X, Y, print_msg=True)
    out = capsys.readouterr().out
    assert not diff < 2e-7  # nan: a learner's assert diff < 2e-7 fails as well
    assert out.startswith("Cannot check: the cost J is not finite") and "fine" not in out


@pytest.mark.parametrize("module", [regularization, initialization])
def test_update_parameters_updates_the_dict_passed_in_as_reg_utils_and_init_utils_do(module):
    """Course 2's helper assigns parameters["W1"] = parameters["W1"] - lr * dW1 into the
    caller's dict and returns it: a learner's bare update_parameters(parameters, grads, lr)
    updates parameters. It returned a new dict, and the bare call did nothing."""
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)),
              "W2": rng.standard_normal((1, 3)), "b2": rng.standard_normal((1, 1))}
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    old = dict(params)
    saved = {k: np.array(v) for k, v in params.items()}
    module.update_parameters(params, grads, 0.1)  # a bare call, as a learner writes it
    for k in old:
        np.testing.assert_array_equal(params[k], saved[k] - 0.1 * grads["d" + k])
        assert params[k] is not old[k]  # a new array assigned, as the course's assignment does
        np.testing.assert_array_equal(old[k], saved[k])  # ... the old one not written into
    assert module.update_parameters(params, grads, 0.1) is params
    grads["db2"] = grads["db2"].ravel()  # a refused update changes nothing
    before = dict(params)
    with pytest.raises(ValueError, match=r"update_parameters: db2 should be \(n\[2\], 1\)"):
        module.update_parameters(params, grads, 0.1)
    assert all(params[k] is before[k] for k in params)


@pytest.mark.parametrize("module", [regularization, initialization, nn.optimization])
def test_predict_prints_the_accuracy_as_the_courses_predict_does(module, capsys):
    """reg_utils', init_utils' and opt_utils' predict(X, y, parameters) print "Accuracy: " +
    str(np.mean(p[0,:] == y[0,:])) and return p; ours printed nothing."""
    circles = nn.load_circles()
    X, y = circles.train_X, circles.train_Y
    params = regularization.initialize_parameters([2, 20, 3, 1])
    A = X
    for l in (1, 2, 3):  # the course's LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = np.maximum(0, Z) if l < 3 else 1 / (1 + np.exp(-Z))
    expected = (A > 0.5).astype(int)
    p = module.predict(X, y, params)
    np.testing.assert_array_equal(p, expected)
    assert p.shape == (1, X.shape[1]) and p.dtype.kind == "i"
    assert capsys.readouterr().out == "Accuracy: " + str(np.mean(expected[0] == y[0])) + "\n"
    assert module.accuracy(X, y, params) == np.mean(expected[0] == y[0])  # and says nothing
    np.testing.assert_array_equal(module.predict_dec(params, X), A > 0.5)  # for the plots
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("model", [regularization.model, initialization.model,
                                   nn.optimization.model])
def test_the_models_print_the_cost_by_default_as_the_courses_do(model, capsys):
    """The course's model(...) functions default to print_cost=True."""
    import inspect

    assert inspect.signature(model).parameters["print_cost"].default is True
    X, Y = nn.load_moons()
    if model is nn.optimization.model:
        model(X, Y, [2, 5, 2, 1], "gd", num_epochs=1)
    else:
        model(X, Y, num_iterations=1)
    assert capsys.readouterr().out.startswith("Cost after ")


def test_models_print_the_course_lines(capsys):
    c = nn.load_circles()
    initialization.model(c.train_X, c.train_Y, num_iterations=1001, print_cost=True)
    assert capsys.readouterr().out.splitlines() == [
        "Cost after iteration 0: 0.8830537463419761",  # as the course prints it (He)
        "Cost after iteration 1000: 0.6879825919728063"]
    regularization.model(c.train_X, c.train_Y, num_iterations=2, print_cost=True)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("Cost after iteration 0: ")


def test_predict_without_labels_says_what_to_use():
    """predict(X, None, p), as this repo's tour once wrote it, gave 'y must be a numeric
    array, got dtype object'."""
    from nn import initialization
    with pytest.raises(TypeError, match=r"y, the labels \(1, m\), is needed.*predict_dec"):
        initialization.predict(np.zeros((2, 3)), None, {})


@pytest.mark.parametrize("call", [
    lambda X, Y: initialization.model(X, Y, num_iterations=1, print_cost=False),
    lambda X, Y: regularization.model(X, Y, num_iterations=1, print_cost=False),
    lambda X, Y: initialization.accuracy(X, Y, initialization.initialize_parameters_he([2, 3, 1])),
    lambda X, Y: regularization.predict(X, Y, regularization.initialize_parameters([2, 3, 2, 1])),
])
def test_x_with_its_examples_as_rows_is_blamed_on_x_by_the_function(call):
    """It was blamed on Y, by no function: "Y should be (1, m) = (1, 2), got (1, 300)"."""
    X, Y, _, _ = nn.load_circles()
    with pytest.raises(nn.ShapeError, match=r"^\w+: X should be \(n_x, m\).*got \(300, 2\).*"
                                            r"use X.T"):
        call(X.T, Y)


@pytest.mark.parametrize("backward, extra", [
    (regularization.backward_propagation, ()),
    (regularization.backward_propagation_with_regularization, (0.7,)),
])
def test_the_full_x_and_y_with_a_mini_batchs_cache_is_named(backward, extra):
    """The Optimization assignment's loop, with X, Y for minibatch_X, minibatch_Y: numpy's
    "operands could not be broadcast together with shapes (1,64) (1,300)"."""
    from nn import optimization
    X, Y = nn.load_moons()
    parameters = optimization.initialize_parameters([2, 5, 2, 1])
    (mini_X, mini_Y), *_ = optimization.random_mini_batches(X, Y, 64, seed=11)
    _, cache = optimization.forward_propagation(mini_X, parameters)
    with pytest.raises(nn.ShapeError, match=rf"{backward.__name__}: X has m = 300 examples and "
                                            r"the cache 64: give the X and Y that "
                                            r"forward_propagation was run on"):
        backward(X, Y, cache, *extra)
    assert backward(mini_X, mini_Y, cache, *extra)["dW1"].shape == (5, 2)


@pytest.mark.parametrize("name, update", [
    ("update_parameters_with_gd", lambda o, P, g: o.update_parameters_with_gd(P, g, 0.1)),
    ("update_parameters_with_momentum",
     lambda o, P, g: o.update_parameters_with_momentum(P, g, g, 0.9, 0.1)),
    ("update_parameters_with_adam",
     lambda o, P, g: o.update_parameters_with_adam(P, g, g, g, 2, 0.1)),
])
def test_a_transposed_parameter_is_blamed_not_its_right_gradient(name, update):
    """W1 transposed was reported as a wrong dW1, "(n[1], n[0]) = (2, 4)", which W2 (3, 4)
    contradicts."""
    from nn import optimization
    parameters = optimization.initialize_parameters([2, 4, 3, 1])
    grads = {"d" + k: np.zeros_like(v) for k, v in parameters.items()}
    parameters["W1"] = parameters["W1"].T
    with pytest.raises(nn.ShapeError, match=rf"{name}: W1 should be \(n\[1\], n_x\) = \(4, 2\), "
                                            r"got \(2, 4\) \(transposed\?\)"):
        update(optimization, parameters, grads)


def test_batchnorm_refuses_an_epsilon_that_gives_nan():
    """epsilon <= 0 gave NaN rows with numpy's warning alone (only m = 1 was checked)."""
    from nn import batchnorm
    Z, gamma, beta = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]), np.ones((2, 1)), np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"unit\(s\) \[1\] have variance 0 .*all m values equal"):
        batchnorm.batchnorm_forward(Z, gamma, beta, epsilon=0)
    for bad in (-1.0, float("nan"), "1e-5"):
        with pytest.raises(ValueError, match="epsilon must be a finite number >= 0"):
            batchnorm.batchnorm_forward(Z, gamma, beta, epsilon=bad)
    Z_tilde, _ = batchnorm.batchnorm_forward(Z[:1], gamma[:1], beta[:1], epsilon=0)
    np.testing.assert_allclose(Z_tilde, [[-np.sqrt(1.5), 0.0, np.sqrt(1.5)]])
    with np.errstate(invalid="ignore"):  # a NaN in Z is not a variance of 0: NaN out, as numpy
        Z_tilde, _ = batchnorm.batchnorm_forward(np.array([[1.0, np.nan, 3.0]]), gamma[:1],
                                                 beta[:1], epsilon=0)
    assert np.isnan(Z_tilde).all()
    batchnorm.batchnorm_forward(Z, gamma, beta, epsilon=np.array(1e-5))  # a 0-d array


def test_random_mini_batches_gives_a_rank_1_y_the_hint_every_function_gives():
    from nn import optimization
    X, Y = nn.load_moons()
    with pytest.raises(nn.ShapeError, match=r"random_mini_batches: Y should be \(n_y, m\) with "
                                            r"m = 300 columns, got \(300,\) \(a rank-1 array: "
                                            r"use Y.reshape\(1, -1\)\)"):
        optimization.random_mini_batches(X, Y[0], 64)


def test_the_updates_take_the_course_notebooks_test_case_whose_parameters_make_no_network():
    """update_parameters_with_gd_test_case: W1 (2, 3) beside W2 (3, 3). Checking the
    parameters' chain before the gradients refused the course's own test."""
    from nn import optimization
    rng = np.random.RandomState(1)
    parameters = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1), "W2": rng.randn(3, 3),
                  "b2": rng.randn(3, 1)}
    grads = {"d" + k: rng.randn(*v.shape) for k, v in parameters.items()}
    updated = optimization.update_parameters_with_gd(dict(parameters), grads, 0.01)
    np.testing.assert_array_equal(updated["W2"], parameters["W2"] - 0.01 * grads["dW2"])
    v, s = optimization.initialize_adam(parameters)
    optimization.update_parameters_with_adam(dict(parameters), grads, v, s, 2)


# ---- an outside Course 2 learner's findings -------------------------------------------------

def test_gradient_check_n_checks_against_the_learners_network_when_told():
    X, y, _ = gc.gradient_check_n_test_case()
    Y = y.reshape(1, -1)
    tanh = nn.Model([4, 3, 2, 1], hidden="tanh", seed=0)
    right = tanh.gradients(X, Y)
    assert gc.gradient_check_n(tanh.parameters, right, X, Y) > 0.1  # the notebook's relu net
    assert gc.gradient_check_n(tanh.parameters, right, X, Y, hidden="tanh") < 2e-7
    P = nn.Model([4, 5, 3, 1], seed=1).parameters
    _, cache = regularization.forward_propagation(X, P)
    grads = regularization.backward_propagation_with_regularization(X, Y, cache, 0.7)
    assert gc.gradient_check_n(P, grads, X, Y, lambd=0.7) < 2e-7  # was 0.48: "a mistake"


def test_gradient_check_n_says_which_network_a_mistake_was_found_against(capsys):
    X, y, _ = gc.gradient_check_n_test_case()
    tanh = nn.Model([4, 3, 2, 1], hidden="tanh", seed=0)
    gc.gradient_check_n(tanh.parameters, tanh.gradients(X, y.reshape(1, -1)), X, y,
                       print_msg=True)
    assert "against the cost of relu hidden layers" in capsys.readouterr().out


def test_the_1d_gradient_check_of_float32_numbers_passes_a_right_gradient():
    assert gc.gradient_check(np.float32(3), np.float32(4)) < 1e-7  # theta + 1e-7 was theta


def test_save_refuses_parameters_that_do_not_fit_layer_dims(tmp_path):
    X = np.random.default_rng(0).standard_normal((2, 40))
    Y = (np.random.default_rng(1).random((1, 40)) > 0.5).astype(float)
    model = nn.Model([2, 4, 1])
    model.parameters = nn.deep.L_layer_model(X, Y, [2, 7, 1], num_iterations=2,
                                             print_cost=False)[0]
    with pytest.raises(ValueError, match=r"save: W1 is \(7, 2\).*layer_dims \[2, 4, 1\] gives "
                                         r"\(4, 2\)"):
        model.save(tmp_path / "m.npz")  # written, and refused only by load before
    assert not (tmp_path / "m.npz").exists()


def test_a_sweep_of_compiled_fits_does_not_warn_about_nns_own_call():
    X = np.random.default_rng(0).standard_normal((2, 40))
    Y = (np.random.default_rng(1).random((1, 40)) > 0.5).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lambd in np.linspace(0.1, 1.0, 10):
            nn.Model([2, 5, 2, 1], init="he", seed=3).fit(
                X, Y, num_iterations=2, progress=False, gradients="engine", compile=True,
                lambd=float(lambd))


def test_the_1d_gradient_check_of_float32_arrays_passes_a_right_gradient():
    assert gc.gradient_check(np.array(3, np.float32), np.array([4], np.float32)) < 1e-7
