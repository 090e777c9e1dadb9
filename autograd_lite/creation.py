"""Tensors made from a shape, as numpy, PyTorch and MyGrad make them: ``al.zeros(2, 3)``,
``al.randn(4, 2, requires_grad=True)``, ``al.zeros_like(W)``.

Each is numpy's own function wrapped in a leaf Tensor (float64 unless ``dtype`` says
otherwise). A shape may be given as numpy takes it, ``zeros((2, 3))``, or unpacked, as
PyTorch takes it, ``zeros(2, 3)``. ``randn`` and ``rand`` draw from numpy's global random
state, so that ``np.random.seed(1)`` makes them repeat as the course's notebooks do, or
from a ``np.random.Generator`` given as ``rng=``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "arange",
           "linspace", "randn", "rand"]


def check_device(device: Any, who: str) -> None:
    """PyTorch's device=: "cpu" (or "cpu:0", or None), the one there is, for code that
    passes its device along (torch.zeros(n, device=device)); any other is refused."""
    if device is not None and not (isinstance(device, str) and device.split(":")[0] == "cpu"):
        raise ValueError(f"{who}: device={device!r}; autograd_lite computes with numpy on the "
                         "CPU: give device='cpu', or leave it out")


def _on_cpu(function: Callable) -> Callable:
    """``function`` taking PyTorch's device= too (check_device)."""
    @functools.wraps(function)
    def create(*args: Any, device: Any = None, **kwargs: Any) -> Tensor:
        check_device(device, function.__name__)
        return function(*args, **kwargs)
    signature = inspect.signature(function)  # (help() shows device= beside the others)
    create.__signature__ = signature.replace(parameters=[  # type: ignore[attr-defined]
        *signature.parameters.values(),
        inspect.Parameter("device", inspect.Parameter.KEYWORD_ONLY, default=None)])
    return create


def _shape(sizes: tuple, who: str) -> tuple[int, ...]:
    """``(2, 3)`` from ``zeros(2, 3)`` or ``zeros((2, 3))``; a clear error for anything else."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for n in sizes:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{who}: a shape is whole numbers, as {who}(2, 3) or {who}((2, 3)); "
                            f"got {n!r} in {sizes!r}")
        if n < 0:
            raise ValueError(f"{who}: a shape cannot have a negative length; got {sizes!r}")
    return tuple(int(n) for n in sizes)


def _leaf(data: Any, requires_grad: bool, dtype: Any, who: str) -> Tensor:
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"{who}: dtype {dtype} is not a float dtype; gradients need floats "
                        "(float64, the default, float32, or another numpy float)")
    return Tensor(np.asarray(data, dtype=dtype), requires_grad=requires_grad)


@_on_cpu
def zeros(*shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A Tensor of zeros of ``shape``: ``zeros(n, 1)`` for the course's b of shape (n[l], 1)."""
    return _leaf(np.zeros(_shape(shape, "zeros")), requires_grad, dtype, "zeros")


@_on_cpu
def ones(*shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A Tensor of ones of ``shape``."""
    return _leaf(np.ones(_shape(shape, "ones")), requires_grad, dtype, "ones")


@_on_cpu
def full(shape: Any, fill_value: float, *, requires_grad: bool = False,
         dtype: Any = None) -> Tensor:
    """A Tensor of ``shape`` (an int or a tuple) with every entry ``fill_value``; of its
    dtype when it is a numpy float (np.float32(0.1) gives float32, as np.full does)."""
    sizes = _shape((shape,), "full")
    if dtype is None and not isinstance(fill_value, (float, int)) and np.ndim(fill_value) == 0 \
            and np.asarray(fill_value).dtype.kind == "f":  # np.float32(0.1), a 0-d array
        dtype = np.asarray(fill_value).dtype
    return _leaf(np.full(sizes, float(fill_value)), requires_grad, dtype, "full")


def _like(t: Any, dtype: Any, who: str) -> tuple[tuple[int, ...], Any]:
    """``t``'s shape and float dtype; of a Tensor, read without its values (under al.compile
    a shape is fixed for the trace, as in JAX's jit). A string, None or a dict is refused
    (zeros_like("abc") gave a 0-d tensor)."""
    if type(t) is Tensor:
        shape, kind = t.shape, t.dtype
    else:
        shape, kind = np.shape(t), np.asarray(t).dtype
        if kind.kind not in "biuf":
            raise TypeError(f"{who}: give a Tensor, an array or numbers to take the shape of, "
                            f"got {type(t).__name__} of dtype {kind}")
    return shape, (dtype if dtype is not None else kind if kind.kind == "f" else None)


@_on_cpu
def zeros_like(t: Any, *, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Zeros of ``t``'s shape and float dtype (``t`` a Tensor or an array)."""
    shape, dtype = _like(t, dtype, "zeros_like")
    return _leaf(np.zeros(shape), requires_grad, dtype, "zeros_like")


@_on_cpu
def ones_like(t: Any, *, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Ones of ``t``'s shape and float dtype."""
    shape, dtype = _like(t, dtype, "ones_like")
    return _leaf(np.ones(shape), requires_grad, dtype, "ones_like")


@_on_cpu
def full_like(t: Any, fill_value: float, *, requires_grad: bool = False,
              dtype: Any = None) -> Tensor:
    """``fill_value`` in every entry, in ``t``'s shape and float dtype."""
    shape, dtype = _like(t, dtype, "full_like")
    return _leaf(np.full(shape, float(fill_value)), requires_grad, dtype, "full_like")


@_on_cpu
def eye(n: int, m: int | None = None, *, requires_grad: bool = False,
        dtype: Any = None) -> Tensor:
    """The (n, m) identity matrix (m = n by default)."""
    rows, cols = _shape((n, n if m is None else m), "eye")
    return _leaf(np.eye(rows, cols), requires_grad, dtype, "eye")


@_on_cpu
def arange(start: float, stop: float | None = None, step: float = 1, *,
           requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """``np.arange``'s numbers, as floats: ``arange(3)`` is [0., 1., 2.]."""
    if step == 0:
        raise ValueError("arange: step must not be 0")
    values = np.arange(start, step=step) if stop is None else np.arange(start, stop, step)
    return _leaf(values, requires_grad, dtype, "arange")


@_on_cpu
def linspace(start: float, stop: float, num: int = 50, *, requires_grad: bool = False,
             dtype: Any = None, steps: int | None = None) -> Tensor:
    """``num`` evenly spaced numbers from ``start`` to ``stop``, both included (``steps=``
    is PyTorch's name for num)."""
    if steps is not None:
        if num != 50:
            raise TypeError("linspace: give num (numpy's) or steps= (PyTorch's), not both")
        num = steps
    (num,) = _shape((num,), "linspace")
    return _leaf(np.linspace(start, stop, num), requires_grad, dtype, "linspace")


@_on_cpu
def randn(*shape: Any, requires_grad: bool = False, dtype: Any = None,
          rng: np.random.Generator | None = None,
          generator: np.random.Generator | None = None) -> Tensor:
    """Standard normal draws of ``shape``: ``np.random.randn(*shape)`` (numpy's global state,
    as the course's ``np.random.seed(1)`` sets it), or ``rng.standard_normal(shape)``
    (``generator=`` is PyTorch's name for ``rng=``)."""
    sizes = _shape(shape, "randn")
    rng = _generator(rng, generator, "randn")
    values = np.random.randn(*sizes) if rng is None else rng.standard_normal(sizes)
    return _leaf(values, requires_grad, dtype, "randn")


@_on_cpu
def rand(*shape: Any, requires_grad: bool = False, dtype: Any = None,
         rng: np.random.Generator | None = None,
         generator: np.random.Generator | None = None) -> Tensor:
    """Uniform draws in [0, 1) of ``shape``: ``np.random.rand(*shape)``, or ``rng.random``
    (``generator=`` is PyTorch's name for ``rng=``)."""
    sizes = _shape(shape, "rand")
    rng = _generator(rng, generator, "rand")
    values = np.random.rand(*sizes) if rng is None else rng.random(sizes)
    return _leaf(values, requires_grad, dtype, "rand")


@_on_cpu
def randn_like(t: Any, *, requires_grad: bool = False, dtype: Any = None,
               rng: np.random.Generator | None = None,
               generator: np.random.Generator | None = None) -> Tensor:
    """PyTorch's ``torch.randn_like(t)``: ``randn`` of t's shape, in t's float dtype."""
    shape, dtype = _like(t, dtype, "randn_like")
    return randn(*shape, requires_grad=requires_grad, dtype=dtype, rng=rng, generator=generator)


@_on_cpu
def rand_like(t: Any, *, requires_grad: bool = False, dtype: Any = None,
              rng: np.random.Generator | None = None,
              generator: np.random.Generator | None = None) -> Tensor:
    """PyTorch's ``torch.rand_like(t)``: ``rand`` of t's shape, in t's float dtype."""
    shape, dtype = _like(t, dtype, "rand_like")
    return rand(*shape, requires_grad=requires_grad, dtype=dtype, rng=rng, generator=generator)


def _generator(rng: Any, generator: Any, fname: str) -> Any:
    """rng= or PyTorch's generator=: a numpy Generator or RandomState (or None: numpy's
    global state)."""
    if generator is not None:
        if rng is not None:
            raise TypeError(f"{fname}: give rng= or PyTorch's generator=, not both")
        rng = generator
    if rng is not None and not isinstance(rng, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"{fname}: rng= is a numpy Generator, np.random.default_rng(seed) (or a "
                        f"RandomState); got {type(rng).__name__}")
    return rng
