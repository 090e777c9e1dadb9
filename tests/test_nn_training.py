"""nn.training: the one training loop every course model runs, the one update, the engine's
gradients; and nn's one sigmoid behind the course's two contracts."""

import numpy as np
import pytest

import nn
from nn import activations, deep, logistic, shallow, training
from nn.checks import ShapeError


def test_train_loop_records_and_prints_at_the_courses_cadence(capsys):
    seen = []
    costs = training.train_loop(lambda i: 10.0 - i, 250, print_cost=True, print_every=100,
                                record_every=100, callback=lambda i, c: seen.append((i, c)))
    assert costs == [10.0, -90.0, -190.0]  # iterations 0, 100, 200
    assert seen == [(i, 10.0 - i) for i in range(250)]
    assert capsys.readouterr().out.splitlines() == [
        "Cost after iteration 0: 10.000000", "Cost after iteration 100: -90.000000",
        "Cost after iteration 200: -190.000000"]


def test_train_loop_last_iteration_and_a_line_function(capsys):
    costs = training.train_loop(float, 3, print_cost=True, print_every=100, print_last=True,
                                line=lambda i, c: f"epoch {i}: {c:g}", record_every=2,
                                record_last=True)
    assert costs == [0.0, 2.0]  # 0 by the cadence, 2 as the last (recorded once)
    assert capsys.readouterr().out == "epoch 0: 0\nepoch 2: 2\n"
    assert training.train_loop(float, 5, record_every=None) == []


def test_a_callback_that_raises_stops_the_training():
    steps = []

    def stop(i, cost):
        if i == 3:
            raise StopIteration("enough")

    with pytest.raises(StopIteration, match="enough"):
        training.train_loop(lambda i: steps.append(i) or 0.0, 100, callback=stop)
    assert steps == [0, 1, 2, 3]


def test_iterations_refuses_what_is_not_a_count():
    with pytest.raises(ValueError, match="non-negative integer, got -1"):
        training.train_loop(float, -1)
    with pytest.raises(ValueError, match="gradients must be 'hand' or 'engine', got 'auto'"):
        training.check_gradients_option("auto", "nn_model")


def test_update_parameters_is_the_courses_for_every_model():
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal((3, 2)) for k in ("W1", "b1")}
    grads = {"dW1": rng.standard_normal((3, 2)), "db1": rng.standard_normal((3, 2)),
             "dA0": rng.standard_normal((2, 2))}  # a dA key is ignored, as the course's
    saved = {k: np.array(v) for k, v in params.items()}
    new = training.update_parameters(params, grads, 0.1)
    for k in params:
        np.testing.assert_array_equal(new[k], params[k] - 0.1 * grads["d" + k])
        np.testing.assert_array_equal(params[k], saved[k])  # Course 1 copies: yours untouched
    assert new is not params
    assert deep.update_parameters is training.update_parameters  # (Course 2's: in place)
    np.testing.assert_array_equal(shallow.update_parameters(params, grads)["W1"],
                                  params["W1"] - 1.2 * grads["dW1"])  # week 3's default


def test_engine_gradients_equal_the_hand_derived_ones():
    X, Y = nn.planar_flower()
    params = shallow.initialize_parameters(2, 4, 1, seed=2)
    engine, J = training.engine_gradients(lambda P: shallow.cost_engine(P, X, Y), params)
    hand, cost = shallow.grads_and_cost(params, X, Y)
    assert np.isclose(J, cost, rtol=1e-12)
    for k in hand:
        np.testing.assert_allclose(engine[k], hand[k], rtol=1e-10, atol=1e-14)
    unused, _ = training.engine_gradients(lambda P: P["a"] * 2.0, {"a": 1.0, "b": np.ones(3)})
    np.testing.assert_array_equal(unused["db"], np.zeros(3))


def test_one_sigmoid_two_course_contracts():
    z = np.array([[-800.0, -1.0, 0.0, 2.0, 800.0]])
    expected = np.array([[0.0, 0.2689414213699951, 0.5, 0.8807970779778823, 1.0]])
    A, cache = activations.sigmoid(z)  # week 4: (A, cache)
    np.testing.assert_allclose(A, expected, rtol=1e-15, atol=0)
    assert cache is z
    np.testing.assert_array_equal(logistic.sigmoid(z), A)  # week 2: A
    np.testing.assert_array_equal(activations.expit(z), A)


def test_each_activation_has_its_engine_op():
    import autograd_lite as al

    Z = np.linspace(-3, 3, 13).reshape(1, -1)
    for name, act in activations.ACTIVATIONS.items():
        np.testing.assert_allclose(act.engine(al.Tensor(Z)).data, act.forward(Z)[0],
                                   rtol=1e-14, atol=1e-300, err_msg=name)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.get("swish")


# ---- progress as users expect (issue 19, point 3) -----------------------------------------

class _Terminal:
    """A stderr that says it is a terminal, so that tqdm draws its bar into it."""

    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return True


def _fit_data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 40))
    return X, (X[:1] + 0.3 * X[1:2] > 0).astype(float)


def test_fit_print_cost_prints_the_courses_lines_every_100_iterations(capsys):
    X, Y = _fit_data()
    every = nn.Model([3, 4, 1], seed=0).fit(X, Y, 0.1, 250, progress=False, record_every=1)
    assert capsys.readouterr().out == ""  # silent by default
    for flag in ("print_cost", "verbose"):
        nn.Model([3, 4, 1], seed=0).fit(X, Y, 0.1, 250, progress=False, **{flag: True})
        # the course's L_layer_model: print("Cost after iteration {}: {}".format(i, cost))
        assert capsys.readouterr().out.splitlines() == [
            "Cost after iteration {}: {}".format(i, every[i]) for i in (0, 100, 200, 249)]  # noqa: UP032 (the course's own)


def test_the_progress_bar_shows_the_current_cost_and_leave_keeps_it(monkeypatch, capsys):
    X, Y = _fit_data()
    for leave in (True, False):
        terminal = _Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        costs = nn.Model([3, 4, 1], seed=0).fit(X, Y, 0.1, 120, leave=leave, print_cost=True,
                                                 record_every=1)
        monkeypatch.undo()
        frames = terminal.text.split("\r")
        assert any(f"cost={costs[-1]:.6g}" in f for f in frames), frames[-3:]
        # leave=True ends on the full bar and a newline; leave=False wipes it
        assert ("120/120" in frames[-1] and terminal.text.endswith("\n")) is leave
        # the course's lines go to stdout above the bar, whole
        assert capsys.readouterr().out.splitlines() == [
            f"Cost after iteration {i}: {costs[i]}" for i in (0, 100, 119)]


def test_train_loop_puts_lines_above_a_bar_and_one_formatter_writes_them(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr", _Terminal())
    training.train_loop(lambda i: 1.0 / (i + 1), 201, print_cost=True, progress=True)
    assert capsys.readouterr().out.splitlines() == [
        "Cost after iteration %i: %f" % (i, 1.0 / (i + 1)) for i in (0, 100, 200)]  # noqa: UP031
    assert training.cost_line(5, 0.25, unit="epoch") == "Cost after epoch 5: 0.250000"
    assert training.cost_line(5, np.float64(0.25), training.COURSE_LINE_FULL) == \
        "Cost after iteration 5: 0.25"


@pytest.mark.parametrize("module", ["deep", "shallow"])
def test_course_1s_update_parameters_refuses_a_rank_1_db_as_course_2s_does(module):
    """A db without keepdims made b1 (4, 4) silently; the next forward pass blamed b1."""
    P = nn.deep.initialize_parameters_deep([2, 4, 1])
    G = {"dW1": np.ones((4, 2)), "db1": np.ones(4), "dW2": np.ones((1, 4)), "db2": np.ones((1, 1))}
    with pytest.raises(ShapeError, match=r"update_parameters: db1 has shape \(4,\), which "
                                         r"would make b1 of shape \(4, 1\) broadcast.*keepdims"):
        getattr(nn, module).update_parameters(P, G, 0.1)
    G["db1"] = np.ones((4, 1))
    G["db2"] = 0.5  # a number for b2 (1, 1), as np.sum(dZ2) / m gives: numpy takes it
    new = getattr(nn, module).update_parameters(P, G, 0.1)
    assert new["b1"].shape == (4, 1) and new["b2"].shape == (1, 1) and new is not P
    w = training.update_parameters({"w": np.ones((2, 1)), "b": 0.0},
                                   {"dw": np.ones((2, 1)), "db": 1.0}, 0.5)
    assert w["b"] == -0.5  # week 2's keys, not W1, b1
