"""autograd_lite: a small, exact reverse-mode autograd engine on numpy.

    >>> from autograd_lite import Tensor
    >>> a = Tensor(2.0, requires_grad=True); b = Tensor(3.0, requires_grad=True)
    >>> e = (a + b) * (b + 1)
    >>> e.backward()
    >>> float(a.grad), float(b.grad)
    (4.0, 9.0)

Diagrams (graphviz) and the hypothesis strategies load only when first used.
"""

import sys

import numpy as np

from . import backward as _backward  # noqa: F401  (attaches Tensor.backward)
from . import numpy_api as _numpy_api  # noqa: F401  (installs numpy's protocols on Tensor)
from . import optim
from .creation import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .creation import check_device as _check_device
from .custom import custom_op
from .functional import grad, hessian, hvp, jacobian, value_and_grad
from .gradcheck import (
    GradcheckError,
    GradientReport,
    check_gradients,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)
from .modes import (
    AnomalyError,
    TraceError,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    missing_name,
    no_grad,
    scope,
    set_grad_enabled,
)
from .ops import (
    OPS,
    abs,
    add,
    astype,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    broadcast_to,
    clip,
    concatenate,
    cos,
    diagonal,
    divide,
    dot,
    exp,
    expand_dims,
    expm1,
    flatten,
    flip,
    gather,
    getitem,
    leaky_relu,
    log,
    log1p,
    log_softmax,
    logaddexp,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    multiply,
    negative,
    norm,
    power,
    relu,
    remainder,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    subtract,
    sum,
    swapaxes,
    take_along_axis,
    tanh,
    transpose,
    tril,
    triu,
    var,
    where,
)
from .spellings import cat, manual_seed  # (also attaches PyTorch's names: t.pow, t.view, ...)
from .tensor import PRIMITIVES, CutOffWarning, Primitive, Tensor

__version__ = "0.1.0"

for _name, _op in OPS.items():  # the registry's function of each op: those with an axis take
    globals()[_name] = _op.function  # PyTorch's dim= and keepdim= too (see ops.py)


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None, *,
           label: str | None = None, device: str | None = None) -> Tensor:
    """PyTorch's spelling of ``Tensor(data, requires_grad=..., dtype=..., name=...)``: numbers,
    (nested) lists and arrays become float arrays (float64 unless ``dtype`` says otherwise).
    ``device``: "cpu" (or None), the one there is, for code that passes its device along.
    (It replaces the attribute of the submodule of the same name; ``from
    autograd_lite.tensor import Tensor`` still works.)"""
    _check_device(device, "tensor")
    return Tensor(data, requires_grad=requires_grad, name=name, dtype=dtype, label=label)


_LAZY = {  # name -> module; imported on first use so that `import autograd_lite` stays cheap
    "draw": "diagram", "render": "diagram", "explain": "diagram", "GraphTooLargeError": "diagram",
    "RenderError": "diagram", "save_diagram": "diagram", "testing": None,
    "compile": "compiler",
}


# PyTorch's dtype names, for Tensor(x, dtype=al.float32) as torch.float32 is written
float16, float32, float64 = np.float16, np.float32, np.float64

_INTS = ("a Tensor holds floats (gradients need them); index with a numpy int array, "
         "np.array(ix) or t.numpy().astype(np.int64)")
# What a PyTorch user types that autograd_lite has no name for, and what to write instead:
# the error says it rather than "no attribute" (an outside tester porting makemore met each)
_PYTORCH_ONLY = {
    **dict.fromkeys(("long", "int", "int64", "int32", "int16", "int8", "uint8", "bool"), _INTS),
    "set_default_dtype": "float64 is the default; give dtype=al.float32 to a tensor, or "
                         "write t.astype(np.float32)",
    "Generator": "use a numpy generator, rng = np.random.default_rng(seed), with "
                 "al.randn(..., rng=rng) (generator= is taken too)",
    "multinomial": "write rng.choice(n, size=k, p=probs.numpy().ravel()) with rng = "
                   "np.random.default_rng(seed) (np.random.choice takes a Tensor's p too)",
    "randint": "write rng.integers(low, high, size) with rng = np.random.default_rng(seed)",
    "randperm": "write rng.permutation(n) with rng = np.random.default_rng(seed)",
    "empty": "write al.zeros(shape)",
    "cross_entropy": "write -al.log_softmax(logits, axis=1)[np.arange(n), y].mean() for logits of "
                     "shape (n, classes) and int labels y (nn.functional has no counterpart)",
    "one_hot": "write np.eye(num_classes)[y], an array, for int labels y",
    "mse_loss": "write ((prediction - target) ** 2).mean()",
    "nn": "there is no torch.nn here: layers are W @ X + b on Tensors that require grad, "
          "with al.optim for the updates; the course's models are the separate nn package "
          "(import nn)",
    "autograd": "write y.backward() then x.grad, or al.grad(f)(x) (JAX's form) for "
                "torch.autograd.grad(y, x)",
    "inference_mode": "write al.no_grad()",
    "from_numpy": "write al.tensor(a) (a copy: a later write into a does not reach it)",
    "as_tensor": "write al.tensor(a) (a copy)",
    "is_tensor": "write isinstance(t, al.Tensor)",
    "allclose": "write np.allclose(a, b) (numpy's functions take Tensors)",
    "equal": "write np.array_equal(a, b) (numpy's functions take Tensors)",
    "jit": "write al.compile(f): it traces f once and replays numpy code (JAX's jit)",
    "vmap": "there is no vmap: put the batch on an axis, X of shape (n_x, m), as the course does",
    "Value": "micrograd's Value(2.0) is al.Tensor(2.0, requires_grad=True)",
    "draw_dot": "micrograd's draw_dot(root) is al.draw(root), a graphviz.Digraph: "
                "al.draw(e).render_to('e.svg'), or show it in Jupyter",
    "Linear": "there are no layer classes: write W @ X + b with W, b Tensors that require grad",
    "cuda": "there is no GPU here: numpy runs on the CPU (t.to('cpu') and t.cpu() are t)",
    "device": "there is no device: numpy runs on the CPU, and t.device is 'cpu'",
    "sort": "write t[np.argsort(t.data)] (indexing keeps the gradient)",
    "topk": "write t[np.argsort(t.data)[-k:]] for the k largest (indexing keeps the gradient)",
    "jvp": "there is no forward mode: al.jacobian(f)(x) gives the whole Jacobian, "
           "al.hvp(f)(x, v) a Hessian-vector product",
    "vjp": "write al.grad(lambda x: (f(x) * v).sum())(x), or y.backward(v) then x.grad",
    "stop_gradient": "write t.detach() (JAX's stop_gradient)",
}


# PyTorch's names of ops, as functions: torch.pow(x, 2) is al.pow(x, 2). (Served here rather
# than bound: `from autograd_lite import *` must not shadow Python's pow.)
_TORCH_FUNCTIONS = {"pow": "power", "mul": "multiply", "sub": "subtract", "div": "divide",
                    "neg": "negative", "clamp": "clip"}


def __getattr__(name):
    if name in _TORCH_FUNCTIONS:
        return globals()[_TORCH_FUNCTIONS[name]]
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
        return module if _LAZY[name] is None else getattr(module, name)
    if name in _PYTORCH_ONLY:
        raise missing_name(__name__, name, _PYTORCH_ONLY[name], sys._getframe(1))
    raise AttributeError(f"module 'autograd_lite' has no attribute {name!r}")


def __dir__():  # tab completion lists the lazy names too (al.dr<TAB> -> draw)
    return sorted(set(globals()) | set(_LAZY) | set(_TORCH_FUNCTIONS))


__all__ = [
    "Tensor", "tensor", "CutOffWarning", "Primitive", "PRIMITIVES", "OPS", "custom_op",
    "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "scope", "detect_anomaly", "AnomalyError", "compile", "TraceError",
    "grad", "value_and_grad", "jacobian", "hessian", "hvp",
    "numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError", "check_gradients",
    "GradientReport", "draw", "render", "explain", "save_diagram", "testing", "optim",
    "add", "subtract", "multiply", "divide", "negative", "power", "remainder", "exp", "log",
    "log1p", "expm1", "sqrt", "square", "reciprocal",
    "abs", "tanh", "sin", "cos", "sigmoid", "relu", "leaky_relu", "maximum", "minimum", "clip",
    "where",
    "logaddexp", "sum", "mean", "var", "std", "max", "min", "norm", "prod", "cumsum",
    "logsumexp", "softmax", "log_softmax",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "matmul", "dot", "outer", "einsum",
    "reshape",
    "flatten", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to", "astype",
    "getitem", "concatenate", "stack", "hstack", "vstack", "tile", "cat", "manual_seed",
    "flip", "tril", "triu", "take_along_axis", "gather", "diagonal",
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "arange",
    "linspace", "randn", "rand", "randn_like", "rand_like", "float16", "float32", "float64",
]
