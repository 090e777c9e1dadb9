"""nn: the "Neural Networks and Deep Learning" course's models, in its notation.

X is (n_x, m), Y is (1, m), W[l] is (n[l], n[l-1]), b[l] is (n[l], 1); parameters are
keyed "W1", "b1", ...; gradients "dW1", "db1", "dA0", ... The backward passes are
hand-derived numpy; each model has an engine twin (autograd_lite) that checks it.
"""

from . import activations, checks, data, deep, init, logistic, shallow
from .checks import ShapeError
from .data import DataError, load_catvnoncat, planar_flower
from .model import Model, ModelFileError, load

__all__ = ["activations", "checks", "data", "deep", "init", "logistic", "shallow", "Model",
           "load", "load_catvnoncat", "planar_flower", "ShapeError", "DataError",
           "ModelFileError"]
