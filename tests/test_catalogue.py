"""The catalogue of bad inputs: every mistake tried and the error it gets, in one place.

The README's "Common mistakes" table is generated from CATALOGUE (docs/make_docs.py), and
test_readme_table_matches_the_catalogue keeps the two the same.
"""

import re
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as al
import nn
from autograd_lite import Tensor

W4x2 = "np.ones((4, 2))"

# (the mistake, code that makes it, the exception, a fragment of its message)
CATALOGUE = [
    ("W[l] transposed", "nn.deep.L_model_forward(np.ones((2, 5)), "
     "{'W1': np.ones((4, 2)), 'b1': np.zeros((4, 1)), 'W2': np.ones((4, 1)), "
     "'b2': np.zeros((1, 1))})", nn.ShapeError, "W2 should be (n[2], n[1]) = (1, 4), got (4, 1)"),
    ("b[l] as a rank-1 array (n,)", "nn.deep.L_model_forward(np.ones((2, 5)), "
     "{'W1': np.ones((4, 2)), 'b1': np.zeros(4), 'W2': np.ones((1, 4)), 'b2': np.zeros((1, 1))})",
     nn.ShapeError, "b1 should be (n[1], 1) = (4, 1), got (4,) (a rank-1 array: use "
     ".reshape(-1, 1) to make it a column)"),
    ("X with examples as rows", "nn.shallow.forward_propagation(np.ones((5, 2)), "
     "nn.init.he([2, 4, 1], seed=0))", nn.ShapeError, "examples are on the wrong axis; use X.T"),
    ("Y of shape (m,)", "nn.deep.compute_cost(np.full((1, 3), 0.5), np.ones(3))", nn.ShapeError,
     "Y should be (1, m) = (1, 3), got (3,) (a rank-1 array: use Y.reshape(1, -1))"),
    ("Y of shape (m, 1)", "nn.shallow.backward_propagation(nn.init.he([2, 3, 1], seed=0), "
     "nn.shallow.forward_propagation(np.ones((2, 4)), nn.init.he([2, 3, 1], seed=0))[1], "
     "np.ones((2, 4)), np.ones((4, 1)))", nn.ShapeError,
     "Y should be (1, m) = (1, 4), got (4, 1) (transposed: use Y.T)"),
    ("w of shape (n,) in logistic regression", "nn.logistic.propagate(np.zeros(3), 0.0, "
     "np.ones((3, 4)), np.ones((1, 4)))", ValueError, "w should be (n_x, 1), got (3,)"),
    ("a missing parameter", "nn.deep.L_model_forward(np.ones((2, 3)), {'W1': np.ones((1, 2))})",
     KeyError, "missing ['b1']"),
    ("W @ A with mismatched inner sizes", f"Tensor({W4x2}) @ Tensor(np.ones((3, 5)))",
     ValueError, "matmul: cannot apply to shapes (4, 2) and (3, 5): the first's last axis must "
     "equal the second's second-to-last, as W (n[l], n[l-1]) @ A (n[l-1], m)"),
    ("adding shapes that do not broadcast", "Tensor(np.ones((4, 3))) + np.ones((4, 5))",
     ValueError, "add: cannot apply to shapes (4, 3) and (4, 5): shapes must broadcast: compared "
     "from the right, each pair of axes equal or one of them 1, as b (n[l], 1) with Z (n[l], m)"),
    ("backward() on a non-scalar", "(Tensor(np.ones(3), requires_grad=True) * 2).backward()",
     RuntimeError, "Pass grad= an array of shape (3,)"),
    ("backward() with nothing requiring grad", "Tensor(1.0).backward()", RuntimeError,
     "requires_grad=True"),
    ("a second backward() through a freed graph",
     "x = Tensor(2.0, requires_grad=True); y = x * x; y.backward(); y.backward()",
     RuntimeError, "Pass retain_graph=True"),
    ("updating W between forward and backward",
     "W = Tensor(np.ones((2, 2)), requires_grad=True, name='W1'); c = (W @ np.ones((2, 1))).sum();"
     " W.data -= 0.1; c.backward()", RuntimeError, "'W1' of shape (2, 2) was changed in place"),
    ("a numpy function with no engine counterpart", "np.sin(Tensor(1.0, requires_grad=True))",
     TypeError, "numpy.sin on a Tensor has no autograd_lite counterpart"),
    ("out= into a numpy array", "np.exp(Tensor(1.0), out=np.empty(()))", TypeError,
     "out= is not supported"),
    ("strings as data", "Tensor(['a', 'b'])", TypeError, "is not real-valued"),
    ("ragged lists as data", "Tensor([[1, 2], [3]])", TypeError, "cannot make a numeric array"),
    ("item() of a vector", "Tensor([1.0, 2.0]).item()", ValueError, "only one-element tensors"),
    ("if on a vector Tensor", "bool(Tensor([1.0, 2.0]))", ValueError, "is ambiguous"),
    ("log of 0 under detect_anomaly()",
     "with al.detect_anomaly(): al.log(Tensor([0.0, 1.0], requires_grad=True))",
     al.AnomalyError, "use binary_cross_entropy_with_logits"),
    ("a gradient dict with a wrong key", "al.check_gradients(lambda P: al.sum(P['W1'] ** 2), "
     "{'W1': np.ones((1, 2))}, {'dw1': np.ones((1, 2))}).rows[0].message", None,
     "no 'dW1' in your gradients"),
    ("a transposed hand-derived dW", "al.check_gradients(lambda P: al.sum(P['W1'] ** 2), "
     "{'W1': np.ones((1, 2))}, {'dW1': np.ones((2, 1))}).rows[0].message", None,
     "dW1 should have the shape of W1, (1, 2), got (2, 1) (transposed?)"),
    ("an unknown activation", "nn.Model([2, 1], hidden='swish')", ValueError,
     "hidden must be one of"),
    ("a checkpoint with pickled objects", "nn.load(PICKLED)", nn.ModelFileError,
     "contains pickled objects"),
    ("a truncated checkpoint", "nn.load(TRUNCATED)", nn.ModelFileError, "is truncated"),
    ("cat data that is an HTML page", "nn.load_catvnoncat(HTML_DIR)", nn.DataError,
     "not a readable HDF5 file"),
    ("an unsafe expression on the command line", "nn.cli.main(['graph', 'a.__class__', 'a=1'])",
     None, "Attribute is not allowed in an expression"),
]


@pytest.fixture
def files(tmp_path):
    model = nn.Model([2, 3, 1], seed=0)
    good = model.save(tmp_path / "good.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(open(good, "rb").read()[:100])
    pickled = tmp_path / "pickled.npz"
    with open(pickled, "wb") as fh:
        np.savez(fh, W1=np.array([object()], dtype=object))
    html = tmp_path / "html"
    html.mkdir()
    (html / "train_catvnoncat.h5").write_text("<html></html>")
    return {"PICKLED": str(pickled), "TRUNCATED": str(truncated), "HTML_DIR": str(html)}


@pytest.mark.parametrize("mistake,code,error,message", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_catalogue(mistake, code, error, message, files, capsys):
    import nn.cli  # noqa: F401

    env = {"np": np, "al": al, "nn": nn, "Tensor": Tensor, **files}
    if error is None:  # the message is the value of the expression, or printed
        result = eval(code, env)  # noqa: S307  (our own catalogue)
        captured = capsys.readouterr()
        assert message in f"{result}{captured.err}{captured.out}"
        return
    with pytest.raises(error) as err:
        exec(code, env)  # noqa: S102
    assert message in str(err.value)


def render_table() -> str:
    """The README's "Common mistakes" table."""
    rows = ["| mistake | what you get |", "|---|---|"]
    for mistake, _, error, message in CATALOGUE:
        kind = f"`{error.__name__}`: " if error is not None else ""
        rows.append(f"| {mistake} | {kind}{message.replace('|', '&#124;')} |")
    return "\n".join(rows)


def test_readme_table_matches_the_catalogue():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"<!-- mistakes:start -->\n(.*?)\n<!-- mistakes:end -->", readme, re.S)
    assert block, "README.md lacks the generated mistakes table (run python docs/make_docs.py)"
    assert block.group(1).strip() == render_table().strip(), \
        "README's mistakes table is stale: run python docs/make_docs.py"
