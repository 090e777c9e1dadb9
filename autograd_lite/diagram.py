"""Computation-graph diagrams (graphviz DOT) with values and gradients, and ``explain``.

A diagram is a ``graphviz.Digraph`` whose ``render``, ``pipe``, ``view`` and Jupyter display run
the system ``dot`` when present, else the ``graphviz-pure`` command that the install brings, so
they work on a machine without Graphviz.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz
import numpy as np
from graphviz.backend import dot_command, rendering

from .backward import (
    KEEP_BYTES,
    KEEP_GRAPHS,
    KEEP_NODES,
    backprop,
    is_freed,
    is_spent,
    toposort,
    unbroadcast,
)
from .tensor import Tensor

__all__ = ["draw", "render", "explain", "save_diagram", "Diagram", "RenderError",
           "GraphTooLargeError", "find_renderer", "FORMATS"]

MAX_LAYOUT_NODES = 3000  # beyond this, dot takes minutes: refuse with a clear message

# What graphviz-pure writes (its `-T?` list; pdf and ps are not among them). render_to accepts
# exactly these suffixes; render and pipe accept them with graphviz-pure, and whatever a system
# dot writes with dot.
FORMATS = ("svg", "png", "jpg", "jpeg", "jpe", "json", "json0", "dot_json", "xdot_json", "plain",
           "plain-ext", "dot", "gv", "canon", "xdot", "xdot1.2", "xdot1.4")

_NO_RENDERER = ("no Graphviz renderer found: `pip install graphviz-pure` (pure, no system "
                "packages) or install Graphviz (e.g. `apt-get install graphviz`).")
_DOT_KEPT = "The DOT text is still available: diagram.source, or save it to a .dot file"


class RenderError(RuntimeError):
    """No renderer, or the renderer failed; the DOT text is in ``.source`` (and in
    ``diagram.source``)."""

    def __init__(self, message: str, source: str | None = None):
        super().__init__(message)
        self.source = source


class GraphTooLargeError(RenderError):
    """The graph has too many nodes to lay out in reasonable time."""


# ---- renderers --------------------------------------------------------------------------

def find_renderer() -> str | None:
    """Path of a dot-compatible program: $AUTOGRAD_LITE_DOT, ``dot``, then ``graphviz-pure``."""
    forced = os.environ.get("AUTOGRAD_LITE_DOT")
    if forced:
        return shutil.which(forced) or (forced if os.path.isfile(forced) else None)
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name)
        if found:
            return found
    beside = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    return beside if os.path.isfile(beside) else None


def _renderer_for(fmt: str, source: str | None = None) -> str:
    """The renderer to run for ``fmt``, or RenderError if there is none that writes it."""
    exe = find_renderer()
    if exe is None:
        raise RenderError(f"{_NO_RENDERER} {_DOT_KEPT}", source)
    name = os.path.basename(exe)
    if name.startswith("graphviz-pure") and fmt.split(":")[0].lower() not in FORMATS:
        raise RenderError(f"{name} cannot write {fmt!r}; it writes {', '.join(FORMATS)}. For "
                          f"{fmt}, install Graphviz (e.g. `apt-get install graphviz`), whose dot "
                          f"is then used. {_DOT_KEPT}", source)
    return exe


def _run_renderer(cmd: Sequence[str], source: str, *, data: bytes | None = None,
                  timeout: float = 60.0, quiet: bool = True) -> bytes:
    """Run a dot command line (``data`` on stdin) and return its stdout, or RenderError."""
    name = os.path.basename(cmd[0])
    try:
        done = subprocess.run(list(cmd), input=data, capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{name} did not finish laying out the graph in {timeout:g} s; draw "
                          "fewer nodes (collapse=True, or a sub-graph) or save the .dot file",
                          source) from None
    except OSError as err:
        raise RenderError(f"cannot run {cmd[0]}: {err}. {_DOT_KEPT}", source) from err
    stderr = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        raise RenderError(f"{name} failed (exit status {done.returncode}): {stderr[:500]}. "
                          f"{_DOT_KEPT}", source)
    if stderr and not quiet:  # graphviz shows the renderer's warnings unless quiet=True
        print(stderr, file=sys.stderr)
    return done.stdout


def render(source: str, fmt: str = "svg", timeout: float = 60.0,
           renderer: str | None = None) -> bytes:
    """Lay out DOT text and return the image bytes (fmt: one of ``FORMATS``, e.g. "svg")."""
    exe = renderer or _renderer_for(fmt, source)
    out = _run_renderer([exe, f"-T{fmt}"], source, data=source.encode(), timeout=timeout)
    if not out:
        raise RenderError(f"{os.path.basename(exe)} wrote no {fmt}. {_DOT_KEPT}", source)
    return out


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose ``render``, ``pipe``, ``view`` and Jupyter display run
    ``find_renderer()``: the system ``dot`` when present (as graphviz does), else graphviz-pure.
    They take graphviz's own arguments; the default format is svg, which every renderer writes.
    Graphs above ``MAX_LAYOUT_NODES`` nodes are refused, a layout may take ``timeout`` seconds,
    and every failure is a RenderError."""

    n_nodes = 0
    timeout = 60.0  # seconds a layout may take

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)

    def copy(self) -> Diagram:
        """A copy, with the size guard and timeout (graphviz copies only its own settings)."""
        twin = super().copy()
        twin.n_nodes, twin.timeout = self.n_nodes, self.timeout
        return twin

    def render_to(self, path: str | os.PathLike, timeout: float = 60.0) -> str | os.PathLike:
        """Write the diagram to ``path``, in the format its suffix names (one of ``FORMATS``;
        .dot and .gv hold the DOT text, which needs no renderer)."""
        fmt = _format_of(path)
        if fmt in ("dot", "gv"):
            data = self.source.encode()
        else:
            data = self.pipe_bytes(fmt, timeout)
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    def pipe_bytes(self, fmt: str = "svg", timeout: float = 60.0) -> bytes:
        """The rendered image as bytes."""
        self._check_size()
        return render(self.source, fmt, timeout)

    def _check_size(self) -> None:
        if self.n_nodes > MAX_LAYOUT_NODES:
            raise GraphTooLargeError(
                f"the graph has {self.n_nodes} nodes; laying out more than {MAX_LAYOUT_NODES} "
                "takes too long. Draw with collapse=True (each scope one box), draw a "
                "smaller sub-graph, or save the .dot text", self.source)

    def _command(self, engine: str, fmt: str, renderer: str | None, formatter: str | None,
                 neato_no_op: bool | int | None) -> list[str]:
        """graphviz's own command line (its checks and flags), run by our renderer."""
        cmd = dot_command.command(engine, fmt, renderer=renderer, formatter=formatter,
                                  neato_no_op=neato_no_op)
        self._check_size()
        return [_renderer_for(fmt, self.source), *map(os.fspath, cmd[1:])]

    # graphviz's Render and Pipe mixins run dot through these three hooks (graphviz >= 0.20);
    # the public render/pipe/view (arguments, saving the source, the viewer) stay graphviz's.
    def _pipe_lines(self, engine: str, fmt: str, input_lines: Any, *, input_encoding: str,
                    renderer: str | None = None, formatter: str | None = None,
                    neato_no_op: bool | int | None = None, quiet: bool = False) -> bytes:
        cmd = self._command(engine, fmt, renderer, formatter, neato_no_op)
        data = "".join(input_lines).encode(input_encoding)
        return _run_renderer(cmd, self.source, data=data, timeout=self.timeout, quiet=quiet)

    def _pipe_lines_string(self, engine: str, fmt: str, input_lines: Any, *, encoding: str,
                           **options: Any) -> str:
        return self._pipe_lines(engine, fmt, input_lines, input_encoding=encoding,
                                **options).decode(encoding)

    def _render(self, engine: str, fmt: str, filepath: str | os.PathLike,
                renderer: str | None = None, formatter: str | None = None,
                neato_no_op: bool | int | None = None, quiet: bool = False, *,
                outfile: str | os.PathLike | None = None, raise_if_result_exists: bool = False,
                overwrite_filepath: bool = False) -> str:
        filepath = Path(filepath)
        if outfile is None:  # dot -O: the source's name plus the format
            outfile = rendering.get_outfile(filepath, format=fmt, renderer=renderer,
                                            formatter=formatter)
        outfile = Path(outfile)
        if raise_if_result_exists and overwrite_filepath:
            raise ValueError("overwrite_filepath cannot be combined with raise_if_result_exists")
        if not overwrite_filepath and outfile.resolve() == filepath.resolve():
            raise ValueError(f"outfile {outfile.name!r} must be different from input file "
                             f"{filepath.name!r} (pass overwrite_source=True to override)")
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        cmd = self._command(engine, fmt, renderer, formatter, neato_no_op)
        _run_renderer([*cmd, "-o", os.fspath(outfile), os.fspath(filepath)], self.source,
                      timeout=self.timeout, quiet=quiet)
        return os.fspath(outfile)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except RenderError as err:
            return {"text/plain": f"{err}\n\n{self.source}"}


def _format_of(path: str | os.PathLike) -> str:
    """The format that ``path``'s suffix names (the longest match, e.g. .xdot1.4), or
    ValueError listing every suffix render_to writes."""
    name = os.path.basename(os.fspath(path))
    matches = [f for f in FORMATS if name.lower().endswith("." + f)]
    if not matches:
        raise ValueError(f"render_to: {name!r} does not end in a suffix it writes; use one of: "
                         f"{' '.join('.' + f for f in FORMATS)}; .dot and .gv hold the DOT "
                         "text. For other formats (pdf, ...) with a system Graphviz, use "
                         "diagram.render(outfile=path)")
    return max(matches, key=len)


def save_diagram(*outputs: Tensor, path: str, **options: Any) -> str:
    """``draw(*outputs, **options)`` written to ``path`` (a suffix from ``FORMATS``)."""
    return draw(*outputs, **options).render_to(path)


# ---- labels -----------------------------------------------------------------------------

_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
          "matmul": "@"}


def _fmt_array(a: Any, precision: int, max_entries: int = 12) -> str:
    a = np.asarray(a._data if isinstance(a, Tensor) else a)
    if a.size <= max_entries:
        return _nested(a, precision)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if finite.size == 0:
        return f"all non-finite {a.shape}"
    return (f"min {finite.min():.{precision}g}  mean {finite.mean():.{precision}g}  "
            f"max {finite.max():.{precision}g}")


def _nested(a: np.ndarray, precision: int) -> str:
    """[[1, 2], [3, 4]]-style text of a small array (np.array2string is ~50x slower)."""
    if a.ndim == 0:
        return f"{float(a):.{precision}g}"
    return "[" + ", ".join(_nested(row, precision) for row in a) + "]"


def _fmt_kwargs(kwargs: Mapping | None) -> str:
    parts = []
    for k, v in (kwargs or {}).items():
        if k == "index":
            v = "[...]" if isinstance(v, (np.ndarray, list, tuple)) else v
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def _labels(order: list[Tensor], extra: list) -> dict[int, str]:
    """Names for tensors: their .name, else their expression for small graphs, else t<k>."""
    names: dict[int, str] = {}
    for k, t in enumerate(extra + order):
        if id(t) in names:
            continue
        if t.name:
            names[id(t)] = t.name
            continue
        label = None
        if t._args is not None and len(order) <= 40:
            args = [names.get(id(a), _const(a)) if isinstance(a, Tensor) else _const(a)
                    for a in t._args]
            op = t._op.name
            if op in _INFIX and len(args) == 2:
                args = [a if _atomic(a) else f"({a})" for a in args]
                label = f"{args[0]} {_INFIX[op]} {args[1]}"
            elif op == "negative":
                label = f"-{args[0]}" if _atomic(args[0]) else f"-({args[0]})"
            else:
                kw = _fmt_kwargs(t._kwargs)
                label = f"{op}({', '.join(args)}{', ' + kw if kw else ''})"
        names[id(t)] = label if label and len(label) <= 32 else f"t{k}"
    return names


def _atomic(s: str) -> bool:
    """True when ``s`` needs no parentheses as an operand: no space outside brackets."""
    depth = 0
    for c in s:
        depth += (c in "([") - (c in ")]")
        if c == " " and depth == 0:
            return False
    return True


def _const(a: Any) -> str:
    if isinstance(a, Tensor):
        a = a._data
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        return type(a.item()).__name__ if a.size == 1 else f"array{a.shape}"
    return f"{float(a.reshape(-1)[0]):g}" if a.size == 1 else f"array{a.shape}"


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---- draw: collect the nodes, label them, emit DOT ---------------------------------------

_STYLE = {
    "param": 'shape=box style="rounded,filled" fillcolor="#cfe2ff"',
    "leaf": 'shape=box style="rounded,filled,dashed" fillcolor="#f1f3f5"',
    "output": 'shape=box style="rounded,filled" fillcolor="#fff3bf" peripheries=2',
    "tensor": 'shape=box style="rounded,filled" fillcolor="white"',
    "op": 'shape=ellipse style=filled fillcolor="#e9ecef" fontsize=11',
    "const": 'shape=plaintext fontcolor="#868e96"',
    "freed": 'shape=note style=dashed fontcolor="#868e96" fontsize=10',
    "scope": 'shape=box3d style=filled fillcolor="#d3f9d8"',
    "mismatch": 'color="#e03131" penwidth=3 fontcolor="#c92a2a"',
}

RANKDIRS = ("LR", "TB", "RL", "BT")
_KEPT = (f"only graphs of up to {KEEP_NODES} ops and about {KEEP_BYTES >> 20} MB stay drawable "
         f"after backward(), the {KEEP_GRAPHS // 2} to {KEEP_GRAPHS} most recent of them")


@dataclass(slots=True)
class _Node:
    """One node of the picture: a tensor's box, the ellipse of the op that made ``item``, or
    a constant argument (``item`` is then the constant)."""

    id: str
    kind: str  # "tensor", "op", "const" or "freed" (an op's inputs, freed)
    scope: tuple[str, ...]
    item: Any


@dataclass(slots=True)
class _LabelOptions:
    """What ``draw`` was asked to show, and what it knows about the graph."""

    names: dict[int, str]
    outputs: set[int]
    expected: dict[str, np.ndarray]
    show_values: bool
    show_grads: bool
    precision: int
    max_entries: int
    replayed: dict[int, Any]  # gradients of intermediates, walked again after backward()


def draw(*outputs: Tensor, rankdir: str = "LR", show_values: bool = True,
         show_grads: bool = True, precision: int = 4, collapse: bool = False,
         compare: Any = None, max_entries: int = 12) -> Diagram:
    """A ``graphviz.Digraph`` of the graph that produced ``outputs``.

    One box per tensor (name or expression, shape, dtype, value and, when known, gradient;
    arrays above ``max_entries`` entries are summarised as min/mean/max) and one ellipse per
    op (its name and arguments such as ``axis``), edges in the direction of data flow.
    Parameters (leaves that require grad) are blue, constants dashed grey, outputs yellow.

    rankdir: "LR" (left to right), "TB" (top to bottom), "RL" or "BT".
    collapse: draw each top-level ``scope`` as one box.
    compare: hand-derived gradients, as {tensor name or "d"+name: array} or a
        ``GradientReport``; tensors whose gradient disagrees are outlined red with both values.

    Show it with graphviz's ``d.render("e", format="png")``, ``d.pipe(format="svg")``,
    ``d.view()`` or Jupyter, or write a file with ``d.render_to("e.svg")``; no system
    Graphviz is needed.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"draw: expected Tensors, got {type(o).__name__}")
    order = toposort(list(outputs))
    nodes, edges = _collect_nodes(outputs, order)
    consts = [a for t in order if t._op is not None and t._args is not None for a in t._args
              if isinstance(a, Tensor) and not a.requires_grad]
    consts += [o for o in outputs if not o.requires_grad]
    replayed, notes = _replayed_grads(outputs, order) if show_grads else ({}, [])
    if any(is_freed(t) for t in order):
        notes.append(f"Part of this graph was freed by backward(): {_KEPT}. "
                     "Draw before backward(), or pass retain_graph=True")
    how = _LabelOptions(_labels(order, consts), {id(o) for o in outputs},
                        _expected_grads(compare), show_values, show_grads, precision,
                        max_entries, replayed)
    statements = []
    for node in nodes:
        label, style = _node_label(node, how)
        statements.append((node.scope, f"{node.id} [label={_quote(label)} {style}]"))
    graph = _emit_dot(statements, edges, rankdir, collapse)
    if notes:  # said in the picture itself, where a reader of the image will see it
        graph.attr(label="\n".join(notes), labelloc="b", labeljust="l", fontsize="10",
                   fontname="Helvetica")
    return graph


def _replayed_grads(outputs: Sequence[Tensor], order: list[Tensor]
                    ) -> tuple[dict[int, Any], list[str]]:
    """After a plain backward() only the leaves keep ``.grad``; the graph itself was spent.
    Walk it again from each spent output (nothing is stored) to show the gradient of every
    tensor, as micrograd does. Returns {id(tensor): gradient} and notes for the picture."""
    grads: dict[int, Any] = {}
    leaves = [t for t in order if t._op is None]

    def trace(t, i, a, g, gi):
        grads.setdefault(id(t), g)

    for out in outputs:
        if not is_spent(out) or is_freed(out):
            continue
        try:
            backprop(out, np.ones(out.shape, out.dtype), owned=True, inputs=leaves,
                     trace=trace, replay=True)
        except RuntimeError as err:
            if "changed in place" not in str(err):
                raise
            return {}, ["Gradients of intermediate tensors are not shown: an input was "
                        "changed in place after backward()"]
    return grads, []


def _collect_nodes(outputs: Sequence[Tensor], order: list[Tensor]
                   ) -> tuple[list[_Node], list[tuple[str, str]]]:
    """The picture's structure: a node per tensor, per op and per non-Tensor argument, and
    the edges (node id pairs) in the direction of data flow."""
    nodes: list[_Node] = []
    edges: list[tuple[str, str]] = []
    ids: dict[int, str] = {}

    def tensor_node(t: Tensor) -> str:
        nid = ids.get(id(t))
        if nid is None:
            nid = ids[id(t)] = f"t{len(ids)}"
            nodes.append(_Node(nid, "tensor", t._scope, t))
        return nid

    for t in order:
        made = tensor_node(t)
        if t._op is None:
            continue
        op = f"op{len(nodes)}"
        nodes.append(_Node(op, "op", t._scope, t))
        edges.append((op, made))
        if t._args is None:  # freed by backward(): its inputs are gone
            nodes.append(_Node(f"c{len(nodes)}", "freed", t._scope, t))
            edges.append((nodes[-1].id, op))
            continue
        for a in t._args:
            if isinstance(a, Tensor):
                edges.append((tensor_node(a), op))
            else:
                nodes.append(_Node(f"c{len(nodes)}", "const", t._scope, a))
                edges.append((nodes[-1].id, op))
    for o in outputs:
        tensor_node(o)
    return nodes, edges


def _node_label(node: _Node, how: _LabelOptions) -> tuple[str, str]:
    """The text and style of one node: the one place that decides what a node shows."""
    if node.kind == "const":
        return _const(node.item), _STYLE["const"]
    if node.kind == "freed":
        return "inputs freed\nby backward()", _STYLE["freed"]
    t = node.item
    if node.kind == "op":
        kw = _fmt_kwargs(t._kwargs)
        return t._op.name + ("\n" + kw if kw else ""), _STYLE["op"]
    lines = [how.names.get(id(t), "tensor"), f"{t.shape} {t.dtype}" if t.shape else f"{t.dtype}"]
    if how.show_values:
        lines.append("value " + _fmt_array(t._data, how.precision, how.max_entries))
    grad = t.grad if t.grad is not None else how.replayed.get(id(t))
    if how.show_grads and grad is not None:
        lines.append("grad " + _fmt_array(grad, how.precision, how.max_entries))
    kind = ("output" if id(t) in how.outputs else "tensor" if t._op is not None
            else "param" if t.requires_grad else "leaf")
    style = _STYLE[kind]
    mine = how.expected.get(t.name) if t.name else None
    if mine is not None and (grad is None or np.shape(mine) != np.shape(grad) or not np.allclose(
            mine, np.asarray(grad), rtol=1e-6, atol=1e-9)):
        lines.append("yours " + _fmt_array(mine, how.precision, how.max_entries))
        style += " " + _STYLE["mismatch"]
    return "\n".join(lines), style


def _emit_dot(statements: list[tuple[tuple[str, ...], str]], edges: list[tuple[str, str]],
              rankdir: str, collapse: bool) -> Diagram:
    """The Diagram: node statements nested in their scopes' clusters (or one box per
    top-level scope with ``collapse``), then the edges."""
    graph = Diagram(name="autograd_lite", graph_attr={"rankdir": rankdir},
                    node_attr={"fontname": "Helvetica", "fontsize": "12"})
    if collapse:
        statements, edges = _collapse(statements, edges)
    graph.body.extend(_nest(statements))
    graph.body.extend(_edge_statements(edges))
    graph.n_nodes = len(statements)
    return graph


def _edge_statements(edges: list[tuple[str, str]]) -> list[str]:
    """One DOT line per distinct edge, in the order first seen."""
    return [f"\t{a} -> {b}\n" for a, b in dict.fromkeys(edges)]


def _expected_grads(compare: Any) -> dict[str, np.ndarray]:
    """Hand-derived gradients keyed by tensor name, from a dict or a GradientReport."""
    if compare is None:
        return {}
    if hasattr(compare, "user_grads"):
        compare = compare.user_grads
    out = {}
    for k, v in dict(compare).items():
        name = k[1:] if k.startswith("d") and len(k) > 1 else k
        out[name] = out[k] = np.asarray(v)
    return out


@dataclass
class _Scope:
    """A scope in the tree of nested scopes: its own statements and its sub-scopes."""

    statements: list[str]
    children: dict[str, _Scope]


def _nest(statements: list[tuple[tuple[str, ...], str]]) -> list[str]:
    """Wrap statements in nested ``subgraph "cluster_<k>"`` blocks, one per distinct scope
    path, numbered in the order drawn (so "layer 1" and "layer_1" stay two clusters)."""
    root = _Scope([], {})
    for scope_path, stmt in statements:
        node = root
        for part in scope_path:
            node = node.children.setdefault(part, _Scope([], {}))
        node.statements.append(stmt)
    out: list[str] = []
    numbers = itertools.count(1)

    def emit(node: _Scope, depth: int) -> None:
        pad = "\t" * depth
        out.extend(f"{pad}{s}\n" for s in node.statements)
        for name, child in node.children.items():
            out.append(f"{pad}subgraph {_quote(f'cluster_{next(numbers)}')} {{\n{pad}\t"
                       f"label={_quote(name)} style=\"rounded,dashed\" color=\"#2b8a3e\"\n")
            emit(child, depth + 1)
            out.append(f"{pad}}}\n")

    emit(root, 1)
    return out


def _collapse(statements, edges):
    """Replace everything inside each top-level scope by one box, numbered in order."""
    owner: dict[str, str] = {}
    kept: list[tuple[tuple[str, ...], str]] = []
    boxes: dict[str, list] = {}  # top-level scope -> [box id, node count]
    for scope_path, stmt in statements:
        if scope_path:
            box = boxes.setdefault(scope_path[0], [f"scope{len(boxes)}", 0])
            box[1] += 1
            owner[stmt.split(" ", 1)[0]] = box[0]
        else:
            kept.append((scope_path, stmt))
    for top, (box_id, count) in boxes.items():
        kept.append(((), f"{box_id} [label={_quote(f'{top}{chr(10)}({count} nodes)')}"
                         f" {_STYLE['scope']}]"))
    new_edges = [(owner.get(a, a), owner.get(b, b)) for a, b in edges]
    return kept, [(a, b) for a, b in new_edges if a != b]


# ---- explain ------------------------------------------------------------------------------

def explain(output: Tensor, precision: int = 4, max_nodes: int = 60) -> str:
    """The backward pass of a small graph as a table, in the order it runs.

    Each row is one edge: the node whose gradient is being passed back, the op, the
    upstream gradient, the local derivative (the op's VJP applied to ones), and the
    contribution it adds to the input. The last lines add up each leaf's contributions
    (in the order of the ops that used it), e.g. for e = (a+b)*(b+1) at a=2, b=3:
    "b: 4 + 5 = 9". Nothing is stored in ``.grad``.
    """
    order = toposort([output])
    if len(order) > max_nodes:
        raise ValueError(f"explain: the graph has {len(order)} tensors; the table is meant for "
                         f"graphs of up to {max_nodes}. Use draw() for bigger graphs")
    if not output.requires_grad:
        raise ValueError("explain: the output does not require grad; create the inputs with "
                         "requires_grad=True")
    if any(is_freed(t) for t in order):
        raise RuntimeError(f"explain: backward() freed this graph ({_KEPT}); call explain "
                           "before backward(), or pass retain_graph=True to backward()")
    names = _labels(order, [])
    rows = []
    contributions: dict[int, list] = {}

    def trace(t, i, a, g, gi):
        ones = np.ones(np.shape(g))
        local = t._op.vjps[i](ones, t._data, *t._vals, **(t._kwargs or {}))
        local = unbroadcast(np.asarray(local), np.shape(a._data), t._op.name)
        rows.append((names[id(t)], t._op.name, names[id(a)], _fmt_array(g, precision),
                     _fmt_array(local, precision), _fmt_array(gi, precision)))
        contributions.setdefault(id(a), []).append((t._seq, gi))

    leaves = [t for t in order if t._op is None]
    seed = np.ones(output.shape, output.dtype)
    backprop(output, seed, owned=True, retain_graph=True, inputs=leaves, trace=trace,
             replay=True)
    head = ("node", "op", "input", "upstream grad", "local derivative", "contribution")
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    text = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [head] + rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    text.append("")
    for t in leaves:
        parts = [gi for _, gi in sorted(contributions.get(id(t), []), key=lambda p: p[0])]
        total = sum(parts[1:], parts[0]) if parts else 0.0
        terms = " + ".join(_fmt_array(p, precision) for p in parts)
        text.append(f"{names[id(t)]}: {terms} = {_fmt_array(total, precision)}"
                    if len(parts) > 1 else f"{names[id(t)]}: {_fmt_array(total, precision)}")
    return "\n".join(text)
