"""The API reference (docs/api.py, pdoc): it builds with no warning, every public name of
autograd_lite and nn has a docstring, and nn's functions of course-notation arrays say
their shapes."""

import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import nn

pytest.importorskip("pdoc")
ROOT = Path(__file__).resolve().parent.parent


def _api():
    spec = importlib.util.spec_from_file_location("docs_api", ROOT / "docs" / "api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_builds_with_no_warning(tmp_path):
    api = _api()
    assert api.build(tmp_path) == []
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    assert {"index.html", "autograd_lite.html", "nn.html", "nn/deep.html", "nn/plot.html",
            "nn/grading.html", "autograd_lite/testing.html"} <= pages
    deep = (tmp_path / "nn" / "deep.html").read_text()
    assert "L_model_backward" in deep and "(n[l], n[l-1])" in deep
    top = (tmp_path / "autograd_lite.html").read_text()
    assert "check_gradients" in top and 'id="draw"' in top  # draw: imported lazily


def test_every_public_name_has_a_docstring():
    assert _api().undocumented() == []


def test_a_missing_docstring_is_found(tmp_path, monkeypatch):
    package = tmp_path / "planted_pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "thing.py").write_text(
        '"""A module."""\n\n\ndef documented():\n    """Yes."""\n\n\n'
        'def forgotten(X):\n    return X\n\n\nclass Kept:\n    """A class."""\n\n'
        '    def method(self):\n        return 1\n\n    def _private(self):\n        return 2\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert _api().undocumented(("planted_pkg",)) == ["planted_pkg.thing.Kept.method",
                                                          "planted_pkg.thing.forgotten"]
    finally:
        for name in [m for m in sys.modules if m.startswith("planted_pkg")]:
            del sys.modules[name]


# The course's arrays, by the names nn's functions give them; their shapes are written in
# course notation: (n_x, m), (1, m), (n[l], n[l-1]), (n_h, 1), ...
COURSE_ARRAYS = {"X", "Y", "AL", "A", "A_prev", "A3", "Z", "dA", "dZ", "w", "W", "b",
                 "X_train", "Y_train", "X_test", "Y_test"}
SHAPE = re.compile(r"\([^()]*\b(m|m_train|m_test|n_x|n_h|n\[l\]|n\[l-1\]|n\[l−1\]|n\[1\])\)")


def test_nn_functions_of_course_arrays_say_their_shapes():
    unsaid = []
    for info in pkgutil.iter_modules(nn.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"nn.{info.name}")
        for name, f in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(f) or \
                    f.__module__ != module.__name__:
                continue
            arrays = set(inspect.signature(f).parameters) & COURSE_ARRAYS
            if arrays and not SHAPE.search(inspect.getdoc(f) or ""):
                unsaid.append(f"{module.__name__}.{name}({', '.join(sorted(arrays))})")
    assert unsaid == []
