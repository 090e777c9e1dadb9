"""The reverse-mode graph walk, and what happens to a graph after it.

``backprop`` walks the graph from an output once, in one loop: each op's VJPs send its
gradient to its inputs, and broadcasting is reduced for every op in one place. The other
concerns are named steps around the loop: where gradients go (``_deliver`` during the walk,
``_deliver_leaves`` at the end: accumulated into ``.grad`` or returned), anomaly checks and
tracing (``_edge_watcher``), the version check (``_check_saved``) and the graph's fate afterwards
(``_spend``: spent, then freed or kept small for drawing).

``Tensor.backward`` is attached here, beside the walk it runs.
"""

from __future__ import annotations

import dis
import weakref
from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import numpy as np
from numpy import asarray, float64, ndarray

from . import modes
from .modes import current_mode as _current_mode
from .tensor import PRIMITIVES, Tensor, _as_float_array, _clock, _lock, _make, apply, identity_vjp

__all__ = ["backprop", "backpropagated", "gradients", "seed_of", "toposort", "unbroadcast",
           "release_kept_graphs", "is_freed", "is_spent", "KEEP_NODES", "KEEP_BYTES", "KEEP_GRAPHS",
           "HookHandle"]


def backward(self: Tensor, grad: Any = None, retain_graph: bool = False,
             create_graph: bool = False, retain_grads: bool = False, inputs: Any = None, *,
             gradient: Any = None) -> None:
    """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

    grad: the upstream gradient, shape ``self.shape``; may be omitted for one element.
        ``gradient=`` is the same, as PyTorch names it.
    retain_graph: keep the graph usable for another backward() through it. Without it
        a second backward() raises; small graphs are still kept for draw()/explain().
    create_graph: record the backward pass; ``.grad`` then holds Tensors that can be
        differentiated again (implies retain_graph).
    retain_grads: also keep ``.grad`` on every intermediate tensor of the graph.
    inputs: PyTorch's: a tensor or a list of them, the only ones whose ``.grad`` gets the
        gradient (an intermediate one too: it and what is upstream of it get their totals).
        Give it by keyword. (Not keyword-only: CPython fills those defaults from a dict on
        every call, which cost expr's step 0.15 % of its instructions; callgrind.)
    """
    if not self._requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no "
                           "graph. Create the inputs with requires_grad=True (and not "
                           "under no_grad()). A gradient from backward(create_graph=True) "
                           "has none when it does not depend on the inputs (relu, abs, max, "
                           "sums: piecewise linear), so its own gradient is 0: "
                           "al.grad(al.grad(f)) gives those zeros")
    if gradient is not None:
        if grad is not None:
            raise TypeError("backward(): give grad= or PyTorch's gradient=, not both")
        grad = gradient
    if inputs is not None:
        _backward_into(self, _listed_inputs(inputs), grad, retain_graph, create_graph)
        return
    if retain_grads is not False and not isinstance(retain_grads, (bool, np.bool_, int,
                                                                    type(None))):
        raise TypeError(f"backward(): retain_grads is True or False, got "
                        f"{type(retain_grads).__name__}; PyTorch's fourth argument, inputs, "
                        "is given by keyword here: backward(inputs=[w])")
    data = self._data
    if _SEEDS:  # (a dict's truth test: no cost on the usual path)
        _SEEDS.pop(id(self), None)
    self._root = True  # (for draw: a spent graph was not always spent from here; unset else)
    if grad is None and type(data) is not ndarray and not create_graph:
        # the usual scalar loss: a numpy scalar (0-d op results are), seeded with 1
        backprop(self, type(data)(1.0), True, retain_graph, False, retain_grads)
        if retain_graph:
            _remember_seed(self, np.ones((), data.dtype))
        return
    seed, owned = _seed(self, grad, create_graph)
    if grad is not None or retain_graph or create_graph:
        _remember_seed(self, np.array(seed._data if type(seed) is Tensor else seed))
    backprop(self, seed, owned, retain_graph or create_graph, create_graph, retain_grads)


def _listed_inputs(inputs: Any) -> list[Tensor]:
    """backward(inputs=...)'s tensors, each once, each one that requires grad."""
    listed = [inputs] if type(inputs) is Tensor else list(inputs)
    if not listed:
        raise ValueError("backward(inputs=[]): give the tensors whose .grad should get the "
                         "gradient, or leave inputs= out for every leaf")
    for t in listed:
        if type(t) is not Tensor or not t._requires_grad:
            what = type(t).__name__ if type(t) is not Tensor else "a tensor without grad"
            raise TypeError(f"backward(inputs=...): {what} has no gradient to get; give "
                            "Tensors made with requires_grad=True (or computed from them)")
    return list({id(t): t for t in listed}.values())  # (twice listed: added once)


def _backward_into(out: Tensor, inputs: list[Tensor], grad: Any, retain_graph: bool,
                   create_graph: bool) -> None:
    """backward(inputs=...): the gradients of ``inputs`` alone, added into their ``.grad``."""
    seed, owned = _seed(out, grad, create_graph)
    found = backprop(out, seed, owned, retain_graph or create_graph, create_graph,
                     inputs=inputs)
    with _lock:
        for t, g in zip(inputs, found):
            if g is not None:
                t._grad = g if t._grad is None else _total(t._grad, g)


def _remember_seed(out: Tensor, seed: np.ndarray) -> None:
    """So that draw() and explain() show what this backward computed: walked again, from
    the seed it was given, after a graph was spent, or kept (retain_graph) as it is."""
    if len(_SEEDS) >= 64:
        _SEEDS.clear()
    _SEEDS[id(out)] = (weakref.ref(out), seed)


Tensor.backward = backward


# id(output) -> (its weak reference, the grad= that its last backward() was given)
_SEEDS: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def seed_of(out: Tensor) -> np.ndarray:
    """The upstream gradient of the last backward() from ``out``: ones unless it had grad=."""
    entry = _SEEDS.get(id(out))
    if entry is not None and entry[0]() is out:
        return entry[1]
    return np.ones(out.shape, out.dtype)


def backpropagated(out: Tensor) -> bool:
    """Whether a backward() went from ``out``: its graph is spent from it, or was kept by
    retain_graph (or create_graph) after one. A tensor whose graph a backward() from a
    later tensor spent is not (draw(J, A) after J.backward() added dA's sum to w's
    gradient, walked from A too)."""
    entry = _SEEDS.get(id(out))
    return (entry is not None and entry[0]() is out
            or is_spent(out) and getattr(out, "_root", False))


def _seed(t: Tensor, grad: Any, create_graph: bool) -> tuple[Any, bool]:
    """backward()'s upstream gradient, and whether it is the engine's own array."""
    if grad is None:
        data = t._data
        if type(data) is not np.ndarray:  # a numpy scalar, as 0-d op results are
            seed = type(data)(1.0)
        elif data.size == 1:
            seed = np.ones(data.shape, data.dtype)
        else:
            raise RuntimeError(
                f"backward(): the output has shape {t.shape}; gradients can be created "
                "implicitly only for one-element outputs. Pass gradient= (or grad=) an array "
                f"of shape {t.shape} (e.g. np.ones({t.shape}) for the gradient of the sum), "
                "or call .sum() first")
        return (_make(seed, False) if create_graph else seed), True
    if type(grad) is Tensor and not create_graph:
        grad = grad._data
    if type(grad) is not Tensor:  # (complex, None or str: refused, as Tensor data is)
        grad = np.asarray(_as_float_array(grad, None, "backward(gradient=...)"), t.dtype)
    if grad.shape != t.shape:
        raise ValueError(f"backward(): grad has shape {grad.shape}, "
                         f"the output has shape {t.shape}; they must match")
    return (_make(grad, False) if create_graph and type(grad) is not Tensor else grad), False


# ---- the walk ------------------------------------------------------------------------

def toposort(roots: list[Tensor], stop: set[int] | None = None) -> list[Tensor]:
    """Tensors that require grad reachable from ``roots``, inputs before outputs.

    Iterative depth-first search, so graph depth is limited only by memory.
    Used by the diagrams and explain; backward walks by creation number instead.
    """
    order: list[Tensor] = []
    seen: set[int] = set()  # entered
    done: set[int] = set()  # all inputs ordered
    stack = list(reversed(roots))
    while stack:
        t = stack[-1]
        key = id(t)
        if key in seen:  # second visit: its inputs are all in `order` now
            stack.pop()
            if key not in done:
                done.add(key)
                order.append(t)
            continue
        seen.add(key)
        if t._args is not None and (stop is None or key not in stop):
            for a in reversed(t._args):  # so that the first input is visited first
                if type(a) is Tensor and a._requires_grad and id(a) not in seen:
                    stack.append(a)
    return order


# (The steps around the loop are called only when needed: a call costs ~500 instructions, 1 %
# of expr's step. * Two numpy scalars skip the shape test, whose .shape tuples cost 690
# instructions: expr takes 2.6 % fewer a step, chain 1.8 %; callgrind.)
def backprop(root: Tensor, grad: Any, owned: bool = False, retain_graph: bool = False,
             create_graph: bool = False, retain_grads: bool = False,
             inputs: list[Tensor] | None = None, trace: Callable | None = None,
             replay: bool = False, outside: list | None = None) -> list[Any] | None:
    """Reverse-mode sweep from ``root`` seeded with ``grad`` (its shape) into ``.grad``, or
    returned for ``inputs`` (None where unreached; other leaves reached go in ``outside``).
    ``owned``: the seed is the engine's. ``trace(t, i, input, g, contribution)`` sees every
    edge; ``replay`` walks ops an earlier backward() spent. Tensors are numbered as they are
    made: popping the highest number first visits each op after all of its consumers."""
    mode = _current_mode()
    if create_graph and not mode.enabled:  # record the backward pass even inside no_grad()
        with modes.enable_grad():
            return backprop(root, grad, owned, retain_graph, True, retain_grads, inputs, trace,
                            replay, outside)
    targets = None if inputs is None else {id(t) for t in inputs}
    found, walked, restored = {}, [], ([] if replay else None)
    held = set() if owned or type(grad) is Tensor else {id(grad)}  # arrays others hold
    every, clock, hooks = retain_grads or targets is not None, _clock[0], not replay and not trace
    pending = {root._seq: [root, grad]}  # number -> [tensor, its gradient so far]
    heap = [] if root._op is None else [-root._seq]  # ops only: leaves have nothing to pass on
    watch = _edge_watcher(mode, trace, root) if mode.special or trace is not None else None
    while heap:
        t, g = pending.pop(-heappop(heap))
        if every or t._retain:  # (retain_grad, or a hook: _hooks)
            g = _deliver(t, g, every, targets, found, held, hooks)
        if t._tick != clock:  # spent by an earlier backward, or data written since
            _check_saved(t, restored)
        if create_graph:
            ins, ans, g = t._args, t, (g if type(g) is Tensor else _make(g, False))
        else:
            ins, ans = t._vals, t._data
        kwargs, vjps, i = t._kwargs, t._op.vjps, -1
        for a in t._args:  # (a counter rather than enumerate: cheaper for 1-2 inputs)
            i += 1
            if type(a) is not Tensor or not a._requires_grad:
                continue
            vjp = vjps[i]
            if vjp is identity_vjp:
                gi = g
            else:
                gi = vjp(g, ans, *ins, **kwargs) if kwargs else vjp(g, ans, *ins)
            if (type(gi) is not float64 or type(a._data) is not float64) \
                    and gi.shape != a._data.shape:  # broadcast: sum back (* below)
                gi = unbroadcast(gi, a._data.shape, t._op.name, i)
            if watch is not None:
                watch(t, i, a, g, gi)
            seq = a._seq
            entry = pending.get(seq)
            if entry is None:
                pending[seq] = [a, gi]
                if a._op is not None:
                    heappush(heap, -seq)
            else:
                entry[1] = entry[1] + gi  # a new array: never add in place into a shared one
        walked.append(t)
    if restored is None and not retain_graph:
        _spend(walked)
    elif restored:
        _respend(restored)
    return _deliver_leaves(pending.values(), targets, found, held, inputs, outside, hooks)


def _deliver(t, g, every, targets, found, held, hooks: bool) -> Any:
    """During the walk, a tensor whose gradient is wanted (retain_grad, retain_grads, a
    requested input, or a hook): its hooks run, then it is stored, or kept as a result; the
    gradient goes on (as the hooks left it) to what is upstream, so that inputs upstream of a
    requested intermediate get their totals, as in PyTorch. A walk for draw() or explain()
    (``hooks`` False) runs no hook."""
    if hooks and getattr(t, "_hooks", None):  # (a slot set by register_hook alone)
        g = _run_hooks(t, g)
    if targets is None:
        if every or t._retain is True:
            stored = _owned(g, held, t._data)
            with _lock:
                t._grad = stored if t._grad is None else _total(t._grad, stored)
    elif id(t) in targets:
        found[id(t)] = _owned(g, held, t._data)
    return g


def _deliver_leaves(leaves, targets, found, held, inputs, outside, hooks) -> list[Any] | None:
    """The leaves' totals, after their hooks (``hooks``: not for draw or explain):
    accumulated into ``.grad``, or returned for the requested inputs (None where
    unreached), the others' tensors put in ``outside`` if it is a list."""
    if hooks and _hooked[0]:  # (only while hooks are registered; as in PyTorch, a leaf that
        # backward(inputs=) does not ask for runs none)
        leaves = [(t, _run_hooks(t, g) if getattr(t, "_hooks", None)
                   and (targets is None or id(t) in targets) else g) for t, g in leaves]
    if targets is None:
        with _lock:  # .grad += is a read-modify-write: threads must not interleave
            for t, g in leaves:
                g = _owned(g, held, t._data)
                t._grad = g if t._grad is None else _total(t._grad, g)
        return None
    for t, g in leaves:
        if id(t) in targets:
            found[id(t)] = _owned(g, held, t._data)
        elif outside is not None:
            outside.append(t)
    return [found.get(id(t)) for t in inputs]


# ---- hooks: t.register_hook(fn), PyTorch's --------------------------------------------

_hooked = [0]  # hooks registered, less those removed: while 0, leaves are not looked at


class HookHandle:
    """What ``t.register_hook(fn)`` returns: ``handle.remove()`` takes fn off ``t``."""

    __slots__ = ("_tensor", "_hook")

    def __init__(self, tensor: Tensor, hook: Callable) -> None:
        self._tensor, self._hook = weakref.ref(tensor), hook

    def remove(self) -> None:
        """Take the hook off (again: nothing happens)."""
        t = self._tensor()
        hooks = getattr(t, "_hooks", None) if t is not None else None
        if hooks and self._hook in hooks:
            hooks.remove(self._hook)
            _hooked[0] -= 1
            if not hooks and t._retain == "hooks":
                t._retain = False


def register_hook(self: Tensor, hook: Callable) -> HookHandle:
    """PyTorch's ``t.register_hook(fn)``: every backward() through ``t`` calls ``fn(grad)``
    with t's gradient, its total over t's users (shape ``t.shape``; a read-only array, a
    Tensor under create_graph); fn returns None to leave it, or a gradient of the same shape
    that goes on instead (into ``.grad`` for a leaf, upstream for an op's output). Hooks run
    in the order registered, before retain_grad() keeps the gradient. The transforms
    (al.grad, ...) run the hooks of tensors made inside their function, not of the
    arguments (they differentiate fresh copies, as torch.func does); al.compile refuses
    hooks; draw() and explain() show the chain rule's own gradients and run no hook.
    Returns a handle: ``handle.remove()``."""
    if not callable(hook):
        raise TypeError(f"register_hook(fn): fn is called with the gradient; got a "
                        f"{type(hook).__name__}")
    if not self._requires_grad:
        raise RuntimeError("register_hook(): this tensor does not require grad, so no "
                           "gradient reaches it; create it with requires_grad=True")
    mode = _current_mode()
    if mode.trace is not None and id(self) in mode.trace.known:
        raise modes.TraceError(
            f"al.compile({mode.trace.fname}): register_hook inside the compiled function, "
            f"at\n  {modes.user_line()}\nthe generated backward pass runs no hook: call the "
            "function uncompiled, or change the gradients it returns")
    hooks = getattr(self, "_hooks", None)
    if hooks is None:
        hooks = self._hooks = []
    hooks.append(hook)
    if self._retain is False:
        self._retain = "hooks"  # (the walk stops here to run them; .grad is not kept)
    _hooked[0] += 1
    return HookHandle(self, hook)


Tensor.register_hook = register_hook


def _run_hooks(t: Tensor, g: Any) -> Any:
    """``g`` after t's hooks, each given what the one before it left."""
    for hook in list(t._hooks):  # (a hook may remove itself)
        shown = g
        if type(g) is ndarray:  # (a VJP's array may be another's gradient too)
            shown = g.view()
            shown.flags.writeable = False
        try:
            new = hook(shown)
        except ValueError as err:
            if "read-only" not in str(err):
                raise
            of = f" of {_label(t).strip()}" if _label(t) else ""
            raise ValueError(f"register_hook: the hook {_hook_name(hook)} wrote into the "
                             f"gradient{of} it was shown, which other tensors' gradients may "
                             "share; return a new one instead (g * 2, not g *= 2)") from err
        if new is None:
            continue
        if type(g) is Tensor:  # create_graph: the new gradient may be recorded
            new = new if type(new) is Tensor else _make(_as_float_array(new, t.dtype), False)
        else:
            new = np.array(new._data if type(new) is Tensor else new, dtype=t.dtype)
        if new.shape != t.shape:
            raise ValueError(f"register_hook: the hook {_hook_name(hook)} returned a gradient "
                             f"of shape {new.shape} for {_label(t) or 'a tensor '}of shape "
                             f"{t.shape}; return one of that shape, or None to leave the "
                             "gradient as it is")
        g = new
    return g


def _hook_name(hook: Callable) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def _total(grad: Any, g: Any) -> Any:
    """.grad + g, a new array (0-d arrays add to a numpy scalar: .grad stays an array)."""
    total = grad + g
    return total if type(total) is ndarray or type(total) is Tensor else np.asarray(total)


def _respend(restored: list[Tensor]) -> None:
    """A replay leaves the graph as spent as it found it."""
    for t in restored:
        t._vals = None


def _owned(g, handed_out, like):
    """``g`` as an array of ``like``'s dtype that nobody else holds: VJPs may pass the same
    array to several inputs (add) or a view of it (reshape, sum), the caller may hold the
    seed, and ops on 0-d data give numpy scalars."""
    kind = type(g)
    if kind is ndarray:
        if g.dtype != like.dtype:
            return g.astype(like.dtype)  # a new array
        if g.base is not None or id(g) in handed_out:
            return g.copy()
        handed_out.add(id(g))
        return g
    if kind is Tensor:  # create_graph: one made by an op cannot be written in place, but a
        # constant (the seed, or what add passes on to both inputs) can: each gets its own
        if g._data.dtype != like.dtype:  # (float64 operands met a float32 input): the input's
            return apply(PRIMITIVES["astype"], (g,), {"dtype": like.dtype})  # as first order
        return _make(g._data.copy(), False) if g._op is None and not g._requires_grad else g
    # a numpy scalar (0-d op results are): asarray makes a new 0-d array, 0.18 us less than array
    return asarray(g) if kind is type(like) else asarray(g, like.dtype)


def gradients(out: Tensor, inputs: list[Tensor], seed: Any = None, *,
              create_graph: bool = False, retain_graph: bool = True,
              unconnected: str | None = "zeros",
              outside: list | None = None) -> list[Any] | None:
    """d(out)/d(inputs), seeded with ``seed`` (ones by default): owned arrays, or Tensors
    under ``create_graph``; nothing is stored in ``.grad``. The one way the functional
    transforms and the checkers ask the engine for gradients.

    An input that ``out`` does not depend on gets zeros. When ``out`` depends on none of
    them, ``unconnected="zeros"`` gives zeros all the same (a constant function has gradient
    0), and ``unconnected=None`` returns None, for checkers that must refuse a cost built
    outside the engine. ``outside``, a list, gets the leaves that require grad reached
    beside the inputs (a transform's function closed over an outer variable).
    """
    if seed is None:
        seed = np.ones(out.shape, out.dtype)
    if create_graph and type(seed) is not Tensor:
        seed = _make(seed, False)
    found = [None] * len(inputs)
    if out._requires_grad:
        found = backprop(out, seed, owned=True, retain_graph=retain_graph or create_graph,
                         create_graph=create_graph, inputs=list(inputs), outside=outside)
    if unconnected is None and inputs and all(g is None for g in found):
        return None
    zeros = (lambda x: _make(np.zeros_like(x._data), False)) if create_graph else (
        lambda x: np.zeros_like(x._data))  # (recorded: a Tensor, as the others are)
    return [zeros(x) if g is None else g for g, x in zip(found, inputs)]


def _edge_watcher(mode, trace: Callable | None, root: Tensor) -> Callable | None:
    """The per-edge hook: anomaly checks and/or ``trace``; None when neither. Under
    al.compile's trace, a backward from a traced tensor raises TraceError."""
    if mode.trace is not None and id(root) in mode.trace.known:
        trace = mode.trace
        raise modes.TraceError(
            f"al.compile({trace.fname}): backward() (or al.grad) inside the compiled function, "
            f"at\n  {modes.user_line()}\nal.compile does the backward pass itself: compile "
            "the function that returns the cost, and use the (cost, gradients) each call "
            "returns (then update the parameters outside it), or compile "
            "al.value_and_grad(cost)")
    anomaly = mode.anomaly
    if not anomaly and trace is None:
        return None

    def watch(t, i, a, g, gi):
        if anomaly:
            modes.check_backward(t._op.name, gi, i, t._vals, t._where, t._scope)
        if trace is not None:
            trace(t, i, a, g, gi)

    return watch


def unbroadcast(g: Any, shape: tuple[int, ...], opname: str = "?",
                input_index: int | None = None) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``.

    The course's bias case: b is (n, 1) against Z of (n, m); db is g summed over axis 1.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    axes = _REDUCE_AXES.get((gshape, shape))
    if axes is None:
        lead = len(gshape) - len(shape)
        if lead < 0 or any(n != 1 and n != gshape[lead + i] for i, n in enumerate(shape)):
            where = opname if input_index is None else f"'{opname}' (input {input_index})"
            raise ValueError(f"{where}: gradient of shape {gshape} cannot be reduced to the "
                             f"input's shape {shape}")
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                          if n == 1 and gshape[lead + i] != 1)
        if len(_REDUCE_AXES) < 4096:
            _REDUCE_AXES[(gshape, shape)] = axes
    g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.ndim != len(shape) else g


# (gradient shape, input shape) -> axes to sum, worked out once per shape pair: the course's
# models meet the same few pairs every step (flower step: 3 % fewer instructions)
_REDUCE_AXES: dict[tuple, tuple] = {}


# -- after backward: a graph is spent, and small ones are kept for drawing ------------------

KEEP_NODES = 200  # a graph of up to this many ops ...
KEEP_BYTES = 1 << 20  # ... whose arrays total at most this (scalars are not counted) ...
KEEP_GRAPHS = 8  # ... stays drawable after backward(), while at most 7 newer ones are held
# Weak references to the outputs of the graphs kept drawable, oldest first. A graph nobody
# holds dies at once, as before backward; one still held is freed when newer ones push it
# out. (Holding the graphs here instead kept every step's objects alive for a few more steps:
# expr's step took 79,700 instructions instead of 75,000.)
_kept: deque[weakref.ref] = deque()


def _spend(walked: list[Tensor]) -> None:
    """After a backward() without retain_graph, a second backward through these ops must
    raise, as in PyTorch: their saved arrays (_vals) are dropped. A small graph keeps its
    structure (_args), so that draw() and explain() work after backward, as micrograd users
    expect; the most recent ones are kept, older and bigger ones are freed."""
    _clock[0] += 1  # so that the next walk through these ops stops at _check_saved
    if len(walked) > KEEP_NODES:
        _free(walked)
        return
    size = 0
    for t in walked:
        if type(t._data) is ndarray:  # scalar graphs are small whatever their length
            size += t._data.nbytes
            for v in t._vals:
                if type(v) is ndarray:
                    size += v.nbytes
        t._vals = None
    if size == 0:  # a graph of scalars, as micrograd's: it lives while its output is held
        return
    if size > KEEP_BYTES:
        _free(walked)
        return
    _kept.append(weakref.ref(walked[0]))  # walked[0] is the output: the walk starts there
    if len(_kept) >= KEEP_GRAPHS:  # push out the older half at once: a pass every few steps
        with _lock:
            while len(_kept) > KEEP_GRAPHS // 2:
                _free_graph(_kept.popleft()())


def release_kept_graphs() -> None:
    """Free every graph kept for drawing now (as if a long loop had pushed them out): for
    measuring memory, or before a big allocation."""
    with _lock:
        while _kept:
            _free_graph(_kept.popleft()())


def _free(walked: list[Tensor]) -> None:
    for t in walked:
        t._vals = None
        if t._versions is None or not _serves_again(t):  # (most ops' outputs have no
            t._args = None  # _versions: one test, and chain's step costs what it did)


def _live_view(t: Tensor) -> bool:
    """Whether ``t`` is a view of its input (WT = W.T, W[0], W.reshape(-1); a view op's VJP
    reads only shapes): its values follow every write to the input, so a backward may walk it
    again after a step changed W, as PyTorch's. A copy made once (W + 0, W[[0, 1]]) would
    hold the old values: walking it again raises, as before."""
    src = t._args[0] if t._args else None
    return (t._op.view and type(src) is Tensor and t._versions is not None
            and t._versions is src._versions)


def _serves_again(t: Tensor) -> bool:
    """A view of a leaf keeps its input when its graph is freed: every step backpropagates
    through it. Holding a leaf costs nothing; holding another op's output would."""
    return _live_view(t) and t._args[0]._op is None


def _free_graph(out: Tensor | None) -> None:
    """Free the ops of a kept graph that someone still holds, from its output down."""
    stack = [] if out is None else [out]
    while stack:
        t = stack.pop()
        if t._args is not None:
            stack.extend(a for a in t._args if type(a) is Tensor and a._op is not None)
            t._vals = None
            if not _serves_again(t):
                t._args = None


def is_freed(t: Tensor) -> bool:
    """True when backward() has freed ``t``'s op and its inputs (it can no longer be drawn)."""
    return t._op is not None and t._args is None


def is_spent(t: Tensor) -> bool:
    """True when a backward() without retain_graph has gone through ``t``'s op."""
    return t._op is not None and t._vals is None


def _check_saved(t: Tensor, restored: list[Tensor] | None = None) -> None:
    """Raise if what ``t``'s op saved for backward is gone, spent, or changed in place.
    A replay (``restored`` is a list) rebuilds the saved arrays of a spent op from its inputs,
    which the version check below proves unchanged. A view (``_live_view``) has nothing to
    spoil: its arrays are taken again from its input."""
    if _live_view(t):
        if t._vals is None:
            t._vals = [a._data if type(a) is Tensor else a for a in t._args]
        return
    if t._vals is None:
        if t._args is None or restored is None:
            stale = [a for a in t._args or () if type(a) is Tensor and a._version > t._tick]
            raise RuntimeError(
                f"backward through '{t._op.name}' a second time: the first backward() freed "
                "the graph. " + (
                    f"Its input {_label(stale[0])}of shape {stale[0].shape} has been written "
                    "since (a training step's update): compute it inside the loop, after "
                    "each update (a view, W.T, follows W; a copy made once, W + 0, does not)"
                    if stale else "Pass retain_graph=True to the first backward() if you "
                    "need to backprop through the graph twice"))
        t._vals = [a._data if type(a) is Tensor else a for a in t._args]
        restored.append(t)
    for a in t._args:
        if type(a) is Tensor and a._version > t._tick:
            raise RuntimeError(
                f"backward through '{t._op.name}': its input {_label(a)}of shape {a.shape} was "
                "changed in place (under no_grad, or through .data, a view or a detached copy) "
                "after the op "
                "used it, so its gradient would be wrong. Update parameters after "
                "backward(), or recompute the forward pass after changing them")
    if t._version > t._tick and _reads_result(t._op):  # exp's VJP is g * ans, say
        raise RuntimeError(
            f"backward through '{t._op.name}': its result {_label(t)}of shape {t.shape} was "
            "changed in place (under no_grad, or through .data, a view or a detached copy) "
            "after the op made it, "
            f"and {t._op.name}'s derivative is computed from it, so it would be wrong. Write the "
            "change as an op (y = y * 0.5 is recorded), or recompute the forward pass")


_READS_RESULT: dict[Any, bool] = {}  # Primitive -> whether a VJP of it reads ``ans``


def _reads_result(prim) -> bool:
    """Whether a VJP of ``prim`` reads its result (``ans``, the second parameter), read from
    the VJPs' code once per op; an op's result changed in place then spoils its gradient,
    where multiply's (g * y) does not care (the straight-through estimator relies on it)."""
    known = _READS_RESULT.get(prim)
    if known is None:  # (a variadic op's one rule is rule(i, g, ans, ...))
        rules = [(prim.vjps.rule, 2)] if prim.arity is None else [(v, 1) for v in prim.vjps]
        known = _READS_RESULT[prim] = any(_reads_parameter(*r) for r in rules)
    return known


def _reads_parameter(function, index: int) -> bool:
    function = getattr(function, "__wrapped__", function)  # a custom op's own VJP
    code = getattr(function, "__code__", None)
    if code is None or code.co_argcount <= index:
        return True  # cannot tell: assume it does
    name = code.co_varnames[index]
    if name in code.co_cellvars:  # read by a function inside
        return True
    return any(name == i.argval or isinstance(i.argval, tuple) and name in i.argval
               for i in dis.get_instructions(code) if i.opname.startswith("LOAD_FAST"))


def _label(t: Tensor) -> str:
    """'name' of ``t``, or of what ``t`` is a view of (W.flatten()'s reshape of W: "its input
    of shape (4,)" named nothing the user wrote), with a space; "" if none is named."""
    if t.name:
        return f"'{t.name}' "
    base = t._args[0] if t._op is not None and t._op.view and t._args else None
    return (f"(a {t._op.name} of {_label(base).strip()}) " if type(base) is Tensor
            and _label(base) else "")
