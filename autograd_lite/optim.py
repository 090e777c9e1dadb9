"""Optimizers as PyTorch users write the loop: ``opt.zero_grad(); J.backward(); opt.step()``.

    opt = al.optim.Adam(parameters.values(), lr=0.01)   # Tensors that require grad
    for i in range(num_iterations):
        opt.zero_grad()
        J = cost(parameters)
        J.backward()
        opt.step()

Each step writes the parameters in place, as ``with al.no_grad(): p -= lr * update`` does
(so a graph that used the old values refuses to backprop). The rules are PyTorch's:

- ``SGD``: d = g + weight_decay p; with momentum, buf = momentum buf + d (buf = d at the
  first step); p -= lr d (buf).
- ``Adam``: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr m_hat / (sqrt(v_hat) + eps)
  with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t): the course's Adam (Course 2,
  ``update_parameters_with_adam``), step for step. t counts each parameter's own steps, as
  PyTorch's does: one unused for a while starts its bias correction at its first gradient.

A parameter whose ``.grad`` is None (unused by the cost) is left as it is. Course 2's own
momentum (v = beta v + (1 - beta) dW) is ``nn.optimization.update_parameters_with_momentum``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .modes import no_grad
from .tensor import Tensor

__all__ = ["SGD", "Adam"]


class Optimizer:
    """The parameters (leaf Tensors that require grad) and the shared steps."""

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: give the parameters as a list (or dict) of Tensors, "
                            f"not one Tensor: {name}([w], lr=...)")
        self.params = list(params.values() if isinstance(params, dict) else params)
        if not self.params:
            raise ValueError(f"{name}: no parameters given")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if type(p) is not Tensor or not p.requires_grad or p._op is not None:
                what = (type(p).__name__ if type(p) is not Tensor else
                        f"a tensor made by '{p._op.name}'" if p._op is not None else
                        "a tensor that does not require grad")
                raise TypeError(f"{name}: parameter {i} is {what}; give leaf Tensors made with "
                                "requires_grad=True (a numpy array: al.Tensor(W, "
                                "requires_grad=True))")
            if id(p) in seen:  # listed twice, it would be stepped twice
                raise ValueError(f"{name}: parameter {i} is parameter {seen[id(p)]} again; "
                                 "list each tensor once (shared weights: once for all uses)")
            seen[id(p)] = i
        if not (_is_number(lr) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"{name}: lr must be a positive finite number, got {lr!r}")
        self.lr = float(lr)

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

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        with no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    g = p.grad._data if type(p.grad) is Tensor else p.grad  # (create_graph)
                    p -= self._update(i, p, np.asarray(g, dtype=p.dtype))

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    _STATE: tuple[str, ...] = ()  # its per-parameter arrays (a list, one per parameter)

    def state_dict(self) -> dict:
        """Its settings and state (copies), to save and give to ``load_state_dict`` of an
        optimizer made on the parameters you load (as PyTorch's): an optimizer pickled
        apart from its parameters steps its own copies of them."""
        return {"optimizer": type(self).__name__,
                **{k: copy.deepcopy(v) for k, v in vars(self).items() if k != "params"}}

    def load_state_dict(self, state: dict) -> None:
        """Take the settings and state ``state_dict`` gave, checked against these parameters."""
        name, keys = type(self).__name__, [k for k in vars(self) if k != "params"]
        if state.get("optimizer") != name or set(state) != {"optimizer", *keys}:
            raise ValueError(f"{name}.load_state_dict: this is not a {name}'s state_dict "
                             f"(keys {sorted(state)})")
        for k in keys:
            value = state[k]
            if isinstance(getattr(self, k), list) and (len(value) != len(self.params) or (
                    k in self._STATE and any(v is not None and np.shape(v) != p.shape
                                             for v, p in zip(value, self.params)))):
                raise ValueError(f"{name}.load_state_dict: its {k} do not fit these "
                                 f"{len(self.params)} parameters' shapes")
        for k in keys:
            setattr(self, k, copy.deepcopy(state[k]))


class SGD(Optimizer):
    """Gradient descent, ``p -= lr * grad``, with PyTorch's momentum and weight decay."""

    _STATE = ("buffers",)

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float,
                 momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _in_range("SGD", "momentum", momentum, 0.0, 1.0)
        _in_range("SGD", "weight_decay", weight_decay, 0.0, math.inf)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> np.ndarray:
        d = g + self.weight_decay * p.data if self.weight_decay else g
        if self.momentum:
            buf = self.buffers[i]
            d = self.buffers[i] = d.copy() if buf is None else self.momentum * buf + d
        return self.lr * d


class Adam(Optimizer):
    """Adam with bias correction (PyTorch's, and the course's ``update_parameters_with_adam``)."""

    _STATE = ("m", "v")

    def __init__(self, params: Iterable[Tensor] | dict[str, Tensor], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _in_range("Adam", "betas[0]", betas[0], 0.0, 1.0)
        _in_range("Adam", "betas[1]", betas[1], 0.0, 1.0)
        _in_range("Adam", "eps", eps, 0.0, math.inf)
        _in_range("Adam", "weight_decay", weight_decay, 0.0, math.inf)
        self.betas = (float(betas[0]), float(betas[1]))  # (np.float32's powers: float32)
        self.eps, self.weight_decay = float(eps), float(weight_decay)
        self.steps = [0] * len(self.params)  # t of each parameter: the steps it was updated in
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.steps[i] = t = self.steps[i] + 1
        self.m[i] = b1 * self.m[i] + (1 - b1) * g
        self.v[i] = b2 * self.v[i] + (1 - b2) * g ** 2
        m_hat = self.m[i] / (1 - b1 ** t)
        v_hat = self.v[i] / (1 - b2 ** t)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _in_range(name: str, what: str, value: Any, low: float, high: float) -> None:
    """``value`` in [low, high) (a finite number; ``high`` inf: any number from ``low``)."""
    if not (_is_number(value) and low <= value < high):
        raise ValueError(f"{name}: {what} must be a number in [{low:g}, {high:g}), "
                         f"got {value!r}")


def _is_number(value: Any) -> bool:
    """A real number: a Python or numpy one, or a 0-d array of one (np.float32(0.01) was
    refused as "not a positive finite number"); not a bool."""
    return np.ndim(value) == 0 and np.asarray(value).dtype.kind in ("i", "u", "f")
