"""Optimizers as PyTorch users write the loop: ``opt.zero_grad(); J.backward(); opt.step()``.

    opt = al.optim.Adam(parameters.values(), lr=0.01)   # Tensors that require grad
    for i in range(num_iterations):
        opt.zero_grad()
        J = cost(parameters)
        J.backward()
        opt.step()

Each step writes the parameters in place, as ``with al.no_grad(): p -= lr * update`` does
(so a graph that used the old values refuses to backprop). The rules are PyTorch's, with
its options and defaults, for a gradient g (-g with ``maximize``):

- ``SGD``: d = g + weight_decay p; with momentum, buf = momentum buf + (1 - dampening) d
  (buf = d at the first step) and d = buf, or d + momentum buf with ``nesterov``; p -= lr d.
- ``Adam``: g += weight_decay p; m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
  p -= lr m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t):
  the course's Adam (Course 2, ``update_parameters_with_adam``), step for step. With
  ``amsgrad`` v_hat uses the largest v so far. t counts each parameter's own steps, as
  PyTorch's does: one unused for a while starts its bias correction at its first gradient.
- ``AdamW``: Adam whose weight decay is p *= 1 - lr weight_decay, apart from the gradient.
- ``RMSprop``: s = alpha s + (1 - alpha) g^2, p -= lr g / (sqrt(s) + eps) (Course 2's, alpha
  its beta2); ``centered`` uses s - mean(g)^2, ``momentum`` steps by buf = momentum buf + that.

A parameter whose ``.grad`` is None (unused by the cost) is left as it is. The settings are
in ``opt.param_groups[0]`` (one group), as PyTorch's schedules change them
(``opt.param_groups[0]["lr"] = 0.01``), and are attributes too (``opt.lr = 0.01``); each
step checks them, and steps the tensors listed in ``opt.param_groups[0]["params"]`` then
(a list replaced or added to is checked again). ``opt.state[p]`` is parameter p's state.
Course 2's own momentum (v = beta v + (1 - beta) dW) is
``nn.optimization.update_parameters_with_momentum``.
"""

from __future__ import annotations

import copy
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .modes import enable_grad, missing_name, no_grad
from .tensor import Tensor

__all__ = ["SGD", "Adam", "AdamW", "RMSprop"]


def _setting(name: str) -> property:
    """``opt.lr`` for ``opt.param_groups[0]["lr"]``, read and written."""
    return property(lambda self: self.param_groups[0][name],
                    lambda self, value: self.param_groups[0].__setitem__(name, value),
                    doc=f"The setting {name!r} of the parameters' one group.")


class Optimizer:
    """The parameters (leaf Tensors that require grad), their settings, and the shared steps.

    ``state[p]`` holds parameter p's arrays (PyTorch's names: ``momentum_buffer``;
    ``step``, ``exp_avg``, ``exp_avg_sq``; ``square_avg``, ``grad_avg``)."""

    # setting -> (lowest, highest, whether the highest is allowed); bools are flags
    _RANGES: dict[str, tuple[float, float, bool]] = {}
    _STATE_KEYS: tuple[set[str], ...] = (set(),)  # the key sets a parameter's state may have
    lr = _setting("lr")

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], **settings: Any) -> None:
        listed = _parameters(type(self).__name__, params)
        self.defaults = {k: self._checked(k, v) for k, v in settings.items()}
        self.param_groups = [{"params": listed, **self.defaults}]
        self._last_checked = dict(self.defaults)
        self._listed = (listed, tuple(map(id, listed)))  # the list last checked, and its items
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)  # PyTorch's

    @property
    def params(self) -> list[Tensor]:
        """The tensors ``param_groups[0]["params"]`` lists, checked again when the list was
        replaced or changed since (PyTorch steps what the group lists)."""
        group = self._group()
        listed = group["params"]
        if listed is not self._listed[0] or tuple(map(id, listed)) != self._listed[1]:
            listed = group["params"] = _parameters(type(self).__name__, listed)
            self._listed = (listed, tuple(map(id, listed)))
        return listed

    def _group(self) -> dict:
        """The one group: a second appended to param_groups (which nothing stepped) or none
        left is refused, saying so."""
        if len(self.param_groups) != 1:
            if not self.param_groups:
                raise ValueError(f"{type(self).__name__}: param_groups is empty; it holds the "
                                 "one group of parameters and settings (make a new optimizer)")
            self.add_param_group(self.param_groups[-1])
        return self.param_groups[0]

    @params.setter
    def params(self, tensors: Iterable[Tensor]) -> None:
        self.param_groups[0]["params"] = list(tensors)  # (checked at the next step)

    def __setstate__(self, saved: dict) -> None:
        """An optimizer pickled before the group's list drove the steps held ``params`` and
        its state as a list by position: both are read into today's form."""
        saved = dict(saved)
        if "_listed" not in saved:
            listed = saved.pop("params", None) or saved["param_groups"][0]["params"]
            saved["_listed"] = (listed, tuple(map(id, listed)))
            if isinstance(saved.get("state"), list):
                saved["state"] = defaultdict(dict, {p: s for p, s in zip(listed, saved["state"])
                                                    if s})
        self.__dict__.update(saved)

    def add_param_group(self, group: dict) -> None:
        """PyTorch's second group, refused: settings apply to every parameter here."""
        raise TypeError(f"{type(self).__name__}.add_param_group: there is one group here. Add "
                        "tensors that share its settings to opt.param_groups[0]['params'] "
                        "(.append(w)); make another optimizer for other settings")

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.param_groups[0].items()
                             if k != "params")
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"

    def _checked(self, key: str, value: Any) -> Any:
        """A setting checked as PyTorch's constructors check it, as a float (or a bool, or
        a pair of floats for betas)."""
        name = type(self).__name__
        if key == "betas":
            if not (isinstance(value, (tuple, list, np.ndarray)) and np.shape(value) == (2,)):
                raise ValueError(f"{name}: betas must be a pair (beta1, beta2), as (0.9, 0.999), "
                                 f"got {value!r}")
            return tuple(_in_range(name, f"betas[{i}]", b, 0.0, 1.0, False)
                         for i, b in enumerate(value))
        low, high, closed = self._RANGES.get(key, (0.0, math.inf, False))
        if high is None:  # a flag
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{name}: {key} must be True or False, got {value!r}")
            return bool(value)
        return _in_range(name, key, value, low, high, closed)

    def _settings(self) -> dict[str, Any]:
        """The group's settings, checked again where a schedule (or a loaded state) wrote
        them since (a NaN lr made every parameter NaN). (Checking all of them each step
        cost 9 us of SGD's 25 on 4 parameters; comparing with the last checked, 1.)"""
        group = self._group()
        now = {k: group[k] for k in self.defaults}
        try:
            changed = now != self._last_checked  # (a NaN is never equal: checked, and refused)
        except ValueError:  # an array's == is elementwise: betas = np.array([0.9, 0.99])
            changed = True
        if changed:
            now = {k: self._checked(k, v) for k, v in now.items()}
            group.update(now)  # (the checked floats: the array is compared once)
            self._last_checked = now
        return now

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad = None`` (PyTorch's default), or, with
        ``set_to_none=False``, zeros of its shape where it has one. One that has none keeps
        None, as in PyTorch: step() then leaves it alone, where zeros moved it by weight
        decay and momentum, and counted an Adam step for it."""
        for p in self.params:
            if set_to_none or p._grad is None:
                p.grad = None
            else:
                p.grad = 0.0  # a new array: .grad is never written in place

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place. ``closure``, as PyTorch's,
        computes the cost again (zero_grad, forward, backward) before the update; step
        returns what it returns."""
        cost = None
        if closure is not None:
            with enable_grad():
                cost = closure()
        settings = self._settings()
        with no_grad():
            for p in self.params:
                if p.grad is not None:
                    g = p.grad._data if type(p.grad) is Tensor else p.grad  # (create_graph)
                    g = np.asarray(g, dtype=p.dtype)
                    p -= self._update(self.state[p], p, -g if settings["maximize"] else g,
                                      settings)
        return cost

    def _update(self, state: dict, p: Tensor, g: np.ndarray, s: dict) -> np.ndarray:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Its settings and state (copies), in PyTorch's layout (parameters by position),
        to save and give to ``load_state_dict`` of an optimizer made on the parameters you
        load: an optimizer pickled apart from its parameters steps its own copies of them."""
        group = {k: v for k, v in self.param_groups[0].items() if k != "params"}
        params = self.params
        return {"optimizer": type(self).__name__,
                "state": {i: copy.deepcopy(self.state[p]) for i, p in enumerate(params)
                          if self.state.get(p)},
                "param_groups": [{**group, "params": list(range(len(params)))}]}

    def load_state_dict(self, state: dict) -> None:
        """Take the settings and state ``state_dict`` gave, checked against these parameters.
        An Adam's loads into an AdamW and back, as in PyTorch (their state is the same)."""
        name = type(self).__name__
        groups = state.get("param_groups") if isinstance(state, dict) else None
        if (not isinstance(state, dict) or not isinstance(groups, list) or len(groups) != 1
                or not isinstance(groups[0], dict) or not isinstance(state.get("state"), dict)):
            raise ValueError(f"{name}.load_state_dict: this is not what state_dict() of an "
                             f"al.optim.{name} gives (keys "
                             f"{sorted(state) if isinstance(state, dict) else state}; a "
                             "torch.optim state_dict holds torch tensors, and is not loaded)")
        other = _OPTIMIZERS.get(state.get("optimizer"))
        if other is None:
            raise ValueError(f"{name}.load_state_dict: this is not what state_dict() of an "
                             f"al.optim.{name} gives: it names no optimizer of al.optim (its "
                             f"'optimizer' is {state.get('optimizer')!r}; a torch.optim "
                             "state_dict holds torch tensors, and is not loaded)")
        if other._STATE_KEYS != self._STATE_KEYS:
            raise ValueError(f"{name}.load_state_dict: the state is an al.optim."
                             f"{other.__name__}'s; load it into one of those")
        params = self.params
        misfit = _misfit(state["state"], groups[0].get("params"), params, self._STATE_KEYS)
        if misfit:
            raise ValueError(f"{name}.load_state_dict: {misfit}")
        settings = {k: self._checked(k, groups[0][k]) for k in self.defaults if k in groups[0]}
        if len(settings) != len(self.defaults):
            raise ValueError(f"{name}.load_state_dict: its settings lack "
                             f"{sorted(set(self.defaults) - set(settings))}")
        self.param_groups[0].update(settings)
        self.state = defaultdict(dict, {p: copy.deepcopy(state["state"][i])
                                        for i, p in enumerate(params) if i in state["state"]})


def _misfit(state: dict, positions: Any, params: list[Tensor], keys: tuple[set, ...]) -> str:
    """What in a state_dict's ``state`` does not fit these parameters; "" if all does."""
    n = len(params)
    if positions != list(range(n)):
        return (f"it is the state of {len(positions) if isinstance(positions, list) else '?'} "
                f"parameters, and this optimizer has {n}")
    for i, s in state.items():
        if not (isinstance(i, int) and 0 <= i < n):  # (a JSON round trip makes them "0", "1")
            return (f"its state is keyed by {i!r}; the keys are the parameters' positions, "
                    f"ints from 0 to {n - 1} (save it with pickle, or turn the keys back "
                    "into ints)")
        if not isinstance(s, dict) or set(s) not in [set(), *keys]:
            return (f"the state of parameter {i} has {sorted(s) if isinstance(s, dict) else s}"
                    f", not {sorted(keys[0])}")
        for k, v in s.items():
            if k != "step" and np.shape(v) != params[i].shape:
                return (f"its {k} of parameter {i} has shape {np.shape(v)}, the parameter "
                        f"{params[i].shape}")
    return ""


class SGD(Optimizer):
    """Gradient descent, ``p -= lr * grad``, with PyTorch's momentum, dampening, Nesterov
    momentum, weight decay and maximize."""

    _RANGES = {"momentum": (0.0, 1.0, True), "dampening": (0.0, 1.0, True),
               "nesterov": (0, None, False), "maximize": (0, None, False)}
    _STATE_KEYS = ({"momentum_buffer"},)
    momentum, dampening, weight_decay = (_setting("momentum"), _setting("dampening"),
                                         _setting("weight_decay"))
    nesterov, maximize = _setting("nesterov"), _setting("maximize")

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float = 1e-3,
                 momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                             "as PyTorch's")

    def _update(self, state: dict, p: Tensor, g: np.ndarray, s: dict) -> np.ndarray:
        d = g + s["weight_decay"] * p.data if s["weight_decay"] else g
        if s["momentum"]:
            buf = state.get("momentum_buffer")
            buf = state["momentum_buffer"] = (d.copy() if buf is None else
                                              s["momentum"] * buf + (1 - s["dampening"]) * d)
            d = d + s["momentum"] * buf if s["nesterov"] else buf
        return s["lr"] * d


class Adam(Optimizer):
    """Adam with bias correction (PyTorch's, and the course's ``update_parameters_with_adam``),
    with PyTorch's weight decay (added to the gradient), amsgrad and maximize."""

    _RANGES = {"amsgrad": (0, None, False), "maximize": (0, None, False)}
    _STATE_KEYS = ({"step", "exp_avg", "exp_avg_sq"},
                   {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"})
    betas, eps, weight_decay = _setting("betas"), _setting("eps"), _setting("weight_decay")
    amsgrad, maximize = _setting("amsgrad"), _setting("maximize")
    _DECOUPLED = False  # AdamW's weight decay

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)

    def _update(self, state: dict, p: Tensor, g: np.ndarray, s: dict) -> np.ndarray:
        (b1, b2), decay = s["betas"], s["weight_decay"]
        if decay and self._DECOUPLED:
            p *= 1 - s["lr"] * decay  # (PyTorch's order: the decay first, in place)
        elif decay:
            g = g + decay * p.data
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
        state["step"] = t = state["step"] + 1
        m = state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        v = state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g ** 2
        if s["amsgrad"]:
            v = state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", v), v)
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        return s["lr"] * m_hat / (np.sqrt(v_hat) + s["eps"])


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's AdamW, its default weight_decay 0.01):
    each step first shrinks p by the factor 1 - lr weight_decay."""

    _DECOUPLED = True

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class RMSprop(Optimizer):
    """PyTorch's RMSprop: s = alpha s + (1 - alpha) g^2, p -= lr g / (sqrt(s) + eps) (the
    course's RMSprop, alpha its beta2), with momentum, centered, weight decay and maximize."""

    _RANGES = {"alpha": (0.0, 1.0, True), "momentum": (0.0, 1.0, True),
               "centered": (0, None, False), "maximize": (0, None, False)}
    _STATE_KEYS = tuple({"step", "square_avg", *more} for more in
                        ((), ("momentum_buffer",), ("grad_avg",), ("momentum_buffer", "grad_avg")))
    alpha, eps, weight_decay = _setting("alpha"), _setting("eps"), _setting("weight_decay")
    momentum, centered, maximize = (_setting("momentum"), _setting("centered"),
                                    _setting("maximize"))

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float = 1e-2,
                 alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered, maximize=maximize)

    def _update(self, state: dict, p: Tensor, g: np.ndarray, s: dict) -> np.ndarray:
        alpha = s["alpha"]
        if s["weight_decay"]:
            g = g + s["weight_decay"] * p.data
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.data))
        state["step"] += 1
        square = state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        if s["centered"]:  # the variance of g rather than its second moment
            mean = state.get("grad_avg", np.zeros_like(p.data))
            mean = state["grad_avg"] = mean + (1 - alpha) * (g - mean)
            square = square - mean * mean
        d = g / (np.sqrt(square) + s["eps"])
        if s["momentum"]:
            buf = state.get("momentum_buffer", np.zeros_like(p.data))
            d = state["momentum_buffer"] = s["momentum"] * buf + d
        return s["lr"] * d


def _parameters(name: str, params: Any) -> list[Tensor]:
    """The parameters as a list, each a leaf Tensor that requires grad, none twice."""
    if isinstance(params, Tensor):
        raise TypeError(f"{name}: give the parameters as a list (or dict) of Tensors, "
                        f"not one Tensor: {name}([w], lr=...)")
    if isinstance(params, dict) and "params" in params or isinstance(params, (list, tuple)) \
            and params and all(isinstance(p, dict) and "params" in p for p in params):
        raise TypeError(f"{name}: PyTorch's parameter groups ({{'params': [...], 'lr': ...}}) "
                        "are one group here: give the Tensors, and one optimizer per group "
                        "that needs its own settings")
    if isinstance(params, dict):
        keys, params = list(params), list(params.values())
    elif isinstance(params, Iterable) and not isinstance(params, (str, bytes)):
        params = list(params)
        keys = list(range(len(params)))
    else:
        raise TypeError(f"{name}: give the parameters as a list (or dict) of Tensors, got "
                        f"{type(params).__name__}: {name}([W1, b1], lr=...)")
    if not params:
        raise ValueError(f"{name}: no parameters given")
    seen: dict[int, Any] = {}
    for key, p in zip(keys, params):
        where = f"parameter {key!r}" if isinstance(key, str) else f"parameter {key}"
        if type(p) is not Tensor or not p.requires_grad or p._op is not None:
            what = (f"a tensor made by '{p._op.name}'" if type(p) is Tensor and p._op is not None
                    else "a tensor that does not require grad" if type(p) is Tensor
                    else "a (key, value) pair: give dict.values() or the dict itself"
                    if isinstance(p, tuple) and len(p) == 2 else type(p).__name__)
            raise TypeError(f"{name}: {where} is {what}; give leaf Tensors made with "
                            "requires_grad=True (a numpy array: al.Tensor(W, "
                            "requires_grad=True))")
        if id(p) in seen:  # listed twice, it would be stepped twice
            raise ValueError(f"{name}: {where} is parameter {seen[id(p)]!r} again; "
                             "list each tensor once (shared weights: once for all uses)")
        seen[id(p)] = key
    return params


def _in_range(name: str, what: str, value: Any, low: float, high: float,
              closed: bool) -> float:
    """``value`` as a float in [low, high) (or [low, high] when ``closed``), finite."""
    if not (_is_number(value) and math.isfinite(value) and low <= value
            and (value <= high if closed else value < high)):
        span = f"[{low:g}, {high:g}{']' if closed else ')'}" if math.isfinite(high) else \
            f"a finite number >= {low:g}"
        raise ValueError(f"{name}: {what} must be {'a number in ' if '[' in span else ''}"
                         f"{span}, got {value!r}")
    return float(value)  # (np.float32's powers would be float32)


def _is_number(value: Any) -> bool:
    """A real number: a Python or numpy one, or a 0-d array of one (np.float32(0.01) was
    refused as "not a positive finite number"); not a bool."""
    return np.ndim(value) == 0 and np.asarray(value).dtype.kind in ("i", "u", "f")


_OPTIMIZERS = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}


# what PyTorch users reach for that is not here, and what to write instead
_NOT_HERE = {
    "lr_scheduler": "there are no schedulers: set opt.param_groups[0]['lr'] (or opt.lr) in the "
                    "loop, e.g. opt.lr = lr0 / (1 + decay_rate * epoch), Course 2's decay",
    **dict.fromkeys(("StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"),
                    "there are no schedulers: set opt.lr in the loop (opt.lr = lr0 * 0.1 ** "
                    "(epoch // 30) is StepLR's)"),
    **dict.fromkeys(("Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS", "SparseAdam",
                     "ASGD", "Rprop"),
                    "the optimizers here are SGD (with momentum), RMSprop, Adam and AdamW"),
}


def __getattr__(name: str) -> Any:
    if name in _NOT_HERE:
        raise missing_name(__name__, name, _NOT_HERE[name], sys._getframe(1))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
