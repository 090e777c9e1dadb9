"""Benchmark autograd_lite, eager and compiled (al.compile), against hand-written numpy (the
course's formulas), PyTorch and the peers of benchmarks/peers.py.

    python benchmarks/run.py            # all cases, 10 rounds (about 5 minutes with the peers)
    python benchmarks/run.py --quick    # a smoke run (used by the tests)
    python benchmarks/run.py --no-peers # autograd_lite, numpy and torch only

Everything runs in one process. Each round builds its case afresh (new arrays), then
autograd_lite, hand-written numpy, al.compile's replay and the peers (micrograd, MyGrad,
HIPS autograd, JAX jit: those installed, ``pip install -e ".[bench]"``) alternate in short
blocks (5 ms, or one step of the slowest); torch, when installed (CPU, float64, same thread
count), runs in one block of its own beside them, before the others in even rounds and
after them in odd ones. Each time is the median of the rounds (min-max beside it); each
ratio is taken to numpy over a pair of rounds, one of each kind, and the median over the
pairs is printed. Values and gradients are checked to agree before anything is timed.
The objects the imports made (JAX's, torch's) are frozen out of the garbage collector's
sight first (gc.freeze; --no-freeze leaves them), so that no engine pays for walking them.

The MLP steps come in two cost forms: *_step is the fused, stable
``binary_cross_entropy_with_logits(Z, Y)``; *_learner is the cost as a learner writes it,
``A = sigmoid(Z)``, ``-(Y * log(A) + (1 - Y) * log(1 - A)).sum() / m``, with the
hand-written numpy of the course (``dZ = A - Y``) as its reference. flower_learner also
times benchmarks/bare.py, an eager engine with nothing but what that step needs: the floor
of an eager engine's Python around numpy.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_lite as al  # noqa: E402
from benchmarks import bare  # noqa: E402  (the flower step's floor, beside the engines)

try:
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
except ImportError:
    torch = None

ROUNDS = 10  # an even number: ratios are taken over pairs of rounds
BLOCK = 0.005  # seconds per engine per block (at least one step)
BIG_STEP = 1e-3  # seconds: a case whose numpy step takes this long is bound by BLAS
# Seconds of rest on each side of torch's block in a BLAS-bound case. The worker threads of
# BLAS (numpy) and of torch's OpenMP pool keep spinning for a while after a call returns; on
# a 2-core machine they take a core from whatever runs next (torch's deep_step: 11 -> 5 ms).
SETTLE = 0.2
CHAIN_OPS = 2000
LR = 0.01
# al.compile and the peers join the cases when main() runs; compare.py and the tests build
# the cases without them (compare.py runs them on an engine that may predate al.compile)
PEERS = False


def _peers():
    from benchmarks import peers  # the optional engines load only when asked for
    return peers


# ---- cases: each returns {engine: step function}, and a gradient check ------------------------

def expr_case():
    def engine():
        a = al.Tensor(2.0, requires_grad=True)
        b = al.Tensor(3.0, requires_grad=True)
        e = (a + b) * (b + 1)
        e.backward()
        return a.grad, b.grad

    def numpy_hand():
        a, b = np.float64(2.0), np.float64(3.0)
        c, d = a + b, b + 1
        e = c * d  # noqa: F841  (the forward value, as the engine computes it)
        return d, d + c  # de/da = d, de/db = d + c

    cases = {"autograd_lite": engine, "numpy": numpy_hand}
    if torch is not None:
        def torch_step():
            a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
            e = (a + b) * (b + 1)
            e.backward()
            return a.grad.numpy(), b.grad.numpy()
        cases["torch"] = torch_step
    if PEERS:
        cases.update(_peers().expr_engines())
    return cases, 1


def chain_case():
    def engine():
        x = al.Tensor(0.5, requires_grad=True)
        y = x
        for i in range(CHAIN_OPS):
            k = i % 3
            y = y + 0.1 if k == 0 else (y * 0.9 if k == 1 else al.tanh(y))
        y.backward()
        return x.grad

    def numpy_hand():
        y = np.float64(0.5)
        tanh_outs = []
        for i in range(CHAIN_OPS):
            k = i % 3
            if k == 0:
                y = y + 0.1
            elif k == 1:
                y = y * 0.9
            else:
                y = np.tanh(y)
                tanh_outs.append(y)
        g = np.float64(1.0)
        for i in reversed(range(CHAIN_OPS)):
            k = i % 3
            if k == 1:
                g = g * 0.9
            elif k == 2:
                t = tanh_outs.pop()
                g = g * (1 - t * t)
        return g

    cases = {"autograd_lite": engine, "numpy": numpy_hand}
    if torch is not None:
        def torch_step():
            x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
            y = x
            for i in range(CHAIN_OPS):
                k = i % 3
                y = y + 0.1 if k == 0 else (y * 0.9 if k == 1 else torch.tanh(y))
            y.backward()
            return x.grad.numpy()
        cases["torch"] = torch_step
    if PEERS:
        cases.update(_peers().chain_engines(CHAIN_OPS))
    return cases, CHAIN_OPS


# the hidden activations of the MLP cases: numpy forward, numpy backward (dA, Z, A) -> dZ,
# and the engines' ops
MLP_ACTIVATIONS = {
    "relu": (lambda Z: np.maximum(Z, 0), lambda dA, Z, A: dA * (Z > 0), "relu"),
    "tanh": (np.tanh, lambda dA, Z, A: dA * (1 - A * A), "tanh"),
}


def _numpy_output(ZL, Y, learner):
    """(cost, dZ[L]) of the sigmoid output unit, averaged over every entry (n_y = 1 here)."""
    m = ZL.size
    if learner:  # as a learner writes it from the course
        AL = 1 / (1 + np.exp(-ZL))
        return -(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)).sum() / m, (AL - Y) / m
    # -y log(a) - (1-y) log(1-a) = softplus(z) - y z, softplus(z) = max(z, 0) + log1p(e^-|z|)
    # (the engine's form: exact for a confident right answer), e shared with the sigmoid
    e = np.exp(-np.abs(ZL))
    AL = np.where(ZL >= 0, 1, e) / (1 + e)  # sigmoid, without overflow
    return (np.maximum(ZL, 0) - Y * ZL + np.log1p(e)).sum() / m, (AL - Y) / m


def _mlp_numpy(P, X, Y, hidden, learner=False):
    """One step by the course's formulas. dA0 (the gradient for X) is skipped, as a
    hand-writer would; the cost is computed, as the course's model does every iteration and
    the engines do."""
    forward, backward, _ = MLP_ACTIVATIONS[hidden]
    L = len(P) // 2

    def step():
        A, cache = X, []
        for l in range(1, L):
            Z = P[f"W{l}"] @ A + P[f"b{l}"]  # (n[l], m)
            A_prev, A = A, forward(Z)
            cache.append((A_prev, Z, A))
        ZL = P[f"W{L}"] @ A + P[f"b{L}"]
        cost, dZ = _numpy_output(ZL, Y, learner)
        grads = {}
        A_prev = A
        for l in range(L, 0, -1):
            grads[f"W{l}"] = dZ @ A_prev.T  # (n[l], n[l-1])
            grads[f"b{l}"] = dZ.sum(axis=1, keepdims=True)  # (n[l], 1)
            if l > 1:
                A_prev_prev, Z, A_l = cache[l - 2]
                dZ = backward(P[f"W{l}"].T @ dZ, Z, A_l)
                A_prev = A_prev_prev
        for k in P:
            P[k] -= LR * grads[k]
        return cost, grads
    return step


def _mlp_autodiff(T, X, Y, act, bce, update):
    """One step by an autodiff engine: the forward pass from its tensors T, the cost by its
    ``bce``, backward(), then ``update(T)``, which steps T and returns the gradients."""
    L = len(T) // 2

    def step():
        A = X
        for l in range(1, L):
            A = act(T[f"W{l}"] @ A + T[f"b{l}"])
        cost = bce(T[f"W{L}"] @ A + T[f"b{L}"], Y)
        cost.backward()
        return cost.item(), update(T)
    return step


def _al_update(T):
    grads = {}
    for k, t in T.items():
        grads[k] = t.grad
        t.data -= LR * t.grad
        t.grad = None
    return grads


def _torch_update(T):
    grads = {}
    with torch.no_grad():
        for k, t in T.items():
            grads[k] = t.grad.numpy().copy()
            t -= LR * t.grad
            t.grad = None
    return grads


def _learner_bce(sigmoid, log):
    """The cost as a learner writes it, with an engine's sigmoid and log."""
    def bce(Z, Y):
        A = sigmoid(Z)
        return -(Y * log(A) + (1 - Y) * log(1 - A)).sum() / Y.shape[1]
    return bce


def _mlp_case(dims, m, hidden, seed=0, learner=False):
    """One gradient-descent step of an L-layer net: forward, cross-entropy (fused, or the
    learner's form), backward, update."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))  # (n_x, m)
    Y = (rng.random((dims[-1], m)) > 0.5).astype(float)  # (n_y, m)
    init = {}
    for l in range(1, len(dims)):
        init[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        init[f"b{l}"] = np.zeros((dims[l], 1))
    op = MLP_ACTIVATIONS[hidden][2]
    T = {k: al.Tensor(v, requires_grad=True) for k, v in init.items()}
    bce = _learner_bce(al.sigmoid, al.log) if learner else al.binary_cross_entropy_with_logits
    cases = {"autograd_lite": _mlp_autodiff(T, X, Y, getattr(al, op), bce, _al_update),
             "numpy": _mlp_numpy({k: v.copy() for k, v in init.items()}, X, Y, hidden, learner)}
    if learner and len(dims) == 3 and hidden == "tanh":  # the flower: the floor beside it
        B = {k: bare.Node(v.copy()) for k, v in init.items()}
        cases["bare engine"] = _mlp_autodiff(B, X, Y, bare.tanh,
                                             _learner_bce(bare.sigmoid, bare.log), _al_update)
    if PEERS:
        cases.update(_peers().mlp_engines(init, X, Y, hidden, learner))
    if torch is not None:
        TT = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
        bce = (_learner_bce(torch.sigmoid, torch.log) if learner
               else torch.nn.functional.binary_cross_entropy_with_logits)
        cases["torch"] = _mlp_autodiff(TT, torch.tensor(X), torch.tensor(Y), getattr(torch, op),
                                       bce, _torch_update)
    return cases, 1


CASES = {
    "expr": expr_case,
    "chain": chain_case,
    "flower_step": lambda: _mlp_case([2, 4, 1], 400, "tanh"),
    "flower_learner": lambda: _mlp_case([2, 4, 1], 400, "tanh", learner=True),
    "deep_step": lambda: _mlp_case([12288, 20, 7, 5, 1], 209, "relu"),
    "deep_learner": lambda: _mlp_case([12288, 20, 7, 5, 1], 209, "relu", learner=True),
    "wide_step": lambda: _mlp_case([3072, 256, 128, 10], 2048, "relu"),
}


def _same(a, b):
    if isinstance(a, dict):
        return all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return all(_same(x, y) for x, y in zip(a, b))
    return np.allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-12)


def paired_ratios(times, base):
    """Engine / numpy over each two consecutive rounds. The schedule alternates by round
    (torch's block before or after the pair; which engine starts), and that moved deep_step
    by +-1.5 % (even rounds 1.02-1.03x, odd 0.98-1.00x): the median of the rounds then
    flipped between the two modes from run to run. A pair holds one round of each kind."""
    return [(times[i] + times[i + 1]) / (base[i] + base[i + 1])
            for i in range(0, len(times) - 1, 2)]


def time_case(name, rounds, quick):
    cases, ops = CASES[name]()
    results = {engine: step() for engine, step in cases.items()}  # also a warm-up
    reference = results["numpy"]
    for engine, r in results.items():
        if not _same(r, reference):
            raise SystemExit(f"{name}: {engine}'s results (value, gradients) differ from numpy's; "
                             "not timing")
    first = {}
    for engine, step in cases.items():
        t0 = time.perf_counter()
        step()
        first[engine] = max(time.perf_counter() - t0, 1e-7)
    target = 0.02 if quick else 0.25  # seconds per engine per round
    # In each round autograd_lite and numpy alternate in short blocks (order alternating), so
    # that the machine's noise, which drifts over seconds on a shared VM, hits both alike.
    # torch runs in one block of its own, before or after them, with a rest on each side
    # in the BLAS-bound cases (see SETTLE).
    pair = [e for e in cases if e != "torch"]
    block = max(BLOCK, *(first[e] for e in pair))  # seconds per engine per block
    blocks = max(2, int(target / block))
    reps = {engine: max(1, int(block / t)) for engine, t in first.items()}
    big = not quick and first["numpy"] >= BIG_STEP
    rest = SETTLE if big else 0.0
    if big:  # their per-round ratios spread by +-3%: twice the rounds for a steadier median
        rounds *= 2
    per_round = {e: [] for e in cases}

    def run(engine, n):
        step = cases[engine]
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        return time.perf_counter() - t0

    def run_torch():
        n = blocks * reps["torch"]
        time.sleep(rest)
        per_round["torch"].append(run("torch", n) / n / ops)
        time.sleep(rest)

    for r in range(rounds):
        # Each round after the first builds its case afresh: where the arrays land in
        # memory moves a BLAS-bound step by a few percent, and should average out rather
        # than hold for the whole run (deep_step, 8 builds in one process: 1.012x to 1.043x).
        if r:
            cases, _ = CASES[name]()
            for step in cases.values():
                step()  # warm-up
        if "torch" in cases and r % 2 == 0:
            run_torch()
        spent = dict.fromkeys(pair, 0.0)
        for b in range(blocks):
            for engine in (pair if (r + b) % 2 == 0 else pair[::-1]):
                spent[engine] += run(engine, reps[engine])
        for engine in pair:
            per_round[engine].append(spent[engine] / (blocks * reps[engine]) / ops)
        if "torch" in cases and r % 2 == 1:
            run_torch()
    return per_round


def _fmt_time(s):
    return f"{s * 1e6:9.2f} us" if s < 1e-3 else f"{s * 1e3:9.3f} ms"


MEMORY_SNIPPET = r"""
import sys, tracemalloc
sys.path.insert(0, {root!r})
sys.argv = ["x"]
import benchmarks.run as b
cases, _ = b.CASES["deep_step"]()
step = cases[{engine!r}]
step()
tracemalloc.start()
step()
base = tracemalloc.get_traced_memory()[0]
tracemalloc.reset_peak()
for _ in range(50):
    step()
current, peak = tracemalloc.get_traced_memory()
print(peak - base, current - base)
"""

IMPORT_SNIPPET = r"""
import sys, time, tracemalloc, resource
import numpy
sys.path.insert(0, {root!r})
trace = {trace!r}
if trace:
    tracemalloc.start()  # slows imports down a lot: time is measured in runs without it
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
import autograd_lite
t1 = time.perf_counter()
traced = tracemalloc.get_traced_memory()[0] if trace else 0
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(t1 - t0, traced, (rss1 - rss0) * 1024, int("hypothesis" in sys.modules),
      int("graphviz" in sys.modules), int("nn" in sys.modules))
"""


def page_faults(name, steps=20):
    """Minor page faults per step of each engine: fresh pages the kernel maps and zeroes,
    for arrays the allocator had handed back to it (None where getrusage is missing)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    cases, _ = CASES[name]()
    per_step = {}
    for engine, step in cases.items():
        step()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(steps):
            step()
        per_step[engine] = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps
    return per_step


FAULTS_SNIPPET = r"""
import sys
sys.path.insert(0, {root!r})
sys.argv = ["x"]
import benchmarks.run as b
print(repr(b.page_faults({name!r})))
"""


def _in_fresh_process(snippet, **fields):
    """Run ``snippet`` (with ``root`` and ``fields`` filled in) in a new Python; its stdout."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return subprocess.run([sys.executable, "-c", snippet.format(root=root, **fields)],
                          capture_output=True, text=True, check=True).stdout


def page_faults_fresh_process(name):
    """page_faults() in a fresh process: the C allocator's thresholds only grow, so after
    the wide case it keeps every freed block and the count no longer says what one case does."""
    return ast.literal_eval(_in_fresh_process(FAULTS_SNIPPET, name=name).strip())


def memory(engine):
    out = _in_fresh_process(MEMORY_SNIPPET, engine=engine).split()
    return int(out[0]), int(out[1])


def import_cost(repeats):
    """Median (seconds, bytes allocated, RSS growth, flags) of `import autograd_lite`."""
    rows = []
    for trace in [False] * repeats + [True] * 2:
        out = _in_fresh_process(IMPORT_SNIPPET, trace=trace).split()
        rows.append((trace, [float(x) for x in out]))
    timed = [r for trace, r in rows if not trace]
    traced = [r for trace, r in rows if trace]
    seconds = statistics.median(r[0] for r in timed)
    allocated = statistics.median(r[1] for r in traced)
    rss = statistics.median(r[2] for r in timed)
    return seconds, allocated, rss, *timed[0][3:]


def dot_build_time(rounds):
    """Seconds to build the DOT of a graph of 10,000 tensor and op nodes."""
    x = al.Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(2500):
        y = al.tanh(y) + 1.0  # 4 nodes a step: two tensors, two ops
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        diagram = al.draw(y)
        times.append(time.perf_counter() - t0)
    assert diagram.n_nodes >= 10_000
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run (2 rounds, no wide_step, no memory figures)")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help=f"rounds, made even (default {ROUNDS}); the BLAS-bound deep and "
                             "wide steps run twice as many")
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated, of: " + ", ".join(CASES))
    parser.add_argument("--no-peers", action="store_true",
                        help="leave out al.compile and the peer engines")
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the imported modules' objects to the garbage collector")
    args = parser.parse_args(argv)
    global PEERS
    PEERS = not args.no_peers
    rounds = 2 if args.quick else max(2, args.rounds + args.rounds % 2)
    names = [c for c in args.cases.split(",") if c]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; the cases are " + ", ".join(CASES))
    if args.quick:
        names = [n for n in names if n != "wide_step"]
        global CHAIN_OPS
        CHAIN_OPS = 300
    if PEERS:
        print("peers installed: " + (", ".join(_peers().installed()) or "none") + "\n")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch
             else ", torch not installed (skipped)"))
    print(f"{rounds} rounds" + ("" if args.quick else
                                f" ({2 * rounds} for the BLAS-bound deep and wide steps)")
          + ", each "
          f"building the case afresh and alternating the engines\nin blocks of "
          f"{BLOCK * 1e3:.0f} ms or one step (torch in one block of its own); median (min-max); "
          "ratio = engine / numpy\nover two consecutive rounds (torch before the others in one, "
          "after it in the other), median over the pairs\n")
    if not args.no_freeze:
        # What the imports left (JAX, torch and the peers: about a million objects) goes
        # out of the garbage collector's sight: else each full collection walks all of it,
        # and an engine that makes many objects (chain: 6,000 a step) paid for it (chain,
        # eager, with the peers loaded: 3.8 us an op instead of 1.9)
        gc.collect()
        gc.freeze()
        print(f"gc.freeze(): the imports' {gc.get_freeze_count():,} objects are out of the "
              "collector's sight (--no-freeze leaves them)\n")
    header = f"{'case':<14} {'engine':<20} {'median':>12} {'min-max':>24} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name in names:
        per_round = time_case(name, rounds, args.quick)
        unit = " /op" if name == "chain" else ""
        for engine, times in per_round.items():
            ratios = paired_ratios(times, per_round["numpy"])
            print(f"{name:<14} {engine:<20} {_fmt_time(statistics.median(times))}{unit:<3} "
                  f"{_fmt_time(min(times)).strip():>11} - {_fmt_time(max(times)).strip():<10} "
                  f"{statistics.median(ratios):7.3f}x")
    if not args.quick and "deep_step" in names:
        print("\nmemory over 50 deep steps (tracemalloc, fresh process): peak growth / "
              "retained")
        for engine in ("numpy", "autograd_lite"):
            peak, kept = memory(engine)
            print(f"  {engine:<14} peak +{peak / 2**20:7.2f} MB   retained +{kept / 2**20:6.2f} MB")
        faults = page_faults_fresh_process("deep_step")
        if faults:
            print("minor page faults per deep step: " + ", ".join(
                f"{engine} {n:.0f}" for engine, n in faults.items()))
    if PEERS and not args.quick:
        first = {e: _peers().first_call_seconds(e) for e in ("al", "jax")}
        print("\nfirst call of the compiled flower step (learner's form), fresh process, "
              "median of 3: al.compile " + ", JAX jit ".join(
                  "n/a" if t is None else f"{t * 1e3:.1f} ms" for t in first.values()))
    print(f"\nDOT text of a 10,000-node graph (draw): {1e3 * dot_build_time(rounds):.0f} ms "
          "(median)")
    t, traced, rss, hyp, gv, nn_loaded = import_cost(3 if args.quick else 7)
    print(f"\nimport autograd_lite after numpy: {t * 1e3:.1f} ms, {traced / 2**20:.2f} MB "
          f"allocated (tracemalloc), {rss / 2**20:.2f} MB peak RSS growth; loads hypothesis: "
          f"{bool(hyp)}, graphviz: {bool(gv)}, nn: {bool(nn_loaded)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
