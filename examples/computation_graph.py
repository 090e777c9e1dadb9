"""The course's computation graph e = (a + b) * (b + 1) at a = 2, b = 3: values,
gradients, the chain rule line by line, and a diagram.

    python examples/computation_graph.py
"""

import autograd_lite as al

# ---- settings ----------------------------------------------------------------------------
A, B = 2.0, 3.0
OUT = "computation_graph.svg"  # .svg, .png or .dot

a = al.Tensor(A, requires_grad=True, name="a")
b = al.Tensor(B, requires_grad=True, name="b")
c = a + b  # c = 5
c.name = "c"
d = b + 1  # d = 4
d.name = "d"
e = c * d  # e = 20
e.name = "e"

print(al.explain(e))  # de/dc = d = 4, de/dd = c = 5; b collects 4 + 5 = 9

e.backward(retain_graph=True, retain_grads=True)  # keep the graph and every gradient
print(f"\ne = {e.item():g}, de/da = {float(a.grad):g}, de/db = {float(b.grad):g}")
assert float(a.grad) == 4.0 and float(b.grad) == 9.0

diagram = al.draw(e)
try:
    print(f"diagram: {diagram.render_to(OUT)}")
except al.RenderError as err:  # no renderer at all: keep the DOT text
    print(f"{err}\ndiagram: {diagram.render_to(OUT.rsplit('.', 1)[0] + '.dot')}")
