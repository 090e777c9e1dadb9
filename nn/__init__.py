"""nn: the "Neural Networks and Deep Learning" course's models, in its notation.

X is (n_x, m), Y is (1, m), W[l] is (n[l], n[l-1]), b[l] is (n[l], 1); parameters are
keyed "W1", "b1", ...; gradients "dW1", "db1", "dA0", ... The backward passes are
hand-derived numpy; each model has an engine twin (autograd_lite) that checks it.

Course 2 ("Improving Deep Neural Networks"): nn.initialization, nn.regularization,
nn.gradient_checking, nn.optimization and nn.batchnorm, with the data loaders
load_circles, load_moons and load_football.

nn.registry.COURSE_MODELS is the one table of the course's trained models (data, train
function, gradients, defaults, published results) that the command line, the grader and
the tests read; nn.training holds the one training loop they all run. nn.plot draws the
course's figures (matplotlib, the ``plot`` extra); nn.grading grades a learner's file into
Gradescope's results.json (``autograd-lite grade``).
"""

from . import (
    activations,
    batchnorm,
    checks,
    data,
    deep,
    gradient_checking,
    grading,
    init,
    initialization,
    logistic,
    optimization,
    plot,
    registry,
    regularization,
    shallow,
    training,
)
from .checks import ShapeError
from .data import (
    DataError,
    load_catvnoncat,
    load_circles,
    load_dataset,
    load_football,
    load_moons,
    planar_flower,
)
from .model import Model, ModelFileError, load
from .registry import COURSE_MODELS

__all__ = ["activations", "checks", "data", "deep", "init", "logistic", "shallow", "Model",
           "load", "load_catvnoncat", "load_dataset", "planar_flower", "ShapeError", "DataError",
           "ModelFileError", "initialization", "regularization", "gradient_checking",
           "optimization", "batchnorm", "load_circles", "load_moons", "load_football",
           "registry", "training", "COURSE_MODELS", "plot", "grading"]
