"""Computation-graph diagrams (graphviz DOT) with values and gradients, and ``explain``.

A diagram is a ``graphviz.Digraph`` whose ``render``, ``pipe``, ``view`` and Jupyter display run
the system ``dot`` when present, else the ``graphviz-pure`` command that the install brings, so
they work on a machine without Graphviz.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
    backpropagated,
    is_freed,
    is_spent,
    seed_of,
    toposort,
)
from .gradcheck import ABSOLUTE, _norm, agree
from .ops import _OPTION_TYPES, CONSTANT_LABELS, Composite
from .tensor import Tensor

__all__ = ["draw", "render", "explain", "save_diagram", "Diagram", "RenderError",
           "GraphTooLargeError", "find_renderer", "FORMATS"]

MAX_LAYOUT_NODES = 3000  # beyond this, dot takes minutes: refuse with a clear message
_SHOWN_LINES = 40  # of the DOT text, in a notebook, where a graph could not be rendered

# What graphviz-pure writes (its `-T?` list; pdf and ps are not among them; its xdot_json is
# dot_json, without the drawing operations: left out). render_to accepts exactly these
# suffixes; render and pipe accept them with graphviz-pure, and whatever a system dot writes
# with dot.
FORMATS = ("svg", "png", "jpg", "jpeg", "jpe", "json", "json0", "dot_json", "plain",
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
    """Path of a dot-compatible program: $AUTOGRAD_LITE_DOT, ``dot``, then ``graphviz-pure``:
    the one installed beside this Python first (another on PATH, a pyenv shim of another
    install, failed where this one works), then any on PATH."""
    forced = os.environ.get("AUTOGRAD_LITE_DOT")
    if forced:
        return shutil.which(forced) or (forced if os.path.isfile(forced) else None)
    beside = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    return (shutil.which("dot") or (beside if os.path.isfile(beside) else None)
            or shutil.which("graphviz-pure"))


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
                "takes too long. Draw a smaller part: al.draw(t) of a tensor made earlier "
                "shows what t was made from; or group the computation in al.scope(\"name\") "
                "blocks and draw with collapse=True (each scope one box; a graph without "
                "scopes stays as it is); or save the .dot text (render_to(\"g.dot\"))",
                self.source)

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
        except RenderError as err:  # (a 5,000-op graph put 4.3 MB of DOT in the cell)
            lines = self.source.splitlines()
            head = "\n".join(lines[:_SHOWN_LINES]) + (
                f"\n... ({len(lines) - _SHOWN_LINES} more lines: d.source holds them all)"
                if len(lines) > _SHOWN_LINES else "")
            return {"text/plain": f"{err}\n\n{head}"}


def suffix_format(path: str | os.PathLike) -> str | None:
    """The format of ``FORMATS`` that ``path``'s suffix names (the longest match, e.g.
    .xdot1.4), or None."""
    name = os.path.basename(os.fspath(path)).lower()
    matches = [f for f in FORMATS if name.endswith("." + f)]
    return max(matches, key=len) if matches else None


def _format_of(path: str | os.PathLike) -> str:
    """suffix_format(path), or ValueError listing every suffix render_to writes."""
    fmt = suffix_format(path)
    if fmt is None:
        name = os.path.basename(os.fspath(path))
        raise ValueError(f"render_to: {name!r} does not end in a suffix it writes; use one of: "
                         f"{' '.join('.' + f for f in FORMATS)}; .dot and .gv hold the DOT "
                         "text. For other formats (pdf, ...) with a system Graphviz, use "
                         "diagram.render(outfile=path)")
    return fmt


def save_diagram(*outputs: Tensor, path: str | None = None, **options: Any) -> str:
    """``draw(*outputs, **options)`` written to ``path`` (a suffix from ``FORMATS``)."""
    if path is None or any(isinstance(o, (str, os.PathLike)) for o in outputs):  # (e, "e.svg")
        raise TypeError("save_diagram(*outputs, path=...): the file is given by keyword, "
                        "save_diagram(e, path=\"e.svg\"); the positional arguments are the "
                        "tensors drawn")
    return draw(*outputs, **options).render_to(path)


# ---- labels -----------------------------------------------------------------------------

_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
          "matmul": "@"}
_LONG = 32  # the longest expression used as a name; beyond it, long operands become "..."
_SHORT = 12  # an operand longer than this is "..." inside an expression that is too long
_SMALL = 6  # a constant with up to this many entries is shown by value
_WIDTH = 40  # values longer than this go on several lines, so that boxes stay narrow


def _fmt_array(a: Any, precision: int, max_entries: int = 12, width: int | None = None) -> str:
    """An array's values (up to ``max_entries``), else its min, mean and max. With
    ``width``, the text goes over as many lines of about that many characters as it takes."""
    a = np.asarray(a._data if isinstance(a, Tensor) else a)
    if a.dtype.kind == "f":
        a = a + 0.0  # -0.0 reads 0 (a learner read "grad [[-0]]" as a sign to look into)
    if a.size <= max_entries:
        text = _nested(a, precision)
        return text if width is None or len(text) <= width else _pack(text, width)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if finite.size == 0:
        return f"all non-finite {a.shape}"
    low, mean, high = (f"{v:.{precision}g}" for v in (finite.min(), finite.mean(), finite.max()))
    left_out = _nonfinite(a, finite.size)
    text = f"min {low}  mean {mean}  max {high}{left_out}"
    if width is not None and len(text) + 6 > width:  # 6: room for "value "
        return f"min {low}  mean {mean}\nmax {high}{left_out}"  # (in the same order)
    return text


def _nonfinite(a: np.ndarray, finite: int) -> str:
    """The entries the summary leaves out, counted: an inf gradient's box showed a finite
    max beside a printed inf."""
    if finite == a.size:
        return ""
    counts = ((int(np.count_nonzero(np.isnan(a))), "nan"),
              (int(np.count_nonzero(np.isposinf(a))), "inf"),
              (int(np.count_nonzero(np.isneginf(a))), "-inf"))
    return "  (and " + ", ".join(f"{n} {what}" for n, what in counts if n) + ")"


def _pack(text: str, width: int) -> str:
    """``text`` over lines of at most ``width`` characters: a matrix one row a line when its
    rows fit (and hold more than one number), else broken after commas."""
    rows = text.split("], [")
    if len(rows) > 1 and ", " in rows[0]:  # a row a line, each broken as it must be: a row
        # broken where the line was full read as two rows of the matrix
        return "],\n [".join(rows if max(map(len, rows)) + 3 <= width
                             else [_pack(r, width - 2).replace("\n", "\n  ") for r in rows])
    lines, line = [], ""
    for piece in text.split(", "):
        if line and len(line) + 2 + len(piece) > width:
            lines.append(line + ",")
            line = piece
        else:
            line = f"{line}, {piece}" if line else piece
    return "\n".join(lines + [line])


def _nested(a: np.ndarray, precision: int) -> str:
    """[[1, 2], [3, 4]]-style text of a small array (np.array2string is ~50x slower)."""
    if a.ndim == 0:
        return f"{float(a):.{precision}g}"
    return "[" + ", ".join(_nested(row, precision) for row in a) + "]"


def _fmt_kwargs(kwargs: Mapping | None) -> str:
    parts = []
    for k, v in (kwargs or {}).items():
        if k == "ties":  # maximum against a constant: how a tie's gradient goes, not an input
            continue
        if k == "index":
            v = "[...]" if isinstance(v, (np.ndarray, list, tuple)) else v
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def _caller_names() -> dict[int, str]:
    """{id(object): variable name} for the arrays and Tensors that the code calling
    draw/explain holds in variables (its locals, then its module's globals), so that a
    constant reads ``X (2, 400)`` and an unnamed parameter ``w``. Names starting with "_"
    (IPython's output history among them) and names that are not identifiers (pytest's
    assertion temporaries) are skipped; the first name found wins. (Reading a function's
    locals makes Python keep a snapshot of them on its frame until it next reads them or
    the function returns, as a debugger's look does.)"""
    spaces = _caller_spaces()
    known: dict[int, str] = {}
    # the course's parameters dict first (W1, b1: its keys are layer-numbered names), so
    # that a loop's leftover `for key, p in parameters.items()` does not name b1's box "p";
    # then the variables; then other dicts' keys
    dicts = [(name, v) for space in spaces for name, v in list(space.items())
             if type(v) is dict and len(v) <= 200 and name[:1] != "_"]
    variables: dict[int, str] = {}
    for space in spaces:  # (an op's result too: A = sigmoid(Z) is the learner's A)
        for name, v in list(space.items()):
            if (type(v) is np.ndarray or type(v) is Tensor) and name[:1] != "_" \
                    and name.isidentifier():
                variables.setdefault(id(v), name)
    held = set(variables.values())  # a key that is another object's variable: P['W1']
    for name, v in dicts:
        if _layer_keyed(v):
            _name_items(v, name, known, held - {variables.get(id(x)) for x in v.values()})
    for key, name in variables.items():
        known.setdefault(key, name)
    for name, v in dicts:
        if not _layer_keyed(v):
            _name_items(v, name, known, set(known.values()))
    for key, (ref, label) in list(CONSTANT_LABELS.items()):  # (softmax's shift: max)
        if ref() is not None:
            known.setdefault(key, label)
    return known


def _layer_keyed(d: dict) -> bool:
    """Whether every key is a layer-numbered name, as the course's parameters' (W1, b1)."""
    return bool(d) and all(type(k) is str and re.fullmatch(r"[A-Za-z]+\d+", k) for k in d)


def _name_items(d: dict, name: str, known: dict[int, str], taken: set[str]) -> None:
    """Name the arrays and leaves of dict ``name`` by their keys (``name['key']`` where the
    key is ``taken``, another object's name)."""
    taken = taken | set(known.values())
    for key, item in d.items():
        if _nameable(item) and type(key) is str and key.isidentifier() and id(item) not in known:
            label = key if key not in taken else f"{name}[{key!r}]"  # (a clash)
            known[id(item)] = label
            taken.add(label)


def _caller_spaces() -> tuple[dict, ...]:
    """The locals and globals of the code that called into this package (none if none)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        frame = frame.f_back
    return () if frame is None else (frame.f_locals, frame.f_globals)


def _caller_aliases() -> dict[int, set[str]]:
    """{id(object): every name the calling code holds it by}: its variables and the keys of
    its dicts (parameters["b1"] is b1 however its box is labelled: a loop's leftover
    ``v`` named the box, and compare={"db1": ...} compared nothing)."""
    aliases: dict[int, set[str]] = {}
    for space in _caller_spaces():
        for name, v in list(space.items()):
            if _nameable(v):
                aliases.setdefault(id(v), set()).add(name)
            elif type(v) is dict and len(v) <= 200:
                for key, item in v.items():
                    if _nameable(item) and type(key) is str:
                        aliases.setdefault(id(item), set()).add(key)
    return aliases


def _nameable(v: Any) -> bool:
    """An array or a leaf Tensor: what a caller's variable names (an op's result is named
    after its op and inputs)."""
    return type(v) is np.ndarray or type(v) is Tensor and v._op is None


def _labels(order: list[Tensor], extra: list, known: Mapping[int, str] | None = None,
            calls: Mapping[int, tuple] | None = None,
            titles: dict[int, str] | None = None) -> dict[int, str]:
    """Names for tensors: their .name, else the caller's variable that holds it (``known``);
    else, for a collapsed composite's output (``calls``: {id: (call, its inputs)}), the
    call, ``clip(A, a_min=0.1)``; else the op applied to its inputs' names, ``sigmoid(Z)``,
    with operands too long to fit shortened to "...". An op's result that a variable holds
    is named by it, and ``titles`` gets both, ``A = sigmoid(Z)``, for its box. Unnamed leaves
    are t1, t2, ... in the order drawn."""
    known = known or {}
    names: dict[int, str] = {}
    taken: set[str] = set()
    unnamed = itertools.count(1)
    for t in extra + order:
        if id(t) in names:
            continue
        held = None if t.name else known.get(id(t))
        if t.name:
            label = t.name
        elif held is not None and t._op is None:
            label = held
        elif calls and id(t) in calls:
            call, inputs = calls[id(t)]
            label = _call_text(call.name, _as_called(call, inputs,
                                                     lambda a: _operand(a, names, known)),
                               _call_params(call))
        elif t._op is not None:
            label = _expression(t, names, known)
        else:
            label = (_const_text(t, known, operand=True) if not t.requires_grad
                     else f"t{next(unnamed)}")
        if held in taken and t._op is not None:  # (a leaf named Z, and Z = Z @ W: two "Z")
            held = None
        if label in taken and (t.name or t._op is None and known.get(id(t))):  # a, a_2
            label = next(f"{label}_{k}" for k in itertools.count(2)
                         if f"{label}_{k}" not in taken)
        if held is not None and t._op is not None:  # Z = w.T @ X + b: a learner's own name
            if titles is not None:
                titles[id(t)] = f"{held} = {label}"
            label = held
        names[id(t)] = label
        taken.add(label)
    return names


def _as_called(call, inputs: list, name: Callable) -> list[str]:
    """A call's arguments as they were given, repeats included (``outer(a, a)``), a list in
    brackets (``hstack([a, a])``), where each input was an argument or a list's item; else
    each input once."""
    given = {id(a): a for a in inputs}
    texts, placed = [], set()
    for arg in call.inputs:
        if type(arg) is tuple:  # a list's items; one not drawn as an input (a number): ...
            placed.update(i for i in arg if i in given)
            texts.append(f"[{', '.join(name(given[i]) if i in given else '...' for i in arg)}]")
        elif arg in given:
            placed.add(arg)
            texts.append(name(given[arg]))
    return texts if len(placed) == len(inputs) else [name(a) for a in inputs]


def _expression(t: Tensor, names: Mapping[int, str], known: Mapping[int, str]) -> str:
    """``t`` as its op applied to its inputs' names, at most _LONG characters if it can."""
    op = t._op.name
    if t._args is None:  # freed by backward(): the inputs are gone
        return f"{op}(...)"
    args = [_operand(a, names, known) for a in t._args]
    if op == "transpose" and len(args) == 1 and t._kwargs["axes"] == tuple(
            range(len(t._kwargs["axes"]) - 1, -1, -1)):
        return f"{args[0]}.T" if _atomic(args[0]) else f"({args[0]}).T"
    if op in _INFIX and len(args) == 2:
        return _shortest(lambda a: _infix(a[0], _INFIX[op], a[1]), args)
    if op == "negative":
        return _shortest(lambda a: f"-{a[0]}" if _precedence(a[0]) >= 3 else f"-({a[0]})",
                         args)
    if op == "getitem" and len(args) == 1:  # W[1:, [0, 3]], as the user wrote it
        index = _index_text(t._kwargs["index"])
        if index is not None:
            return f"{args[0] if _atomic(args[0]) else f'({args[0]})'}[{index}]"
    kw = _fmt_kwargs(t._kwargs)
    return _call_text(op, args, [kw] if kw else [])


def _index_text(index: Any) -> str | None:
    """An index as Python writes it inside brackets (``1:, [0, 3]``); None when an array in
    it is too big to show."""
    parts = []
    for i in index if type(index) is tuple else (index,):
        if type(i) is slice:
            text = ":".join("" if v is None else str(v) for v in (i.start, i.stop, i.step))
            parts.append(text[:-1] if i.step is None else text)
        elif i is None or i is Ellipsis:
            parts.append("None" if i is None else "...")
        elif isinstance(i, np.ndarray):
            if i.size > 8 or i.ndim > 1:
                return None
            parts.append(str(i.tolist()))
        else:
            parts.append(str(i))
    text = ", ".join(parts)
    return text if len(text) <= 30 else None


def _call_text(op: str, args: list[str], params: list[str]) -> str:
    """``op(arg, ..., param, ...)``, dropping the params and then shortening the operands
    while it is longer than _LONG characters (``op(...)`` when none is left)."""
    text = f"{op}({', '.join(args + params)})"
    if len(text) > _LONG and params:
        text = f"{op}({', '.join(args)}{', ...' if args else '...'})"

    def fmt(a: list[str]) -> str:
        return f"{op}({', '.join(a if any(x != '...' for x in a) else a[:1])})"

    return text if len(text) <= _LONG else _shortest(fmt, args)


def _shortest(fmt, args: list[str]) -> str:
    """fmt(args), with the longest operands written "..." one by one while it is longer than
    _LONG characters."""
    args = list(args)
    text = fmt(args)
    while len(text) > _LONG and any(a != "..." for a in args):
        longest = max(range(len(args)), key=lambda i: len(args[i]) if args[i] != "..." else -1)
        args[longest] = "..."
        text = fmt(args)
    return text


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}  # Python's


def _infix(a: str, symbol: str, b: str) -> str:
    """``a symbol b`` with the parentheses Python's precedence needs, so that Z reads
    ``w.T @ X + b`` (every operator but ``**`` brackets an equal right operand, ``**`` a
    left one: the label parses to the graph's own tree). A name with a space in it is
    always bracketed."""
    p = _PRECEDENCE[symbol]
    pa, pb = _precedence(a), _precedence(b)
    left = pa > p if symbol == "**" else pa >= p
    # an equal right operand is bracketed (a * (B @ X) is not (a * B) @ X, nor is
    # a + (b - c) the tree a + b - c); ** binds to the right
    right = pb > p or pb == p and symbol == "**"
    return f"{a if left else f'({a})'} {symbol} {b if right else f'({b})'}"


def _precedence(s: str) -> int:
    """How tightly ``s`` binds as an operand: 9 for a name, a number or a call, 3 for
    ``-x``, else its loosest operator outside brackets (0 for any other space)."""
    symbols = _top_symbols(s)
    if symbols is None:
        return 3 if s[:1] == "-" and len(s) > 1 else 9
    if not symbols or any(sym not in _PRECEDENCE for sym in symbols):
        return 0
    return min(_PRECEDENCE[sym] for sym in symbols)


def _top_symbols(s: str) -> list[str] | None:
    """The operators of ``s`` outside brackets (a op b op c: [op, op]); None when ``s`` is
    one operand, [] when its spaces do not separate operators."""
    if " " not in s:
        return None
    if "(" not in s and "[" not in s:
        parts = s.split(" ")
    else:
        parts, depth, start = [], 0, 0
        for i, c in enumerate(s):
            depth += (c in "([") - (c in ")]")
            if c == " " and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        if not parts:
            return None
        parts.append(s[start:])
    return parts[1::2] if len(parts) % 2 else []


def _atomic(s: str) -> bool:
    """True when ``s`` needs no parentheses as an operand: no space outside brackets."""
    return _precedence(s) == 9


def _operand(a: Any, names: Mapping[int, str], known: Mapping[int, str]) -> str:
    """How an input reads inside an expression: its name, else its value or shape."""
    if id(a) in names:
        return names[id(a)]
    if isinstance(a, Tensor) and a.name:
        return a.name
    return known.get(id(a)) or _const_text(a, known, operand=True)


def _const_text(a: Any, known: Mapping[int, str], precision: int = 4,
                operand: bool = False) -> str:
    """A constant's label: a number or a small array by value, else its name (the Tensor's,
    or the caller's variable) and shape, ``X (2, 400)``, else ``array (2, 400)`` (a boolean
    one ``mask (2, 400)``). As an ``operand`` in an expression: the name, ``const`` or
    ``mask``, without the shape."""
    if type(a) is float or type(a) is int:  # the common case, first
        return known.get(id(a)) or _typed(a, precision)
    name = (a.name if isinstance(a, Tensor) else None) or known.get(id(a))
    data = a._data if isinstance(a, Tensor) else a
    if isinstance(data, (bool, int, float, np.generic)) and not isinstance(data, np.str_):
        return name or _typed(float(data), precision)
    arr = np.asarray(data)
    shape = "(" + ", ".join(map(str, arr.shape)) + (",)" if arr.ndim == 1 else ")")
    if arr.dtype.kind not in "biuf":
        return name or (f"{arr.dtype}" if operand else f"{arr.dtype} {shape}")
    if name:
        return name if operand or arr.ndim == 0 else f"{name} {shape}"
    if arr.size <= _SMALL and arr.dtype.kind != "b":
        text = _nested(arr.astype(float), precision)
        if len(text) <= 2 * _SHORT:
            return text
    kind = "mask" if arr.dtype.kind == "b" else "const" if operand else "array"
    return kind if operand else f"{kind} {shape}"


def _typed(v: float, precision: int) -> str:
    """A constant as typed: to ``precision`` digits if that is its value, else its shortest
    exact form where that is short (a * 1.00001 was drawn a * 1, and a - a * 1 = 1e-05)."""
    text = f"{v:.{precision}g}"
    if float(text) == v or not np.isfinite(v):
        return text
    exact = repr(float(v))
    return exact if len(exact) <= 12 else text


def _call_params(call: _Call) -> list[str]:
    """``a_min=0.1``-style text of a composite call's options (None ones left out)."""
    names = call.op.parameters
    out = []
    for key, v in call.options:
        if v is None:
            continue
        if isinstance(key, int):
            key = names[key] if key < len(names) else f"arg{key}"
        out.append(f"{key}={v:.4g}" if isinstance(v, float) else f"{key}={v!r}")
    return out


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---- draw: collect the nodes, label them, emit DOT ---------------------------------------

@dataclass(eq=False, slots=True)
class _Call:
    """One call of a composite op in the graph, from the mark on its output (see
    autograd_lite.ops.composite): the op, the output, the creation number before the call,
    the ids of its arguments and its options, as ((position or keyword, value), ...)."""

    op: Composite
    out: Tensor
    start: int
    inputs: tuple
    options: tuple

    @classmethod
    def from_mark(cls, mark: tuple, out: Tensor) -> _Call:
        op, start, inputs, given, keywords = mark
        options = tuple(enumerate(given, op.first_option)) + keywords
        return cls(op, out, start, inputs, options)

    @property
    def name(self) -> str:
        return self.op.name

    def argument_ids(self) -> dict[int, int]:
        """{id: place} of the arguments, a list's items each in their own place, in order."""
        ids = itertools.chain.from_iterable(i if type(i) is tuple else (i,) for i in self.inputs)
        return {k: place for place, k in reversed(list(enumerate(ids)))}

    def made(self) -> list[Tensor]:
        """The tensors this call made: its output and what that depends on, back to the
        tensors older than the call."""
        found, stack, seen = [], [self.out], {id(self.out)}
        while stack:
            t = stack.pop()
            found.append(t)
            for a in t._args or ():
                if type(a) is Tensor and a._seq > self.start and id(a) not in seen:
                    seen.add(id(a))
                    stack.append(a)
        return found


# DejaVu Sans everywhere: graphviz-pure sizes the boxes with its metrics, a system dot finds
# it through fontconfig, and browsers draw it (it ships with Linux desktops and Chromium).
# Helvetica was measured by the renderer but drawn in whatever the browser substituted.
FONT = "DejaVu Sans"
_STYLE = {
    "param": 'shape=box style="rounded,filled" fillcolor="#cfe2ff"',
    "leaf": 'shape=box style="rounded,filled,dashed" fillcolor="#f1f3f5"',
    "output": 'shape=box style="rounded,filled" fillcolor="#fff3bf" peripheries=2',
    "tensor": 'shape=box style="rounded,filled" fillcolor="white"',
    "op": 'shape=ellipse style=filled fillcolor="#e9ecef" fontsize=11',
    "call": ('shape=ellipse style="filled,bold" fillcolor="#dee2e6" fontsize=11 '
             'tooltip="a composite op: draw(..., expand=True) shows its insides"'),
    "const": ('shape=box style="rounded,filled,dashed" fillcolor="#f8f9fa" color="#868e96" '
              'fontcolor="#495057" fontsize=11'),
    "freed": 'shape=note style=dashed fontcolor="#868e96" fontsize=10',
    "scope": 'shape=box3d style=filled fillcolor="#d3f9d8"',
    "mismatch": 'color="#e03131" penwidth=3 fontcolor="#c92a2a"',
}
_CLUSTER = {str: 'style="rounded,dashed" color="#2b8a3e"',  # a user's scope
            _Call: 'style="rounded,dotted" color="#868e96" fontcolor="#495057"'}

RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
MAX_WIDTH_PT = 750  # 1,000 px at 100 % zoom (an SVG pt is 4/3 px): the widest "auto" draws LR
_KEPT = (f"only graphs of up to {KEEP_NODES} ops and about {KEEP_BYTES >> 20} MB stay drawable "
         f"after backward(); of those with arrays, the {KEEP_GRAPHS // 2} to {KEEP_GRAPHS} "
         "most recent")


@dataclass(slots=True)
class _Node:
    """One node of the picture: a tensor's box, the ellipse of the op that made ``item``,
    a composite call's ellipse (``item`` is the CompositeCall), or a constant argument
    (``item`` is the constant)."""

    id: str
    kind: str  # "tensor", "op", "call", "const" or "freed" (an op's inputs, freed)
    scope: tuple  # the user's scope names, then (expand=True) the composite calls around it
    item: Any


@dataclass(slots=True)
class _LabelOptions:
    """What ``draw`` was asked to show, and what it knows about the graph."""

    names: dict[int, str]
    titles: dict[int, str]  # a box's title where it is not its name: A = sigmoid(Z)
    known: dict[int, str]  # the caller's variable names of arrays and tensors
    outputs: set[int]
    expected: dict[str, np.ndarray | _Verdict]
    show_values: bool
    show_grads: bool
    precision: int
    max_entries: int
    replayed: dict[int, Any]  # this graph's gradients, walked again after backward()
    walked: bool = False  # whether backward() went through the graph drawn
    shown: dict[int, tuple] = field(default_factory=dict)  # id -> _grads_shown's, once each
    scale: float = 0.0  # the norm of the compared tensors' gradients together
    aliases: dict[int, set[str]] = field(default_factory=dict)  # compare's names (_caller_aliases)


def draw(*outputs: Tensor, rankdir: str = "auto", show_values: bool = True,
         show_grads: bool = True, precision: int = 4, collapse: bool = False,
         expand: bool = False, compare: Any = None, max_entries: int = 12,
         format: str = "svg") -> Diagram:  # noqa: A002 (micrograd's and graphviz's name)
    """A ``graphviz.Digraph`` of the graph that produced ``outputs``.

    One box per tensor (name, shape, dtype, value and, when known, gradient; arrays above
    ``max_entries`` entries are summarised as min/mean/max) and one ellipse per op (its name
    and arguments such as ``axis``), edges in the direction of data flow. Parameters (leaves
    that require grad) are blue, constants dashed grey boxes, outputs yellow. A tensor
    without a ``.name`` is named after the variable that holds it in the calling code (a
    constant: ``X (2, 400)``; an op's result: ``A = sigmoid(Z)``), else after its op and
    inputs (``sigmoid(w.T @ X + b)``).

    rankdir: "auto" (left to right when that fits 1,000 px, else top to bottom), "LR",
        "TB", "RL" or "BT".
    expand: draw the primitives inside composites (clip, mean, binary_cross_entropy, ...)
        in a dotted box each; by default each composite call is one ellipse.
    collapse: draw each top-level ``scope`` as one box.
    compare: hand-derived gradients, as {name or "d"+name: array} (the name a box shows:
        the tensor's, or the caller's, W1 of parameters["W1"]) or a ``GradientReport``;
        tensors whose gradient disagrees are outlined red with both values (and the shapes,
        where they differ), and a note names the keys no tensor drawn has.

    format: what ``render``, ``pipe`` and ``view`` write when not told (micrograd's
        ``draw_dot(root, format="png")``).

    Show it with graphviz's ``d.render("e", format="png")``, ``d.pipe(format="svg")``,
    ``d.view()`` or Jupyter, or write a file with ``d.render_to("e.svg")``; no system
    Graphviz is needed.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: rankdir must be 'auto', 'LR', 'TB', 'RL' or 'BT', got "
                         f"{rankdir!r}")
    _drawable(outputs)
    order = toposort(list(outputs))
    nodes, edges, calls = _collect_nodes(outputs, order, expand)
    consts = [a for t in order if t._op is not None and t._args is not None for a in t._args
              if isinstance(a, Tensor) and not a.requires_grad]
    consts += [o for o in outputs if not o.requires_grad]
    replayed, notes = _gradients_and_notes(outputs, order, show_grads)
    known, titles = _caller_names(), {}
    how = _LabelOptions(_labels(order, consts, known, calls, titles), titles, known,
                        {id(o) for o in outputs}, _expected_grads(compare), show_values,
                        show_grads, precision, max_entries, replayed,
                        any(map(backpropagated, outputs)))
    how.aliases = _caller_aliases() if compare is not None else {}
    how.shown = {id(t): _grads_shown(t, how) for t in order}
    how.scale = _compared_size(order, how)
    notes += [note for note in [_unmatched_note(order, how)] if note]
    if show_grads and any(more is not None for _, more in how.shown.values()):
        notes.append(_ACCUMULATED if how.walked else _DOWNSTREAM if any(
            is_spent(t) for t in order) else _ELSEWHERE)
    graph = _picture([(node, *_node_label(node, how)) for node in nodes], edges, rankdir,
                     collapse, notes)
    graph.format = format  # (graphviz refuses a format it does not know, naming them)
    return graph


def _picture(labelled: list[tuple], edges: list[tuple[str, str]], rankdir: str,
             collapse: bool, notes: list[str]) -> Diagram:
    """The Diagram of the labelled nodes and the edges, with the notes written under it."""
    if rankdir == "auto":
        rankdir = _auto_rankdir(labelled, edges)
    statements = [(node.scope, f"{node.id} [label={_quote(label)} {style}]")
                  for node, label, style in labelled]
    spine = {node.id for node, _, _ in labelled if node.kind in ("op", "call")
             or node.kind == "tensor" and node.item._op is not None}
    graph = _emit_dot(statements, edges, rankdir, collapse, spine)
    if notes:  # said in the picture itself, where a reader of the image will see it
        text = "\n".join(textwrap.fill(n, 100) for n in notes)
        graph.attr(label=text, labelloc="b", labeljust="l", fontsize="10")
    return graph


def _drawable(outputs: Sequence[Any]) -> None:
    """Refuse what is not a Tensor, saying what to draw instead."""
    for o in outputs:
        if isinstance(o, Tensor):
            continue
        hint = ("; draw the tensors themselves: al.draw(*outputs)" if isinstance(o, (list, tuple))
                else "; a number or an array has no graph: al.compile's results and .item() "
                "are numbers, so draw what the plain function returns (J = cost(...), then "
                "al.draw(J))" if isinstance(o, (np.ndarray, np.generic, float, int)) else "")
        raise TypeError(f"draw: expected Tensors, got {type(o).__name__}{hint}")


def _gradients_and_notes(outputs: Sequence[Tensor], order: list[Tensor], show_grads: bool
                         ) -> tuple[dict[int, Any], list[str]]:
    """This graph's gradients, walked again (_replayed_grads), and the notes the picture
    needs: values changed in place since, parts freed by backward()."""
    changed = _changed_after_use(order)
    replayed, notes = (_replayed_grads(outputs, order) if show_grads and not changed
                       else ({}, []))
    if changed:
        notes.append(_changed_note(changed, show_grads))
    if any(is_freed(t) for t in order):
        notes.append(f"Part of this graph was freed by backward(): {_KEPT}. "
                     "Draw before backward(), or pass retain_graph=True")
    return replayed, notes


def _changed_after_use(order: list[Tensor]) -> list[Tensor]:
    """The tensors written in place (``w -= lr * w.grad``) after an op of the graph used them:
    the graph's values no longer follow from theirs."""
    changed = {id(a): a for t in order if t._op is not None and t._args is not None
               for a in t._args if type(a) is Tensor and a._version > t._tick}
    return list(changed.values())


def _changed_note(changed: list[Tensor], show_grads: bool) -> str:
    return (f"{_listed(changed, _caller_names())} changed in place after this graph used it "
            "(a parameter update?): it shows its new value, the tensors computed from it their "
            "old ones" + (", and gradients of intermediate tensors are not shown" if show_grads
                          else ""))


def _listed(tensors: list[Tensor], known: Mapping[int, str]) -> str:
    def name(t):
        n = t.name or known.get(id(t))
        return f"'{n}'" if n else f"a tensor of shape {t.shape}"
    return ", ".join(name(t) for t in tensors)


def _replayed_grads(outputs: Sequence[Tensor], order: list[Tensor]
                    ) -> tuple[dict[int, Any], list[str]]:
    """After a plain backward() only the leaves keep ``.grad``; the graph itself was spent.
    Walk it again from each spent output (nothing is stored) to show the gradient of every
    tensor, as micrograd does. Returns {id(tensor): gradient} and notes for the picture."""
    grads: dict[int, Any] = {}
    leaves = [t for t in order if t._op is None]
    for out in {id(o): o for o in outputs}.values():  # (draw(J, J) counted J twice)
        if not backpropagated(out) or is_freed(out):
            continue
        mine: dict[int, Any] = {}  # this backward's gradient of each op's output

        def trace(t, i, a, g, gi, mine=mine):
            mine.setdefault(id(t), g)
        try:
            with np.errstate(all="ignore"):  # (warned once already, by the backward drawn)
                found = backprop(out, seed_of(out), inputs=leaves, trace=trace, replay=True)
            # summed over the outputs drawn, as the leaves' .grad are: draw(u, v) of u = 3h
            # and v = h * h showed h's gradient from u alone, or v alone by the order given
            found = list(mine.items()) + [(id(leaf), g) for leaf, g in zip(leaves, found)
                                          if g is not None]
            for key, g in found:
                grads[key] = g + grads[key] if key in grads else g
        except RuntimeError as err:
            if "changed in place" not in str(err):
                raise
            return {}, ["Gradients of intermediate tensors are not shown: an input was "
                        "changed in place after backward()"]
    return grads, []


def _calls(order: list[Tensor], expand: bool) -> dict[int, list[_Call]]:
    """{id(tensor): the composite calls that made it, outermost first}: with ``expand`` every
    call (for the dotted boxes), else only the outermost (the one node drawn for it)."""
    calls = [_Call.from_mark(m, t) for t in order for m in t._scope if type(m) is tuple]
    calls.sort(key=lambda c: c.start)  # a call starts before the calls it makes
    made_by: dict[int, list[_Call]] = {}
    for call in calls:
        if not expand and id(call.out) in made_by:
            continue  # inside an outer call, which is drawn as one node
        for t in call.made():
            made_by.setdefault(id(t), []).append(call)
    return made_by


def _call_inputs(call: _Call, inner: list[Tensor]) -> list | None:
    """What a collapsed call takes from outside: the Tensors older than the call, and the
    arrays passed to it (not those it made; options are in its label), in the call's
    argument order; None when backward() freed its insides."""
    seen: set[int] = set()
    found = []
    position = call.argument_ids()
    for t in inner:
        if t._args is None:
            return None
        for a in t._args:
            if id(a) in seen:
                continue
            if type(a) is Tensor:
                if a._seq > call.start:
                    continue  # made by the call
            elif id(a) not in position or type(a) in _OPTION_TYPES:
                continue  # made inside, or an option shown in the call's label
            seen.add(id(a))
            found.append(a)
    return sorted(found, key=lambda a: position.get(id(a), len(position)))


def _scope_of(t: Tensor, made_by: dict[int, list[_Call]], expand: bool) -> tuple:
    """The path of boxes a tensor's node is drawn in: the user's scope names, and with
    ``expand`` the composite calls that made it."""
    names = t._scope
    if not names and not expand:
        return names
    if not all(type(p) is str for p in names):
        names = tuple(p for p in names if type(p) is str)
    return names + tuple(made_by.get(id(t), ())) if expand else names


def _collect_nodes(outputs: Sequence[Tensor], order: list[Tensor], expand: bool
                   ) -> tuple[list[_Node], list[tuple[str, str]], dict[int, tuple]]:
    """The picture's structure: a node per tensor, per op (or collapsed composite call) and
    per constant argument, the edges (node id pairs) in the direction of data flow, and
    {id(call output): (call, its inputs)} for the collapsed calls."""
    nodes: list[_Node] = []
    edges: list[tuple[str, str]] = []
    ids: dict[int, str] = {}
    made_by = _calls(order, expand)
    inner: dict[_Call, list[Tensor]] = {}
    calls: dict[int, tuple] = {}

    def tensor_node(t: Tensor) -> str:
        nid = ids.get(id(t))
        if nid is None:
            nid = ids[id(t)] = f"t{len(ids)}"
            nodes.append(_Node(nid, "tensor", _scope_of(t, made_by, expand), t))
        return nid

    for t in order:
        call = None if expand or id(t) not in made_by else made_by[id(t)][0]
        if call is not None and t is not call.out:
            inner.setdefault(call, []).append(t)  # inside a collapsed call: not drawn
            continue
        made = tensor_node(t)
        if t._op is None:
            continue
        scope = _scope_of(t, made_by, expand)
        op = f"op{len(nodes)}"
        nodes.append(_Node(op, "op" if call is None else "call", scope, call or t))
        edges.append((op, made))
        args = t._args if call is None else _call_inputs(call, inner.pop(call, []) + [t])
        if call is not None:
            calls[id(t)] = (call, args or [])
        if args is None:  # freed by backward(): its inputs are gone
            nodes.append(_Node(f"c{len(nodes)}", "freed", scope, t))
            edges.append((nodes[-1].id, op))
            continue
        for a in args:
            if isinstance(a, Tensor):
                edges.append((tensor_node(a), op))
            else:
                nodes.append(_Node(f"c{len(nodes)}", "const", scope, a))
                edges.append((nodes[-1].id, op))
    for o in outputs:
        tensor_node(o)
    return nodes, edges, calls


_DTYPE_NAMES: dict[np.dtype, str] = {}  # str(dtype) costs 10 us: once per dtype


def _node_label(node: _Node, how: _LabelOptions) -> tuple[str, str]:
    """The text and style of one node: the one place that decides what a node shows."""
    if node.kind == "const":
        return _const_text(node.item, how.known, how.precision), _STYLE["const"]
    if node.kind == "freed":
        return "inputs freed\nby backward()", _STYLE["freed"]
    if node.kind == "call":
        params = ", ".join(_call_params(node.item))
        return node.item.name + ("\n" + params if params else ""), _STYLE["call"]
    t = node.item
    if node.kind == "op":
        kw = _fmt_kwargs(t._kwargs)
        return t._op.name + ("\n" + kw if kw else ""), _STYLE["op"]
    dtype = _DTYPE_NAMES.get(t._data.dtype) or _DTYPE_NAMES.setdefault(t._data.dtype,
                                                                       str(t._data.dtype))
    lines = [how.titles.get(id(t)) or how.names.get(id(t), "tensor"),
             f"{t.shape} {dtype}" if t.shape else dtype]
    if how.show_values:
        lines.append("value " + _fmt_array(t._data, how.precision, how.max_entries, _WIDTH))
    grad, more = how.shown.get(id(t)) or _grads_shown(t, how)  # (an output's constant)
    if how.show_grads and grad is not None:
        lines.append("grad " + _fmt_array(grad, how.precision, how.max_entries, _WIDTH))
    if how.show_grads and more is not None:  # (a training loop without zero_grad shows here)
        lines.append(".grad " + _fmt_array(more, how.precision, how.max_entries, _WIDTH)
                     + (" (not this graph's)" if how.walked else " (other graphs)"))
    kind = ("output" if id(t) in how.outputs else "tensor" if t._op is not None
            else "param" if t.requires_grad else "leaf")
    style = _STYLE[kind]
    mine = how.expected.get(_compared_name(t, how))
    if type(mine) is _Verdict:  # a GradientReport's: outlined where the report fails it
        mine = mine.yours if mine.wrong else None
    elif mine is not None and np.ndim(mine) == 0 and np.size(grad) == 1:
        mine = np.reshape(mine, np.shape(grad))  # the course's db, a number, for b (1, 1)
    if (type(mine) is np.ndarray and grad is not None and np.shape(mine) == np.shape(grad)
            and agree(mine, grad, 1e-7, ABSOLUTE * np.finfo(np.float64).eps * how.scale)):
        mine = None  # (check_gradients' float64 verdict, the gradients compared its size)
    if mine is not None:
        shape = np.shape(mine)
        lines.append("yours " + _fmt_array(mine, how.precision, how.max_entries, _WIDTH) + (
            f" (shape {shape}, not {np.shape(grad)})" if grad is not None
            and shape != np.shape(grad) else ""))
        style += " " + _STYLE["mismatch"]
    return "\n".join(lines), style


_ACCUMULATED = ("grad: this graph's gradient. .grad: what the tensor's .grad holds, which "
                "differs: backward() from another output, through other graphs or again "
                "through this one (retain_graph) added to it (a loop without p.grad = None "
                "or zero_grad() between steps), or it was set by hand")
_DOWNSTREAM = (".grad: what the tensor's .grad holds from a backward() from an output "
               "computed from this one, through this graph: draw that output with this one, "
               "al.draw(J, c), to see the gradients at these boxes")
_ELSEWHERE = (".grad: what the tensor's .grad holds from backward() through other graphs; "
              "this one has had no backward() yet")


def _grads_shown(t: Tensor, how: _LabelOptions) -> tuple[Any, Any]:
    """(the gradient drawn as t's: this graph's, walked again, else ``.grad``; ``.grad``
    where it is not this graph's: other backward passes accumulated into it, or, on a graph
    not yet backpropagated, they alone). A micrograd user's picture mixed the two: a leaf
    showed the total of two backward passes beside this graph's intermediates."""
    mine, total = how.replayed.get(id(t)), t._grad
    if type(total) is Tensor:  # (create_graph's .grad)
        total = total._data
    if mine is None:
        return (None, total) if total is not None and not how.walked else (total, None)
    mine = mine._data if type(mine) is Tensor else mine
    if total is None or np.shape(total) == np.shape(mine) and np.allclose(
            total, mine, rtol=1e-12, atol=0, equal_nan=True):
        return mine, None
    return mine, total


def _text_width(label: str, style: str) -> float:
    """About how wide graphviz makes a node, in pt (DejaVu Sans averages 0.6 em a character
    on labels like these; an ellipse is about 1.4 times its text)."""
    size = 11 if "fontsize=11" in style else 10 if "fontsize=10" in style else 12
    text = 0.6 * size * max(map(len, label.split("\n"))) + 16
    return text * 1.42 if "ellipse" in style else text


def _auto_rankdir(labelled: list[tuple[_Node, str, str]], edges: list[tuple[str, str]]) -> str:
    """"LR" when the graph drawn left to right is at most MAX_WIDTH_PT wide, else "TB".
    The width: the widest node of each rank (its longest path from a source), plus the gaps
    between ranks."""
    if len(labelled) > MAX_LAYOUT_NODES:
        return "TB"  # too big to lay out anyway
    width = {node.id: _text_width(label, style) for node, label, style in labelled}
    succ: dict[str, list[str]] = {nid: [] for nid in width}
    indegree = dict.fromkeys(width, 0)
    for a, b in dict.fromkeys(edges):
        succ[a].append(b)
        indegree[b] += 1
    rank = dict.fromkeys(width, 0)
    ready = [nid for nid, k in indegree.items() if k == 0]
    while ready:
        nid = ready.pop()
        for b in succ[nid]:
            rank[b] = max(rank[b], rank[nid] + 1)
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    widest: dict[int, float] = {}
    for nid, r in rank.items():
        widest[r] = max(widest.get(r, 0.0), width[nid])
    total = sum(widest.values()) + 36 * (len(widest) - 1) + 16
    return "LR" if total <= MAX_WIDTH_PT else "TB"


def _emit_dot(statements: list[tuple[tuple, str]], edges: list[tuple[str, str]],
              rankdir: str, collapse: bool, spine: set[str] = frozenset()) -> Diagram:
    """The Diagram: node statements nested in their scopes' clusters (or one box per
    top-level scope with ``collapse``), then the edges (heavier between ``spine`` nodes)."""
    graph = Diagram(name="autograd_lite",
                    graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "12",
                                "ordering": "in"},
                    node_attr={"fontname": FONT, "fontsize": "12"},
                    edge_attr={"fontname": FONT})
    if collapse:
        statements, edges = _collapse(statements, edges)
    graph.body.extend(_nest(statements))
    graph.body.extend(_edge_statements(edges, spine))
    graph.n_nodes = len(statements)
    return graph


def _edge_statements(edges: list[tuple[str, str]], spine: set[str] = frozenset()) -> list[str]:
    """One DOT line per edge: an op that reads one tensor twice (a * a) has two, as the
    gradient it gives that tensor is the sum of two (one was drawn, and a learner saw a
    multiply of one input). Edges between ``spine`` nodes (ops and the tensors they make)
    weigh more and come first among a node's inputs, and the graph keeps that order
    (ordering=in): dot draws the chain of ops straight, with the parameters and constants
    on one side of it, so a long chain drawn top to bottom stays narrow."""
    edges = sorted(edges, key=lambda e: e[0] not in spine)  # stable: else in the order seen
    return [f"\t{a} -> {b} [weight=4]\n" if a in spine and b in spine else f"\t{a} -> {b}\n"
            for a, b in edges]


def _compared_name(t: Tensor, how: _LabelOptions) -> str | None:
    """The name ``compare`` knows ``t`` by: its own, else the one its box shows (W1, of the
    caller's parameters["W1"]: compare={"dW1": ...} outlined nothing), else another the
    caller holds it by (a dict's key, where a loop's leftover variable named the box)."""
    if t.name:
        return t.name
    names = [how.names.get(id(t)), *sorted(how.aliases.get(id(t), ()))]
    return next((n for n in names if n in how.expected), names[0])


def _unmatched_note(order: list[Tensor], how: _LabelOptions) -> str | None:
    """A note naming the keys of ``compare`` that no tensor drawn is known by."""
    names = {_compared_name(t, how) for t in order}
    left = [k for k in how.expected if k not in names and not (
        k.startswith("d") and k[1:] in names)]
    left = [k for k in left if "d" + k not in left]  # ("dW9" stands for its "W9" too)
    if not left:
        return None
    return (f"compare: no tensor drawn is named {', '.join(left)} (a key is a tensor's name or "
            "'d' + its name), so it was not compared")


def _compared_size(order: list[Tensor], how: _LabelOptions) -> float:
    """The norm of the gradients of the tensors compared, together (check_gradients' size)."""
    grads = [how.shown[id(t)][0] for t in order if _compared_name(t, how) in how.expected]
    return _norm(np.concatenate([np.ravel(g) for g in grads if g is not None] or [[]]))


@dataclass(slots=True)
class _Verdict:
    """A GradientReport's verdict on one parameter, so that the diagram and the report agree."""

    yours: np.ndarray
    wrong: bool


def _expected_grads(compare: Any) -> dict[str, np.ndarray | _Verdict]:
    """Hand-derived gradients keyed by tensor name, from a dict or a GradientReport (its
    verdicts: the diagram outlines what the report fails, by the report's tolerances)."""
    if compare is None:
        return {}
    out: dict[str, np.ndarray | _Verdict] = {}
    if hasattr(compare, "user_grads"):
        for row in compare.rows:
            if row.key in compare.user_grads and row.status != "extra":
                out[row.parameter] = out[row.key] = _Verdict(compare.user_grads[row.key],
                                                             not row.passed)
        return out
    for k, v in dict(compare).items():
        name = k[1:] if k.startswith("d") and len(k) > 1 else k
        out[name] = out[k] = np.asarray(v)
    return out


@dataclass
class _Scope:
    """A scope in the tree of nested scopes: its own statements and its sub-scopes."""

    statements: list[str]
    children: dict[Any, _Scope]


def _nest(statements: list[tuple[tuple, str]]) -> list[str]:
    """Wrap statements in nested ``subgraph "cluster_<k>"`` blocks, one per distinct scope
    path, numbered in the order drawn (so "layer 1" and "layer_1" stay two clusters). A
    scope path holds the user's scope names and (expand=True) composite calls, each its own
    dotted box."""
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
        for part, child in node.children.items():
            name = part if type(part) is str else part.name
            out.append(f"{pad}subgraph {_quote(f'cluster_{next(numbers)}')} {{\n{pad}\t"
                       f"label={_quote(name)} {_CLUSTER[type(part)]}\n")
            emit(child, depth + 1)
            out.append(f"{pad}}}\n")

    emit(root, 1)
    return out


def _collapse(statements, edges):
    """Replace everything inside each top-level user scope by one box, numbered in order."""
    owner: dict[str, str] = {}
    kept: list[tuple[tuple, str]] = []
    boxes: dict[str, list] = {}  # top-level scope -> [box id, node count]
    for scope_path, stmt in statements:
        if scope_path and type(scope_path[0]) is str:
            box = boxes.setdefault(scope_path[0], [f"scope{len(boxes)}", 0])
            box[1] += 1
            owner[stmt.split(" ", 1)[0]] = box[0]
        else:
            kept.append((scope_path, stmt))
    for top, (box_id, count) in boxes.items():
        kept.append(((), f"{box_id} [label={_quote(f'{top}{chr(10)}({count} nodes)')}"
                         f" {_STYLE['scope']}]"))
    new_edges = [(owner.get(a, a), owner.get(b, b)) for a, b in edges]
    return kept, list(dict.fromkeys((a, b) for a, b in new_edges if a != b))  # one per box


# ---- explain ------------------------------------------------------------------------------

# What the VJP of an op that is not elementwise does with the upstream gradient g: its
# "local derivative" is a Jacobian, which the VJP applied to ones (a row sum of it) would
# misstate (W @ x's for W read [[1, 2], [1, 2]], as if elementwise). {0}, {1}: the inputs.
_RULES = {
    ("matmul", 0): "g @ {1}.T", ("matmul", 1): "{0}.T @ g",
    "sum": "g, copied along the summed axes", "max": "g, to the largest entries",
    "prod": "g times the product of the others", "cumsum": "g, summed from the end",
    "norm": "g * x / norm(x)", "einsum": "einsum of g with the others",
    "reshape": "g, reshaped back", "transpose": "g, transposed back",
    "broadcast_to": "g, summed over the copies", "getitem": "g, put back into zeros",
    "index_add": "g, read at the indices", "concatenate": "g's slice for this input",
    ("binary_cross_entropy_with_logits", 0): "g * (sigmoid(z) - y) / size",
    ("binary_cross_entropy_with_logits", 1): "g * -z / size",
    ("binary_cross_entropy", 0): "g * (p - y) / (p (1 - p)) / size",
    ("binary_cross_entropy", 1): "g * (log(1 - p) - log(p)) / size",
}


def _local(t: Tensor, i: int, g: Any, names: Mapping[int, str], known: Mapping[int, str],
           precision: int) -> str:
    """The local derivative of ``t`` by its input ``i``, each entry's (elementwise ops,
    in the output's shape: Z = W @ X + b has dZ/db = 1 at every example), or the rule of
    an op that is not elementwise."""
    rule = _RULES.get((t._op.name, i), _RULES.get(t._op.name))
    if rule is not None:  # (bracketed: g @ (B * 2).T; a constant X by its name, not "x")
        operands = (_operand(x, names, known) for x in t._args)
        return rule.format(*(s if _atomic(s) else f"({s})" for s in operands))
    local = np.asarray(t._op.vjps[i](np.ones(np.shape(g)), t._data, *t._vals,
                                     **(t._kwargs or {})))
    if np.broadcast_shapes(local.shape, np.shape(t._data)) == np.shape(t._data):
        local = np.broadcast_to(local, np.shape(t._data))
    return _fmt_array(local, precision)  # (a custom op's VJP of ones, whatever its shape)


def explain(output: Tensor, precision: int = 4, max_nodes: int = 60) -> str:
    """The backward pass of a small graph as a table, in the order it runs.

    Each row is one edge: the node whose gradient is being passed back, the op, the
    upstream gradient, the local derivative (for an elementwise op, each entry's, in the
    output's shape; for another, such as matmul or sum, its rule: ``g @ x.T``), and the
    contribution it adds to the input. The last lines add up the contributions to each
    tensor used more than once, then to each leaf (in the order of the ops that used it),
    e.g. for e = (a+b)*(b+1) at a=2, b=3: "b: 4 + 5 = 9". Nothing is stored in ``.grad``.
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
    changed = _changed_after_use(order)
    if changed:
        raise RuntimeError(f"explain: {_listed(changed, _caller_names())} changed in place "
                           "after this graph used it (a parameter update?), so the graph's "
                           "values no longer follow from it. Call explain before updating, "
                           "or compute the graph again")
    known = _caller_names()
    names = _labels(order, [], known)
    rows = []
    contributions: dict[int, list] = {}

    def trace(t, i, a, g, gi):
        rows.append((names[id(t)], t._op.name, names[id(a)], _fmt_array(g, precision),
                     _local(t, i, g, names, known, precision), _fmt_array(gi, precision)))
        contributions.setdefault(id(a), []).append((t._seq, gi))

    leaves, seed = [t for t in order if t._op is None], seed_of(output)
    backprop(output, seed, retain_graph=True, inputs=leaves, trace=trace, replay=True)
    if output._op is None:  # a leaf's own backward(): its gradient is the seed, through no op
        contributions[id(output)] = [(0, seed)]
    head = ("node", "op", "input", "upstream grad", "local derivative", "contribution")
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    text = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
            for r in [head] + rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    text.append("")
    # a tensor made by an op and used more than once: its gradient, the upstream grad of its
    # rows, is the sum of what its users passed back (said for leaves alone before), nearest
    # the output first; then every leaf's
    shared = [t for t in reversed(order) if t._op is not None and t is not output
              and len(contributions.get(id(t), ())) > 1]
    for t in shared + leaves:
        parts = [gi for _, gi in sorted(contributions.get(id(t), []), key=lambda p: p[0])]
        total = sum(parts[1:], parts[0]) if parts else 0.0
        terms = " + ".join(_fmt_array(p, precision) for p in parts)
        text.append(f"{names[id(t)]}: {terms} = {_fmt_array(total, precision)}"
                    if len(parts) > 1 else f"{names[id(t)]}: {_fmt_array(total, precision)}")
    return "\n".join(text + _composites_drawn_as_one(order, names))


def _composites_drawn_as_one(order: list[Tensor], names: Mapping[int, str]) -> list[str]:
    """A line for each composite call that draw() shows as one node, naming its rows in the
    table (mean's are sum and divide), so that the table and the diagram read together."""
    walked = {id(t) for t in order}
    calls = {id(c.out): c for cs in _calls(order, expand=False).values() for c in cs}
    lines = []
    for call in sorted(calls.values(), key=lambda c: c.start):
        inside = sorted((t for t in call.made() if id(t) in walked and t._op is not None),
                        key=lambda t: t._seq)
        if len(inside) > 1 or inside and inside[0]._op.name != call.name:
            rows = ", ".join(t._op.name for t in inside)
            lines.append(f"({call.name}, made of {rows}: draw() shows it as one node, "
                         f"{names.get(id(call.out), '')}; draw(..., expand=True) as these rows)")
    return [""] + lines if lines else []
