"""The catalogue of bad inputs: every mistake tried, and the error it gets, in one place.

Each case is a function that makes the mistake. tests/test_catalogue.py runs them all and
checks each error; docs/make_docs.py writes README.md's "Common mistakes" table from
``MISTAKES`` (``render_table``), and a test keeps the two the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

import autograd_lite as al
import nn
import nn.cli
from autograd_lite import Tensor


class Files(NamedTuple):
    """Bad files for the cases that read one (made by ``make_files``)."""

    pickled: str
    truncated: str
    html_dir: str


class Mistake(NamedTuple):
    """A mistake, the function that makes it, and what the user gets: an exception of
    ``error`` whose message holds ``message`` (or, for ``error`` None, ``message`` in the
    function's value or in what it printed to stderr)."""

    name: str
    make: Callable[[Files], object]
    error: type[BaseException] | None
    message: str


MISTAKES: list[Mistake] = []


def mistake(name: str, error: type[BaseException] | None, message: str):
    """Register the decorated function as the case for ``name``."""
    def register(make):
        MISTAKES.append(Mistake(name, make, error, message))
        return make
    return register


def make_files(directory) -> Files:
    """A pickled checkpoint, a truncated one, and cat data that is an HTML page."""
    directory = Path(directory)
    good = nn.Model([2, 3, 1], seed=0).save(directory / "good.npz")
    truncated = directory / "truncated.npz"
    truncated.write_bytes(Path(good).read_bytes()[:100])
    pickled = directory / "pickled.npz"
    with open(pickled, "wb") as fh:
        np.savez(fh, W1=np.array([object()], dtype=object))
    html = directory / "html"
    html.mkdir()
    (html / "train_catvnoncat.h5").write_text("<html></html>")
    return Files(str(pickled), str(truncated), str(html))


def render_table() -> str:
    """The README's "Common mistakes" table."""
    rows = ["| mistake | what you get |", "|---|---|"]
    for m in MISTAKES:
        kind = f"`{m.error.__name__}`: " if m.error is not None else ""
        rows.append(f"| {m.name} | {kind}{m.message.replace('|', '&#124;')} |")
    return "\n".join(rows)


# ---- the cases: shapes in the course's notation ----------------------------------------------

@mistake("W[l] transposed", nn.ShapeError, "W2 should be (n[2], n[1]) = (1, 4), got (4, 1)")
def w_transposed(files):
    nn.deep.L_model_forward(np.ones((2, 5)), {"W1": np.ones((4, 2)), "b1": np.zeros((4, 1)),
                                              "W2": np.ones((4, 1)), "b2": np.zeros((1, 1))})


@mistake("b[l] as a rank-1 array (n,)", nn.ShapeError,
         "b1 should be (n[1], 1) = (4, 1), got (4,) (a rank-1 array: use .reshape(-1, 1) to "
         "make it a column)")
def b_rank_1(files):
    nn.deep.L_model_forward(np.ones((2, 5)), {"W1": np.ones((4, 2)), "b1": np.zeros(4),
                                              "W2": np.ones((1, 4)), "b2": np.zeros((1, 1))})


@mistake("X with examples as rows", nn.ShapeError, "examples are on the wrong axis; use X.T")
def x_rows(files):
    nn.shallow.forward_propagation(np.ones((5, 2)), nn.init.he([2, 4, 1], seed=0))


@mistake("Y of shape (m,)", nn.ShapeError,
         "Y should be (1, m) = (1, 3), got (3,) (a rank-1 array: use Y.reshape(1, -1))")
def y_rank_1(files):
    nn.deep.compute_cost(np.full((1, 3), 0.5), np.ones(3))


@mistake("Y of shape (m, 1)", nn.ShapeError,
         "Y should be (1, m) = (1, 4), got (4, 1) (transposed: use Y.T)")
def y_column(files):
    parameters = nn.init.he([2, 3, 1], seed=0)
    _, cache = nn.shallow.forward_propagation(np.ones((2, 4)), parameters)
    nn.shallow.backward_propagation(parameters, cache, np.ones((2, 4)), np.ones((4, 1)))


@mistake("w of shape (n,) in logistic regression", ValueError, "w should be (n_x, 1), got (3,)")
def w_rank_1(files):
    nn.logistic.propagate(np.zeros(3), 0.0, np.ones((3, 4)), np.ones((1, 4)))


@mistake("a missing parameter", KeyError, "missing ['b1']")
def missing_parameter(files):
    nn.deep.L_model_forward(np.ones((2, 3)), {"W1": np.ones((1, 2))})


# ---- the engine ------------------------------------------------------------------------------

@mistake("W @ A with mismatched inner sizes", ValueError,
         "matmul: cannot apply to shapes (4, 2) and (3, 5): the first's last axis must equal the "
         "second's second-to-last, as W (n[l], n[l-1]) @ A (n[l-1], m)")
def matmul_sizes(files):
    return Tensor(np.ones((4, 2))) @ Tensor(np.ones((3, 5)))


@mistake("adding shapes that do not broadcast", ValueError,
         "add: cannot apply to shapes (4, 3) and (4, 5): shapes must broadcast: compared from the "
         "right, each pair of axes equal or one of them 1, as b (n[l], 1) with Z (n[l], m)")
def add_shapes(files):
    return Tensor(np.ones((4, 3))) + np.ones((4, 5))


@mistake("backward() on a non-scalar", RuntimeError,
         "Pass gradient= (or grad=) an array of shape (3,)")
def backward_vector(files):
    (Tensor(np.ones(3), requires_grad=True) * 2).backward()


@mistake("backward() with nothing requiring grad", RuntimeError, "requires_grad=True")
def backward_constant(files):
    Tensor(1.0).backward()


@mistake("a second backward() through a freed graph", RuntimeError, "Pass retain_graph=True")
def backward_twice(files):
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    y.backward()


@mistake("updating W between forward and backward", RuntimeError,
         "'W1' of shape (2, 2) was changed in place")
def update_before_backward(files):
    W = Tensor(np.ones((2, 2)), requires_grad=True, name="W1")
    c = (W @ np.ones((2, 1))).sum()
    W.data -= 0.1
    c.backward()


@mistake("a numpy function with no engine counterpart", TypeError,
         "numpy.arctan on a Tensor has no autograd_lite counterpart")
def numpy_arctan(files):
    return np.arctan(Tensor(1.0, requires_grad=True))


@mistake("out= into a numpy array", TypeError, "out= is not supported")
def numpy_out(files):
    return np.exp(Tensor(1.0), out=np.empty(()))


@mistake("strings as data", TypeError, "is not real-valued")
def strings(files):
    return Tensor(["a", "b"])


@mistake("ragged lists as data", TypeError, "cannot make a numeric array")
def ragged(files):
    return Tensor([[1, 2], [3]])


@mistake("item() of a vector", ValueError, "only one-element tensors")
def item_of_vector(files):
    return Tensor([1.0, 2.0]).item()


@mistake("if on a vector Tensor", ValueError, "is ambiguous")
def if_vector(files):
    return bool(Tensor([1.0, 2.0]))


@mistake("log of 0 under detect_anomaly()", al.AnomalyError,
         "use binary_cross_entropy_with_logits")
def log_of_zero(files):
    with al.detect_anomaly():
        return al.log(Tensor([0.0, 1.0], requires_grad=True))


@mistake("the course's sigmoid 1 / (1 + np.exp(-z)) at z = -800", al.AnomalyError,
         "al.sigmoid(z) (or binary_cross_entropy_with_logits) computes it without overflow")
def course_sigmoid_saturated(files):
    with al.detect_anomaly():  # without it: a cost, and NaN gradients (0 * inf), as in torch
        z = Tensor([[-800.0, 1.0]], requires_grad=True)
        return 1 / (1 + np.exp(-z))


# ---- checking gradients, models, files, the command line ---------------------------------------

@mistake("a gradient dict with a wrong key", None, "no 'dW1' in your gradients")
def wrong_key(files):
    return al.check_gradients(lambda p: al.sum(p["W1"] ** 2), {"W1": np.ones((1, 2))},
                              {"dw1": np.ones((1, 2))}).rows[0].message


@mistake("a transposed hand-derived dW", None,
         "dW1 should have the shape of W1, (1, 2), got (2, 1) (transposed?)")
def transposed_dw(files):
    return al.check_gradients(lambda p: al.sum(p["W1"] ** 2), {"W1": np.ones((1, 2))},
                              {"dW1": np.ones((2, 1))}).rows[0].message


@mistake("an unknown activation", ValueError, "hidden must be one of")
def unknown_activation(files):
    return nn.Model([2, 1], hidden="swish")


@mistake("a checkpoint with pickled objects", nn.ModelFileError, "contains pickled objects")
def pickled_checkpoint(files):
    return nn.load(files.pickled)


@mistake("a truncated checkpoint", nn.ModelFileError, "is truncated")
def truncated_checkpoint(files):
    return nn.load(files.truncated)


@mistake("cat data that is an HTML page", nn.DataError, "not a readable HDF5 file")
def html_cat_data(files):
    return nn.load_catvnoncat(files.html_dir)


@mistake("an unsafe expression on the command line", None,
         "'a.__class__' is not allowed in an expression")
def unsafe_expression(files):
    return nn.cli.main(["graph", "a.__class__", "a=1"])
