"""The benchmark script runs (a quick smoke run), and it refuses to time engines whose
values or gradients disagree with hand-written numpy's."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_quick_run():
    cases = ("expr", "chain", "flower_step", "flower_learner")
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
                           "--cases", ",".join(cases)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    installed = out.split("peers installed: ")[1].split("\n")[0].split(", ")
    for case in cases:  # each engine's value and gradients were checked against numpy's
        for engine in ("autograd_lite", "numpy", "al compiled"):
            assert f"{case:<14} {engine:<16}" in out, out
        for peer in installed:
            if peer != "none" and (peer != "micrograd" or case in ("expr", "chain")):
                assert f"{case:<14} {peer:<16}" in out, out
    # the bare engine, the floor of an eager engine's Python, agreed with numpy (it was timed)
    assert f"{'flower_learner':<14} {'bare engine':<16}" in out, out
    assert "import autograd_lite after numpy" in out and "loads hypothesis: False" in out
    assert "gc.freeze(): the imports' " in out


def test_benchmark_without_peers_or_freeze():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
                           "--no-peers", "--no-freeze", "--cases", "expr"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{'expr':<14} {'autograd_lite':<16}" in done.stdout
    for absent in ("al compiled", "peers installed", "gc.freeze()"):
        assert absent not in done.stdout, done.stdout


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


def test_first_call_of_the_compiled_flower_step_is_timed_in_a_fresh_process():
    sys.path.insert(0, str(REPO))
    from benchmarks import peers

    seconds = peers.first_call_seconds("al", repeats=1)
    assert 0 < seconds < 5  # trace and code generation, without the import


@pytest.mark.parametrize("script", ["run.py", "compare.py"])
def test_an_unknown_case_is_one_line_naming_the_cases(script):
    """run.py --cases nosuch ended in a KeyError traceback; the names were nowhere in --help."""
    extra = ["HEAD"] if script == "compare.py" else ["--quick"]
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *extra,
                           "--cases", "expr,nosuch"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "unknown case 'nosuch'; the cases are expr, chain, flower_step" in done.stderr
    helped = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), "--help"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    assert "flower_learner" in helped or "its --help lists them" in " ".join(helped.split())


def test_the_rounds_asked_for_are_the_rounds_run(monkeypatch, capsys):
    """--rounds 2 printed "10 rounds": max(10, rounds) overrode it, silently."""
    bench = _load_benchmark()
    seen = []
    monkeypatch.setattr(bench, "time_case", lambda name, rounds, quick: seen.append(rounds)
                        or {"numpy": [1.0, 1.0], "autograd_lite": [1.0, 1.0]})
    monkeypatch.setattr(bench, "dot_build_time", lambda rounds: 0.0)
    monkeypatch.setattr(bench, "memory", lambda engine: (0, 0))
    monkeypatch.setattr(bench, "page_faults_fresh_process", lambda name: {})
    monkeypatch.setattr(bench, "import_cost", lambda n: (0.0, 0, 0, False, False, False))
    assert bench.main(["--no-peers", "--cases", "expr", "--rounds", "3"]) == 0
    assert seen == [4]  # made even
    out = capsys.readouterr().out
    assert out.count("4 rounds (8 for the BLAS-bound") == 1 and "memory over" not in out
    bench.main(["--no-peers", "--cases", "expr", "--quick"])
    assert "2 rounds, each" in capsys.readouterr().out  # (quick doubles none)


def test_bare_engine_run_as_a_script_says_how_it_is_timed():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bare.py")],
                          capture_output=True, text=True, timeout=60, check=True)
    assert "run.py --no-peers --cases flower_learner" in done.stdout
