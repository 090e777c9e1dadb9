"""A bare eager engine, written for the learner's flower step alone: the floor of what an
eager autodiff engine in Python pays around numpy at this size.

It has what the step needs and nothing else: no checks of shapes or inputs, no dtype care,
no version counters (a write behind the graph's back goes unseen), no graph kept for
drawing, no anomaly mode, no al.compile tracing, no thread lock, and broadcasting reduced
for the course's b alone. What autograd_lite's eager engine costs over it is the price of
those. run.py times it as the "bare engine" of the flower_learner case (its Nodes have
.data and .grad, so the engine's update step serves them too).
"""

from __future__ import annotations

import itertools
from heapq import heappop, heappush

import numpy as np

_order = itertools.count()


class Node:
    """A value and, once backward() ran, its gradient; ``vjp(g)`` gives its inputs' shares."""

    __slots__ = ("data", "grad", "inputs", "vjp", "number")
    __array_ufunc__ = None  # Y * A: numpy hands the product to Node.__rmul__

    def __init__(self, data, inputs=(), vjp=None):
        self.data, self.grad, self.inputs, self.vjp = data, None, inputs, vjp
        self.number = next(_order)  # made after its inputs: a topological order for free

    def __matmul__(self, x):  # W @ A, A an array or a Node
        a = x.data if type(x) is Node else x
        return Node(self.data @ a, (self, x), lambda g: (g @ a.T, self.data.T @ g))

    def __add__(self, other):  # Z + b, b (n, 1) broadcast over the m columns
        if type(other) is Node:
            return Node(self.data + other.data, (self, other), lambda g: (g, g))
        return Node(self.data + other, (self,), lambda g: (g,))

    def __mul__(self, y):  # A * Y, Y an array
        return Node(self.data * y, (self,), lambda g: (g * y,))

    __rmul__ = __mul__

    def __rsub__(self, c):  # 1 - A
        return Node(c - self.data, (self,), lambda g: (-g,))

    def __neg__(self):
        return Node(-self.data, (self,), lambda g: (-g,))

    def __truediv__(self, c):  # J / m
        return Node(self.data / c, (self,), lambda g: (g / c,))

    def sum(self):
        shape = self.data.shape
        return Node(self.data.sum(), (self,), lambda g: (np.full(shape, g),))

    def item(self):
        return float(self.data)

    def backward(self):
        """Gradients into every input's ``.grad``, outputs before their inputs."""
        self.grad = np.float64(1.0)
        heap, queued = [(-self.number, self)], {self.number}
        while heap:
            node = heappop(heap)[1]
            if node.vjp is None:
                continue
            for x, g in zip(node.inputs, node.vjp(node.grad)):
                if type(x) is not Node:
                    continue
                if g.shape != x.data.shape:  # b's gradient: summed over the examples
                    g = g.sum(axis=1, keepdims=True)
                x.grad = g if x.grad is None else x.grad + g
                if x.number not in queued:
                    queued.add(x.number)
                    heappush(heap, (-x.number, x))


def tanh(z):
    a = np.tanh(z.data)
    return Node(a, (z,), lambda g: (g * (1 - a * a),))


def sigmoid(z):
    a = 1 / (1 + np.exp(-z.data))
    return Node(a, (z,), lambda g: (g * a * (1 - a),))


def log(x):
    return Node(np.log(x.data), (x,), lambda g: (g / x.data,))



if __name__ == "__main__":  # a module, timed by run.py: say so rather than exit in silence
    print("benchmarks/bare.py is the floor engine that run.py times beside the others:\n"
          "  python benchmarks/run.py --no-peers --cases flower_learner")
