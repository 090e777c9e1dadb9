"""Course 2, week 1, "Initialization": the same 3-layer network trained from three starts.

The circles data (nn.load_circles()), layers [n_x, 10, 5, 1] relu/relu/sigmoid, lr 0.01,
15,000 iterations. Weights are drawn W1, W2, ... in layer order from RandomState(seed) (the
course's np.random.seed(3), without touching numpy's global state); biases draw nothing.
The forward and backward passes and update_parameters are nn.regularization's (init_utils'
are reg_utils' 3-layer functions).
"""

from __future__ import annotations

from . import init
from .checks import check_examples
from .regularization import (  # (accuracy: the three Course 2 notebooks' is one)
    accuracy,
    grads_and_cost,
    model_layers,
    predict,
    predict_dec,
    update_parameters,
)
from .training import COURSE_LINE_FULL, check_gradients_option, gradient_descent

__all__ = ["initialize_parameters_zeros", "initialize_parameters_random",
           "initialize_parameters_he", "model", "predict", "predict_dec", "accuracy",
           "update_parameters",
           "INITIALIZATIONS"]


def initialize_parameters_zeros(layers_dims):
    """W[l] = zeros (n[l], n[l-1]), b[l] = zeros (n[l], 1): every unit of a layer stays the
    same, so the network is no better than one unit per layer."""
    return init.zeros(layers_dims)


def initialize_parameters_random(layers_dims, seed=3):
    """W[l] = randn(n[l], n[l-1]) * 10, b[l] = 0: large weights saturate the sigmoid."""
    return init.large_random(layers_dims, seed)


def initialize_parameters_he(layers_dims, seed=3):
    """W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), b[l] = 0 (He et al., for relu)."""
    return init.he(layers_dims, seed)


INITIALIZATIONS = {"zeros": initialize_parameters_zeros,
                   "random": initialize_parameters_random,
                   "he": initialize_parameters_he}


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True,
          initialization="he", gradients="hand", seed=3, return_costs=False, layers_dims=None,
          progress=False, callback=None, compile=False):
    """The assignment's model: [n_x, 10, 5, 1] (or ``layers_dims``) by batch gradient
    descent from ``initialization`` ("zeros", "random" or "he"; seed 3 as in the course).

    gradients: "hand" (nn.regularization.backward_propagation) or "engine" (autograd_lite;
    ``compile=True`` replays it with al.compile, the same bits). The cost is recorded and
    printed (print_cost=True by default, as the course's) every 1000 iterations, as "Cost
    after iteration i: J" (inf when the sigmoid
    saturates, as the course prints it); ``callback(i, cost)`` sees every iteration.
    Returns the parameters, or (parameters, costs) with ``return_costs``.

    Shapes: X (n_x, m), Y (1, m)."""
    try:
        make = INITIALIZATIONS[initialization]
    except (KeyError, TypeError):
        raise ValueError(f"model: initialization must be one of {sorted(INITIALIZATIONS)}, "
                         f"got {initialization!r}") from None
    check_gradients_option(gradients, "model", compile)
    X, Y = check_examples(X, Y, "model")
    dims = model_layers(X, layers_dims, (10, 5), "model")
    parameters, costs = gradient_descent(
        make(dims) if initialization == "zeros" else make(dims, seed),
        lambda p: grads_and_cost(p, X, Y, gradients=gradients, compile=compile), learning_rate,
        num_iterations, update=update_parameters,
        print_cost=print_cost, print_every=1000, line=COURSE_LINE_FULL,
        record_every=1000, progress=progress, desc="initialization", callback=callback)
    return (parameters, costs) if return_costs else parameters
