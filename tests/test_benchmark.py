"""The benchmark script runs (a quick smoke run), and it refuses to time engines whose
values or gradients disagree with hand-written numpy's."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_quick_run():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
                           "--cases", "expr,chain,flower_step"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for case in ("expr", "chain", "flower_step"):
        assert f"{case:<12} autograd_lite" in out and f"{case:<12} numpy" in out
    assert "import autograd_lite after numpy" in out and "loads hypothesis: False" in out


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("wrong", ["cost", "gradient"])
def test_benchmark_refuses_engines_that_disagree(monkeypatch, wrong):
    bench = _load_benchmark()
    cases, ops = bench._mlp_case([2, 4, 1], 20, "tanh")
    right = cases["autograd_lite"]

    def slightly_wrong():
        cost, grads = right()
        if wrong == "cost":
            return cost * (1 + 1e-6), grads
        return cost, {**grads, "W1": grads["W1"] * (1 + 1e-6)}

    cases["autograd_lite"] = slightly_wrong
    monkeypatch.setitem(bench.CASES, "flower_step", lambda: (cases, ops))
    with pytest.raises(SystemExit, match="autograd_lite's results .* differ from numpy's"):
        bench.time_case("flower_step", 2, quick=True)


@pytest.mark.skipif(sys.platform == "win32", reason="getrusage is Unix-only")
def test_page_fault_count_sees_fresh_pages(monkeypatch):
    import mmap

    def touch_fresh_pages():  # 1,024 new pages a step, whatever malloc does
        with mmap.mmap(-1, 1024 * mmap.PAGESIZE) as fresh:
            for offset in range(0, len(fresh), mmap.PAGESIZE):
                fresh[offset] = 1

    bench = _load_benchmark()
    monkeypatch.setitem(bench.CASES, "deep_step",
                        lambda: ({"fresh": touch_fresh_pages, "none": lambda: None}, 1))
    faults = bench.page_faults("deep_step", steps=5)
    assert faults["fresh"] >= 1000 and faults["none"] < 50
