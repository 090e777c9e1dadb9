"""Graphs kept for drawing after backward() must not let a training loop grow: a loop that
keeps every cost Tensor (as learners do: costs.append(cost)) may hold at most a few small
graphs more than the same loop without the list."""

import gc
import os
import tracemalloc

import numpy as np

import autograd_lite as al
from nn import deep

# The loop runs 2,500 iterations; the bound does not depend on the count (the graphs
# kept for drawing have a budget), so the quick profile runs 200, which would already hold
# 400 MB if every graph were kept.
ITERATIONS = 2500 if os.environ.get("AUTOGRAD_LITE_PROFILE") == "thorough" else 200


def _train(X, Y, parameters, iterations, keep_costs):
    """The course's engine loop, written as a learner writes it."""
    costs = []
    for _ in range(iterations):
        P = {k: al.Tensor(v, requires_grad=True) for k, v in parameters.items()}
        cost = deep.L_model_cost_engine(P, X, Y)
        cost.backward()
        parameters = {k: v - 0.0075 * P[k].grad for k, v in parameters.items()}
        if keep_costs:
            costs.append(cost)  # the Tensor, graph and all
    return costs


def _growth(keep_costs, X, Y, parameters, iterations):
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    costs = _train(X, Y, parameters, iterations, keep_costs)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(costs) == (iterations if keep_costs else 0)
    return grown


def test_keeping_every_cost_tensor_of_the_cat_model_costs_at_most_20_mb():
    # the week-4 cat network's shapes: W1 alone is 20 x 12288 (2 MB), a new one every step
    rng = np.random.default_rng(0)
    X = rng.random((12288, 8))
    Y = (rng.random((1, 8)) > 0.5).astype(float)
    parameters = deep.initialize_parameters_deep([12288, 20, 7, 5, 1], seed=1)
    without = _growth(False, X, Y, parameters, ITERATIONS)
    with_list = _growth(True, X, Y, parameters, ITERATIONS)
    assert with_list - without < 20e6, (with_list, without)


def test_a_small_graph_per_step_stays_bounded_too():
    # the flower network: every graph is small enough to be kept for drawing
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 400))
    Y = (rng.random((1, 400)) > 0.5).astype(float)
    parameters = deep.initialize_parameters_deep([2, 4, 1], seed=2)
    without = _growth(False, X, Y, parameters, ITERATIONS)
    with_list = _growth(True, X, Y, parameters, ITERATIONS)
    assert with_list - without < 20e6, (with_list, without)
