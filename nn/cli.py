"""The ``autograd-lite`` command (also ``python -m nn``): graph, train and check.

    autograd-lite graph "(a+b)*(b+1)" a=2 b=3 -o e.svg --explain
    autograd-lite train shallow --plot flower.png
    autograd-lite train regularization --lambd 0.7
    autograd-lite check deep --json
    autograd-lite data add cat train_catvnoncat.h5 test_catvnoncat.h5
    autograd-lite grade examples/learners/deep_wrong.py --strict

``graph`` is the engine's own command (autograd_lite.expr; ``python -m autograd_lite``
serves it alone). ``train`` and ``check`` run the course models of nn.registry: ``train``
calls the model's own train function (logistic.model, shallow.nn_model, ...) on its data
and prints its cost curve; ``check`` compares its hand-derived gradients with the engine's
and with finite differences on random data. Every user error ends in one line on stderr
and a non-zero exit: 2 for a bad command line (an option out of its range included), 1 for
anything found later (a bad expression or file, missing data, a training run whose cost
became NaN). Anything else is a bug, reported as an internal error (exit 1; --debug shows
the traceback).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np

import autograd_lite as al
from autograd_lite.expr import (
    CommandError,
    ExpressionError,
    Parser,
    UsageError,
    add_graph_command,
    debug_after_commands,
    output_path,
    run_command,
)

from . import grading, plot
from .data import COURSE_FILES, DATASETS, DataError, add_data, data_folder
from .grading import VISIBILITIES
from .registry import COURSE_MODELS, CourseModel, graded_functions, random_case
from .training import GRADIENTS, cost_line


class DivergenceError(ValueError):
    """The cost became NaN, or the parameters NaN or inf, during training (exit status 1)."""


# What a user can get wrong after the command line is read; any other exception is a bug.
USER_ERRORS = (ExpressionError, CommandError, DataError, DivergenceError, OSError)

# Ranges of the numeric options: wider than any course setting, narrow enough that a typo
# cannot ask for terabytes (a layer of 99999999999 units) or a run of years.
MAX_ITERATIONS = 1_000_000
MAX_WIDTH = 10_000            # units in one layer (n[l]); n_x comes from the data
MAX_HIDDEN_LAYERS = 100
MAX_PARAMETERS = 10_000_000   # W and b of all layers: 80 MB a copy in float64
MAX_CHECK_SIZE = 1_000        # check's --n-x and --m
MAX_CHECK_PARAMETERS = 100_000  # check runs a forward pass per sampled finite difference
MAX_SEED = 2**32 - 1          # the course's np.random.seed range


def _int_in(lo: int, hi: int):
    """An argparse type: a whole number in [lo, hi], else a usage error saying so."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = None
        if n is None or not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"must be a whole number from {lo:,} to {hi:,}, "
                                             f"got {text!r}")
        return n
    return parse


def _examples(text: str) -> int:
    """--examples, or $GRADER_EXAMPLES (argparse checks a default given as text too)."""
    try:
        return _int_in(0, 10_000)(text)
    except argparse.ArgumentTypeError as err:
        if os.environ.get("GRADER_EXAMPLES") == text:
            raise argparse.ArgumentTypeError(f"{err} (from $GRADER_EXAMPLES)") from None
        raise


def _positive(example: str):
    """An argparse type: a finite number > 0 (nan, inf, 0 and negatives never train, nor
    score); its error shows ``example``."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"must be a positive finite number such as "
                                             f"{example}, got {text!r}")
        return value
    return parse


_learning_rate = _positive("0.0075")


def _seconds(text: str) -> float:
    """An argparse type: a time limit in seconds, finite and >= 0 (0: none)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds such as 10 (0: no "
                                         f"limit), got {text!r}")
    return value


def _option_type(parse):
    """An argparse type from a registry option's parser (whose ValueError says why)."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as err:
            reason = str(err) if str(err).startswith("must") else f"cannot read {text!r}"
            raise argparse.ArgumentTypeError(reason) from None
    return convert


# ---- the parser: its choices come from the registries -----------------------------------------

def build_parser(prog: str = "autograd-lite") -> argparse.ArgumentParser:
    """The ``autograd-lite`` parser: graph, train, check, data and grade."""
    p = Parser(prog=prog, description="Render computation graphs, train the "
               "course's models, check hand-derived gradients.")
    p.add_argument("--version", action="version", version=f"%(prog)s {al.__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_graph_command(sub)
    _add_train(sub)
    _add_check(sub)
    _add_data(sub)
    _add_grade(sub)
    debug_after_commands(p)
    return p


def _models_help() -> str:
    return "; ".join(f"{m.name}: {m.title}" for m in COURSE_MODELS.values())


def _add_train(sub):
    t = sub.add_parser("train", help="train a course model with the course's own function")
    t.add_argument("model", choices=list(COURSE_MODELS), help=_models_help())
    names = ", ".join(f"{k}:DIR" if s.env else k for k, s in DATASETS.items())
    t.add_argument("--data", help=f"one of {names} (default: the model's own data; DIR may "
                   "be left out when its environment variable is set)")
    t.add_argument("--layers", help=f"hidden sizes such as 20,7,5 (or the full n_x,...,1 "
                   f"list): each 1 to {MAX_WIDTH:,}, at most {MAX_HIDDEN_LAYERS} hidden layers "
                   f"and {MAX_PARAMETERS:,} parameters in all")
    t.add_argument("--learning-rate", type=_learning_rate,
                   help="a positive finite number; a run whose cost becomes NaN stops with an "
                        "error (exit 1)")
    t.add_argument("--iterations", type=_int_in(1, MAX_ITERATIONS),
                   help=f"1 to {MAX_ITERATIONS:,} (epochs, for a model on mini-batches)")
    t.add_argument("--seed", type=_int_in(0, MAX_SEED), help=f"0 to {MAX_SEED:,}")
    t.add_argument("--gradients", choices=GRADIENTS, help="hand (the default) or engine")
    t.add_argument("--compile", action="store_true",
                   help="the engine's gradients, replayed by al.compile (the same numbers, "
                        "faster; implies --gradients engine)")
    t.add_argument("--plot", metavar="FILE.png", type=output_path,
                   help="learning curve (and decision boundary)")
    t.add_argument("--save", metavar="FILE.npz", type=output_path,
                   help="save the trained parameters")
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_model_options(t, gradients_only=False)
    t.set_defaults(func=train)


def _add_check(sub):
    c = sub.add_parser("check", help="hand-derived gradients vs the engine and finite "
                                     "differences, on random data")
    c.add_argument("model", choices=list(COURSE_MODELS), help=_models_help())
    c.add_argument("--layers", help=f"hidden sizes (default: the model's), at most "
                   f"{MAX_CHECK_PARAMETERS:,} parameters in all")
    c.add_argument("--n-x", type=_int_in(1, MAX_CHECK_SIZE), default=3,
                   help=f"features of the random data, 1 to {MAX_CHECK_SIZE:,}")
    c.add_argument("--m", type=_int_in(1, MAX_CHECK_SIZE), default=5,
                   help=f"examples of the random data, 1 to {MAX_CHECK_SIZE:,}")
    c.add_argument("--seed", type=_int_in(0, MAX_SEED), default=0, help=f"0 to {MAX_SEED:,}")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_model_options(c, gradients_only=True)
    c.set_defaults(func=check)


def _add_data(sub):
    d = sub.add_parser("data", help="the course's data files in your data folder")
    actions = d.add_subparsers(dest="action", required=True, parser_class=Parser)
    add = actions.add_parser("add", help="check the course's files (sha256) and copy them "
                             "into your data folder")
    add.add_argument("name", choices=list(COURSE_FILES), help="cat: train_catvnoncat.h5 and "
                     "test_catvnoncat.h5 (Course 1, weeks 2 and 4); football: data.mat "
                     "(Course 2, Regularization)")
    add.add_argument("paths", nargs="+", metavar="PATH", help="the files, or a folder that "
                     "holds them")
    add.set_defaults(func=data_add)
    where = actions.add_parser("where", help="print the data folder and what it holds")
    where.set_defaults(func=data_where)


def _add_grade(sub):
    g = sub.add_parser("grade", help="grade a learner's backprop file, writing Gradescope's "
                       "results.json")
    g.add_argument("learner", metavar="LEARNER.py", help="a file defining the graded function "
                   "of a course model: " + ", ".join(graded_functions()))
    g.add_argument("--model", choices=list(COURSE_MODELS), help="the course model whose "
                   "function the file defines (default: the one it defines; of two, the "
                   "longer name)")
    g.add_argument("--function", choices=graded_functions(), help="the graded function, for a "
                   "file that defines more than one (default: the longest name)")
    g.add_argument("-o", "--output", "--json", dest="output", default="results.json",
                   type=os.path.expanduser, metavar="FILE.json", help="where to write the results "
                   "(default results.json; on Gradescope /autograder/results/results.json)")
    g.add_argument("--examples", type=_examples,
                   default=os.environ.get("GRADER_EXAMPLES", "100"),  # (checked as given)
                   help="random cases to try (default 100, or $GRADER_EXAMPLES; 0: the fixed "
                        "cases alone, a quick check)")
    g.add_argument("--points", type=_positive("100"), default=100.0,
                   help="the total score, shared equally by the gradient keys (default 100)")
    g.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                   help="Gradescope's visibility of the results (default visible)")
    g.add_argument("--diagrams", default="grader_out", metavar="DIR",
                   help="where the smallest failing case's diagram goes (default grader_out)")
    g.add_argument("--time-limit", type=_seconds, default=grading.TIME_LIMIT, metavar="SECONDS",
                   help="how long one call of the learner's code may run before it scores 0 "
                   f"(default {grading.TIME_LIMIT:g}; 0: no limit)")
    g.add_argument("--total-time-limit", type=_seconds, default=grading.TOTAL_TIME_LIMIT,
                   metavar="SECONDS", help="how long all its calls together may run before it "
                   f"scores 0 (default {grading.TOTAL_TIME_LIMIT:g}; 0: no limit)")
    g.add_argument("--strict", action="store_true",
                   help="exit 1 unless the score is full (for CI)")
    g.set_defaults(func=grade)


def _add_model_options(parser, gradients_only: bool):
    """Each registry model's own options, once, in a group that names the models taking it."""
    owners: dict[str, list[str]] = {}
    declared = {}
    for model in COURSE_MODELS.values():
        for o in model.options:
            if o.gradients or not gradients_only:
                owners.setdefault(o.name, []).append(model.name)
                declared.setdefault(o.name, o)
    group = parser.add_argument_group("the models' own options")
    for name, o in declared.items():
        group.add_argument("--" + name.replace("_", "-"), dest=name, default=None,
                           type=_option_type(o.parse), choices=o.choices,
                           help=f"{', '.join(owners[name])}: {o.help} (default {o.default})")


def _given_options(args, model: CourseModel, gradients_only: bool = False) -> dict:
    """The model's options given on the command line; a usage error for another's (check
    takes only those that change the gradients: it listed train's, and refused them)."""
    own = {o.name for o in model.options if o.gradients or not gradients_only}
    given = {k: v for k, v in vars(args).items() if k in _ALL_OPTIONS and v is not None}
    foreign = sorted(set(given) - own)
    if foreign:
        takes = ", ".join("--" + o.replace("_", "-") for o in sorted(own)) or "none"
        raise UsageError(f"--{foreign[0].replace('_', '-')} is not an option of "
                         f"{model.name}{' for check' * gradients_only} (its options: {takes})")
    return given


_ALL_OPTIONS = {o.name for m in COURSE_MODELS.values() for o in m.options}


def _validate(model: CourseModel, given: dict) -> dict:
    """All of the model's option values (defaults, then ``given``), checked by the model
    (a usage error for a combination it refuses, such as L2 with dropout)."""
    options = model.option_values(given)
    try:
        model.validate(options, set(given))
    except ValueError as err:
        raise UsageError(str(err)) from None
    return options


def main(argv=None, prog: str = "autograd-lite") -> int:
    """Run the command line; returns the exit status."""
    return run_command(build_parser(prog), argv, USER_ERRORS)


# ---- data and layers ------------------------------------------------------------------------

def _load_data(spec: str | None, model: CourseModel):
    """(name, nn.data.Dataset) for --data NAME[:DIR], or the model's own data."""
    name, _, directory = (spec or model.data).partition(":")
    source = DATASETS.get(name)
    if source is None:
        names = ", ".join(f"{k}:DIR" if s.env else k for k, s in DATASETS.items())
        raise UsageError(f"--data must be one of {names}, got {spec!r}")
    if directory and source.env is None:
        raise UsageError(f"--data {name} is generated: it takes no directory")
    if not directory and source.env and not os.environ.get(source.env) and not _added(name):
        first = (f"{model.name} trains on {source.title}" if spec is None
                 else f"--data {name} needs its files")
        raise CommandError(f"{first}: give --data {name}:DIR (the folder that holds them), "
                           f"set {source.env}, or add them once with `autograd-lite data add "
                           f"{name} PATH...`; --data flower needs no download")
    try:
        return name, source.load(directory or None)
    except ImportError as err:  # an extra that is not installed (scipy, for football)
        raise CommandError(str(err)) from None


def _added(name: str) -> bool:
    """Whether ``data add`` has put every one of data set ``name``'s files in place."""
    folder = data_folder(name)
    return all(os.path.isfile(os.path.join(folder, f)) for f in COURSE_FILES.get(name, ()))


def _hidden_sizes(text: str | None) -> list[int] | None:
    """The sizes in --layers "20,7,5" (or a full "n_x,20,7,5,1" list), each 1 to MAX_WIDTH;
    None when --layers is not given. Read before any data is loaded."""
    if text is None:
        return None
    parts = re.split(r"\s*,\s*|\s+", text.strip())  # 20,7,5 or "20, 7, 5" or "20 7 5"
    try:  # (spaces were deleted: "20 7 5" read as 2075; and empty sizes were skipped)
        sizes = [int(s) for s in parts]
    except ValueError:
        raise UsageError(f"--layers must be integers separated by commas, such as 20,7,5, got "
                         f"{text!r}") from None
    full = len(sizes) >= 2 and sizes[-1] == 1  # maybe n_x,...,1: n_x is the data's, any size
    if any(not 1 <= n <= MAX_WIDTH for n in sizes[full:]) or sizes and sizes[0] < 1:
        raise UsageError(f"--layers sizes must be positive integers from 1 to {MAX_WIDTH:,} "
                         f"(the first of a full n_x,...,1 list is n_x), got {text!r}")
    hidden = len(sizes) - 2 if full else len(sizes)
    if hidden > MAX_HIDDEN_LAYERS:  # even read as a full list
        raise UsageError(f"--layers allows at most {MAX_HIDDEN_LAYERS} hidden layers, got "
                         f"{len(sizes)}")
    return sizes


_COUNTS = {1: "one", 2: "two", 3: "three"}


def _layer_dims(sizes, model: CourseModel, n_x: int, max_parameters=MAX_PARAMETERS) -> list:
    """[n_x, n[1], ..., 1] from _hidden_sizes (the model's own when None); a usage error
    for what the model cannot take."""
    sizes = list(model.layers) if sizes is None else sizes
    full = len(sizes) >= 2 and sizes[0] == n_x and sizes[-1] == 1
    if full:
        sizes = sizes[1:-1]
    if any(n > MAX_WIDTH for n in sizes):  # a full list whose first is not this data's n_x
        raise UsageError(f"--layers: hidden layers of 1 to {MAX_WIDTH:,} units, got "
                         f"{','.join(map(str, sizes))}; a full list starts with this data's "
                         f"n_x = {n_x}")
    lo, hi = model.hidden_layers
    fits = range(lo, min(hi, MAX_HIDDEN_LAYERS) + 1)
    if not full and len(sizes) >= 2 and sizes[-1] == 1 and {len(sizes), len(sizes) - 1} <= set(
            fits):  # the course's layers_dims less n_x, or a last hidden layer of one unit?
        shown, hidden = ",".join(map(str, sizes)), ",".join(map(str, sizes[:-1]))
        alone = f"the hidden sizes alone, --layers {hidden}, or " if sizes[-2] != 1 else ""
        raise UsageError(f"--layers {shown} ends in a hidden layer of one unit before the output "
                         f"unit ({n_x},{shown},1): give {alone}the full list that starts with "
                         f"this data's n_x = {n_x}, --layers {n_x},{hidden},1 (--layers "
                         f"{n_x},{shown},1 if one unit is meant)")
    if lo == hi == 0 and sizes:
        raise UsageError(f"{model.name} has no hidden layer; drop --layers")
    if lo == hi and len(sizes) != lo:
        raise UsageError(f"{model.name} has exactly {_COUNTS.get(lo, lo)} hidden layer"
                         f"{'s' if lo > 1 else ''}, e.g. --layers "
                         f"{','.join(map(str, model.layers))}")
    if len(sizes) > min(hi, MAX_HIDDEN_LAYERS):
        raise UsageError(f"--layers allows at most {min(hi, MAX_HIDDEN_LAYERS)} hidden layers, "
                         f"got {len(sizes)}")
    dims = model.layer_dims(n_x, sizes)
    count = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))  # W[l] and b[l]
    if count > max_parameters:
        shown = ",".join(map(str, sizes))
        raise UsageError(f"--layers {shown} makes {count:,} parameters with n_x = {n_x}; at "
                         f"most {max_parameters:,} are allowed: use smaller layers")
    return dims


# ---- train ----------------------------------------------------------------------------------

def train(args) -> int:
    """The ``train`` command: the model's own train function, its cost curve, accuracy."""
    model = COURSE_MODELS[args.model]
    options = _given_options(args, model)
    if args.seed is not None and model.seed is None:
        raise UsageError(f"{model.name} starts from zeros: it draws nothing, so it takes no "
                         "--seed")
    zeros = [f"--{k} zeros" for k in ("init", "initialization") if options.get(k) == "zeros"]
    if args.seed is not None and zeros:  # (deep and initialization draw nothing else)
        raise UsageError(f"{model.name} with {zeros[0]} draws nothing, so --seed would change "
                         "nothing; leave it out, or start from random weights")
    _validate(model, options)
    if args.plot:
        _check_plot_file(args.plot)
    sizes = _hidden_sizes(args.layers)
    name, data = _load_data(args.data, model)
    common = {k: v for k, v in (("learning_rate", args.learning_rate),
                                ("iterations", args.iterations), ("seed", args.seed))
              if v is not None}
    if args.compile and args.gradients == "hand":  # (it trained on the engine's, unsaid)
        raise UsageError("--compile replays the engine's gradients: give --gradients engine, "
                         "or leave --compile out for the hand-derived ones")
    gradients = "engine" if args.compile else args.gradients or "hand"
    run = model.run(_layer_dims(sizes, model, data.train_X.shape[0]), **common,
                    **options, gradients=gradients, progress=not args.no_progress,
                    compile=args.compile)
    print(f"training {model.name} {run.layer_dims} on {name} (m = {data.train_X.shape[1]}): "
          f"{run.iterations} {model.unit}s, learning rate {run.learning_rate:g}, "
          f"{run.gradients} gradients{' (compiled)' if run.compile else ''}"
          + "".join(f", {k} {v}" for k, v in options.items()))
    parameters, history = train_watched(model, data, run)
    _report(model, parameters, data, history, run.options)
    if args.save:  # with its cost curve, as Model.fit records it (it was saved without)
        saved = model.to_model(parameters, run.options)
        last = history[-1][0] if history else None
        saved.costs = [float(c) for i, c in history if i % 100 == 0 or i == last]
        print(f"saved: {saved.save(args.save)}")
    if args.plot:
        written = plot_training(history, model, parameters, data, args.plot, run.learning_rate,
                                run.options)
        print(f"plot: {written}")
    return 0


def train_watched(model: CourseModel, data, run):
    """(parameters, history): ``model.train`` with the course's cost curve printed as it
    goes (every ``model.print_every``), stopping with DivergenceError at the first NaN cost
    or if the parameters end NaN or inf. history: [(iteration, cost)] for every iteration.

    An infinite cost alone does not stop it: the course's own runs print inf where the
    sigmoid saturates (Course 2's "random" initialization) and still learn."""
    history = []
    write = print
    if run.progress:
        from tqdm.auto import tqdm

        write = tqdm.write  # a line above the progress bar

    def watch(i, cost):
        cost = float(cost)
        if math.isnan(cost):
            raise DivergenceError(f"the cost became {cost} at {model.unit} {i} (learning rate "
                                  f"{run.learning_rate:g}): training diverged; lower "
                                  "--learning-rate")
        history.append((i, cost))
        if i % model.print_every == 0:  # the course's "%i: %f" (and its other lines)
            write(model.progress_line(i, cost, run) if model.progress_line
                  else cost_line(i, cost, unit=model.unit))

    run.callback = watch
    with np.errstate(all="ignore"):  # overflow on the way to a NaN is reported once, above
        parameters, _ = model.train(data, run)
    if not all(np.isfinite(p).all() for p in parameters.values()):
        raise DivergenceError(f"the parameters became NaN or inf in the last update "
                              f"(learning rate {run.learning_rate:g}): lower --learning-rate")
    return parameters, history


def _report(model: CourseModel, parameters, data, history, options):
    first, last = history[0][1], history[-1][1]
    print(f"final cost: {last:.6f}")
    middle = [c for _, c in history[len(history) // 3:2 * len(history) // 3]]
    if last > first and (last > max(middle, default=first) or last > 2 * first):  # still
        # rising at the end, or far above the start: the course's cat run zigzags up for its
        # first iterations (10 of them ended at 0.877, above 0.693, and said so)
        print(f"note: the cost rose from {first:.6f}; the learning rate may be too high")
    for split, X, Y in (("train", data.train_X, data.train_Y), ("test", data.test_X,
                                                               data.test_Y)):
        if X is not None:
            print(f"{split} accuracy: {model.accuracy(parameters, X, Y, options):.2f} %")


def _check_plot_file(path: str) -> None:
    """--plot's needs, checked before training: matplotlib, and a suffix it writes."""
    try:
        import matplotlib  # noqa: F401  (first: matplotlib.figure may be loaded already)
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'autograd-lite[plot]'") from None
    kinds = Figure().canvas.get_supported_filetypes()
    if Path(path).suffix.lower().lstrip(".") not in kinds:
        raise UsageError(f"--plot {path}: the figure is written in the format its suffix names; "
                         f"use one of {' '.join('.' + k for k in sorted(kinds))}")


def plot_training(history, model: CourseModel, parameters, data, path, learning_rate=None,
                  options=None):
    """The course's figures of the run (nn.plot): the cost curve from history [(iteration,
    cost)] at the model's cadence, and the decision boundary when the data is 2-D (X (2,
    m)); writes ``path`` and returns it."""
    from matplotlib.figure import Figure

    two_d = data.train_X.shape[0] == 2
    fig = Figure(figsize=(11 if two_d else 6, 4.5))
    axes = np.atleast_1d(fig.subplots(1, 2 if two_d else 1))
    costs = [c for i, c in history if i % 100 == 0]  # the course's list: every 100
    plot.plot_costs(costs, learning_rate, 100, model.unit, ax=axes[0])
    if two_d:
        plot.plot_decision_boundary(lambda grid: model.predictions(parameters, grid, options),
                                    data.train_X, data.train_Y, "decision boundary",
                                    ax=axes[1])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


# ---- grade ----------------------------------------------------------------------------------

def grade(args) -> int:
    """The ``grade`` command: results.json in Gradescope's format; the score printed."""
    # absolute before the learner's code runs: an os.chdir at its top level moved -o
    output = os.path.abspath(os.path.expanduser(args.output))
    diagrams = os.path.abspath(os.path.expanduser(args.diagrams))
    folder = os.path.dirname(output)
    if os.path.dirname(args.output) and folder == diagrams:
        os.makedirs(folder, exist_ok=True)  # -o grader_out/results.json: its diagrams' folder
    try:
        output_path(args.output)  # (checked here, not by argparse: it needs --diagrams)
    except argparse.ArgumentTypeError as err:
        raise UsageError(f"argument -o/--output/--json: {err}") from None
    _check_folder(diagrams, "--diagrams")

    def stuck(results):  # (from the watchdog: the learner's code will not stop; exit here)
        _write_results(results, output)
        sys.stdout.flush()
        os._exit(1 if args.strict else 0)

    # A 0 stands until the grade replaces it: code that ends the process (os._exit, a
    # signal) or breaks the grader leaves that and its reason, not an autograder error
    _write_json(grading.unfinished(args.learner, args.points, args.visibility), output)
    hooks = _atexit_hooks()
    try:
        results = grading.grade(args.learner, args.model, args.examples, diagrams,
                                args.points, args.visibility, args.time_limit or None,
                                args.function, on_stuck=stuck,
                                total_time_limit=args.total_time_limit or None)
    except KeyboardInterrupt:  # (stop, as asked; the 0 says why)
        _write_results(grading.interrupted(args.learner, args.points, args.visibility), output)
        raise
    except grading.GraderError:  # no score for Gradescope to record: the grader's own bug
        _WRITTEN.pop(output, None)  # must not cost the learner a 0 (the status says it)
        with contextlib.suppress(FileNotFoundError):
            os.remove(output)
        raise
    _write_results(results, output)
    if hooks is not None and _atexit_hooks() == hooks:  # no hook of the learner's to undo:
        _WRITTEN.pop(output, None)  # a caller's own later changes to the file stand
    full = results["score"] >= sum(t["max_score"] for t in results["tests"]) - 1e-9
    missing = not os.path.isfile(args.learner)  # a typo: the 0 is written, and the status says
    return 1 if missing or args.strict and not full else 0


def _check_folder(path: str, option: str) -> None:
    """A usage error unless ``path`` is a folder, or one can be made there (a wrong learner's
    diagram went there after the whole grade, and the grade was lost)."""
    existing = path
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
        what = "is a file" if existing == path else f"is below {existing}, which " + (
            "is a file" if not os.path.isdir(existing) else "cannot be written")
        raise UsageError(f"argument {option}: {path} {what}; give a folder that exists or "
                         "can be made")


def _write_results(results: dict, path: str) -> None:
    _write_json(results, path)
    grading.print_summary(results)
    print(f"results: {path}")


# json.dumps and open as they were when this module was imported, before any learner's
# code: a learner's file that wrapped json.dump at its top level wrote a score of 100
_dumps, _open = json.dumps, open
_WRITTEN: dict[str, str] = {}  # path -> the results text written there last


def _write_json(results: dict, path: str) -> None:
    text = _dumps(results, indent=2)
    with _open(path, "w") as fh:
        fh.write(text)
    _WRITTEN[path] = text


def _atexit_hooks() -> int | None:
    """How many atexit hooks are registered (CPython tells; None elsewhere). logging, which
    drawing a counterexample imports, registers one: it is imported first, so that its hook
    is not taken for the learner's."""
    import logging  # noqa: F401

    count = getattr(atexit, "_ncallbacks", None)
    return None if count is None else count()


@atexit.register  # (registered on import, before any learner's: so it runs after theirs)
def _restore_written() -> None:
    """At exit, put back any results file changed since it was written: a learner's atexit
    hook that rewrote results.json after the grade gave itself 100."""
    for path, text in _WRITTEN.items():
        try:
            with _open(path) as fh:
                same = fh.read() == text
            if not same:
                with _open(path, "w") as fh:
                    fh.write(text)
        except OSError:  # (gone with its folder: nothing to restore)
            pass


# ---- data -----------------------------------------------------------------------------------

def data_add(args) -> int:
    """The ``data add`` command: verify the files' sha256 and copy them to the data folder."""
    for path in add_data(args.name, args.paths):
        print(f"added: {path}")
    missing = [f for f in COURSE_FILES[args.name]
               if not os.path.isfile(os.path.join(data_folder(args.name), f))]
    if missing:
        print(f"still missing: {', '.join(missing)} (add it the same way)")
    return 0


def data_where(args) -> int:
    """The ``data where`` command: where each course file is looked for, in order (its
    environment variable, then the data folder), and whether it is there."""
    chosen = ("(from AUTOGRAD_LITE_DATA_DIR)" if os.environ.get("AUTOGRAD_LITE_DATA_DIR")
              else "(set AUTOGRAD_LITE_DATA_DIR to use another)")
    print(f"data folder: {data_folder()} {chosen}")
    for name, files in COURSE_FILES.items():
        env = DATASETS[name].env
        folder = os.environ.get(env) if env else None
        if folder:  # read first, as training does: the data folder is not looked at then
            gone = "" if os.path.isdir(folder) else " (no such folder)"
            print(f"  {name}: ${env} = {folder}{gone}, read instead of the data folder")
        for f in files:
            path = os.path.join(folder or data_folder(name), f)
            state = ("missing" if not os.path.isfile(path) else
                     "empty (the loader will refuse it)" if os.path.getsize(path) == 0
                     else "present")
            print(f"  {name}: {f}: {state}")
    return 0


# ---- check ----------------------------------------------------------------------------------

def check(args) -> int:
    """The ``check`` command: the model's hand-derived gradients against the engine and
    finite differences, on random data (X (n_x, m), Y (1, m), parameters)."""
    model = COURSE_MODELS[args.model]
    options = model.gradient_options(_validate(model, _given_options(args, model, True)))
    dims = _layer_dims(_hidden_sizes(args.layers), model, args.n_x, MAX_CHECK_PARAMETERS)
    X, Y, parameters = random_case(model, dims, args.m, args.seed)
    hand = model.hand(parameters, X, Y, **options)
    report = al.check_gradients(lambda P: model.engine(P, X, Y, **options), parameters, hand)
    if not args.json:  # the JSON stays one document
        settings = "".join(f", {k} {v}" for k, v in options.items())
        print(f"check {model.name}: {model.reference.__module__}.{model.learner} (hand-derived) "
              f"vs the engine's backward() and central differences; layer_dims {dims}"
              f"{settings}, random X ({args.n_x}, {args.m}), Y (1, {args.m}), seed {args.seed}")
    print(report.to_json(indent=2) if args.json else report)
    return 0 if report.passed else 1


if __name__ == "__main__":  # python -m nn.cli, as python -m nn
    raise SystemExit(main())
