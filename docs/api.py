"""Build the HTML API reference of autograd_lite and nn from their docstrings, with pdoc.

    python docs/api.py              # writes build/api/ (open build/api/index.html)
    python docs/api.py OUT_DIR

It stops with a non-zero exit if pdoc warns, or if a public function, class or method has
no docstring (tests/test_api_docs.py runs both checks).
"""

from __future__ import annotations

import pkgutil
import sys
import warnings
from pathlib import Path

PACKAGES = ("autograd_lite", "nn")


def _resolve_lazy_names() -> None:
    """autograd_lite imports draw, explain, testing, ... on first use, to keep its import
    cheap; pdoc reads a module's namespace, so give it those names first."""
    import autograd_lite

    for name in autograd_lite._LAZY:
        setattr(autograd_lite, name, getattr(autograd_lite, name))


def modules(packages=PACKAGES) -> list[str]:
    """The packages and their public submodules (not __main__ or _private ones)."""
    import importlib

    names = []
    for package in packages:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(path)
                  if not m.name.startswith("_")]
    return names


def build(out, packages=PACKAGES) -> list[str]:
    """Write the reference of ``packages`` to the folder ``out``; returns pdoc's warnings."""
    import pdoc

    _resolve_lazy_names()
    pdoc.render.configure(docformat="markdown", show_source=False,
                          footer_text="autograd_lite: the engine and the course's models")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*packages, output_directory=Path(out))  # with their submodules
    return [str(w.message) for w in caught]


def undocumented(packages=PACKAGES) -> list[str]:
    """The public functions, classes and methods of ``packages`` with no docstring."""
    import pdoc.doc

    _resolve_lazy_names()
    missing = []

    def walk(namespace):
        for name, member in namespace.members.items():
            if name.startswith("_") or isinstance(member, pdoc.doc.Variable):
                continue
            if member.taken_from[0].split(".")[0] not in packages:
                continue  # numpy's, hypothesis's: not ours to document
            if not member.docstring.strip():
                missing.append(member.fullname)
            if isinstance(member, pdoc.doc.Class):
                walk(member)

    for name in modules(packages):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            walk(pdoc.doc.Module.from_name(name))
    return sorted(set(missing))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "build/api")  # under the current folder
    problems = [f"pdoc: {w}" for w in build(out)]
    problems += [f"no docstring: {name}" for name in undocumented()]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"API reference: {out / 'index.html'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
