"""Make the pictures under docs/ and the README's generated table.

    python docs/make_docs.py

- docs/computation_graph.svg/.png: e = (a+b)*(b+1) at a = 2, b = 3, after backward;
- docs/logistic_step.svg/.png: one logistic-regression step (m = 3) with its gradients
  (Z's gradient is the course's dz = (a - y) / m);
- where Chromium is installed, the pictures as a browser draws them:
  docs/logistic_step_browser.png (docs/logistic_step.svg) and docs/after_logistic.png (the
  tour notebook's logistic-regression diagram). docs/before_logistic.png is the same
  notebook diagram as drawn before diagrams collapsed composites and switched direction
  (kept for comparison, not regenerated);
- README.md's "Common mistakes" table, from docs/mistakes.py;
- README.md's results tables (Course 1 and Course 2), from nn.registry.COURSE_MODELS;
- README.md's operations table, from al.OPS, and docs/edge_cases.md.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np

import autograd_lite as al
from nn.registry import COURSE_MODELS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def computation_graph():
    a = al.Tensor(2.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c = a + b"
    d = b + 1
    d.name = "d = b + 1"
    e = c * d
    e.name = "e = c * d"
    e.backward()  # draw() shows every gradient after a plain backward
    return al.draw(e)


def logistic_step():
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])  # (n_x, m) = (2, 3)
    Y = np.array([[1.0, 0.0, 1.0]])  # (1, m)
    w = al.Tensor(np.array([[0.1], [-0.2]]), requires_grad=True, name="w")
    b = al.Tensor(0.0, requires_grad=True, name="b")
    wT = w.T
    wT.name = "w^T"
    Z = wT @ X + b
    Z.name = "Z = w^T X + b"
    A = al.sigmoid(Z)
    A.name = "A = sigmoid(Z)"
    J = al.binary_cross_entropy_with_logits(Z, Y)  # the cost J, computed from Z
    J.name = "J"
    J.backward(retain_graph=True, retain_grads=True)  # Z.grad is (A - Y) / m
    return al.draw(J, A, precision=3)


def notebook_logistic():
    """The tour notebook's logistic-regression diagram (examples/tour.ipynb, section 2)."""
    import nn

    X, Y = nn.planar_flower()  # X (2, 400), Y (1, 400)
    w = al.Tensor(np.zeros((2, 1)), requires_grad=True, name="w")
    b0 = al.Tensor(0.0, requires_grad=True, name="b")
    with al.scope("logistic"):
        A = al.sigmoid(w.T @ X + b0)
        J = al.binary_cross_entropy(A, Y)
    J.name = "J"
    J.backward()
    return al.draw(J)


def _load_tests_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def browser_pictures() -> None:
    """Screenshots of the diagrams in headless Chromium (tests/test_diagram_browser.py's
    helpers), where it is installed."""
    browser = _load_tests_module("test_diagram_browser")
    if browser.find_chromium() is None:
        print("Chromium not found: browser screenshots not made")
        return
    shots = {"logistic_step_browser.png": (DOCS / "logistic_step.svg").read_text(),
             "after_logistic.png": notebook_logistic().pipe(format="svg", encoding="utf-8")}
    for name, svg in shots.items():
        browser.screenshot(svg, DOCS / name)
        print(DOCS / name)


def edge_cases() -> str:
    """docs/edge_cases.md: the kink-and-boundary table (autograd_lite.specs.EDGE_CASES)."""
    from autograd_lite.specs import EDGE_CASES

    def show(v):
        if isinstance(v, type):
            return f"raises `{v.__name__}`"
        a = np.asarray(v, dtype=float)
        return f"`{a.tolist()}`" if a.ndim else f"`{float(a):g}`"

    rows = ["# Kinks and boundaries", "",
            "The value and gradient of each op where it is not smooth or not finite. Generated",
            "from `autograd_lite/specs.py` (`EDGE_CASES`) by `python docs/make_docs.py`;",
            "`tests/test_edges.py` checks every row. Gradients are of the sum of the output,",
            "one per input in order.", "",
            "| op | case | value | gradients | why |", "|---|---|---|---|---|"]
    for c in EDGE_CASES:
        grads = ", ".join(show(g) for g in c.grads) if not isinstance(c.value, type) else ""
        rows.append(f"| `{c.op}` | `{c.text}` | {show(c.value)} | {grads} | {c.why} |")
    return "\n".join(rows) + "\n"


def operations_table() -> str:
    """The README's operations table, from the registry al.OPS."""
    rows = ["| family | op | kind | method | numpy | operator | PyTorch's names "
            "| in `graph` expressions |",
            "|---|---|---|---|---|---|---|---|"]
    for op in al.OPS.values():
        numpy_names = ", ".join(f"`np.{'linalg.' * (f is np.linalg.norm)}{f.__name__}`"
                                for f in op.numpy)
        torch_names = ", ".join(f"`{name}()`" for name in op.torch)
        rows.append(f"| {op.family} | `{op.name}` | {'primitive' if op.primitive else 'composite'}"
                    f" | {f'`t.{op.method}()`' if op.method else ''} | {numpy_names} | "
                    f"{f'`{op.operator}`' if op.operator else ''} | {torch_names} | "
                    f"{'yes' if op.cli else ''} |")
    return "\n".join(rows)


def _replace_block(text: str, name: str, body: str) -> str:
    return re.sub(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)",
                  lambda m: m.group(1) + body + "\n" + m.group(2), text, flags=re.S)


def _percent(value) -> str:
    return "—" if value is None else f"{value:g} %"


def _pair(accuracies) -> str:
    train, test = accuracies
    return _percent(train) if test is None else f"{_percent(train)} / {_percent(test)}"


def results_table(course: int) -> str:
    """A README results table: each registry model's published rows, ours beside them."""
    rows = ["| model | data | settings | course: train / test | autograd_lite: train / test |",
            "|---|---|---|---|---|"]
    for model in COURSE_MODELS.values():
        if model.course != course:
            continue
        for n, r in enumerate(model.results):
            ours = _pair(r.expected)
            if r.costs:
                i, cost = list(r.costs.items())[-1]
                ours += f" (cost {cost:.6f} at {model.unit} {i})"
            name = f"`{model.name}`: {model.title} | {model.data}" if n == 0 else " | "
            rows.append(f"| {name} | {r.setting} | {_pair(r.course)} | {ours} |")
    return "\n".join(rows)


def mistakes_table() -> str:
    """The README's "Common mistakes" table, from docs/mistakes.py."""
    spec = importlib.util.spec_from_file_location("mistakes", DOCS / "mistakes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render_table()


def readme_tables():
    readme = ROOT / "README.md"
    text = readme.read_text()
    for name, body in (("mistakes", mistakes_table()), ("ops", operations_table()),
                       ("results", results_table(1)), ("results2", results_table(2))):
        text = _replace_block(text, name, body)
    readme.write_text(text)


if __name__ == "__main__":
    for name, diagram in (("computation_graph", computation_graph()),
                          ("logistic_step", logistic_step())):
        for suffix in ("svg", "png"):
            print(diagram.render_to(str(DOCS / f"{name}.{suffix}")))
    browser_pictures()
    readme_tables()
    (DOCS / "edge_cases.md").write_text(edge_cases())
    print("README.md tables and docs/edge_cases.md updated")
