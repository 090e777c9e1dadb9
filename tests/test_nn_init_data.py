"""Initializers reproduce the course's seeded draws; the data loaders."""

import h5py
import numpy as np
import pytest

import nn
from nn import init


def test_integer_seed_draws_what_np_random_seed_would():
    state = np.random.get_state()
    try:
        np.random.seed(1)
        W1 = np.random.randn(4, 3) / np.sqrt(3)
        W2 = np.random.randn(1, 4) / np.sqrt(4)
    finally:
        np.random.set_state(state)
    p = init.lecun([3, 4, 1], seed=1)
    np.testing.assert_array_equal(p["W1"], W1)
    np.testing.assert_array_equal(p["W2"], W2)
    assert p["b1"].shape == (4, 1) and not p["b1"].any()


def test_initializers_never_touch_global_state():
    np.random.seed(123)
    expected = np.random.randn()
    np.random.seed(123)
    for name in init.INITIALIZERS:
        init.initialize([5, 3, 1], name, seed=0)
    assert np.random.randn() == expected


@pytest.mark.parametrize("name,scale", [("small_random", lambda a, b: 0.01),
                                        ("he", lambda a, b: np.sqrt(2 / a)),
                                        ("xavier", lambda a, b: np.sqrt(2 / (a + b))),
                                        ("lecun", lambda a, b: 1 / np.sqrt(a))])
def test_scales_and_shapes(name, scale):
    p = init.initialize([6, 5, 1], name, seed=np.random.default_rng(0))
    ref = np.random.default_rng(0)
    np.testing.assert_allclose(p["W1"], ref.standard_normal((5, 6)) * scale(6, 5))
    np.testing.assert_allclose(p["W2"], ref.standard_normal((1, 5)) * scale(5, 1))


def test_zeros_and_bad_arguments():
    assert not any(v.any() for v in init.zeros([3, 2, 1]).values())
    with pytest.raises(ValueError, match="unknown init"):
        init.initialize([3, 1], "magic")
    with pytest.raises(ValueError, match="positive integers"):
        init.he([3, 0, 1])
    with pytest.raises(TypeError, match="seed"):
        init.he([3, 1], seed="one")


def test_planar_flower_matches_the_course():
    X, Y = nn.planar_flower()
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    np.testing.assert_allclose(X.mean(axis=1), [-0.0433, 0.0686], atol=5e-5)
    np.testing.assert_allclose(X[:, 0], [1.2044, 3.5761], atol=5e-5)
    assert (Y[0, :200] == 0).all() and (Y[0, 200:] == 1).all()


def test_load_dataset_is_the_notebooks_and_its_preparation_gives_load_catvnoncat(cat_dir):
    """The Week 2 notebook's code, as written, on nn.load_dataset()."""
    train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = nn.load_dataset(
        cat_dir)
    assert train_set_x_orig.shape == (209, 64, 64, 3) and train_set_x_orig.dtype == np.uint8
    assert test_set_x_orig.shape == (50, 64, 64, 3)
    assert train_set_y.shape == (1, 209) and test_set_y.shape == (1, 50)
    index = 25  # the notebook's example picture, "y = [1], it's a 'cat' picture."
    assert classes[np.squeeze(train_set_y[:, index])].decode("utf-8") == "cat"
    train_set_x = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T / 255.
    test_set_x = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T / 255.
    prepared = nn.load_catvnoncat(cat_dir)
    np.testing.assert_array_equal(train_set_x, prepared.train_X)
    np.testing.assert_array_equal(test_set_x, prepared.test_X)
    np.testing.assert_array_equal(train_set_y, prepared.train_Y)
    assert [c.decode() for c in classes] == prepared.classes


def test_load_catvnoncat(cat_dir):
    d = nn.load_catvnoncat(cat_dir)
    assert d.train_X.shape == (12288, 209) and d.test_X.shape == (12288, 50)
    assert d.train_Y.shape == (1, 209) and d.classes == ["non-cat", "cat"]
    np.testing.assert_allclose(d.train_X[:5, 0] * 255, [17, 31, 56, 22, 33])
    np.testing.assert_allclose(d.test_X[:10, 1] * 255, [115, 110, 111, 137, 129, 129, 155,
                                                         146, 145, 159])
    assert d.train_Y[0, 25] == 1 and d.train_Y[0, 10] == 0
    assert 0 <= d.train_X.min() and d.train_X.max() <= 1


def _write_h5(path, prefix, x, y):
    with h5py.File(path, "w") as f:
        f[f"{prefix}_set_x"] = x
        f[f"{prefix}_set_y"] = y
        f["list_classes"] = np.array([b"non-cat", b"cat"])


def test_catvnoncat_loader_on_small_made_files(tmp_path):
    rng = np.random.default_rng(0)
    _write_h5(tmp_path / "train_catvnoncat.h5", "train",
              rng.integers(0, 256, (3, 64, 64, 3), dtype=np.uint8), np.array([0, 1, 1]))
    _write_h5(tmp_path / "test_catvnoncat.h5", "test",
              rng.integers(0, 256, (2, 64, 64, 3), dtype=np.uint8), np.array([1, 0]))
    d = nn.load_catvnoncat(tmp_path)
    assert d.train_X.shape == (12288, 3) and d.test_Y.tolist() == [[1.0, 0.0]]


def test_catvnoncat_loader_rejects_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        nn.load_catvnoncat(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="train_catvnoncat.h5"):
        nn.load_catvnoncat(tmp_path)
    (tmp_path / "train_catvnoncat.h5").write_text("<html>not found</html>")
    with pytest.raises(nn.DataError, match="not a readable HDF5"):
        nn.load_catvnoncat(tmp_path)
    _write_h5(tmp_path / "train_catvnoncat.h5", "train", np.zeros((2, 8, 8, 3), np.uint8),
              np.array([0, 1]))
    with pytest.raises(nn.DataError, match=r"\(m, 64, 64, 3\)"):
        nn.load_catvnoncat(tmp_path)
    with h5py.File(tmp_path / "train_catvnoncat.h5", "w") as f:
        f["train_set_x"] = np.zeros((2, 64, 64, 3), np.uint8)
    with pytest.raises(nn.DataError, match="lacks"):
        nn.load_catvnoncat(tmp_path)


def test_catvnoncat_loader_reads_utf8_class_names_and_checks_label_values(tmp_path):
    """Variable-length UTF-8 class names load (the metadata checks are not too strict);
    a label 2 is refused, naming it."""
    x = np.zeros((2, 64, 64, 3), np.uint8)
    with h5py.File(tmp_path / "train_catvnoncat.h5", "w") as f:
        f["train_set_x"] = x
        f["train_set_y"] = np.array([0, 1])
        f.create_dataset("list_classes", data=["non-chat", "chat ü"],
                         dtype=h5py.string_dtype())
    _write_h5(tmp_path / "test_catvnoncat.h5", "test", x, np.array([1, 0]))
    assert nn.load_catvnoncat(tmp_path).classes == ["non-chat", "chat ü"]
    _write_h5(tmp_path / "test_catvnoncat.h5", "test", x, np.array([1, 2]))
    with pytest.raises(nn.DataError, match=r"test_set_y .* labels of 0 or 1, found \[2\]"):
        nn.load_catvnoncat(tmp_path)


@pytest.mark.parametrize("seed", [-1, 2 ** 32])
def test_a_seed_out_of_numpys_range_says_which(seed):
    """Model(dims, seed=-1) raised numpy's bare 'Seed must be between 0 and 2**32 - 1'."""
    with pytest.raises(ValueError, match=rf"seed must be an int from 0 to 2\*\*32 - 1 .*got "
                                         rf"{seed}"):
        nn.Model([2, 3, 1], seed=seed)
