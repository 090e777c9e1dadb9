"""A small, safe expression language for the command line, ``(a + b) * (b + 1)``, and the
engine's own command, ``graph``, which ``python -m autograd_lite`` serves and the
``autograd-lite`` command (nn.cli) includes.

Parsed with ``ast`` against an allow-list and evaluated by walking the tree (never eval):
numbers, names given values, ``+ - * / ** @``, unary minus, parentheses and calls of
the engine's functions. Anything else is refused with one clear line.

Numbers are numpy float64, so arithmetic on them follows numpy, not Python: ``1/0`` is inf,
``0/0`` is nan, ``9**9**9`` and ``1e308*10`` are inf, and an integer too big for float64
(``10**400`` written out) is inf. No expression ends in ZeroDivisionError or OverflowError.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import itertools
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor

MAX_LENGTH = 2000
MAX_DEPTH = 60

# the registry's ops marked cli: those the grammar writes as + - * / ** @ and unary minus,
# and the others, called by name
GRAMMAR_OPS = {"add", "subtract", "multiply", "divide", "power", "matmul", "negative"}
FUNCTIONS = {name: op.function for name, op in ops.OPS.items()
             if op.cli and name not in GRAMMAR_OPS}
KEYWORDS = {"axis", "keepdims", "slope", "min", "max"}  # (clip's min=/max=: one bound alone)

_BINARY = {ast.Add: ops.add, ast.Sub: ops.subtract, ast.Mult: ops.multiply,
           ast.Div: ops.divide, ast.Pow: ops.power, ast.MatMult: ops.matmul}


class ExpressionError(ValueError):
    """The expression or a value is not in the allowed language."""


def _number(value: int | float) -> np.float64:
    """A literal as numpy float64; an int beyond float64's range is +inf, as 1e400 is."""
    try:
        return np.float64(value)
    except OverflowError:
        return np.float64(np.inf)


def _parse(text: str) -> ast.AST:
    """ast.parse, with Python's SyntaxWarnings ("invalid decimal literal" for ``1if``) made
    the SyntaxError they are here (compile does so), not a second line on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        return ast.parse(text.strip(), mode="eval")


def _parses(text: str) -> bool:
    try:
        _parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(text.strip())


_SPECIAL = {"nan": float("nan"), "inf": float("inf")}  # (-inf: the sign applies)


def parse_value(text: str) -> np.ndarray:
    """A number or a (nested) list of numbers, e.g. ``2``, ``-1.5e3``, ``[1, 2, 3]``.

    Returns a float64 array of the list's shape (``()`` for a number). A literal beyond
    float64's range reads as inf. Anything else raises ExpressionError, one line.
    """
    def refuse(reason: str) -> ExpressionError:
        shown = repr(text) if len(text) <= 60 else repr(text[:50]) + "..."
        return ExpressionError(f"cannot read the value {shown}: {reason}")

    try:
        tree = _parse(text).body
    except SyntaxError:
        raise refuse("use a number or a list such as [1, 2, 3]") from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise refuse(str(err).split("\n")[0]) from None
    except (RecursionError, MemoryError):
        raise refuse("it is nested too deeply") from None

    def walk(node, depth):
        if depth > MAX_DEPTH:
            raise refuse(f"it is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return _number(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = walk(node.operand, depth + 1)
            if isinstance(v, list):
                raise refuse("a sign goes before a number, not a list: write [-1, -2]")
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.List) and len(node.elts) <= 10_000:
            return [walk(e, depth + 1) for e in node.elts]
        if isinstance(node, ast.Name) and node.id in _SPECIAL:  # a=nan, a=-inf: numpy's
            return _SPECIAL[node.id]  # names of the values an edge case needs
        raise refuse("only numbers (nan and inf too) and lists of numbers are allowed")

    data = walk(tree, 0)  # its ExpressionError already names the value: not wrapped again
    try:
        return np.array(data, dtype=np.float64)
    except ValueError as err:  # ragged lists
        raise refuse(str(err).split("\n")[0]) from None


def evaluate(text: str, variables: dict[str, Any]) -> Tensor:
    """Evaluate ``text`` over ``variables`` (name -> Tensor) with the engine's ops.

    Returns a Tensor of the broadcast shape; inf and nan come out as numpy gives them
    (``1/0`` is inf). Every refusal, and every error an op raises on the given values, is
    an ExpressionError of one line.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = _parse(text)
    except SyntaxError as err:
        assigned = re.match(r"\s*([A-Za-z_]\w*)\s*=(?!=)\s*(.*)", text, re.S)
        if assigned and _parses(assigned[2]):  # e = (a+b)*(b+1), as the README writes it
            raise ExpressionError(f"an assignment is not an expression: write "
                                  f"{assigned[2].strip()!r} alone (its value is shown as out)"
                                  ) from None
        where = f"at column {err.offset}" if err.offset else "at its end (an operator last?)"
        raise ExpressionError(f"syntax error in the expression {where}: {err.msg}") from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise ExpressionError(f"the expression cannot be parsed: "
                              f"{str(err).splitlines()[0]}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression cannot be parsed (too deeply nested?)") from None
    for name in variables:
        _check_name(name)
    _validate(tree.body, variables, 0)
    try:
        with np.errstate(all="ignore"):
            out = _eval(tree.body, variables)
    except (ValueError, TypeError, ArithmeticError, IndexError) as err:
        # an op refusing these values (shapes, axes, empty arrays): the user's to fix
        raise ExpressionError(str(err).split("\n")[0] or type(err).__name__) from None
    return out if isinstance(out, Tensor) else Tensor(out)


def _names_in(text: str) -> set[str]:
    """The names an expression (already evaluated, so well-formed) reads."""
    return {node.id for node in ast.walk(_parse(text)) if isinstance(node, ast.Name)}


def _check_name(name: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise ExpressionError(f"{name!r} is not an allowed name (letters, digits and _, not "
                              "starting with _)")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name; choose another variable name")


_MODULES = {"np", "numpy", "al", "autograd_lite", "math", "torch", "jnp"}


def _validate(node: ast.AST, variables, depth: int) -> None:
    """Refuse every node outside the allow-list before anything is evaluated."""
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError(f"only numbers are allowed as constants, not "
                                  f"{type(node.value).__name__} {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id!r} is not allowed")
        if node.id not in variables:
            hint = (" (a function: call it, e.g. exp(a))" if node.id in FUNCTIONS
                    else f": give it a value, e.g. {node.id}=1")
            raise ExpressionError(f"unknown name {node.id!r}{hint}")
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _validate(node.left, variables, depth + 1)
        _validate(node.right, variables, depth + 1)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _validate(node.operand, variables, depth + 1)
        return
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in FUNCTIONS:
            name, owner = node.func.attr, node.func.value
            if isinstance(owner, ast.Attribute) or isinstance(owner, ast.Name) and (
                    owner.id in _MODULES or owner.id not in variables):  # np.exp, F.relu
                raise ExpressionError(f"write {name}(...) for {ast.unparse(node.func)}(...): "
                                      "the expression's functions are the engine's, named "
                                      "alone")
            raise ExpressionError(f"method calls are not allowed: write {name}(x, ...) for "
                                  f"x.{name}(...)")
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = ast.unparse(node.func)
            raise ExpressionError(f"calling {what!r} is not allowed; functions: "
                                  f"{', '.join(sorted(FUNCTIONS))}")
        options = _options(node)
        if node.func.id in _ELEMENTWISE and len(node.args) > 1 and (
                hint := _elementwise_hint(node)):
            raise ExpressionError(hint)
        for i, arg in enumerate(node.args):
            if i in options:
                _validate_option(options[i], arg)
            else:
                _validate(arg, variables, depth + 1)
        for kw in node.keywords:
            _validate_option(kw.arg, kw.value)
        twice = set(options.values()) & {kw.arg for kw in node.keywords}
        if twice:
            raise ExpressionError(f"{node.func.id}() got {twice.pop()} twice: as an argument "
                                  "and as a keyword")
        return
    raise ExpressionError(_not_allowed(node))


# max(a, b) and min(a, b) as Python's builtins read them (max(a, 0), a relu, gave a as
# numpy's max(a, axis=0)), and sum(a, b): what was meant
_ELEMENTWISE = {"max": "maximum", "min": "minimum", "sum": "+"}


def _elementwise_hint(call: ast.Call) -> str:
    """Why f(a, b) of max, min or sum is refused, and what to write."""
    f, (a, b) = call.func.id, (ast.unparse(x) for x in call.args[:2])
    axis = call.args[1]
    if isinstance(axis, ast.Tuple) and axis.elts and all(_is_literal(e, (int,))
                                                          for e in axis.elts):
        return ""  # max(x, (0, 1)): numpy's axes, nothing else
    if f == "sum":
        if _is_literal(axis, (int, float)):  # numpy's sum(x, 0): an axis, as documented
            return ""
        return f"sum({a}, {b}): sum's second argument is an axis; the sum of two is {a} + {b}"
    return (f"{f}({a}, {b}): Python's {f} of two values is {_ELEMENTWISE[f]}({a}, {b}); "
            f"numpy's {f} over an axis is {f}({a}, axis={b})")


def _options(call: ast.Call) -> dict[int, str]:
    """{position: name} of the positional arguments of ``call`` that are its axis or
    keepdims, by the function's parameter names: sum(x, 0) is sum(x, axis=0)."""
    names = list(inspect.signature(FUNCTIONS[call.func.id]).parameters)
    return {i: names[i] for i in range(1, min(len(call.args), len(names)))
            if names[i] in ("axis", "keepdims")}


def _validate_option(name: str | None, value: ast.AST) -> None:
    if name not in KEYWORDS:
        raise ExpressionError(f"keyword {name!r} is not allowed; use "
                              f"{', '.join(sorted(KEYWORDS))}")
    if name == "keepdims":
        if not (isinstance(value, ast.Constant) and type(value.value) is bool):
            raise ExpressionError("keepdims must be True or False")
    elif name == "axis":
        axes = value.elts if isinstance(value, ast.Tuple) else [value]
        if not axes or not all(_is_literal(a, (int,)) for a in axes):
            raise ExpressionError("axis must be a whole number such as 0, 1 or -1, or a "
                                  "tuple of them such as (0, 1)")
    elif not _is_literal(value, (int, float)):
        raise ExpressionError(f"{name} must be a number")


_INSTEAD = {ast.BitXor: "^ is not a power here (as in Python): write a ** b",
            ast.Mod: "% (the remainder) is not in the language",
            ast.Compare: "comparisons (<, ==, ...) have no gradient: they are not in the "
                         "language"}


def _not_allowed(node: ast.AST) -> str:
    """Why ``node`` is refused, in the words the user typed."""
    kind = type(node.op) if isinstance(node, (ast.BinOp, ast.UnaryOp)) else type(node)
    text = ast.unparse(node)
    text = text if len(text) <= 40 else text[:37] + "..."
    what = _INSTEAD.get(kind) or f"{text!r} is not allowed in an expression"
    return (f"{what}; use numbers, names, + - * / ** @, parentheses and function calls "
            "such as sum(x, axis=0)")


def _is_literal(node: ast.AST, types: tuple) -> bool:
    """A number of one of ``types``, or its negation."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in types


def _eval(node: ast.AST, variables):
    if isinstance(node, ast.Constant):
        return _number(node.value)  # float64: 1/0 is inf, not ZeroDivisionError
    if isinstance(node, ast.Name):
        return variables[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, variables), _eval(node.right, variables))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, variables)
        return ops.negative(value) if isinstance(node.op, ast.USub) else value
    options = _options(node)
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    kwargs.update((options[i], ast.literal_eval(a)) for i, a in enumerate(node.args)
                  if i in options)
    if "slope" in kwargs:
        kwargs["slope"] = _number(kwargs["slope"])
    args = [_eval(a, variables) for i, a in enumerate(node.args) if i not in options]
    return FUNCTIONS[node.func.id](*args, **kwargs)


# ---- the `graph` command, and how a command line reports errors --------------------------------

class UsageError(Exception):
    """Bad command-line usage: one line on stderr, exit status 2."""


class CommandError(Exception):
    """A user's mistake found after the command line was read (a file that cannot be
    written, data that is missing): one line on stderr, exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse, raising UsageError (one line, exit 2) where it would print usage and exit."""

    def error(self, message):
        raise UsageError(message)


def debug_after_commands(parser: argparse.ArgumentParser) -> None:
    """Let ``--debug`` follow the command too (``autograd-lite graph "1/x" --debug``), as
    users type it, not only precede it. (SUPPRESS: given before, it is not reset after.)"""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in set(action.choices.values()):
                if command.add_help and "--debug" not in command._option_string_actions:
                    command.add_argument("--debug", action="store_true",
                                         default=argparse.SUPPRESS, help="show tracebacks")
                debug_after_commands(command)


def _diagram_file(path: str) -> str:
    """-o's suffix, checked before any work (a usage error, exit 2, otherwise)."""
    from .diagram import FORMATS, suffix_format  # (graphviz loads only for the graph command)
    if suffix_format(path) is None:
        raise argparse.ArgumentTypeError(
            f"{path!r} does not end in a suffix the diagram is written as: "
            f"{' '.join('.' + f for f in FORMATS)} (for pdf and others, write .dot and run "
            "Graphviz's dot)")
    return output_path(path)


def output_path(path: str) -> str:
    """An output file's path (-o, --plot, --save), whose folder must exist: said before any
    work, not as '[Errno 2]' after the results are printed. ~ is expanded (the shell
    leaves it in --plot=~/x.png)."""
    path = os.path.expanduser(path)
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"{path!r}: there is no folder {folder!r}; create it "
                                         f"(mkdir -p {folder}) or write the file elsewhere")
    if os.path.isdir(path):  # (train --save found it after all its iterations)
        raise argparse.ArgumentTypeError(f"{path!r} is a folder; give a file in it, such as "
                                         f"{os.path.join(path, 'model.npz')!r}")
    exists = os.path.exists(path)  # (/dev/stdout: writable, in a folder that is not)
    if not os.access(path if exists else folder or ".", os.W_OK):
        what = "it" if exists else f"the folder {folder or '.'!r}"
        raise argparse.ArgumentTypeError(f"{path!r}: {what} is not writable for you; write "
                                         "the file elsewhere")
    return path


def add_graph_command(subparsers) -> argparse.ArgumentParser:
    """Add ``graph EXPRESSION name=value ... [-o FILE] [--explain] [--code] [--rankdir DIR]``."""
    g = subparsers.add_parser("graph", help="build an expression's graph, backprop, draw it")
    g.add_argument("expression", help='e.g. "(a+b)*(b+1)"; numbers are float64, so 1/0 is '
                   'inf and 0/0 is nan, as in numpy')
    g.add_argument("values", nargs="*", metavar="name=value",
                   help="input values: numbers (nan and inf too) or lists such as x=[1,2,3]")
    g.add_argument("-o", "--output", type=_diagram_file,
                   help="diagram file: .svg, .png, .dot or another suffix render_to writes")
    g.add_argument("--explain", action="store_true", help="print the backward pass as a table")
    g.add_argument("--code", action="store_true",
                   help="print forward and backward as the numpy code al.compile generates")
    g.add_argument("--precision", type=_digits, default=None, metavar="N",
                   help="digits of the numbers shown: significant digits of a number, the "
                        "table and the diagram, decimals of an array printed (default 6 "
                        "printed, 4 in the table and the diagram)")
    g.add_argument("--rankdir", default="LR",
                   help="the diagram's direction, as al.draw takes it (LR, the default, TB, RL, "
                        "BT, or auto: LR if it fits, else TB)")
    g.set_defaults(func=graph)
    return g


def graph(args: argparse.Namespace) -> int:
    """The ``graph`` command: evaluate, print the value and gradients, draw if asked."""
    from . import diagram  # graphviz loads here, for this command only

    if args.rankdir not in diagram.RANKDIRS:
        raise UsageError(f"argument --rankdir: invalid choice: {args.rankdir!r} (choose from "
                         f"{', '.join(diagram.RANKDIRS)})")
    variables = {}
    for item in args.values:
        name, sep, text = item.partition("=")
        if not sep:
            raise UsageError(f"expected name=value, got {item!r}" + (
                "; after --, everything is the expression or its values: put the options "
                "before -- (graph --explain -- '-a**2' a=3)" if item.startswith("-") else ""))
        if name.strip() in variables:
            raise UsageError(f"{name.strip()} is given two values; give each name one")
        variables[name.strip()] = Tensor(parse_value(text), requires_grad=True,
                                         name=name.strip())
    out = evaluate(args.expression, variables)
    unused = sorted(set(variables) - _names_in(args.expression))
    if unused:  # a typo in the expression or in a name: its gradient would be a silent 0
        raise ExpressionError(f"{', '.join(unused)} given a value but not in the expression "
                              f"{args.expression!r}; drop it or use it")
    oname, shown = _output_name(variables), args.precision or 6
    if out._op is not None:  # (a bare name, "a", is that input itself: it keeps its name)
        out.name = oname
    if not out.requires_grad:  # a number: its value, as a calculator would; nothing to draw
        if args.explain or args.code or args.output:
            raise ExpressionError("the expression does not depend on any input, so it has no "
                                  "graph to explain, draw or compile; give names values "
                                  "(e.g. \"x/0\" x=1)")
        print(f"{oname} = {_show(out.data, shown)}")
        print(f"{oname} does not depend on any input: no gradients (give names values, "
              "e.g. \"x/0\" x=1)")
        return 0
    if out.size != 1:
        print(f"{oname} has shape {out.shape}; backprop of its sum")
    print(f"{oname} = {_show(out.data, shown)}")
    with np.errstate(all="ignore"):  # inf and nan are printed as values, as numpy gives them
        if args.explain:
            _explain(diagram, out if out.size == 1 else ops.sum(out), args.precision or 4)
        out.backward(np.ones(out.shape), retain_graph=True, retain_grads=True)
    for name, t in variables.items():
        print(f"d {oname} / d {name} = {_show(0.0 if t.grad is None else t.grad, shown)}")
    if args.code:
        print(f"\n{generated_code(args.expression, variables)}", end="")
    if args.output:
        _render(diagram, out, args.output, args.rankdir, args.precision or 4)
    return 0


def _output_name(variables: dict) -> str:
    """"out", or "out2", "out3", ... where an input is named out ("out*2" out=3 drew two
    boxes named out, and printed d out / d out)."""
    names = itertools.chain(["out"], (f"out{i}" for i in itertools.count(2)))
    return next(n for n in names if n not in variables)


def generated_code(text: str, variables: dict[str, Tensor]) -> str:
    """The code al.compile generates for ``text`` (the sum of it, if not one number) as a
    function of ``variables``' names, which returns the value and their gradients."""
    from .compiler import compile as al_compile

    names = list(variables)

    def expression(*values):
        out = evaluate(text, dict(zip(names, values)))
        out = out if out.size == 1 else ops.sum(out)
        out.name = _output_name(variables)  # its gradient is then dout: "d out / d a"
        return out

    step = al_compile(expression)
    with np.errstate(all="ignore"):
        step(*(Tensor(t.data, requires_grad=True, name=name) for name, t in variables.items()))
    return step.source


def _explain(diagram, out, precision: int) -> None:
    """The --explain table; for a graph too big for one, a note instead (it was reported as
    an internal error, and the diagram asked for was not written)."""
    try:
        print(diagram.explain(out, precision=precision))
    except ValueError as err:
        if "the table is meant for graphs" not in str(err):
            raise
        print(f"(--explain: {str(err).removeprefix('explain: ')}; -o draws it)",
              file=sys.stderr)


def _digits(text: str) -> int:
    """An argparse type: significant digits, 1 to 17."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError(f"must be a number of digits from 1 to 17, got "
                                         f"{text!r}")
    return value


def _render(diagram, out, path, rankdir, precision=4):
    picture = diagram.draw(out, rankdir=rankdir, precision=precision)
    try:
        print(f"diagram: {picture.render_to(path)}")
    except diagram.RenderError as err:
        dot = os.path.splitext(path)[0] + ".dot"
        picture.render_to(dot)
        print(f"(the DOT text was written to {dot})", file=sys.stderr)
        raise CommandError(str(err)) from err


def _show(a, precision: int = 6) -> str:
    a = np.asarray(a)
    return (f"{float(a):.{precision}g}" if a.ndim == 0
            else np.array2string(a, precision=precision, separator=", "))


def _dash_hint(message: str) -> str:
    """What to write when an expression that starts with a minus was read as an option."""
    m = re.search(r"unrecognized arguments: (-\S*)", message)
    if m is None or not re.search(r"[*/+()@ .]|\d", m.group(1)[1:]):
        return ""
    return (f"; an expression that starts with '-' reads as an option: put -- before it, "
            f"after the options (graph --explain -- '{m.group(1)}' a=3), or begin it with a "
            "space or a bracket")


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
                user_errors: tuple[type[BaseException], ...]) -> int:
    """Parse ``argv`` (default: sys.argv[1:]) and call the chosen command's ``func``.

    Returns the exit status: 2 for a usage error, 1 for an error of ``user_errors`` (plus
    ExpressionError and CommandError), each as one line on stderr; anything else is a bug,
    reported as "internal error (its type)" on one line, or raised with --debug."""
    argv = sys.argv[1:] if argv is None else list(argv)
    prog = parser.prog
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except UsageError as err:
        print(f"{prog}: usage error: {err}{_dash_hint(str(err))} (see {prog} --help)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... --explain | head`: the reader has gone, as with cat
        with contextlib.suppress(OSError, ValueError):  # (no flush at exit to fail again)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool the pipe ended
    except Exception as err:  # noqa: BLE001  (one line, never a traceback, unless --debug)
        if "--debug" in argv:
            raise
        mine = isinstance(err, (ExpressionError, CommandError, *user_errors))
        kind = "error" if mine else f"internal error ({type(err).__name__})"
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"{prog}: {kind}: {message}", file=sys.stderr)
        return 1
