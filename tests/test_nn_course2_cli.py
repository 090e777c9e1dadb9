"""`autograd-lite train` reaches each Course 2 model with each of its options, and runs the
course's own model function with them (the saved parameters are that function's, bit for
bit); options that the run would ignore are usage errors."""

import numpy as np
import pytest

import nn
from nn import initialization, optimization, regularization
from nn.cli import main
from nn.registry import COURSE_MODELS


def _train(tmp_path, capsys, *argv):
    """(saved parameters, printed lines) of ``autograd-lite train ... --save``."""
    path = tmp_path / "m.npz"
    code = main(["train", *argv, "--no-progress", "--save", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return nn.load(path).parameters, out.splitlines()


def _equal(got, expected):
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k], err_msg=k)


@pytest.mark.parametrize("result", COURSE_MODELS["initialization"].results,
                         ids=lambda r: r.options["initialization"])
def test_train_initialization_runs_the_courses_model_from_each_start(result, tmp_path, capsys):
    start = result.options["initialization"]
    got, lines = _train(tmp_path, capsys, "initialization", "--initialization", start,
                        "--iterations", "20")
    assert f"initialization {start}" in lines[0]
    # the course's printed first cost (inf for randn x 10, which saturates the sigmoid)
    assert lines[1] == f"Cost after iteration 0: {result.costs[0]:f}"
    circles = nn.load_circles()
    _equal(got, initialization.model(circles.train_X, circles.train_Y, num_iterations=20,
                                     initialization=start, print_cost=False))


def test_train_regularization_with_dropout_is_the_courses_model_with_dropout(tmp_path, capsys):
    got, lines = _train(tmp_path, capsys, "regularization", "--keep-prob", "0.86",
                        "--iterations", "20", "--data", "circles")
    assert "keep_prob 0.86" in lines[0]
    circles = nn.load_circles()
    expected = regularization.model(circles.train_X, circles.train_Y, keep_prob=0.86,
                                    num_iterations=20, print_cost=False)
    _equal(got, expected)
    plain = regularization.model(circles.train_X, circles.train_Y, num_iterations=20,
                                 print_cost=False)
    assert not np.array_equal(expected["W1"], plain["W1"])  # the masks are there


@pytest.mark.parametrize("argv, settings", [
    (["--optimizer", "momentum", "--beta", "0.5"], dict(optimizer="momentum", beta=0.5)),
    (["--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.99", "--epsilon", "1e-4"],
     dict(optimizer="adam", beta1=0.8, beta2=0.99, epsilon=1e-4)),
    (["--decay", "update_lr", "--decay-rate", "2", "--learning-rate", "0.1"],
     dict(optimizer="gd", decay=optimization.update_lr, decay_rate=2, learning_rate=0.1)),
    (["--mini-batch-size", "100"], dict(optimizer="gd", mini_batch_size=100)),
])
def test_train_optimization_passes_each_setting_to_the_courses_model(argv, settings, tmp_path,
                                                                     capsys):
    got, _ = _train(tmp_path, capsys, "optimization", *argv, "--iterations", "5")
    X, Y = nn.load_moons()
    expected = optimization.model(X, Y, [2, 5, 2, 1], num_epochs=5, print_cost=False,
                                  **settings)
    _equal(got, expected)
    default = optimization.model(X, Y, [2, 5, 2, 1], settings["optimizer"], num_epochs=5,
                                 print_cost=False)
    assert not np.array_equal(expected["W1"], default["W1"])  # the setting acts


@pytest.mark.parametrize("argv, message", [
    (["--optimizer", "gd", "--beta1", "0.8"],
     "beta1 is a setting of optimizer='adam', not of optimizer='gd'"),
    (["--optimizer", "adam", "--beta", "0.5"],
     "beta is a setting of optimizer='momentum', not of optimizer='adam'"),
    (["--decay-rate", "2"], "--decay-rate is given without --decay"),
    # given at their defaults, as ignored all the same (the run said "beta 0.9" and was gd's)
    (["--beta", "0.9"], "beta is a setting of optimizer='momentum', not of optimizer='gd'"),
    (["--optimizer", "momentum", "--epsilon", "1e-8"],
     "epsilon is a setting of optimizer='adam', not of optimizer='momentum'"),
    (["--decay-rate", "1"], "--decay-rate is given without --decay"),
    (["--optimizer", "adam", "--epsilon", "0"], "--epsilon: must be in (0, 1]"),
    (["--optimizer", "adam", "--beta2", "1"], "--beta2: must be from 0 to below 1"),
])
def test_settings_the_run_would_ignore_are_usage_errors(argv, message, capsys):
    code = main(["train", "optimization", *argv, "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


@pytest.mark.parametrize("args, meaning", [
    (["regularization", "--keep-prob", "0"], "the probability of keeping a unit"),
    (["optimization", "--optimizer", "adam", "--epsilon", "0"],
     "Adam's guard against dividing by 0"),
])
def test_options_open_at_zero_refuse_it_saying_what_they_mean(capsys, args, meaning):
    assert main(["train", *args, "--iterations", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "in (0, 1] (the course's" in err and f"{meaning}; got '0'" in err


def test_train_optimization_with_decay_prints_the_courses_learning_rate_lines(capsys):
    """The course's model prints "learning rate after epoch i" under each cost line when the
    rate decays, and so does nn.optimization.model; the command printed the costs alone."""
    assert main(["train", "optimization", "--decay", "schedule_lr_decay", "--learning-rate",
                 "0.1", "--iterations", "1001", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    X, Y = nn.load_moons()
    optimization.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=1001,
                       decay=optimization.schedule_lr_decay)
    course = capsys.readouterr().out
    lines = [line for line in course.splitlines() if "after epoch" in line]
    assert lines[:2] == ["Cost after epoch 0: 0.701091", "learning rate after epoch 0: 0.100000"]
    assert "learning rate after epoch 1000: 0.050000" in lines
    assert [line for line in printed.splitlines() if "after epoch" in line] == lines
