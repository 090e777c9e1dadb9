"""Layering: autograd_lite never imports nn, and importing it stays cheap."""

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "autograd_lite"


def test_autograd_lite_sources_never_import_nn():
    for path in PKG.glob("*.py"):
        if path.name == "__main__.py":  # the command-line launcher sits on top of both
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "nn" or n.startswith("nn.") for n in names), path.name


def test_import_is_cheap_and_lazy():
    code = ("import sys, autograd_lite, autograd_lite.tensor, autograd_lite.ops, "
            "autograd_lite.functional, autograd_lite.gradcheck, autograd_lite.expr; "
            "print(sorted(m for m in ('hypothesis', 'graphviz', 'matplotlib', 'nn', 'h5py', "
            "'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_lazy_features_load_on_use():
    code = ("import sys, autograd_lite as al; al.draw; assert 'graphviz' in sys.modules; "
            "assert 'hypothesis' not in sys.modules; al.testing; "
            "assert 'hypothesis' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
