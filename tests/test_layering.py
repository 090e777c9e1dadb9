"""Layering: autograd_lite never imports nn, importing it stays cheap, nn has no import
cycle, and no function in the packages is longer than a screen, and the
core file stays within its budget."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "autograd_lite"
MAX_FUNCTION_LINES = 60
SHORT_PACKAGES = ("autograd_lite", "nn")  # checked for MAX_FUNCTION_LINES
MAX_CORE_LINES = 600  # autograd_lite/tensor.py, the engine's core, read in one sitting (writes in
# place live in writes.py)


def test_autograd_lite_sources_never_import_nn():
    for path in PKG.glob("*.py"):  # every file, the command-line launcher included
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


def test_tab_completion_lists_every_public_name_without_loading_the_lazy_ones():
    code = ("import sys, autograd_lite as al; names = dir(al); "
            "missing = sorted(set(al.__all__) - set(names)); assert not missing, missing; "
            "assert 'graphviz' not in sys.modules and 'hypothesis' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _functions(package):
    for path in sorted((ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{package}/{path.name}:{node.lineno} {node.name}", \
                    node.end_lineno - node.lineno + 1


def test_no_function_is_longer_than_60_lines():
    long = [f"{where} ({n} lines)" for package in SHORT_PACKAGES
            for where, n in _functions(package) if n > MAX_FUNCTION_LINES]
    assert not long, f"longer than {MAX_FUNCTION_LINES} lines: {long}"


def test_the_engine_core_stays_within_its_line_budget():
    assert len((PKG / "tensor.py").read_text().splitlines()) <= MAX_CORE_LINES


def test_the_length_check_sees_long_functions(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "pkg" / "m.py").write_text(f"def f():\n{body}\n")  # 61 lines
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert [n for _, n in _functions("pkg")] == [MAX_FUNCTION_LINES + 1]


def test_nn_modules_import_each_other_at_the_top_only():
    """No import inside a function (the way round a cycle) from nn to nn, and no cycle."""
    imports = {}
    for path in sorted((ROOT / "nn").glob("*.py")):
        tree = ast.parse(path.read_text())
        top = {n for n in tree.body if isinstance(n, ast.ImportFrom)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node in top, f"nn/{path.name}:{node.lineno} imports nn inside a function"
                names = [node.module] if node.module else [a.name for a in node.names]
                imports.setdefault(path.stem, set()).update(names)
    done, visiting = set(), []

    def visit(module):
        assert module not in visiting, f"import cycle: {' -> '.join(visiting + [module])}"
        if module not in done:
            visiting.append(module)
            for other in imports.get(module, ()):
                visit(other)
            visiting.pop()
            done.add(module)

    for module in imports:
        visit(module)
