"""Grade a learner's hand-written backprop against the engine, by property-based testing.

    python examples/grader.py examples/learners/deep_wrong.py --json grade.json

The learner's file defines L_model_backward(AL, Y, caches) (week 4) or propagate(w, b, X, Y)
(week 2) in plain numpy. Hypothesis tries many random layer sizes, m and seeds; a failure is
shrunk to the smallest case, reported as a table, drawn as a diagram and scored in JSON.
"""

import argparse
import importlib.util
import json
import os
import sys

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.testing import layer_dims
from nn import deep

# ---- settings ----------------------------------------------------------------------------
EXAMPLES = int(os.environ.get("GRADER_EXAMPLES", 100))  # random cases to try
MAX_LAYERS, MAX_WIDTH, MAX_M = 4, 8, 16
OUT_DIR = "grader_out"  # the counterexample's diagram goes here


def load_learner(path):
    if not os.path.isfile(path):
        sys.exit(f"grader: no learner file at {path}")
    spec = importlib.util.spec_from_file_location("learner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def deep_case(dims, m, seed):
    """Data, parameters (biases off 0 so relu's kink is not hit) and the course's caches."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))  # (n_x, m)
    Y = (rng.random((1, m)) > 0.5).astype(float)  # (1, m)
    params = deep.initialize_parameters_deep(dims, seed=seed, init="lecun")
    for l in range(1, len(dims)):
        params[f"b{l}"] = rng.uniform(0.05, 0.3, (dims[l], 1))  # (n[l], 1)
    return X, Y, params


def check_deep(learner, dims, m, seed):
    X, Y, params = deep_case(dims, m, seed)
    AL, caches = deep.L_model_forward(X, params)  # AL (1, m)
    yours = learner.L_model_backward(AL, Y, caches)
    return al.check_gradients(lambda P: deep.L_model_cost_engine(P, X, Y), params, yours,
                              max_numerical=50), (X, Y, params)


def check_logistic(learner, dims, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    params = {"w": rng.standard_normal((dims[0], 1)), "b": rng.standard_normal((1, 1))}
    grads, _ = learner.propagate(params["w"], float(params["b"][0, 0]), X, Y)
    yours = {"dw": grads.get("dw"), "db": np.reshape(grads.get("db"), (1, 1))}
    cost = lambda P: al.binary_cross_entropy_with_logits(P["w"].T @ X + P["b"], Y)  # noqa: E731
    return al.check_gradients(cost, params, yours, max_numerical=50), (X, Y, params)


def grade(path):
    learner = load_learner(path)
    if hasattr(learner, "L_model_backward"):
        function, check, dims_strategy = "L_model_backward", check_deep, layer_dims(
            1, MAX_LAYERS, 1, MAX_WIDTH)
    elif hasattr(learner, "propagate"):
        function, check, dims_strategy = "propagate", check_logistic, layer_dims(1, 1, 1,
                                                                                 MAX_WIDTH)
    else:
        sys.exit(f"grader: {path} defines neither L_model_backward nor propagate")

    last = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(dims=dims_strategy, m=st.integers(1, MAX_M), seed=st.integers(0, 2**16))
    def prop(dims, m, seed):
        case = {"layer_dims": dims, "m": m, "seed": seed}
        try:
            report, _ = check(learner, dims, m, seed)
        except Exception as err:  # the learner's code crashed: that case fails
            last.update(case=case, report=None, error=f"{type(err).__name__}: {err}")
            raise AssertionError(last["error"]) from err
        if not report.passed:
            last.update(case=case, report=report, error=None)
            raise AssertionError(str(report))

    try:
        prop()
        return {"learner": path, "function": function, "passed": True, "score": 1.0,
                "cases": EXAMPLES, "counterexample": None, "report": None}
    except AssertionError:
        report = last["report"]
        result = {"learner": path, "function": function, "passed": False,
                  "score": 0.0 if report is None else report.score, "cases": EXAMPLES,
                  "counterexample": last["case"], "error": last["error"],
                  "report": None if report is None else report.to_dict()}
        if report is not None:
            result["diagram"] = draw_counterexample(check, learner, last["case"], report)
        result["text"] = str(report) if report is not None else last["error"]
        return result


def draw_counterexample(check, learner, case, report):
    """The counterexample's graph, with the disagreeing gradients outlined."""
    _, (X, Y, params) = check(learner, case["layer_dims"], case["m"], case["seed"])
    P = {k: al.Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    cost = (deep.L_model_cost_engine(P, X, Y) if "W1" in P
            else al.binary_cross_entropy_with_logits(P["w"].T @ X + P["b"], Y))
    cost.name = "J"
    cost.backward(retain_graph=True)
    os.makedirs(OUT_DIR, exist_ok=True)
    graph = al.draw(cost, compare=report, show_values=False)
    path = os.path.join(OUT_DIR, "counterexample.dot")
    graph.render_to(path)
    try:
        return graph.render_to(os.path.join(OUT_DIR, "counterexample.svg"))
    except al.RenderError:
        return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("learner", nargs="?", default="examples/learners/deep_correct.py")
    parser.add_argument("--json", default="grade.json", help="where to write the score")
    args = parser.parse_args(argv)
    result = grade(args.learner)
    if result["passed"]:
        print(f"{args.learner}: {result['function']} passed {result['cases']} random cases")
    else:
        c = result["counterexample"]
        print(f"{args.learner}: {result['function']} is wrong. Smallest failing case: "
              f"layer_dims={c['layer_dims']}, m={c['m']}, seed={c['seed']}")
        print(result["text"])
        if result.get("diagram"):
            print(f"diagram: {result['diagram']}")
    print(f"score {result['score']:.2f} -> {args.json}")
    with open(args.json, "w") as fh:
        json.dump({k: v for k, v in result.items() if k != "text"}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
