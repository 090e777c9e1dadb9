"""Other libraries' names for the engine's ops and Tensor methods, so that code written
for them runs: PyTorch's ``t.pow(2)``, ``t.view(3, 2)``, ``t.clamp(min=0)``, ``t.t()``,
``al.cat([a, b], dim=1)``, ``t.gt(0)``, ``t.size(0)``, ``t.argmax(dim=1)``,
``al.manual_seed(1)``, the in-place ``t.sub_(lr * g)``, ``t.zero_()``; MyGrad's and numpy's
``t.copy()``; micrograd's ``t.label``.

Each op in ``ops.OPS`` lists its PyTorch spellings (``Op.torch``: ``"t.pow"`` is a Tensor
method, ``"al.cat"`` a module function). A name whose arguments are the op's own binds the
op's function; the others have an adapter below, from PyTorch's arguments to numpy's. The
surface tests call every listed name, and the README's operations table shows them.
"""

from __future__ import annotations

import operator
import types
from typing import Any

import numpy as np

from . import creation, modes, ops
from .creation import check_device
from .ops import OPS, _reshape_method, _torch_keywords
from .ops import _either_name as _either
from .tensor import Tensor, _cut_off, _no_value

__all__ = ["cat", "manual_seed"]


def _clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's ``t.clamp(min=..., max=...)``: numpy's ``clip(t, min, max)``."""
    if min is None and max is None:
        raise ValueError("clamp: give min=, max= or both")
    return ops.clip(self, min, max)


def _permute(self: Tensor, *dims: Any) -> Tensor:
    """PyTorch's ``t.permute(1, 0)`` or ``t.permute((1, 0))``: numpy's ``transpose``."""
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = tuple(dims[0])
    if len(dims) != self.ndim:
        raise ValueError(f"permute: give the new order of all {self.ndim} axes of shape "
                         f"{self.shape}, got {dims}")
    return ops.transpose(self, dims)


def _amax(self: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
          keepdims: Any = None) -> Tensor:
    """PyTorch's ``t.amax(dim, keepdim)``: the maxima alone (its ``max(dim)`` adds indices);
    numpy's ``axis=`` and ``keepdims=`` are taken too."""
    dim, keepdim = _either(dim, axis, "amax", _AXIS), _either(keepdim, keepdims, "amax", _AXIS,
                                                             False)
    return ops.max(self, axis=_every_axis(dim), keepdims=keepdim)


def _amin(self: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
          keepdims: Any = None) -> Tensor:
    """PyTorch's ``t.amin(dim, keepdim)``: the minima alone (``axis=``, ``keepdims=`` too)."""
    dim, keepdim = _either(dim, axis, "amin", _AXIS), _either(keepdim, keepdims, "amin", _AXIS,
                                                             False)
    return ops.min(self, axis=_every_axis(dim), keepdims=keepdim)


_AXIS = "dim= or axis= (keepdim= or keepdims=)"  # amax's and amin's two names


def _every_axis(dim: Any) -> Any:
    """PyTorch's dim: None, and no axes (() or []), are every axis."""
    return None if type(dim) in (tuple, list) and not dim else dim


def _t(self: Tensor) -> Tensor:
    """PyTorch's ``t.t()``: a matrix transposed; a vector or a number as it is."""
    if self.ndim > 2:
        raise ValueError(f"t(): a tensor of shape {self.shape} has more than 2 axes; use "
                         "swapaxes(a, b) to swap two of them, or transpose(axes)")
    return ops.transpose(self)


def _expand(self: Tensor, *sizes: Any) -> Tensor:
    """PyTorch's ``t.expand(3, -1)``: ``broadcast_to``, with -1 keeping an axis's length."""
    if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
        sizes = tuple(sizes[0])
    lead = len(sizes) - self.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes for a tensor of shape {self.shape}; "
                         "give one size per axis (-1 keeps it), new axes first")
    if -1 in sizes[:lead]:
        raise ValueError(f"expand{tuple(sizes)}: -1 keeps an existing axis's length; the "
                         f"{lead} new leading axes of shape {self.shape} need their sizes")
    shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                  for i, n in enumerate(sizes))
    return ops.broadcast_to(self, shape)


def _mm(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``t.mm(other)``: the product of two matrices (``@`` takes vectors too)."""
    shapes = (self.shape, np.shape(other))  # (other.data warned inside al.grad)
    if any(len(s) != 2 for s in shapes):
        raise ValueError(f"mm: both must be matrices (2 axes), got shapes {shapes[0]} and "
                         f"{shapes[1]}; use matmul (@) for vectors and stacks")
    return ops.matmul(self, other)


def _add(self: Tensor, other: Any, *, alpha: Any = None) -> Tensor:
    """PyTorch's ``t.add(other, alpha=1)``: ``t + alpha * other``."""
    return ops.add(self, other if alpha is None else other * alpha)


def _sub(self: Tensor, other: Any, *, alpha: Any = None) -> Tensor:
    """PyTorch's ``t.sub(other, alpha=1)``: ``t - alpha * other``."""
    return ops.subtract(self, other if alpha is None else other * alpha)


def _float(self: Tensor) -> Tensor:
    """PyTorch's ``t.float()``: float32 (``astype(np.float32)``)."""
    return ops.astype(self, np.float32)


def _double(self: Tensor) -> Tensor:
    """PyTorch's ``t.double()``: float64 (``astype(np.float64)``)."""
    return ops.astype(self, np.float64)


def _to(self: Tensor, target: Any = None, dtype: Any = None) -> Tensor:
    """PyTorch's ``t.to("cpu")`` (numpy runs on the CPU: ``t`` itself) or ``t.to(dtype)``
    (``astype``, float dtypes)."""
    for what in (target, dtype):
        if what is not None and not (isinstance(what, str) and what.split(":")[0] == "cpu"):
            try:
                kind = np.dtype(what)
            except TypeError:
                raise TypeError(f"t.to({what!r}): numpy runs on the CPU alone, so a device "
                                "other than 'cpu' has no meaning here; a dtype such as "
                                "np.float32 converts") from None
            self = ops.astype(self, kind)
    return self


def _cpu(self: Tensor) -> Tensor:
    """PyTorch's ``t.cpu()``: ``t`` itself (numpy's arrays are in the CPU's memory)."""
    return self


def _masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
    """PyTorch's ``t.masked_fill(mask, value)``: ``al.where(mask, value, t)``."""
    return ops.where(mask, value, self)


def _where_method(self: Tensor, condition: Any, y: Any) -> Tensor:
    """PyTorch's ``t.where(condition, y)``: ``al.where(condition, t, y)``."""
    return ops.where(condition, self, y)


def _clone(self: Tensor) -> Tensor:
    """PyTorch's ``t.clone()``: a copy of the data that stays in the graph (gradients flow
    back to ``t``); drawn as an ``astype`` to the same dtype, which is what it computes.
    ``t.detach()`` is the copy without history (sharing the data)."""
    return ops.astype(self, self.dtype)


def cat(tensors: Any, dim: int | None = 0, *, axis: int | None = None) -> Tensor:
    """PyTorch's ``torch.cat(tensors, dim=0)``: ``concatenate(tensors, axis=dim)`` (``axis=``
    is taken too, as torch.cat takes it)."""
    if axis is not None:
        if dim != 0:
            raise TypeError("cat: give dim= or axis=, not both")
        dim = axis
    return ops.concatenate(tensors, dim)


def _numel(self: Tensor) -> int:
    """The number of entries (PyTorch's ``t.numel()``; numpy's ``t.size``)."""
    return self._data.size


def _dim(self: Tensor) -> int:
    """The number of axes (PyTorch's ``t.dim()``; numpy's ``t.ndim``)."""
    return self._data.ndim


def _copy(self: Tensor) -> Tensor:
    """A new leaf holding a copy of the data (and of ``.grad``), with the same
    ``requires_grad`` and no history, as MyGrad's ``copy``; the copy of numpy code's
    ``W.copy()``. PyTorch's ``t.clone()`` is the copy that stays in the graph."""
    _no_value(self, "copy() (a new leaf: its values would be baked into the trace)")
    # Z.copy() mid-graph, or of a variable the engine is differentiating (a VJP's x.copy())
    subject = (_cut_off(self) if self._op is not None or modes.differentiating.get()
               else None)
    if subject is not None:
        modes.warn_cut(f"t.copy() of {subject} is a new leaf (MyGrad's copy): no gradient "
                       "reaches what it was computed from. t.clone() is the copy that stays "
                       "in the graph; t.detach() says you want it cut off")
    out = Tensor(self._data.copy(), requires_grad=self.requires_grad, name=self.name)
    out._grad = None if self._grad is None else np.array(self._grad, copy=True)
    return out


class _Size(int):
    """numpy's ``t.size``, the number of entries (an int), which can also be called as
    PyTorch's ``t.size()`` (the shape) and ``t.size(dim)`` (one axis's length)."""

    def __new__(cls, size: int, shape: tuple[int, ...]) -> _Size:
        out = super().__new__(cls, size)
        out.shape = shape
        return out

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        if not -len(self.shape) <= dim < len(self.shape):
            raise IndexError(f"size({dim}): a tensor of shape {self.shape} has "
                             f"{len(self.shape)} axes")
        return self.shape[dim]


def manual_seed(seed: int) -> None:
    """PyTorch's ``torch.manual_seed(seed)``: seeds numpy's global random state, which
    ``al.randn`` and ``al.rand`` draw from (the course's ``np.random.seed(seed)``)."""
    np.random.seed(seed)


def _ravel(self: Tensor, order: str = "C") -> Tensor:
    """``t.ravel()``: the entries as one axis, a view where it can be (numpy's and PyTorch's);
    numpy's ``t.ravel("F")`` in column order."""
    return _reshape_method(self, -1, order=order)


def _set_label(self: Tensor, label: str | None) -> None:
    self.name = label


def _split(self: Tensor, split_size_or_sections: Any, dim: int = 0, *,
           axis: int | None = None) -> list[Tensor]:
    """PyTorch's ``t.split(size, dim)``: pieces of ``size`` along ``dim`` (the last may be
    smaller), or of the sizes listed, which must add up to the axis. Views of t, each with
    its gradient (numpy's np.split(t, k) counts sections instead). ``axis=`` is dim."""
    dim = dim if axis is None else axis
    n = self.shape[ops._axes(dim, self.ndim, "split")[0]]
    if np.ndim(split_size_or_sections) == 0:
        size = operator.index(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: the size of each piece must be at least 1, got {size}")
        starts = list(range(0, n, size)) or [0]
        return ops.pieces(self, [(a, a + size) for a in starts], dim, "split")
    sizes = [operator.index(k) for k in split_size_or_sections]
    if sum(sizes) != n or min(sizes, default=0) < 0:
        raise ValueError(f"split: the sizes {sizes} must be >= 0 and add up to {n}, the "
                         f"length of axis {dim} of the tensor of shape {self.shape}")
    return ops.pieces(self, ops.spans_of(sizes), dim, "split")


def _chunk(self: Tensor, chunks: int, dim: int = 0, *, axis: int | None = None) -> list[Tensor]:
    """PyTorch's ``t.chunk(chunks, dim)``: at most ``chunks`` pieces of ceil(n / chunks)
    along ``dim`` (or ``axis=``); views of t, each with its gradient."""
    dim = dim if axis is None else axis
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be at least 1, got {chunks}")
    n = self.shape[ops._axes(dim, self.ndim, "chunk")[0]]
    return _split(self, max(1, -(-n // chunks)), dim)


def _view(self: Tensor, *shape: Any) -> Tensor:
    """PyTorch's ``t.view(shape)``: the same entries in a new shape, always a view of t
    (a write through it reaches t); where the layout allows no view, as after a transpose,
    it is refused as PyTorch refuses it, rather than quietly copied."""
    if len(shape) == 1 and (isinstance(shape[0], (str, type, np.dtype))):
        raise TypeError(f"view({shape[0]!r}): PyTorch's view(dtype) reads the bytes as another "
                        "dtype, which a gradient cannot follow; t.astype(dtype) converts the "
                        "values (float dtypes)")
    out = _reshape_method(self, *shape)
    if (type(self._data) is np.ndarray and self._data.size  # (0-d data: a numpy scalar)
            and not np.may_share_memory(out._data, self._data)):
        raise RuntimeError(f"view({', '.join(map(repr, shape))}): the entries of this tensor "
                           f"of shape {self.shape} are not laid out in that order (a "
                           "transpose, or a slice that skips entries), "
                           "so it cannot be a view of them; write t.reshape(...), which "
                           "copies where it must (PyTorch's advice too)")
    return out


def _view_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``t.view_as(other)``: ``t.view(other.shape)``."""
    return _view(self, *np.shape(ops._val(other)))


def _reshape_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``t.reshape_as(other)``: ``t.reshape(other.shape)``."""
    return _reshape_method(self, *np.shape(ops._val(other)))


def _contiguous(self: Tensor) -> Tensor:
    """PyTorch's ``t.contiguous()``: t itself where its entries lie in C order, else a copy
    in that order that stays in the graph, so that ``t.transpose(1, 2).contiguous().view(n,
    -1)`` is a view of the copy (it was t itself, and view() refused the transpose)."""
    data = self._data
    if type(data) is not np.ndarray or data.flags.c_contiguous:
        return self
    out = ops.astype(self, self.dtype)  # (a new array in the graph, as t.clone() ...)
    out._data = np.ascontiguousarray(out._data)  # (... whose layout astype keeps)
    return out


def _flip(self: Tensor, *dims: Any, **keywords: Any) -> Tensor:
    """PyTorch's ``t.flip(dims)``: reversed along each axis in dims, a copy as PyTorch's (numpy's
    ``np.flip(t)`` is a view, as for arrays)."""
    if "dims" in keywords and not dims:
        dims = (keywords.pop("dims"),)
    if keywords:
        raise TypeError(f"flip() got an unexpected keyword {next(iter(keywords))!r}")
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if not dims:
        raise TypeError("flip(dims): give the axes to reverse, t.flip(0) or t.flip((0, 1)) "
                        "(np.flip(t) reverses every axis)")
    return ops.new_array(ops.flip(self, dims), self)


def _tril(self: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's ``t.tril(diagonal)``: ``np.tril(t, k=diagonal)``."""
    return ops.tril(self, diagonal)


def _triu(self: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's ``t.triu(diagonal)``: ``np.triu(t, k=diagonal)``."""
    return ops.triu(self, diagonal)


def _gather(self: Tensor, dim: int, index: Any) -> Tensor:
    """PyTorch's ``t.gather(dim, index)`` (index an int array, or a Tensor of PyTorch's
    longs is not one here: give numpy ints)."""
    return ops.gather(self, dim, index)


def _expand_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``t.expand_as(other)``: ``al.broadcast_to(t, other.shape)``."""
    return ops.broadcast_to(self, np.shape(ops._val(other)))


def _type_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``t.type_as(other)``: t in other's float dtype (t itself if it has it)."""
    dtype = getattr(ops._val(other), "dtype", None)
    if dtype is None:
        raise TypeError(f"type_as: give a Tensor or an array, got {type(other).__name__}")
    return self if dtype == self.dtype else ops.astype(self, dtype)


def _new(fill: Any) -> Any:
    make = creation.zeros if fill == "zeros" else creation.ones

    def new(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False,
            device: Any = None, **keywords: Any) -> Tensor:
        check_device(device, f"new_{fill}")
        if "size" in keywords and not size:
            size = (keywords.pop("size"),)
        if keywords:
            raise TypeError(f"new_{fill}() got an unexpected keyword {next(iter(keywords))!r}")
        return make(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    new.__name__ = new.__qualname__ = f"new_{fill}"
    new.__doc__ = (f"PyTorch's ``t.new_{fill}(size)``: {fill} of that shape in t's dtype (a "
                   "new leaf, requires_grad= as given).")
    return new


def _diagonal_method(self: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1, *,
                     axis1: Any = None, axis2: Any = None) -> Tensor:
    """PyTorch's ``t.diagonal(offset, dim1, dim2)`` and numpy's (``axis1=``, ``axis2=``): a
    matrix's diagonal, with its gradient."""
    return ops.diagonal(self, offset, _either(dim1, axis1, "diagonal", "dim1= or axis1=", 0),
                        _either(dim2, axis2, "diagonal", "dim2= or axis2=", 1))


def _trace_method(self: Tensor, offset: int = 0) -> Tensor:
    """PyTorch's and numpy's ``t.trace()``: the sum of a matrix's diagonal."""
    return ops.sum(ops.diagonal(self, offset))


def _new_full(self: Tensor, size: Any, fill_value: float, *, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """PyTorch's ``t.new_full(size, v)``: v everywhere, in t's dtype (a new leaf)."""
    check_device(device, "new_full")
    return creation.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_tensor(self: Tensor, data: Any, *, dtype: Any = None, requires_grad: bool = False,
                device: Any = None) -> Tensor:
    """PyTorch's ``t.new_tensor(data)``: a new leaf of data (copied) in t's dtype."""
    check_device(device, "new_tensor")
    return Tensor(data, requires_grad=requires_grad, dtype=dtype or self.dtype)


def _fliplr(self: Tensor) -> Tensor:
    """PyTorch's ``t.fliplr()``: ``t.flip(1)``, a copy (``np.fliplr(t)`` is numpy's view)."""
    return _flip(self, 1)


def _flipud(self: Tensor) -> Tensor:
    """PyTorch's ``t.flipud()``: ``t.flip(0)``, a copy."""
    return _flip(self, 0)


def _clamp_min(self: Tensor, min: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
    """PyTorch's ``t.clamp_min(v)``: ``t.clamp(min=v)``."""
    return _clamp(self, min=min)


def _clamp_max(self: Tensor, max: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
    """PyTorch's ``t.clamp_max(v)``: ``t.clamp(max=v)``."""
    return _clamp(self, max=max)


def _sign(self: Tensor) -> np.ndarray:
    """PyTorch's ``t.sign()``: -1, 0 or 1 per entry, a plain array as ``np.sign(t)`` and
    ``t > 0`` are (its derivative is 0 wherever it has one)."""
    return np.sign(self)


def _round(self: Tensor, decimals: int = 0) -> np.ndarray:
    """numpy's ``t.round(decimals)``: a plain array, as ``np.round(t)`` (no gradient)."""
    return np.round(self, decimals)


def _nonzero(self: Tensor) -> tuple:
    """numpy's ``t.nonzero()``: the indices of the nonzero entries, one array per axis (PyTorch's
    is one (count, ndim) array: ``np.argwhere(t.data)``)."""
    return np.nonzero(self)


def _fill(self: Tensor, value: Any) -> None:
    """numpy's ``t.fill(v)``: every entry v, in place (``t.fill_(v)``, by its rules)."""
    _fill_(self, value)


def _contains(self: Tensor, value: Any) -> bool:
    """``v in t``: whether any entry equals v, as numpy's and PyTorch's (a 2-D tensor's rows
    were compared in turn, and a row's truth is ambiguous)."""
    _no_value(self, "v in t")
    return bool((self._data == ops._val(value)).any())


def _unbind(self: Tensor, dim: int = 0) -> list[Tensor]:
    """PyTorch's ``t.unbind(dim)``: the slices along ``dim``, each without it, as views of
    t with their gradients: (n, m).unbind() gives n tensors of shape (m,)."""
    n = self.shape[ops._axes(dim, self.ndim, "unbind")[0]]
    return [ops.squeeze(p, dim) for p in _chunk(self, n, dim)] if n else []


# PyTorch's name -> its adapter, where its arguments are not the op's own
ADAPTERS = {"t.add": _add, "t.sub": _sub, "t.clamp": _clamp, "t.view": _view,
            "t.permute": _permute, "t.t": _t, "t.mm": _mm, "t.expand": _expand,
            "t.float": _float, "t.double": _double, "t.clone": _clone,
            "t.unsqueeze": _torch_keywords(ops.expand_dims), "t.amax": _amax,
            "t.amin": _amin, "t.ravel": _ravel, "al.cat": cat}

for _op in OPS.values():
    for _spelling in _op.torch:
        _where, _name = _spelling.split(".")
        _function = ADAPTERS.get(_spelling, _op.function)
        assert isinstance(_function, types.FunctionType), _spelling  # binds as a method
        if _where == "t":
            setattr(Tensor, _name, _function)
        else:  # al.cat: a function of this module, exported by __init__
            assert globals()[_name] is _function, _spelling

Tensor.numel, Tensor.dim, Tensor.copy = _numel, _dim, _copy
Tensor.split, Tensor.chunk = _split, _chunk
Tensor.view_as, Tensor.reshape_as = _view_as, _reshape_as
Tensor.contiguous, Tensor.unbind, Tensor.__contains__ = _contiguous, _unbind, _contains
Tensor.flip, Tensor.tril, Tensor.triu, Tensor.gather = _flip, _tril, _triu, _gather
Tensor.expand_as, Tensor.type_as = _expand_as, _type_as
Tensor.new_zeros, Tensor.new_ones = _new("zeros"), _new("ones")
Tensor.sign = _sign
Tensor.diagonal, Tensor.trace = _diagonal_method, _trace_method
Tensor.fliplr, Tensor.flipud = _fliplr, _flipud
Tensor.new_full, Tensor.new_tensor, Tensor.new_empty = _new_full, _new_tensor, _new("zeros")
Tensor.clamp_min, Tensor.clamp_max = _clamp_min, _clamp_max
Tensor.round, Tensor.nonzero, Tensor.fill = _round, _nonzero, _fill
Tensor.to, Tensor.cpu = _to, _cpu


def _refused(name: str, hint: str):
    """PyTorch's ``t.name()``, which has no counterpart here: a method saying what to write.
    (Not a Tensor.__getattr__ for every missing name: a class with one loses CPython's
    quick attribute reads, and expr took 25 % more instructions.)"""
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"t.{name}(): {hint}")
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"PyTorch's ``t.{name}()``: refused, saying what to write."
    return method


# (not t.int(): a class attribute named int broke the annotations `int | None` that the API
# reference reads in Tensor's namespace)
Tensor.long = _refused("long", "tensors hold floats here, which gradients need; for integer "
                               "values (which have no gradient) write t.numpy().astype(int)")
Tensor.half = _refused("half", "write t.astype(np.float16) (t.float() is float32)")
Tensor.cuda = _refused("cuda", "there is no GPU here: numpy runs on the CPU, and t.cpu() is t")
Tensor.sort = _refused("sort", "write t[np.argsort(t.data)] (indexing keeps the gradient)")
Tensor.topk = _refused("topk", "write t[np.argsort(t.data)[-k:]] for the k largest (indexing "
                               "keeps the gradient)")
Tensor.masked_fill, Tensor.where = _masked_fill, _where_method
Tensor.device = property(lambda self: "cpu", doc="PyTorch's ``t.device``: always 'cpu'.")
Tensor.grad_fn = property(lambda self: self._op, doc="PyTorch's ``t.grad_fn``: the op that "
                          "made t (its Primitive; its .name), None for a leaf.")
Tensor.size = property(lambda self: _Size(self._data.size, self._data.shape),
                       doc="The number of entries (numpy's t.size); t.size() is the shape and "
                           "t.size(dim) one axis's length (PyTorch's).")
Tensor.argmax = _torch_keywords(Tensor.argmax)  # t.argmax(dim=1), as after max(dim=)'s advice
Tensor.argmin = _torch_keywords(Tensor.argmin)
Tensor.label = property(lambda self: self.name, _set_label,
                        doc="micrograd's word for ``name``: ``e.label = 'e'`` names e's node.")
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):  # t.gt(0): t > 0, a boolean array
    setattr(Tensor, _name, getattr(Tensor, f"__{_name}__"))


# PyTorch's in-place methods: the writes of t op= x, by the same rules (a leaf, not while
# recording if it requires grad); they return the tensor, as PyTorch's do
def _inplace(name: str, operator: str) -> Any:
    write = getattr(Tensor, f"__i{operator}__")

    def method(self: Tensor, other: Any, *, alpha: Any = None) -> Tensor:
        if alpha is not None:
            if name not in ("add_", "sub_"):
                raise TypeError(f"{name}() takes no alpha=")
            other = other * alpha
        _in_place(self, name, other)
        return write(self, other)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"PyTorch's in-place ``t.{name}(x)``: ``{_OUT_OF_PLACE[name]}``, "
                      "written into t.")
    return method


# what to write instead of each in-place method, as a new tensor
_OUT_OF_PLACE = {"add_": "t = t + x", "sub_": "t = t - x", "mul_": "t = t * x",
                 "div_": "t = t / x", "zero_": "t = al.zeros_like(t)",
                 "fill_": "t = al.full_like(t, v)", "copy_": "t = al.broadcast_to(src, t.shape)",
                 "clamp_": "t = t.clamp(min, max)"}

# the same write into one entry of W, as W[0, 1] <op> x
_ASSIGNED = {"add_": "+= x", "sub_": "-= x", "mul_": "*= x", "div_": "/= x", "zero_": "= 0",
             "fill_": "= v", "copy_": "= src", "clamp_": "= W[0, 1].clamp(min, max)"}


def _in_place(t: Tensor, name: str, *values: Any) -> None:
    """What ``t op= x`` would turn into a new tensor (``t = t op x``) is refused: an in-place
    method must change ``t`` itself, as its caller reads ``t`` afterwards. So is a leaf that
    requires grad while recording, as PyTorch refuses it."""
    instead = _OUT_OF_PLACE[name]
    if getattr(t, "_entry", False):  # PyTorch's W[0, 1] is a view; numpy's is a copy
        raise RuntimeError(f"t.{name}(): this tensor is one entry taken from another (as W[0, "
                           "1] is), which numpy copies, so the write would reach the copy "
                           f"alone; write into the other: W[0, 1] {_ASSIGNED[name]} (under "
                           "`with al.no_grad():` for a parameter). For a tensor of its own, "
                           "take t = W[0, 1].clone()")
    recording = modes.is_grad_enabled()
    if t._op is not None and recording:
        raise RuntimeError(f"t.{name}(): this tensor was made by '{t._op.name}', and backward() "
                           f"would not see a write into it; write {instead} (a new tensor), "
                           "or write under `with al.no_grad():`")
    if t.requires_grad and recording:
        raise RuntimeError(f"t.{name}() on a leaf that requires grad would change it behind the "
                           "graph's back; update parameters under `with al.no_grad():`, as "
                           "PyTorch does")
    if recording and any(type(v) is Tensor and v.requires_grad for v in values):
        raise RuntimeError(f"t.{name}(): the value requires grad but this tensor does not, and "
                           f"writing it in is not recorded; write {instead} (a new tensor), or "
                           ".detach() the value")


def _zero_(self: Tensor) -> Tensor:
    """PyTorch's ``t.zero_()``: every entry 0, in place (``t[...] = 0``)."""
    _in_place(self, "zero_")
    self[...] = 0.0
    return self


def _fill_(self: Tensor, value: Any) -> Tensor:
    """PyTorch's ``t.fill_(v)``: every entry v, in place."""
    _in_place(self, "fill_", value)
    self[...] = value
    return self


def _copy_(self: Tensor, src: Any) -> Tensor:
    """PyTorch's ``t.copy_(src)``: src's values (broadcast to t's shape), in place."""
    _in_place(self, "copy_", src)
    self[...] = src
    return self


def _clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's ``t.clamp_(min=, max=)``: in place, on a leaf."""
    _in_place(self, "clamp_", min, max)
    with modes.no_grad():
        self[...] = _clamp(self, min, max)
    return self


for _name, _operator in (("add_", "add"), ("sub_", "sub"), ("mul_", "mul"), ("div_", "truediv")):
    setattr(Tensor, _name, _inplace(_name, _operator))
Tensor.zero_, Tensor.fill_, Tensor.copy_, Tensor.clamp_ = _zero_, _fill_, _copy_, _clamp_
