"""The ``autograd-lite`` command (also ``python -m autograd_lite``).

    autograd-lite graph "(a+b)*(b+1)" a=2 b=3 -o e.svg --explain
    autograd-lite train shallow --plot flower.png
    autograd-lite check deep --json

It lives in ``nn`` because it drives both packages (nn imports autograd_lite, never the
reverse). Every user error ends in one line on stderr and a non-zero exit: 2 for a bad
command line (an option out of its range included), 1 for anything found later (a bad
expression or file, a training run whose cost became NaN or inf).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

import autograd_lite as al
from autograd_lite.diagram import RenderError
from autograd_lite.expr import ExpressionError, evaluate, parse_value

from .checks import ShapeError
from .data import DataError, load_catvnoncat, planar_flower
from .model import Model, ModelFileError

USER_ERRORS = (ExpressionError, ShapeError, DataError, ModelFileError, RenderError, OSError,
               ValueError, TypeError, KeyError)

DEFAULTS = {  # the course's settings for each model
    "logistic": {"learning_rate": 0.005, "iterations": 2000, "layers": "", "seed": 0,
                 "init": "zeros", "hidden": "relu"},
    "shallow": {"learning_rate": 1.2, "iterations": 10000, "layers": "4", "seed": 2,
                "init": "small_random", "hidden": "tanh"},
    "deep": {"learning_rate": 0.0075, "iterations": 2500, "layers": "20,7,5", "seed": 1,
             "init": "lecun", "hidden": "relu"},
}


# Ranges of the numeric options: wider than any course setting, narrow enough that a typo
# cannot ask for terabytes (a layer of 99999999999 units) or a run of years.
MAX_ITERATIONS = 1_000_000
MAX_WIDTH = 10_000            # units in one layer (n[l]); n_x comes from the data
MAX_HIDDEN_LAYERS = 100
MAX_PARAMETERS = 10_000_000   # W and b of all layers: 80 MB a copy in float64
MAX_CHECK_SIZE = 1_000        # check's --n-x and --m
MAX_CHECK_PARAMETERS = 100_000  # check runs a forward pass per sampled finite difference
MAX_SEED = 2**32 - 1          # the course's np.random.seed range
RECORD_EVERY = 100            # the cost is kept every 100 iterations, as the course prints it


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class DivergenceError(ValueError):
    """The cost became NaN or inf during training (exit status 1)."""


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


def _learning_rate(text: str) -> float:
    """An argparse type: a finite number > 0 (nan, inf, 0 and negatives never train)."""
    try:
        lr = float(text)
    except ValueError:
        lr = math.nan
    if not (math.isfinite(lr) and lr > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number such as 0.0075, "
                                         f"got {text!r}")
    return lr


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="autograd-lite", description="Render computation graphs, train the "
                "course's models, check hand-derived gradients.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    g = sub.add_parser("graph", help="build an expression's graph, backprop, draw it")
    g.add_argument("expression", help='e.g. "(a+b)*(b+1)"; numbers are float64, so 1/0 is '
                   'inf and 0/0 is nan, as in numpy')
    g.add_argument("values", nargs="*", metavar="name=value",
                   help="input values: numbers or lists such as x=[1,2,3]")
    g.add_argument("-o", "--output", help="diagram file: .svg, .png or .dot")
    g.add_argument("--explain", action="store_true", help="print the backward pass as a table")
    g.add_argument("--rankdir", default="LR", choices=["LR", "TB"])

    t = sub.add_parser("train", help="train a course model (flower data by default)")
    t.add_argument("model", choices=sorted(DEFAULTS))
    t.add_argument("--data", default="flower", help="flower, or cat:DIR (the course's h5 files)")
    t.add_argument("--layers", help=f"hidden sizes such as 20,7,5 (or the full n_x,...,1 "
                   f"list): each 1 to {MAX_WIDTH:,}, at most {MAX_HIDDEN_LAYERS} hidden layers "
                   f"and {MAX_PARAMETERS:,} parameters in all")
    t.add_argument("--learning-rate", type=_learning_rate,
                   help="a positive finite number; a run whose cost becomes NaN or inf stops "
                        "with an error (exit 1)")
    t.add_argument("--iterations", type=_int_in(1, MAX_ITERATIONS),
                   help=f"1 to {MAX_ITERATIONS:,}")
    t.add_argument("--seed", type=_int_in(0, MAX_SEED), help=f"0 to {MAX_SEED:,}")
    t.add_argument("--init", choices=["zeros", "small_random", "he", "xavier", "lecun"])
    t.add_argument("--hidden", choices=["relu", "tanh", "sigmoid", "leaky_relu"])
    t.add_argument("--gradients", choices=["hand", "engine"], default="hand")
    t.add_argument("--plot", metavar="FILE.png", help="learning curve (and decision boundary)")
    t.add_argument("--save", metavar="FILE.npz", help="save the trained parameters")
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    c = sub.add_parser("check", help="hand-derived gradients vs the engine and finite "
                                     "differences, on random data")
    c.add_argument("model", choices=sorted(DEFAULTS))
    c.add_argument("--layers", help=f"hidden sizes (default: the model's), at most "
                   f"{MAX_CHECK_PARAMETERS:,} parameters in all")
    c.add_argument("--n-x", type=_int_in(1, MAX_CHECK_SIZE), default=3,
                   help=f"features of the random data, 1 to {MAX_CHECK_SIZE:,}")
    c.add_argument("--m", type=_int_in(1, MAX_CHECK_SIZE), default=5,
                   help=f"examples of the random data, 1 to {MAX_CHECK_SIZE:,}")
    c.add_argument("--seed", type=_int_in(0, MAX_SEED), default=0, help=f"0 to {MAX_SEED:,}")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


# ---- graph ------------------------------------------------------------------------------

def cmd_graph(args) -> int:
    variables = {}
    for item in args.values:
        name, sep, text = item.partition("=")
        if not sep:
            raise UsageError(f"expected name=value, got {item!r}")
        variables[name.strip()] = al.Tensor(parse_value(text), requires_grad=True,
                                            name=name.strip())
    out = evaluate(args.expression, variables)
    out.name = "out"
    if not out.requires_grad:
        raise ExpressionError("the expression does not depend on any input; give names values")
    if out.size != 1:
        print(f"out has shape {out.shape}; backprop of its sum")
    print(f"out = {_show(out.data)}")
    with np.errstate(all="ignore"):  # inf and nan are printed as values, as numpy gives them
        if args.explain:
            print(al.explain(out if out.size == 1 else al.sum(out)))
        out.backward(np.ones(out.shape), retain_graph=True, retain_grads=True)
    for name, t in variables.items():
        print(f"d out / d {name} = {_show(0.0 if t.grad is None else t.grad)}")
    if args.output:
        diagram = al.draw(out, rankdir=args.rankdir)
        try:
            print(f"diagram: {diagram.render_to(args.output)}")
        except RenderError:
            dot = os.path.splitext(args.output)[0] + ".dot"
            diagram.render_to(dot)
            print(f"(the DOT text was written to {dot})", file=sys.stderr)
            raise
    return 0


def _show(a) -> str:
    a = np.asarray(a)
    return f"{float(a):g}" if a.ndim == 0 else np.array2string(a, precision=6, separator=", ")


# ---- train ------------------------------------------------------------------------------

def _data(spec: str):
    if spec == "flower":
        X, Y = planar_flower()
        return X, Y, None, None
    if spec.startswith("cat:"):
        d = load_catvnoncat(spec[4:])
        return d.train_X, d.train_Y, d.test_X, d.test_Y
    raise UsageError(f"--data must be 'flower' or 'cat:DIR', got {spec!r}")


def _layer_dims(text: str, n_x: int, max_parameters: int = MAX_PARAMETERS) -> list[int]:
    """[n_x, n[1], ..., 1] from "20,7,5" (hidden sizes) or the full "n_x,20,7,5,1" list."""
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",") if s] if text else []
    except ValueError:
        raise UsageError(f"--layers must be integers separated by commas, got {text!r}") from None
    if len(sizes) >= 2 and sizes[0] == n_x and sizes[-1] == 1:
        sizes = sizes[1:-1]
    if any(not 1 <= n <= MAX_WIDTH for n in sizes):
        raise UsageError(f"--layers sizes must be positive integers from 1 to {MAX_WIDTH:,}, "
                         f"got {text!r}")
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise UsageError(f"--layers allows at most {MAX_HIDDEN_LAYERS} hidden layers, got "
                         f"{len(sizes)}")
    dims = [n_x, *sizes, 1]
    count = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))  # W[l] and b[l]
    if count > max_parameters:
        raise UsageError(f"--layers {text} makes {count:,} parameters with n_x = {n_x}; at most "
                         f"{max_parameters:,} are allowed: use smaller layers")
    return dims


def cmd_train(args) -> int:
    d = DEFAULTS[args.model]
    X, Y, X_test, Y_test = _data(args.data)
    layers = _layer_dims(args.layers if args.layers is not None else d["layers"], X.shape[0])
    if args.model == "logistic" and len(layers) != 2:
        raise UsageError("logistic regression has no hidden layer; drop --layers")
    if args.model == "shallow" and len(layers) != 3:
        raise UsageError("the shallow model has exactly one hidden layer, e.g. --layers 4")
    if args.plot:
        _need_matplotlib()
    model = Model(layers, hidden=args.hidden or d["hidden"], init=args.init or d["init"],
                  seed=d["seed"] if args.seed is None else args.seed)
    lr = d["learning_rate"] if args.learning_rate is None else args.learning_rate
    iterations = d["iterations"] if args.iterations is None else args.iterations
    print(f"training {args.model} {layers} on {args.data.split(':')[0]} "
          f"(m = {X.shape[1]}): {iterations} iterations, learning rate {lr:g}, "
          f"{args.gradients} gradients")
    costs = fit_checked(model, X, Y, lr, iterations, args.gradients, not args.no_progress)
    print(f"final cost: {costs[-1]:.6f}")
    if costs[-1] > costs[0]:
        print(f"note: the cost rose from {costs[0]:.6f}; the learning rate may be too high")
    print(f"train accuracy: {100 * model.accuracy(X, Y):.2f} %")
    if X_test is not None:
        print(f"test accuracy: {100 * model.accuracy(X_test, Y_test):.2f} %")
    if args.save:
        print(f"saved: {model.save(args.save)}")
    if args.plot:
        print(f"plot: {plot_training(model, costs, iterations, X, Y, args.plot)}")
    return 0


def fit_checked(model: Model, X, Y, learning_rate: float, iterations: int, gradients: str,
                progress: bool) -> list[float]:
    """``model.fit``, stopping with DivergenceError at the first NaN or inf cost.

    X is (n_x, m), Y is (1, m). Returns the cost every 100 iterations and the last, as fit
    does. Trains in blocks of 100 iterations so that a diverged run stops early.
    """
    if iterations < 1:
        raise ValueError(f"fit_checked: iterations must be at least 1, got {iterations}")
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=iterations, desc="fit", unit="it", leave=False, disable=None)
    costs: list[float] = []
    try:
        # overflow on the way to a NaN cost is reported below, once, not as numpy warnings
        with np.errstate(all="ignore"):
            for start in range(0, iterations, RECORD_EVERY):
                block = model.fit(X, Y, learning_rate, min(RECORD_EVERY, iterations - start),
                                  gradients=gradients, progress=False, record_every=1)
                for i, cost in enumerate(block):
                    if not math.isfinite(cost):
                        raise DivergenceError(
                            f"the cost became {cost} at iteration {start + i} (learning rate "
                            f"{learning_rate:g}): training diverged; lower --learning-rate")
                costs.append(block[0])
                if bar is not None:
                    bar.update(len(block))
    finally:
        if bar is not None:
            bar.close()
    if (iterations - 1) % RECORD_EVERY:
        costs.append(block[-1])
    if not all(np.isfinite(p).all() for p in model.parameters.values()):
        raise DivergenceError(f"the parameters became NaN or inf in the last update "
                               f"(learning rate {learning_rate:g}): lower --learning-rate")
    model.costs[-iterations:] = costs  # keep fit's history: every 100th cost, not every one
    return costs


def _need_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'autograd-lite[plot]'") from None


def plot_training(model, costs, iterations, X, Y, path):
    """Learning curve, and the decision boundary when the data is 2-D."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    two_d = X.shape[0] == 2
    fig, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    axes = np.atleast_1d(axes)
    steps = [i for i in range(iterations) if i % 100 == 0 or i == iterations - 1]
    axes[0].plot(steps, costs)
    axes[0].set(xlabel="iteration", ylabel="cost J", title="learning curve")
    if two_d:
        lo, hi = X.min(axis=1) - 1, X.max(axis=1) + 1
        xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
        grid = np.c_[xx.ravel(), yy.ravel()].T  # (2, 90000)
        zz = model.predict(grid).reshape(xx.shape)
        axes[1].contourf(xx, yy, zz, cmap=plt.cm.Spectral, alpha=0.6)
        axes[1].scatter(X[0], X[1], c=Y.ravel(), s=12, cmap=plt.cm.Spectral, edgecolors="k",
                        linewidths=0.3)
        axes[1].set(title="decision boundary", xlabel="x1", ylabel="x2")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ---- check ------------------------------------------------------------------------------

def cmd_check(args) -> int:
    from . import deep, logistic, shallow
    from .init import initialize

    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.n_x, args.m))
    Y = (rng.random((1, args.m)) > 0.5).astype(float)
    d = DEFAULTS[args.model]
    if args.model == "logistic":
        params = {"w": rng.standard_normal((args.n_x, 1)), "b": rng.standard_normal((1, 1))}
        grads, _ = logistic.propagate(params["w"], float(params["b"][0, 0]), X, Y)
        hand = {"dw": grads["dw"], "db": np.reshape(grads["db"], (1, 1))}

        def cost(P):
            return logistic.cost_engine(P["w"], P["b"], X, Y)
    else:
        layers = _layer_dims(args.layers if args.layers is not None else d["layers"], args.n_x,
                             MAX_CHECK_PARAMETERS)
        params = initialize(layers, "he", args.seed)
        for k in params:  # biases off 0 keep relu away from its kink
            if k.startswith("b"):
                params[k] = rng.uniform(0.05, 0.3, params[k].shape)
        if args.model == "shallow":
            if len(layers) != 3:
                raise UsageError("the shallow model has exactly one hidden layer")
            _, cache = shallow.forward_propagation(X, params)
            hand = shallow.backward_propagation(params, cache, X, Y)

            def cost(P):
                return shallow.cost_engine(P, X, Y)
        else:
            AL, caches = deep.L_model_forward(X, params)
            hand = deep.L_model_backward(AL, Y, caches)

            def cost(P):
                return deep.L_model_cost_engine(P, X, Y)
    report = al.check_gradients(cost, params, hand)
    print(report.to_json(indent=2) if args.json else report)
    return 0 if report.passed else 1


# ---- entry point ---------------------------------------------------------------------------

def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return {"graph": cmd_graph, "train": cmd_train, "check": cmd_check}[args.command](args)
    except UsageError as err:
        print(f"autograd-lite: usage error: {err} (see autograd-lite --help)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograd-lite: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001  (one line, never a traceback, unless --debug)
        if debug:
            raise
        kind = "error" if isinstance(err, USER_ERRORS) else f"internal error ({type(err).__name__})"
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"autograd-lite: {kind}: {message}", file=sys.stderr)
        return 1
