"""The other engines beside autograd_lite in benchmarks/run.py: autograd_lite compiled
(al.compile), micrograd 0.1.0, MyGrad, HIPS autograd and JAX (jit). Each is optional
(``pip install -e ".[bench]"``); one that does not import is left out of the table.

Every engine computes the case's cost and gradients the same way as the others (checked
against hand-written numpy before anything is timed, by run.py) and, in the MLP cases,
takes the same gradient-descent step on its own copy of the parameters. micrograd works on
scalars only, so it runs expr and chain.

The MLP cases come in two cost forms (run.py's *_step and *_learner cases):
- fused: ``binary_cross_entropy_with_logits(Z, Y)`` (each engine's stable fused loss; the
  others' written as ``(logaddexp(0, Z) - Y * Z).sum() / m``);
- learner: ``A = sigmoid(Z)`` then ``-(Y * log(A) + (1 - Y) * log(1 - A)).sum() / m``,
  as a learner writes it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

import autograd_lite as al

LR = 0.01

try:
    from micrograd.engine import Value as _MicroValue
except ImportError:
    _MicroValue = None
try:
    import mygrad as mg
    import mygrad.nnet as mg_nnet
except ImportError:
    mg = None
try:
    import autograd as hips
    import autograd.numpy as anp
except ImportError:
    hips = None
try:
    import jax

    jax.config.update("jax_enable_x64", True)  # float64, as every other engine here
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
except ImportError:
    jax = None


def installed() -> list[str]:
    """The peers that imported."""
    return [name for name, mod in (("micrograd", _MicroValue), ("mygrad", mg),
                                   ("autograd (HIPS)", hips), ("jax (jit)", jax)) if mod]


# ---- expr: (a + b) * (b + 1), built and differentiated each step ----------------------------

def _expr(a, b):
    return (a + b) * (b + 1)


def expr_engines() -> dict:
    cases = {}
    step = al.compile(_expr)
    a, b = al.Tensor(2.0, requires_grad=True), al.Tensor(3.0, requires_grad=True)
    cases["al compiled"] = lambda: step(a, b)[1]
    if _MicroValue is not None:
        def micro():
            a, b = _MicroValue(2.0), _MicroValue(3.0)
            _expr(a, b).backward()
            return a.grad, b.grad
        cases["micrograd"] = micro
    if mg is not None:
        def mygrad_step():
            a, b = mg.tensor(2.0), mg.tensor(3.0)
            _expr(a, b).backward()
            return a.grad, b.grad
        cases["mygrad"] = mygrad_step
    if hips is not None:
        vg = hips.value_and_grad(_expr, argnum=(0, 1))
        cases["autograd (HIPS)"] = lambda: vg(2.0, 3.0)[1]
    if jax is not None:
        jvg = jax.jit(jax.value_and_grad(_expr, argnums=(0, 1)))
        a64, b64 = np.float64(2.0), np.float64(3.0)
        cases["jax (jit)"] = lambda: tuple(np.asarray(g) for g in jvg(a64, b64)[1])
    return cases


# ---- chain: y + 0.1, y * 0.9, tanh(y), n ops --------------------------------------------------

def _chain(x, n, tanh):
    y = x
    for i in range(n):
        k = i % 3
        y = y + 0.1 if k == 0 else (y * 0.9 if k == 1 else tanh(y))
    return y


def _micro_tanh(v):
    """tanh for micrograd 0.1.0's Value, which has none: a node of its own kind, with its
    backward as a closure (the way its relu is written)."""
    t = float(np.tanh(v.data))
    out = _MicroValue(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad
    out._backward = _backward
    return out


def chain_engines(n: int) -> dict:
    cases = {}
    step = al.compile(lambda x: _chain(x, n, al.tanh))
    x = al.Tensor(0.5, requires_grad=True)
    cases["al compiled"] = lambda: step(x)[1][0]
    if _MicroValue is not None:
        def micro():
            x = _MicroValue(0.5)
            y = _chain(x, n, _micro_tanh)
            # micrograd sorts the graph recursively: a chain of 2,000 ops needs more than
            # Python's default 1,000 frames
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, 3 * n + 100))
            try:
                y.backward()
            finally:
                sys.setrecursionlimit(limit)
            return x.grad
        cases["micrograd"] = micro
    if mg is not None:
        def mygrad_step():
            x = mg.tensor(0.5)
            _chain(x, n, mg.tanh).backward()
            return x.grad
        cases["mygrad"] = mygrad_step
    if hips is not None:
        g = hips.grad(lambda x: _chain(x, n, anp.tanh))
        cases["autograd (HIPS)"] = lambda: g(0.5)
    if jax is not None:
        jg = jax.jit(jax.grad(lambda x: _chain(x, n, jnp.tanh)))
        x64 = np.float64(0.5)
        cases["jax (jit)"] = lambda: np.asarray(jg(x64))
    return cases


# ---- MLP steps ------------------------------------------------------------------------------

def _mlp_cost(L, act, sigmoid, log, fused, learner):
    """The cost of an L-layer net written with an engine's functions (either form)."""
    def cost(P, X, Y):
        A = X
        for l in range(1, L):
            A = act(P[f"W{l}"] @ A + P[f"b{l}"])
        Z = P[f"W{L}"] @ A + P[f"b{L}"]
        if not learner:
            return fused(Z, Y)
        A = sigmoid(Z)
        return -(Y * log(A) + (1 - Y) * log(1 - A)).sum() / Y.size
    return cost


def _updating(vg, P, to_numpy=np.asarray):
    """A step that calls ``vg(P) -> (cost, grads)`` and steps P (numpy arrays) in place;
    ``to_numpy`` converts an engine's gradients (None: they are numpy arrays already)."""
    def step():
        cost, grads = vg(P)
        if to_numpy is not None:
            grads = {k: to_numpy(g) for k, g in grads.items()}
        for k in P:
            P[k] -= LR * grads[k]
        return float(cost), grads
    return step


def mlp_engines(init: dict, X: np.ndarray, Y: np.ndarray, hidden: str, learner: bool) -> dict:
    """al compiled and the peers on one MLP step, each on its own copy of ``init``."""
    L = len(init) // 2
    cases = {}

    def fresh():
        return {k: v.copy() for k, v in init.items()}

    al_cost = _mlp_cost(L, getattr(al, hidden), al.sigmoid, al.log,
                        al.binary_cross_entropy_with_logits, learner)
    compiled = al.compile(al_cost, argnums=0)
    cases["al compiled"] = _updating(lambda P: compiled(P, X, Y), fresh(), to_numpy=None)
    if learner:  # the written-out log loss with the course's dz = a - y (not bit for bit)
        simplified = al.compile(al_cost, argnums=0, simplify=True)
        cases["al compiled simplify"] = _updating(lambda P: simplified(P, X, Y), fresh(),
                                                  to_numpy=None)
    if mg is not None:
        mg_act = {"relu": mg_nnet.relu, "tanh": mg.tanh}[hidden]
        mg_cost = _mlp_cost(L, mg_act, mg_nnet.sigmoid, mg.log,
                            lambda Z, Y: (mg.logaddexp(0, Z) - Y * Z).sum() / Z.size, learner)

        def mygrad_vg(P):
            T = {k: mg.tensor(v) for k, v in P.items()}
            cost = mg_cost(T, X, Y)
            cost.backward()
            return cost.item(), {k: t.grad for k, t in T.items()}
        cases["mygrad"] = _updating(mygrad_vg, fresh())
    if hips is not None:
        # relu as Z * (Z > 0): its gradient is 0 at Z = 0, as everyone else's (anp.maximum
        # splits a tie, and the deep step has examples whose every layer-2 unit is off)
        hips_act = {"relu": lambda Z: Z * (Z > 0), "tanh": anp.tanh}[hidden]
        hips_cost = _mlp_cost(L, hips_act, lambda Z: 1 / (1 + anp.exp(-Z)), anp.log,
                              lambda Z, Y: (anp.logaddexp(0, Z) - Y * Z).sum() / Z.size,
                              learner)
        hvg = hips.value_and_grad(hips_cost)
        cases["autograd (HIPS)"] = _updating(lambda P: hvg(P, X, Y), fresh())
    if jax is not None:
        jax_act = {"relu": jax.nn.relu, "tanh": jnp.tanh}[hidden]
        jax_cost = _mlp_cost(L, jax_act, jax.nn.sigmoid, jnp.log,
                             lambda Z, Y: (jnp.logaddexp(0, Z) - Y * Z).sum() / Z.size,
                             learner)
        jvg = jax.jit(jax.value_and_grad(jax_cost))
        cases["jax (jit)"] = _updating(lambda P: jvg(P, X, Y), fresh())
    return cases


# ---- first call: trace and codegen (al.compile) against JAX's trace and compile -----------------

FIRST_CALL_SNIPPET = r"""
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
import autograd_lite as al
from benchmarks import peers
rng = np.random.default_rng(0)
dims = [2, 4, 1]
X, Y = rng.standard_normal((2, 400)), (rng.random((1, 400)) > 0.5).astype(float)
P = {{}}
for l in range(1, 3):
    P[f"W{{l}}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
    P[f"b{{l}}"] = np.zeros((dims[l], 1))
engine = {engine!r}
if engine == "al":
    cost = peers._mlp_cost(2, al.tanh, al.sigmoid, al.log, None, True)
    f = al.compile(cost, argnums=0)
else:
    import jax, jax.numpy as jnp
    cost = peers._mlp_cost(2, jnp.tanh, jax.nn.sigmoid, jnp.log, None, True)
    f = jax.jit(jax.value_and_grad(cost))
t0 = time.perf_counter()
out = f(P, X, Y)
if engine != "al":
    jax.block_until_ready(out)
print(time.perf_counter() - t0)
"""


def first_call_seconds(engine: str, repeats: int = 3) -> float | None:
    """Median seconds of the first call of the compiled flower step (learner's cost form),
    each in a fresh process: al.compile's trace and codegen, or JAX's trace and XLA
    compile. None when the engine is not installed."""
    if engine == "jax" and jax is None:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    times = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c",
                               FIRST_CALL_SNIPPET.format(root=root, engine=engine)],
                              capture_output=True, text=True, check=True)
        times.append(float(done.stdout.strip()))
    return sorted(times)[len(times) // 2]
