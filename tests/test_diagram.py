"""Diagrams: DOT structure of known graphs, real SVG/PNG rendering with each available
renderer, scopes and their clusters, the comparison view, explain, and big graphs."""

import ast
import inspect
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor, diagram
from autograd_lite.diagram import MAX_LAYOUT_NODES, GraphTooLargeError, RenderError


def course_example():
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(3.0, requires_grad=True, name="b")
    e = (a + b) * (b + 1)
    e.name = "e"
    return a, b, e


def labels(dot):
    return dict(re.findall(r'\t+(\w+) \[label="([^"]*)"', dot))


def test_dot_structure_of_the_course_example():
    a, b, e = course_example()
    e.backward(retain_graph=True, retain_grads=True)
    dot = al.draw(e).source
    nodes = labels(dot)
    tensors = {v.split("\\n")[0]: k for k, v in nodes.items() if k.startswith("t")}
    ops = sorted(v for k, v in nodes.items() if k.startswith("op"))
    assert set(tensors) == {"a", "b", "a + b", "b + 1", "e"}
    assert ops == ["add", "add", "multiply"]
    assert "grad 9" in nodes[tensors["b"]] and "value 3" in nodes[tensors["b"]]
    assert "grad 4" in nodes[tensors["a"]] and "value 20" in nodes[tensors["e"]]
    edges = set(re.findall(r"\t(\w+) -> (\w+)", dot))
    assert len(edges) == 9  # a, b -> add; b, 1 -> add; two sums -> multiply; 3 op -> out
    mul = next(k for k, v in nodes.items() if v == "multiply")
    assert (mul, tensors["e"]) in edges and (tensors["a + b"], mul) in edges
    assert "peripheries=2" in dot.split(tensors["e"] + " [")[1].split("\n")[0]  # the output
    assert "#cfe2ff" in dot.split(tensors["a"] + " [")[1].split("\n")[0]  # a parameter


def test_options_direction_values_precision():
    _, _, e = course_example()
    dot = al.draw(e, rankdir="TB", show_values=False, show_grads=False).source
    assert "rankdir=TB" in dot and "value" not in dot
    x = Tensor([1.23456789], requires_grad=True, name="x")
    assert "1.23" in al.draw(x * 2, precision=3).source
    for rankdir in ("LR", "TB", "RL", "BT"):
        assert f"rankdir={rankdir}" in al.draw(e, rankdir=rankdir).source
    with pytest.raises(ValueError, match="'LR', 'TB', 'RL' or 'BT', got 'XY'"):
        al.draw(e, rankdir="XY")


def test_big_tensors_are_summarised_and_op_arguments_shown():
    X = Tensor(np.arange(100.0).reshape(10, 10), requires_grad=True, name="X")
    dot = al.draw(al.sum(X, axis=1, keepdims=True)).source
    assert "min 0" in dot and "max 99" in dot and "mean 49.5" in dot
    assert "axis=(1,), keepdims=True" in dot


def test_freed_graph_gives_a_clear_error():
    _, _, e = course_example()
    e.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        al.draw(e)


def test_scopes_make_clusters_and_collapse_to_boxes():
    W1 = Tensor(np.ones((3, 2)), requires_grad=True, name="W1")
    W2 = Tensor(np.ones((1, 3)), requires_grad=True, name="W2")
    X = np.ones((2, 4))
    with al.scope("layer1"):
        A1 = al.tanh(W1 @ X)
    with al.scope("layer2"):
        A2 = al.sigmoid(W2 @ A1)
    dot = al.draw(A2).source
    assert clusters(dot) == ["layer1", "layer2"]
    collapsed = al.draw(A2, collapse=True)
    assert "cluster" not in collapsed.source
    assert collapsed.source.count("box3d") == 2 and "layer1\\n(" in collapsed.source


def clusters(dot):
    """The label of each ``subgraph cluster_*`` block, one entry per distinct cluster id."""
    found = re.findall(r'subgraph ("cluster[^"]*") \{\n\t*label="([^"]*)"', dot)
    ids = [cid for cid, _ in found]
    assert len(ids) == len(set(ids)), f"a cluster id is used twice: {ids}"
    return [label for _, label in found]


def two_scopes_that_differ_only_by_space_and_underscore():
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    with al.scope("layer 1"):
        h = al.tanh(x)
    with al.scope("layer_1"):
        y = al.sum(h * 2.0)
    with al.scope("layer 1"), al.scope("__lines__"):  # nested, and a name the tree must not trip on
        z = y + 1.0
    return z


def cluster_members(dot):
    """{cluster label: the first label line of each node directly inside that cluster}."""
    members, stack = {}, []
    for line in dot.splitlines():
        text = line.strip()
        if text.startswith("subgraph "):
            stack.append(None)
        elif stack and stack[-1] is None:
            stack[-1] = re.match(r'label="([^"]*)"', text).group(1)
            members.setdefault(stack[-1], set())
        elif text == "}" and stack:
            stack.pop()
        elif stack and (node := re.match(r'\w+ \[label="([^"\\]*)', text)):
            members[stack[-1]].add(node.group(1))
    return members


def test_scopes_whose_names_differ_only_by_space_and_underscore_stay_apart():
    dot = al.draw(two_scopes_that_differ_only_by_space_and_underscore()).source
    assert clusters(dot) == ["layer 1", "__lines__", "layer_1"]
    members = cluster_members(dot)
    assert "tanh" in members["layer 1"] and "multiply" not in members["layer 1"]
    assert {"multiply", "sum"} <= members["layer_1"] and "tanh" not in members["layer_1"]
    assert "add" in members["__lines__"]


def test_collapse_keeps_the_two_scopes_apart():
    collapsed = al.draw(two_scopes_that_differ_only_by_space_and_underscore(), collapse=True)
    boxes = re.findall(r'\t(\w+) \[label="([^"\\]*)\\n\((\d+) nodes\)"', collapsed.source)
    assert sorted((label, int(n)) for _, label, n in boxes) == [("layer 1", 5), ("layer_1", 5)]
    assert len({nid for nid, _, _ in boxes}) == 2
    edges = re.findall(r"\t(\w+) -> (\w+)", collapsed.source)
    box = {label: nid for nid, label, _ in boxes}
    assert (box["layer 1"], box["layer_1"]) in edges and (box["layer_1"], box["layer 1"]) in edges


def test_collapsed_box_ids_do_not_depend_on_the_hash_seed():
    code = ("from test_diagram import two_scopes_that_differ_only_by_space_and_underscore as f\n"
            "import autograd_lite as al\nprint(al.draw(f(), collapse=True).source)")
    here = al.draw(two_scopes_that_differ_only_by_space_and_underscore(), collapse=True).source
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=os.path.dirname(__file__),
                           env={**os.environ, "PYTHONHASHSEED": seed})
    assert there.stdout.strip() == here.strip()


def test_comparison_view_highlights_disagreeing_gradients():
    a, b, e = course_example()
    e.backward(retain_graph=True)
    dot = al.draw(e, compare={"da": 4.0, "db": 8.0}).source
    nodes = labels(dot)
    b_node = next(k for k, v in nodes.items() if v.startswith("b\\n"))
    a_node = next(k for k, v in nodes.items() if v.startswith("a\\n"))
    assert "yours 8" in nodes[b_node] and "yours" not in nodes[a_node]
    assert "#e03131" in dot.split(b_node + " [")[1].split("\n")[0]


def test_comparison_view_from_a_gradient_report():
    W = Tensor(np.array([[0.5, -0.2]]), requires_grad=True, name="W1")
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    cost = al.sum(al.tanh(W @ X))
    report = al.check_gradients(lambda P: al.sum(al.tanh(P["W1"] @ X)), {"W1": W.data},
                                {"dW1": np.zeros((1, 2))})
    cost.backward(retain_graph=True)
    dot = al.draw(cost, compare=report).source
    assert "yours" in dot and "#e03131" in dot


def test_explain_shows_the_chain_rule_for_the_course_example():
    _, b, e = course_example()
    text = al.explain(e)
    assert "b: 4 + 5 = 9" in text and "a: 4" in text
    assert text.splitlines()[0].split() == ["node", "op", "input", "upstream", "grad", "local",
                                            "derivative", "contribution"]
    assert b.grad is None  # explain stores nothing


def test_explain_refuses_big_graphs():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100):
        y = y * 1.01
    with pytest.raises(ValueError, match="draw"):
        al.explain(y)


def test_dot_for_10000_nodes_is_built_and_layout_is_refused():
    # how fast the DOT is built is measured by benchmarks/run.py, not here
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(5000):
        y = al.tanh(y) + 1.0
    diagram = al.draw(y)
    assert diagram.n_nodes > 10000 > MAX_LAYOUT_NODES
    assert diagram.source.count(" -> ") >= 15000
    with pytest.raises(GraphTooLargeError, match="collapse=True"):
        diagram.pipe_bytes("svg")


RENDERERS = [r for r in ("dot", "graphviz-pure") if shutil.which(r)
             or os.path.isfile(os.path.join(os.path.dirname(sys.executable), r))]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("fmt", ["svg", "png", "dot"])
def test_rendering_with_each_available_renderer(tmp_path, monkeypatch, renderer, fmt):
    path = shutil.which(renderer) or os.path.join(os.path.dirname(sys.executable), renderer)
    monkeypatch.setenv("AUTOGRAD_LITE_DOT", path)
    _, _, e = course_example()
    out = al.draw(e).render_to(str(tmp_path / f"e.{fmt}"))
    data = open(out, "rb").read()
    assert {"svg": b"<svg", "png": b"\x89PNG", "dot": b"digraph"}[fmt] in data[:400]


def test_graphviz_pure_comes_with_the_install():
    assert "graphviz-pure" in RENDERERS


def test_no_renderer_gives_a_clear_error_and_keeps_the_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_DOT", str(tmp_path / "no-such-dot"))
    _, _, e = course_example()
    diagram = al.draw(e)
    with pytest.raises(RenderError, match="pip install graphviz-pure"):
        diagram.render_to(str(tmp_path / "e.svg"))
    assert diagram.render_to(str(tmp_path / "e.dot"))
    bundle = diagram._repr_mimebundle_()
    assert "digraph" in bundle["text/plain"]


def test_jupyter_display_gives_svg():
    _, _, e = course_example()
    assert "<svg" in al.draw(e)._repr_mimebundle_()["image/svg+xml"]


def test_unknown_suffix_is_refused(tmp_path):
    _, _, e = course_example()
    with pytest.raises(ValueError, match=".svg"):
        al.draw(e).render_to(str(tmp_path / "e.jpg2"))


def test_no_function_in_the_diagram_module_is_longer_than_60_lines():
    tree = ast.parse(inspect.getsource(diagram))
    long = [(f.name, f.end_lineno - f.lineno + 1) for f in ast.walk(tree)
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            and f.end_lineno - f.lineno + 1 > 60]
    assert long == []
