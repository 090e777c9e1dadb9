"""``python -m autograd_lite graph ...``: the engine's own command.

The course models' commands, train and check, are nn's: ``autograd-lite`` (the installed
command) and ``python -m nn`` serve all three; here they say so in one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .expr import Parser, UsageError, add_graph_command, debug_after_commands, run_command


def _nn_command(args) -> int:
    raise UsageError(f"{args.command} is nn's command (the course models): run autograd-lite "
                     f"{args.command} ... or python -m nn {args.command} ...")


def build_parser() -> Parser:
    p = Parser(prog="python -m autograd_lite",
               description="Build an expression's graph, backprop through it, draw it.")
    p.add_argument("--version", action="version", version=f"autograd_lite {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_graph_command(sub)
    for name in ("train", "check"):
        nn_command = sub.add_parser(name, add_help=False,
                                    help=f"nn's: run autograd-lite {name} or python -m nn {name}")
        nn_command.add_argument("-h", "--help", action="store_true")  # (it was "unrecognized")
        nn_command.add_argument("rest", nargs=argparse.REMAINDER)
        nn_command.set_defaults(func=_nn_command)
    debug_after_commands(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see expr.run_command)."""
    return run_command(build_parser(), argv, ())


if __name__ == "__main__":
    sys.exit(main())
