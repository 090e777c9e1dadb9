"""Functional transforms: grad, value_and_grad, jacobian, hessian, hvp (nest to any order).

Called on plain numbers or arrays they return numpy arrays (a first-order backward).
Called on Tensors that require grad, as happens when one transform is nested in
another, they record their own backward pass (``create_graph``) and return Tensors.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from .backward import gradients
from .modes import TraceError, differentiated, enable_grad, tracer, user_stacklevel
from .tensor import CutOffWarning, Tensor


def _variables(args, argnums, dicts=False):
    """Fresh differentiable copies of the chosen arguments (connected to any outer graph),
    whether any was a variable of an outer transform, and the copies in order (``dicts``: a
    dict of parameters, {"W1": ..., "b1": ...}, gives one per value, as JAX's pytrees)."""
    if any(not -len(args) <= i < len(args) for i in argnums):
        raise ValueError(f"argnums {tuple(argnums)} for a call with {len(args)} positional "
                         "argument(s): they are indices into f's positional arguments"
                         + (f", 0 to {len(args) - 1}" if args else ", and it was given none"))
    if any(tracer(args[i]) is not None for i in argnums):
        raise TraceError("al.grad, jacobian, hessian and hvp cannot run inside a compiled "
                         "function: they call backward() while it is recorded. Compile the "
                         "cost itself: al.compile(f) returns f's value and gradients, "
                         "al.compile(al.grad(f)) the gradients alone; call jacobian and "
                         "hessian outside al.compile")
    args = list(args)
    variables: list[Tensor] = []
    for i in argnums:
        args[i] = _differentiable(args[i], variables, dicts)
    nested = any(v._op is not None for v in variables)
    return args, nested, variables


# How many transforms are running (per thread and task). Inside one, a function that closes
# over a tensor that requires grad (the enclosing transform's variable, as in JAX's
# grad(lambda y: grad(lambda x: (x * y) ** 2)(3.0))) gets its backward recorded, for the
# enclosing one to differentiate. At the top level a closed-over tensor is a constant and
# the gradients are arrays, as with PyTorch's autograd.grad (create_graph=False).
_depth: ContextVar[int] = ContextVar("autograd_lite_transforms", default=0)


@contextmanager
def _inside() -> Iterator[None]:
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(token)


def _gradients(out: Tensor, variables: list[Tensor], seed: Any, nested: bool,
               enclosed: bool, create_graph: bool | None = None,
               fname: str | None = "grad") -> tuple[list, bool]:
    """(d out / d variables, nested): recorded when ``nested`` or ``create_graph``, and also
    when, inside an enclosing transform, ``out`` reaches a tensor that requires grad beside
    the variables (f closed over the enclosing one's variable), which the second value then
    says. At the top level such a tensor (a parameter f closed over) is a constant of the
    arrays returned, as in PyTorch's autograd.grad: said once, unless create_graph is given."""
    if create_graph:
        return gradients(out, variables, seed, create_graph=True), True
    outside = [] if not nested and create_graph is None else None
    gs = gradients(out, variables, seed, create_graph=nested, outside=outside)
    if outside and enclosed:
        return gradients(out, variables, seed, create_graph=True), True
    if outside and fname:  # (fname None: said already, as for a Jacobian's later rows)
        names = ", ".join(f"'{t.name}'" if t.name else f"one of shape {t.shape}"
                          for t in outside[:3])
        instead = (f"pass create_graph=True to {fname}, which returns Tensors; "
                   "create_graph=False says you want the arrays" if fname != "jacobian" else
                   "call it inside another transform, which records it; .detach() the "
                   "tensors to say they are constants")
        warnings.warn(
            f"{fname}: the function reads tensors that require grad beside its arguments "
            f"({names}); the result is an array, constant in them, as PyTorch's "
            f"autograd.grad gives it. To differentiate through it (a gradient penalty, "
            f"MAML), {instead}", CutOffWarning, stacklevel=user_stacklevel())
    return gs, nested


def _release(variables: list[Tensor]) -> None:
    """After a transform, its own fresh variables need no gradient: an enclosing transform's
    backward through a recorded result then stops there, and finds only the tensors that
    still want one (its own variables, or a user's that f closed over)."""
    for v in variables:
        if v._op is None:
            v.requires_grad = False


def _differentiable(a, variables: list, dicts: bool):
    if dicts and isinstance(a, dict):
        return {k: _differentiable(v, variables, dicts) for k, v in a.items()}
    if dicts and _structure(a):  # [W1, b1], a namedtuple: one gradient each, as in JAX
        return rebuilt(type(a), [_differentiable(v, variables, dicts) for v in a])
    if isinstance(a, Tensor) and a.requires_grad:
        v = a + 0.0  # a new node above the outer variable: inner grads stop here
    else:
        v = Tensor(a, requires_grad=True)
    variables.append(v)
    return v


def rebuilt(kind: type, items: list) -> list | tuple:
    """``items`` as a ``kind``: a list, a tuple or a namedtuple (which takes them one by one)."""
    return kind(*items) if hasattr(kind, "_fields") else kind(items)


def _structure(a) -> bool:
    """A list or tuple of parameters (arrays, Tensors, dicts; numbers beside them: (w, 1.0)),
    or any namedtuple, P(w=x, b=2.0); not a list of numbers alone (an array, as numpy's)."""
    if not isinstance(a, (list, tuple)) or not a:
        return False
    return hasattr(type(a), "_fields") or any(
        isinstance(v, (np.ndarray, Tensor, dict)) or _structure(v) for v in a)


def _structured(a, grads):
    """The gradients (an iterator, in _variables' order) in the structure of argument a."""
    if isinstance(a, dict):
        return {k: _structured(v, grads) for k, v in a.items()}
    if _structure(a):
        return rebuilt(type(a), [_structured(v, grads) for v in a])
    return next(grads)


def _argnums(argnums, fname: str) -> tuple[int, ...]:
    """argnums as a tuple of ints (numpy's ints too, as JAX takes them)."""
    try:
        nums = ((operator.index(argnums),) if np.ndim(argnums) == 0 and not isinstance(
            argnums, (list, tuple)) else tuple(operator.index(i) for i in argnums))
    except TypeError:
        point = (" (the point goes to the function it returns: al.grad(f)(x), not "
                 "al.grad(f, x))" if isinstance(argnums, (Tensor, np.ndarray, float)) else "")
        raise TypeError(f"{fname}: argnums={argnums!r} must be an argument index or a tuple "
                        f"of them{point}") from None
    if len(set(nums)) != len(nums):
        raise ValueError(f"{fname}: argnums={argnums!r} names an argument twice")
    return nums


def _tensor_output(out, fname):
    if not isinstance(out, Tensor):  # computed outside the engine: a zero gradient would lie
        raise TypeError(f"{fname}: the function returned a {type(out).__name__}, not a Tensor, "
                        "so nothing connects it to the inputs. Compute it with al's ops on "
                        "them (an al.compile'd function returns numbers: use the gradients it "
                        "returns, or differentiate the plain function)")
    return out


def _scalar_output(out, fname):
    out = _tensor_output(out, fname)
    if out._data.size != 1:
        raise TypeError(f"{fname}: the function must return a single number, got shape "
                        f"{out.shape}; use jacobian for non-scalar outputs")
    return out


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, *, create_graph: bool | None = None) -> Callable:
    """``value_and_grad(f)(*args) -> (f(*args), df/dargs[argnums])`` for a scalar f.

    With a tuple ``argnums`` the gradient is a tuple, one per argument. An argument that is
    a dict (the course's ``parameters``) gets a dict of gradients, one per value.
    has_aux: f returns ``(cost, aux)``, as in JAX; the result is ``((cost, aux), grads)``.
    create_graph: True records the backward pass and returns Tensors, which depend on the
    tensors f closes over (JAX's answer: ``(norm(grad(D)(x)) - 1) ** 2`` then backpropagates
    into D's weights); False returns arrays, constant in them (PyTorch's autograd.grad
    default). Left out, arrays, with a CutOffWarning where f read such a tensor.
    """
    return _value_and_grad(f, argnums, has_aux, create_graph, "value_and_grad")


def _value_and_grad(f: Callable, argnums: Any, has_aux: bool, create_graph: bool | None,
                    fname: str) -> Callable:
    """value_and_grad, its messages naming ``fname`` (grad and hvp call it too)."""
    _function(f, fname)
    nums = _argnums(argnums, fname)

    def wrapper(*args: Any, **kwargs: Any):
        enclosed = _depth.get() > 0
        with enable_grad(), _inside():  # whatever the caller's mode, as torch.func does
            xs, nested, variables = _variables(args, nums, dicts=True)
            with differentiated(f"inside the function given to al.{fname}"):
                out, aux = _split_aux(f(*xs, **kwargs), has_aux)
            gs, nested = _gradients(out, variables, None, nested, enclosed, create_graph,
                                    fname)
        _release(variables)
        value = out if nested else np.asarray(out._data)  # (no read-as-value warning)
        if not nested:
            gs = [np.asarray(g) for g in gs]
            aux = _values(aux)  # arrays, as the value is (and as JAX gives them)
        flat = iter(gs)
        gs = [_structured(args[i], flat) for i in nums]
        return ((value, aux) if has_aux else value), (gs[0] if np.ndim(argnums) == 0
                                                      else tuple(gs))

    wrapper.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    wrapper.transform = ("value_and_grad", f, argnums, has_aux)  # al.compile reads it
    return wrapper


def _values(x: Any) -> Any:
    """Tensors in ``x`` (a dict, list or tuple of them too) as their arrays."""
    if isinstance(x, Tensor):
        return np.asarray(x._data)
    if isinstance(x, dict):
        return {k: _values(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return rebuilt(type(x), [_values(v) for v in x])
    return x


def _split_aux(result: Any, has_aux: bool) -> tuple[Tensor, Any]:
    """f's scalar output and, with has_aux, its auxiliary data (as given)."""
    if not has_aux:
        if isinstance(result, tuple) and result and not isinstance(result[0], Tensor):
            _tensor_output(result, "grad")  # (value, grads) of an al.compile'd function
        if isinstance(result, tuple):
            raise TypeError("grad: the function returned a tuple; pass has_aux=True if it "
                            "returns (cost, aux), as in JAX")
        return _scalar_output(result, "grad"), None
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("grad(has_aux=True): the function must return a pair (cost, aux), "
                        f"got {type(result).__name__}" + (f" of {len(result)} items"
                                                          if isinstance(result, tuple) else ""))
    return _scalar_output(result[0], "grad"), result[1]


def grad(f: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False, *,
         create_graph: bool | None = None) -> Callable:
    """``grad(f)(*args)``: the gradient of scalar ``f`` w.r.t. ``args[argnums]``, same shape.

    Nests: ``grad(grad(f))`` is the second derivative of a scalar function.
    has_aux: f returns ``(cost, aux)``, as in JAX; the result is ``(grads, aux)``.
    create_graph: as value_and_grad's (True: Tensors that depend on what f closes over).
    """
    vg = _value_and_grad(f, argnums, has_aux, create_graph, "grad")

    def wrapper(*args: Any, **kwargs: Any):
        value, grads = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    wrapper.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    wrapper.transform = ("grad", f, argnums, has_aux)  # al.compile(grad(f)): jit(grad(f))
    return wrapper


def jacobian(f: Callable, argnums: int = 0) -> Callable:
    """``jacobian(f)(*args)`` w.r.t. ``x = args[argnums]``, of shape ``f(x).shape + x.shape``
    (one backward per output). ``argnums`` is one index, spelled as grad's (and JAX's)."""
    _function(f, "jacobian")
    argnums = _one_index(argnums, "jacobian")

    def wrapper(*args: Any, **kwargs: Any):
        enclosed = _depth.get() > 0
        if -len(args) <= argnums < len(args):
            _one_array(args[argnums], "jacobian")
        with enable_grad(), _inside():  # whatever the caller's mode
            xs, nested, _ = _variables(args, (argnums,))
            x = xs[argnums]
            with differentiated("inside the function given to al.jacobian"):
                out = _tensor_output(f(*xs, **kwargs), "jacobian")
            rows = []
            for k in range(out.size):
                seed = np.zeros(out.size, out.dtype)
                seed[k] = 1.0  # (the first row tells whether f closed over an outer variable)
                (g,), nested = _gradients(out, [x], seed.reshape(out.shape), nested,
                                          enclosed and k == 0,
                                          fname="jacobian" if k == 0 else None)
                rows.append(g)
        _release([x])
        shape = out.shape + x.shape
        if not rows:  # an empty output: an empty Jacobian, as JAX gives
            return np.zeros(shape, x.dtype)
        if nested:
            from .ops import reshape, stack
            return reshape(stack(rows), shape)
        return np.stack([np.asarray(r) for r in rows]).reshape(shape)

    return wrapper


def hessian(f: Callable, argnums: int = 0) -> Callable:
    """``hessian(f)(*args)`` w.r.t. ``x = args[argnums]``, of shape ``x.shape + x.shape``, for
    small inputs."""
    argnums = _one_index(argnums, "hessian")
    inner = jacobian(grad(f, argnums), argnums)

    def wrapper(*args: Any, **kwargs: Any):
        if -len(args) <= argnums < len(args):
            _one_array(args[argnums], "hessian")
        return inner(*args, **kwargs)

    return wrapper


def _function(f: Any, fname: str) -> None:
    """The transforms take a function; PyTorch's autograd.grad(y, x) takes an output."""
    if not callable(f):
        usage = "al.hvp(f, x, v)" if fname == "hvp" else f"al.{fname}(f)(x)"
        raise TypeError(f"al.{fname} takes a function f, as JAX's: {usage}. Given a "
                        f"{type(f).__name__}: for PyTorch's torch.autograd.grad(y, x), write "
                        "y.backward() and read x.grad, or give a function that computes y "
                        "from x (lambda x: ...)")


def _one_index(argnums: Any, fname: str) -> int:
    nums = _argnums(argnums, fname)
    if len(nums) != 1 or isinstance(argnums, (list, tuple)):
        raise TypeError(f"{fname}: argnums={argnums!r}; give one argument index (an int), or "
                        f"call {fname} once per argument")
    return nums[0]


def _one_array(a: Any, fname: str) -> None:
    """jacobian, hessian and hvp differentiate with respect to one array: a dict or a list
    of them (which grad takes) would be read as one array of objects."""
    if isinstance(a, dict) or _structure(a):
        raise TypeError(f"{fname}: the argument is a {type(a).__name__} of arrays; {fname} "
                        "takes one array at a time: fix the others, as in al." + (
                            f"{fname}(lambda W1: cost({{**P, 'W1': W1}}))(P['W1']) (al.grad "
                            "takes the dict)" if fname != "hvp" else
                            "hvp(lambda W1: cost({**P, 'W1': W1}), P['W1'], v)")
                        + ("; for one array made of the list's, give np.stack(list)"
                           if isinstance(a, (list, tuple)) else ""))


def hvp(f: Callable, x: Any, v: Any, *args: Any, create_graph: bool | None = None) -> Any:
    """Hessian-vector product H(x) v of scalar ``f`` by double backprop, without forming H:
    x and v one array each, of one shape; returns an array of that shape (a Tensor inside
    another transform, which may differentiate it with respect to x or v). create_graph:
    as grad's (True: a Tensor that depends on v, when v is one that requires grad, and on
    the tensors f closes over)."""
    if type(x) is tuple or type(v) is tuple:  # f got the tuple and failed inside, unclearly
        raise TypeError("hvp(f, x, v): x and v are one array each; PyTorch's "
                        "hvp(f, (x,), (v,)) takes tuples: write al.hvp(f, x, v), which returns "
                        "H(x) v alone (PyTorch's returns (f(x), H(x) v))")
    _function(f, "hvp")
    _one_array(x, "hvp")
    _one_array(v, "hvp")
    if not (isinstance(v, Tensor) and v.requires_grad):  # (one that does: a variable of an
        v = np.asarray(getattr(v, "_data", v), dtype=float)  # enclosing transform, kept)
    x_shape = np.shape(getattr(x, "_data", x))
    if v.shape != x_shape:  # g * v broadcast: H @ [1, 1, 1] for v [1]
        raise ValueError(f"hvp(f, x, v): v has shape {v.shape} and x {x_shape}; v is a "
                         "direction in x's space, of x's shape")

    def directional(x_):
        g = grad(f)(x_, *args)
        return (g * v).sum()

    return _value_and_grad(directional, 0, False, create_graph, "hvp")(x)[1]
