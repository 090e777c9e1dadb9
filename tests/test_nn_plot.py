"""nn.plot: the course's three figures, rendered headless (Agg) to PNG. Each must draw
something (not one flat colour) and carry the course's labels and title."""

import io

import numpy as np
import pytest

import nn
import nn.cli

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def png_pixels(fig):
    """The figure rendered as a PNG (checked by its signature), read back as pixels."""
    from matplotlib.image import imread

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(data))


def assert_not_blank(pixels, share=0.01):
    """More than ``share`` of the pixels differ from the background (the corner's colour)."""
    differs = np.any(np.abs(pixels - pixels[0, 0]) > 0.05, axis=-1)
    assert differs.mean() > share, f"only {differs.mean():.3%} of the pixels are drawn"


def test_the_cost_curve_is_the_courses_figure():
    X, Y = nn.planar_flower()
    parameters, costs = nn.shallow.nn_model(X, Y, 4, 600, return_costs=True)
    fig = nn.plot.plot_costs(costs, learning_rate=1.2)
    assert_not_blank(png_pixels(fig))
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iterations (per hundreds)", "cost")
    assert ax.get_title() == "Learning rate =1.2"  # the course's: "Learning rate =" + str(lr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.squeeze(costs))
    with pytest.raises(ValueError, match="plot_costs: costs must be a non-empty list"):
        nn.plot.plot_costs([])


def test_the_decision_boundary_on_the_flower():
    X, Y = nn.planar_flower()
    parameters = nn.shallow.nn_model(X, Y, 4, 1000)
    fig = nn.plot.plot_decision_boundary(lambda x: nn.shallow.predict(parameters, x), X, Y,
                                         "Decision Boundary for hidden layer size 4")
    pixels = png_pixels(fig)
    assert_not_blank(pixels, 0.3)  # the filled regions cover the axes
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    assert ax.get_title() == "Decision Boundary for hidden layer size 4"
    assert len(ax.collections[-1].get_offsets()) == 400  # every example drawn
    with pytest.raises(ValueError, match=r"X should be \(2, m\).*got \(400, 2\)"):
        nn.plot.plot_decision_boundary(lambda x: x[:1], X.T, Y)
    # the course's call: its planar_utils passes points as rows, so the notebooks transpose
    course = nn.plot.plot_decision_boundary(lambda x: nn.shallow.predict(parameters, x.T), X, Y)
    np.testing.assert_array_equal(course.axes[0].collections[0].get_array(),
                                  fig.axes[0].collections[0].get_array())  # the same regions
    with pytest.raises(nn.checks.ShapeError, match=r"X should be \(n_x, m\)"):  # neither: the 1st
        nn.plot.plot_decision_boundary(lambda x: nn.shallow.predict(parameters, x[:1]), X, Y)


def test_the_mislabelled_images_grid():
    rng = np.random.default_rng(0)
    X = rng.random((64 * 64 * 3, 12))  # (12288, m), pixels / 255 as the course prepares them
    y = (rng.random((1, 12)) > 0.5).astype(float)
    p = y.copy()
    wrong = [1, 4, 5, 9, 10, 11, 0]
    p[0, wrong] = 1 - p[0, wrong]
    fig = nn.plot.plot_mislabeled_images(["non-cat", b"cat"], X, y, p, columns=3)
    assert_not_blank(png_pixels(fig), 0.2)
    assert len(fig.axes) == len(wrong)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"Prediction: {['non-cat', 'cat'][int(p[0, i])]}\n"
                      f"Class: {['non-cat', 'cat'][int(y[0, i])]}" for i in sorted(wrong)]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), X[:, 0].reshape(64, 64, 3))
    assert nn.plot.plot_mislabeled_images(["a", "b"], X, y, y).axes[0].get_title() == \
        "no mislabelled images"


def test_the_mislabelled_cats(cat_dir):
    data = nn.load_catvnoncat(cat_dir)
    p = np.zeros_like(data.test_Y)  # "non-cat" for all: every cat is mislabelled
    fig = nn.plot.plot_mislabeled_images(data.classes, data.test_X, data.test_Y, p)
    assert_not_blank(png_pixels(fig), 0.3)
    assert len(fig.axes) == int(data.test_Y.sum()) == 33
    assert fig.axes[0].get_title() == "Prediction: non-cat\nClass: cat"


def test_the_cli_plot_uses_them(tmp_path, capsys, monkeypatch):
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    from nn.cli import main

    saved = []
    savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: saved.append(fig)
                        or savefig(fig, *a, **k))
    path = tmp_path / "flower.png"
    assert main(["train", "shallow", "--iterations", "300", "--no-progress", "--plot",
                 str(path)]) == 0
    assert f"plot: {path}" in capsys.readouterr().out
    assert_not_blank(imread(path), 0.2)
    curve, boundary = saved[0].axes
    assert (curve.get_title(), curve.get_ylabel()) == ("Learning rate =1.2", "cost")
    assert len(curve.lines[0].get_ydata()) == 3  # iterations 0, 100, 200
    assert (boundary.get_xlabel(), boundary.get_ylabel()) == ("x1", "x2")


def test_a_cost_curve_of_one_cost_is_one_point(tmp_path, capsys):
    """A run shorter than 100 iterations records one cost (the course's list at i = 0)."""
    fig = nn.plot.plot_costs([0.693048], 1.2)
    assert fig.axes[0].lines[0].get_ydata().tolist() == [0.693048]
    code = nn.cli.main(["train", "shallow", "--iterations", "1", "--no-progress", "--plot",
                        str(tmp_path / "one.png")])
    assert code == 0 and (tmp_path / "one.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"plot_costs: costs must be a non-empty list of "
                                         r"numbers .* got 1 items of shapes \[\(2,\)\]"):
        nn.plot.plot_costs([np.array([0.5, 0.4])])


def test_bool_and_float_predictions_fill_the_same_red_and_blue_regions():
    """shallow.predict returns bools: contourf of a bool array drew its two regions in the
    colour map's middle (orange and green), where a float one (deep's) draws its ends."""
    X, Y = nn.planar_flower()
    parameters = nn.shallow.nn_model(X, Y, 4, 200)
    as_bool = nn.plot.plot_decision_boundary(lambda x: nn.shallow.predict(parameters, x), X, Y)
    as_float = nn.plot.plot_decision_boundary(
        lambda x: nn.shallow.predict(parameters, x).astype(float), X, Y)
    colours = [fig.axes[0].collections[0].get_facecolor() for fig in (as_bool, as_float)]
    np.testing.assert_array_equal(*colours)
    first, last = colours[0][0], colours[0][-1]
    assert first[0] > first[2] and last[2] > last[0]  # red for 0, blue for 1
