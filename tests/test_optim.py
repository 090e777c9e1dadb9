"""al.optim against PyTorch's documented update rules, written here in numpy from the
torch.optim pages' pseudocode (and against torch itself where it is installed), and the
ways PyTorch users drive an optimizer: param_groups, schedules, closures, state_dict."""

import math
import pickle
import re

import numpy as np
import pytest

import autograd_lite as al

SGD_OPTIONS = [dict(), dict(momentum=0.9), dict(momentum=0.9, dampening=0.5),
               dict(momentum=0.9, nesterov=True), dict(weight_decay=0.1),
               dict(momentum=0.5, weight_decay=0.01, nesterov=True, maximize=True),
               dict(momentum=1.0), dict(lr=0.0, momentum=0.9)]
ADAM_OPTIONS = [dict(), dict(betas=(0.5, 0.9)), dict(eps=1e-3), dict(weight_decay=0.1),
                dict(amsgrad=True), dict(amsgrad=True, weight_decay=0.05, maximize=True),
                dict(betas=(0.0, 0.0), eps=0.1)]


def _problem(seed=0):
    """A 2-layer net in the course's shapes: W1 (3, 2), b1 (3, 1), W2 (1, 3), b2 (1, 1)."""
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((2, 20)), (rng.random((1, 20)) > 0.5) * 1.0
    init = {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)) * 0.1,
            "W2": rng.standard_normal((1, 3)), "b2": np.zeros((1, 1))}

    def cost(P):
        A1 = al.tanh(P["W1"] @ X + P["b1"])
        return al.binary_cross_entropy_with_logits(P["W2"] @ A1 + P["b2"], Y)
    return init, cost


def _sgd_reference(theta, grads, state, t, lr=1e-3, momentum=0.0, dampening=0.0,
                   weight_decay=0.0, nesterov=False, maximize=False):
    """torch.optim.SGD's algorithm, line by line from its documentation."""
    g = -grads if maximize else grads
    if weight_decay:
        g = g + weight_decay * theta
    if momentum:
        b = g if t == 1 else momentum * state["b"] + (1 - dampening) * g
        state["b"] = b
        g = g + momentum * b if nesterov else b
    return theta - lr * g


def _adam_reference(theta, grads, state, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                    weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False):
    """torch.optim.Adam's (and AdamW's, ``decoupled``) algorithm from its documentation."""
    b1, b2 = betas
    g = -grads if maximize else grads
    if decoupled:
        theta = theta * (1 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * theta
    state["m"] = b1 * state.get("m", 0) + (1 - b1) * g
    state["v"] = b2 * state.get("v", 0) + (1 - b2) * g * g
    v = state["v"]
    if amsgrad:
        v = state["vmax"] = np.maximum(state.get("vmax", v), v)
    return theta - lr * (state["m"] / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)


def _run(make, steps=30):
    init, cost = _problem()
    P = {k: al.Tensor(v, requires_grad=True) for k, v in init.items()}
    opt = make(P)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        J = cost(P)
        J.backward()
        history.append({k: p.grad.copy() for k, p in P.items()})
        opt.step()
    return init, P, history


def _check_against(reference, options, init, P, history):
    theta, states = dict(init), {k: {} for k in init}
    for t, grads in enumerate(history, start=1):
        theta = {k: reference(theta[k], grads[k], states[k], t, **options) for k in theta}
    for k in P:
        np.testing.assert_allclose(P[k].data, theta[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd_follows_pytorchs_documented_rule_for_every_option(options):
    options = {"lr": 0.1, **options}
    init, P, history = _run(lambda P: al.optim.SGD(P, **options))
    _check_against(_sgd_reference, options, init, P, history)


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
@pytest.mark.parametrize("kind", ["Adam", "AdamW"])
def test_adam_and_adamw_follow_pytorchs_documented_rule_for_every_option(kind, options):
    options = {"lr": 0.05, **options}
    init, P, history = _run(lambda P: getattr(al.optim, kind)(P, **options))
    if kind == "AdamW":
        options = {"weight_decay": 0.01, **options, "decoupled": True}  # AdamW's default
    _check_against(_adam_reference, options, init, P, history)


@pytest.mark.parametrize("kind, options", [("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3,
                                                          nesterov=False, weight_decay=0.01)),
                                           ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                           ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
                                           ("AdamW", dict(lr=0.05, maximize=True)),
                                           ("RMSprop", dict(lr=0.01, alpha=0.9)),
                                           ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True,
                                                            weight_decay=0.01))])
def test_the_same_steps_as_torch_where_it_is_installed(kind, options):
    torch = pytest.importorskip("torch", reason="torch is the peers' extra")
    init, P, _ = _run(lambda P: getattr(al.optim, kind)(P, **options), steps=20)
    init, cost = _problem()
    T = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    opt = getattr(torch.optim, kind)(T.values(), **options)
    X_cost = cost  # the same cost, through the engine, its gradient handed to torch
    for _ in range(20):
        opt.zero_grad()
        Q = {k: al.Tensor(t.detach().numpy().copy(), requires_grad=True) for k, t in T.items()}
        X_cost(Q).backward()
        for k, t in T.items():
            t.grad = torch.tensor(Q[k].grad)
        opt.step()
    for k in P:  # torch sums Adam's terms in another order: its rounding, not a rule
        np.testing.assert_allclose(P[k].data, T[k].detach().numpy(), rtol=1e-9, atol=1e-12)


def test_sgds_positional_arguments_are_pytorchs():
    """SGD([w], 0.1, 0.9, 0.1) set weight_decay=0.1 here; torch's fourth is dampening."""
    opt = al.optim.SGD([al.Tensor([1.0], requires_grad=True)], 0.1, 0.9, 0.1)
    assert (opt.lr, opt.momentum, opt.dampening, opt.weight_decay) == (0.1, 0.9, 0.1, 0.0)
    assert al.optim.SGD([al.Tensor([1.0], requires_grad=True)]).lr == 1e-3  # torch's default
    assert al.optim.AdamW([al.Tensor([1.0], requires_grad=True)]).weight_decay == 1e-2


def test_a_schedule_written_as_pytorchs_changes_the_learning_rate():
    """opt.param_groups[0]["lr"] = ... raised AttributeError: there was no param_groups."""
    def train(set_lr):
        w = al.Tensor([3.0, -2.0], requires_grad=True)
        opt = al.optim.SGD([w], lr=0.1, momentum=0.5)
        for i in range(10):
            set_lr(opt, 0.1 * 0.9 ** i)  # ExponentialLR(gamma=0.9)
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        return w.data

    def by_groups(opt, lr):
        for group in opt.param_groups:
            group["lr"] = lr
    by_hand, w, buf = np.array([3.0, -2.0]), None, None
    for i in range(10):
        g = 2 * by_hand
        buf = g if buf is None else 0.5 * buf + g
        by_hand = by_hand - 0.1 * 0.9 ** i * buf
    w = train(by_groups)
    np.testing.assert_allclose(w, by_hand, rtol=1e-14)
    np.testing.assert_array_equal(train(lambda opt, lr: setattr(opt, "lr", lr)), w)
    opt = al.optim.Adam([al.Tensor([1.0], requires_grad=True)], lr=0.1)
    assert opt.param_groups[0]["lr"] == opt.defaults["lr"] == 0.1
    assert opt.param_groups[0]["params"] == opt.params


@pytest.mark.parametrize("bad", [float("nan"), -1.0, "0.1", float("inf")])
def test_a_bad_learning_rate_set_after_construction_is_refused_at_the_step(bad):
    """opt.lr = nan made every parameter nan at the next step, silently."""
    w = al.Tensor([1.0, 2.0], requires_grad=True)
    opt = al.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.param_groups[0]["lr"] = bad
    with pytest.raises(ValueError, match="Adam: lr must be a finite number >= 0"):
        opt.step()
    assert w.tolist() == [1.0, 2.0]
    state = al.optim.Adam([w], lr=0.1).state_dict()
    state["param_groups"][0]["lr"] = bad
    with pytest.raises(ValueError, match="lr must be"):
        al.optim.Adam([w]).load_state_dict(state)


def test_step_takes_a_closure_and_returns_its_cost_as_pytorchs():
    w = al.Tensor([1.0, -2.0], requires_grad=True)
    opt = al.optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        J = (w * w).sum()
        J.backward()
        return J
    with al.no_grad():  # (PyTorch's closure records even when step is called under no_grad)
        J = opt.step(closure)
    assert J.item() == 5.0 and w.tolist() == [0.5, -1.0]
    assert opt.step() is None


def test_adamw_decays_apart_from_the_gradient():
    """With a zero gradient Adam's step is 0 (m = 0), and AdamW's is the decay alone."""
    w = al.Tensor([1.0, -2.0], requires_grad=True)
    opt = al.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    (w * 0.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w.data, [0.95, -1.9])


def test_a_zero_learning_rate_and_full_momentum_are_taken_as_pytorch_takes_them():
    w = al.Tensor([1.0, -2.0], requires_grad=True)
    opt = al.optim.SGD([w], lr=0.0, momentum=1.0)  # a warm-up starts at lr 0
    (w * w).sum().backward()
    opt.step()
    assert w.tolist() == [1.0, -2.0]


def test_state_dict_has_pytorchs_layout_and_round_trips():
    w = al.Tensor([1.0, -2.0], requires_grad=True)
    opt = al.optim.Adam([w], lr=0.1, amsgrad=True)
    (w * w).sum().backward()
    opt.step()
    state = opt.state_dict()
    assert state["param_groups"] == [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                                      "weight_decay": 0.0, "amsgrad": True,
                                      "maximize": False, "params": [0]}]
    assert sorted(state["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    state["state"][0]["exp_avg"][:] = 99.0  # a copy
    assert opt.state[w]["exp_avg"][0] != 99.0  # keyed by the parameter, as PyTorch's
    assert "Adam(1 parameters, lr=0.1" in repr(opt)


@pytest.mark.parametrize("params, error, message", [
    (None, TypeError, r"SGD: give the parameters as a list \(or dict\) of Tensors, got NoneType"),
    (5, TypeError, r"got int: SGD\(\[W1, b1\], lr=...\)"),
    ("w", TypeError, r"got str"),
    ({"W1": al.Tensor([1.0], requires_grad=True), "b1": 3}, TypeError,
     r"SGD: parameter 'b1' is int; give leaf Tensors"),
    ({"W1": al.Tensor([1.0], requires_grad=True)}.items(), TypeError,
     r"parameter 0 is a \(key, value\) pair: give dict.values\(\) or the dict itself"),
])
def test_parameters_given_wrong_are_named_with_what_to_write(params, error, message):
    with pytest.raises(error, match=message):
        al.optim.SGD(params, lr=0.1)


@pytest.mark.parametrize("make, message", [
    (lambda w: al.optim.Adam([w], betas=(0.9,)), r"betas must be a pair \(beta1, beta2\)"),
    (lambda w: al.optim.Adam([w], betas=0.9), r"betas must be a pair"),
    (lambda w: al.optim.Adam([w], betas=(0.9, 0.999, 0.5)), r"betas must be a pair"),
    (lambda w: al.optim.SGD([w], 0.1, nesterov=True), r"nesterov=True needs momentum > 0"),
    (lambda w: al.optim.SGD([w], 0.1, nesterov="yes"), r"nesterov must be True or False"),
    (lambda w: al.optim.Adam([w], eps=math.nan), r"eps must be a finite number >= 0"),
])
def test_settings_pytorch_refuses_are_refused_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make(al.Tensor([1.0], requires_grad=True))


def test_what_a_review_found_in_the_first_rewrite():
    w, u = al.Tensor([1.0], requires_grad=True), al.Tensor([2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"SGD: PyTorch's parameter groups .* are one group "
                       r"here: give the Tensors, and one optimizer per group"):
        al.optim.SGD([{"params": [w]}, {"params": [u], "lr": 0.1}], lr=0.01)
    opt = al.optim.Adam([w], lr=0.1)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: this is not what "
                       r"state_dict\(\) of an al.optim.Adam gives"):
        opt.load_state_dict([1])
    (w * w).sum().backward()
    opt.step()
    state = opt.state_dict()
    del state["state"][0]["exp_avg"]  # step() then raised KeyError
    with pytest.raises(ValueError, match=r"the state of parameter 0 has \['exp_avg_sq', 'step'\], "
                       r"not \['exp_avg', 'exp_avg_sq', 'step'\]"):
        al.optim.Adam([w]).load_state_dict(state)


# ---- an outside tester's findings (PyTorch's idioms on the optimizers) ----------------------

def _two():
    return (al.Tensor(np.zeros(2), requires_grad=True),
            al.Tensor(np.zeros(2), requires_grad=True))


def test_the_group_list_is_what_step_steps_replaced_or_appended_to():
    # param_groups[0]["params"] = [q] stepped p, the list it was made with, in silence;
    # .append(q) raised a bare IndexError
    p, q = _two()
    opt = al.optim.SGD([p], lr=1.0)
    opt.param_groups[0]["params"] = [q]
    p.grad, q.grad = np.ones(2), np.ones(2)
    opt.step()
    assert p.tolist() == [0.0, 0.0] and q.tolist() == [-1.0, -1.0]
    opt = al.optim.Adam([p], lr=0.1)
    opt.param_groups[0]["params"].append(q)
    p.grad, q.grad = np.ones(2), np.ones(2)
    opt.step()
    assert np.allclose(p.data, -0.1) and np.allclose(q.data, -1.1)
    assert opt.state[q]["step"] == 1 and opt.state_dict()["param_groups"][0]["params"] == [0, 1]
    opt.param_groups[0]["params"].append(p)  # listed twice: it would be stepped twice
    with pytest.raises(ValueError, match="parameter 2 is parameter 0 again"):
        opt.step()


def test_state_is_keyed_by_the_parameter_and_a_second_group_is_refused_with_what_to_do():
    p, q = _two()
    opt = al.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(2)
    opt.step()
    assert opt.state[p]["momentum_buffer"].tolist() == [1.0, 1.0] and not opt.state[q]
    with pytest.raises(TypeError, match=r"there is one group here. Add tensors that share its "
                       r"settings to opt.param_groups\[0\]\['params'\]"):
        opt.add_param_group({"params": [q], "lr": 0.01})


def test_betas_given_as_an_array_are_taken_at_first_and_in_the_loop():
    p, _ = _two()
    opt = al.optim.Adam([p], lr=0.1, betas=np.array([0.9, 0.99]))
    p.grad = np.ones(2)
    opt.step()
    opt.param_groups[0]["betas"] = np.array([0.8, 0.9])  # numpy's == made step() raise
    p.grad = np.ones(2)
    opt.step()
    assert opt.betas == (0.8, 0.9) and opt.state[p]["step"] == 2
    opt.param_groups[0]["betas"] = np.array([0.8, 1.5])
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\)"):
        opt.step()


def test_load_state_dict_says_what_does_not_fit():
    p, q = _two()
    opt = al.optim.Adam([p], lr=0.1)
    p.grad = np.ones(2)
    opt.step()
    state = opt.state_dict()
    as_json = {**state, "state": {str(k): v for k, v in state["state"].items()}}
    with pytest.raises(ValueError, match=r"its state is keyed by '0'; the keys are the "
                       r"parameters' positions, ints from 0 to 0"):
        al.optim.Adam([q]).load_state_dict(as_json)  # said "does not fit these shapes"
    with pytest.raises(ValueError, match=r"its exp_avg of parameter 0 has shape \(2,\), the "
                       r"parameter \(3,\)"):
        al.optim.Adam([al.Tensor(np.zeros(3), requires_grad=True)]).load_state_dict(state)
    with pytest.raises(ValueError, match="the state of 1 parameters, and this optimizer has 2"):
        al.optim.Adam([p, q]).load_state_dict(state)
    with pytest.raises(ValueError, match=r"the state is an al.optim.Adam's; load it into one"):
        al.optim.SGD([q]).load_state_dict(state)  # (said: a torch state_dict)
    w = al.optim.AdamW([q], weight_decay=0.5)
    w.load_state_dict(state)  # PyTorch loads an Adam's state into an AdamW
    assert w.weight_decay == 0.0 and w.state[q]["step"] == 1
    assert np.array_equal(w.state[q]["exp_avg"], opt.state[p]["exp_avg"])


def _rmsprop_by_hand(w, grads, lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    """Course 2's RMSprop (s = beta2 s + (1 - beta2) dW^2, W -= lr dW / (sqrt(s) + eps)), with
    PyTorch's documented momentum, centering and weight decay, in plain numpy."""
    s, mean, buf = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        s = alpha * s + (1 - alpha) * g * g
        var = s
        if centered:
            mean = mean + (1 - alpha) * (g - mean)
            var = s - mean * mean
        d = g / (np.sqrt(var) + eps)
        if momentum:
            buf = momentum * buf + d
            d = buf
        w = w - lr * d
    return w


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}, {"centered": True},
                                     {"momentum": 0.5, "centered": True, "weight_decay": 0.1}])
def test_rmsprop_is_the_courses_with_pytorchs_options(options):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(5)]
    w = al.Tensor(w0.copy(), requires_grad=True)
    opt = al.optim.RMSprop([w], lr=0.01, alpha=0.9, eps=1e-8, **options)
    for g in grads:
        w.grad = g
        opt.step()
    assert np.allclose(w.data, _rmsprop_by_hand(w0, grads, 0.01, 0.9, 1e-8, **options),
                       rtol=1e-13, atol=0)
    state = opt.state_dict()
    again = al.optim.RMSprop([al.Tensor(w0, requires_grad=True)], lr=0.01, alpha=0.9, **options)
    again.load_state_dict(state)
    assert again.state_dict()["state"][0]["step"] == 5


@pytest.mark.parametrize("name, instead", [("lr_scheduler", "opt.param_groups[0]['lr']"),
                                           ("StepLR", "0.1 ** (epoch // 30)"),
                                           ("Adagrad", "SGD (with momentum), RMSprop, Adam")])
def test_pytorch_optim_names_that_are_not_here_say_what_to_write(name, instead):
    with pytest.raises(AttributeError, match=re.escape(instead)):
        getattr(al.optim, name)
    assert not hasattr(al.optim, "no_such_optimizer")


def test_load_state_dict_of_a_dict_naming_no_optimizer_says_so():
    p, _ = _two()
    with pytest.raises(ValueError, match=r"it names no optimizer of al.optim \(its 'optimizer' "
                       r"is None"):  # said "the state is an al.optim.None's"
        al.optim.Adam([p]).load_state_dict({"state": {}, "param_groups": [{"params": [0]}]})


def test_from_optim_import_a_scheduler_gives_the_hint():
    with pytest.raises(ImportError, match=r"cannot import name 'lr_scheduler'.*opt.lr = lr0"):
        exec("from autograd_lite.optim import lr_scheduler", {})
    exec("from autograd_lite.optim import RMSprop", {})


def test_params_can_be_set_and_an_optimizer_pickled_before_the_change_steps():
    p, q = _two()
    opt = al.optim.SGD([p], lr=1.0)
    opt.params = [q]  # a property without a setter raised
    q.grad = np.ones(2)
    opt.step()
    assert q.tolist() == [-1.0, -1.0]
    # the __dict__ of an SGD pickled before: params and a state list by position
    old = {"params": [p], "defaults": dict(opt.defaults), "state": [{"momentum_buffer": None}],
           "param_groups": [{"params": [p], **opt.defaults}],
           "_last_checked": dict(opt.defaults)}
    restored = al.optim.SGD.__new__(al.optim.SGD)
    restored.__setstate__(old)
    p.grad = np.ones(2)
    restored.step()
    assert p.tolist() == [-1.0, -1.0] and restored.params == [p]
    again = pickle.loads(pickle.dumps(restored))
    again.params[0].grad = np.ones(2)
    again.step()
    assert again.params[0].tolist() == [-2.0, -2.0] and p.tolist() == [-1.0, -1.0]


def test_a_second_group_appended_to_param_groups_is_refused_not_left_untrained():
    # the stranger: param_groups.append({"params": [c], "lr": 0.5}) stepped W alone, in silence
    p, q = _two()
    opt = al.optim.SGD([p], lr=0.1)
    opt.param_groups.append({"params": [q], "lr": 0.5})
    p.grad, q.grad = np.ones(2), np.ones(2)
    with pytest.raises(TypeError, match="there is one group here"):
        opt.step()
    assert p.tolist() == [0.0, 0.0] and q.tolist() == [0.0, 0.0]
