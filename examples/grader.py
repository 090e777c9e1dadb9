"""Grade a learner's hand-written backprop against the engine, by property-based testing:
a thin wrapper of `autograd-lite grade` (nn.grading), which writes Gradescope's
results.json.

    python examples/grader.py examples/learners/deep_wrong.py --json grade.json

The learner's file defines the graded function of one of nn's course models (nn.registry):
propagate (week 2), backward_propagation (week 3), L_model_backward (week 4), or Course 2's
backward_propagation, backward_propagation_with_regularization and
backward_propagation_with_dropout. Each gradient key is a test worth an equal share; a
failure is shrunk to the smallest case, reported as a table and drawn as a diagram
(grader_out/counterexample.svg). `--strict` exits 1 on a score that is not full;
`autograd-lite grade --help` lists the options.
"""

import sys

from nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["grade", *sys.argv[1:]]))
