"""The benchmark script runs (a quick smoke run): it checks gradients agree before timing."""

import subprocess
import sys
from pathlib import Path

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
