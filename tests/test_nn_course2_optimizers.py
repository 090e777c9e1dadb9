"""Course 2's optimizers against plain references written here from the formulas, over random
parameter dicts and step counts t; mini-batches, learning-rate decay and the model's
bookkeeping (epoch seeds, Adam's t, the printed cost)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite.testing import layer_dims
from nn import optimization as opt


@st.composite
def parameter_dicts(draw):
    """({"W1", "b1", ...}, {"dW1", "db1", ...}) for random layer sizes, values and scales."""
    dims = draw(layer_dims(min_layers=1, max_layers=4, max_width=8))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([1e-4, 1.0, 100.0]))
    params, grads = {}, {}
    for l in range(1, len(dims)):
        for p, shape in (("W", (dims[l], dims[l - 1])), ("b", (dims[l], 1))):
            params[f"{p}{l}"] = rng.standard_normal(shape)
            grads[f"d{p}{l}"] = rng.standard_normal(shape) * scale
    return params, grads


def _copy(d):
    return {k: np.array(v) for k, v in d.items()}


def _close(a, b, rtol=1e-12):
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=rtol, atol=1e-15, err_msg=k)


# ---- the references, one line per formula -------------------------------------------------

def ref_gd(params, grads, lr):
    return {k: w - lr * grads["d" + k] for k, w in params.items()}


def ref_momentum(params, grads, v, beta, lr):
    v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    return {k: w - lr * v["d" + k] for k, w in params.items()}, v


def ref_adam(params, grads, v, s, t, lr, beta1, beta2, eps):
    v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    v_hat = {k: v[k] / (1 - beta1 ** t) for k in v}
    s_hat = {k: s[k] / (1 - beta2 ** t) for k in s}
    new = {k: w - lr * v_hat["d" + k] / (np.sqrt(s_hat["d" + k]) + eps)
           for k, w in params.items()}
    return new, v, s, v_hat, s_hat


@given(pg=parameter_dicts(), lr=st.floats(1e-4, 1.0))
def test_gd_equals_reference(pg, lr):
    params, grads = pg
    _close(opt.update_parameters_with_gd(_copy(params), grads, lr), ref_gd(params, grads, lr))


@given(pg=parameter_dicts(), lr=st.floats(1e-4, 1.0), beta=st.floats(0, 0.999),
       steps=st.integers(1, 5))
def test_momentum_equals_reference(pg, lr, beta, steps):
    params, grads = pg
    mine, v = _copy(params), opt.initialize_velocity(params)
    ref, ref_v = _copy(params), {k: np.zeros_like(g) for k, g in grads.items()}
    for _ in range(steps):
        mine, v = opt.update_parameters_with_momentum(mine, grads, v, beta, lr)
        ref, ref_v = ref_momentum(ref, grads, ref_v, beta, lr)
    _close(mine, ref)
    _close(v, ref_v)


@given(pg=parameter_dicts(), t=st.integers(1, 10_000), lr=st.floats(1e-4, 0.1),
       beta1=st.floats(0.5, 0.99), beta2=st.floats(0.9, 0.9999),
       eps=st.sampled_from([1e-8, 1e-6, 1e-3]), seed=st.integers(0, 2**16))
def test_adam_equals_reference_at_any_step(pg, t, lr, beta1, beta2, eps, seed):
    params, grads = pg
    rng = np.random.default_rng(seed)  # moving averages part way through training
    v = {k: rng.standard_normal(g.shape) * 0.1 for k, g in grads.items()}
    s = {k: rng.random(g.shape) * 0.1 for k, g in grads.items()}
    ref = ref_adam(params, grads, v, s, t, lr, beta1, beta2, eps)
    mine = opt.update_parameters_with_adam(_copy(params), grads, _copy(v), _copy(s), t, lr,
                                           beta1, beta2, eps)
    assert len(mine) == 5  # (parameters, v, s, v_corrected, s_corrected)
    for a, b in zip(mine, ref):
        _close(a, b)


def test_adam_is_the_courses_formula_to_the_last_bit():
    """np.power(0.999, 7) is one bit away from the course's 0.999 ** 7 (about one t in 20):
    the parameters drifted 3.7e-14 from the course's over the 5000-epoch Adam run, and from
    al.optim.Adam's, which the tolerance above let pass."""
    params = {"W1": np.array([[0.5, -0.3]]), "b1": np.array([[0.1]])}
    grads = {"dW1": np.array([[0.3, -0.2]]), "db1": np.array([[-0.2]])}
    averages = {k: np.full_like(g, 0.01) for k, g in grads.items()}
    for t in range(1, 60):
        mine = opt.update_parameters_with_adam(_copy(params), grads, _copy(averages),
                                               _copy(averages), t, 0.01)
        ref = ref_adam(params, grads, averages, averages, t, 0.01, 0.9, 0.999, 1e-8)
        for a, b in zip(mine, ref):
            for k in a:
                assert np.array_equal(a[k], b[k]), (t, k)


def test_adam_first_step_moves_every_weight_by_about_the_learning_rate():
    """Bias correction at t = 1: v_corrected = g and s_corrected = g^2, so the step is
    lr * g / (|g| + eps), about lr whatever the scale of g; with a wrong t it would not be."""
    params = nn.init.he([3, 4, 1], seed=0)
    grads = {"d" + k: np.full(w.shape, 1e-3) for k, w in params.items()}
    v, s = opt.initialize_adam(params)
    new, *_ = opt.update_parameters_with_adam(_copy(params), grads, v, s, 1, 0.01)
    for k in params:
        np.testing.assert_allclose(params[k] - new[k], 0.01, rtol=1e-4)


def test_adam_rejects_t_0():
    params = nn.init.he([2, 1], seed=0)
    v, s = opt.initialize_adam(params)
    grads = {"d" + k: np.ones_like(w) for k, w in params.items()}
    with pytest.raises(ValueError, match="t counts the Adam steps from 1"):
        opt.update_parameters_with_adam(params, grads, v, s, 0)


def test_adam_takes_an_integral_float_t_as_the_courses_code_does():
    """t = 2.0 (a step count kept as a float) works in the course's beta ** t; it was refused
    as if it were t = 0 ("divides by zero")."""
    params, grads, v, s = _course_step()
    as_int = opt.update_parameters_with_adam(_copy(params), grads, _copy(v), _copy(s), 2)
    for t in (2.0, np.int64(2), np.float64(2)):
        got = opt.update_parameters_with_adam(_copy(params), grads, _copy(v), _copy(s), t)
        for a, b in zip(got, as_int):
            _close(a, b, rtol=0)
    for t in (2.5, True, -1, float("inf"), "2"):
        with pytest.raises(ValueError, match=r"update_parameters_with_adam: t must be a positive "
                                             r"integer step count") as info:
            opt.update_parameters_with_adam(params, grads, v, s, t)
        assert "zero" not in str(info.value)


def test_initializers_of_v_and_s():
    params = nn.init.he([3, 5, 2, 1], seed=0)
    v, s = opt.initialize_adam(params)
    for d in (v, s, opt.initialize_velocity(params)):
        assert sorted(d) == sorted("d" + k for k in params)
        for k in params:
            assert d["d" + k].shape == params[k].shape and not d["d" + k].any()
    assert v["dW1"] is not s["dW1"]
    with pytest.raises(KeyError, match="initialize_velocity.*W1"):
        opt.initialize_velocity({"b1": np.zeros((1, 1))})


# ---- every gradient, v and s entry has its parameter's shape -----------------------------

def _course_step():
    """The course's 3-layer network [2, 4, 3, 1], its gradients on 10 examples, v and s."""
    rng = np.random.RandomState(0)
    params = {"W1": rng.randn(4, 2), "b1": np.zeros((4, 1)), "W2": rng.randn(3, 4),
              "b2": np.zeros((3, 1)), "W3": rng.randn(1, 3), "b3": np.zeros((1, 1))}
    X, Y = rng.randn(2, 10), (rng.rand(1, 10) > 0.5).astype(float)
    _, cache = nn.regularization.forward_propagation(X, params)
    v, s = opt.initialize_adam(params)
    return params, nn.regularization.backward_propagation(X, Y, cache), v, s


def _update(name, params, grads, v, s):
    if name == "gd":
        return opt.update_parameters_with_gd(params, grads, 0.1)
    if name == "momentum":
        return opt.update_parameters_with_momentum(params, grads, v, 0.9, 0.1)
    return opt.update_parameters_with_adam(params, grads, v, s, 1)


UPDATES = ["gd", "momentum", "adam"]
FN = {"gd": "update_parameters_with_gd", "momentum": "update_parameters_with_momentum",
      "adam": "update_parameters_with_adam"}


@pytest.mark.parametrize("name", UPDATES)
def test_updates_refuse_a_rank_1_db_that_would_broadcast_b_to_n_by_n(name):
    """db1 = np.sum(dZ1, axis=1) / m (keepdims forgotten) is (4,): b1 - alpha db1 broadcast
    b1 to (4, 4), and Adam's v and s with it; the next forward pass failed far from here."""
    params, grads, v, s = _course_step()
    grads["db1"] = np.sum(grads["dZ1"], axis=1) / 10
    with pytest.raises(ValueError, match=FN[name] + r": db1 should be \(n\[1\], 1\) = "
                                         r"\(4, 1\).*got \(4,\).*keepdims=True"):
        _update(name, params, grads, v, s)
    grads["db1"] = grads["db1"].reshape(4, 1)
    grads["dW2"] = grads["dW2"].T
    with pytest.raises(ValueError, match=FN[name] + r": dW2 should be \(n\[2\], n\[1\]\) = "
                                         r"\(3, 4\).*got \(4, 3\)"):
        _update(name, params, grads, v, s)


@pytest.mark.parametrize("name, which", [("momentum", "v"), ("adam", "v"), ("adam", "s")])
def test_updates_refuse_a_moving_average_of_another_shape(name, which):
    params, grads, v, s = _course_step()
    (v if which == "v" else s)["db2"] = np.zeros((3, 3))  # say, broadcast by an earlier step
    with pytest.raises(ValueError, match=FN[name] + rf": {which}\['db2'\] should be "
                                         r"\(n\[2\], 1\) = \(3, 1\).*got \(3, 3\)"):
        _update(name, params, grads, v, s)


def test_gradient_check_n_and_the_updates_share_one_shape_check():
    params, grads, _, _ = _course_step()
    grads["db1"] = grads["db1"].ravel()
    messages = []
    for fn in (lambda: opt.update_parameters_with_gd(params, grads, 0.1),
               lambda: nn.gradient_checking.gradient_check_n(params, grads, np.zeros((2, 3)),
                                                             np.zeros((1, 3)))):
        with pytest.raises(ValueError) as info:
            fn()
        messages.append(str(info.value).split(": ", 1))
    assert messages[0][0] == "update_parameters_with_gd"
    assert messages[1][0] == "gradient_check_n" and messages[0][1] == messages[1][1]


# ---- a refused update changes nothing -----------------------------------------------------

def _snapshot(*dicts):
    return [{k: (a, np.array(a)) for k, a in d.items()} for d in dicts]


def _unchanged(before, *dicts):
    for saved, d in zip(before, dicts):
        assert sorted(saved) == sorted(d)
        for k, (a, values) in saved.items():
            assert d[k] is a, k  # the same array, not a replaced one
            np.testing.assert_array_equal(a, values, err_msg=k)


MISTAKES = {  # a learner's mistake in the last layer, found after W1 ... W3 were updated
    "no db3": ("grads", lambda g, v, s: g.pop("db3")),
    "rank-1 db3": ("grads", lambda g, v, s: g.update(db3=g["db3"].ravel())),
    "v keyed like W1": ("v", lambda g, v, s: v.update({k[1:]: v.pop(k) for k in list(v)})),
    "no db3 in s": ("s", lambda g, v, s: s.pop("db3")),
}
TAKES = {"gd": ("grads",), "momentum": ("grads", "v"), "adam": ("grads", "v", "s")}


@pytest.mark.parametrize("name, mistake", [(n, k) for n in UPDATES for k in MISTAKES
                                           if MISTAKES[k][0] in TAKES[n]])
def test_a_refused_update_changes_nothing_so_rerunning_the_fixed_cell_takes_one_step(name,
                                                                                    mistake):
    """A learner who fixes the cell and reruns it must not apply half a step twice."""
    params, grads, v, s = _course_step()
    right = _copy(grads)
    MISTAKES[mistake][1](grads, v, s)
    before = _snapshot(params, v, s)
    with pytest.raises((KeyError, ValueError)) as info:
        _update(name, params, grads, v, s)
    assert str(info.value).strip("'\"").startswith(FN[name] + ": ")
    _unchanged(before, params, v, s)
    if MISTAKES[mistake][0] != "grads":
        v, s = opt.initialize_adam(params)
    zeros = {"d" + k: np.zeros(w.shape) for k, w in params.items()}
    ref = {"gd": lambda: ref_gd(params, right, 0.1),
           "momentum": lambda: ref_momentum(params, right, zeros, 0.9, 0.1)[0],
           "adam": lambda: ref_adam(params, right, zeros, zeros, 1, 0.01, 0.9, 0.999, 1e-8)[0]}
    expected = ref[name]()  # one step from where the refused one started
    new = _update(name, params, right, v, s)
    _close(new[0] if isinstance(new, tuple) else new, expected)


@pytest.mark.parametrize("name, which, init", [("momentum", "v", "initialize_velocity"),
                                               ("adam", "v", "initialize_adam"),
                                               ("adam", "s", "initialize_adam")])
def test_a_missing_moving_average_key_is_said_like_a_missing_gradient(name, which, init):
    params, grads, v, s = _course_step()
    d = v if which == "v" else s
    d["W1"] = d.pop("dW1")  # keyed like the parameters
    with pytest.raises(KeyError, match=FN[name] + rf": no 'dW1' in {which} \(keys given: "
                                       rf"\['W1', 'dW2'.*{init}\(parameters\)"):
        _update(name, params, grads, v, s)
    grads.pop("db2")
    with pytest.raises(KeyError, match=r"update_parameters_with_gd: no 'db2' in the gradients"):
        opt.update_parameters_with_gd(params, grads, 0.1)


# ---- hyperparameters: the ranges optimizer_settings (fit, the CLI) already refuses -------

BAD_SETTINGS = [("momentum", "beta", 1.5), ("momentum", "beta", 1.0), ("momentum", "beta", -0.1),
                ("adam", "beta1", 1.0), ("adam", "beta2", 1.0), ("adam", "beta1", float("nan")),
                ("adam", "epsilon", 0.0), ("adam", "epsilon", float("inf")),
                ("adam", "epsilon", True)]


@pytest.mark.parametrize("name, setting, value", BAD_SETTINGS)
def test_updates_refuse_the_hyperparameters_fit_refuses(name, setting, value):
    """beta1 = 1 divides by 1 - 1^t = 0 (W becomes nan), epsilon = 0 divides 0 by 0 where
    a gradient is 0, beta = 1.5 grows v without bound: each as fit and the CLI say it."""
    params, grads, v, s = _course_step()
    before = _snapshot(params, v, s)
    with pytest.raises(ValueError) as info:
        if name == "momentum":
            opt.update_parameters_with_momentum(params, grads, v, value, 0.1)
        else:
            opt.update_parameters_with_adam(params, grads, v, s, 1, 0.01,
                                            **{"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
                                               setting: value})
    with pytest.raises(ValueError) as fit:
        opt.optimizer_settings(name, "fit", **{setting: value})
    assert str(info.value) == FN[name] + str(fit.value)[len("fit"):]
    _unchanged(before, params, v, s)


@pytest.mark.parametrize("call, argument", [
    (lambda: opt.update_lr(0.1, 1, -1), "decay_rate"),
    (lambda: opt.schedule_lr_decay(0.1, 5, -1, 5), "decay_rate"),
    (lambda: opt.schedule_lr_decay(0.1, 5, 1, 0), "time_interval"),
    (lambda: opt.update_lr(0.1, -1, 1), "epoch_num"),
    (lambda: opt.update_lr(0.1, 1, float("nan")), "decay_rate")])
def test_decays_name_the_argument_that_would_divide_by_zero(call, argument):
    with pytest.raises(ValueError, match=r"^(update_lr|schedule_lr_decay): " + argument):
        call()


# ---- mini-batches -----------------------------------------------------------------------

@given(n_x=st.integers(1, 4), m=st.integers(1, 200), size=st.integers(1, 80),
       seed=st.integers(0, 2**16))
def test_random_mini_batches_partition_the_columns_in_the_course_order(n_x, m, size, seed):
    X = np.arange(n_x * m, dtype=float).reshape(n_x, m)
    Y = np.arange(m, dtype=float).reshape(1, m) + 0.5
    before = np.random.get_state()[1].copy()
    batches = opt.random_mini_batches(X, Y, size, seed)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # global state untouched
    sizes = [b[0].shape[1] for b in batches]
    assert sizes == [size] * (m // size) + ([m % size] if m % size else [])
    cols = np.concatenate([b[0] for b in batches], axis=1)
    labels = np.concatenate([b[1] for b in batches], axis=1)
    np.testing.assert_array_equal(labels - 0.5, cols[0:1])  # each label stays with its column
    saved = np.random.get_state()  # the course's code: np.random.seed(seed); permutation(m)
    try:
        np.random.seed(seed)
        permutation = np.random.permutation(m)
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(cols, X[:, permutation])


def test_random_mini_batches_course_sanity_check():
    """The notebook's test case and its printed "mini batch sanity check"."""
    rng = np.random.RandomState(1)
    X = rng.randn(12288, 148)
    Y = rng.randn(1, 148) < 0.5
    batches = opt.random_mini_batches(X, Y, 64)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157],
                               atol=5e-9)


def test_random_mini_batches_errors():
    X = np.zeros((2, 10))
    with pytest.raises(ValueError, match="mini_batch_size must be a positive integer"):
        opt.random_mini_batches(X, np.zeros((1, 10)), 0)
    with pytest.raises(ValueError, match=r"Y should be \(n_y, m\) with m = 10"):
        opt.random_mini_batches(X, np.zeros((1, 9)))
    with pytest.raises(ValueError, match=r"Y should be \(n_y, m\) with m = 10.*use Y\.T"):
        opt.random_mini_batches(X, np.zeros((10, 1)))


def test_random_mini_batches_blames_a_transposed_X_not_Y():
    """X.T (m, n_x) beside a right Y (1, m): X is checked first, with check_X's hint."""
    X, Y = np.zeros((2, 10)), np.zeros((1, 10))
    with pytest.raises(nn.ShapeError, match=r"random_mini_batches: X should be \(n_x, m\) = "
                                            r"\(2, 10\).*got \(10, 2\).*use X\.T") as info:
        opt.random_mini_batches(X.T, Y, 4)
    assert "Y should" not in str(info.value)


# ---- learning-rate decay ------------------------------------------------------------------

@given(lr0=st.floats(1e-4, 1.0), epoch=st.integers(0, 10_000), rate=st.floats(0, 5),
       interval=st.integers(1, 2000))
def test_decay_formulas(lr0, epoch, rate, interval):
    assert math.isclose(opt.update_lr(lr0, epoch, rate), lr0 / (1 + rate * epoch), rel_tol=1e-14)
    assert math.isclose(opt.schedule_lr_decay(lr0, epoch, rate, interval),
                        lr0 / (1 + rate * (epoch // interval)), rel_tol=1e-14)


def test_decay_course_values():
    assert opt.update_lr(0.5, 2, 1) == pytest.approx(1 / 6)
    assert opt.schedule_lr_decay(0.5, 100, 0.3, 100) == pytest.approx(0.5 / 1.3)
    assert opt.schedule_lr_decay(0.5, 99, 0.3, 100) == 0.5  # no change within an interval


# ---- the model's bookkeeping --------------------------------------------------------------

def test_model_shuffles_epoch_e_with_seed_10_e_1_and_counts_adam_steps_from_1(monkeypatch):
    X, Y = nn.load_moons()
    seeds, steps = [], []
    shuffle, adam = opt.random_mini_batches, opt.update_parameters_with_adam

    def spy_shuffle(X, Y, size, seed):
        seeds.append(seed)
        return shuffle(X, Y, size, seed)

    def spy_adam(parameters, grads, v, s, t, *args):
        steps.append(t)
        return adam(parameters, grads, v, s, t, *args)

    monkeypatch.setattr(opt, "random_mini_batches", spy_shuffle)
    monkeypatch.setattr(opt, "update_parameters_with_adam", spy_adam)
    opt.model(X, Y, [2, 5, 2, 1], "adam", num_epochs=3, print_cost=False)
    assert seeds == [11, 12, 13]
    assert steps == list(range(1, 3 * 5 + 1))  # 300 examples: 4 batches of 64 and one of 44


def test_model_epoch_cost_is_the_summed_loss_over_m():
    """With learning_rate 0 every mini-batch sees the same parameters, so the epoch cost
    (summed per-example loss / m) must equal the full-batch mean cross-entropy."""
    X, Y = nn.load_moons()
    _, costs = opt.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.0, num_epochs=1,
                         return_costs=True, print_cost=False)
    A3, _ = nn.regularization.forward_propagation(X, opt.initialize_parameters([2, 5, 2, 1]))
    assert costs[0] == pytest.approx(nn.cost.cross_entropy(A3, Y), rel=1e-12)


def test_model_prints_the_course_lines_and_the_decayed_rate(capsys):
    X, Y = nn.load_moons()
    opt.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=1001, print_cost=True,
              decay=opt.schedule_lr_decay)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Cost after epoch 0: ") and len(lines[0].split(": ")[1]) == 8
    assert lines[1] == "learning rate after epoch 0: 0.100000"
    assert lines[3] == "learning rate after epoch 1000: 0.050000"


def test_model_errors():
    X, Y = nn.load_moons()
    with pytest.raises(ValueError, match="optimizer must be one of"):
        opt.model(X, Y, [2, 5, 2, 1], "rmsprop")
    with pytest.raises(TypeError, match="decay must be None or a function"):
        opt.model(X, Y, [2, 5, 2, 1], "gd", decay="update_lr")
    with pytest.raises(nn.ShapeError, match=r"X should be \(n_x, m\)"):
        opt.model(X.T, Y, [2, 5, 2, 1], "gd")


def test_course_rng_draws_what_a_fresh_RandomState_draws():
    """The reseeded per-thread generator behind random_mini_batches: the same stream as
    RandomState(seed), even after a draw left a cached normal behind; one per thread."""
    import threading

    from nn.regularization import course_rng

    for seed in (0, 1, 11, 2**31 - 1):
        course_rng(seed).randn()  # leaves the second of a pair of normals cached
        np.testing.assert_array_equal(course_rng(seed).randn(3),
                                      np.random.RandomState(seed).randn(3))
        np.testing.assert_array_equal(course_rng(seed).permutation(300),
                                      np.random.RandomState(seed).permutation(300))
    mine, other = course_rng(0), []
    t = threading.Thread(target=lambda: other.append(course_rng(0)))
    t.start()
    t.join()
    assert other[0] is not mine


@pytest.mark.parametrize("X, Y, blamed", [
    (np.zeros((1, 5)), np.zeros((5, 1)), "Y"),  # one feature, right X; Y as a column
    (np.zeros((5, 1)), np.zeros((1, 5)), "X"),  # the course's Y (1, m); X transposed
    (np.zeros((3, 5)), np.zeros((5, 1)), "Y"),
    (np.zeros((5, 3)), np.zeros((1, 5)), "X"),
    (np.zeros((10, 3)), np.zeros((3, 10)), "either"),  # n_x = n_y = 3: cannot tell
])
def test_random_mini_batches_blames_the_transposed_one_when_n_x_equals_n_y(X, Y, blamed):
    """With one feature, a right X (1, 5) beside Y (5, 1) was told to use X.T, and X.T was
    then accepted with m = 1. A Y of (1, m) is the course's labels: then X is transposed."""
    match = ("either one may be transposed" if blamed == "either"
             else rf"{blamed} should be .*use {blamed}\.T")
    with pytest.raises((ValueError, nn.ShapeError), match=match):
        opt.random_mini_batches(X, Y, 2)


@pytest.mark.parametrize("settings, message", [
    ({"learning_rate": -0.1}, r"model: learning_rate must be a finite number >= 0"),
    ({"optimizer": "adam", "beta1": 1.0}, r"model: beta1 must be a number in \[0, 1\)"),
    ({"optimizer": "momentum", "beta": 1.5}, r"model: beta must be a number in \[0, 1\)"),
])
def test_the_optimization_model_checks_its_settings_up_front_by_its_name(settings, message):
    """A negative learning rate trained (Model.fit refuses it); a bad beta1 was reported by
    update_parameters_with_adam, after the parameters were made."""
    X, Y = nn.load_moons()
    with pytest.raises(ValueError, match=message):
        opt.model(X, Y, [2, 5, 2, 1], **{"optimizer": "gd", **settings}, num_epochs=1,
                  print_cost=False)
