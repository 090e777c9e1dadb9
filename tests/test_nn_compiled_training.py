"""Training with compile=True (al.compile replays the engine's step) gives the eager
engine's training bit for bit: the same parameters and the same costs."""

import numpy as np
import pytest

from nn import deep, initialization, logistic, optimization, regularization, shallow, training
from nn.cli import main
from nn.model import Model


def same_bits(a, b):
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_bits(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def data(n_x=5, m=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(float)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "leaky_relu"])
def test_model_fit_compiled_equals_eager_training(hidden):
    X, Y = data()
    eager, compiled = (Model([5, 4, 3, 1], hidden=hidden, seed=1) for _ in range(2))
    costs = eager.fit(X, Y, 0.1, 60, gradients="engine", progress=False, record_every=7)
    costs_c = compiled.fit(X, Y, 0.1, 60, gradients="engine", progress=False, record_every=7,
                           compile=True)
    assert same_bits(costs_c, costs) and same_bits(compiled.parameters, eager.parameters)
    # and the engine's training moved the parameters the hand-derived way
    hand = Model([5, 4, 3, 1], hidden=hidden, seed=1)
    hand.fit(X, Y, 0.1, 60, progress=False, record_every=7)
    for k in hand.parameters:
        np.testing.assert_allclose(compiled.parameters[k], hand.parameters[k], rtol=1e-9,
                                   atol=1e-12)


def test_the_courses_engine_loops_take_compile():
    X, Y = data(4, 25, 1)
    for train in (lambda **kw: deep.L_layer_model(X, Y, [4, 5, 3, 1], 0.05, 40, **kw),
                  lambda **kw: deep.two_layer_model(X, Y, (4, 6, 1), 0.05, 40, **kw),
                  lambda **kw: shallow.nn_model(X, Y, 4, 40, return_costs=True, **kw)):
        eager = train(gradients="engine")
        compiled = train(gradients="engine", compile=True)
        assert same_bits(compiled, eager)
    eager = logistic.model(X, Y, num_iterations=40, gradients="engine")
    compiled = logistic.model(X, Y, num_iterations=40, gradients="engine", compile=True)
    assert same_bits([compiled[k] for k in ("w", "b", "costs")],
                     [eager[k] for k in ("w", "b", "costs")])
    # the compiled runs replayed traces (one per cost and shape), not the eager engine
    for cost in (deep.L_model_cost_engine, shallow.cost_engine, logistic._cost_of):
        assert training._COMPILED[cost].trace_count >= 1


def test_compile_needs_the_engines_gradients():
    X, Y = data()
    with pytest.raises(ValueError, match="gradients='engine'"):
        Model([5, 2, 1], seed=0).fit(X, Y, num_iterations=2, progress=False, compile=True)
    with pytest.raises(ValueError, match="gradients='engine'"):
        deep.L_layer_model(X, Y, [5, 2, 1], num_iterations=2, compile=True)


def test_train_compile_on_the_command_line_prints_the_engines_numbers(capsys):
    outputs = []
    for flags in (["--gradients", "engine"], ["--compile"]):
        assert main(["train", "shallow", "--iterations", "300", "--no-progress", *flags]) == 0
        out = capsys.readouterr().out
        outputs.append([line for line in out.splitlines() if not line.startswith("training")])
        assert "engine gradients" in out
    assert outputs[0] == outputs[1] and any("cost" in line for line in outputs[0])


COURSE_2_RUNS = {
    "initialization he": lambda **kw: initialization.model(
        *data(2, 40, 2), num_iterations=30, initialization="he", return_costs=True,
        print_cost=False, **kw),
    "initialization zeros": lambda **kw: initialization.model(
        *data(2, 40, 2), num_iterations=30, initialization="zeros", return_costs=True,
        print_cost=False, **kw),
    "regularization": lambda **kw: regularization.model(
        *data(2, 40, 3), num_iterations=30, return_costs=True,
        print_cost=False, **kw),
    "L2": lambda **kw: regularization.model(
        *data(2, 40, 3), num_iterations=30, lambd=0.7, return_costs=True,
        print_cost=False, **kw),
    "dropout": lambda **kw: regularization.model(
        *data(2, 40, 3), num_iterations=30, keep_prob=0.86, return_costs=True,
        print_cost=False, **kw),
    # 100 examples in batches of 64: a full batch and a smaller last one (two traces)
    "adam": lambda **kw: optimization.model(
        *data(2, 100, 4), [2, 5, 2, 1], "adam", num_epochs=6, return_costs=True,
        print_cost=False, **kw),
    "momentum, decay": lambda **kw: optimization.model(
        *data(2, 100, 4), [2, 5, 2, 1], "momentum", num_epochs=6, decay=optimization.update_lr,
        return_costs=True, print_cost=False, **kw),
}


@pytest.mark.parametrize("run", COURSE_2_RUNS, ids=list(COURSE_2_RUNS))
def test_course_2_models_take_compile_bit_for_bit(run):
    eager = COURSE_2_RUNS[run](gradients="engine")
    training._COMPILED.clear()
    compiled = COURSE_2_RUNS[run](gradients="engine", compile=True)
    assert same_bits(compiled, eager)
    # it was the replay: one trace per batch shape, however many steps
    assert training._COMPILED[regularization.cost_engine].trace_count == (
        2 if run in ("adam", "momentum, decay") else 1)
    with pytest.raises(ValueError, match="gradients='engine'"):
        COURSE_2_RUNS[run](compile=True)


def test_a_step_function_refuses_compile_without_engine_gradients():
    X, Y = data(2, 10, 5)
    p = regularization.initialize_parameters([2, 3, 2, 1], 3)
    for grads_and_cost in (regularization.grads_and_cost, deep.grads_and_cost):
        with pytest.raises(ValueError, match="grads_and_cost: compile=True"):
            grads_and_cost(p, X, Y, compile=True)


@pytest.mark.parametrize("model", ["initialization", "regularization", "optimization"])
def test_train_compile_takes_every_course_2_model(model, capsys):
    outputs = []
    data = ["--data", "flower"] if model == "regularization" else []  # (football: a download)
    for flags in (["--gradients", "engine"], ["--compile"]):
        assert main(["train", model, "--iterations", "3", "--no-progress", *data, *flags]) == 0
        out = capsys.readouterr().out
        assert ("(compiled)" in out) == (flags == ["--compile"]), out
        if flags == ["--compile"]:
            assert training._COMPILED.pop(regularization.cost_engine).trace_count >= 1
        outputs.append([line for line in out.splitlines() if not line.startswith("training")])
    assert outputs[0] == outputs[1] and any("ccuracy" in line for line in outputs[0])
