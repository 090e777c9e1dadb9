"""Diagrams: DOT structure of known graphs, scopes and their clusters, the comparison view,
explain, big graphs, and real rendering: render_to in every listed format, and graphviz's own
render/pipe/view/Jupyter display on a machine without a system dot (graphviz-pure) and with one."""

import ast
import gc
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import weakref

import graphviz
import numpy as np
import pytest
from graphviz.backend.viewing import PLATFORM

import autograd_lite as al
from autograd_lite import Tensor, diagram
from autograd_lite.diagram import (
    FORMATS,
    MAX_LAYOUT_NODES,
    Diagram,
    GraphTooLargeError,
    RenderError,
)


def course_example():
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(3.0, requires_grad=True, name="b")
    e = (a + b) * (b + 1)
    e.name = "e"
    return a, b, e


def labels(dot):
    return dict(re.findall(r'\t+(\w+) \[label="([^"]*)"', dot))


def _by_name(dot):
    return {v.split("\\n")[0]: v.split("\\n")[1:] for k, v in labels(dot).items()
            if k.startswith("t")}


def test_a_leaf_shows_this_graphs_gradient_beside_what_other_passes_added_to_its_grad():
    """A micrograd user's report: after e.backward() and e2.backward() through a second
    graph, e2's picture showed a: grad 4 (both passes) beside a + b: grad 2 (this graph's):
    the chain rule in the picture did not add up; before e2.backward() it already showed
    e's gradients as e2's. Now each box's grad is this graph's, and .grad is shown apart
    where it holds more."""
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(1.0, requires_grad=True, name="b")
    e = (a + b) * (b + 1)
    e.backward()
    once = al.draw(e).source
    assert _by_name(once)["a"][-1] == "grad 2" and ".grad" not in once  # one pass: as before
    e2 = (a + b) * (b + 1)
    before = al.draw(e2).source
    assert _by_name(before)["a"][2:] == [".grad 2 (other graphs)"]
    assert "through other graphs; this one has had no" in before
    e2.backward()
    after = _by_name(al.draw(e2).source)
    assert after["a"][2:] == ["grad 2", ".grad 4 (not this graph's)"]
    assert after["b"][2:] == ["grad 5", ".grad 10 (not this graph's)"]
    assert after["a + b"][-1] == "grad 2" and after["b + 1"][-1] == "grad 3"
    assert "zero_grad()" in al.draw(e2).source and "set by hand" in al.draw(e2).source
    assert np.array_equal(a.grad, 4.0)  # drawing stored nothing


def test_a_loop_without_zero_grad_draws_the_costs_own_gradient():
    """Twelve steps without zeroing W.grad: J8's picture showed W: grad 1300 (later steps'
    passes included); here dJ8/dW is 2 * 8**2 = 128 an entry, .grad the sum over the 12."""
    W = Tensor(np.ones(2), requires_grad=True, name="W")
    costs = []
    for step in range(12):
        J = ((W * step) ** 2).sum()
        J.backward()
        costs.append(J)
    shown = _by_name(al.draw(costs[8]).source)["W"]
    assert shown[2:] == ["grad [128, 128]", ".grad [1012, 1012] (not this graph's)"]


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


def test_a_graph_freed_by_backward_is_drawn_in_part_with_a_note_in_the_picture(tmp_path):
    x = Tensor(np.ones(200_000), requires_grad=True)  # too big to keep for drawing
    e = (al.tanh(x) * 2).sum()
    e.name = "e"
    e.backward()
    d = al.draw(e)
    assert "inputs freed" in d.source and "retain_graph=True" in d.source
    svg = open(d.render_to(str(tmp_path / "freed.svg"))).read()
    assert "freed by backward()" in svg  # the note is part of the image, not only the DOT
    with pytest.raises(RuntimeError, match="explain: backward\\(\\) freed this graph"):
        al.explain(e)


def test_draw_after_backward_shows_every_gradient_and_stores_none():
    a, b, e = course_example()
    c = a + b
    e = c * (b + 1)
    e.backward()
    labels = al.draw(e).source
    assert "value 5\\ngrad 4" in labels and "value 20\\ngrad 1" in labels
    with pytest.warns(UserWarning, match="fills .grad on leaves only"):
        assert c.grad is None and a.grad == 4.0  # the replay stored nothing


def test_after_an_in_place_update_the_picture_says_why_gradients_are_missing():
    a, b, e = course_example()
    e.backward()
    with al.no_grad():
        a -= 0.1 * a.grad
    d = al.draw(e)
    assert "'a' changed in place after this graph used it (a parameter update?)" in d.source
    assert "tensors computed from it their old ones" in d.source  # a's value is the new one
    assert "grad 1\\n" not in d.source  # no stale intermediate gradient is shown
    with pytest.raises(RuntimeError, match="explain: 'a' changed in place after this graph "
                       "used it .* Call explain before updating"):
        al.explain(e)


def test_an_update_before_any_backward_is_said_too_and_the_course_flow_still_draws():
    w = Tensor(2.0, requires_grad=True, name="w")
    J = w * w + 1
    with al.no_grad():
        w -= 0.5
    source = al.draw(J, show_grads=False).source
    assert "'w' changed in place" in source and "not shown" not in source
    J = w * w + 1  # computed again: nothing to say
    J.backward()
    assert "changed in place" not in al.draw(J).source
    assert "w: 1.5 + 1.5 = 3" in al.explain(J)


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
    assert all(line == line.rstrip() for line in text.splitlines())  # no padding at the end


def test_two_leaves_given_the_same_name_are_told_apart_as_compile_tells_them():
    """Two tensors named "a" read "e = a * a" (a square) and a table with two rows for a;
    the second is a_2, as in al.compile's source."""
    a = al.tensor(2.0, requires_grad=True, name="a")
    other = al.tensor(3.0, requires_grad=True, name="a")
    e = a * other
    source = al.draw(e).source
    assert "e = a * a_2" in source and 'label="a_2' in source, source
    table = al.explain(e)
    assert "a: 3" in table and "a_2: 2" in table, table
    def f(x, y):
        return x * y
    step = al.compile(f)
    step(a, other)
    assert "def f(a, a_2):" in step.source
    assert a.name == other.name == "a"  # the names given are kept
    x = al.Tensor(1.0, name="w", requires_grad=True)  # a name, and a variable of that name
    w = al.Tensor(2.0, requires_grad=True)
    assert "out = w * w_2" in al.draw(out := x * w).source and "w_2: 1" in al.explain(out)


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


def graphviz_pure_path():
    beside = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    return beside if os.path.isfile(beside) else shutil.which("graphviz-pure")


@pytest.fixture
def without_dot(tmp_path_factory, monkeypatch):
    """A machine without Graphviz: PATH holds graphviz-pure and no ``dot``."""
    bin_dir = tmp_path_factory.mktemp("bin")
    os.symlink(graphviz_pure_path(), bin_dir / "graphviz-pure")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("AUTOGRAD_LITE_DOT", raising=False)
    with pytest.raises(graphviz.ExecutableNotFound):  # plain graphviz cannot render here
        graphviz.Digraph(body=["a -> b"]).pipe(format="svg")


def looks_like(fmt, data, source):
    """True when ``data`` is a file of format ``fmt``, judged by its first bytes."""
    if fmt == "svg":
        return data.startswith(b"<?xml") and b"<svg" in data[:400] and data.endswith(b"</svg>\n")
    if fmt == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if fmt in ("jpg", "jpeg", "jpe"):
        return data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9")
    if fmt in ("json", "json0", "dot_json", "xdot_json"):
        return json.loads(data)["name"] == "autograd_lite"
    if fmt in ("plain", "plain-ext"):
        return data.startswith(b"graph 1 ") and data.endswith(b"stop\n")
    if fmt in ("dot", "gv"):  # the DOT text as drawn, not laid out: render_to needs no renderer
        return data.decode() == source
    if fmt == "canon":
        return data.startswith(b"digraph autograd_lite {") and b"bb=" not in data
    if fmt.startswith("xdot"):
        return data.startswith(b"digraph autograd_lite {") and b"_draw_=" in data
    raise AssertionError(f"no check for {fmt}")


def test_formats_are_what_graphviz_pure_writes():
    done = subprocess.run([graphviz_pure_path(), "-T?"], capture_output=True, text=True)
    listed = done.stderr.split("Use one of:")[1].split()
    assert sorted(FORMATS) == sorted(set(listed) - {"xdot_json"})  # (its xdot_json is dot_json)


def test_render_to_error_lists_exactly_the_formats(tmp_path):
    _, _, e = course_example()
    for bad in ("e.jpg2", "e.pdf", "e"):
        with pytest.raises(ValueError, match="render_to") as err:
            al.draw(e).render_to(str(tmp_path / bad))
        listed = str(err.value).split("one of: ")[1].split(";")[0].split()
        assert sorted(listed) == sorted("." + f for f in FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_to_writes_every_listed_format(tmp_path, without_dot, fmt):
    _, _, e = course_example()
    d = al.draw(e)
    out = d.render_to(str(tmp_path / f"e.{fmt.upper() if fmt == 'png' else fmt}"))  # any case
    assert looks_like(fmt, open(out, "rb").read(), d.source)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("fmt", ["svg", "png", "dot"])
def test_rendering_with_each_available_renderer(tmp_path, monkeypatch, renderer, fmt):
    path = shutil.which(renderer) or os.path.join(os.path.dirname(sys.executable), renderer)
    monkeypatch.setenv("AUTOGRAD_LITE_DOT", path)
    _, _, e = course_example()
    d = al.draw(e)
    assert looks_like(fmt, open(d.render_to(str(tmp_path / f"e.{fmt}")), "rb").read(), d.source)
    piped = d.pipe(format=fmt)
    assert looks_like(fmt, piped, "") if fmt != "dot" else b'bb="' in piped  # -Tdot: laid out


def test_graphviz_pure_comes_with_the_install():
    assert "graphviz-pure" in RENDERERS


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in dot is a shell script")
def test_a_system_dot_is_run_as_graphviz_runs_it(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "dot.log"
    dot = bin_dir / "dot"  # a system dot that notes its arguments (graphviz-pure does the work)
    dot.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{graphviz_pure_path()}" "$@"\n')
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("AUTOGRAD_LITE_DOT", raising=False)
    _, _, e = course_example()
    d = al.draw(e)
    plain = graphviz.Source(d.source)  # graphviz's own class, running dot by name
    assert d.pipe(format="png", engine="neato") == plain.pipe(format="png", engine="neato")
    mine = d.render("mine", directory=str(tmp_path), format="svg")
    theirs = plain.render("theirs", directory=str(tmp_path), format="svg")
    assert open(mine, "rb").read() == open(theirs, "rb").read()
    calls = [line.split() for line in log.read_text().splitlines()]
    assert len(calls) == 4 and calls[0] == calls[1] == ["-Kneato", "-Tpng"]
    assert calls[2][:2] == calls[3][:2] == ["-Kdot", "-Tsvg"]


def test_render_as_graphviz_users_type_it(tmp_path, without_dot, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, _, e = course_example()
    d = al.draw(e)
    assert d.render("e", format="svg") == "e.svg"  # graphviz: the DOT in "e", the image beside
    assert open("e").read() == d.source and looks_like("svg", open("e.svg", "rb").read(), "")
    assert b"a + b" in open("e.svg", "rb").read()
    out = d.render("e", directory="out", format="png", cleanup=True)
    assert out == os.path.join("out", "e.png") and not os.path.exists(os.path.join("out", "e"))
    assert looks_like("png", open(out, "rb").read(), "")
    assert al.draw(e).render(outfile="pic.jpg") == "pic.jpg"  # the format from the suffix
    assert looks_like("jpg", open("pic.jpg", "rb").read(), "")
    assert al.draw(e).render("f") == "f.svg"  # the default format is svg: every renderer has it


def test_render_passes_the_engine_and_keeps_graphviz_checks(tmp_path, without_dot):
    _, _, e = course_example()
    d = al.draw(e)
    by_dot = d.pipe(format="plain").decode().splitlines()
    by_neato = d.pipe(format="plain", engine="neato").decode().splitlines()
    assert by_dot[0] != by_neato[0] and len(by_dot) == len(by_neato)  # another layout, same graph
    with pytest.raises(ValueError, match="unknown format"):  # graphviz's own check still runs
        d.pipe(format="nonsense")
    d.render(outfile=str(tmp_path / "e.svg"))
    with pytest.raises(graphviz.FileExistsError):
        d.render(outfile=str(tmp_path / "e.svg"), raise_if_result_exists=True)


def test_pipe_as_graphviz_users_type_it(without_dot):
    _, _, e = course_example()
    d = al.draw(e)
    assert looks_like("png", d.pipe(format="png"), "")
    svg = d.pipe(format="svg", encoding="utf-8")
    assert isinstance(svg, str) and svg.startswith("<?xml") and "a + b" in svg
    assert looks_like("svg", d.pipe(), "")


def test_view_renders_then_opens_with_the_platform_opener(tmp_path, without_dot, monkeypatch):
    opened = []
    monkeypatch.setattr(Diagram, f"_view_{PLATFORM}",
                        staticmethod(lambda path, quiet=False: opened.append(path)), raising=False)
    _, _, e = course_example()
    out = al.draw(e).view("e", directory=str(tmp_path))
    assert opened == [out] and out == str(tmp_path / "e.svg")
    assert looks_like("svg", open(out, "rb").read(), "")


def test_a_format_graphviz_pure_cannot_write_is_a_render_error_that_lists_the_formats(
        tmp_path, without_dot):
    _, _, e = course_example()
    d = al.draw(e)
    for attempt in (lambda: d.pipe(format="pdf"),
                    lambda: d.render(outfile=str(tmp_path / "e.pdf"))):
        with pytest.raises(RenderError, match="graphviz-pure cannot write 'pdf'") as err:
            attempt()
        assert all(f in str(err.value) for f in FORMATS) and err.value.source == d.source


def test_jupyter_display_gives_svg():
    _, _, e = course_example()
    assert "<svg" in al.draw(e)._repr_mimebundle_()["image/svg+xml"]


def test_jupyter_display_without_dot_in_each_image_type(without_dot):
    _, _, e = course_example()
    bundle = al.draw(e)._repr_mimebundle_(include=["image/svg+xml", "image/png", "image/jpeg"])
    assert "<svg" in bundle["image/svg+xml"]
    assert looks_like("png", bundle["image/png"], "")
    assert looks_like("jpg", bundle["image/jpeg"], "")


def test_no_renderer_gives_a_clear_error_and_keeps_the_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_DOT", str(tmp_path / "no-such-dot"))
    _, _, e = course_example()
    d = al.draw(e)
    for attempt in (lambda: d.render_to(str(tmp_path / "e.svg")), lambda: d.pipe(format="svg"),
                    lambda: d.render(str(tmp_path / "e")),
                    lambda: d.view(str(tmp_path / "e"))):
        with pytest.raises(RenderError, match="pip install graphviz-pure") as err:
            attempt()
        assert err.value.source == d.source
    assert d.render_to(str(tmp_path / "e.dot"))
    bundle = d._repr_mimebundle_()
    assert "digraph" in bundle["text/plain"]


def test_a_failing_renderer_is_a_render_error_with_its_message(tmp_path, monkeypatch):
    fake = tmp_path / "broken-dot"
    fake.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("AUTOGRAD_LITE_DOT", str(fake))
    _, _, e = course_example()
    d = al.draw(e)
    for attempt in (lambda: d.pipe(format="svg"), lambda: d.render(str(tmp_path / "e"))):
        with pytest.raises(RenderError, match="syntax error in line 1"):
            attempt()


def test_big_graphs_are_refused_by_render_and_pipe_too(tmp_path):
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(MAX_LAYOUT_NODES // 4 + 1):
        y = al.tanh(y) + 1.0
    d = al.draw(y)
    for attempt in (lambda: d.pipe(format="svg"), lambda: d.render(str(tmp_path / "e")),
                    lambda: d.copy().pipe(format="svg")):
        with pytest.raises(GraphTooLargeError, match="collapse=True"):
            attempt()


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


# ---- composites: one node by default, their insides with expand=True ---------------------

def ops_drawn(dot):
    """The first label line of every op ellipse (primitive or composite call)."""
    return [v.split("\\n")[0] for k, v in labels(dot).items() if k.startswith("op")]


def bce_graph():
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    w = Tensor(np.array([[0.1], [-0.2]]), requires_grad=True, name="w")
    b = Tensor(0.0, requires_grad=True, name="b")
    A = al.sigmoid(w.T @ X + b)
    J = al.binary_cross_entropy(A, Y)
    return X, Y, A, J


def test_an_array_input_is_drawn_by_its_name_and_shape():
    X, Y, A, J = bce_graph()
    J.backward()
    a = A.data
    assert J.item() == pytest.approx(-np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a)))
    dot = al.draw(J).source
    assert ops_drawn(dot) == ["transpose", "matmul", "add", "sigmoid", "binary_cross_entropy"]
    nodes, edges = labels(dot), set(re.findall(r"\t(\w+) -> (\w+)", dot))
    bce = next(k for k, v in nodes.items() if v == "binary_cross_entropy")
    into = {nodes[a].split("\\n")[0] for a, b in edges if b == bce}
    assert into == {"A = sigmoid(w.T @ X + b)", "Y (1, 3)"}  # A (held here), the labels Y
    assert "binary_cross_entropy(sigmoid(w.T @ X + b), Y)" not in dot  # too long: shortened
    out = next(a for a, b in edges if a.startswith("op") is False and b == bce
               and nodes[a].startswith("A = sigmoid"))
    assert "grad" in nodes[out]  # A's gradient still shown after a plain backward


def std_graph():
    """std, a composite of composites: sqrt(var(...)), var's mean inside."""
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])
    w = Tensor(np.array([[0.1], [-0.2]]), requires_grad=True, name="w")
    b = Tensor(0.0, requires_grad=True, name="b")
    Z = w.T @ X + b
    return X, Z, al.std(Z)


def test_a_composite_is_one_node_by_default_and_expand_shows_its_insides():
    X, Z, J = std_graph()
    J.backward()
    assert J.item() == pytest.approx(np.std(Z.data))
    dot = al.draw(J).source
    assert ops_drawn(dot) == ["transpose", "matmul", "add", "std"]
    nodes, edges = labels(dot), set(re.findall(r"\t(\w+) -> (\w+)", dot))
    std = next(k for k, v in nodes.items() if v == "std")
    into = [a for a, b in edges if b == std]
    assert [nodes[a].split("\\n")[0] for a in into] == ["Z = w.T @ X + b"]  # Z: held here
    assert "grad" in nodes[into[0]]  # Z's gradient still shown after a plain backward
    inside = al.draw(J, expand=True).source
    assert {"subtract", "multiply", "sum", "divide", "power"} <= set(ops_drawn(inside))
    assert "std" not in ops_drawn(inside)
    assert sorted(clusters(inside)) == ["mean", "sqrt", "std", "var"]
    assert "rounded,dotted" in inside


def test_nested_composite_boxes_hold_the_nodes_their_call_made():
    X, Z, J = std_graph()
    members = cluster_members(al.draw(J, expand=True).source)
    assert {"subtract", "multiply"} <= members["var"] and "power" not in members["var"]
    assert {"sum", "divide"} <= members["mean"] and "multiply" not in members["mean"]
    assert "power" in members["sqrt"]


COMPOSITE_CALLS = {  # one call of each composite op of the registry
    "mean": lambda x: al.mean(x, axis=1), "var": lambda x: al.var(x, axis=1),
    "std": lambda x: al.std(x),
    "min": lambda x: al.min(x),
    "sqrt": lambda x: al.sqrt(x),
    "square": lambda x: al.square(x), "leaky_relu": lambda x: al.leaky_relu(x, 0.1),
    "clip": lambda x: al.clip(x, 0.3, 0.7), "logsumexp": lambda x: al.logsumexp(x, axis=0),
    "softmax": lambda x: al.softmax(x, axis=0), "log_softmax": lambda x: al.log_softmax(x, axis=1),
    "flatten": lambda x: al.flatten(x), "swapaxes": lambda x: al.swapaxes(x, 0, 1),
    "expand_dims": lambda x: al.expand_dims(x, 0), "squeeze": lambda x: al.squeeze(x[:1]),
    "stack": lambda x: al.stack([x, x]), "dot": lambda x: al.dot(x, np.ones((4, 2))),
    "reciprocal": lambda x: al.reciprocal(x), "outer": lambda x: al.outer(x[0], x[1]),
    "hstack": lambda x: al.hstack([x, x]), "vstack": lambda x: al.vstack([x, x[0]]),
    "tile": lambda x: al.tile(x, (2, 1)),
}


def test_every_composite_of_the_registry_is_drawn_as_one_node_named_after_it():
    composites = {name for name, op in al.OPS.items() if not op.primitive}
    assert composites == set(COMPOSITE_CALLS)  # a new composite needs a row here
    rng = np.random.default_rng(0)
    for name, f in COMPOSITE_CALLS.items():
        x = Tensor(rng.uniform(0.1, 0.9, (3, 4)), requires_grad=True, name="x")
        out = f(x)
        assert al.OPS[name].function.composite.name == name
        drawn = ops_drawn(al.draw(out, expand=False).source)
        own = [d for d in drawn if d != "getitem"]  # x[:1], the input of squeeze
        assert own == [name], (name, drawn)
        assert len(ops_drawn(al.draw(out, expand=True).source)) >= 1


def test_options_of_a_composite_are_in_its_node():
    x = Tensor(np.linspace(0.1, 0.9, 6).reshape(2, 3), requires_grad=True, name="x")
    dot = al.draw(al.clip(x, 0.25, a_max=0.75)).source
    assert "clip\\na_min=0.25, a_max=0.75" in dot
    assert "mean\\naxis=1, keepdims=True" in al.draw(al.mean(x, 1, keepdims=True)).source
    assert "leaky_relu\\nslope=0.2" in al.draw(al.leaky_relu(x, 0.2)).source


def test_a_composite_is_marked_only_when_recorded_and_keeps_no_array_alive():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    assert al.mean(Tensor(np.ones(3)))._scope == ()  # nothing recorded, nothing marked
    with al.no_grad():
        assert al.mean(x)._scope == ()
    with al.scope("layer"):
        m = al.mean(x)
    assert m._scope[0] == "layer" and type(m._scope[1]) is tuple  # after the user's scope
    x = Tensor(np.zeros((1, 200_000)), requires_grad=True)  # too big to keep for drawing
    Y = np.ones((1, 200_000))
    gone = weakref.ref(Y)
    J = al.binary_cross_entropy(al.sigmoid(x), Y)
    J.backward()  # frees the graph
    del Y
    gc.collect()
    assert gone() is None and J.item() > 0  # J's mark holds only the id of Y
    assert "inputs freed" in al.draw(J).source


def test_composites_inside_a_scope_stay_in_its_cluster_and_collapse_with_it():
    W = Tensor(np.ones((1, 2)), requires_grad=True, name="W")
    X = np.ones((2, 4))
    with al.scope("cost"):
        J = al.mean(al.square(W @ X))
    assert clusters(al.draw(J).source) == ["cost"]
    members = cluster_members(al.draw(J).source)
    assert {"matmul", "square", "mean"} <= members["cost"]
    assert clusters(al.draw(J, expand=True).source) == ["cost", "square", "mean"]
    collapsed = al.draw(J, expand=True, collapse=True).source
    assert "cluster" not in collapsed and "cost\\n(" in collapsed


# ---- names, constants, direction and font: what a reader sees -----------------------------

def _unheld_cost(w, b, X):
    """A * 2 - (b - Z), its intermediates held in no variable of the caller of draw()."""
    Z = w.T @ X + b
    A = al.sigmoid(Z)
    return A * 2.0 - (b - Z)


def test_unnamed_intermediates_are_named_from_their_op_and_inputs():
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])
    w = Tensor(np.array([[0.1], [-0.2]]), requires_grad=True, name="w")
    b = Tensor(0.0, requires_grad=True, name="b")
    firsts = [v.split("\\n")[0] for k, v in labels(al.draw(_unheld_cost(w, b, X)).source).items()
              if k.startswith("t")]
    assert {"w.T", "w.T @ X", "w.T @ X + b", "sigmoid(w.T @ X + b)", "b - (w.T @ X + b)",
            "sigmoid(w.T @ X + b) * 2"} <= set(firsts)  # Python's precedence, as typed
    assert "... - (b - (w.T @ X + b))" in firsts  # too long: the longest operand shortened
    Z = w.T @ X + b
    Z.name = "Z"
    assert "sigmoid(Z)" in al.draw(al.sigmoid(Z)).source
    y = Tensor(1.0, requires_grad=True, name="y")
    for _ in range(60):  # a graph of 120 tensors: still no automatic t12-style names
        y = al.tanh(y) * 0.9
    names = [v.split("\\n")[0] for k, v in labels(al.draw(y).source).items()
             if k.startswith("t")]
    assert not [n for n in names if re.fullmatch(r"t\d+", n)]
    assert {"tanh(y)", "tanh(y) * 0.9", "... * 0.9", "tanh(... * 0.9)"} <= set(names)
    assert max(map(len, names)) <= 32


def test_constants_read_by_value_name_or_shape_in_dashed_grey_boxes():
    w = Tensor(np.ones((1, 2)), requires_grad=True, name="w")
    X = np.ones((2, 400))  # the caller's variable names it
    out = (w @ X) * np.array([[1.0, -1.0] * 200]) + np.array([[0.5]]) + Tensor(np.ones(400))
    consts = {k: v for k, v in labels(al.draw(out).source).items() if k.startswith("c")}
    assert sorted(consts.values()) == ["X (2, 400)", "[[0.5]]", "array (1, 400)"]
    assert "array(" not in al.draw(out).source
    dot = al.draw(out).source
    for k in consts:
        style = dot.split(k + " [")[1].split("\n")[0]
        assert "shape=box" in style and "dashed" in style and "#868e96" in style
    assert "w @ X * const + [[0.5]]" in dot  # an unnamed array reads "const" in a name
    assert "const\\n(400,) float64" in dot  # an unnamed constant Tensor: a dashed leaf box
    unnamed = Tensor(np.ones((1, 2)), requires_grad=True)
    assert "unnamed\\n(1, 2)" in al.draw(unnamed * 2.0).source  # named from the variable
    assert "t1\\n(1, 2)" in al.draw(Tensor(np.ones((1, 2)), requires_grad=True) * 2.0).source


def test_auto_direction_is_left_to_right_only_when_that_fits_1000_px():
    _, _, e = course_example()
    assert "rankdir=LR" in al.draw(e).source
    X, Y, A, J = bce_graph()
    assert "rankdir=TB" in al.draw(J).source
    assert "rankdir=LR" in al.draw(J, rankdir="LR").source


def test_course_models_are_at_most_1000_px_wide_as_the_renderer_lays_them_out():
    import test_diagram_browser as browser

    for name, J in browser.course_model_graphs().items():
        svg = al.draw(J).pipe(format="svg", encoding="utf-8")
        width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
        assert width * 4 / 3 <= 1000, (name, width)  # an SVG pt is 4/3 px at 100 % zoom
        assert "rankdir=TB" in al.draw(J).source


def test_every_text_is_set_in_dejavu_sans_which_graphviz_pure_measures():
    X, Y, A, J = bce_graph()
    d = al.draw(A, J)
    d.attr(label="a note", fontsize="10")
    svg = d.pipe(format="svg", encoding="utf-8")
    fonts = set(re.findall(r'font-family="([^"]*)"', svg))
    assert fonts == {"DejaVu Sans"}
    pure = subprocess.run([graphviz_pure_path(), "-Tsvg"], input=d.source, text=True,
                          capture_output=True, check=True)
    assert "no hard-coded metrics" not in pure.stderr  # measured, not guessed as Times


def test_notes_in_the_picture_are_wrapped():
    x = Tensor(np.ones(200_000), requires_grad=True)
    e = (al.tanh(x) * 2).sum()
    e.backward()
    dot = al.draw(e).source
    note = re.search(r'label="(Part of this graph[^"]*)"', dot, flags=re.S).group(1)
    assert max(len(line) for line in note.split("\n")) <= 100 and "\n" in note


def test_draw_and_explain_after_a_seeded_backward_show_what_it_computed():
    """backward(grad=...) then draw/explain, as for a non-scalar output: the pictures show the
    gradients of that backward, which .grad holds, not those of a seed of ones."""
    x = al.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * 3
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 30.0])
    assert "x: [3, 30]" in al.explain(y)
    a, b = al.Tensor(2.0, requires_grad=True, name="a"), al.Tensor(3.0, requires_grad=True,
                                                                    name="b")
    e = (a + b) * (b + 1)
    e.backward(np.array(2.0))
    assert (a.grad, b.grad) == (8.0, 18.0)
    assert "b: 8 + 10 = 18" in al.explain(e)
    source = al.draw(e).source
    assert "grad 10" in source and "grad 8" in source  # b + 1's and a + b's gradients
    e2 = (a + b) * (b + 1)
    e2.backward()  # a plain backward after: ones again
    assert "b: 4 + 5 = 9" in al.explain(e2)


def test_a_collapsed_call_names_a_repeated_argument_each_time():
    """outer(a, a) was drawn as outer(a): the call's inputs are drawn once each (one edge),
    its label lists its arguments as given."""
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    for out, text in ((np.outer(a, a), "outer(a, a)"), (al.minimum(a, a), "minimum(a, a)")):
        firsts = [v.split("\\n")[0] for v in labels(al.draw(out.sum()).source).values()]
        assert f"out = {text}" in firsts  # (the loop's variable out holds it)


@pytest.mark.parametrize("make, text", [
    (lambda a, b: al.hstack([a, a]), "hstack([a, a])"),  # was hstack(a)
    (lambda a, b: al.vstack((a, b)), "vstack([a, b])"),  # was vstack(a, b): two arguments
    (lambda a, b: al.stack([b, a], axis=1), "stack([b, a], axis=1)"),
    (lambda a, b: al.hstack([a, 2.0 * np.ones(2)]), "hstack([a, [2, 2]])"),
    (lambda a, b: al.hstack([a, 2.0]), "hstack([a, ...])"),  # a number is not drawn
    (lambda a, b: al.tile(a, 2), "tile(a, reps=2)"),  # an option without a default was left out
    (lambda a, b: al.swapaxes(Tensor([[1.0, 2.0]], requires_grad=True, name="c"), 0, 1),
     "swapaxes(c, axis1=0, axis2=1)"),
    (lambda a, b: al.expand_dims(a, 0), "expand_dims(a, axis=0)"),
    # a tuple or list option is an option, not a list of inputs (the review: tile(a, [...,
    # ...], reps=(2, 1)), mean(a, [..., ...], axis=(0, 1)))
    (lambda a, b: al.tile(a, (2, 1)), "tile(a, reps=(2, 1))"),
    (lambda a, b: al.tile(a, [2, 1]), "tile(a, reps=(2, 1))"),
    (lambda a, b: al.tile(a, reps=[2, 1]), "tile(a, reps=(2, 1))"),  # by keyword (review 2)
    (lambda a, b: al.mean(al.stack([a, b]), (0, 1)), "mean(stack([a, b]), axis=(0, 1))"),
])
def test_a_collapsed_call_is_labelled_as_it_was_called(make, text):
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = Tensor([3.0, 4.0], requires_grad=True, name="b")
    firsts = [v.split("\\n")[0] for v in labels(al.draw(make(a, b).sum()).source).values()]
    assert text in firsts, firsts


def test_explains_local_derivative_is_a_rule_where_the_op_is_not_elementwise():
    """W @ x's row for W showed the VJP of ones, [[1, 2], [1, 2]], under "local derivative",
    as if each entry of W had that derivative; b's row, broadcast over the examples, showed
    [[3], [3]] (the ones summed), where dZ/db is 1 at every example."""
    W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    b = Tensor([[0.5], [0.5]], requires_grad=True, name="b")
    x = np.array([[1.0, 0.5, -1.0], [2.0, 0.0, 1.0]])
    L = al.binary_cross_entropy_with_logits(W @ x + b, np.ones((2, 3)))
    L.backward(retain_graph=True)
    lines = al.explain(L).splitlines()
    matmul = [row for row in lines if " matmul " in row]
    adds = [row for row in lines if " add " in row]
    assert len(matmul) == 1 and "g @ x.T" in matmul[0] and "[[1, 2]" not in matmul[0]
    assert len(adds) == 2 and all("[[1, 1, 1], [1, 1, 1]]" in row for row in adds)
    assert any("g * (sigmoid(z) - y) / size" in row for row in lines)
    assert "b: [[" in al.explain(L)  # the totals are as before


def test_explains_matmul_rule_brackets_a_compound_operand_and_names_a_constant():
    """A learner's review: for A @ (B * 2) the rule read "g @ B * 2.T" (a different
    expression: (B * 2).T was meant), and a constant X read "g @ x.T" though the diagram
    names it X."""
    A = Tensor([[1.0, 2.0]], requires_grad=True, name="A")
    B = Tensor([[1.0], [2.0]], requires_grad=True, name="B")
    text = al.explain((A @ (B * 2)).sum())
    assert "g @ (B * 2).T" in text and "A.T @ g" in text
    assert "(A * 2).T @ g" in al.explain(((A * 2) @ B).sum())
    W = Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    X = np.ones((2, 3))
    assert "g @ X.T" in al.explain((W @ X).sum())
    assert "g @ (W @ X + 1).T" in al.explain((W.T @ (W @ X + 1)).sum())


def test_tensors_held_in_the_courses_parameters_dict_are_named_by_their_keys():
    """A learner's review: parameters["W1"], the course's way to hold them, was drawn as t1;
    a variable's own name still wins over a key."""
    parameters = {"W1": Tensor(np.ones((2, 2)), requires_grad=True),
                  "b1": Tensor(np.zeros((2, 1)), requires_grad=True)}
    data = {"X": np.ones((2, 3))}
    J = al.tanh(parameters["W1"] @ data["X"] + parameters["b1"]).sum()
    names = {label.split("\\n")[0] for label in labels(al.draw(J).source).values()}
    assert {"W1", "b1", "X (2, 3)", "W1 @ X", "W1 @ X + b1"} <= names, names
    assert "t1" not in names
    b1 = parameters["b1"]  # noqa: F841 (a variable's name is taken first)
    renamed = {"bias": parameters["b1"]}  # noqa: F841
    assert "b1" in {label.split("\\n")[0] for label in labels(al.draw(J).source).values()}


def test_a_dict_key_that_clashes_with_a_variables_name_is_told_apart():
    """A hostile review: parameters["W1"] and another tensor in a variable W1 were both
    drawn as W1, so parameters["W1"] * W1 read "W1 * W1"."""
    parameters = {"W1": Tensor(np.ones(2), requires_grad=True)}
    W1 = Tensor(np.full(2, 2.0), requires_grad=True)
    names = {v.split("\\n")[0] for v in labels(al.draw((parameters["W1"] * W1).sum()).source)
             .values()}
    assert {"W1", "parameters['W1']", "parameters['W1'] * W1"} <= names, names


def test_a_product_with_a_matrix_product_on_its_right_keeps_its_brackets():
    """A hostile review: (A @ X + 1) * (B @ X) was labelled "(A @ X + 1) * B @ X", which
    Python reads as ((A @ X + 1) * B) @ X. Every equal right operand is bracketed now:
    A + (B - C) read A + B - C, another tree (a second review)."""
    A = Tensor(np.ones((2, 2)), requires_grad=True, name="A")
    B = Tensor(np.ones((2, 2)), requires_grad=True, name="B")
    X = np.ones((2, 3))
    names = {v.split("\\n")[0] for v in labels(al.draw((A @ X + 1) * (B @ X)).source).values()}
    assert "(A @ X + 1) * (B @ X)" in names, names
    for tree, label in ((A * (B * 2.0), "A * (B * 2)"), (A + (B - 1.0), "A + (B - 1)"),
                        ((A * B) * 2.0, "A * B * 2"), (A ** (B ** 2.0), "A ** B ** 2")):
        names = {v.split("\\n")[0] for v in labels(al.draw(tree).source).values()}
        assert f"tree = {label}" in names, names  # (the label parses to the graph's tree)


def _labels_of(graph):
    return {m.split("\\n")[0]: m for m in re.findall(r'label="([^"]*)"', graph.source)}


def test_drawing_an_intermediate_beside_the_output_after_backward_keeps_the_leaves_right():
    """draw(J, A) after J.backward() walked A's graph again as if backward() had gone from A
    too: w showed dJ/dw + d(sum A)/dw, and its true .grad as "(not this graph's)"."""
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    w = al.Tensor(np.array([[0.1], [-0.2]]), requires_grad=True, name="w")
    b = al.Tensor(0.0, requires_grad=True, name="b")
    A = al.sigmoid(w.T @ X + b)
    A.name = "A"
    J = al.binary_cross_entropy(A, Y)
    J.backward()
    for graph in (al.draw(J, A), al.draw(A, J)):
        labels = _labels_of(graph)
        assert "not this graph" not in graph.source
        assert f"grad {al.diagram._fmt_array(w.grad, 4)}" in labels["w"]
        assert f"grad {float(b.grad):.4g}" in labels["b"]


def test_compare_matches_the_names_the_boxes_show_and_says_which_keys_match_none():
    """Course-style parameters (no name=) are drawn W1, b1 from the dict's keys, but
    compare={"dW1": ...} outlined nothing; a key matching no tensor was dropped unsaid."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 5)), np.ones((1, 5))
    parameters = {"W1": al.Tensor(rng.standard_normal((1, 2)), requires_grad=True),
                  "b1": al.Tensor(np.zeros((1, 1)), requires_grad=True)}
    J = al.binary_cross_entropy_with_logits(parameters["W1"] @ X + parameters["b1"], Y)
    J.backward()
    right_db = float(parameters["b1"].grad[0, 0])  # a number, as the course's db is
    graph = al.draw(J, compare={"dW1": np.zeros((1, 2)), "db1": right_db, "dW9": np.ones(2)})
    labels = _labels_of(graph)
    assert "yours [[0, 0]]" in labels["W1"] and "yours" not in labels["b1"]
    assert "no tensor drawn is named dW9" in graph.source
    rank1 = al.draw(J, compare={"dW1": parameters["W1"].grad.ravel()})
    assert "(shape (2,), not (1, 2))" in _labels_of(rank1)["W1"]


def test_a_summary_counts_the_entries_that_are_not_finite():
    """A box said grad min 0.08 mean 0.26 max 1 beside a printed inf."""
    x = al.Tensor(np.arange(20.0), requires_grad=True, name="x")
    with np.errstate(divide="ignore"):
        y = al.log(x).sum()
        y.backward()
    assert "(and 1 inf)" in _labels_of(al.draw(y))["x"]


def test_a_notebook_shows_a_graph_too_big_to_draw_as_a_short_message_not_its_whole_dot():
    """A 5,000-op graph put its whole DOT text, 4.3 MB, into the notebook cell."""
    x = al.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(MAX_LAYOUT_NODES):
        y = y * 1.0
    text = al.draw(y)._repr_mimebundle_()["text/plain"]
    assert f"laying out more than {MAX_LAYOUT_NODES}" in text
    assert "more lines: d.source holds them all" in text and len(text.splitlines()) < 50


def test_a_tensor_given_a_dead_roots_id_is_not_taken_for_a_root():
    """Roots were kept as ids, which CPython reuses: in a loop, draw(J, A) walked A's graph
    again 199 times in 200."""
    w = al.Tensor(np.array([1.0, 2.0]), requires_grad=True, name="w")
    for _ in range(50):
        J0 = (w * 2).sum()
        J0.backward()
        del J0
        w.grad = None
        A = w * 3
        J = (A * A).sum()
        J.backward()
        assert not al.backward.backpropagated(A) and al.backward.backpropagated(J)
        assert "not this graph" not in al.draw(J, A).source


def test_compare_finds_a_parameter_whose_box_a_leftover_loop_variable_named():
    """After `for k, v in parameters.items()`, b1's box read v, and compare={"db1": ...}
    compared nothing: a wrong db1 went unmarked."""
    parameters = {"W1": al.Tensor(np.ones((1, 2)), requires_grad=True),
                  "b1": al.Tensor(np.zeros((1, 1)), requires_grad=True)}
    for k, v in parameters.items():  # noqa: B007  (the leftover is the point)
        pass
    J = (parameters["W1"] @ np.ones((2, 3)) + parameters["b1"]).sum()
    J.backward()
    graph = al.draw(J, compare={"db1": np.full((1, 1), 99.0)})
    assert "yours [[99]]" in graph.source and "no tensor drawn is named" not in graph.source


def test_the_courses_relu_is_drawn_as_maximum_without_its_tie_rule():
    """np.maximum(0, Z) records how a tie's gradient goes as a keyword of the op; the
    diagram showed it as 'ties=0.0', which is no input of the user's."""
    Z = al.Tensor(np.array([[-1.0, 0.0, 2.0]]), requires_grad=True, name="Z")
    J = np.maximum(0, Z).sum()
    J.backward()
    source = al.draw(J).source
    assert 'label="maximum"' in source and "ties" not in source


def test_minimum_against_a_constant_is_drawn_with_it_and_gives_numpys_zero():
    """minimum was -maximum(-x, -y): drawn minimum(Z) without its constant, and its value
    -0 where numpy gives +0 (-maximum(-Z, 0) at Z = 0)."""
    Z = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True, name="Z")
    M = np.minimum(Z, 0)
    assert np.array_equal(np.signbit(M.data), np.signbit(np.minimum(Z.data, 0)))
    assert "minimum(Z, 0)" in al.draw(M.sum()).source


def test_the_renderer_installed_beside_this_python_comes_before_another_on_path(
        tmp_path, monkeypatch):
    """A pyenv shim of another install's graphviz-pure, first on PATH, failed ('bash: No
    such file') where the one installed with this Python works."""
    from autograd_lite.diagram import find_renderer
    beside = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    if not os.path.isfile(beside):
        pytest.skip("graphviz-pure is not installed beside this Python")
    other = tmp_path / "graphviz-pure"
    other.write_text("#!/bin/sh\nexit 127\n")
    other.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("AUTOGRAD_LITE_DOT", raising=False)
    assert find_renderer() == beside
    assert al.draw(al.Tensor(1.0, requires_grad=True) * 2).pipe(format="svg").startswith(b"<")


@pytest.mark.parametrize("index, text", [
    ((1, 2), "W[1, 2]"), ([0, 2, 0], "W[[0, 2, 0]]"), ((slice(1, None), [0, 3]), "W[1:, [0, 3]]"),
    ((slice(None), slice(None, None, 2)), "W[:, ::2]"), ((None, Ellipsis, 1), "W[None, ..., 1]")])
def test_an_index_is_drawn_as_the_user_wrote_it(index, text):
    """Every index but an int was drawn getitem(W, index=[...]): np.split's pieces were two
    identical boxes."""
    W = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="W")
    assert f'label="{text}\\n' in al.draw(W[index].sum()).source
    top, bottom = np.split(W, [1])
    dot = al.draw(top.sum() + bottom.sum()).source
    assert 'label="top = W[0:1]\\n' in dot and 'label="bottom = W[1:]\\n' in dot


def test_softmax_s_shift_is_called_max_in_explain_not_shown_as_a_constant():
    """explain walks softmax's steps; its shift by the column max read x - [[3, 2]], a
    constant nobody wrote."""
    x = Tensor(np.array([[1.0, 2.0], [3.0, 0.0]]), requires_grad=True, name="x")
    J = (al.softmax(x, axis=0) * np.array([[1.0, 2.0], [3.0, 4.0]])).sum()
    table = al.explain(J)
    assert "exp(x - max)" in table and "[[3, 2]]" not in table
    assert "x - max" in al.draw(J, expand=True).source


# ---- a learner's and a teacher's pictures (outside tester): each showed a wrong number, a
# wrong name or a missing edge ---------------------------------------------------------------

@pytest.mark.parametrize("order", [lambda u, v: (u, v), lambda u, v: (v, u)])
def test_two_outputs_sharing_a_node_show_its_gradient_summed(order):
    # dh = du/dh + dv/dh = 3 + 2h = 7 (a's 14 = 2 * 7); h showed 3 or 4 by the order given
    a = Tensor(1.0, requires_grad=True, name="a")
    h = a * 2
    h.name = "h"
    u, v = h * 3, h * h
    u.name, v.name = "u", "v"
    u.backward(retain_graph=True)
    v.backward()
    shown = labels(al.draw(*order(u, v)).source)
    assert "grad 7" in next(x for x in shown.values() if x.startswith("h\\n"))
    assert "grad 14" in next(x for x in shown.values() if x.startswith("a\\n"))


def test_an_op_that_reads_a_tensor_twice_has_two_edges_from_it():
    a = Tensor(3.0, requires_grad=True, name="a")
    y = a * a
    y.backward()
    source = al.draw(y).source
    node = next(k for k, x in labels(source).items() if x.startswith("a\\n"))
    assert len(re.findall(rf"\b{node} -> op\d+", source)) == 2  # its gradient: 3 + 3


def test_a_loops_leftover_variable_does_not_name_a_parameters_box():
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    parameters = {"W1": Tensor(np.ones((1, 2)), requires_grad=True),
                  "b1": Tensor(np.zeros((1, 1)), requires_grad=True)}
    for key, p in parameters.items():  # noqa: B007  (the update loop's leftover p)
        pass
    J = (parameters["W1"] @ X + parameters["b1"]).sum()
    J.backward()
    names = {x.split("\\n")[0] for x in labels(al.draw(J).source).values()}
    assert {"b1", "W1 @ X + b1"} <= names and "p" not in names, names
    assert "\nb1: [[2]]" in al.explain(J)


def test_save_diagram_says_the_file_is_given_by_keyword(tmp_path):
    e = Tensor(2.0, requires_grad=True) * 3
    with pytest.raises(TypeError, match=r'save_diagram\(e, path="e.svg"\)'):
        al.save_diagram(e, str(tmp_path / "e.svg"))
    assert al.save_diagram(e, path=str(tmp_path / "e.svg")).endswith("e.svg")


def test_drawing_a_graph_that_overflowed_warns_no_more(recwarn):
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        y = al.log(x).sum()
        y.backward()
    al.draw(y)  # its replay of backward warned "divide by zero" again, outside errstate
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_an_output_given_twice_is_counted_once():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    h = x * 3
    h.name = "h"
    J = (h * h).sum()
    J.backward()
    shown = labels(al.draw(J, J).source)  # dh = 2h, dx = 3 dh; each was twice that
    assert "grad [6, 12]" in next(v for v in shown.values() if v.startswith("h\\n"))
    assert "grad [18, 36]" in next(v for v in shown.values() if v.startswith("x\\n"))
    assert "(not this graph's)" not in "".join(shown.values())


def test_explain_adds_up_a_tensor_made_by_an_op_and_used_several_times():
    # a learner's "a node used twice: its gradient is the sum" was shown for leaves only
    a = Tensor(1.0, requires_grad=True, name="a")
    b = Tensor(2.0, requires_grad=True, name="b")
    c = a + b
    e = 0.5 * (c * c + 3 * c) + 2 * c  # de/dc = 0.5 (2c + 3) + 2 = 6.5 at c = 3
    lines = al.explain(e).splitlines()
    assert "c: 1.5 + 1.5 + 1.5 + 2 = 6.5" in lines  # c, as the learner named it
    assert lines[-2:] == ["a: 6.5", "b: 6.5"]
    used_once = al.explain((a + b) * (b + 1)).splitlines()  # as before: no shared line
    assert used_once[-3:] == ["", "a: 3", "b: 3 + 3 = 6"]


def test_explain_says_which_rows_draw_shows_as_one_composite_node():
    # explain's rows are primitives (mean's sum and divide) where draw() shows one "mean"
    # node: a learner reading both saw different graphs, with nothing to join them
    x = al.tensor([1.0, 2.0, 3.0], requires_grad=True)
    text = al.explain((x * 2).mean())
    assert text.splitlines()[-1] == ("(mean, made of sum, divide: draw() shows it as one node, "
                                     "sum(x * 2) / 3; draw(..., expand=True) as these rows)")
    assert 'label="mean"' in al.draw((x * 2).mean()).source
    a = al.tensor(2.0, requires_grad=True)
    b = al.tensor(3.0, requires_grad=True)
    assert "draw()" not in al.explain((a + b) * (b + 1))  # primitives alone: no such line


def test_a_learners_variables_name_the_boxes_of_what_ops_made():
    """The course's own cost code drew as "1 / ...", "log(1 / ...)": the variables a learner
    wrote, Z and A, now title the boxes with what made them, and name them as operands."""
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    w = Tensor(np.zeros((2, 1)), requires_grad=True)
    b = Tensor(0.0, requires_grad=True)
    Z = np.dot(w.T, X) + b
    A = 1 / (1 + np.exp(-Z))
    J = -1 / 3 * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    J.backward()
    firsts = {v.split("\\n")[0] for v in labels(al.draw(J).source).values()}
    assert {"Z = dot(w.T, X) + b", "A = 1 / (1 + exp(-Z))", "log(A)", "1 - A",
            "log(1 - A)"} <= firsts, firsts
    assert any(f.startswith("J = ") for f in firsts)
    table = al.explain(J)
    assert "\nA  " in table and "1 / (1 + exp(-Z))" not in table  # rows name A, not its text
    dZ = (A.data - Y) / 3  # the course's dz = (a - y) / m, compared by the learner's name
    dot = al.draw(J, compare={"dZ": dZ}).source
    assert "yours" not in dot and "no tensor drawn" not in dot
    wrong = al.draw(J, compare={"dZ": dZ * 3}).source  # 1/m forgotten: Z's box outlined
    assert re.search(r'label="Z = [^"]*\\nyours \[\[-0.5, 0.5, -0.5\]\]" [^]]*#e03131', wrong)


def test_micrograds_draw_dot_spellings():
    a = Tensor(2.0, requires_grad=True, label="a")
    e = a * a
    e.backward()
    d = al.draw(e, format="png", rankdir="LR")  # draw_dot(root, format="png", rankdir="LR")
    assert d.format == "png" and "rankdir=LR" in d.source
    with pytest.raises(AttributeError, match=r"draw_dot\(root\) is al.draw\(root\)"):
        al.draw_dot(e)
    with pytest.raises(ImportError, match=r"al.draw\(root\)"):
        from autograd_lite import draw_dot  # noqa: F401
    with pytest.raises(ValueError, match="unknown format"):
        al.draw(e, format="pngx")


def test_drawing_what_is_not_a_tensor_says_what_to_draw():
    x = Tensor([1.0, 2.0], requires_grad=True)
    value, _ = al.compile(lambda x: (x * x).sum())(x)
    with pytest.raises(TypeError, match="al.compile's results and .item.. are numbers"):
        al.draw(value)
    with pytest.raises(TypeError, match=r"al.draw\(\*outputs\)"):
        al.draw([x * 2, x * 3])


def test_a_matrix_too_wide_for_one_line_keeps_a_row_a_line_and_no_negative_zero():
    """A (3, 4) gradient drew as four lines, its second row broken where the line was full:
    it read as a fourth row. And -0.0 drew as "-0"."""
    from autograd_lite.diagram import _fmt_array
    g = np.array([[-0.05615, 0.06756, -0.07443, 0.08071],
                  [-0.004064, 0.003135, -0.005219, 0.00296], [1.0, 2.0, 3.0, 4.0]])
    lines = _fmt_array(g, 4, 12, 40).splitlines()
    assert [line[:3] for line in lines] == ["[[-", " [-", "  0", " [1"]  # row 2 goes on, indented
    assert _fmt_array(np.array([[-0.0, 0.2]]), 4) == "[[0, 0.2]]"
    assert _fmt_array(np.full(100, -0.6931), 4, 12, 30).splitlines() == [
        "min -0.6931  mean -0.6931", "max -0.6931"]  # the order of the one-line summary


def test_drawing_part_of_a_graph_after_a_later_outputs_backward_says_what_to_draw():
    """draw(c) after e.backward(), e made from c, said "this one has had no backward() yet"."""
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(3.0, requires_grad=True, name="b")
    c = a + b
    e = c * (b + 1)
    e.backward()
    note = re.findall(r'label="([^"]*)"', al.draw(c).source)[-1].replace("\n", " ")
    assert "from a backward() from an output computed from this one" in note
    assert "no backward() yet" not in note
    assert "grad 4" in al.draw(e, c).source  # as it says


def test_graphviz_pures_xdot_json_is_not_offered_as_one():
    """It wrote dot_json's bytes (no drawing operations) under xdot_json's name."""
    from autograd_lite.diagram import FORMATS, RenderError, find_renderer
    assert "xdot_json" not in FORMATS
    if (find_renderer() or "").endswith("graphviz-pure"):
        a = Tensor(2.0, requires_grad=True, name="a")
        with pytest.raises(RenderError, match="cannot write 'xdot_json'.*install Graphviz"):
            al.draw(a * a).pipe(format="xdot_json")


def test_a_variable_that_names_another_box_already_does_not_name_a_second():
    """A hostile review: a leaf named Z and the caller's Z = Z @ W drew two boxes "Z", and
    compare={"dZ": ...} outlined both."""
    W = Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    Z = Tensor(np.ones((2, 2)), requires_grad=True, name="Z")
    Z = Z @ W
    firsts = [v.split("\\n")[0] for v in labels(al.draw(Z.sum()).source).values()]
    assert firsts.count("Z") == 1 and "Z @ W" in firsts
