"""Functional transforms: grad, value_and_grad, jacobian, hessian, hvp (nest to any order).

Called on plain numbers or arrays they return numpy arrays (a first-order backward).
Called on Tensors that require grad, as happens when one transform is nested in
another, they record their own backward pass (``create_graph``) and return Tensors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backward import gradients
from .modes import enable_grad
from .tensor import Tensor


def _variables(args, argnums):
    """Fresh differentiable copies of the chosen arguments (connected to any outer graph)."""
    args = list(args)
    nested = False
    for i in argnums:
        a = args[i]
        if isinstance(a, Tensor) and a.requires_grad:
            nested = True
            args[i] = a + 0.0  # a new node above the outer variable: inner grads stop here
        else:
            args[i] = Tensor(a, requires_grad=True)
    return args, nested


def _argnums(argnums) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _scalar_output(out, fname):
    if not isinstance(out, Tensor):
        out = Tensor(out)
    if out.size != 1:
        raise TypeError(f"{fname}: the function must return a single number, got shape "
                        f"{out.shape}; use jacobian for non-scalar outputs")
    return out


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """``value_and_grad(f)(*args) -> (f(*args), df/dargs[argnums])`` for a scalar f.

    With a tuple ``argnums`` the gradient is a tuple, one per argument.
    """
    nums = _argnums(argnums)

    def wrapper(*args: Any, **kwargs: Any):
        with enable_grad():  # differentiate whatever the caller's mode, as torch.func does
            xs, nested = _variables(args, nums)
            out = _scalar_output(f(*xs, **kwargs), "grad")
            gs = gradients(out, [xs[i] for i in nums], create_graph=nested,
                           retain_graph=nested)
        value = out if nested else out.data
        if not nested:
            gs = [np.asarray(g) for g in gs]
        return value, (gs[0] if isinstance(argnums, int) else tuple(gs))

    wrapper.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return wrapper


def grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """``grad(f)(*args)``: the gradient of scalar ``f`` w.r.t. ``args[argnums]``, same shape.

    Nests: ``grad(grad(f))`` is the second derivative of a scalar function.
    """
    vg = value_and_grad(f, argnums)

    def wrapper(*args: Any, **kwargs: Any):
        return vg(*args, **kwargs)[1]

    wrapper.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return wrapper


def jacobian(f: Callable, argnums: int = 0) -> Callable:
    """``jacobian(f)(*args)`` w.r.t. ``x = args[argnums]``, of shape ``f(x).shape + x.shape``
    (one backward per output). ``argnums`` is one index, spelled as grad's (and JAX's)."""
    _one_index(argnums, "jacobian")

    def wrapper(*args: Any, **kwargs: Any):
        with enable_grad():  # whatever the caller's mode
            xs, nested = _variables(args, (argnums,))
            x = xs[argnums]
            out = f(*xs, **kwargs)
            out = out if isinstance(out, Tensor) else Tensor(out)
            rows = []
            for k in range(out.size):
                seed = np.zeros(out.size, out.dtype)
                seed[k] = 1.0
                (g,) = gradients(out, [x], seed.reshape(out.shape), create_graph=nested)
                rows.append(g)
        if nested:
            from .ops import reshape, stack
            return reshape(stack(rows), out.shape + x.shape)
        return np.stack([np.asarray(r) for r in rows]).reshape(out.shape + x.shape)

    return wrapper


def hessian(f: Callable, argnums: int = 0) -> Callable:
    """``hessian(f)(*args)`` w.r.t. ``x = args[argnums]``, of shape ``x.shape + x.shape``, for
    small inputs."""
    _one_index(argnums, "hessian")
    return jacobian(grad(f, argnums), argnums)


def _one_index(argnums: Any, fname: str) -> None:
    if not isinstance(argnums, int):
        raise TypeError(f"{fname}: argnums={argnums!r}; give one argument index (an int), or "
                        f"call {fname} once per argument")


def hvp(f: Callable, x: Any, v: Any, *args: Any) -> np.ndarray:
    """Hessian-vector product H(x) v of scalar ``f`` by double backprop, without forming H."""
    v = np.asarray(v, dtype=float)

    def directional(x_):
        g = grad(f)(x_, *args)
        return (g * v).sum()

    return grad(directional)(x)
