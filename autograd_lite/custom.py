"""User-defined primitives: a forward on arrays and a hand-written VJP per input."""

from __future__ import annotations

from collections.abc import Callable

from .tensor import Primitive


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

