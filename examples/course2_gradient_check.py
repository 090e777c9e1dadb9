"""Course 2's gradient checking, two ways, on the notebook's buggy 3-layer backward pass.

The course flattens every gradient into one vector and prints one number, 0.2850931567761623:
"there is a mistake". al.check_gradients compares dW1, db1, ... one by one, against the
engine and against central differences, and names the two planted bugs: dW2 and db1.

    python examples/course2_gradient_check.py
"""

import sys
from pathlib import Path

import autograd_lite as al
from nn import gradient_checking as gc

sys.path.insert(0, str(Path(__file__).resolve().parent / "learners"))
from gradient_check_buggy import backward_propagation_n  # the learner: two planted bugs

# ---- 1-D: J = theta x -----------------------------------------------------------------------
X_1D, THETA = 3, 4
print("1-D check, J = theta x at x = 3, theta = 4:")
gc.gradient_check(X_1D, THETA, print_msg=True)  # prints the verdict and the difference

# ---- N-D: the notebook's test case, X (4, 3), Y (3,), a [4, 5, 3, 1] network ---------------
X, Y, parameters = gc.gradient_check_n_test_case()
cost, cache = gc.forward_propagation_n(X, Y, parameters)
gradients = backward_propagation_n(X, Y, cache)

print("\nThe course's check: one number for all 47 parameters")
difference = gc.gradient_check_n(parameters, gradients, X, Y, print_msg=True)


def learner(P):  # check_gradients hands the parameters, we return the learner's gradients
    _, c = gc.forward_propagation_n(X, Y, P)
    return backward_propagation_n(X, Y, c)


print("\nal.check_gradients: one row per gradient")
report = al.check_gradients(lambda P: gc.cost_engine(P, X, Y), parameters, learner)
print(report)

wrong = [r.key for r in report.rows if r.status == "wrong"]
print(f"\ncourse: difference = {difference!r} (one number: something is wrong)")
print(f"check_gradients: wrong = {wrong}")
assert difference == 0.2850931567761623 and set(wrong) == {"dW2", "db1"}
