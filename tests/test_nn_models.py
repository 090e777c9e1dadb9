"""nn's hand-derived gradients against the engine (its oracle) and finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al
import nn
from autograd_lite.testing import layer_dims
from nn import deep, logistic, shallow


def _data(seed, n_x, m):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y


def _assert_same(hand, engine, rtol=1e-10):
    assert set(hand) == set(engine)
    for k in hand:
        h, e = np.asarray(hand[k]), np.asarray(engine[k])
        assert h.shape == e.shape, k
        np.testing.assert_allclose(h, e, rtol=rtol, atol=1e-13, err_msg=k)


@given(dims=layer_dims(min_layers=1, max_layers=5, max_width=20),
       m=st.integers(1, 64), hidden=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]),
       seed=st.integers(0, 2**16), init=st.sampled_from(["he", "xavier", "lecun"]))
def test_L_model_backward_equals_engine(dims, m, hidden, seed, init):
    X, Y = _data(seed, dims[0], m)
    params = nn.init.initialize(dims, init, seed)
    AL, caches = deep.L_model_forward(X, params, hidden)
    hand = deep.L_model_backward(AL, Y, caches, hidden)
    engine, cost = deep.L_model_backward_engine(X, Y, params, hidden)
    _assert_same(hand, engine)
    assert np.isclose(cost, deep.compute_cost(AL, Y), rtol=1e-12)


@given(n_x=st.integers(1, 10), n_h=st.integers(1, 20), m=st.integers(1, 64),
       seed=st.integers(0, 2**16))
def test_shallow_backward_equals_engine(n_x, n_h, m, seed):
    X, Y = _data(seed, n_x, m)
    params = nn.init.xavier([n_x, n_h, 1], seed)
    _, cache = shallow.forward_propagation(X, params)
    hand = shallow.backward_propagation(params, cache, X, Y)
    _assert_same(hand, shallow.backward_propagation_engine(params, X, Y))


@given(n_x=st.integers(1, 20), m=st.integers(1, 64), seed=st.integers(0, 2**16))
def test_propagate_equals_engine(n_x, m, seed):
    X, Y = _data(seed, n_x, m)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal((n_x, 1)), float(rng.standard_normal())
    hand, cost = logistic.propagate(w, b, X, Y)
    engine, cost_e = logistic.propagate_engine(w, b, X, Y)
    _assert_same(hand, engine)
    assert np.isclose(cost, cost_e, rtol=1e-12)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_hand_and_engine_agree_with_finite_differences(hidden):
    X, Y = _data(0, 3, 5)
    params = nn.init.he([3, 4, 2, 1], seed=0)
    rng = np.random.default_rng(3)  # non-zero biases keep Z off relu's kink at exactly 0
    params.update({k: rng.uniform(0.1, 0.5, v.shape) for k, v in params.items() if k[0] == "b"})
    AL, caches = deep.L_model_forward(X, params, hidden)
    hand = deep.L_model_backward(AL, Y, caches, hidden)
    report = al.check_gradients(lambda P: deep.L_model_cost_engine(P, X, Y, hidden), params,
                                hand)
    assert report.passed, str(report)
    assert all(r.diff_numerical < 1e-7 for r in report.rows if r.status == "ok")


def test_course_dA_keys_are_m_times_dJ_dA():
    X, Y = _data(1, 2, 7)
    params = nn.init.he([2, 3, 1], seed=1)
    AL, caches = deep.L_model_forward(X, params)
    grads = deep.L_model_backward(AL, Y, caches)
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    np.testing.assert_allclose(grads["dA0"], params["W1"].T @ (
        nn.activations.relu_backward(grads["dA1"], caches[0][1])))


def test_costs_stay_finite_for_saturated_outputs():
    Y = np.array([[1.0, 0.0]])
    for compute in (deep.compute_cost, shallow.compute_cost):
        assert np.isfinite(compute(np.array([[0.0, 1.0]]), Y))
    w = np.array([[1000.0]])
    _, cost = logistic.propagate(w, 0.0, np.array([[1.0, -1.0]]), np.array([[0.0, 1.0]]))
    assert np.isfinite(cost) and np.isclose(cost, 1000.0)
    params = {"W1": np.array([[800.0]]), "b1": np.zeros((1, 1))}
    AL, caches = deep.L_model_forward(np.array([[1.0]]), params)
    grads = deep.L_model_backward(AL, np.array([[1.0]]), caches)
    assert all(np.all(np.isfinite(v)) for v in grads.values())


def test_update_parameters_returns_a_new_dict():
    params = nn.init.he([2, 2, 1], seed=0)
    before = {k: v.copy() for k, v in params.items()}
    grads = {"d" + k: np.ones_like(v) for k, v in params.items()}
    new = deep.update_parameters(params, grads, 0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_allclose(new[k], before[k] - 0.1)


def test_predict_functions_give_zero_one_rows():
    X, Y = _data(2, 3, 10)
    params = nn.init.he([3, 4, 1], seed=0)
    for p in (deep.predict(X, Y, params), shallow.predict(params, X),
              logistic.predict(np.zeros((3, 1)), 0.0, X)):
        assert p.shape == (1, 10) and set(np.unique(p)) <= {0.0, 1.0}


# ---- a learner's bad data: refused before it costs a trained model (outside testers) ------

def _trained():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 20))
    Y = (X[:1] > 0).astype(float)
    model = nn.Model([3, 4, 1], seed=0)
    model.fit(X, Y, num_iterations=200, progress=False)
    return model, X, Y


def _same_parameters(model, before):
    assert all(np.array_equal(before[k], model.parameters[k]) for k in before)


@pytest.mark.parametrize("bad", ["nan", "inf", "empty"])
def test_fit_refuses_non_finite_or_empty_x_and_keeps_the_trained_model(bad):
    """One NaN in X made every parameter NaN (a trained model lost, its file unloadable)."""
    model, X, Y = _trained()
    before = {k: v.copy() for k, v in model.parameters.items()}
    if bad == "empty":
        X, Y = X[:, :0], Y[:, :0]
    else:
        X = X.copy()
        X[1, 3] = np.nan if bad == "nan" else np.inf
    with pytest.raises(ValueError, match="fit: X (holds NaN or inf in 1 example.*columns 3|"
                                         "has m = 0)"):
        model.fit(X, Y, num_iterations=1, progress=False)
    _same_parameters(model, before)


def test_a_fit_that_diverges_raises_and_keeps_the_parameters_it_had():
    model, X, Y = _trained()
    before = {k: v.copy() for k, v in model.parameters.items()}
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="diverged"):
        model.fit(X * 1e150, Y, learning_rate=1e10, num_iterations=20, progress=False)
    _same_parameters(model, before)


@pytest.mark.parametrize("train", [
    lambda X, Y: nn.deep.L_layer_model(X, Y, [3, 4, 1], num_iterations=2),
    lambda X, Y: nn.deep.two_layer_model(X, Y, (3, 4, 1), num_iterations=2),
    lambda X, Y: nn.shallow.nn_model(X, Y, 4, num_iterations=2),
    lambda X, Y: nn.logistic.model(X, Y, num_iterations=2),
    lambda X, Y: nn.regularization.model(X, Y, num_iterations=2, print_cost=False,
                                         layers_dims=[3, 4, 2, 1]),
    lambda X, Y: nn.optimization.model(X, Y, [3, 4, 2, 1], "gd", num_epochs=2,
                                       print_cost=False),
    lambda X, Y: nn.Model([3, 4, 1]).accuracy(X, Y),
], ids=["L_layer_model", "two_layer_model", "nn_model", "logistic", "regularization",
        "optimization", "accuracy"])
@pytest.mark.parametrize("labels", [lambda Y: 255 * Y, lambda Y: 2 * Y - 1])
def test_every_course_model_refuses_labels_other_than_0_and_1(train, labels):
    """255 * Y trained L_layer_model to a negative cross-entropy; 2Y - 1 looked like learning."""
    _, X, Y = _trained()
    with pytest.raises(ValueError, match="Y must hold the labels 0 and 1 only"):
        train(X, labels(Y))


@pytest.mark.parametrize("predict", [lambda m, X: m.predict(X),
                                     lambda m, X: nn.deep.predict(X, None, m.parameters),
                                     lambda m, X: m.accuracy(X, np.ones((1, X.shape[1])))])
def test_predicting_an_example_with_a_nan_feature_is_refused_not_class_0(predict):
    model, X, _ = _trained()
    X = X.copy()
    X[0, 3] = np.nan
    with pytest.raises(ValueError, match=r"X holds NaN or inf in 1 example\(s\) \(columns 3\)"):
        predict(model, X)


def test_dropout_without_a_hidden_layer_is_refused_not_ignored():
    _, X, Y = _trained()
    with pytest.raises(ValueError, match=r"keep_prob drops hidden units, and \[3, 1\] has no"):
        nn.Model([3, 1]).fit(X, Y, keep_prob=0.5, progress=False)


def test_save_names_the_users_path_not_a_temporary_file(tmp_path):
    model, _, _ = _trained()
    with pytest.raises(FileNotFoundError, match=r"save: there is no folder .*nodir"):
        model.save(tmp_path / "nodir" / "m.npz")
    with pytest.raises(IsADirectoryError, match=r"save: .* is a folder"):
        model.save(tmp_path)
    assert not list(tmp_path.iterdir())  # no temporary file left behind


def test_fit_with_mini_batches_prints_epochs_as_the_course_does(capsys):
    _, X, Y = _trained()
    nn.Model([3, 4, 1], seed=0).fit(X, Y, num_iterations=2, mini_batch_size=8, progress=False,
                                    print_cost=True)
    printed = capsys.readouterr().out
    assert "Cost after epoch 0:" in printed and "iteration" not in printed


def test_layer_dims_of_bools_are_refused():
    with pytest.raises(ValueError, match="positive integers"):
        nn.Model([3, True, 1])


def test_fit_says_what_to_write_for_keras_option_names():
    """epochs= and batch_size= got Python's bare "unexpected keyword argument"."""
    _, X, Y = _trained()
    with pytest.raises(TypeError, match=r"epochs=: write num_iterations .*batch_size=: write "
                                        r"mini_batch_size"):
        nn.Model([3, 4, 1]).fit(X, Y, epochs=10, batch_size=8)
    with pytest.raises(TypeError, match=r"foo= \(help\(Model.fit\) lists its options\)"):
        nn.Model([3, 4, 1]).fit(X, Y, foo=1)


def test_ctrl_c_during_fit_keeps_the_parameters_of_the_last_whole_step(monkeypatch):
    """A fit stopped by Ctrl-C kept none of its steps (Keras and a PyTorch loop keep them)."""
    X, Y = nn.planar_flower()
    model = nn.Model([2, 4, 1], seed=0)
    calls = [0]
    real = nn.deep.grads_and_cost

    def interrupted_in_step_251(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 251:  # in the middle of a step: its update must not count
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(nn.deep, "grads_and_cost", interrupted_in_step_251)
    with pytest.warns(UserWarning, match="fit: interrupted after 250 of its steps; the model "
                                         "keeps the parameters of its last whole step and "
                                         "the 3 costs recorded"):
        with pytest.raises(KeyboardInterrupt):
            model.fit(X, Y, 0.5, 1000, progress=False)
    monkeypatch.setattr(nn.deep, "grads_and_cost", real)
    same = nn.Model([2, 4, 1], seed=0)
    same.fit(X, Y, 0.5, 250, progress=False)
    for k in same.parameters:
        np.testing.assert_array_equal(model.parameters[k], same.parameters[k])
    assert model.costs == same.costs[:3]
