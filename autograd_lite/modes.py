"""Grad modes, name scopes and anomaly mode: the switches each thread (or asyncio task) has.

``no_grad()`` / ``enable_grad()`` turn recording off and on, ``scope(name)`` groups the
tensors made inside into a box in diagrams, and ``detect_anomaly()`` stops at the first
NaN/inf with the op, the shapes, the line of user code and the likely cause. The message
for an op given shapes it cannot take (``shape_message``) is here too, and the
CutOffWarning for values that leave the graph (``warn_cut``), named by whose code the
engine is differentiating (``differentiating``: a transform's function, a custom VJP).
"""

from __future__ import annotations

import dis
import functools
import inspect
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "scope",
           "detect_anomaly", "AnomalyError", "TraceError", "tracer"]


class Mode:
    """The switches of one thread or asyncio task. Immutable: the context managers install a
    new one and put the old one back, so reading the mode is one ContextVar lookup (17 ns,
    3x cheaper than three threading.local reads)."""

    # trace: the al.compile tracer recording this thread's ops (None when not tracing).
    # special: anomaly or tracing, so that the recording hot path tests one attribute for both.
    __slots__ = ("enabled", "anomaly", "scope", "trace", "special")

    def __init__(self, enabled: bool = True, anomaly: bool = False,
                 scope: tuple[str, ...] = (), trace: Any = None) -> None:
        self.enabled, self.anomaly, self.scope, self.trace = enabled, anomaly, scope, trace
        self.special = anomaly or trace is not None

    def recording(self, enabled: bool) -> Mode:
        """This mode with recording on or off."""
        return (self if enabled == self.enabled
                else Mode(enabled, self.anomaly, self.scope, self.trace))


# a Mode is never changed once made, so sharing one as the default is safe
mode_var: ContextVar[Mode] = ContextVar("autograd_lite_mode", default=Mode())  # noqa: B039
current_mode = mode_var.get


class CutOffWarning(UserWarning):
    """A Tensor's values left the graph through numpy while the graph was being recorded."""


# Whose code is running while the engine differentiates it, for a CutOffWarning to name
# where a Tensor became a number or a copy (x * float(x) inside al.grad's function, or a
# custom op's VJP run again under create_graph): None elsewhere, where float(cost) is fine.
differentiating: ContextVar[str | None] = ContextVar("autograd_lite_differentiating",
                                                     default=None)


@contextmanager
def differentiated(what: str) -> Iterator[None]:
    """Name ``what`` (the user's code about to run) for the warnings of a cut made in it."""
    token = differentiating.set(what)
    try:
        yield
    finally:
        differentiating.reset(token)


def cut_off(t: Any) -> str | None:
    """What a CutOffWarning calls Tensor ``t`` when numpy taking its values loses a gradient
    that backward() could still give (it requires grad; a leaf, or an op not yet spent;
    grad on: np.sum([W1, W2]) of leaves gave them none without a word); else None."""
    if not t.requires_grad or t._op is not None and t._vals is None \
            or not current_mode().enabled:
        return None
    return (f"a Tensor made by '{t._op.name}'" if t._op is not None
            else f"a leaf Tensor{f' ({t.name!r})' if t.name else ''}")


def warn_cut(message: str) -> None:
    """A CutOffWarning at the user's line, naming whose code made the cut if the engine was
    differentiating it (a transform's function, a custom op's VJP)."""
    where = differentiating.get()
    warnings.warn(f"{where}: {message}" if where else message, CutOffWarning,
                  stacklevel=user_stacklevel())


class _GradSwitch:
    """Context manager and decorator that sets grad recording for the current thread/task."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._tokens: list = []

    def __enter__(self) -> None:
        self._tokens.append(mode_var.set(current_mode().recording(self.enabled)))

    def __exit__(self, *exc: Any) -> None:
        mode_var.reset(self._tokens.pop())

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            return _switched_generator(func, self.enabled)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradSwitch(self.enabled):
                return func(*args, **kwargs)
        return wrapper


def _switched_generator(func: Callable, enabled: bool) -> Callable:
    """A generator function whose body runs in the mode each time it resumes (as PyTorch's
    decorators do): a plain wrapper switched it only while the generator was created."""
    @functools.wraps(func)
    def generator(*args, **kwargs):
        gen = func(*args, **kwargs)
        resume: Callable[[], Any] = functools.partial(next, gen)
        while True:
            try:
                with _GradSwitch(enabled):
                    value = resume()
            except StopIteration as done:
                return done.value
            try:
                sent = yield value
            except GeneratorExit:
                gen.close()
                raise
            except BaseException as err:  # thrown in: the body handles it, in the mode
                resume = functools.partial(gen.throw, err)
            else:
                resume = functools.partial(gen.send, sent)
    return generator


def no_grad(func: Callable | None = None) -> Any:
    """Stop recording: ``with no_grad(): ...``, or ``@no_grad()`` / ``@no_grad`` (as
    PyTorch takes both) on a function. Per thread and task."""
    return _switch(False, func, "no_grad")


def enable_grad(func: Callable | None = None) -> Any:
    """Record again inside a ``no_grad`` block: ``with enable_grad(): ...``, or a decorator
    with or without its parentheses. Per thread and task."""
    return _switch(True, func, "enable_grad")


def _switch(enabled: bool, func: Any, name: str) -> Any:
    """The switch, or ``func`` decorated with it when the decorator had no parentheses."""
    if func is None:
        return _GradSwitch(enabled)
    if not callable(func):
        raise TypeError(f"{name}() takes no value, or a function to decorate; got "
                        f"{type(func).__name__} (a flag is set_grad_enabled(flag)'s)")
    return _GradSwitch(enabled)(func)


class set_grad_enabled:  # noqa: N801  (PyTorch's name, a class there too)
    """Record or not, by a flag, as in PyTorch: ``with set_grad_enabled(training): ...``
    restores the mode on leaving; called alone, ``set_grad_enabled(False)`` switches
    recording off in this thread or task until it is switched back; as a decorator,
    ``@set_grad_enabled(False)``, it applies to each call of the function."""

    def __init__(self, mode: bool) -> None:
        if type(mode) is not bool:
            raise TypeError(f"set_grad_enabled: expected True or False, got {mode!r}")
        self.mode, self._before = mode, current_mode().enabled
        self._switch(mode)  # at once

    @staticmethod
    def _switch(enabled: bool) -> None:
        mode_var.set(current_mode().recording(enabled))

    def __enter__(self) -> None:
        self._switch(self.mode)  # (again, for an object entered a second time)

    def __exit__(self, *exc: Any) -> None:
        self._switch(self._before)

    def __call__(self, func: Callable) -> Callable:
        self._switch(self._before)  # a decorator switches each call, not the thread now
        return _GradSwitch(self.mode)(func)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread or task."""
    return current_mode().enabled


@contextmanager
def _switched(**changes: Any) -> Iterator[None]:
    mode = current_mode()
    fields = {"enabled": mode.enabled, "anomaly": mode.anomaly, "scope": mode.scope,
              "trace": mode.trace, **changes}
    token = mode_var.set(Mode(**fields))
    try:
        yield
    finally:
        mode_var.reset(token)


@contextmanager
def scope(name: str) -> Iterator[None]:
    """Name scope: tensors made inside are grouped into a box (a cluster) in diagrams."""
    if not isinstance(name, str) or not name:
        raise ValueError("scope(name): name must be a non-empty string")
    with _switched(scope=current_mode().scope + (name,)):
        yield


# ---- tracing (al.compile) -------------------------------------------------------------------

class TraceError(RuntimeError):
    """al.compile cannot record this: the function asked for a value (bool, float, item(),
    np.asarray, ...) of a tensor that depends on its inputs, so a replay with other inputs
    could silently take another branch."""


def tracer(t: Any = None) -> Any:
    """The tracer recording this thread's ops (None when not tracing); with ``t``, the tracer
    only if ``t`` is one of its tensors (a value that depends on the compiled function's
    inputs)."""
    trace = current_mode().trace
    if trace is None or t is None or id(t) in trace.known:
        return trace
    return None


def refuse_grad_in_trace(what: str) -> None:
    """``t.grad`` read or set while al.compile records: TraceError. The traced copy of an
    argument has no .grad (eagerly w.grad may hold one), and an outside tensor's .grad
    would be baked into every replay; the compiled function returns the gradients."""
    trace = current_mode().trace
    if trace is not None:
        raise TraceError(f"al.compile({trace.fname}): {what} t.grad inside the compiled "
                         f"function, at\n  {user_line()}\nA replay would not see .grad as "
                         "it is then (an argument's copy has none). Take the gradients from "
                         "what the compiled function returns, (value, grads), and read or "
                         "set .grad outside it")


@contextmanager
def tracing(trace: Any) -> Iterator[None]:
    """Record every op on a tensor of ``trace`` (and keep recording them as usual)."""
    with _switched(trace=trace):
        yield


# ---- anomaly mode -------------------------------------------------------------------------

class AnomalyError(FloatingPointError):
    """A NaN or inf appeared under ``detect_anomaly()``."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise AnomalyError at the first NaN/inf made in forward or backward, naming the op,
    the shapes, the line of user code that created the op and the likely cause."""
    with _switched(anomaly=True), np.errstate(all="ignore"):
        yield


_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep


def user_line() -> str:
    """``file:line: code`` of the innermost frame outside this package and Python's own
    library (copy.copy(t) is the user's line, not copy.py's call of __reduce_ex__)."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        path = os.path.abspath(frame.filename)
        if not (path.startswith(_PKG_DIR) or path.startswith(_STDLIB_DIR)
                and "site-packages" not in path):
            return f'{frame.filename}:{frame.lineno}: {(frame.line or "").strip()}'
    return "<unknown>"


def user_stacklevel() -> int:
    """warnings.warn's stacklevel, from the caller of this function, that names the user's
    line: the first frame outside this package (al.tensor([...]) is the user's, not the
    Tensor() it calls)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PKG_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _finite(x) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x))))


def _hint(name: str, vals: list) -> str:
    arrays = [np.asarray(v) for v in vals if hasattr(v, "shape") or np.isscalar(v)]
    if name == "log" and arrays and np.any(arrays[0] <= 0):
        return ("log of 0 or of a negative number. In a cross-entropy, A reached exactly 0 "
                "or 1: use binary_cross_entropy_with_logits on Z, or clip A")
    if name == "exp" and arrays:
        return (f"exp overflowed: its input reaches {np.max(arrays[0]):.4g} (exp(709) is the "
                "limit); a sigmoid written 1 / (1 + np.exp(-z)), as the course's, overflows "
                "for z < -709 and its gradient is then 0 * inf = nan: al.sigmoid(z) (or "
                "binary_cross_entropy_with_logits) computes it without overflow")
    if name in ("divide", "power") and any(np.any(a == 0) for a in arrays[1:2] + arrays[:1]):
        return "division by zero (or a negative power of 0)"
    return "an input was already large, or the op is outside its domain"


def _called_as(name: str, scope: tuple) -> str:
    """'power' (in sqrt): the primitive, and the composite the user called that ran it (marked
    on the output once the call returns: backward sees it, forward's check does not)."""
    outer = next((mark[0].name for mark in scope if type(mark) is tuple), name)
    return f"'{name}'" if outer == name else f"'{name}' (in {outer})"


def check_forward(name: str, ans: Any, vals: list) -> None:
    """Raise AnomalyError if ``ans`` is not finite although every input was."""
    if _finite(ans) or not all(_finite(v) for v in vals if hasattr(v, "dtype")):
        return
    shapes = ", ".join(str(np.shape(v)) for v in vals)
    raise AnomalyError(f"'{name}' produced NaN/inf in forward (input shapes {shapes}) at\n"
                       f"  {user_line()}\nlikely cause: {_hint(name, vals)}")


def check_backward(name: str, gi: Any, i: int, vals: list, where: str | None,
                   scope: tuple = ()) -> None:
    """Raise AnomalyError if the gradient ``gi`` of input ``i`` is not finite."""
    if _finite(getattr(gi, "_data", gi)):
        return
    shapes = ", ".join(str(np.shape(v)) for v in vals)
    raise AnomalyError(f"{_called_as(name, scope)} produced NaN/inf in backward (gradient of "
                       f"input {i}; input shapes {shapes}); the op was created at\n  {where}\n"
                       f"likely cause: {_hint(name, vals)}")


# ---- shape errors of ops (apply() raises them) -----------------------------------------

_BROADCAST_HINT = ("shapes must broadcast: compared from the right, each pair of axes equal or "
                   "one of them 1, as b (n[l], 1) with Z (n[l], m)")
_SHAPE_HINTS = {
    "matmul": "the first's last axis must equal the second's second-to-last, as W "
              "(n[l], n[l-1]) @ A (n[l-1], m)",
    "concatenate": "all shapes must be equal except along the joining axis",
    "einsum": "a letter must stand for axes of one length in every operand",
}


class OpValueError(ValueError):
    """A value an op's forward refuses, in the op's own words (numpy's messages get the
    shapes added instead)."""


def shape_message(prim, vals, err) -> str:
    """The message for ``prim`` failing on these shapes (numpy's ValueError ``err``), in
    course notation where it applies. A forward's own message (an OpValueError: bce's "p
    holds values in ...") is kept as it is."""
    if isinstance(err, OpValueError):
        return str(err)
    shapes = " and ".join(str(np.shape(v)) for v in vals if not isinstance(v, (slice, tuple)))
    hint = _SHAPE_HINTS.get(prim.name, _BROADCAST_HINT if len(vals) > 1 else "")
    return (f"{prim.name}: cannot apply to shapes {shapes}" + (f": {hint}" if hint else "")
            + f" (numpy: {err})")


def read_as_value(t, what: str) -> None:
    """Warn where ``t``, a tensor the engine is differentiating (al.grad's x, a custom VJP's
    input under create_graph), is read as ``what`` (a number, an array): the derivative
    through what is computed from it is lost."""
    if t._requires_grad and differentiating.get() and (who := cut_off(t)):
        warn_cut(f"{who} became {what}: if it is computed with (x * float(x)), that part of "
                 "the derivative is lost (JAX raises here); a branch on it (if float(x) > 0) "
                 "or a print loses nothing: x.detach() says it is meant")


def missing_name(module: str, name: str, hint: str, frame) -> Exception:
    """The error for ``module.name`` that is not there, with ``hint`` (what to write): an
    AttributeError, or where ``frame`` runs ``from module import name``, an ImportError,
    since Python replaces an AttributeError there with a bare "cannot import name" (an
    ImportError elsewhere would escape hasattr())."""
    try:
        importing = frame.f_code.co_code[frame.f_lasti] == _IMPORT_FROM
    except (IndexError, AttributeError):
        importing = False
    if importing:
        return ImportError(f"cannot import name {name!r} from {module!r}: {hint}", name=module)
    return AttributeError(f"module {module!r} has no attribute {name!r}: {hint}")


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]
