"""User-defined primitives: a forward on arrays and a hand-written VJP per input.

A user's forward and VJPs are guarded (the engine's own are trusted, and run bare): they
get read-only views of the arrays they are given, so that ``x -= x.max()`` raises at its
line instead of changing the caller's data (a parameter, or a ``g`` that ``add`` hands to
both of its inputs); what they return is checked to be one real array of a shape the
engine can use, and copied where the caller might still hold it. (A view costs about
0.7 us an array: a custom op is the user's code to check, not the engine's hot path.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .modes import current_mode, differentiating, mode_var
from .tensor import Primitive, Tensor, _as_float_array, _make


def custom_op(forward: Callable, *vjps: Callable | None, name: str | None = None) -> Primitive:
    """Make a new primitive from ``forward(*arrays, **kw) -> array`` and one
    ``vjp(g, ans, *arrays, **kw) -> gradient`` per input (None: not differentiable).

    The result is called like a function on Tensors, arrays, numbers or lists and is
    recorded in the graph like a built-in op, so ``gradcheck`` can check its hand-written
    VJPs. Positional inputs are data, taken as ``Tensor()`` takes them (lists and, with no
    Tensor among them, int arrays become float arrays); give parameters such as a shape or
    an index by keyword (``tile(x, shape=(3, 2))``): they reach ``forward`` as given::

        cube = custom_op(lambda x: x ** 3, lambda g, ans, x: 3 * x ** 2 * g, name="cube")
        gradcheck(cube, [np.random.randn(3)])

    Also usable as a decorator: ``@custom_op`` then ``@cube.defvjp``.
    """
    if not callable(forward):
        raise TypeError("custom_op: forward must be a function of numpy arrays")
    for i, v in enumerate(vjps):
        if v is not None and not callable(v):
            raise TypeError(f"custom_op: vjp {i} must be a function (g, ans, *inputs) or None")
    return _CustomPrimitive(name or getattr(forward, "__name__", "custom"), forward, *vjps)


class _CustomPrimitive(Primitive):
    __slots__ = ()

    def defvjp(self, *vjps: Callable | None) -> Primitive:
        """Set the VJPs (decorator-friendly: returns the primitive)."""
        self.set_vjps(*vjps)
        return self


def guard(prim: Primitive) -> None:
    """Guard a user's primitive: its forward (once: defvjp sets the VJPs again), and each
    VJP it was given (not the engine's rule for None, which only raises)."""
    if not getattr(prim.forward, "guarded", False):
        prim.forward = guard_forward(prim.forward, prim.name)
    prim.vjps = tuple(v if getattr(v, "not_differentiable", False) else guard_vjp(v, prim.name, i)
                      for i, v in enumerate(prim.vjps))


def wrong_arity(prim: Primitive, given: int) -> str:
    """Why ``prim`` cannot take ``given`` inputs, saying what to write for a custom op."""
    n = prim.arity
    if not prim.user_defined:
        return f"{prim.name}() takes {n} input{'s' if n != 1 else ''}, got {given}"
    if n == 0:
        return (f"custom op '{prim.name}' has no vjp yet: give one per input, "
                f"custom_op(forward, vjp, ...) or @{prim.name}.defvjp")
    return (f"custom op '{prim.name}' takes {n} input{'s' if n != 1 else ''}, one per vjp, "
            f"got {given}: give parameters (an axis, a shape) by keyword, as "
            f"{prim.name}(x, axis=1), or give the op one vjp per input (None where an input "
            "is not differentiable)")


def guard_forward(forward: Callable, name: str) -> Callable:
    """``forward`` run on read-only views of its inputs, its result one array."""
    def run(*inputs, **kwargs):
        tensors = [k for k, v in kwargs.items() if type(v) is Tensor and v.requires_grad]
        if tensors:
            raise TypeError(f"custom op '{name}': {tensors[0]}= is a Tensor that requires "
                            "grad, but keywords are parameters, passed to forward as they "
                            "are and not differentiated; give it positionally, with a vjp "
                            "(None if it needs no gradient), or pass its values as an array "
                            "(t.numpy())")
        try:
            ans = forward(*[_read_only(v) for v in inputs], **kwargs)
        except ValueError as err:
            raise _wrote(err, name, "its forward", "an input") from None
        return _one_array(ans, name, inputs)

    run.__wrapped__, run.guarded = forward, True  # type: ignore[attr-defined]
    return run


def guard_vjp(vjp: Callable, name: str, i: int) -> Callable:
    """``vjp`` run on read-only views, recording only under create_graph (as in PyTorch),
    its result checked: the gradient of input ``i``, of its shape or the output's."""
    def rule(g, ans, *inputs, **kwargs):
        create = type(g) is Tensor
        token = mode_var.set(current_mode().recording(create))
        named = differentiating.set(f"custom op '{name}': vjp {i}, {_AGAIN}" if create
                                    else differentiating.get())
        try:
            gi = vjp(_read_only(g), _read_only(ans), *[_read_only(v) for v in inputs],
                     **kwargs)
        except ValueError as err:
            raise _wrote(err, name, f"vjp {i}", "g, ans or an input") from None
        except TypeError as err:
            if not create:
                raise
            raise TypeError(
                f"custom op '{name}': vjp {i} failed while it was differentiated again "
                "(al.hessian, gradgradcheck or backward(create_graph=True) pass it Tensors, "
                f"so that its own gradient is recorded): {err}. Write it with operations "
                "autograd_lite differentiates (al.where(x > 0, 1.0, 0.0) for "
                "np.heaviside), or differentiate it once only") from err
        finally:
            differentiating.reset(named)
            mode_var.reset(token)
        if create and type(gi) is not Tensor and g.requires_grad and np.any(gi):  # (linear in
            # g: it is lost, unless it is 0, as a step function's VJP is)
            raise TypeError(
                f"custom op '{name}': vjp {i} returned {type(gi).__name__}, not a Tensor, while "
                f"it was {_AGAIN}: the derivative through it would be lost (second derivatives "
                "missing or 0). Build it from g, ans and the inputs with operations the engine "
                "records (g * al.ones_like(x), not np.full(x.shape, g); no writes into a new "
                "array), or differentiate it once only")
        return _gradient(gi, name, i, inputs[i], ans, create)

    rule.__wrapped__ = vjp  # type: ignore[attr-defined]
    return rule


# why a VJP gets Tensors: its own derivative is being recorded
_AGAIN = "run again to differentiate it (al.hessian, gradgradcheck, create_graph=True)"


def _read_only(v: Any) -> Any:
    if type(v) is np.ndarray and v.flags.writeable:
        v = v.view()
        v.flags.writeable = False
    return v


def _wrote(err: ValueError, name: str, who: str, what: str) -> Exception:
    """numpy's error for a write into a read-only array as one that says what to write
    instead; a library's refusal of a read-only buffer as one that says to copy; others
    as they are."""
    if str(err) in ("assignment destination is read-only", "output array is read-only"):
        return RuntimeError(f"custom op '{name}': {who} writes into {what} (numpy: {err}). "
                            "These arrays are the caller's (a parameter's data, a gradient "
                            "that other inputs share): make a new array, x = x - x.max() "
                            "rather than x -= x.max(), 2 * g rather than g *= 2")
    if "read-only" in str(err):
        return RuntimeError(f"custom op '{name}': {who} calls something that needs a writable "
                            f"array ({err}); the arrays a custom op is given are read-only "
                            "views of the caller's: pass it a copy, np.array(x)")
    return err


def _one_array(ans: Any, name: str, inputs: tuple) -> Any:
    """A forward's result as the engine stores it: one real array (or numpy number) of its
    own; numbers and lists become float arrays. A copy where it shares memory with an input
    (``return x``, ``x.T``): an op that is not a declared view must not change when its
    input is written."""
    if type(ans) is Tensor:
        raise TypeError(f"custom op '{name}': forward returned a Tensor. It is given numpy "
                        "arrays and returns one (x * 2, not al.Tensor(x * 2)); a function "
                        "made of autograd_lite ops needs no custom op: the engine "
                        "differentiates it")
    if type(ans) is tuple:
        raise TypeError(f"custom op '{name}': forward returned a tuple of {len(ans)}; a custom "
                        "op has one output. Return one array (np.stack the outputs, and index "
                        "the result), or make one op per output")
    if not (type(ans) is np.ndarray or isinstance(ans, np.generic)) \
            or ans.dtype.kind not in "biuf":  # (int and bool arrays as they are: indices, masks)
        return _as_float_array(ans, None, f"custom op '{name}'")
    if type(ans) is np.ndarray and any(type(v) is np.ndarray and np.may_share_memory(ans, v)
                                       for v in inputs):
        return ans.copy()
    return ans


def _gradient(gi: Any, name: str, i: int, x: Any, ans: Any, create: bool) -> Any:
    """A VJP's result as the engine's own: a new array (the user's function may keep what it
    returned), or a Tensor under create_graph, of input ``i``'s shape, or of the output's
    (the engine sums it over the axes the forward broadcast)."""
    where = f"custom op '{name}': vjp {i}"
    if gi is None:
        raise TypeError(f"{where} returned None; give None instead of a function for an "
                        "input that is not differentiable")
    if type(gi) is Tensor:  # under create_graph keep the history, else the values
        gi = gi if create else gi._data.copy()
    else:
        gi = np.array(gi)
        if gi.dtype.kind not in "iuf":
            raise TypeError(f"{where} returned {_kind(gi)}, not real numbers; return one "
                            "array of the input's shape")
    shape, x_shape, out_shape = np.shape(gi), np.shape(x), np.shape(ans)
    if shape != x_shape and shape != out_shape:
        raise ValueError(
            f"{where} returned shape {shape}; a gradient has input {i}'s shape {x_shape} (or "
            f"the output's {out_shape}, which the engine sums back over the axes the forward "
            "broadcast)" + (" (a tuple or list of several gradients? each input has its own "
                            "vjp)" if shape[1:] == x_shape else ""))
    return _make(gi, False) if create and type(gi) is not Tensor else gi  # a constant of it


def _kind(a: np.ndarray) -> str:
    return {"c": "complex values", "U": "text", "S": "bytes", "b": "booleans"}.get(
        a.dtype.kind, f"an array of {a.dtype}")
