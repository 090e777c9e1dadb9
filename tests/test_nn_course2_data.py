"""Course 2's data: circles and moons generated as scikit-learn makes them after the course's
np.random.seed, and the football file read with clear errors."""

import hashlib
import shutil

import numpy as np
import pytest

import nn
from nn import data

FOOTBALL_SHA256 = "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"


def test_circles_and_moons_check_values_and_shapes():
    """Shapes, class balance and the first columns ../shared/data/README.md gives."""
    c = nn.load_circles()
    assert [a.shape for a in c] == [(2, 300), (1, 300), (2, 100), (1, 100)]
    np.testing.assert_allclose(c.train_X[:, 0], [-0.07741354, 0.85260226], atol=5e-9)
    np.testing.assert_allclose(c.test_X[:, 0], [-0.52423739, -0.60910361], atol=5e-9)
    assert c.train_Y.sum() == 150 and c.test_Y.sum() == 50
    m = nn.load_moons()
    assert [a.shape for a in m] == [(2, 300), (1, 300)]
    np.testing.assert_allclose(m.train_X[:, 0], [-0.21687013, 1.01544937], atol=5e-9)
    for a in (*c, *m):
        assert a.dtype == np.float64
    # the inner circle has radius 0.8, the outer 1 (before noise of 0.05)
    r = np.linalg.norm(c.train_X, axis=0)
    assert abs(np.median(r[c.train_Y[0] == 1]) - 0.8) < 0.02
    assert abs(np.median(r[c.train_Y[0] == 0]) - 1.0) < 0.02


def test_generators_leave_numpy_global_state_alone():
    saved = np.random.get_state()
    try:
        np.random.seed(12345)  # a state no course seed would leave behind
        np.random.rand(3)
        before = np.random.get_state()
        nn.load_circles(), nn.load_moons()
        after = np.random.get_state()
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(after[1], before[1])
    assert after[2] == before[2]


# sha256 of X.T and y (float64, C order) as scikit-learn 1.9.1 makes them after
# np.random.seed(s); test_bit_for_bit_with_scikit_learn recomputes them where it is installed.
SKLEARN_DIGESTS = {
    ("circles", 300, 0.05, 1): "041c22d4dc84113a082402405386386ff8fbadf8962d028e911433c4ed888c1d",
    ("circles", 100, 0.05, 2): "0e5a3a5346aee007a158425a7a2b8954c2f0d3cf2a5c0a347bff2d5183d86d41",
    ("moons", 300, 0.2, 3): "e5d652f223f906fa2836bc7e542f49621c6de9d7702336e11147b0fc9cce49ef",
}


def _digest(X, Y):
    h = hashlib.sha256(np.ascontiguousarray(X, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(Y, dtype=np.float64).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("key", sorted(SKLEARN_DIGESTS))
def test_bit_for_bit_digests_of_scikit_learn_output(key):
    which, n, noise, seed = key
    mine = (data.make_circles if which == "circles" else data.make_moons)(n, noise, seed)
    assert _digest(*mine) == SKLEARN_DIGESTS[key]


@pytest.mark.parametrize("which, n, noise, seed", [("circles", 300, 0.05, 1),
                                                    ("circles", 100, 0.05, 2),
                                                    ("moons", 300, 0.2, 3),
                                                    ("moons", 51, 0.1, 7)])
def test_bit_for_bit_with_scikit_learn(which, n, noise, seed):
    """The course's own recipe: np.random.seed(s) then sklearn.datasets.make_*."""
    datasets = pytest.importorskip("sklearn.datasets")
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        make = datasets.make_circles if which == "circles" else datasets.make_moons
        X, y = make(n_samples=n, noise=noise)
    finally:
        np.random.set_state(saved)
    mine = (data.make_circles if which == "circles" else data.make_moons)(n, noise, seed)
    np.testing.assert_array_equal(mine[0], X.T)
    np.testing.assert_array_equal(mine[1], y.reshape(1, -1))
    key = (which, n, noise, seed)
    if key in SKLEARN_DIGESTS:
        assert _digest(X.T, y.reshape(1, -1)) == SKLEARN_DIGESTS[key]


def test_football_loads_as_the_course_transposes_it(football_dir):
    assert hashlib.sha256((football_dir / "data.mat").read_bytes()).hexdigest() == \
        FOOTBALL_SHA256
    d = nn.load_football(football_dir)
    assert [a.shape for a in d] == [(2, 211), (1, 211), (2, 200), (1, 200)]
    np.testing.assert_allclose(d.train_X[:, 0], [-0.158986, 0.423977], atol=5e-7)
    np.testing.assert_allclose(d.test_X[:, 0], [-0.35306235, -0.67390181], atol=5e-9)
    assert (d.train_Y.sum(), d.test_Y.sum()) == (106, 87)
    assert all(a.dtype == np.float64 for a in d)


def test_football_reads_FOOTBALL_DIR(football_dir, monkeypatch):
    monkeypatch.setenv("FOOTBALL_DIR", str(football_dir))
    assert nn.load_football().train_X.shape == (2, 211)


def test_football_errors(tmp_path, monkeypatch, football_dir):
    monkeypatch.delenv("FOOTBALL_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="FOOTBALL_DIR"):
        nn.load_football()
    with pytest.raises(FileNotFoundError, match="football data: directory"):
        nn.load_football(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="data.mat not found"):
        nn.load_football(tmp_path)
    (tmp_path / "data.mat").write_text("version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(nn.DataError, match="not a readable MATLAB file.*LFS"):
        nn.load_football(tmp_path)
    scipy_io = pytest.importorskip("scipy.io")
    good = scipy_io.loadmat(football_dir / "data.mat")
    scipy_io.savemat(tmp_path / "data.mat", {"X": good["X"], "y": good["y"]})
    with pytest.raises(nn.DataError, match=r"lacks the key\(s\) \['Xval', 'yval'\]"):
        nn.load_football(tmp_path)
    scipy_io.savemat(tmp_path / "data.mat", dict(X=good["X"].T, y=good["y"], Xval=good["Xval"],
                                                 yval=good["yval"]))
    with pytest.raises(nn.DataError, match=r"X in .* should be a \(211, 2\) numeric array, "
                                           r"got \(2, 211\)"):
        nn.load_football(tmp_path)
    scipy_io.savemat(tmp_path / "data.mat", dict(X=good["X"], y=good["y"] * 3,
                                                 Xval=good["Xval"], yval=good["yval"]))
    with pytest.raises(nn.DataError, match="y in .* labels 0 or 1"):
        nn.load_football(tmp_path)


def test_football_without_scipy_says_how_to_install_it(tmp_path, monkeypatch, football_dir):
    shutil.copy(football_dir / "data.mat", tmp_path / "data.mat")
    monkeypatch.setitem(__import__("sys").modules, "scipy.io", None)  # import fails
    with pytest.raises(ImportError, match=r"autograd-lite\[football\]"):
        nn.load_football(tmp_path)
