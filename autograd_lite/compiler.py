"""al.compile: trace a step once, read its backward pass as numpy code, replay it fast.

    step = al.compile(cost)                 # cost(*args) returns a scalar Tensor
    J, (dW, db, _, _) = step(W, b, X, Y)    # gradients of the arguments that require grad
    print(step.source)                      # forward and backward, as plain numpy

The first call runs ``cost`` once on Tensors and records every op applied to values of its
arguments (``tracing.py``); ``codegen.py`` turns the record into one straight-line Python
function of numpy calls, forward then backward, with the same calls in the same order as
the eager engine (so the same bits). Later calls with arguments of the same shapes, dtypes
and requires-grad flags run that function; others trace again (a bounded cache keeps the
most recent ``cache_size`` traces).
"""

from __future__ import annotations

import ast
import collections
import contextlib
import dis
import functools
import gc
import inspect
import itertools
import math
import os
import random
import sys
import sysconfig
import threading
import types
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import modes
from .codegen import GeneratedCode, Generator
from .functional import rebuilt
from .modes import TraceError
from .tensor import CutOffWarning, Tensor, _as_float_array, _make
from .tracing import Tracer, first_difference

__all__ = ["compile", "Compiled", "TraceError"]

# Marks in the cache key: a constant of the trace follows (by value); the next argument's
# gradient is asked for (argnums). Arrays and Tensors are the generated function's inputs.
_STATIC, _WANTED = "static", "wanted"


def compile(f: Callable | None = None, *, static_argnums: int | Sequence[int] = (),  # noqa: A001
            argnums: int | Sequence[int] | None = None, cache_size: int = 8,
            simplify: bool = False) -> Any:
    """Compile ``f``, which takes Tensors or arrays and returns a scalar Tensor (or a tuple
    whose first item is one), into a function that returns ``(value, grads)``.

    grads: with ``argnums=None``, one entry per argument: the gradient of each argument that
        is a Tensor requiring grad (for a dict, list or tuple of them, the same structure),
        None for the others. With ``argnums`` (an int or a tuple), the gradients of those
        arguments, whether arrays or Tensors, as ``al.value_and_grad`` gives them.
    value: the cost as a numpy value (with the auxiliary outputs, as a tuple, if ``f``
        returns a tuple).

    Arguments that are arrays or Tensors (also inside dicts, lists and tuples) reach ``f``
    as Tensors and are inputs of the replay; other arguments (numbers, strings) and those at
    ``static_argnums`` are constants of a trace: a new value traces again. So do new shapes,
    dtypes or requires-grad flags. The ``cache_size`` most recent traces are kept;
    ``trace_count`` says how many were made, ``source`` shows the last one's code.

    Inside ``f``, a value that steers Python (``if cost > 0``, ``float(A)``, ``np.asarray``)
    raises TraceError: use ``al.where`` for choices per entry. Arrays and Tensors ``f`` reads
    from outside are constants of the trace (a Tensor written later makes it trace again;
    one that requires grad must be passed as an argument).

    simplify: the replay is bit for bit the eager engine's, but for this one rewrite, asked
        for: the log loss written out after a sigmoid, ``Y * log(A) + (1 - Y) * log(1 - A)``
        with ``A = sigmoid(Z)``, gets the course's gradient ``dZ = g * (Y - A)`` (dz = a - y)
        in two numpy calls instead of the chain rule's eight. Its results differ from eager
        in the last bits, and stay finite where eager's 1 - A rounds to 0 (0/0 is NaN).

    Usable as a decorator: ``@al.compile`` or ``@al.compile(static_argnums=2)``.
    """
    if f is None:
        return lambda g: compile(g, static_argnums=static_argnums, argnums=argnums,
                                 cache_size=cache_size, simplify=simplify)
    if not callable(f):
        raise TypeError(f"al.compile: expected a function, got {type(f).__name__}")
    transform = getattr(f, "transform", None)
    if transform is not None:  # al.compile(al.grad(cost)), as JAX's jit(grad(cost))
        if argnums is not None:
            raise TypeError(f"al.compile({f.__name__}): argnums is given to al.{transform[0]} "
                            "already")
        return _Transformed(transform, static_argnums, cache_size, simplify)
    return Compiled(f, static_argnums, argnums, cache_size, simplify)


def _nums(nums: Any, what: str) -> tuple[int, ...]:
    nums = (nums,) if np.ndim(nums) == 0 else tuple(nums)  # (numpy's ints too)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))
               for n in nums):
        raise TypeError(f"al.compile: {what} must be an int or a tuple of ints, got {nums!r}")
    return tuple(int(n) for n in nums)


class _Entry:
    """One trace: the generated code, how to read the arguments, and how to build results."""

    __slots__ = ("code", "fn", "treedef", "grad_slots", "n_extra", "extra_tree", "captured",
                 "source", "match", "layout", "tupled", "bindings", "watch", "differentiates")

    def changed(self) -> str | None:
        """What changed since the trace: a Tensor from outside written or its flag set (""),
        or the name of a global or closure variable of f rebound ("X"); else None."""
        if self.captured and any(t._version != v or t.requires_grad is not rg
                                 for t, v, rg in self.captured):
            return ""
        for name, scope, cell, then in self.bindings:  # (a loop: 0.23 us for four, a
            try:  # generator of partials took 0.56)
                now = scope.get(name, _MISSING) if cell is None else cell.cell_contents
            except ValueError:  # (a closure's variable deleted)
                return name
            if now is not then[0] or then[1] is not None:
                if not _same_binding(now, then):
                    return name
        return None


class Compiled:
    """A compiled function (see ``al.compile``): call it like ``f``; it returns
    ``(value, grads)``. ``source`` is the generated code of the latest trace,
    ``trace_count`` the number of traces made, ``cache_size`` the most kept."""

    def __init__(self, f: Callable, static_argnums: Any = (), argnums: Any = None,
                 cache_size: int = 8, simplify: bool = False) -> None:
        if not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"al.compile: cache_size must be a positive int, got {cache_size!r}")
        if type(simplify) is not bool:
            raise TypeError(f"al.compile: simplify must be True or False, got {simplify!r}")
        self.simplify = simplify
        self.f = f
        functools.update_wrapper(self, f, updated=())  # (f's own __dict__ may hold an 'f')
        if not hasattr(self, "__name__"):  # a callable object, a functools.partial
            self.__name__ = getattr(type(f), "__name__", "f")
        try:
            self._params = list(inspect.signature(f).parameters.values())
        except (TypeError, ValueError):
            self._params = []
        kinds = [p.kind for p in self._params]
        # how many positional arguments f takes; 0 when it takes *args (or cannot be read)
        self._n_positional = 0 if inspect.Parameter.VAR_POSITIONAL in kinds else sum(
            k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for k in kinds)
        self.static_argnums = frozenset(self._indices(static_argnums, "static_argnums"))
        self.argnums = None if argnums is None else self._indices(argnums, "argnums")
        if self.argnums is not None and self.static_argnums & set(self.argnums):
            raise ValueError(f"al.compile({self.__name__}): argument "
                             f"{min(self.static_argnums & set(self.argnums))} is in both argnums "
                             "and static_argnums; a constant of the trace has no gradient")
        self._single = argnums is not None and np.ndim(argnums) == 0  # (np.int64 too)
        self.cache_size = cache_size
        self.trace_count = 0
        self._numbers: dict[int, set] = {}  # argument -> Python numbers it was traced at (<= 2)
        self._cache: OrderedDict[Any, _Entry] = OrderedDict()
        self._last: _Entry | None = None
        self._lock = threading.Lock()
        self._rebound_said = self._none_said = False

    def _indices(self, nums: Any, what: str) -> tuple[int, ...]:
        """argnums or static_argnums checked against f's parameters, negative ones counted
        from the last (as Python indexes); for ``*args`` the call checks the count."""
        nums = _nums(nums, what)
        n = self._n_positional
        if not n:
            if any(i < 0 for i in nums):
                raise ValueError(f"al.compile({self.__name__}): negative {what} need a function "
                                 "with a fixed number of parameters")
            return nums
        bad = [i for i in nums if not -n <= i < n]
        if bad:
            raise ValueError(f"al.compile({self.__name__}): {what} {bad[0]} is out of range: "
                             f"the function takes {n} positional argument{'s' * (n != 1)}")
        nums = tuple(i % n for i in nums)
        if len(set(nums)) != len(nums):
            raise ValueError(f"al.compile({self.__name__}): {what} names an argument twice")
        return nums

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        """``@al.compile`` on a method: ``model.loss(w)`` calls it with ``model`` first (an
        object is an argument as any other: give ``static_argnums=0`` if it never changes)."""
        return self if obj is None else functools.partial(self, obj)

    # ---- calling ----------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        if kwargs:  # step(W, X=X): the positional arguments the cache and the replay read
            args = self._positional(args, kwargs)
        entry = self._last
        if entry is not None and entry.match is not None:  # the arguments of the last call?
            leaves = entry.match(args)
            if leaves is not None and not (entry.watch and entry.changed() is not None):
                return entry.fn(*leaves)
        key, leaves = self._flatten(args)
        if modes.current_mode().anomaly:  # checked op by op as eager is: a trace, not cached
            return _trace(self, args).fn(*leaves)
        entry = self._cache.get(key)
        if entry is None or (entry.watch and entry.changed() is not None):
            entry = self._trace(args, key)
        elif self._last is not entry:
            self._cache.move_to_end(key)
            self._last = entry
        return entry.fn(*leaves)  # the generated code returns (value, grads) as f's caller sees

    def _positional(self, args: tuple, kwargs: dict) -> tuple:
        """The arguments of a call with keywords, all positional, up to the last one given
        (defaults before it filled in): step(W, x=X) is step(W, X), one trace and the same
        tuple of gradients."""
        try:
            bound = inspect.signature(self.f).bind(*args, **kwargs)
        except (TypeError, ValueError) as err:
            raise TypeError(f"al.compile({self.__name__}): {err}") from None
        order = list(bound.signature.parameters)
        given = max(map(order.index, bound.arguments), default=-1) + 1
        bound.apply_defaults()
        if bound.kwargs:
            raise TypeError(f"al.compile({self.__name__}): the keyword arguments "
                            f"{', '.join(bound.kwargs)} are not positional parameters of the "
                            "function (keyword-only, or taken by **kwargs), which al.compile "
                            "does not support; make them positional parameters, or bind them "
                            "with functools.partial(f, name=value) before compiling")
        return bound.args[:given] if self._n_positional else bound.args  # (*args: as given)

    def _flatten(self, args: tuple) -> tuple[tuple, list]:
        """The cache key (every static fact the generated code depends on) and the arrays."""
        trace = modes.current_mode().trace
        key: list = [len(args)]
        leaves: list = []
        wanted = self.argnums
        static = self.static_argnums
        named = max((*(wanted or ()), *static), default=-1)
        if named >= len(args) and (not self._n_positional or max(wanted or (-1,)) == named):
            # (a static one left out of a fixed signature has its default, constant)
            raise TypeError(f"al.compile({self.__name__}): argnums or static_argnums name "
                            f"argument {named}, but {len(args)} "
                            f"argument{'s were' if len(args) != 1 else ' was'} given (a "
                            "gradient needs the argument given, not left to its default)")
        for i, a in enumerate(args):
            if i in static:
                try:
                    hash(a)
                except TypeError:
                    raise TypeError(f"al.compile({self.__name__}): argument {i} is static "
                                    f"(static_argnums) but a {type(a).__name__} cannot be a "
                                    "cache key; pass a hashable value (a tuple, a number, "
                                    "a string)") from None
                key.append((_STATIC, _kinds(a), a, _zero_signs(a)))
                continue
            want = wanted is not None and i in wanted
            if want:
                key.append(_WANTED)  # (an array's own key has no flag: it is per argument)
            _leaf_keys(a, key, leaves, want, trace, self, i)
        return tuple(key), leaves

    def _results(self, entry: _Entry, value: Any, grads: list, extra: list) -> tuple[Any, Any]:
        """(value, grads) in the structure of f's arguments, from flat values."""
        if entry.tupled:  # f returned a tuple: (J,) too, and aux outputs without Tensors
            value = (value, *_unflatten_values(entry.extra_tree, extra))
        return value, _grads(entry, grads, self)

    # ---- tracing ----------------------------------------------------------------------
    def _trace(self, args: tuple, key: tuple) -> _Entry:
        with self._lock:
            entry = self._cache.get(key)  # traced by another thread while this one waited
            rebound = entry.changed() if entry is not None and entry.watch else None
            if entry is not None and rebound is None:
                self._last = entry
                return entry
            if rebound and not self._rebound_said:  # (once: a new batch each step retraces
                self._rebound_said = True  # each step, 1,000 times slower, and silently)
                warnings.warn(f"al.compile({self.__name__}): {rebound}, which {self.__name__} "
                              "reads from outside (a global or closure variable), now holds "
                              "another value than when it was traced, so it is traced again "
                              "(each time it changes). Pass it as an argument: an input of "
                              "every trace", stacklevel=3)
            entry = _trace(self, args)
            if (not entry.differentiates and not self._none_said and self.argnums is None
                    and not _array_leaves(self, args, tensors=True)):  # (arrays alone: a
                self._none_said = True  # JAX user's; None, then a TypeError at p - lr * g)
                warnings.warn(
                    f"al.compile({self.__name__}): no argument requires grad, so every "
                    "gradient it returns is None. Give Tensors made with requires_grad=True, "
                    "or argnums=(0, 1, ...) to differentiate arrays, as al.value_and_grad "
                    "does", stacklevel=3)
            entry.match = _guard(self, args, entry.layout)
            self.trace_count += 1
            for i, a in enumerate(args):  # (for the warning below: which ones changed)
                if type(a) in (int, float) and len(self._numbers.setdefault(i, set())) < 2:
                    self._numbers[i].add(a)
            self._cache[key] = entry
            self._cache.move_to_end(key)
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
                if self.trace_count == self.cache_size + 1:  # once: the cache overflowed
                    warnings.warn(self._overflow(args), stacklevel=3)
            self._last = entry
        return entry

    def _overflow(self, args: tuple) -> str:
        """Why a call traced again, once more traces were made than are kept: each new
        Python number is a trace (JAX traces it as an input; a decaying lr passed as a
        float traced on every call, silently)."""
        numbers = [i for i, seen in sorted(self._numbers.items())
                   if len(seen) > 1 and i not in self.static_argnums]
        why = (f"argument{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))} "
               f"{'are Python numbers' if len(numbers) > 1 else 'is a Python number'}, and "
               "each new value is a new trace: pass np.float64(value), an input of every "
               "trace, or mark it static_argnums if it takes few values" if numbers else
               "each new shape, dtype, requires-grad flag or static value is a new trace")
        return (f"al.compile({self.__name__}): {self.trace_count} traces, more than "
                f"cache_size={self.cache_size}, so the oldest are dropped and traced again: "
                f"{why}")

    @property
    def source(self) -> str:
        """The generated code of the latest trace (call the function once first)."""
        if self._last is None:
            raise RuntimeError(f"al.compile({self.__name__}): no code yet; the first call "
                               "traces the function and generates it")
        return self._last.source

    @property
    def constants(self) -> dict[str, Any]:
        """What ``source`` needs besides its imports (arrays of the trace), by name:
        ``exec(source, dict(compiled.constants))`` defines the function."""
        if self._last is None:
            raise RuntimeError(f"al.compile({self.__name__}): no code yet")
        return dict(self._last.code.constants)

    def cache_info(self) -> dict[str, int]:
        """{"traces": made so far, "cached": kept now, "cache_size": the most kept}."""
        return {"traces": self.trace_count, "cached": len(self._cache),
                "cache_size": self.cache_size}

    def __repr__(self) -> str:
        return f"<al.compile of {self.__name__}: {self.trace_count} trace(s)>"


# ---- arguments: flattening dicts, lists and tuples ----------------------------------------

class _Transformed(Compiled):
    """``al.compile(al.grad(f))`` or ``al.compile(al.value_and_grad(f))``: f compiled, its
    results given as the transform gives them."""

    def __init__(self, transform: tuple, static_argnums: Any, cache_size: int,
                 simplify: bool) -> None:
        kind, f, argnums, self.has_aux = transform
        self.grads_only = kind == "grad"
        super().__init__(f, static_argnums, argnums, cache_size, simplify)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any(type(args[i]) in (float, int) for i in self.argnums if i < len(args)):
            args = tuple(np.float64(a) if i in self.argnums and type(a) in (float, int) else a
                         for i, a in enumerate(args))  # grad(f)(3.0) takes a number too
        value, grads = Compiled.__call__(self, *args, **kwargs)
        if (type(value) is tuple) != self.has_aux or self.has_aux and len(value) != 2:
            raise TypeError(f"al.compile({self.__name__}): with has_aux=True the function "
                            "must return a pair (cost, aux), and without it a single cost")
        if not self.grads_only:
            return value, grads
        return (grads, value[1]) if self.has_aux else grads


def _guard(cf: Compiled, args: tuple, layout: bool) -> Callable | None:
    """``match(args)``: the arrays to replay with when ``args`` have the key that ``args`` have
    now, else None (then the cache is asked). It reads each fact of the key with one test
    (type, shape, dtype, flag, dict keys, constant) and builds nothing to hash: expr's call
    1.73 -> 1.08 us, the flower step's check 25,300 -> 17,400 instructions. Strides are read
    only when the code depends on them (``layout``: a reshape of an input is a view or a copy
    by its strides): 16,300 -> 11,800 more. None (no guard) for arguments it does not cover."""
    writer = _GuardWriter(cf, len(args), layout)
    for i, a in enumerate(args):
        writer.lines.append(f"    a{i} = args[{i}]")
        if not writer.leaf(f"a{i}", a, i in cf.static_argnums):
            return None
    writer.lines.append(f"    return [{', '.join(writer.leaves)}]")
    exec("\n".join(writer.lines), writer.ns)  # noqa: S102
    return writer.ns["match"]


class _GuardWriter:
    """The source of _guard's ``match``: one ``if ...: return None`` per fact of the key."""

    def __init__(self, cf: Compiled, n_args: int, layout: bool) -> None:
        self.cf, self.layout = cf, layout
        self.ns: dict[str, Any] = {"Tensor": Tensor, "ndarray": np.ndarray,
                                   "current_mode": modes.current_mode}
        self.lines = ["def match(args):"]
        self.leaves: list[str] = []
        self.test(f"len(args) != {n_args}")
        self.test("current_mode().special")  # inside a trace, or anomaly mode

    def const(self, value: Any) -> str:
        name = f"k{len(self.ns)}"
        self.ns[name] = value
        return name

    def test(self, cond: str) -> None:
        self.lines.extend([f"    if {cond}:", "        return None"])

    def array(self, x: str, a: np.ndarray) -> None:
        strides = f" or {x}.strides != {a.strides!r}" if self.layout else ""
        self.test(f"type({x}) is not ndarray or {x}.shape != {a.shape!r}{strides} or "
                  f"{x}.dtype is not {self.const(a.dtype)}")
        self.leaves.append(x)

    def leaf(self, x: str, a: Any, static: bool) -> bool:
        """Tests for argument (part) ``a``, read as ``x``; False where the cache must decide."""
        t = type(a)
        if static:
            return self.constant(x, a)
        if t is Tensor:
            self.test(f"type({x}) is not Tensor or {x}._op is not None or {x}._retain is not "
                      "False" + (  # (a hook, or retain_grad: the cache path says what to do)
                f" or {x}.requires_grad is not {a.requires_grad!r}" if self.cf.argnums is None
                and type(a.requires_grad) is bool else ""))
            self.lines.append(f"    {x}_data = {x}._data")
            if type(a._data) is np.ndarray:
                self.array(f"{x}_data", a._data)
            else:
                self.test(f"type({x}_data) is not {self.const(type(a._data))}")
                self.leaves.append(f"{x}_data")
        elif t is np.ndarray and a.dtype.kind == "f" and a.ndim and not _broadcast(a):
            self.array(x, a)
            if not self.layout:  # a broadcast array (a stride 0) is copied as eager copies
                self.test(f"0 in {x}.strides and {self.const(_broadcast)}({x})")  # it: the
                # cache decides (+70 ns an array: one `in`, unless a stride is 0)
        elif t is dict or t in (list, tuple):
            if t is dict and not _plain(tuple(a)):
                return False
            self.test(f"type({x}) is not dict or tuple({x}) != {self.const(tuple(a))}"
                      if t is dict else f"type({x}) is not {self.const(t)} or len({x}) != {len(a)}")
            for j, k in enumerate(a if t is dict else range(len(a))):
                self.lines.append(f"    {x}_{j} = {x}[{self.const(k)}]")
                if not self.leaf(f"{x}_{j}", a[k], False):
                    return False
        elif isinstance(a, np.generic) and a.dtype.kind == "f":
            self.test(f"type({x}) is not {self.const(t)}")
            self.leaves.append(x)
        elif isinstance(a, np.ndarray):
            return False  # an int array (converted each call) or a subclass: the cache decides
        else:
            return self.constant(x, a)
        return True

    def constant(self, x: str, a: Any) -> bool:
        """A constant of the trace, tested by type and value: only a plain one, whose == and
        hash agree (a Tensor's == is elementwise; others may define == as they like)."""
        if not _plain(a) or _zero_signs(a) is not None:  # (-0.0 == 0.0: the cache decides)
            return False
        self.test(f"type({x}) is not {self.const(type(a))} or {x} != {self.const(a)}")
        if type(a) is tuple:  # (1,) == (True,) == (1.0,), but x[(True,)] is not x[(1,)]
            self.test(f"{self.const(_kinds)}({x}) != {self.const(_kinds(a))}")
        return True


def _kinds(a: Any) -> Any:
    """The types in a constant, for its cache key: equal tuples of other types ((1,) and
    (True,)) are different constants of a trace."""
    return tuple(_kinds(v) for v in a) if type(a) is tuple else type(a)


def _zero_signs(a: Any) -> Any:
    """The signs of the float zeros in a constant (None if it has none): -0.0 == 0.0, but
    1 / -0.0 is -inf, so the two are different constants of a trace."""
    if type(a) is float:
        return math.copysign(1.0, a) if a == 0.0 else None
    if type(a) is tuple:
        signs = tuple(_zero_signs(v) for v in a)
        return None if all(s is None for s in signs) else signs
    return None


def _plain(a: Any) -> bool:
    """None, a bool, int, float, str or bytes, or a tuple of them (types exactly)."""
    if type(a) is tuple:
        return all(_plain(v) for v in a)
    return type(a) in (type(None), bool, int, float, str, bytes)


def _tensor_key(d: Any, requires_grad: bool) -> tuple:
    """A Tensor's part of the cache key: an array's (shape, strides, dtype), with True when
    it requires grad, so that a Tensor that does not shares an array's trace. Strides too:
    whether a reshape gives a view or a copy depends on them. A numpy number's type says
    its shape and dtype. (argnums: a mark per argument, _WANTED.)"""
    if type(d) is np.ndarray:
        return (d.shape, d.strides, d.dtype, True) if requires_grad else (d.shape, d.strides,
                                                                          d.dtype)
    return (type(d), requires_grad)


def _check_tensor_argument(a: Tensor, trace: Any, cf: Compiled, argi: int) -> None:
    """Refuse a Tensor argument the compiled function cannot take, or warn."""
    if trace is not None and id(a) in trace.known:
        raise TraceError(f"al.compile({cf.__name__}) was called inside the trace of "
                         f"al.compile({trace.fname}) with a value of its inputs, at\n  "
                         f"{modes.user_line()}\nA compiled function gives numpy values, "
                         f"which the outer trace cannot follow: call the plain function "
                         f"{cf.__name__} there instead")
    if getattr(a, "_hooks", None):  # (a slot that register_hook alone sets)
        raise TypeError(f"al.compile({cf.__name__}): argument {argi} has a hook "
                        "(register_hook), which the generated backward pass would not "
                        "run; call the function uncompiled, or handle.remove() the hook")
    if a._op is not None and a._requires_grad and modes.is_grad_enabled():
        warnings.warn(f"al.compile({cf.__name__}): argument {argi} was made by "
                      f"'{a._op.name}' while recording, but the compiled function gives "
                      "numpy values and gradients, cut off from that graph: no gradient "
                      "reaches what the argument was computed from. Call the plain "
                      "function to extend the graph, or pass t.detach() to say you want "
                      "the cut", CutOffWarning, stacklevel=modes.user_stacklevel())


def _leaf_keys(a: Any, key: list, leaves: list, wanted: bool, trace: Any, cf: Compiled,
               argi: int) -> None:
    t = type(a)
    if t is Tensor:
        _check_tensor_argument(a, trace, cf, argi)
        d = a._data
        key.append(_tensor_key(d, a.requires_grad and cf.argnums is None))
        leaves.append(d)
    elif isinstance(a, np.ndarray) and not np.ma.isMaskedArray(a):  # a memmap too, as eager
        a = np.asarray(a)
        given = a.dtype  # (an int's kind is in the key: int16 is not int64 to numpy)
        a = _array_argument(a)
        key.append((a.shape, a.strides, a.dtype, given) if type(a) is np.ndarray
                   else (type(a), False, given))
        leaves.append(a)
    elif isinstance(a, dict):  # an OrderedDict (PyTorch's state_dict) reaches f as a dict
        key.append((dict, tuple(a)))
        for v in a.values():
            _leaf_keys(v, key, leaves, wanted, trace, cf, argi)
    elif isinstance(a, (list, tuple)):  # a namedtuple as itself
        key.append((t, len(a)))
        for v in a:
            _leaf_keys(v, key, leaves, wanted, trace, cf, argi)
    elif isinstance(a, np.generic) and a.dtype.kind == "f":
        key.append((t, False))
        leaves.append(a)
    elif wanted and isinstance(a, _REAL_NUMBERS):  # as value_and_grad takes it
        key.append((np.float64, False))
        leaves.append(np.float64(a))
    else:
        if wanted:
            raise TypeError(f"al.compile({cf.__name__}): argnums asks for the gradient of "
                            f"argument {argi}, which holds a {type(a).__name__}; pass an "
                            "array or a Tensor (np.float64(x) for a number)")
        try:
            hash(a)
        except TypeError:
            raise TypeError(f"al.compile({cf.__name__}): argument {argi} holds a "
                            f"{type(a).__name__}, which is neither an array, a Tensor, a "
                            "dict/list/tuple of them, nor a hashable constant") from None
        if _opaque(a):
            raise TypeError(f"al.compile({cf.__name__}): argument {argi} is a "
                            f"{type(a).__name__} object. The trace would keep what f reads "
                            "from it now (its attributes are not inputs) and replay that after "
                            "they change. Pass its arrays as arguments (a dict of parameters), "
                            "or give its index in static_argnums if it never changes")
        key.append((_STATIC, _kinds(a), a, _zero_signs(a)))


# numbers a gradient is asked of (argnums), taken as np.float64 as al.value_and_grad takes
# them (a numpy float keeps its own dtype, as there)
_REAL_NUMBERS = (int, float, np.integer, np.bool_)


def _array_argument(a: np.ndarray) -> Any:
    """An array argument as Tensor() keeps data: int and bool as floats, 0-d as a numpy
    number, whose ops round as eager's do (np.power on a 0-d array may not), and a
    broadcast one (a stride 0) copied as np.array copies it, in the order eager sums it."""
    if a.dtype.kind == "f" and a.ndim and not _broadcast(a):
        return a
    return _as_float_array(a, None)


def _broadcast(a: np.ndarray) -> bool:
    """Whether an axis longer than 1 has stride 0 (np.broadcast_to's; b[:, None]'s new axis
    of 1 has one too, and is an ordinary view)."""
    return 0 in a.strides and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def _opaque(a: Any) -> bool:
    """An object compared by identity that holds state f may read: a model holding its
    weights (callable or not), a bound method of one, a random generator. Functions,
    classes, partials, ufuncs and values with their own hash (enums, dtypes) are fine."""
    if isinstance(a, (types.FunctionType, type, functools.partial, np.ufunc)):
        return False
    if isinstance(a, (types.MethodType, types.BuiltinMethodType)):
        return not isinstance(getattr(a, "__self__", None), (types.ModuleType, type(None), type))
    return type(a).__hash__ is object.__hash__ and (
        hasattr(a, "__dict__") or hasattr(type(a), "__slots__")
        or isinstance(a, (np.random.Generator, np.random.RandomState)))


def _traced_args(cf: Compiled, args: tuple, tracer: Tracer):
    """The arguments as f sees them while tracing (arrays as Tensors), the input tensors in
    order, their names, and the pytree of which leaves require grad."""
    inputs: list[Tensor] = []
    names: dict[int, str] = {}
    slots: list = []  # per argument: the structure of its leaves' gradient slots

    def convert(a, name, wanted, path_slots):
        t = type(a)
        if isinstance(a, np.ndarray) and not np.ma.isMaskedArray(a):  # a memmap: as eager
            a, t = np.asarray(a), np.ndarray
        if wanted and isinstance(a, _REAL_NUMBERS):  # al.grad's 2.0 (True is 1.0 there)
            a, t = np.float64(a), np.float64
        if t is Tensor or t is np.ndarray or (isinstance(a, np.generic)
                                              and a.dtype.kind == "f"):
            data = a._data if t is Tensor else _array_argument(a) if t is np.ndarray else a
            rg = wanted or (t is Tensor and a.requires_grad and cf.argnums is None)
            x = _make(data, rg)
            x.name = (a.name if t is Tensor and a.name else name)
            if t is Tensor:  # (read again from outside, it is named as the argument)
                tracer.arguments[id(a)] = x.name
            tracer.add_input(x)
            inputs.append(x)
            names[id(x)] = x.name
            path_slots.append(x if rg else None)
            return x
        if isinstance(a, dict):
            sub = []
            out = {k: convert(v, _key_name(name, k), wanted, sub) for k, v in a.items()}
            path_slots.append((dict, list(a), sub))
            tracer.containers.append((out, _items(out), name))
            return out
        if isinstance(a, (list, tuple)):  # (gradients come back as a list or a tuple)
            sub = []
            fields = getattr(a, "_fields", None)  # a namedtuple's names: W1, b1
            items = [convert(v, fields[i] if fields else f"{name}{i}", wanted, sub)
                     for i, v in enumerate(a)]
            out = rebuilt(t, items)  # a namedtuple by its fields
            if isinstance(out, list):
                tracer.containers.append((out, _items(out), name))
            path_slots.append((list if isinstance(a, list) else t if hasattr(t, "_fields")
                               else tuple, len(a), sub))  # a namedtuple's grads as one too
            return out
        path_slots.append(None)
        return a

    traced = []
    for i, a in enumerate(args):
        name = _param_name(cf._params, i)
        if i in cf.static_argnums:
            traced.append(a)
            slots.append([None])
            continue
        wanted = cf.argnums is not None and i in cf.argnums
        sub: list = []
        traced.append(convert(a, name, wanted, sub))
        slots.append(sub)
    return traced, inputs, names, slots


def _param_name(params: list[inspect.Parameter], i: int) -> str:
    """The name of f's parameter that receives argument ``i`` (xs0, xs1 for ``*xs``)."""
    for j, p in enumerate(params):
        if p.kind is p.VAR_POSITIONAL:
            return f"{p.name}{i - j}"
        if j == i and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            return p.name
    return f"arg{i}"


def _key_name(parent: str, k: Any) -> str:
    k = str(k)
    return k if k.isidentifier() else f"{parent}_{k}"


def _grads(entry: _Entry, grads: tuple, cf: Compiled) -> Any:
    it = iter(grads)
    out = tuple(_fill(s, it) for s in entry.grad_slots)
    if cf.argnums is not None:
        out = tuple(out[i] for i in cf.argnums)
    return out[0] if cf._single else out


def _fill(slot: Any, it) -> Any:
    """Rebuild one argument's gradient structure from the flat gradients."""
    if slot is None:
        return None
    if isinstance(slot, list):  # an argument: its one structure
        return _fill(slot[0], it) if slot else None
    if isinstance(slot, tuple):
        kind, keys, sub = slot
        if kind is dict:
            return {k: _fill(s, it) for k, s in zip(keys, sub)}
        return rebuilt(kind, [_fill(s, it) for s in sub])
    return next(it)  # a Tensor that required grad


def _has_grad(slot: Any) -> bool:
    if slot is None:
        return False
    if isinstance(slot, list):
        return any(_has_grad(s) for s in slot)
    if isinstance(slot, tuple):
        return any(_has_grad(s) for s in slot[2])
    return True


def _prune(slot: Any) -> Any:
    """None for an argument with nothing that requires grad."""
    if isinstance(slot, list):
        return slot if _has_grad(slot) else None
    return slot


def _flatten_outputs(x: Any, tensors: list) -> Any:
    """Auxiliary outputs: traced Tensors become slots filled from the replay's results."""
    if type(x) is Tensor:
        tensors.append(x)
        return _Slot()
    if isinstance(x, dict):
        return {k: _flatten_outputs(v, tensors) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return rebuilt(type(x), [_flatten_outputs(v, tensors) for v in x])
    return x


class _Slot:
    __slots__ = ()


def _unflatten_values(tree: Any, values: list) -> Any:
    it = iter(values)

    def fill(x):
        if isinstance(x, _Slot):
            return next(it)
        if isinstance(x, dict):
            return {k: fill(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return rebuilt(type(x), [fill(v) for v in x])
        return x

    return fill(tree)


# ---- one trace ----------------------------------------------------------------------------

def _trace(cf: Compiled, args: tuple) -> _Entry:
    # f runs twice: a draw shows as a difference. The second run is kept, its printing silenced
    generators = _generators(cf.f, args)
    states = [_random_states(generators)]
    tracer1, inputs1, _, _, _, result1 = _record(cf, args)
    _check_nothing_kept(cf, tracer1, result1)
    states.append(_random_states(generators))
    with contextlib.redirect_stdout(_QuietThread(sys.stdout)):
        tracer, inputs, names, slots, local_names, result = _record(cf, args)
    states.append(_random_states(generators))
    _check_nothing_kept(cf, tracer, result)
    why = _changed(states, (tracer1, tracer), ((inputs1, result1), (inputs, result)))
    del tracer1, inputs1, result1
    if why is not None:
        raise _changed_error(cf, why, tracer, local_names)
    root, extra_tree = _cost_and_extra(cf, result)
    if id(root) not in tracer.known:  # a constant: the replay gives it back unchanged
        tracer.known[id(root)] = root
        tracer.tape.append((root, _CONSTANT, (), {"value": root._data}))
    extra: list[Tensor] = []
    extra_tree = _flatten_outputs(extra_tree, extra)
    for i, t in enumerate(extra):
        if id(t) not in tracer.known:  # a constant Tensor among the outputs
            tracer.capture(t)  # (one from outside: a write to it retraces)
            tracer.known[id(t)] = t
            tracer.tape.append((t, _CONSTANT, (), {"value": t._data}))
            extra[i] = t
    wanted = [t for t in inputs if t.requires_grad]
    all_names = _name_tensors(inputs, tracer.tape, root, names, local_names)
    entry = _Entry()
    entry.grad_slots = tuple(_prune(s) for s in slots)
    entry.n_extra, entry.tupled = len(extra), isinstance(result, tuple)
    entry.extra_tree = extra_tree
    entry.captured = tuple((t, t._version, t.requires_grad) for t in tracer.captured.values())
    entry.bindings = _bindings(cf.f)
    entry.differentiates = bool(wanted)
    entry.watch = bool(entry.captured or entry.bindings)
    # whether the code may depend on the inputs' strides: reshape is a view or a copy by
    # them, and the code's in-place writes are chosen by which arrays are views
    entry.layout = any(getattr(prim, "view", False) and prim.name != "transpose"
                       for _, prim, _, _ in tracer.tape)
    returns = functools.partial(_return_node, cf, entry)
    code = None
    for inline, peephole, simplify in ([(True, True, True)] if cf.simplify else []) + [
            (True, True, False), (True, False, False), (False, False, False)]:
        gen = Generator(_fn_name(cf), tracer.tape, inputs, all_names, root, wanted, extra,
                        returns=returns, inline=inline, peephole=peephole, simplify=simplify)
        code = gen.generate()
        if _same_as_eager(cf, entry, code, inputs, root, wanted, extra, simplify):
            break
    else:
        raise RuntimeError(f"al.compile({cf.__name__}): internal error: the generated code "
                           "does not reproduce the eager engine's results; please report "
                           "it with the function. The code was:\n" + code.source)
    entry.code, entry.fn, entry.source = code, code.function, code.source
    _check_int_arguments(cf, args, root, wanted)
    return entry


_MISSING = object()


def _bindings(f: Any) -> tuple:
    """(name, f's globals, None, then) for each global variable f's own code loads, and
    (name, None, its cell, then) for each closure variable, modules aside: the trace took
    their values as they were (an array as a constant, a helper's ops, a flag's branch), so
    a replay after ``X = next_batch`` would use the old one. ``then``: _snapshot's. (A write
    into an array itself, X *= 2, or into an object's attribute is not seen: arrays have no
    version; nor are the variables of the functions f calls.)"""
    f = getattr(f, "__func__", f)
    if type(f) is not types.FunctionType:
        return ()
    codes, names = [f.__code__], set()
    while codes:  # f's lambdas and comprehensions read f's globals too
        code = codes.pop()  # (LOAD_GLOBAL's names alone: co_names has attributes too, and
        names.update(i.argval for i in dis.get_instructions(code)  # al.log watched a
                     if i.opname in ("LOAD_GLOBAL", "LOAD_NAME"))  # global list named log)
        codes += [c for c in code.co_consts if type(c) is types.CodeType]
    scope = f.__globals__
    found = [(n, scope, None, scope[n]) for n in sorted(names) if n in scope]
    for n, cell in zip(f.__code__.co_freevars, f.__closure__ or ()):
        with contextlib.suppress(ValueError):  # (a cell not yet filled)
            found.append((n, None, cell, cell.cell_contents))
    return tuple((n, scope, cell, _snapshot(v, [256])) for n, scope, cell, v in found
                 if not issubclass(type(v), types.ModuleType))


def _items(v: Any) -> list:
    """A dict's (key, value) pairs, a list's or tuple's items, as stored (read by type
    alone: no code of the user's runs; a dead weakref.proxy raised from isinstance)."""
    if issubclass(type(v), dict):
        return list(dict.items(v))
    return list((list if issubclass(type(v), list) else tuple).__getitem__(v, slice(None)))


def _snapshot(v: Any, budget: list) -> tuple:
    """``v``, and for a dict, list or tuple what it held, two levels deep, up to 256 items
    in all (params["W1"] = ... is a change; past that, a vocabulary, the container is
    watched as one object: each call compares what was snapshot)."""
    if not issubclass(type(v), (dict, list, tuple)) or len(v) > budget[0]:
        return v, None
    budget[0] -= len(v)
    pairs = issubclass(type(v), dict)
    return v, tuple((x[0], _snapshot(x[1], budget)) if pairs else _snapshot(x, budget)
                    for x in _items(v))


_EQUAL_IF_SAME = (int, float, complex, str, np.number)  # compared by value when rebound


def _same_binding(now: Any, then: tuple) -> bool:
    value, held = then
    if now is not value:  # (an equal number or text again, scale = 1.0, is the same)
        return (type(now) is type(value) and issubclass(type(value), _EQUAL_IF_SAME)
                and bool(now == value))
    if held is None:
        return True
    items = _items(now)  # (keys by identity: a dict keeps its key objects; no __eq__ runs)
    pairs = issubclass(type(now), dict)
    return len(items) == len(held) and all(
        (a[0] is b[0] and _same_binding(a[1], b[1])) if pairs else _same_binding(a, b)
        for a, b in zip(items, held))


def _check_int_arguments(cf: Compiled, args: tuple, root: Tensor, wanted: list[Tensor]) -> None:
    """An int or bool array argument is traced as a float64 input (as Tensor() takes it),
    where eager numpy computes with it as it is: float32 * a bool mask is float32, float32 *
    float64 is not. So f runs once more, eagerly, on the arguments themselves, and a value or
    a gradient that is not the trace's, bit for bit, is refused rather than replayed. An int
    narrower than int64 is refused at once: its arithmetic wraps, at values the first call
    need not have (uint8's y - 1 at 0 is 255)."""
    ints = [(n, a.dtype) for n, a in _array_leaves(cf, args) if a.dtype.kind in "biu"]
    if not ints:
        return
    narrow = [(n, d) for n, d in ints if d.kind == "u" or d.kind == "i" and d.itemsize < 8]
    if narrow:
        name, dtype = narrow[0]
        raise TypeError(f"al.compile({cf.__name__}): {name} is a {dtype} array, which the "
                        f"compiled function takes as float64, where eager numpy computes in "
                        f"{dtype}, whose arithmetic wraps ({np.iinfo(dtype).max} + 1 is "
                        f"{np.iinfo(dtype).min} in {dtype}), so a replay could give other "
                        f"numbers than eager's: pass it in the float dtype you compute in, "
                        f"e.g. {name}.astype(np.float64)")
    from .backward import gradients
    with contextlib.redirect_stdout(_QuietThread(sys.stdout)), modes.enable_grad():
        out = cf.f(*args)
    eager = out[0] if isinstance(out, tuple) else out
    same = type(eager) is Tensor and _identical(eager._data, root._data)
    ours = [a for _, a in _array_leaves(cf, args, tensors=True) if a.requires_grad]
    if (same and cf.argnums is None and wanted and len(ours) == len(wanted)
            and len({id(a) for a in ours}) == len(ours)):  # (f(w, w): a total each, eagerly)
        same = _identical(gradients(eager, ours, unconnected="zeros"),
                          gradients(root, wanted, retain_graph=True))
    if not same:
        what = "is an int or bool array" if len(ints) == 1 else "are int or bool arrays"
        raise TypeError(
            f"al.compile({cf.__name__}): {', '.join(n for n, _ in ints)} {what}, "
            "which the compiled function takes as float64, and f then gives other numbers "
            f"than it does eagerly (eager: {_dtype_of(eager)}, traced: {root._data.dtype}; "
            "numpy keeps float32 * a bool mask float32). Pass the array in the float dtype "
            "you compute in, e.g. mask.astype(np.float32)")


def _dtype_of(x: Any) -> str:
    return str(x._data.dtype) if type(x) is Tensor else type(x).__name__


def _array_leaves(cf: Compiled, args: tuple, tensors: bool = False) -> list[tuple[str, Any]]:
    """(name, array) of the arrays among the traced arguments (static ones left out), in the
    order _traced_args takes them; ``tensors``: the Tensors instead."""
    found: list[tuple[str, Any]] = []

    def walk(a: Any, name: str) -> None:
        if tensors and type(a) is Tensor or not tensors and type(a) is np.ndarray:
            found.append((name, a))
        elif isinstance(a, dict):
            for k, v in a.items():
                walk(v, _key_name(name, k))
        elif isinstance(a, (list, tuple)):
            for i, v in enumerate(a):
                walk(v, f"{name}[{i}]")

    for i, a in enumerate(args):
        if i not in cf.static_argnums:
            walk(a, _param_name(cf._params, i))
    return found


def _cost_and_extra(cf: Compiled, result: Any) -> tuple[Tensor, tuple]:
    """f's result as (the cost, a one-number Tensor; what else it returned)."""
    root, extra_tree = (result[0], result[1:]) if isinstance(result, tuple) else (result, ())
    if type(root) is not Tensor:
        raise TypeError(f"al.compile({cf.__name__}): the function must return a scalar Tensor "
                        f"(or a tuple whose first item is one), got {type(root).__name__}")
    if root._data.size != 1:
        raise ValueError(f"al.compile({cf.__name__}): the function returned shape "
                         f"{root.shape}; it must return one number (the cost), e.g. "
                         "with .sum() or al.mean")
    return root, extra_tree


def _record(cf: Compiled, args: tuple) -> tuple:
    """One run of f on traced copies of ``args``: (tracer, inputs, their names, gradient
    slots, the caller's local names of traced tensors, f's result)."""
    tracer = Tracer(cf.__name__)
    traced, inputs, names, slots = _traced_args(cf, args, tracer)
    local_names: dict[int, str] = {}
    with modes.tracing(tracer), modes.enable_grad(), _LocalNames(tracer, local_names):
        result = cf.f(*traced)
    _check_arguments_unchanged(cf, tracer)
    return tracer, inputs, names, slots, local_names, result


def _items(container: dict | list) -> list[tuple[Any, Any]]:
    return list(container.items() if type(container) is dict else enumerate(container))


def _check_arguments_unchanged(cf: Compiled, tracer: Tracer) -> None:
    """f gets copies of its arguments' dicts and lists; a write into one (the course's
    ``caches.append(cache)``, ``params["Z1"] = Z1``) would be lost in silence, on the first
    call and in every replay, which runs no Python: refused."""
    for container, items, name in tracer.containers:
        now = _items(container)
        if len(now) != len(items) or any(k != k0 or v is not v0
                                         for (k, v), (k0, v0) in zip(now, items)):
            what = "dict" if type(container) is dict else "list"
            raise TraceError(
                f"al.compile({cf.__name__}): the function writes into its argument {name!r} "
                f"(a {what}: an item added, replaced or removed). The compiled function works "
                "on copies of the arguments' dicts and lists, and a replay runs no Python, so "
                "the write would be lost. Return the value as an extra output (return cost, "
                "Z1) and keep that, or leave this function uncompiled")


def _random_states(generators: list) -> tuple:
    """numpy's global random state, Python's random module's, and those of the Generators
    f names, comparable."""
    return (_comparable(np.random.get_state()), random.getstate(),
            [_state(g) for g in generators])


def _generators(f: Callable, args: tuple = ()) -> list:
    """The random generators ``f`` can reach, nearest first, up to six steps away: named in
    its globals, closure or defaults; held by an object it names, is bound to or is given
    (``self.rng``, ``model.blocks[0].drop.rng``), by a ``functools.partial``, a container or
    a class (a class attribute); and those the functions and methods it reaches name in
    turn (a layer's ``forward`` drawing from a module's ``rng``). Breadth first, so that an
    object met early is opened at its nearest; at most 20,000 values are looked at."""
    found: dict[int, Any] = {}
    seen = {id(f), *map(id, args)}
    level = [f, *args]
    for depth in range(7):
        following = []
        for v in level:
            if issubclass(type(v), _GENERATORS):
                if not isinstance(v, random.SystemRandom):  # (the OS's entropy: no state)
                    found[id(v)] = v
            elif depth < 6:
                for w in _reaches(v):
                    if id(w) not in seen and len(seen) < 20_000:
                        seen.add(id(w))
                        following.append(w)
        level = following
    return list(found.values())


_GENERATORS = (np.random.Generator, np.random.RandomState, np.random.BitGenerator,
               random.Random)
_OPAQUE = (types.ModuleType, np.ndarray, np.generic, Tensor, str, bytes, int, float, complex,
           bool, type(None), types.BuiltinFunctionType, np.ufunc, range, memoryview)


def _reaches(v: Any) -> list:
    """The values one step from ``v`` that may hold or lead to a generator, read as stored:
    no property, ``__getattr__`` or ``__iter__`` of the user's runs. One that cannot be read
    so (a dead weakref.proxy, a mock) leads nowhere."""
    try:
        return _one_step(v)
    except Exception:  # noqa: BLE001  (whatever an odd object raises: it is not searched)
        return []


def _one_step(v: Any) -> list:
    kind = type(v)
    if kind is functools.partial:
        return [v.func, *v.args, *v.keywords.values()]
    if kind is types.MethodType:
        return [v.__func__, v.__self__]
    if kind is types.FunctionType:
        return _named_by(v)
    if kind is staticmethod or kind is classmethod:
        return [v.__func__]
    if issubclass(kind, _OPAQUE):
        return []
    for base in (list, tuple):  # (the base's own slice: a subclass's __iter__ is not run)
        if issubclass(kind, base):
            return list(base.__getitem__(v, slice(0, 256)))
    if issubclass(kind, dict):
        return list(itertools.islice(dict.values(v), 256))
    if issubclass(kind, collections.deque):
        return list(itertools.islice(collections.deque.__iter__(v), 256))
    if issubclass(kind, (set, frozenset)):
        return list(itertools.islice(frozenset.__iter__(frozenset(v)), 256))
    if issubclass(kind, type):  # a class f names: its attributes and methods
        return [] if _library(v) else _class_values(v)
    if kind is types.SimpleNamespace:  # (the standard library's, holding the user's values)
        return list(itertools.islice(vars(v).values(), 256))
    if _library(kind):
        return []
    held = list(_stored_attributes(v))
    for klass in kind.__mro__[:-1]:  # its methods (forward, __call__), class attributes
        if not _library(klass):
            held += _class_values(klass)
    return held


def _named_by(fn: types.FunctionType) -> list:
    """What a function names: its globals, closure cells and defaults, and in a module it
    names, the attributes it reads (helpers.dropout(A))."""
    if _library_module(fn.__module__):
        return []  # (numpy's generators are np.random's global state, compared already)
    names, scope = fn.__code__.co_names, fn.__globals__
    named = [scope[n] for n in names if n in scope]
    for cell in fn.__closure__ or ():
        with contextlib.suppress(ValueError):  # a cell not yet filled
            named.append(cell.cell_contents)
    named += [vars(m)[n] for m in named if type(m) is types.ModuleType
              for n in names if n in vars(m)]  # (vars: no lazy imports)
    return named + list(fn.__defaults__ or ()) + list((fn.__kwdefaults__ or {}).values())


def _stored_attributes(v: Any) -> Iterator[Any]:
    """An object's attributes as stored, in its __dict__ and its __slots__ (C-level reads)."""
    for klass in type(v).__mro__:
        slot = klass.__dict__.get("__dict__")  # (a C type's, SimpleNamespace's: a member)
        if type(slot) in (types.GetSetDescriptorType, types.MemberDescriptorType):
            yield from itertools.islice(dict.values(slot.__get__(v, type(v))), 256)
            break
    for klass in type(v).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            member = klass.__dict__.get(name)
            if type(member) is types.MemberDescriptorType:
                with contextlib.suppress(AttributeError):  # (a slot never set)
                    yield member.__get__(v, type(v))


def _class_values(klass: type) -> list:
    return [w for name, w in klass.__dict__.items() if not name.startswith("__")
            or name == "__call__"]


def _library(klass: type) -> bool:
    """A class of Python's, numpy's, the engine's or an installed package's (matplotlib's
    Axes took 34 ms to search): the user's own code is what may hold a generator."""
    return _library_module(getattr(klass, "__module__", None))


def _library_module(module: str | None) -> bool:
    """Whether the module named ``module`` is Python's, numpy's, the engine's or installed
    (no file: Jupyter's __main__, the user's; installed in place: the project's, the user's)."""
    module = module or "builtins"
    known = _LIBRARY.get(module)
    if known is None:
        path = getattr(sys.modules.get(module), "__file__", None) or ""
        known = _LIBRARY[module] = module.split(".")[0] in (
            "builtins", "numpy", "autograd_lite") or bool(path) and path.startswith(_INSTALLED)
    return known


_LIBRARY: dict[str, bool] = {}
_INSTALLED = tuple({sysconfig.get_path(k) + os.sep for k in ("stdlib", "platstdlib",
                                                               "purelib", "platlib")})


def _state(g: Any) -> Any:
    """A generator's state, comparable with == (see _comparable)."""
    state = (g.bit_generator.state if isinstance(g, np.random.Generator) else
             g.state if isinstance(g, np.random.BitGenerator) else
             g.getstate() if isinstance(g, random.Random) else g.get_state())
    return _comparable(state)


def _comparable(state: Any) -> Any:
    """A state with its arrays as bytes: == compares it, cheaply (repr of an MT19937 state
    took 1.5 ms)."""
    if isinstance(state, dict):
        return tuple((k, _comparable(v)) for k, v in state.items())
    if isinstance(state, (tuple, list)):
        return tuple(_comparable(v) for v in state)
    if isinstance(state, np.ndarray):
        return (state.dtype.str, state.shape, state.tobytes())
    return state


class _QuietThread:
    """sys.stdout while f runs the second time: this thread's printing is dropped (f printed
    it on the first run); other threads' goes through."""

    def __init__(self, out: Any) -> None:
        self.out, self.thread = out, threading.get_ident()

    def write(self, text: str) -> int:
        return len(text) if threading.get_ident() == self.thread else self.out.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


_RANDOM_SOURCES = ("numpy's global random state (np.random)", "Python's random module",
                   "a Generator the function reaches (such as self.rng)")


def _changed(states: list, tracers: tuple, runs: tuple) -> str | None:
    """What differs between two runs of f on the same inputs, or None: their recordings (a
    dropout mask drawn from any generator: np.random, self.rng, Python's random; the time),
    or the state of a generator f can reach (``states``: before, between and after), which
    tells a draw that only steers a branch, and a seed."""
    why = first_difference(*tracers, runs)
    for k, name in enumerate(_RANDOM_SOURCES):
        before, between, after = (s[k] for s in states)
        # (a draw on the first run only may be a cache filled once, or a draw every k
        # calls: two runs cannot tell them apart, so both are refused, and the message says
        # to fill a cache before compiling)
        if why is None and not before == between == after:
            why = f"it drew from or seeded {name}"
    return why


def _changed_error(cf: Compiled, why: str, tracer: Tracer, local_names: dict) -> TraceError:
    """A recording that changes from run to run would be replayed as one run's for ever."""
    made = {local_names[id(e[0])] for e in tracer.tape if id(e[0]) in local_names}
    return TraceError(
        f"al.compile({cf.__name__}): two runs of the function on the same inputs recorded "
        f"different things ({why}): it drew random numbers (np.random, a Generator such as "
        "self.rng, Python's random), seeded a generator, or read a value that changes by "
        "itself (the time, a counter). Every replay would repeat one run's. Draw outside and "
        "pass the result as an argument (a dropout mask D as an array), or leave this "
        "function uncompiled" + (f" (its tensors: {', '.join(sorted(made))})" if made else "")
        + ". A draw made once and cached (random features on self) is made before compiling: "
        "call the function once eagerly first"
        + ". (Another thread drawing at the same time from np.random or a Generator the "
        "function reaches, a data loader, counts too: compile while it is idle, or give it "
        "its own np.random.default_rng())")


def _check_nothing_kept(cf: Compiled, tracer: Tracer, result: Any) -> None:
    """A tensor made while recording and kept outside f (``losses.append(J)``, ``self.A1 =
    A1``) would hold the first call's values for ever, since a replay runs no Python:
    refused. A tensor with more references than the trace's own (the tape, the ops' inputs,
    f's result) is looked for among all objects: a pass of gc over every object costs
    ~12 ms with the peer engines loaded, so only then."""
    made = [entry[0] for entry in tracer.tape]
    own = [tracer.known, made, *tracer.tape, *{id(e[2]): e[2] for e in tracer.tape}.values(),
           *_made_containers(result)]
    counts = Counter(map(id, gc.get_referents(*own)))  # (a loop variable would hold one)
    kept = []
    for t in made:  # + this loop's variable and getrefcount's argument; + 2 frames' result
        if sys.getrefcount(t) > counts.get(id(t), 0) + 2 + 2 * (t is result):
            kept.append(t)
    if kept:  # a reference cycle f left (a recursive helper's cell) may be what holds them
        gc.collect()  # then counted again, as above, + the list kept's reference to each
        kept = [t for t in kept
                if sys.getrefcount(t) > counts.get(id(t), 0) + 2 + 1 + 2 * (t is result)]
    if not kept:
        return
    own_ids = {id(c) for c in own} | {id(own), id(kept)}
    for holder in gc.get_referrers(*kept):
        if id(holder) in own_ids or isinstance(holder, types.FrameType) and \
                holder.f_code.co_filename.startswith(_PKG_DIR):
            continue
        t = next(t for t in kept if any(v is t for v in gc.get_referents(holder)))
        kind = type(_owner(holder)).__name__
        raise TraceError(
            f"al.compile({cf.__name__}): a tensor of shape {t.shape} made by "
            f"'{t._op.name if t._op else 'an op'}' while the function was recorded is "
            f"kept outside it (in {'a ' + kind if kind in _BUILTIN else 'an object ' + kind});"
            " a replay runs no Python, so it would hold the first call's values for ever. "
            "Return it as an extra output (return cost, J) and keep that, or leave this "
            "function uncompiled")


def _owner(holder: Any) -> Any:
    """The object whose attribute dict ``holder`` is (self.A = A1), else ``holder``."""
    if type(holder) is dict:
        for obj in gc.get_referrers(holder):
            if getattr(obj, "__dict__", None) is holder:
                return obj
    return holder


def _made_containers(result: Any) -> list:
    """The containers of f's result that only the result holds (made by f to return values):
    one also held outside (``hist.append(J); return J, hist``) is where a value is kept."""
    containers = _containers(result)
    inside = Counter(map(id, gc.get_referents(*containers)))
    made = []
    for c in containers:  # + containers, this loop's variable, getrefcount's argument, and
        # three frames' result (_trace's, the caller's, this one's) for the result itself
        if sys.getrefcount(c) <= inside[id(c)] + 3 + 3 * (c is result):
            made.append(c)
    return made


def _containers(tree: Any) -> list:
    """The lists, tuples and dicts that make up f's result, each once."""
    found, todo, seen = [], [tree], set()
    while todo:
        x = todo.pop()
        if isinstance(x, (list, tuple, dict)) and id(x) not in seen:
            seen.add(id(x))
            found.append(x)
            todo.extend(x.values() if isinstance(x, dict) else x)
    return found


_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_BUILTIN = ("list", "dict", "tuple", "set", "deque", "cell", "function")


def _return_node(cf: Compiled, entry: _Entry, gen: Generator, value: ast.expr,
                 grads: list[ast.expr], extra: list[ast.expr]) -> ast.expr:
    """``return value, grads`` in the structure of f's arguments and outputs."""
    it = iter(grads)

    def build(slot):
        if slot is None:
            return ast.Constant(None)
        if isinstance(slot, list):
            return build(slot[0]) if slot else ast.Constant(None)
        if isinstance(slot, tuple):
            kind, keys, sub = slot
            if kind is dict:
                return ast.Dict([gen.literal(k) for k in keys], [build(x) for x in sub])
            items = [build(x) for x in sub]
            if hasattr(kind, "_fields"):  # a namedtuple
                return ast.Call(gen.literal(kind), items, [])
            return ast.List(items) if kind is list else ast.Tuple(items)
        return next(it)

    per_arg = [build(s) for s in entry.grad_slots]
    if cf.argnums is not None:
        per_arg = [per_arg[i] for i in cf.argnums]
    grad_node = per_arg[0] if cf._single else ast.Tuple(per_arg)
    if entry.tupled:
        rest = iter(extra)

        def fill(x):
            if isinstance(x, _Slot):
                return next(rest)
            if isinstance(x, dict):
                return ast.Dict([gen.literal(k) for k in x], [fill(v) for v in x.values()])
            if isinstance(x, (list, tuple)):
                items = [fill(v) for v in x]
                return ast.List(items) if isinstance(x, list) else ast.Tuple(items)
            return gen.literal(x)

        value = ast.Tuple([value, *(fill(x) for x in entry.extra_tree)])
    return ast.Tuple([value, grad_node])


def _fn_name(cf: Compiled) -> str:
    name = getattr(cf.f, "__name__", "f")
    return name if name.isidentifier() else "f"


def _constant_forward(value):
    return value


# the value of a cost that does not depend on the inputs
from .tensor import Primitive  # noqa: E402

_CONSTANT = Primitive("constant", _constant_forward, user_defined=False)


def _same_as_eager(cf: Compiled, entry: _Entry, code: GeneratedCode, inputs: list[Tensor],
                   root: Tensor, wanted: list[Tensor], extra: list[Tensor],
                   close: bool = False) -> bool:
    """Run the generated code on the trace's inputs: the same bits as the eager engine?
    (``close``, for simplify: eager's results finite, and the same to rounding.)"""
    from .backward import gradients
    got = code.function(*(t._data for t in inputs))
    grads = gradients(root, wanted, retain_graph=True) if wanted else []
    expected = cf._results(entry, root._data, grads, [t._data for t in extra])
    return _identical(got, expected, close)


def _identical(a: Any, b: Any, close: bool = False) -> bool:
    """The same structure, and arrays with the same shape, dtype and bits; a NaN matches a
    NaN (numpy leaves unspecified which NaN, sign and payload, an op on two NaNs gives, and
    its in-place and out-of-place adds differ there). ``close`` (floats): ``b`` finite and
    ``a`` within 10,000 eps of it, relative to b's largest entry (float64: 2.2e-12)."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_identical(x, y, close) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (type(a) is type(b) and list(a) == list(b)
                and all(_identical(a[k], b[k], close) for k in a))
    if a is None or b is None:
        return a is b
    if not isinstance(a, (np.ndarray, np.generic)):
        return type(a) is type(b) and a == b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if close and a.dtype.kind == "f":  # (eager's NaN would let anything pass: not close)
        eps = np.finfo(a.dtype).eps
        return bool(np.isfinite(b).all() and np.all(np.abs(a - b) <= 1e4 * eps * np.abs(b).max(
            initial=0.0)))
    if a.dtype.kind in "fc":
        nan = np.isnan(a)
        if not np.array_equal(nan, np.isnan(b)):
            return False
        if nan.any():
            a, b = np.where(nan, 0, a), np.where(nan, 0, b)
    return a.tobytes() == b.tobytes()


# ---- names: the tensors' own, the arguments', the course's, the caller's variables ---------

_LAYER_W = ("W", "w")


def _name_tensors(inputs, tape, root, names, local_names):
    """A readable name per tensor: its own ``name``, the argument's (dict keys for a dict
    of parameters), the course's Z[l] = W[l] A + b[l] and A[l] = g(Z[l]), the variable the
    caller bound it to, or t<n>."""
    import re

    out = dict(names)
    by_id = {id(t): (prim, args) for t, prim, args, _ in tape}

    def name_of(x):
        return out.get(id(x)) if type(x) is Tensor else None

    def layer(x, letters):
        n = name_of(x)
        m = re.fullmatch(r"([A-Za-z])(\d*)", n or "")
        return m.group(2) if m and m.group(1) in letters else None

    def weight_index(x):
        """The layer index of W[l] @ A (or w.T @ X), else None."""
        prim, args = by_id.get(id(x), (None, ()))
        if prim is None or prim.name != "matmul":
            return None
        w = args[0]
        wprim, wargs = by_id.get(id(w), (None, ()))
        if wprim is not None and wprim.name == "transpose":
            w = wargs[0]
        return layer(w, _LAYER_W)

    for t, prim, args, _ in tape:
        if t.name:
            out[id(t)] = t.name
            continue
        guess = None
        if prim.name == "add" and len(args) == 2:
            for p, q in ((args[0], args[1]), (args[1], args[0])):
                k = weight_index(p)
                if k is not None and layer(q, ("b",)) == k:
                    guess = f"Z{k}"
        elif prim.name in ("relu", "tanh", "sigmoid") or (prim.name == "where"
                                                         and len(args) == 3):
            k = layer(args[1] if prim.name == "where" else args[0], ("Z",))
            if k is not None:
                guess = f"A{k}"
        if guess is None and id(t) in local_names:
            guess = local_names[id(t)]
        if guess is None and t is root:
            guess = "J"
        if guess is None:
            out[("generic", id(t))] = True
            guess = f"t{len(out)}"
        out[id(t)] = guess
    return out


class _LocalNames:
    """While tracing, the names of the caller's variables bound to traced tensors (a line
    tracer on the frames outside this package; off when a debugger or coverage tool has
    installed one)."""

    _PKG = os.path.dirname(os.path.abspath(__file__))
    _NUMPY = os.path.dirname(os.path.abspath(np.__file__))

    def __init__(self, tracer: Tracer, found: dict[int, str]) -> None:
        self.tracer, self.found = tracer, found
        self.active = False

    def __enter__(self):
        if sys.gettrace() is None:
            self.active = True
            sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        if self.active:
            sys.settrace(None)

    def _user(self, frame) -> bool:
        path = frame.f_code.co_filename
        return not (path.startswith(self._PKG) or path.startswith(self._NUMPY)
                    or path.startswith("<frozen"))

    def _global(self, frame, event, arg):
        return self._local if event == "call" and self._user(frame) else None

    def _local(self, frame, event, arg):
        if event in ("line", "return"):
            known, found = self.tracer.known, self.found
            for k, v in frame.f_locals.items():
                if type(v) is Tensor and id(v) in known and id(v) not in found:
                    found[id(v)] = k
        return self._local
