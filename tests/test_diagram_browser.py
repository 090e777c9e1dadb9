"""Diagrams as a reader sees them: the README's pictures (docs/*.svg), the tour notebook's
diagrams and the course models' graphs, opened in headless Chromium. The DOM's getBBox()
says whether any text runs out of its node, and the page whether the drawing is at most
1,000 px wide at 100 % zoom. Skipped, with the reason, where Chromium is not installed
(`apt-get install chromium`; .ci/run installs it); AUTOGRAD_LITE_CHROMIUM names another
binary. The helpers are also used by docs/make_docs.py for its screenshots."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import diagram

ROOT = Path(__file__).resolve().parent.parent
MAX_WIDTH_PX = 1000
# Chromium's own headless mode, no network and nothing kept between runs.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]

# Runs in the page: the box of every text and of the shape of the node (or cluster) that
# holds it, in the SVG's own units, and the drawing's size in CSS px.
MEASURE_JS = """
const svg = document.querySelector('svg');
const size = svg.getBoundingClientRect();
const box = e => { const b = e.getBBox(); return [b.x, b.y, b.width, b.height]; };
const groups = [...svg.querySelectorAll('g.node, g.cluster, g.graph')].map(g => {
  const own = e => e.closest('g.node, g.cluster, g.graph') === g;
  const shape = [...g.querySelectorAll('polygon, ellipse, path')].find(own);
  const texts = [...g.querySelectorAll('text')].filter(own);
  return {kind: g.getAttribute('class'), title: (g.querySelector('title') || {}).textContent,
          shape: shape ? shape.tagName : null, box: shape ? box(shape) : null,
          texts: texts.map(t => [t.textContent, ...box(t)]),
          fonts: texts.map(t => getComputedStyle(t).fontFamily)};
});
const ctx = document.createElement('canvas').getContext('2d');
const wide = font => { ctx.font = font; return ctx.measureText('mean value 0.1234 WWii').width; };
const dejavu = wide('12px "DejaVu Sans", monospace') !== wide('12px monospace');
document.getElementById('result').textContent = JSON.stringify(
  {width: size.width, height: size.height, groups: groups, dejavu: dejavu});
"""


def find_chromium() -> str | None:
    """The Chromium binary: $AUTOGRAD_LITE_CHROMIUM, else chromium, chromium-browser or
    google-chrome on PATH."""
    forced = os.environ.get("AUTOGRAD_LITE_CHROMIUM")
    if forced:
        return shutil.which(forced)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def page(svg: str, script: str = "") -> str:
    """An HTML page holding the SVG inline, at 100 % zoom, with no margin."""
    body = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg.strip(), flags=re.S)
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>body{margin:0;"
            "background:white}</style></head><body>" + body + "<pre id='result'></pre>"
            + (f"<script>{script}</script>" if script else "") + "</body></html>")


def run_chromium(html_text: str, *args: str, timeout: float = 60.0) -> str:
    """Open the page in headless Chromium with ``args`` added; its stdout."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(html_text, encoding="utf-8")
        done = subprocess.run([exe, *FLAGS, f"--user-data-dir={tmp}/profile", *args,
                               path.as_uri()], capture_output=True, text=True,
                              timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def measure(svg: str) -> dict:
    """Chromium's boxes for the SVG: {"width", "height" (CSS px), "groups": [{"kind",
    "title", "shape", "box", "texts": [[text, x, y, w, h], ...], "fonts"}]}."""
    dom = run_chromium(page(svg, MEASURE_JS), "--dump-dom")
    found = re.search(r"<pre id=\"result\">(.*?)</pre>", dom, flags=re.S)
    assert found and found.group(1), f"the page computed nothing:\n{dom[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def screenshot(svg: str, path: str | os.PathLike, margin: int = 8) -> tuple[int, int]:
    """A PNG of the SVG as Chromium draws it at 100 % zoom; returns its size in px."""
    size = measure(svg)
    width, height = int(size["width"] + 0.999) + margin, int(size["height"] + 0.999) + margin
    run_chromium(page(svg), f"--screenshot={os.fspath(path)}",
                 f"--window-size={width},{height}", "--default-background-color=ffffffff")
    return width, height


def overflows(found: dict, tol: float = 0.75) -> list[str]:
    """Each text that runs out of the shape of its node or cluster (or of the page, for
    the graph's own label), as "node title: 'text' ..." lines; [] when all fit."""
    bad = []
    for g in found["groups"]:
        if not g["texts"]:
            continue
        if g["box"] is None:
            bad.append(f"{g['kind']} {g['title']!r}: text {g['texts'][0][0]!r} has no shape")
            continue
        x, y, w, h = g["box"]
        for text, tx, ty, tw, th in g["texts"]:
            corners = [(tx, ty), (tx + tw, ty), (tx, ty + th), (tx + tw, ty + th)]
            if g["shape"] == "ellipse":  # inside the ellipse itself, not only its box
                cx, cy, rx, ry = x + w / 2, y + h / 2, w / 2 + tol, h / 2 + tol
                inside = all(((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 <= 1.0
                             for px, py in corners)
            else:
                inside = (tx >= x - tol and tx + tw <= x + w + tol
                          and ty >= y - tol and ty + th <= y + h + tol)
            if not inside:
                bad.append(f"{g['kind']} {g['title']!r}: {text!r} at x {tx:.1f}..{tx + tw:.1f}"
                           f" y {ty:.1f}..{ty + th:.1f}, shape {g['shape']} x {x:.1f}.."
                           f"{x + w:.1f} y {y:.1f}..{y + h:.1f}")
    return bad


# ---- what is checked: the README's pictures, the notebook's, the course models' ----------

def readme_svgs() -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((ROOT / "docs").glob("*.svg"))}


def notebook_svgs() -> dict[str, str]:
    """The SVGs that examples/tour.ipynb displays, from running its cells up to the last one
    that draws, in a Jupyter kernel."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "examples" / "tour.ipynb", as_version=4)
    drawing = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "draw(" in c.source]
    nb.cells = nb.cells[:drawing[-1] + 1]
    with tempfile.TemporaryDirectory() as tmp:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": tmp}}).execute()
    return {f"tour.ipynb cell {i}": out["data"]["image/svg+xml"]
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.outputs if "image/svg+xml" in out.get("data", {})}


def course_model_graphs() -> dict[str, al.Tensor]:
    """The course's three models as the engine records them, after a backward() that keeps
    the graph and every gradient (the L-layer one is too big to stay drawable otherwise)."""
    import nn

    rng = np.random.default_rng(0)
    X, Y = nn.planar_flower()
    graphs = {}
    w = al.Tensor(np.zeros((2, 1)), requires_grad=True, name="w")
    b = al.Tensor(0.0, requires_grad=True, name="b")
    graphs["logistic regression"] = nn.logistic.cost_engine(w, b, X, Y)
    P = {k: al.Tensor(v, requires_grad=True, name=k)
         for k, v in nn.shallow.initialize_parameters(2, 4, 1).items()}
    graphs["2-layer (shallow)"] = nn.shallow.cost_engine(P, X, Y)
    dims = [12288, 20, 7, 5, 1]  # the course's L-layer cat classifier, on 20 random images
    P = {k: al.Tensor(v, requires_grad=True, name=k)
         for k, v in nn.deep.initialize_parameters_deep(dims).items()}
    Xc, Yc = rng.random((12288, 20)), (rng.random((1, 20)) > 0.5).astype(float)
    graphs["L-layer (deep)"] = nn.deep.L_model_cost_engine(P, Xc, Yc)
    for J in graphs.values():
        J.backward(retain_graph=True, retain_grads=True)
    return graphs


def course_svgs() -> dict[str, str]:
    return {name: al.draw(J).pipe(format="svg", encoding="utf-8")
            for name, J in course_model_graphs().items()}


needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="Chromium is not installed (apt-get install chromium, or set AUTOGRAD_LITE_CHROMIUM)")


def check_in_browser(svgs: dict[str, str]) -> None:
    assert svgs
    problems = []
    for name, svg in svgs.items():
        found = measure(svg)
        assert found["dejavu"], ("Chromium has no DejaVu Sans, so it draws another font than "
                                 "the one measured: apt-get install fonts-dejavu-core")
        if found["width"] > MAX_WIDTH_PX:
            problems.append(f"{name}: {found['width']:.0f} px wide (at most {MAX_WIDTH_PX})")
        problems += [f"{name}: {line}" for line in overflows(found)]
        nodes = [g for g in found["groups"] if g["kind"] == "node"]
        assert nodes and all(g["texts"] for g in nodes), f"{name}: a node without text"
    assert not problems, "\n".join(problems)


@needs_chromium
def test_readme_pictures_fit_their_boxes_and_the_page():
    svgs = readme_svgs()
    assert {"computation_graph.svg", "logistic_step.svg"} <= set(svgs)
    check_in_browser(svgs)


@needs_chromium
def test_notebook_diagrams_fit_their_boxes_and_the_page():
    svgs = notebook_svgs()
    assert len(svgs) >= 2, sorted(svgs)  # the course example and logistic regression
    check_in_browser(svgs)


@needs_chromium
def test_course_models_fit_their_boxes_and_the_page():
    check_in_browser(course_svgs())


@needs_chromium
def test_the_text_is_drawn_in_the_font_it_was_measured_in():
    found = measure(readme_svgs()["logistic_step.svg"])
    fonts = {f for g in found["groups"] for f in g["fonts"]}
    assert fonts == {'"DejaVu Sans"'}, fonts


@needs_chromium
def test_the_checker_sees_an_overflowing_label_and_a_wide_drawing():
    # a label measured in Times but drawn in DejaVu Sans (wider) runs out of its box
    src = ('digraph { node [shape=box fontname="Times-Roman" margin=0] '
           'a [label="WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"] }')
    svg = re.sub(r'font-family="[^"]*"', 'font-family="DejaVu Sans"',
                 diagram.render(src, "svg").decode())
    found = measure(svg)
    assert overflows(found) and "WWWW" in overflows(found)[0]
    wide = diagram.render("digraph { rankdir=LR " + " -> ".join(f"n{i}" for i in range(20))
                             + " }", "svg").decode()
    assert measure(wide)["width"] > MAX_WIDTH_PX
    assert overflows(measure(diagram.render("digraph { a -> b }", "svg").decode())) == []


@needs_chromium
def test_a_screenshot_is_a_png_of_the_drawing(tmp_path):
    svg = readme_svgs()["computation_graph.svg"]
    width, height = screenshot(svg, tmp_path / "shot.png")
    data = (tmp_path / "shot.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (
        width, height)
