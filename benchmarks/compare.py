"""A/B: the engine in this tree against the engine at another git revision, side by side.

    python benchmarks/compare.py main~3                 # expr, chain, flower_step
    python benchmarks/compare.py a73bef8 --cases chain --pairs 15

A change to the engine must not make the small, Python-bound cases slower, and a single
benchmark run cannot show a few percent: the VM's speed drifts by more than that over a
minute. So the two engines are timed in alternating fresh processes (A, B, B, A, ...), each
running this tree's case definitions (benchmarks/run.py) for a fixed time, and the ratio
B / A is the median over the pairs. The other revision is checked out into a temporary git
worktree, removed afterwards.

``--instructions`` counts machine instructions per step instead (valgrind's callgrind, the
difference between runs of N and 5N steps, one BLAS thread, a fixed hash seed): the count
does not depend on what else the machine is doing, so it can compare two engines on a busy
machine. It is a proxy for time, not time: use it to find where a change costs, and wall
clock on a quiet machine for the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SNIPPET = r"""
import sys, time
sys.path.insert(0, {engine_root!r})
import autograd_lite
assert autograd_lite.__file__.startswith({engine_root!r}), autograd_lite.__file__
sys.path.insert(1, {bench_root!r})
from benchmarks.run import CASES
cases, ops = CASES[{case!r}]()
step = cases["autograd_lite"]
for _ in range(3):
    step()
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < {seconds}:
    step()
    n += 1
print((time.perf_counter() - t0) / n / ops)
"""


def time_in_fresh_process(engine_root: str, case: str, seconds: float) -> float:
    code = SNIPPET.format(engine_root=engine_root, bench_root=ROOT, case=case, seconds=seconds)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case} failed under {engine_root}:\n{done.stderr}")
    return float(done.stdout.strip())


INSTRUCTIONS_SNIPPET = r"""
import sys
sys.path.insert(0, {engine_root!r})
import autograd_lite
sys.path.insert(1, {bench_root!r})
from benchmarks.run import CASES
cases, ops = CASES[{case!r}]()
step = cases["autograd_lite"]
for _ in range({steps}):
    step()
print(ops)
"""


def instructions_per_step(engine_root: str, case: str, steps: int) -> float:
    """Instructions of one step: (count for 5N steps - count for N steps) / 4N."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    counts = []
    for n in (steps, 5 * steps):
        code = INSTRUCTIONS_SNIPPET.format(engine_root=engine_root, bench_root=ROOT, case=case,
                                           steps=n)
        done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                               sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=False)
        found = [line for line in done.stderr.splitlines() if "Collected" in line]
        if done.returncode != 0 or not found:
            raise SystemExit(f"{case} under valgrind failed:\n{done.stderr[-2000:]}")
        counts.append(int(found[-1].split()[-1]))
        ops = int(done.stdout.strip())
    return (counts[1] - counts[0]) / (4 * steps) / ops


STEPS = {"expr": 500, "chain": 5, "flower_step": 100, "deep_step": 2, "wide_step": 1}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="git revision to compare against (e.g. main, HEAD~2)")
    parser.add_argument("--cases", default="expr,chain,flower_step",
                        help="comma-separated cases of benchmarks/run.py (its --help lists them)")
    parser.add_argument("--pairs", type=int, default=10, help="A/B pairs per case")
    parser.add_argument("--seconds", type=float, default=0.4, help="timing per process")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per step with valgrind instead of timing")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    from benchmarks.run import CASES
    unknown = [c for c in args.cases.split(",") if c not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; the cases are " + ", ".join(CASES))
    with tempfile.TemporaryDirectory() as tmp:
        base_root = os.path.join(tmp, "base")
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "-q", base_root,
                        args.base], check=True)
        try:
            if args.instructions:
                print(f"B = this tree, A = {args.base}; instructions per step (per op for "
                      "chain), callgrind")
                for case in args.cases.split(","):
                    a, b = (instructions_per_step(root, case, STEPS.get(case, 10))
                            for root in (base_root, ROOT))
                    print(f"{case:12s} A {a:12,.0f}  B {b:12,.0f}  B/A {b / a:.3f}")
                return 0
            print(f"B = this tree, A = {args.base}; median over {args.pairs} A/B pairs of "
                  f"fresh processes, {args.seconds:g} s each")
            for case in args.cases.split(","):
                ratios, a_times, b_times = [], [], []
                for i in range(args.pairs):
                    order = [(base_root, a_times), (ROOT, b_times)]
                    for root, times in (order if i % 2 == 0 else order[::-1]):
                        times.append(time_in_fresh_process(root, case, args.seconds))
                    ratios.append(b_times[-1] / a_times[-1])
                a, b = statistics.median(a_times), statistics.median(b_times)
                print(f"{case:12s} A {a * 1e6:8.2f} us  B {b * 1e6:8.2f} us  "
                      f"B/A {statistics.median(ratios):.3f} "
                      f"(pairs {min(ratios):.3f}-{max(ratios):.3f})")
        finally:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", base_root],
                           check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
