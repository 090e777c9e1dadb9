"""The course's three figures, from Python: the cost curve ("Learning rate = ..."), the
decision boundary on 2-D data (the flower) and the grid of mislabelled cat images.

Each function returns a matplotlib Figure made without pyplot, so it draws headless, in a
thread or a test as in a notebook (where a Figure left as a cell's last expression is
shown) and leaves pyplot's global state alone; ``fig.savefig("costs.png")`` writes it.
Pass ``ax=`` to draw into an Axes of your own instead. Needs matplotlib: install the
``plot`` extra (pip install 'autograd-lite[plot]').
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _figure(ax, figsize):
    """(figure, axes): ``ax``'s own, or a new Figure of one Axes."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("nn.plot needs matplotlib: pip install 'autograd-lite[plot]'"
                          ) from None
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot()


def plot_costs(costs, learning_rate=None, every: int = 100, unit: str = "iteration", ax=None):
    """The course's cost curve: ``costs`` (a list as the course's models return it, one
    cost every ``every`` iterations) against their index, xlabel "iterations (per
    hundreds)", ylabel "cost", title "Learning rate =" + str(learning_rate). Returns the
    Figure."""
    arrays = [np.asarray(c, dtype=float) for c in costs]
    if not arrays or any(a.size != 1 for a in arrays):
        raise ValueError(f"plot_costs: costs must be a non-empty list of numbers (one cost "
                         f"every {every} {unit}s), got {len(arrays)} items of shapes "
                         f"{sorted({a.shape for a in arrays})}")
    values = np.array([a.item() for a in arrays])  # a run of one cost is one point
    fig, ax = _figure(ax, (6, 4))
    ax.plot(values)
    ax.set_ylabel("cost")
    per = "per hundreds" if every == 100 else f"per {every:,}"
    ax.set_xlabel(f"{unit}s ({per})")
    if learning_rate is not None:
        ax.set_title("Learning rate =" + str(learning_rate))  # the course's, spacing and all
    return fig


def plot_decision_boundary(predict: Callable, X, Y, title: str | None = None, ax=None,
                           resolution: float = 0.01):
    """The course's decision boundary on 2-D data: ``predict`` maps points (2, k) to
    predictions (1, k) (as nn.shallow.predict(parameters, .) does), or, as the course's
    planar_utils passes them, points (k, 2) (the notebooks' ``lambda x: predict(parameters,
    x.T)``: tried when the first form raises); the regions it predicts are filled, and the
    examples X (2, m) drawn coloured by their labels Y (1, m). xlabel "x1", ylabel "x2".
    Returns the Figure."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"plot_decision_boundary: X should be (2, m), two features per "
                         f"example, got {X.shape}; use X.T if the examples are rows")
    if Y.size != X.shape[1]:
        raise ValueError(f"plot_decision_boundary: Y should be (1, m) = (1, {X.shape[1]}), "
                         f"got {Y.shape}")
    lo, hi = X.min(axis=1) - 1, X.max(axis=1) + 1
    steps = [min(int((hi[k] - lo[k]) / resolution) + 1, 600) for k in (0, 1)]
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps[0]), np.linspace(lo[1], hi[1], steps[1]))
    Z = _predicted(predict, np.c_[xx.ravel(), yy.ravel()])  # (1, k) for the grid's k points
    if Z.size != xx.size:
        raise ValueError(f"plot_decision_boundary: predict should map points (2, k) to "
                         f"predictions (1, k) with k = {xx.size}, got {Z.shape}")
    fig, ax = _figure(ax, (6, 5))
    # (as floats: a bool Z made two mid-band colours, orange and green, not red and blue)
    ax.contourf(xx, yy, Z.reshape(xx.shape).astype(float), cmap="Spectral")
    ax.scatter(X[0], X[1], c=Y.ravel(), s=40, cmap="Spectral", edgecolors="k", linewidths=0.3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title is not None:
        ax.set_title(title)
    return fig


def _predicted(predict: Callable, grid: np.ndarray) -> np.ndarray:
    """predict's answer for the grid's points (k, 2): given as columns (2, k), nn's form, else
    as rows (k, 2), the course's (its predict(parameters, x.T) raised nn's "use X.T")."""
    try:
        return np.asarray(predict(grid.T))
    except (ValueError, TypeError) as first:
        try:
            return np.asarray(predict(grid))
        except Exception:
            raise first from None


def _name(classes, k) -> str:
    c = classes[int(k)]
    return c.decode("utf-8") if isinstance(c, bytes) else str(c)


def plot_mislabeled_images(classes, X, y, p, columns: int = 5, size=(64, 64, 3)):
    """The course's print_mislabeled_images: every image of X (12288, m) whose prediction
    p (1, m) differs from its label y (1, m), titled "Prediction: <class>" and "Class:
    <class>" (``classes`` as load_catvnoncat gives them), in a grid of ``columns``.
    Returns the Figure (a note when nothing is mislabelled)."""
    X, y, p = np.asarray(X), np.asarray(y).reshape(1, -1), np.asarray(p).reshape(1, -1)
    if X.ndim != 2 or X.shape[0] != int(np.prod(size)) or y.shape != p.shape \
            or y.shape[1] != X.shape[1]:
        raise ValueError(f"plot_mislabeled_images: X should be ({int(np.prod(size))}, m) "
                         f"images, y and p (1, m); got X {X.shape}, y {y.shape}, p {p.shape}")
    wrong = np.flatnonzero(p[0] != y[0])
    rows = max(1, -(-len(wrong) // columns))
    fig, ax = _figure(None, (2.2 * columns, 2.6 * rows))
    if not len(wrong):
        ax.set_axis_off()
        ax.set_title("no mislabelled images")
        return fig
    fig.delaxes(ax)
    scale = 255.0 if X.max() > 1 else 1.0  # raw pixels, or the course's X / 255
    for n, index in enumerate(wrong):
        ax = fig.add_subplot(rows, columns, n + 1)
        ax.imshow(X[:, index].reshape(size) / scale, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(f"Prediction: {_name(classes, p[0, index])}\n"
                     f"Class: {_name(classes, y[0, index])}", fontsize=9)
    fig.tight_layout()
    return fig
