"""Grade a learner's hand-written backprop against the engine, in Gradescope's format.

    autograd-lite grade LEARNER.py                 # writes results.json
    autograd-lite grade LEARNER.py -o /autograder/results/results.json --strict

The learner's file defines the graded function of one of nn.registry's course models, in
plain numpy: propagate(w, b, X, Y) (week 2), backward_propagation(parameters, cache, X, Y)
(week 3), L_model_backward(AL, Y, caches) (week 4), or Course 2's
backward_propagation(X, Y, cache), backward_propagation_with_regularization(X, Y, cache,
lambd) and backward_propagation_with_dropout(X, Y, cache, keep_prob). Each gradient key
(dW1, db1, ...) is a test of Gradescope's results.json, worth an equal share of the points:
it passes when the learner's gradient equals the engine's on a fixed set of cases and on
every random case (layer sizes, m, seed) hypothesis tries. The
smallest failing case, its gradient table and its diagram's path go in the output. A
file that fails to import, or a function that raises on any case tried, scores 0 with the
traceback: a wrong gradient ends hypothesis's search, so the function also runs, for a
crash only, on the edge cases (m 1 and MAX_M, widths 1 and MAX_WIDTH, every depth) and
in a second search that only a crash ends. Each call of the learner's code (its import, its
function) has a time limit (TIME_LIMIT seconds; ``grade(time_limit=...)``): one that runs
longer scores 0, naming the case it ran on; so does code whose calls add up to more than
TOTAL_TIME_LIMIT (``total_time_limit=``), which would outlast the autograder's own limit.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import inspect
import numbers
import os
import random
import signal
import sys
import sysconfig
import threading
import time
import traceback

import numpy as np

import autograd_lite as al
from autograd_lite.backward import backprop
from autograd_lite.gradcheck import GradientRow, relative_difference

from .registry import (
    COURSE_MODELS,
    CourseModel,
    ReturnError,
    for_learner,
    graded_in,
    random_case,
)

MAX_LAYERS, MAX_WIDTH, MAX_M = 4, 8, 16  # the random cases' sizes
FIXED_CASES = ((5, 0), (5, 1), (1, 2), (9, 3))  # (m, seed) on the graded layer sizes
SEARCH_SEED = 0  # hypothesis's seed for the random cases: every learner gets the same
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")  # Gradescope's
TIME_LIMIT = 10.0  # seconds per call of the learner's code; the course's takes < 1 ms here
# seconds of the learner's code in all (about 450 calls): under Gradescope's default 10 min,
# whose timeout would give no results.json at all, and so no reason
TOTAL_TIME_LIMIT = 300.0


class LearnerError(Exception):
    """The learner's file could not be graded: its traceback (or reason) is the message."""


class LearnerCrashError(Exception):
    """The learner's function raised (or called exit()): ``__cause__`` is what it raised."""


class GraderError(RuntimeError):
    """The grader itself failed, not the learner's code: no score is given (a 0 would blame
    the learner). Its message says what failed and holds the traceback."""


class LearnerTimeout(BaseException):
    """The learner's code ran past the time limit. A BaseException: ``except Exception`` in
    the learner's code does not swallow it, and hypothesis passes it on without shrinking
    (each try would cost the whole limit). ``case``: the case it ran on, once known."""

    case: dict | None = None


# the time limits of the grading under way (None: none): per call and in all; since when the
# learner's code has been running (None: it is not), which the watchdog reads; and how long
# it has run in all
_limit: dict = {"seconds": None, "since": None, "total": None, "spent": 0.0, "printed": 0}
GRACE = 2.0  # seconds past the limit before the watchdog takes a call for one that won't stop


@contextlib.contextmanager
def _time_limit(what: str):
    """Raise LearnerTimeout in the code run inside once it has run ``_limit["seconds"]``,
    or what is left of ``_limit["total"]`` if less, and again every 0.1 s after (a bare
    ``except:`` in a loop caught the first one). Where SIGALRM cannot be used (Windows, a
    thread other than the main one) no call is stopped; the total is checked between calls."""
    seconds, total = _limit["seconds"], _limit["total"]
    left = None if not total else total - _limit["spent"]
    if left is not None and left <= 0:
        raise LearnerTimeout(f"{what} was not called: {_over_total(total, seconds)}")
    if left is not None and (not seconds or left < seconds):  # the total runs out first
        told = f"{what} was stopped: {_over_total(total, seconds)}"
        seconds = left
    else:
        told = (f"{what} ran longer than {seconds or 0:g} s (the grader's time limit: an "
                "endless loop? time_limit, or --time-limit, sets it)")
    if not seconds or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        start = time.monotonic()  # (no timer: the total is checked at the next call)
        try:
            yield
        finally:
            _limit["spent"] += time.monotonic() - start
        return
    fired = []

    def ring(signum, frame):
        fired.append(True)
        raise LearnerTimeout(told)

    previous = signal.signal(signal.SIGALRM, ring)
    start = _limit["since"] = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)  # (a harness's own alarm)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _limit["since"] = None
        _limit["spent"] += time.monotonic() - start
        if outer[0] > 0:  # put the outer timer back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer[0] - (time.monotonic() - start), 1e-6), outer[1])
    if fired:  # it caught the LearnerTimeout and returned
        raise LearnerTimeout(told)


def _over_total(total: float, per_call: float | None) -> str:
    return (f"the learner's code has run {total:g} s in all over the calls so far (the "
            "grader's total time limit, under the autograder's own"
            + (f"; each call was under its {per_call:g} s" if per_call else "")
            + "): make it faster, or total_time_limit (--total-time-limit) sets it")


def _as_learners(function):
    """``function`` (the learner's), whose exceptions come out as LearnerCrashError: everything
    else that raises while a case is graded is the grader's own failure. It runs under the
    time limit."""
    name = getattr(function, "__name__", "the learner's function")

    @functools.wraps(function)
    def call(*args, **kwargs):
        used: list[str] = []
        try:
            with _time_limit(name), contextlib.redirect_stdout(_BoundedOutput(sys.stdout)), \
                    _answers_refused(used):
                out = function(*args, **kwargs)
        except (Exception, SystemExit) as err:
            if used:
                raise LearnerError(_answer_used(name, used[0])) from None
            raise LearnerCrashError(str(err)) from err
        if used:  # (it caught what the watch raised)
            raise LearnerError(_answer_used(name, used[0]))
        call.returned = True  # what fails from here on reads what it returned
        return out
    call.returned = False
    return call


def _answer_used(name: str, what: str) -> str:
    return (f"{name} calls {what}: the grader grades the learner's own derivation, so a "
            "function that hands the work to nn's answer or to the engine scores 0. Write "
            "the backward pass with numpy, from the course's formulas")


# A learner's function may not call nn's answer or the engine (_answers_refused). The
# grader's own tests of its other parts turn this off to grade nn's functions as learners.
OWN_WORK = True
_ANSWERS: dict = {}  # code object -> what it is, of the functions that compute an answer


def _answers() -> dict:
    """The code of what computes a graded answer: nn's own version of each graded
    function, each model's hand-derived gradients, and the engine's backward pass (al.grad,
    backward() and check_gradients all run it). A learner's file that imported nn.deep's
    L_model_backward and called it scored 100. (A deterrent against the obvious, not a wall:
    code in the grader's process can turn the watch off, or call from another thread.)"""
    if not _ANSWERS:
        _ANSWERS[backprop.__code__] = "autograd_lite's backward pass (the engine)"
        for model in COURSE_MODELS.values():
            for graded in model.graded():
                for fn in (graded.reference, graded.hand):
                    fn = inspect.unwrap(getattr(fn, "func", fn))  # (a partial's function)
                    code = getattr(fn, "__code__", None)
                    if code is not None:
                        _ANSWERS.setdefault(code, f"{fn.__module__}.{fn.__qualname__}, nn's "
                                                  f"own answer")
    return _ANSWERS


@contextlib.contextmanager
def _answers_refused(used: list):
    """While the learner's function runs, a call into one of _answers() is put in ``used``
    and raised at (sys.setprofile: it sees every Python call this thread makes)."""
    teachers = _limit.get("profiler")  # the profile on before the learner's code ran
    if not OWN_WORK or teachers is not None and sys.getprofile() is teachers:
        yield  # (a teacher's cProfile: its C hook cannot be put back by sys.setprofile)
        return
    answers = _answers()  # (a profile the learner set is replaced: one line at its top
    # level, sys.setprofile(lambda *a: None), turned the watch off)

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in answers:
            used.append(answers[frame.f_code])
            raise LearnerError(answers[frame.f_code])

    sys.setprofile(watch)
    try:
        yield
    finally:
        sys.setprofile(None)


def load_learner(path):
    """The learner's file as a module; a LearnerError holding the traceback if it fails to
    import (a SyntaxError, an exception or sys.exit at its top level)."""
    if os.path.isdir(path):
        raise LearnerError(f"grade: {path} is a folder; give the learner's .py file in it")
    if not os.path.isfile(path):
        raise LearnerError(f"grade: no learner file at {path}")
    spec = importlib.util.spec_from_file_location("learner", path)
    if spec is None:  # (it showed the grader's own AttributeError, as the learner's)
        hint = (f": export the notebook first, jupyter nbconvert --to script {path}"
                if str(path).endswith(".ipynb") else "")
        raise LearnerError(f"grade: {path} is not a Python file (.py){hint}")
    try:
        module = importlib.util.module_from_spec(spec)
        with _time_limit(f"importing {path}"), \
                contextlib.redirect_stdout(_BoundedOutput(sys.stdout)):
            spec.loader.exec_module(module)
    except (Exception, SystemExit) as raised:  # the learner's code: whatever it raises scores 0
        frames = traceback.extract_tb(raised.__traceback__)
        mine = os.path.abspath(path)  # the learner's frames alone: the grader's and
        first = next((i for i, f in enumerate(frames)  # importlib's would seem to blame it
                      if os.path.abspath(f.filename) == mine), len(frames))
        raise LearnerError(f"{path} failed to import:\n"
                           f"{_traceback_text(frames[first:], raised)}") from None
    return module


@contextlib.contextmanager
def _beside(path):
    """The learner's folder first on sys.path while it is graded: its helpers (from
    dnn_utils import ..., at the top or inside its function) import as python learner.py
    would find them. (Whatever the learner did to sys.path, only that entry is taken out.)
    The modules its folder holds are the learner's alone: one of that name loaded from
    elsewhere (the last learner's dnn_utils, graded in this process) is set aside while it
    is graded, and the ones loaded from its folder are forgotten after (the next learner
    got this one's helpers: a wrong one scored 100)."""
    folder = os.path.dirname(os.path.abspath(path))
    shadowed = {name: sys.modules.pop(name) for name in _module_names(folder)
                if name in sys.modules and name not in _GRADERS
                and _shadowable(sys.modules[name], folder)}
    before = set(sys.modules)
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
        for name in set(sys.modules) - before:
            if name.split(".")[0] not in _GRADERS and _inside(
                    sys.modules[name], folder):
                del sys.modules[name]
        sys.modules.update(shadowed)


_GRADERS = ("nn", "autograd_lite", "numpy", "hypothesis")  # never a learner's copy of them
# (a learner's folder holding autograd_lite/ set aside the grader's own, from a checkout)


def _module_names(folder: str) -> list[str]:
    """The names ``import`` finds in ``folder``: its .py files and packages."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    return [e[:-3] if e.endswith(".py") else e for e in entries
            if e.endswith(".py") or os.path.isfile(os.path.join(folder, e, "__init__.py"))]


def _shadowable(module, folder: str) -> bool:
    """Whether the learner's file of ``module``'s name is imported in its stead while it is
    graded: a module of the grader's process's own code, not Python's or an installed
    package's (a learner's random.py must not take `random` from the grader)."""
    file = getattr(module, "__file__", None)
    if not file or _inside(module, folder):
        return False
    installed = {os.path.abspath(p) for key in ("stdlib", "platstdlib", "purelib", "platlib")
                 if (p := sysconfig.get_paths().get(key))}
    return not any(_inside(module, p) for p in installed)


def _inside(module, folder: str) -> bool:
    """Whether ``module`` was loaded from a file in ``folder`` (or below it)."""
    file = getattr(module, "__file__", None)
    return bool(file) and os.path.abspath(file).startswith(folder + os.sep)


def graded_dims(model: CourseModel, n_x=3) -> list:
    """The layer sizes every key is scored on: as many hidden layers (4, 3, 2) as the
    random cases can have (MAX_LAYERS in all) where the model takes them, so that every key
    a random case has is a test of every learner (dW4 was scored only when wrong)."""
    lo, hi = model.hidden_layers
    hidden = [4, 3, 2][:min(max(lo, MAX_LAYERS - 1), hi)]
    return [n_x, *hidden, 1]


# the options that vary with the case's seed, so that a hard-coded one fails (lambd = 0.7 in
# the learner's code scored 100)
VARIED = {"lambd": (0.7, 0.1, 1.5), "keep_prob": (0.86, 0.7, 0.5)}


def case_options(model: CourseModel, seed: int) -> dict:
    """The model's options for the case with ``seed``: lambd and keep_prob vary with it."""
    options = dict(model.grade_options)
    for name in VARIED.keys() & options.keys():
        options[name] = VARIED[name][seed % len(VARIED[name])]
    return options


def check_case(model: CourseModel, function, dims, m, seed,
               written: set | None = None) -> al.GradientReport:
    """The learner's gradients on one random case X (n_x, m), Y (1, m), against the
    engine's. What the learner's function raises comes out as LearnerCrashError (ReturnError
    when it returned the wrong thing); anything else is the grader's. ``written``, a set,
    gets the names of the inputs the function wrote into (X, W1, ...)."""
    X, Y, params = random_case(model, dims, m, seed)
    options = case_options(model, seed)
    with _naming(_case(model, dims, m, seed)):
        yours, mine = _learners_grads(model, function, (params, X, Y), options, seed)
        again, _ = _learners_grads(model, function, (params, X, Y), options, seed + 1)
    yours, again = _trimmed(yours, params), _trimmed(again, params)
    _same_twice(model.learner, yours, again)
    if written is not None:
        written.update(_written_into(mine, (params, X, Y)))
    graded_cost = isinstance(yours, tuple)  # week 2's propagate: (grads, cost)
    yours, your_cost = yours if graded_cost else (yours, None)
    cost = lambda P: model.engine(P, X, Y, **options)  # noqa: E731
    # tol_engine 1e-6, not 1e-7: the course's own dAL = -(Y/AL - (1-Y)/(1-AL)) loses
    # 1.6e-7 where Z[L] = 23 (1 - AL = 1e-10), about one random case in 1,500
    # against the engine alone, as the grade is defined (no finite differences: where the
    # output saturates they cannot resolve a gradient of 1e-15, and a right learner that
    # agreed with the engine failed; the engine's rules are checked by the project's tests)
    report = al.check_gradients(cost, params, yours, max_numerical=0, tol_engine=1e-6)
    odd = _not_real_arrays(yours)
    for row in report.rows:
        if row.key in odd and row.status != "extra":  # (dA0 is not graded: no test of its own)
            row.status, row.message = "wrong", (f"{row.key} is {odd[row.key]}; the course's "
                                                "gradients are numpy arrays of real numbers")
        _missing_one_over_m(row, m)
    if graded_cost:
        with al.no_grad():
            engines = cost({k: al.Tensor(v) for k, v in params.items()}).item()
        report.rows.append(_cost_row(your_cost, engines))
    return report


def _missing_one_over_m(row, m: int) -> None:
    """A wrong row whose worst entry is m times the engine's says so: the smallest case
    (a (1, 1) dW1 at m = 2) has one entry, too few for check_gradients to call it a slip."""
    if (row.status == "wrong" and m > 1 and row.yours and row.engine
            and "times the engine's" not in (row.message or "")
            and abs(row.yours / row.engine - m) <= 1e-9 * m):
        row.message = (f"{row.message or ''}; yours is m = {m} times the engine's (a "
                       "missing 1/m?)")


def _learners_grads(model: CourseModel, function, case: tuple, options: dict,
                    seed: int = 0) -> tuple:
    """(what the learner's function returned, as model.grade reads it, the copies of
    ``case`` (params, X, Y) it was given): LearnerCrashError when it raises, ReturnError when
    the grader cannot read what it returned. Python's and numpy's global generators are
    seeded with ``seed`` for the call (and restored): hypothesis reseeds them before every
    case, so a learner that draws from them drew the same numbers on every case."""
    # the learner gets copies: a function that writes into W (W *= 2) was graded against
    # the engine at the changed W
    mine = copy.deepcopy(case)
    learners = _as_learners(function)
    try:
        with _seeded(seed):
            return model.grade(learners, *mine, **options), mine
    except (TypeError, ValueError, LookupError, AttributeError) as err:
        if not learners.returned or isinstance(err, ReturnError):
            raise  # the grader's own failure, or already said
        raise ReturnError(f"{model.learner} returned something the grader cannot read "
                          f"({type(err).__name__}: {err})") from err


@contextlib.contextmanager
def _naming(case: dict):
    """A LearnerTimeout raised inside names ``case``, the case the learner's code ran on."""
    try:
        yield
    except LearnerTimeout as err:
        if err.case is None:
            err.case = case
        raise


@contextlib.contextmanager
def _seeded(seed: int):
    python, numpy = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy)


EXTRA_KEYS = 16  # keys beside the gradients' (dA0, ...) that a report lists, at most


def _trimmed(returned, params: dict):
    """The learner's gradients dict (or week 2's (grads, cost)) with the parameters'
    gradient keys and at most EXTRA_KEYS others, in order: 20,000 junk keys took the grader
    60 s a case to compare and list, and 200,000 outlasted the autograder's limit."""
    if isinstance(returned, tuple) and returned and isinstance(returned[0], dict):
        return (_trimmed(returned[0], params), *returned[1:])
    if not isinstance(returned, dict) or len(returned) <= len(params) + EXTRA_KEYS:
        return returned
    wanted = {"d" + k for k in params}
    kept, others = {}, 0
    for key, value in returned.items():
        if key in wanted or others < EXTRA_KEYS:
            others += key not in wanted
            kept[key] = value
    return kept


def _same_twice(learner: str, first, second) -> None:
    """A ReturnError unless two calls on one case returned the same: a learner wrong one
    call in five scored 100 or 87.5 from run to run."""
    if not _same(first, second):
        raise ReturnError(f"{learner} returned different results for the same input on two "
                          "calls: it draws random numbers or keeps something between calls; "
                          "its gradients must depend on its arguments alone")


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(map(_same, a, b))
    try:
        a, b = np.asarray(a), np.asarray(b)
    except (TypeError, ValueError):
        return a is b
    try:
        return np.array_equal(a, b, equal_nan=True)
    except TypeError:  # (text: no NaN to compare)
        return np.array_equal(a, b)


def _not_real_arrays(grads) -> dict[str, str]:
    """The gradients that numpy reads as numbers but are not numpy arrays (or numbers) of
    reals, each with what it is: a list, np.matrix, complex values or an autograd_lite
    Tensor each scored 100, though the course's update_parameters fails on a list and
    np.matrix's * is a matrix product. (Text and the like are check_gradients' to name.)"""
    if not isinstance(grads, dict):
        return {}
    odd = {}
    for key, v in grads.items():
        if (type(v) is np.ndarray and v.dtype.kind in "fiu") or (
                isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))):
            continue
        try:
            arr = np.asarray(v)
            numeric = isinstance(v, al.Tensor) or arr.dtype.kind in "biufc" or (
                arr.dtype.kind == "O" and _numbers_in(arr))  # (dW1.astype(object) scored 100)
        except (TypeError, ValueError):
            numeric = False
        if numeric:
            odd[key] = _kind(v)
    return odd


def _numbers_in(arr: np.ndarray) -> bool:
    """Whether an object array holds numbers alone (text is check_gradients' to name)."""
    return all(isinstance(x, numbers.Number) for x in arr.flat)


def _kind(v) -> str:
    if isinstance(v, np.ndarray) and type(v) is not np.ndarray:
        return f"a {type(v).__name__} (np.asarray makes an array)"
    if isinstance(v, al.Tensor):
        return "an autograd_lite Tensor (the engine's, not a hand-derived gradient)"
    if isinstance(v, (np.ndarray, complex, np.complexfloating)):
        return f"of {np.asarray(v).dtype}"
    return f"a {type(v).__name__}"


def _written_into(mine: tuple, originals: tuple) -> list[str]:
    """The names of the inputs whose copies the learner's function changed (X *= 0.5,
    parameters["W1"] = ...): graded on what it returned, but the course's optimize calls it
    again with the same arrays, so its training would go wrong."""
    (params, X, Y), (params0, X0, Y0) = mine, originals
    named = [*((k, params.get(k), v) for k, v in params0.items()), ("X", X, X0), ("Y", Y, Y0)]
    written = []
    for name, now, was in named:
        try:
            same = np.array_equal(now, was, equal_nan=True)
        except (TypeError, ValueError):  # something else put in its place
            same = False
        if not same:
            written.append(name)
    return written


def _cost_row(yours, engines: float) -> GradientRow:
    """The learner's cost against the engine's, as a row of the report: relative 1e-6
    (1e-4 for a float32 cost, the course's log(1 - A) in float32)."""
    row = GradientRow(parameter="cost", key="cost", shape=(), status="ok", engine=engines)
    try:  # (text and lists are not the course's cost: "5.80" and [cost] scored 100)
        if isinstance(yours, (str, bytes, list, tuple, dict)) or np.asarray(
                yours).dtype.kind not in "biuf":
            raise TypeError
        mine = float(np.asarray(yours, dtype=float).reshape(()))
    except (TypeError, ValueError):
        row.status, row.message = "wrong", (
            f"the cost should be one number (np.squeeze(cost), as the course's propagate "
            f"returns it), got {type(yours).__name__} {np.shape(yours)}")
        return row
    row.yours, row.max_abs_error = mine, abs(mine - engines)
    row.diff_engine = relative_difference(mine, engines)
    tol = 1e-4 if np.asarray(yours).dtype == np.float32 else 1e-6
    if not np.isfinite(mine):
        row.status, row.message = "not finite", f"the cost (yours) is {mine}"
    elif row.diff_engine > tol:
        row.status, row.message = "wrong", f"yours is {mine:.9g}, the engine's {engines:.9g}"
    return row


def smallest_failure(model: CourseModel, function, examples: int, failing: dict | None = None,
                     tried: list | None = None, crashed: dict | None = None):
    """(case, report) of the smallest failing random case hypothesis finds in ``examples``
    tries, or None; report is None when the learner's function raised (case["error"]).
    ``failing``, if given, gets each gradient key that failed on any case tried, with its
    smallest such case: shrinking keeps one case, which may not have the key (dW2 of a
    network shrunk to one layer) or get it wrong. ``tried``, if given, gets every case run
    (hypothesis stops at a failure, then shrinks). ``crashed``, if given, gets the smallest
    case the function raised on ("case"), whatever hypothesis shrank to: a crash beside a
    wrong gradient was shrunk away, and the learner scored as if it had not crashed."""
    last = {}
    runs = tried if tried is not None else []

    def prop(dims, m, seed):
        case = _case(model, dims, m, seed)
        runs.append(case)
        try:
            report = check_case(model, function, dims, m, seed)
        except (LearnerCrashError, ReturnError) as err:  # the learner's code crashed (or exit()ed)
            last.update(case=_crashed_on(case, err, crashed), report=None)
            failure = str(err)
        else:
            if report.passed:
                return
            last.update(case=case, report=report)
            if failing is not None:
                _note_failures(failing, case, report)
            failure = str(report)
        # one line, no __cause__: hypothesis takes a crash and a wrong gradient for one bug
        # (two distinct ones came out as an ExceptionGroup, reported as the learner's crash)
        raise AssertionError(failure)

    return (last["case"], last["report"]) if _search(model, examples, prop) else None


def _phases() -> list:
    """Hypothesis's phases but "explain", which reruns the failing case under a line tracer
    to say which lines only failing cases ran: the grader reports its own counterexample,
    and test_nn_grading.py and test_testing.py took 102 s with it, 30 s without."""
    from hypothesis import Phase

    return [p for p in Phase if p is not Phase.explain]


def _search(model: CourseModel, examples: int, prop) -> bool:
    """Run ``prop(dims, m, seed)`` on ``examples`` random cases of ``model``'s sizes, the
    same ones every time (a fixed seed: derandomize's is a digest of ``prop``'s source, so
    a comment edited in the grader changed which cases a learner was graded on); True when
    it failed (hypothesis shrank it then). None of them with ``examples`` 0: the fixed
    cases alone, a learner's quick check."""
    if examples == 0:
        return False
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st
    from hypothesis.errors import Flaky

    from autograd_lite.testing import layer_dims

    lo, hi = model.hidden_layers
    search = seed(SEARCH_SEED)(settings(
        max_examples=examples, deadline=None, database=None, phases=_phases(),
        suppress_health_check=list(HealthCheck))(
        given(dims=layer_dims(lo + 1, min(hi + 1, MAX_LAYERS), 1, MAX_WIDTH),
              m=st.integers(1, MAX_M), seed=st.integers(0, 2**16))(prop)))
    try:
        search()
    except (AssertionError, Flaky):  # Flaky: it failed once, not again (a learner's state)
        return True
    return False


def smallest_crash(model: CourseModel, function, examples: int, crashed: dict,
                   failing: dict | None = None) -> None:
    """Put in ``crashed`` ("case", as smallest_failure does) the smallest case the learner's
    function raises on, of the edge cases and ``examples`` random ones; nothing if none.
    A wrong gradient does not end this search: smallest_failure stops at the first one, and
    a learner wrong on [1, 1] and crashing on 3 layers was never run on 3 layers (87.5); nor
    did 100 random cases reach m = MAX_M. Each case's gradients are checked all the same,
    and ``failing`` (smallest_failure's) gets each key that fails: the keys that passed
    had been tried only on the cases before the first failure, and a learner whose every
    dW is wrong for m >= 12 scored 75."""
    def run(dims, m, seed):
        case = _case(model, dims, m, seed)
        try:
            report = check_case(model, function, dims, m, seed)
        except (LearnerCrashError, ReturnError) as err:
            _crashed_on(case, err, crashed)
            raise AssertionError(str(err)) from None  # one bug, as in smallest_failure
        if failing is not None and not report.passed:
            _note_failures(failing, case, report)

    smallest = edge_cases(model)[0][0]
    # every m on the smallest network too: hypothesis draws small integers unevenly (60
    # random cases of seed 0 have no m of 3, 4, 9, 15 or 16), and a crash on m == 3 was
    # found only by its "explain" phase's extra runs, which the grader no longer makes
    for dims, m in edge_cases(model) + [(smallest, m) for m in range(2, MAX_M)]:
        with contextlib.suppress(AssertionError):
            run(dims, m, 0)
    _search(model, examples, run)  # (the smallest crash is in ``crashed``)


def edge_cases(model: CourseModel) -> list[tuple[list, int]]:
    """(layer_dims, m) at the random cases' bounds, which hypothesis seldom draws: every
    number of layers the model takes (up to MAX_LAYERS; 20 random cases had no 3-layer
    network), every width 1 or MAX_WIDTH, m 1 or MAX_M. Smallest first."""
    lo, hi = model.hidden_layers
    return [([width] * (hidden + 1) + [1], m) for hidden in range(lo, min(hi, MAX_LAYERS - 1) + 1)
            for width in (1, MAX_WIDTH) for m in (1, MAX_M)]


def _case(model: CourseModel, dims: list, m: int, seed: int) -> dict:
    """A random case as the output names it."""
    return {"layer_dims": dims, "m": m, "seed": seed, **_shown(model, seed)}


def _crashed_on(case: dict, err: Exception, crashed: dict | None) -> dict:
    """``case`` with the learner's error; kept in ``crashed`` if it is the smallest yet."""
    case = {**case, "error": _why(err)}
    if crashed is not None and _size(case) < _size(crashed.get("case")):
        crashed["case"] = case
    return case


def _size(case: dict | None) -> float:
    """A case's size, to keep the smallest: its units and examples (inf for none)."""
    return float("inf") if case is None else sum(case["layer_dims"]) + case["m"]


def _note_failures(failing: dict, case: dict, report) -> None:
    """Keep, for each key ``report`` fails, the smallest case (fewest units and examples)."""
    size = _size(case)
    for row in report.rows:
        if not row.passed and row.status != "extra" and (
                row.key not in failing or size < failing[row.key][0]):
            failing[row.key] = (size, f"{row.status} on {_case_text(case)}: "
                                      f"{row.message or 'differs'}")


def draw_case(model: CourseModel, case, report, out_dir) -> str:
    """The case's graph with the disagreeing gradients outlined: its .svg path (or .dot
    without a renderer)."""
    X, Y, params = random_case(model, case["layer_dims"], case["m"], case["seed"])
    P = {k: al.Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    cost = model.engine(P, X, Y, **case_options(model, case["seed"]))
    cost.name = "J"
    cost.backward(retain_graph=True)
    graph = al.draw(cost, compare=report, show_values=False)
    try:  # (a folder that cannot be written must not cost the grade: it is said instead)
        os.makedirs(out_dir, exist_ok=True)
        path = graph.render_to(os.path.join(out_dir, "counterexample.dot"))
    except OSError as err:
        return f"not written ({out_dir}: {err.strerror or err})"
    try:
        return graph.render_to(os.path.join(out_dir, "counterexample.svg"))
    except al.RenderError:
        return path


def _traceback_text(frames: list, raised: BaseException) -> str:
    """A traceback of ``frames`` alone (a SyntaxError's own lines say where, with none)."""
    head = ["Traceback (most recent call last):\n", *traceback.format_list(frames)] \
        if frames else []
    return "".join([*head, *traceback.format_exception_only(type(raised), raised)])


def _why(err: LearnerCrashError | ReturnError) -> str:
    """What went wrong in the learner's function: what it returned (no traceback: the
    grader's frames would seem to blame it), or what it raised, with the traceback from the
    learner's function down (the grader's frames above it are left out)."""
    if isinstance(err, ReturnError):
        return f"returned the wrong thing: {err}"
    raised = err.__cause__
    frames = traceback.extract_tb(raised.__traceback__)[1:]  # [0]: _as_learners' call
    text = _traceback_text(frames, raised)
    if isinstance(raised, SystemExit):
        return f"called exit() (SystemExit {raised.code!r}); a graded function must return:\n" \
               f"{text}"
    return f"raised:\n{text}"


def _shown(model: CourseModel, seed: int) -> dict:
    """The options a case names besides its sizes and seed: lambd or keep_prob, which vary."""
    return {k: v for k, v in case_options(model, seed).items() if k in VARIED}


def _case_text(case) -> str:
    return f"layer_dims={case['layer_dims']}, m={case['m']}, seed={case['seed']}" + "".join(
        f", {name}={case[name]}" for name in VARIED if name in case)


def _key_failures(model, function, failing,
                  written: set) -> tuple[list[str], dict[str, list[str]]]:
    """(keys, {key: why it failed}) over the fixed cases and every random case tried
    (``failing``: smallest_failure's); ``written`` gets the inputs the function wrote into."""
    dims = graded_dims(model)
    failures: dict[str, list[str]] = {}
    keys: list[str] = []
    reports = [({"layer_dims": dims, "m": m, "seed": s, **_shown(model, s)},
                check_case(model, function, dims, m, s, written)) for m, s in FIXED_CASES]
    for key, (_, why) in failing.items():
        failures.setdefault(key, []).append(why)
    for case, report in reports:
        for row in report.rows:
            if row.status == "extra":
                continue
            if row.key not in keys:
                keys.append(row.key)
            if not row.passed:
                failures.setdefault(row.key, []).append(
                    f"{row.status} on {_case_text(case)}: {row.message or 'differs'}")
    return keys, failures


def grade(path, model_name=None, examples=100, out_dir="grader_out", points=100.0,
          visibility="visible", time_limit: float | None = TIME_LIMIT,
          function: str | None = None, on_stuck=None,
          total_time_limit: float | None = TOTAL_TIME_LIMIT) -> dict:
    """Gradescope's results.json for the learner's file at ``path``, as a dict: score (out
    of ``points``), execution_time, output, and tests[] (name, score, max_score, status,
    output, visibility), one per gradient key; extra_data holds the model, the function,
    the smallest failing case and its diagram's path. ``time_limit``: seconds each call of
    the learner's code may run (its import, its function), else it scores 0 (None or 0: no
    limit; there is none either outside the main thread, or on Windows);
    ``total_time_limit``: seconds all its calls may run together (None or 0: no limit; it
    is checked between calls where there is no per-call timer). ``model_name`` and
    ``function`` pick what is graded, for a file that defines more than one graded function
    (by default the one with the longest name). ``on_stuck(results)``: called from a
    watchdog thread, with a score of 0, if a call runs GRACE seconds past the limit (the
    learner caught the timeout inside its loop, or turned SIGALRM off); it must end the
    process (the CLI writes the results and exits), as the stuck call cannot be stopped."""
    with _beside(path), _watchdog(path, time_limit, on_stuck, points, visibility):
        _limit.update(seconds=time_limit, total=total_time_limit, spent=0.0, printed=0,
                      profiler=sys.getprofile())
        try:
            return _capped(_graded(path, (model_name, function), examples, out_dir, points,
                                   visibility))
        except (LearnerError, LearnerCrashError, ReturnError):
            raise
        except Exception as err:  # not the learner's: say so, and give no score
            raise GraderError(f"grade {path}: the grader itself failed ({type(err).__name__}: "
                              f"{err}); this is not the learner's fault, and no score was "
                              "given. Rerun with --debug for the traceback, and report it"
                              ) from err
        finally:
            _limit.update(seconds=None, total=None)


@contextlib.contextmanager
def _watchdog(path, seconds, on_stuck, points, visibility):
    """A daemon thread that gives ``on_stuck`` a score of 0 once a call of the learner's
    code has run GRACE seconds past the limit; nothing without ``on_stuck`` or a limit."""
    if on_stuck is None or not seconds:
        yield
        return
    stop, start = threading.Event(), time.monotonic()

    def watch():
        while not stop.wait(0.25):
            since = _limit["since"]
            if since is not None and time.monotonic() - since > seconds + GRACE:
                on_stuck(_zero(f"{path}: the learner's code ran past the {seconds:g} s time "
                               "limit and did not stop when told (it caught the timeout "
                               "inside its loop, or turned SIGALRM off): an endless loop?",
                               points, visibility, time.monotonic() - start, path))
                return

    thread = threading.Thread(target=watch, name="grader watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def _graded(path, picked, examples, out_dir, points, visibility) -> dict:
    start, model = time.monotonic(), None
    grader = _grader_state()
    try:
        learner, model, function = _learners_function(path, picked, grader)
        failing: dict = {}
        tried: list = []
        crashed: dict = {}
        found = smallest_failure(model, function, examples, failing, tried, crashed)
        # it saw only the cases run before its first failure and shrinking: a crash it
        # missed, or one smaller than the crash it met, is looked for apart
        smallest_crash(model, function, examples, crashed, failing)
        if crashed:  # (raised on some case: 0, whatever else it got wrong)
            error = LearnerError(f"{model.learner} on {_case_text(crashed['case'])}: "
                                 f"{crashed['case']['error']}")
            error.case = crashed["case"]
            raise error
        written: set = set()
        keys, failures = _key_failures(model, function, failing, written)
        if (why := _restored(grader)) is not None:
            raise LearnerError(why)
    except (LearnerError, LearnerTimeout) as err:
        _restored(grader)
        message, case = _reason(err)
        return _zero(message, points, visibility, time.monotonic() - start, path, model, case)
    except (LearnerCrashError, ReturnError) as err:  # the learner's function raised on a fixed case
        _restored(grader)
        return _zero(f"{path if model is None else model.learner} {_why(err)}", points,
                     visibility, time.monotonic() - start, path, model)
    except Exception:  # the grader failed: the learner's function replaced a part of it?
        if (why := _restored(grader)) is not None:
            return _zero(why, points, visibility, time.monotonic() - start, path, model)
        raise
    diagram = None if found is None else draw_case(model, found[0], found[1], out_dir)
    share = points / len(keys)
    summary = _summary(path, learner, model, len(tried), found, diagram, failures) + (
        f"\nnote: {model.learner} writes into its inputs ({', '.join(sorted(written))}): "
        "graded on what it returned, but the course calls it again with the same arrays, "
        "so training would go wrong; compute new arrays instead" if written else "")
    # the diagram's case is named under the keys it shows wrong
    shown = set() if found is None else {r.key for r in found[1].rows if not r.passed}
    smallest = "" if found is None else (f"\nsmallest failing case: {_case_text(found[0])}; "
                                         f"its diagram: {diagram}")
    tests = [{"name": f"{model.learner}: {key}", "score": 0.0 if key in failures else share,
              "max_score": share, "status": "failed" if key in failures else "passed",
              "output": "\n".join(failures[key]) + (smallest if key in shown else "")
              if key in failures else f"{key} equals the engine's {_graded_as(key)} on every "
                                      "case tried",
              "visibility": visibility} for key in keys]
    passed = sum(key not in failures for key in keys)
    return {"score": points * passed / len(keys),  # exact when every key passes
            "execution_time": round(time.monotonic() - start, 3),
            "output": summary, "visibility": visibility, "tests": tests,
            "extra_data": {"learner": path, "model": model.name, "function": model.learner,
                           "cases": len(tried) + len(FIXED_CASES),  # those run
                           "counterexample": None if found is None else found[0],
                           "diagram": diagram, "wrote_into": sorted(written)}}


def _reason(err: LearnerError | LearnerTimeout) -> tuple[str, dict | None]:
    """Why the learner scores 0, and the case it happened on: a LearnerTimeout names it
    (no traceback: where the timer struck says little)."""
    if isinstance(err, LearnerError):
        return str(err), getattr(err, "case", None)
    case = None if err.case is None else {**err.case, "error": str(err)}
    return str(err) + ("" if case is None else f", on {_case_text(case)}"), case


def _learners_function(path, picked: tuple, grader: dict) -> tuple:
    """(the learner's module, the model it is graded as, its function): a LearnerError if
    the file fails to import, defines no graded function, replaced a part of the grader
    (al.check_gradients = a function that passes everything), or imported the function
    from the library (both scored 100)."""
    learner = load_learner(path)
    try:
        model = for_learner(learner, *picked)
    except LookupError as err:
        raise LearnerError(f"grade: {path}: {err}") from None
    function = getattr(learner, model.learner)
    if (why := _restored(grader)) is not None:
        raise LearnerError(why)
    owner = getattr(function, "__module__", None) or ""
    if owner.split(".")[0] in ("nn", "autograd_lite", "numpy"):
        raise LearnerError(f"grade: {path}: {model.learner} is {owner}'s, imported, not "
                           "written: the learner's file must define it")
    return learner, model, function


def _grader_state() -> dict:
    """What a learner's file could replace to change its grade: every attribute of the
    modules of numpy, autograd_lite and nn (al.check_gradients = a function that passes
    everything scored 100; nn.grading.FIXED_CASES = () broke the grader), and of the
    classes that autograd_lite and nn define (GradientReport.passed), by owner and name."""
    state = {}
    for name, module in list(sys.modules.items()):
        root = name.split(".")[0]
        if root not in ("numpy", "autograd_lite", "nn") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if root == "numpy" and not callable(value):  # (numpy's own state may change)
                continue
            state[(module, attr)] = value
            if root != "numpy" and isinstance(value, type) and value.__module__ == name:
                state[(value, None)] = set(vars(value))  # (an attribute added: deleted)
                for key, member in vars(value).items():
                    state[(value, key)] = member
    return state


def _restored(state: dict) -> str | None:
    """Put back what the learner's code replaced of ``state``: why it scores 0, or None."""
    changed = []
    for (owner, attr), value in state.items():
        if attr is None:
            for added in set(vars(owner)) - value:
                delattr(owner, added)
                changed.append(f"{owner.__name__}.{added}")
        elif vars(owner).get(attr, _GONE) is not value:
            setattr(owner, attr, value)
            changed.append(f"{getattr(owner, '__name__', owner)}.{attr}")
    if not changed:
        return None
    return (f"the learner's code replaced {', '.join(sorted(changed)[:5])}"
            f"{' ...' if len(changed) > 5 else ''}, which grading uses; it must define its "
            "function and leave numpy, autograd_lite and nn as they are")


_GONE = object()


def _graded_as(key: str) -> str:
    return "cost" if key == "cost" else "gradient"  # (week 2's cost is a test of its own)


def _summary(path, learner, model, ran, found, diagram, failures) -> str:
    """The top-level output; ``ran``: how many random cases were run."""
    head = f"{path}: {model.learner} ({model.name})"
    others = sorted({m.learner for m in graded_in(learner)} - {model.learner})
    if others:
        head += (f" [the file also defines {', '.join(others)}; this one is graded, --function "
                 "picks another]")
    if found is None and failures and not ran:  # --examples 0: the fixed cases alone
        return (f"{head} is wrong on {', '.join(failures)}, on the fixed cases (no random "
                "ones: --examples 0): each key's test names the cases")
    if found is None and failures:  # right on the first search's cases, wrong on others
        return (f"{head} is wrong on {', '.join(failures)}, on the fixed cases or those of the "
                f"second search (hypothesis's first search passed its {ran} random cases): "
                "each key's test names the cases")
    if found is None:
        return f"{head} passed {ran} random cases and {len(FIXED_CASES)} fixed ones"
    case, report = found
    return (f"{head} is wrong. Smallest failing case: {_case_text(case)}\n{report}\n"
            f"diagram: {diagram}")


def _zero(message, points, visibility, seconds, path=None, model=None,
          crashed_on=None) -> dict:
    """Score 0 with the traceback (or the reason) as the output; extra_data has what is
    known (the learner's path, the model and function once found, and ``crashed_on``, the
    case the function raised on), for a program to read."""
    extra = {} if path is None else {"learner": path}
    if model is not None:
        extra.update(model=model.name, function=model.learner)
    if crashed_on is not None:
        extra["crashed_on"] = crashed_on
    return {"score": 0.0, "execution_time": round(seconds, 3), "output": message,
            "visibility": visibility,
            "tests": [{"name": "the learner's code runs and can be graded", "score": 0.0,
                       "max_score": points, "status": "failed", "output": message,
                       "visibility": visibility}],
            "extra_data": extra}


OUTPUT_CHARS = 20_000  # the most of each output in results.json, and of the learner's prints


def _capped(results: object) -> object:
    """``results`` with every text in it (each output, extra_data's crashed_on error) at most
    OUTPUT_CHARS long, its head and tail kept: a learner's ValueError('x' * 50_000_000)
    wrote a 150 MB results.json in 109 s, and through crashed_on still 50 MB."""
    if isinstance(results, dict):
        for key, value in results.items():
            results[key] = _capped(value)
    elif isinstance(results, list):
        results[:] = [_capped(v) for v in results]
    elif isinstance(results, str) and len(results) > OUTPUT_CHARS:
        head, tail = OUTPUT_CHARS * 2 // 3, OUTPUT_CHARS // 3
        return (f"{results[:head]}\n... ({len(results) - head - tail:,} characters left "
                f"out) ...\n{results[-tail:]}")
    return results


def _left_to_print(size: int) -> int:
    """How much of the learner's printing may still pass before ``size`` more, counted."""
    left = OUTPUT_CHARS - _limit["printed"]
    _limit["printed"] += size
    return left


class _BoundedOutput:
    """The learner's prints, passed on up to OUTPUT_CHARS over the whole grade, then
    dropped, said once: a learner printing in its loop sent 1 GB through the grader. The
    stream's other attributes are its own (encoding, buffer: a notebook's
    io.TextIOWrapper(sys.stdout.buffer) at its top level failed to import)."""

    def __init__(self, out) -> None:
        self.out = out

    def __getattr__(self, name: str):
        if name.startswith("__"):  # (copy's and pickle's probes: not the stream's)
            raise AttributeError(name)
        if name == "buffer":  # the bytes beneath, bounded too, and not closed by a wrapper
            return _BoundedBytes(self.out.buffer, self)  # a learner drops
        return getattr(self.out, name)

    def write(self, text: str) -> int:
        left = _left_to_print(len(text))
        if left > 0:
            self.out.write(text[:left])
            if len(text) >= left:
                self.out.write("\n[the grader shows no more of the learner's printing]\n")
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)


class _BoundedBytes:
    """_BoundedOutput's buffer: bytes counted against the same limit, and a close() that
    leaves the grader's stream open (a learner's io.TextIOWrapper(sys.stdout.buffer),
    dropped, closed the real stdout, and the command ended in an internal error)."""

    def __init__(self, raw, text: _BoundedOutput) -> None:
        self.raw, self.text = raw, text

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.raw, name)

    def write(self, data) -> int:
        left = _left_to_print(len(data))
        if left > 0:
            self.raw.write(bytes(data[:left]))
        return len(data)

    def close(self) -> None:
        self.flush()

    def flush(self) -> None:
        self.out.flush()


def unfinished(path, points, visibility) -> dict:
    """The results that stand while a grade runs: score 0, saying why, left in place when
    the learner's code ends the process (os._exit, a signal) before a score is given."""
    return _zero(f"{path}: grading did not finish: the learner's code ended the process "
                 "(os._exit, a signal, a crash of Python, or the autograder's own time "
                 "limit) before a score was given. Score 0.", points, visibility, 0.0, path)


def interrupted(path, points, visibility) -> dict:
    """The results left when a KeyboardInterrupt ends a grade: a Ctrl-C, or the learner's
    code raising it (the placeholder blamed os._exit or a signal)."""
    return _zero(f"{path}: grading was interrupted (KeyboardInterrupt: a Ctrl-C, or the "
                 "learner's code raised it) before a score was given. Score 0.", points,
                 visibility, 0.0, path)


def print_summary(results: dict, out=None) -> None:
    """What the grade command prints: the output, then the score."""
    total = sum(t["max_score"] for t in results["tests"])
    print(results["output"], file=out)
    print(f"score {results['score']:.2f} / {total:.2f}", file=out)
