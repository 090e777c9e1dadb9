"""Writes into a Tensor, by PyTorch's rules: ``t += x`` and ``t[i] = x`` write in place on a
leaf that is not being recorded; anything a backward pass could miss is refused or recorded.
And copies of one (copy.copy, copy.deepcopy, pickle), which are new leaves with their own data.

``Tensor.__setitem__``, ``__reduce__`` and ``__deepcopy__`` are attached here; ops.py attaches
the ``__iadd__`` family made by ``inplace_method``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .modes import TraceError, shape_message, tracer, user_line, warn_cut
from .modes import current_mode as _current_mode
from .tensor import (
    _SEQUENCES,
    Primitive,
    Tensor,
    _as_float_array,
    _holds_tensor,
    _input_data,
    _no_value,
    binary_method,
)

__all__ = ["inplace_method"]


def list_values(seq: list | tuple) -> list:
    """Tensor([a, b]): the values of a (nested) list holding Tensors, copied and cut off from
    their graphs. Warned where one requires grad, as PyTorch does: a parameter's gradient
    would be lost unseen (al.stack keeps it)."""
    cut = []

    def values(items):
        out = []
        for e in items:
            if isinstance(e, _SEQUENCES):
                out.append(values(e))
            elif type(e) is Tensor:
                _no_value(e, "Tensor([t, ...]) (a copy of the values)")
                if e.requires_grad:
                    cut.append(e)
                out.append(e._data)
            else:
                out.append(e)
        return out

    data = values(seq)
    if cut and _current_mode().enabled:
        warn_cut(f"Tensor([...]) of {len(cut)} tensor(s) that require grad copies their "
                 "values: no gradient reaches them. al.stack(list) keeps it; write "
                 "[t.detach() for t in list] to say you want the copy")
    return data


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value`` on a leaf that is not being recorded (PyTorch's rules)."""
    what = "t[...] = value"
    _no_write(self, what)
    _check_writable(self, what, value)
    index, value = frozen_index(index, what), _written(value, what)
    try:
        self.data[index] = value
    except ValueError as e:  # numpy's "could not broadcast input array from shape ..."
        raise ValueError(f"{what}: a value of shape {np.shape(value)} does not fit "
                         f"t[index] of shape {np.shape(self.data[index])} (t has shape "
                         f"{self.shape}); give one of that shape, or one that broadcasts "
                         "to it") from e
    self._bump()


Tensor.__setitem__ = setitem


def _no_write(t: Tensor, what: str) -> None:
    """Under al.compile's trace, a write into a traced tensor (an argument, or what an op
    made from one) raises: the tape records ops, not writes."""
    trace = tracer(t)
    if trace is not None:
        raise TraceError(f"al.compile({trace.fname}): {what} writes into an argument of the "
                         f"function or a tensor computed from them, at\n  {user_line()}\nA "
                         "compiled function records ops, not writes in place: build a new "
                         "tensor instead, with al.where(mask, value, t), al.concatenate or "
                         "al.stack")


def frozen_index(index: Any, op: str) -> Any:
    """``index`` as numpy reads it, with its index arrays copied: a list, an ndarray or a
    tuple inside the index becomes a new integer or bool array. Changing the caller's index
    after the op then cannot move the gradient (PyTorch copies it too), and every advanced
    index is an array, whose gradient np.add.at accumulates (``x[:, (1, 1)]`` was taken as
    basic, and its repeated column got one share). A Tensor is refused: it holds floats."""
    if type(index) is tuple:
        return tuple(_index_item(i, op, True) for i in index)
    return _index_item(index, op, False)


def _index_item(i: Any, op: str, inside: bool) -> Any:
    kind = type(i)
    if kind is Tensor:
        _no_value(i, "indexing with a tensor (an index array given to a compiled function "
                  "is one of its inputs: give it at static_argnums as a tuple and index with "
                  "x[list(idx)], or index before the call)")  # its values would be baked in
        raise IndexError(f"{op}: an index that is a Tensor (of shape {i.shape}) holds "
                         "floats (a Tensor's values are floats even when made from ints or "
                         "bools, as al.Tensor([0, 2]) is), which numpy does not take as "
                         "indices; index with a list or an int array (x[[0, 2]], "
                         "x[np.array([0, 2])]), or a mask (x[t > 0])")
    if kind is list or kind is np.ndarray or inside and kind is tuple:
        try:
            a = np.array(i)
        except ValueError as e:  # ragged lists
            raise IndexError(f"{op}: the index {i!r} is not an array numpy can index with "
                             f"({e})") from None
        # numpy reads an empty list as an empty integer index
        return a.astype(np.intp) if a.size == 0 and a.dtype.kind == "f" else a
    return i


def _written(value: Any, what: str) -> Any:
    """The data a write reads: a Tensor's array, a list as an array (under no_grad its
    Tensors give their values), anything else as an op takes it (complex, masked refused)."""
    if type(value) is Tensor:
        _no_value(value, _WRITE_OUT.format(what))
        return value._data
    if isinstance(value, _SEQUENCES):
        return _as_float_array(value, None, what)
    return _input_data(value, what)


# al.compile: a write of a traced value into a tensor from outside would happen once, while
# recording, and never in a replay (a running mean would stay at its first value)
_WRITE_OUT = ("{} into a tensor from outside the function (a write that would happen once, "
              "while recording: return the value as an extra output and write it after the "
              "call)")


def _view_of_input(t: Tensor) -> bool:
    """Whether ``t``, made by an op, is a view of its input's memory (W[0], W.T): a write
    under no_grad goes through to the input, as in PyTorch (V = W[0]; V += 1 changes W).
    (A broadcast view is one too: _check_writable refuses the write, saying why.)"""
    src = t._args[0] if t._args else None
    return (t._op.view and type(src) is Tensor and t._versions is not None
            and t._versions is src._versions)


def _check_writable(t: Tensor, what: str, other: Any = None) -> None:
    """In-place writes follow PyTorch: fine when not being recorded (a backward() through
    a value it changed raises), an error on a leaf that requires grad while recording (use
    no_grad), and on a tensor made by an op while recording (backward would not see it)."""
    recording = _current_mode().enabled
    if type(t._data) is np.ndarray and not t._data.flags.writeable:  # (numpy: "read-only")
        raise RuntimeError(f"{what}: this tensor is a broadcast view, whose entries share "
                           "memory with each other; a write would land on one entry several "
                           "times. Write t = t op x for a new tensor")
    if t._op is not None and recording:
        raise RuntimeError(f"{what}: this tensor was made by {_maker(t)}, and backward() "
                           "would not see a write into it. Build a new tensor instead (e.g. "
                           "al.where(mask, new, t)), or write under `with al.no_grad():`")
    if t.requires_grad and recording:
        raise RuntimeError(f"{what} on a leaf that requires grad would change it behind the "
                           "graph's back. Update parameters under `with al.no_grad():` (as "
                           "PyTorch does), or through `p.data`")
    if recording and (type(other) is Tensor and other.requires_grad  # (total += [a, b] too)
                      or isinstance(other, _SEQUENCES) and _holds_tensor(other)):
        raise RuntimeError(f"{what}: the value requires grad (or holds Tensors), but writing "
                           "it into a constant is not recorded. Build a new tensor with "
                           "al.where, al.stack or al.concatenate, or .detach() the value")


def inplace_method(prim: Primitive, symbol: str) -> Callable[[Tensor, Any], Tensor]:
    """``t op= other``: in place, as numpy's and PyTorch's, when not recording (under
    no_grad: a later backward() through a value it changed raises); while recording, on a
    tensor made by an op, or a constant given a value that requires grad (``total += loss``),
    Python's ``t = t op other``, recorded, and on a view of a tensor that requires grad, an
    error (the write would reach what it views unseen)."""
    outplace = binary_method(prim)

    def method(self: Tensor, other: Any) -> Tensor:
        recording, what = _current_mode().enabled, f"in-place {symbol}"
        if recording and self._op is not None and _view_of_input(self):
            raise RuntimeError(
                f"{what} on a view made by '{self._op.name}' while recording: numpy and "
                "PyTorch write through it to what it views, which backward() would not see. "
                f"Write v = v {symbol[:-1]} x for a new tensor (what it views stays as it is), "
                "or write under `with al.no_grad():`")
        if recording and (self._op is not None or not self.requires_grad
                          and type(other) is Tensor and other.requires_grad):
            return outplace(self, other)  # total += loss: Python's total = total + loss
        _no_write(self, what)
        _check_writable(self, what, other)
        other = _written(other, what)
        try:
            value = prim.forward(self._data, other)
        except ValueError as err:  # numpy's bare "operands could not be broadcast together"
            raise ValueError(f"{what}: {shape_message(prim, [self._data, other], err)}"
                             ) from None
        if np.shape(value) != self._data.shape:
            raise ValueError(f"in-place {symbol}: the result has shape {np.shape(value)}, but "
                             f"the tensor has shape {self._data.shape}; use t = t "
                             f"{symbol[:-1]} other for a new tensor")
        if type(self._data) is np.ndarray:
            np.copyto(self._data, value, casting="same_kind")
        else:  # a numpy scalar cannot be written in place; nothing else can hold it
            self._data = self._data.dtype.type(value)
        self._bump()
        return self

    return method


# -- copies ----------------------------------------------------------------------------

def reduce(self: Tensor) -> tuple:
    """pickle and copy.copy: a new leaf with this one's data (copied), requires_grad and
    name, as PyTorch's (the gradient is not carried). A new tensor has a new creation number:
    copying the slots gave the copy this one's, and backward took the two for one tensor,
    adding their gradients into one of them."""
    _copyable(self, "pickle or copy.copy")
    return (Tensor, (np.asarray(self._data), self.requires_grad, self.name))


def deepcopy(self: Tensor, memo: dict) -> Tensor:
    """copy.deepcopy: a leaf copies (data, grad, requires_grad, name), as in PyTorch; a
    gradient recorded by create_graph is copied as its values (its graph is not the copy's)."""
    _copyable(self, "deepcopy")
    out = Tensor(self._data.copy(), self.requires_grad, self.name)
    grad = self._grad
    out._grad = (None if grad is None else Tensor(grad._data) if type(grad) is Tensor
                 else copy.deepcopy(grad, memo))
    memo[id(self)] = out
    return out


def _maker(t: Tensor) -> str:
    """The op that made ``t``, as the user wrote it: clone() is an astype to the same dtype."""
    source = t._args[0] if t._args else None  # (None once backward() freed the graph)
    if t._op.name == "astype" and type(source) is Tensor and source.dtype == t.dtype:
        return "'astype' (t.clone())"
    return f"'{t._op.name}'"


def _copyable(t: Tensor, what: str) -> None:
    """Only a leaf copies: a tensor made by an op refuses, since its copy could not reach the
    leaves' .grad (PyTorch refuses too). Under al.compile's trace, a traced value refuses."""
    _no_value(t, what)
    if t._op is not None:
        raise RuntimeError(f"{what}: this tensor was made by '{t._op.name}'; only leaves can "
                           f"be copied, since a copy could not reach the leaves' .grad ({what} "
                           "t.detach() for its values)")


Tensor.__reduce__ = reduce
Tensor.__deepcopy__ = deepcopy
