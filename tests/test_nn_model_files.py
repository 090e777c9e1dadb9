"""nn.Model: fit/predict/accuracy, and save/load that refuse every kind of bad file."""

import os
import stat
import zipfile

import numpy as np
import pytest

import nn


def _trained():
    X, Y = nn.planar_flower()
    model = nn.Model([2, 5, 1], hidden="tanh", init="xavier", seed=0)
    costs = model.fit(X, Y, learning_rate=1.0, num_iterations=300, progress=False)
    return model, X, Y, costs


def test_fit_lowers_the_cost_and_predicts():
    model, X, Y, costs = _trained()
    assert costs[-1] < costs[0]
    assert model.predict(X).shape == (1, 400)
    assert 0.5 < model.accuracy(X, Y) <= 1.0
    assert len(costs) == 4  # iterations 0, 100, 200 and the last


def test_hand_and_engine_fits_agree():
    X, Y = nn.planar_flower()
    a = nn.Model([2, 3, 1], init="he", seed=5)
    b = nn.Model([2, 3, 1], init="he", seed=5)
    ca = a.fit(X, Y, 0.5, 50, gradients="hand", progress=False)
    cb = b.fit(X, Y, 0.5, 50, gradients="engine", progress=False)
    np.testing.assert_allclose(ca, cb, rtol=1e-10)
    for k in a.parameters:
        np.testing.assert_allclose(a.parameters[k], b.parameters[k], rtol=1e-9, atol=1e-12)


def test_save_and_load_round_trip(tmp_path):
    model, X, Y, _ = _trained()
    path = model.save(tmp_path / "m.npz")
    loaded = nn.load(path)
    assert loaded.layer_dims == [2, 5, 1] and loaded.hidden == "tanh"
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


def test_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    model, *_ = _trained()
    path = tmp_path / "m.npz"
    model.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]


def _save_raw(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _good_arrays(model):
    return dict(model.parameters, layer_dims=np.array(model.layer_dims),
                hidden=np.array("tanh"), output=np.array("sigmoid"), init=np.array("xavier"),
                format_version=np.array(1))


def test_load_refuses_bad_files(tmp_path):
    model, *_ = _trained()
    good = tmp_path / "good.npz"
    model.save(good)

    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(nn.ModelFileError, match="truncated"):
        nn.load(truncated)

    pickled = tmp_path / "pickled.npz"
    arrays = _good_arrays(model)
    arrays["W1"] = np.array([{"evil": 1}], dtype=object)
    with open(pickled, "wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(nn.ModelFileError, match="pickled"):
        nn.load(pickled)

    arrays = _good_arrays(model)
    del arrays["b2"]
    _save_raw(tmp_path / "missing_key.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match=r"missing \['b2'\]"):
        nn.load(tmp_path / "missing_key.npz")

    arrays = _good_arrays(model)
    arrays["W2"] = arrays["W2"].T
    _save_raw(tmp_path / "shape.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match=r"W2 should be \(n\[2\], n\[1\]\) = \(1, 5\)"):
        nn.load(tmp_path / "shape.npz")

    arrays = _good_arrays(model)
    arrays["b1"] = arrays["b1"] + np.nan
    _save_raw(tmp_path / "nan.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match="b1.*NaN"):
        nn.load(tmp_path / "nan.npz")

    arrays = _good_arrays(model)
    del arrays["layer_dims"]
    _save_raw(tmp_path / "meta.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match="layer_dims"):
        nn.load(tmp_path / "meta.npz")

    arrays = _good_arrays(model)  # two output units: a Model has one
    arrays.update(layer_dims=np.array([2, 5, 2]), W2=np.ones((2, 5)), b2=np.zeros((2, 1)))
    _save_raw(tmp_path / "two_outputs.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match=r"layer_dims \[2, 5, 2\] must end in 1"):
        nn.load(tmp_path / "two_outputs.npz")

    arrays = _good_arrays(model)
    arrays["W3"] = np.ones((1, 1))
    _save_raw(tmp_path / "extra.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match=r"extra \['W3'\]"):
        nn.load(tmp_path / "extra.npz")

    arrays = _good_arrays(model)
    arrays["W1"] = np.where(np.arange(10).reshape(5, 2) == 3, np.inf, arrays["W1"])
    _save_raw(tmp_path / "inf.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match="W1.*NaN or inf"):
        nn.load(tmp_path / "inf.npz")

    arrays = _good_arrays(model)
    arrays["b1"] = np.zeros((5, 1), dtype=np.int64)
    _save_raw(tmp_path / "int.npz", **arrays)
    with pytest.raises(nn.ModelFileError, match="b1.*int64, expected floats"):
        nn.load(tmp_path / "int.npz")

    not_zip = tmp_path / "text.npz"
    not_zip.write_text("hello")
    with pytest.raises(nn.ModelFileError):
        nn.load(not_zip)
    assert zipfile.is_zipfile(good)


def test_load_accepts_what_numpy_writes(tmp_path):
    """The header checks are not stricter than numpy: compressed members, Fortran order,
    float32 and big-endian parameters all load, as float64 with the same values."""
    model, X, _, _ = _trained()
    arrays = _good_arrays(model)
    arrays["W1"] = np.asfortranarray(arrays["W1"])
    arrays["b1"] = arrays["b1"].astype(">f8")
    arrays["W2"] = arrays["W2"].astype(np.float32)
    with open(tmp_path / "c.npz", "wb") as fh:
        np.savez_compressed(fh, **arrays)
    loaded = nn.load(tmp_path / "c.npz")
    for k, v in arrays.items():
        if k in loaded.parameters:
            assert loaded.parameters[k].dtype == np.float64
            np.testing.assert_array_equal(loaded.parameters[k], v)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_save_gives_the_usual_file_mode(tmp_path, umask, mode):
    model = nn.Model([2, 1], seed=0)
    old = os.umask(umask)
    try:
        path = model.save(tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert nn.load(path).layer_dims == [2, 1]


@pytest.mark.parametrize("bad", [2, -1, 0.5, np.nan])
def test_fit_refuses_labels_other_than_0_and_1(bad):
    X, Y = nn.planar_flower()
    Y = Y.copy()
    Y[0, 7] = bad
    model = nn.Model([2, 3, 1], seed=0)
    before = {k: v.copy() for k, v in model.parameters.items()}
    with pytest.raises(ValueError, match="labels 0 and 1") as err:
        model.fit(X, Y, num_iterations=2, progress=False)
    assert f"found 1 other value(s): {bad:g}" in str(err.value)
    for k, v in before.items():  # refused before any step
        np.testing.assert_array_equal(model.parameters[k], v)


@pytest.mark.parametrize("record_every", [0, -1, 2.5, "10", True])
def test_fit_refuses_a_bad_record_every(record_every):
    X, Y = nn.planar_flower()
    with pytest.raises(ValueError, match="record_every must be a positive integer"):
        nn.Model([2, 1], seed=0).fit(X, Y, num_iterations=3, progress=False,
                                     record_every=record_every)


@pytest.mark.parametrize("lr", [np.nan, np.inf, -np.inf, 0, -0.1, "0.1", None, True])
def test_fit_refuses_a_bad_learning_rate(lr):
    X, Y = nn.planar_flower()
    model = nn.Model([2, 1], seed=0)
    with pytest.raises(ValueError, match="learning_rate must be a finite positive number"):
        model.fit(X, Y, learning_rate=lr, num_iterations=3, progress=False)
    assert model.costs == []


def test_fit_record_every_and_numpy_scalars():
    X, Y = nn.planar_flower()
    model = nn.Model([2, 3, 1], seed=0)
    costs = model.fit(X, Y.astype(bool), learning_rate=np.float32(0.5),
                      num_iterations=np.int64(7), progress=False, record_every=np.int64(3))
    P, expected = nn.init.he([2, 3, 1], seed=0), []  # Model's default start, stepped by hand
    for _ in range(7):
        AL, caches = nn.deep.L_model_forward(X, P)
        expected.append(nn.deep.compute_cost(AL, Y))
        P = nn.deep.update_parameters(P, nn.deep.L_model_backward(AL, Y, caches), 0.5)
    np.testing.assert_allclose(costs, [expected[i] for i in (0, 3, 6)], rtol=1e-12)


def test_model_argument_errors():
    with pytest.raises(ValueError, match="hidden"):
        nn.Model([2, 1], hidden="swish")
    with pytest.raises(TypeError, match="output"):  # a sigmoid unit, always: no output=
        nn.Model([2, 1], output="softmax")
    with pytest.raises(ValueError, match="layer_dims"):
        nn.Model([2])
    model = nn.Model([2, 1])
    X, Y = nn.planar_flower()
    with pytest.raises(ValueError, match="wrong axis"):
        model.fit(X.T, Y, num_iterations=1, progress=False)
    with pytest.raises(ValueError, match=r"Y should be \(1, m\) = \(1, 400\)"):
        model.fit(X, Y.ravel(), num_iterations=1, progress=False)


def test_the_cost_history_is_saved_and_loaded(tmp_path):
    # a Course 2 learner's loaded model had costs == []: no learning curve to plot
    model, X, Y, costs = _trained()
    model.costs.append(float("inf"))  # the course's saturated sigmoid prints inf: kept
    loaded = nn.load(model.save(tmp_path / "m.npz"))
    assert loaded.costs == costs + [float("inf")] and len(costs) > 1
    more = loaded.fit(X, Y, learning_rate=1.0, num_iterations=2, progress=False)
    assert loaded.costs == costs + [float("inf")] + more  # training goes on from the curve
    _save_raw(tmp_path / "v1.npz", **_good_arrays(model))  # format 1: no history
    assert nn.load(tmp_path / "v1.npz").costs == []


@pytest.mark.parametrize("costs, why", [(np.zeros((2, 2)), "should be a list of at most"),
                                        (np.array([1.0, np.nan]), "contains NaN"),
                                        (np.array(["a"]), "should be a list of at most"),
                                        (np.zeros(3, np.float16), "float64 \\(or float32\\)"),
                                        (np.zeros(2_000_000), "at most 1,000,000")])
def test_a_bad_cost_history_is_refused(tmp_path, costs, why):
    model, *_ = _trained()
    _save_raw(tmp_path / "bad.npz", **_good_arrays(model), costs=costs)
    with pytest.raises(nn.model.ModelFileError, match=why):
        nn.load(tmp_path / "bad.npz")


def test_save_refuses_costs_load_would_and_writes_format_1_without_a_history(tmp_path):
    # a second review: NaN costs saved, then load refused; and every file was format 2,
    # which the previous release cannot read, even with no history to keep
    model = nn.Model([2, 3, 1])
    path = model.save(tmp_path / "m.npz")
    with np.load(path) as f:
        assert int(f["format_version"]) == 1 and "costs" not in f.files
    model.costs = [0.5, float("nan")]
    with pytest.raises(ValueError, match="none of them NaN"):
        model.save(tmp_path / "nan.npz")
    assert not (tmp_path / "nan.npz").exists()


def test_save_refuses_what_load_would_and_writes_int_parameters_as_floats(tmp_path):
    """A NaN W1 and an int W1 were written, and load() refused both files."""
    model = nn.Model([2, 5, 2, 1], seed=1)
    model.parameters["W1"] = np.full((5, 2), np.nan)
    with pytest.raises(ValueError, match=r"save: W1 holds NaN or inf \(a diverged training "
                                         r"run\?\): load\(\) would refuse the file"):
        model.save(tmp_path / "nan.npz")
    assert not (tmp_path / "nan.npz").exists()
    model.parameters["W1"] = np.arange(10).reshape(5, 2)
    model.save(tmp_path / "int.npz")
    loaded = nn.load(tmp_path / "int.npz").parameters["W1"]
    assert loaded.dtype == np.float64 and loaded.tolist() == np.arange(10.0).reshape(5, 2).tolist()
