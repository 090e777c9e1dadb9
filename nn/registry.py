"""The course models, in one table: ``COURSE_MODELS``.

Each entry declares what everything else needs to know about a course model:

- its data (a name in nn.data.DATASETS) and its layers (hidden sizes, and how many it takes);
- its train function, the course's own (``logistic.model``, ``shallow.nn_model``,
  ``deep.L_layer_model``, ...), called through a short adapter;
- its hand-derived gradients and its engine twin (the cost built from Tensors);
- the function a learner writes for it, and how a grader calls that function;
- its defaults (learning rate, iterations, seed) and its own options (``lambd``, ...);
- the results the course publishes, and ours where they differ.

``autograd-lite train`` and ``check``, examples/grader.py, the README's results tables
(docs/make_docs.py) and the course-results tests all read it. Adding a model means its
module plus one entry here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import deep, initialization, logistic, optimization, regularization, shallow
from .activations import ACTIVATIONS
from .data import Dataset
from .init import INITIALIZERS, initialize
from .model import Model
from .training import cost_line

# ---- what an entry holds ---------------------------------------------------------------------


def _accept(options, given=()) -> None:
    """Accept any combination of the model's options (the default ``validate``)."""


@dataclass(frozen=True)
class Option:
    """A setting of one model beyond the common ones: a keyword of its train function
    (the command line's ``--name``, with - for _)."""

    name: str
    parse: Callable[[str], Any]  # text -> value; a ValueError says what is allowed
    default: Any
    help: str
    choices: tuple | None = None
    gradients: bool = False  # it changes the gradients: check passes it to hand and engine


@dataclass(frozen=True)
class Result:
    """A result the course publishes: train and test accuracy (%) as it prints them."""

    setting: str  # as the README shows it
    options: Mapping = field(default_factory=dict)  # the settings that give it
    course: tuple = ()  # (train %, test % or None)
    ours: tuple | None = None  # ours (hand-derived), where it differs from the course's
    engine: tuple | None = None  # the engine path's, where it differs from ours
    costs: Mapping = field(default_factory=dict)  # {iteration: cost as the course prints it}

    @property
    def expected(self) -> tuple:
        """(train %, test %) that the hand-derived path reproduces."""
        return self.ours or self.course


@dataclass(frozen=True)
class AlsoGraded:
    """Another function a learner writes for the same model, graded as the model's own is
    (Course 2's backward_propagation_with_dropout, beside L2's)."""

    learner: str
    grade: Callable  # (learner's function, parameters, X, Y, **grade_options) -> grads
    reference: Callable  # nn's own version of it
    grade_options: Mapping = field(default_factory=dict)


@dataclass
class Run:
    """The settings of one training run."""

    learning_rate: float
    iterations: int  # epochs, for a model trained on mini-batches
    seed: int | None
    layer_dims: list
    options: dict
    gradients: str = "hand"
    print_cost: bool = False
    progress: bool = False
    callback: Callable | None = None  # callback(i, cost) after every iteration
    compile: bool = False  # engine gradients replayed by al.compile


@dataclass(frozen=True)
class CourseModel:
    """One course model; see the module's docstring."""

    name: str
    course: int  # 1 or 2
    title: str
    data: str  # its data set, a key of nn.data.DATASETS
    layers: tuple  # default hidden sizes
    hidden_layers: tuple  # (fewest, most) hidden layers it takes
    learning_rate: float
    iterations: int
    seed: int | None  # None: nothing random to seed
    train: Callable[[Dataset, Run], tuple]  # -> (parameters, costs)
    predict: Callable  # (parameters, X (n_x, m)) -> 0/1 predictions (1, m)
    hand: Callable  # (parameters, X, Y, **gradient options) -> {"dW1": ...}
    engine: Callable  # (Tensors P, X, Y, **gradient options) -> J, a Tensor
    learner: str  # the function a learner writes; graded against ``engine``
    grade: Callable  # (learner's function, parameters, X, Y, **grade_options) -> grads
    reference: Callable  # nn's own version of the learner's function
    options: tuple = ()
    grade_options: Mapping = field(default_factory=dict)
    results: tuple = ()
    print_every: int = 100  # the course prints the cost this often
    unit: str = "iteration"
    hidden: str = "relu"  # the hidden activation, for Model (save, load)
    init: str | Callable = "he"  # nn.init's name for its start, or a function of the options
    as_layers: Callable = dict  # parameters as {"W1", "b1", ...} for Model
    random_parameters: Callable = None  # (layer_dims, rng) -> parameters for check and grade
    validate: Callable = _accept  # (options, names given) -> None; ValueError: refused
    progress_line: Callable | None = None  # (i, cost, Run) -> what the CLI prints at i
    also_graded: tuple = ()  # AlsoGraded: more functions a learner writes for this model

    def graded(self) -> list[CourseModel]:
        """This entry as each function a learner writes for it: its own, then also_graded's,
        each a CourseModel whose ``learner``, ``grade``, ``reference`` are that function's."""
        return [self, *(replace(self, learner=g.learner, grade=g.grade, reference=g.reference,
                                grade_options=g.grade_options, also_graded=())
                        for g in self.also_graded)]

    def option_values(self, given=()) -> dict:
        """Every option of this model: its default, or the value in ``given``."""
        return {o.name: dict(given).get(o.name, o.default) for o in self.options}

    def run(self, layer_dims=None, n_x=None, **settings) -> Run:
        """A Run with this model's defaults; ``settings`` (common ones and options) override
        them. layer_dims: [n_x, n[1], ..., 1], or the model's own hidden sizes for n_x."""
        options = self.option_values(settings)
        for k in options:
            settings.pop(k, None)
        dims = list(layer_dims) if layer_dims is not None else self.layer_dims(n_x)
        base = dict(learning_rate=self.learning_rate, iterations=self.iterations,
                    seed=self.seed, layer_dims=dims, options=options)
        return Run(**{**base, **settings})

    def layer_dims(self, n_x, hidden=None) -> list:
        """[n_x, n[1], ..., 1] from the hidden sizes (the model's own by default)."""
        return [n_x, *(self.layers if hidden is None else hidden), 1]

    def gradient_options(self, options) -> dict:
        """The options that change the gradients, taken from ``options``."""
        return {o.name: options[o.name] for o in self.options if o.gradients}

    def predictions(self, parameters, X, options=None) -> np.ndarray:
        """The 0/1 predictions (1, m) for X (n_x, m), through the hidden activation that
        ``options`` name (the run's: a tanh network scored through relu got 50 %)."""
        hidden = (options or {}).get("hidden")
        return (self.predict(parameters, X) if hidden is None
                else self.predict(parameters, X, hidden))

    def accuracy(self, parameters, X, Y, options=None) -> float:
        """The percentage of examples predicted right (``options``: the run's)."""
        return float(100 * np.mean(self.predictions(parameters, X, options) == Y))

    def learner_matches(self, function) -> bool:
        """Whether ``function`` takes the positional arguments this model's learner does."""
        return _required(function) == _required(self.reference)

    def to_model(self, parameters, options) -> Model:
        """A Model holding ``parameters``, to save as a checkpoint."""
        layers = self.as_layers(parameters)
        L = len(layers) // 2
        dims = [np.shape(layers["W1"])[1]] + [np.shape(layers[f"W{l}"])[0]
                                              for l in range(1, L + 1)]
        init = self.init(options) if callable(self.init) else options.get("init", self.init)
        model = Model(dims, hidden=options.get("hidden", self.hidden), init=init, seed=0)
        model.parameters = {k: np.asarray(v, dtype=np.float64) for k, v in layers.items()}
        return model


def _required(function) -> int:
    """How many positional arguments ``function`` needs."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return -1
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in parameters)


def random_case(model: CourseModel, layer_dims, m, seed):
    """Random data X (n_x, m), Y (1, m) of 0/1 and parameters for ``layer_dims``, all from
    default_rng(seed): what check and the grader compare the gradients on."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((layer_dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, (model.random_parameters or _layered_parameters)(layer_dims, rng)


def _layered_parameters(layer_dims, rng):
    # He-scaled W; biases off 0, so that no relu sits on its kink
    parameters = initialize(layer_dims, "he", rng)
    for l in range(1, len(layer_dims)):
        parameters[f"b{l}"] = rng.uniform(0.05, 0.3, (layer_dims[l], 1))
    return parameters


# ---- option values --------------------------------------------------------------------------

def _number(text, lo, hi, what, meaning=None):
    """float(text) in [lo, hi]; with ``meaning``, lo itself is refused (the interval is open
    there) and the message says what the value means."""
    value = float(text)
    if not lo <= value <= hi:
        raise ValueError(f"must be {what}, got {text!r}")
    if meaning is not None and value == lo:
        raise ValueError(f"must be {what}, {meaning}; got {text!r}")
    return value


def _lambd(text):
    return _number(text, 0, 1e6, "a number from 0 to 1e6 (the course's 0.7)")


def _keep_prob(text):
    return _number(text, 0, 1, "in (0, 1] (the course's 0.86)",
                   "the probability of keeping a unit")


def _beta(text):
    return _number(text, 0, 0.999999, "from 0 to below 1 (the course's 0.9)")


def _epsilon(text):
    return _number(text, 0, 1, "in (0, 1] (the course's 1e-8)",
                   "Adam's guard against dividing by 0")


def _decay_rate(text):
    return _number(text, 0, 1e6, "a number from 0 to 1e6 (the course's 1)")


def _batch_size(text):
    value = int(text)
    if not 1 <= value <= 1_000_000:
        raise ValueError(f"must be a whole number from 1 to 1,000,000, got {text!r}")
    return value


def _name(text):
    return text  # argparse checks it against the option's choices


# ---- adapters: one call for every model -> the course's own function ------------------------

def _train_logistic(d: Dataset, r: Run):
    out = logistic.model(d.train_X, d.train_Y, d.test_X, d.test_Y, r.iterations,
                         r.learning_rate, r.print_cost, r.progress, r.gradients, r.callback,
                         r.compile)
    return {"w": out["w"], "b": out["b"]}, out["costs"]


def _logistic_parameters(layer_dims, rng):
    return {"w": rng.standard_normal((layer_dims[0], 1)), "b": rng.standard_normal((1, 1))}


class ReturnError(TypeError):
    """The learner's function returned something else than the course's does."""


def _returned(out) -> str:
    """What a learner's function returned, for a ReturnError: a type, a tuple's types."""
    if isinstance(out, (tuple, list)):
        return f"a {type(out).__name__} ({', '.join(type(v).__name__ for v in out)})"
    return "None (is a return statement missing?)" if out is None else type(out).__name__


def _grads_dict(name: str, out, keys: str):
    """``out`` if it is a dict of gradients, as the course's ``name`` returns; else a
    ReturnError that says so (check_gradients' own message would name the grader's call)."""
    if isinstance(out, Mapping):
        return out
    raise ReturnError(f"{name} should return grads, a dict {{{keys}}}, as the course's "
                      f"does; it returned {_returned(out)}")


def _logistic_grade(propagate, p, X, Y):
    out = propagate(p["w"], float(np.reshape(p["b"], ())), X, Y)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], Mapping)):
        raise ReturnError(f"propagate should return (grads, cost), grads a dict with 'dw' and "
                          f"'db', as the course's does; it returned {_returned(out)}")
    grads = dict(out[0])  # a missing key is reported as missing, a wrong shape as one
    if "db" in grads and np.size(grads["db"]) == 1:  # the course's db is a number: b's (1, 1)
        grads["db"] = np.reshape(grads["db"], (1, 1))
    return grads, out[1]  # the cost is graded too (12345.0 scored 100)


def _train_shallow(d: Dataset, r: Run):
    return shallow.nn_model(d.train_X, d.train_Y, r.layer_dims[1], r.iterations, r.print_cost,
                            r.seed, r.learning_rate, r.progress, r.gradients, True, r.callback,
                            r.compile)


def _shallow_grade(backward_propagation, p, X, Y):
    _, cache = shallow.forward_propagation(X, p)
    return _grads_dict("backward_propagation", backward_propagation(p, cache, X, Y),
                       "'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2")


def _train_deep(d: Dataset, r: Run):
    o = r.options
    return deep.L_layer_model(d.train_X, d.train_Y, r.layer_dims, r.learning_rate, r.iterations,
                              r.print_cost, r.seed, o["init"], o["hidden"], r.progress,
                              gradients=r.gradients, callback=r.callback, compile=r.compile)


def _train_two_layer(d: Dataset, r: Run):
    return deep.two_layer_model(d.train_X, d.train_Y, r.layer_dims, r.learning_rate,
                                r.iterations, r.print_cost, r.seed, r.progress,
                                gradients=r.gradients, callback=r.callback, compile=r.compile)


def _deep_predict(p, X, hidden="relu"):
    return deep.predict(X, None, p, hidden)


def _deep_grade(L_model_backward, p, X, Y):
    AL, caches = deep.L_model_forward(X, p)
    return _grads_dict("L_model_backward", L_model_backward(AL, Y, caches),
                       "'dA0': ..., 'dW1': ..., 'db1': ..., 'dW' + str(L): ..., 'db' + str(L): ...")


def _train_initialization(d: Dataset, r: Run):
    return initialization.model(d.train_X, d.train_Y, r.learning_rate, r.iterations,
                                r.print_cost, r.options["initialization"], r.gradients, r.seed,
                                True, r.layer_dims, r.progress, r.callback, r.compile)


def _train_regularization(d: Dataset, r: Run):
    return regularization.model(d.train_X, d.train_Y, r.learning_rate, r.iterations,
                                r.print_cost, gradients=r.gradients, seed=r.seed,
                                return_costs=True, layers_dims=r.layer_dims,
                                progress=r.progress, callback=r.callback, compile=r.compile,
                                **r.options)


def _train_optimization(d: Dataset, r: Run):
    o = dict(r.options)
    decay = optimization.DECAYS.get(o.pop("decay"))
    return optimization.model(d.train_X, d.train_Y, r.layer_dims, learning_rate=r.learning_rate,
                              num_epochs=r.iterations, print_cost=r.print_cost, decay=decay,
                              gradients=r.gradients, seed=r.seed, return_costs=True,
                              progress=r.progress, callback=r.callback, compile=r.compile, **o)


def _optimization_line(i: int, cost: float, r: Run) -> str:
    """The course's model's lines: the epoch's cost, and the learning rate when it decays."""
    decay = optimization.DECAYS.get(r.options.get("decay"))
    return cost_line(i, cost, unit="epoch") + (
        "" if decay is None else f"\nlearning rate after epoch {i}: "
                                 f"{decay(r.learning_rate, i, r.options['decay_rate']):f}")


def _check_optimization(options, given=()):
    """A usage error for a setting the run would ignore: another optimizer's
    hyperparameter (given, even at its default: --beta 0.9 with gd), or --decay-rate
    without --decay."""
    settings = {k: options[k] if k in given or options[k] != default else None
                for k, default in ({"beta": 0.9} | optimization.HYPERPARAMETERS["adam"]).items()}
    optimization.optimizer_settings(options["optimizer"], "optimization", **settings)
    if options["decay"] is None and ("decay_rate" in given or options["decay_rate"] != 1):
        raise ValueError("optimization: --decay-rate is given without --decay; add --decay "
                         "update_lr or --decay schedule_lr_decay")


def _three_layer_predict(p, X):
    return regularization.predict_dec(p, X).astype(int)


def _three_layer_hand(p, X, Y, lambd=0.0, keep_prob=1.0):
    return regularization.grads_and_cost(p, X, Y, lambd, keep_prob)[0]


def _three_layer_engine(P, X, Y, lambd=0.0, keep_prob=1.0):
    masks = None
    if keep_prob != 1:  # the masks that forward_propagation_with_dropout draws (seed 1)
        m = np.shape(X)[1]
        masks = regularization.dropout_masks([(P[k].shape[0], m) for k in ("W1", "W2")],
                                             keep_prob)
    return regularization.cost_engine(P, X, Y, lambd, keep_prob, masks)


def _three_layer_grade(backward_propagation, p, X, Y):
    _, cache = regularization.forward_propagation(X, p)
    return _grads_dict("backward_propagation", backward_propagation(X, Y, cache),
                       "'dZ3': ..., 'dW3': ..., 'db3': ..., 'dA2': ..., down to 'db1'")


def _dropout_grade(backward_propagation_with_dropout, p, X, Y, keep_prob):
    # the course's forward draws D1, D2 after np.random.seed(1): the engine's masks
    _, cache = regularization.forward_propagation_with_dropout(X, p, keep_prob)
    return _grads_dict("backward_propagation_with_dropout",
                       backward_propagation_with_dropout(X, Y, cache, keep_prob),
                       "'dZ3': ..., 'dW3': ..., 'db3': ..., 'dA2': ..., down to 'db1'")


def _l2_grade(backward_propagation_with_regularization, p, X, Y, lambd):
    _, cache = regularization.forward_propagation(X, p)
    return _grads_dict("backward_propagation_with_regularization",
                       backward_propagation_with_regularization(X, Y, cache, lambd),
                       "'dZ3': ..., 'dW3': ..., 'db3': ..., 'dA2': ..., down to 'db1'")


# ---- the table ------------------------------------------------------------------------------

_COURSE_1 = (
    CourseModel(
        name="logistic", course=1, title="logistic regression, zeros", data="cat",
        layers=(), hidden_layers=(0, 0), learning_rate=0.005, iterations=2000, seed=None,
        train=_train_logistic, predict=lambda p, X: logistic.predict(p["w"], p["b"], X),
        hand=lambda p, X, Y: _logistic_grade(logistic.propagate, p, X, Y)[0],
        engine=lambda P, X, Y: logistic.cost_engine(P["w"], P["b"], X, Y),
        learner="propagate", grade=_logistic_grade, reference=logistic.propagate,
        init="zeros", random_parameters=_logistic_parameters,
        as_layers=lambda p: {"W1": np.reshape(p["w"], (1, -1)), "b1": np.reshape(p["b"], (1, 1))},
        results=(Result("lr 0.005, 2000 it.", course=(99.04, 70.0),
                        costs={0: 0.693147, 100: 0.584508, 1900: 0.140872}),)),
    CourseModel(
        name="shallow", course=1, title="1 hidden layer, 4 tanh, randn·0.01", data="flower",
        layers=(4,), hidden_layers=(1, 1), learning_rate=1.2, iterations=10000, seed=2,
        train=_train_shallow, predict=shallow.predict,
        hand=lambda p, X, Y: shallow.grads_and_cost(p, X, Y)[0], engine=shallow.cost_engine,
        learner="backward_propagation", grade=_shallow_grade,
        reference=shallow.backward_propagation, print_every=1000, hidden="tanh",
        init="small_random",
        results=(Result("lr 1.2, 10000 it., seed 2", course=(90.0, None),
                        ours=(90.75, None)),)),
    CourseModel(
        name="deep", course=1, title="L-layer [12288, 20, 7, 5, 1], randn/√n", data="cat",
        layers=(20, 7, 5), hidden_layers=(0, 100), learning_rate=0.0075, iterations=2500,
        seed=1, train=_train_deep, predict=_deep_predict,
        hand=lambda p, X, Y: deep.grads_and_cost(p, X, Y)[0], engine=deep.L_model_cost_engine,
        learner="L_model_backward", grade=_deep_grade, reference=deep.L_model_backward,
        options=(Option("hidden", _name, "relu", "the hidden layers' activation",
                        tuple(ACTIVATIONS)),
                 Option("init", _name, "lecun", "how W is drawn (nn.init)",
                        tuple(INITIALIZERS))),
        results=(Result("lr 0.0075, 2500 it., seed 1", course=(98.56, 80.0),
                        costs={0: 0.7717493284237686, 100: 0.6720534400822914,
                               200: 0.6482632048575212, 2400: 0.09287821526472398,
                               2499: 0.08843994344170202}),)),
    CourseModel(
        name="two_layer", course=1, title="2-layer [12288, 7, 1], randn·0.01", data="cat",
        layers=(7,), hidden_layers=(1, 1), learning_rate=0.0075, iterations=2500, seed=1,
        train=_train_two_layer, predict=_deep_predict,
        hand=lambda p, X, Y: deep.grads_and_cost(p, X, Y)[0], engine=deep.L_model_cost_engine,
        learner="L_model_backward", grade=_deep_grade, reference=deep.L_model_backward,
        init="small_random",
        results=(Result("lr 0.0075, 2500 it., seed 1", course=(100.0, 72.0),
                        costs={0: 0.6930497356599888, 100: 0.6464320953428849,
                               2499: 0.04421498215868956}),)),
)

# Course 2's models share the course's 3-layer network (nn.regularization's functions).
_THREE_LAYERS = dict(hidden_layers=(2, 2), predict=_three_layer_predict,
                     hand=_three_layer_hand, engine=_three_layer_engine,
                     learner="backward_propagation", grade=_three_layer_grade,
                     reference=regularization.backward_propagation)


def _course2_init(options):
    return {"zeros": "zeros", "random": "large_random", "he": "he"}[options["initialization"]]


def _opt(optimizer, lr, decay, train, cost0=None):
    setting = {"gd": "GD", "momentum": "momentum", "adam": "Adam"}[optimizer] + f", lr {lr:g}"
    return Result(setting + (f", {decay}" if decay else ""),
                  {"optimizer": optimizer, "learning_rate": lr, "decay": decay},
                  course=(train, None), costs={} if cost0 is None else {0: cost0})


_COURSE_2 = (
    CourseModel(
        name="initialization", course=2, title="3 layers [2, 10, 5, 1], lr 0.01, 15000 it.",
        data="circles", layers=(10, 5), learning_rate=0.01, iterations=15000, seed=3,
        train=_train_initialization, print_every=1000, init=_course2_init, **_THREE_LAYERS,
        options=(Option("initialization", _name, "he", "how W is drawn: zeros, randn × 10, He",
                        tuple(initialization.INITIALIZATIONS)),),
        results=(Result("zeros", {"initialization": "zeros"}, (50.0, 50.0),
                        costs={0: 0.6931471805599453}),
                 Result("randn × 10, seed 3", {"initialization": "random"}, (83.0, 86.0),
                        costs={0: np.inf}),
                 Result("He, seed 3", {"initialization": "he"}, (99.33, 96.0),
                        costs={0: 0.8830537463419761}))),
    CourseModel(
        name="regularization", course=2,
        title="3 layers [2, 20, 3, 1], lr 0.3, 30000 it., randn/√n[l−1] seed 3",
        data="football", layers=(20, 3), learning_rate=0.3, iterations=30000, seed=3,
        train=_train_regularization, print_every=10000, init="lecun",
        **{**_THREE_LAYERS, "learner": "backward_propagation_with_regularization",
           "grade": _l2_grade,
           "reference": regularization.backward_propagation_with_regularization},
        grade_options={"lambd": 0.7},
        also_graded=(AlsoGraded("backward_propagation_with_dropout", _dropout_grade,
                                regularization.backward_propagation_with_dropout,
                                {"keep_prob": 0.86}),),
        validate=lambda o, given=(): regularization.check_one_regularizer(
            o["lambd"], o["keep_prob"], "regularization"),
        options=(Option("lambd", _lambd, 0.0, "L2 strength λ (the course's 0.7)",
                        gradients=True),
                 Option("keep_prob", _keep_prob, 1.0, "dropout: the probability of keeping a "
                        "hidden unit (the course's 0.86); not with --lambd", gradients=True)),
        results=(Result("none", {}, (94.79, 91.5),
                        costs={0: 0.6557412523481002}),
                 Result("L2, λ = 0.7", {"lambd": 0.7}, (93.84, 93.0),
                        costs={0: 0.6974484493131264}),
                 Result("dropout, keep_prob = 0.86", {"keep_prob": 0.86}, (92.89, 95.0),
                        costs={0: 0.6543912405149825}))),
    CourseModel(
        name="optimization", course=2,
        title="3 layers [2, 5, 2, 1], He seed 3, mini-batches of 64, 5000 epochs",
        data="moons", layers=(5, 2), learning_rate=0.0007, iterations=5000, seed=3,
        train=_train_optimization, print_every=1000, unit="epoch", **_THREE_LAYERS,
        validate=_check_optimization, progress_line=_optimization_line,
        options=(Option("optimizer", _name, "gd", "the update rule",
                        optimization.OPTIMIZERS),
                 Option("mini_batch_size", _batch_size, 64, "examples per mini-batch"),
                 Option("beta", _beta, 0.9, "momentum's β"),
                 Option("beta1", _beta, 0.9, "Adam's β1, for the first moment"),
                 Option("beta2", _beta, 0.999, "Adam's β2, for the second "
                        "moment"),
                 Option("epsilon", _epsilon, 1e-8, "Adam's ε, outside the square root"),
                 Option("decay", _name, None, "learning-rate decay after each epoch",
                        tuple(optimization.DECAYS)),
                 Option("decay_rate", _decay_rate, 1.0, "the decay's rate")),
        results=(_opt("gd", 0.0007, None, 71.67, 0.702405),
                 _opt("momentum", 0.0007, None, 71.67),
                 _opt("adam", 0.0007, None, 94.33, 0.702166),
                 _opt("gd", 0.1, "schedule_lr_decay", 94.33),
                 _opt("momentum", 0.1, "schedule_lr_decay", 95.33),
                 _opt("adam", 0.01, "schedule_lr_decay", 94.0),
                 _opt("gd", 0.1, "update_lr", 65.33))),
)

COURSE_MODELS: dict[str, CourseModel] = {m.name: m for m in _COURSE_1 + _COURSE_2}


def for_learner(module, name=None, function=None) -> CourseModel:
    """The entry that grades a learner's module (``CourseModel.graded()``'s, for a model
    with more than one graded function): of those that ``name`` (a model) and ``function``
    (a graded function's name) allow, the one whose function the module defines (with the
    course's positional arguments, unless one is named), of several the one with the
    longest function name (the first of those: the registry's order)."""
    if name is not None and name not in COURSE_MODELS:
        raise LookupError(f"no course model is named {name!r}; the models: "
                          f"{', '.join(COURSE_MODELS)}")
    allowed = [m for model in COURSE_MODELS.values() for m in model.graded()
               if name in (None, model.name) and function in (None, m.learner)]
    if name is not None or function is not None:
        if not allowed:
            raise LookupError(
                f"{name} grades {', '.join(m.learner for m in COURSE_MODELS[name].graded())}"
                f", not {function}" if name in COURSE_MODELS else
                f"the grader grades none named {function}: {', '.join(graded_functions())}")
        defined = [m for m in allowed if callable(getattr(module, m.learner, None))]
        if not defined:
            wanted = " or ".join(sorted({f"{m.learner}()" for m in allowed}))
            raise LookupError(f"the learner's file defines no {wanted}, which "
                              f"{name or 'the grader'} grades")
        fitting = [m for m in defined if m.learner_matches(getattr(module, m.learner))]
        chosen = max(fitting or defined, key=lambda model: len(model.learner))  # (--function
        if not chosen.learner_matches(getattr(module, chosen.learner)):  # took shallow's)
            fits = sorted({m.name for m in graded_in(module) if m.learner == chosen.learner})
            raise LookupError(_other_arguments([chosen], getattr(module, chosen.learner))
                              + (f"; --model {fits[0]} grades the function it defines"
                                 if fits else ""))
        return chosen
    matching = graded_in(module)
    if matching:  # the most specific name: a notebook's export of week 6's
        # backward_propagation_with_regularization also holds the plain helper, and grading
        # that one scored a wrong learner 100
        return max(matching, key=lambda model: len(model.learner))
    for model in allowed:  # the name, but other arguments: say which
        function = getattr(module, model.learner, None)
        if callable(function):
            raise LookupError(_other_arguments(
                [m for m in allowed if m.learner == model.learner], function))
    wanted = graded_functions()
    near = sorted(n for n, v in vars(module).items() if callable(v) and n not in wanted
                  and any(n.startswith(w) for w in wanted))  # backward_propagation_n
    why = (" (Course 2's gradient checking exercise: check it with "
           "nn.gradient_checking.gradient_check_n or al.check_gradients; it is not graded)"
           if "backward_propagation_n" in near else
           " (the grader grades only these; if it stands for one, name it as the course does)")
    raise LookupError(f"the learner's file defines none of the graded functions: "
                      f"{', '.join(wanted)}"
                      + (f"; {', '.join(near)} is not one of them{why}" if near else ""))


def _other_arguments(models: list[CourseModel], function) -> str:
    """The learner's function takes other arguments than each of ``models`` (one name)."""
    takes = [f"{m.name}'s takes {m.learner}{_arguments(m.reference)}" for m in models]
    return (f"the learner's file defines {models[0].learner}{_arguments(function)}, but "
            f"{', '.join(takes)}: give it those arguments (extra ones need a default)")


def graded_functions() -> list[str]:
    """The names of the functions the grader grades, sorted."""
    return sorted({m.learner for model in COURSE_MODELS.values() for m in model.graded()})


def graded_in(module) -> list[CourseModel]:
    """The entries (``graded()``'s) whose learner function ``module`` defines with the
    course's arguments."""
    return [m for model in COURSE_MODELS.values() for m in model.graded()
            if callable(getattr(module, m.learner, None))
            and m.learner_matches(getattr(module, m.learner))]


def _arguments(function) -> str:
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"
