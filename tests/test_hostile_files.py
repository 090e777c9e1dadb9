"""A hostile-file corpus: each bad checkpoint (.npz) and cat file (.h5) is made here, in a tmp
dir, and must be refused with the right error class and reason, naming the file. The zip bomb
and the oversized declarations are also refused without allocating what they declare
(tracemalloc sees numpy's and h5py's buffers)."""

import io
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

import nn

PEAK_LIMIT = 20 * 2**20  # bytes; every refusal below must stay far under what it declares
BOMB_SHAPE = (4096, 8192)  # float64: 256 MiB


def _peak(fn):
    """(the exception fn raised, or None; the peak traced memory in bytes while it ran)."""
    tracemalloc.start()
    try:
        fn()
    except Exception as err:  # noqa: BLE001  (the caller checks the class)
        return err, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return None, 0


def _good_arrays():
    model = nn.Model([2, 5, 1], hidden="tanh", init="xavier", seed=0)
    return dict(model.parameters, layer_dims=np.array(model.layer_dims),
                hidden=np.array("tanh"), output=np.array("sigmoid"), init=np.array("xavier"),
                format_version=np.array(1))


def _npy_header(shape, dtype="<f8"):
    """The bytes of an .npy header that declares ``shape`` and ``dtype``, with no data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False,
                                               "shape": tuple(shape)})
    return buf.getvalue()


def _npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _write_npz(path, members, compression=zipfile.ZIP_STORED):
    """A zip of ``members`` {name: bytes, or an iterable of byte chunks}, as np.savez lays
    it out ("W1" is stored as "W1.npy")."""
    with zipfile.ZipFile(path, "w", compression, compresslevel=9) as zf:
        for name, data in members.items():
            if isinstance(data, bytes):
                zf.writestr(f"{name}.npy", data)
                continue
            with zf.open(f"{name}.npy", "w", force_zip64=True) as w:
                for chunk in data:
                    w.write(chunk)
    return path


def _members(**replace):
    members = {k: _npy(v) for k, v in _good_arrays().items()}
    members.update(replace)
    return members


def _refused(path, *fragments):
    with pytest.raises(nn.ModelFileError) as err:
        nn.load(path)
    message = str(err.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def _bomb_chunks(header, nbytes):
    yield header
    chunk = bytes(2**22)
    for _ in range(nbytes // len(chunk)):
        yield chunk


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Two ~262 KB zips whose W1 inflates to 256 MiB: one whose header declares those 256 MiB
    (a shape that the metadata's layer_dims [2, 5, 1] does not give), one whose header declares
    W1's right shape (5, 2) in front of 256 MiB of data."""
    d = tmp_path_factory.mktemp("bombs")
    size = int(np.prod(BOMB_SHAPE)) * 8
    consistent = _members(W1=_bomb_chunks(_npy_header(BOMB_SHAPE), size))
    lying = _members(W1=_bomb_chunks(_npy_header((5, 2)), size))
    return (_write_npz(d / "bomb.npz", consistent, zipfile.ZIP_DEFLATED),
            _write_npz(d / "bomb_lying_header.npz", lying, zipfile.ZIP_DEFLATED))


# ---- nn.load ------------------------------------------------------------------------------

def test_good_corpus_file_loads(tmp_path):
    """The corpus's own builder makes loadable files, so each refusal below is about its flaw."""
    model = nn.load(_write_npz(tmp_path / "good.npz", _members()))
    assert model.layer_dims == [2, 5, 1] and model.hidden == "tanh"


def test_npy_saved_under_an_npz_name(tmp_path):
    path = tmp_path / "model.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.ones((5, 2)))
    _refused(path, "single .npy array", "Model.save")


def test_member_declaring_ten_billion_elements(tmp_path):
    path = _write_npz(tmp_path / "huge.npz",
                      _members(W1=_npy_header((10**10,)) + bytes(80)))
    err, peak = _peak(lambda: nn.load(path))
    assert isinstance(err, nn.ModelFileError), repr(err)
    assert str(path) in str(err) and "(10000000000,)" in str(err) and "W1" in str(err)
    assert peak < PEAK_LIMIT


def test_zip_bomb_is_refused_from_the_declared_sizes(bombs):
    bomb, _ = bombs
    assert os.path.getsize(bomb) < 400_000
    err, peak = _peak(lambda: nn.load(bomb))
    assert isinstance(err, nn.ModelFileError), repr(err)
    assert "W1 should be (n[1], n[0]) = (5, 2)" in str(err) and "(4096, 8192)" in str(err)
    assert str(bomb) in str(err)
    assert peak < PEAK_LIMIT, f"load allocated {peak / 2**20:.0f} MiB before refusing"


def test_zip_bomb_behind_a_right_header_is_refused_from_the_declared_sizes(bombs):
    _, bomb = bombs
    err, peak = _peak(lambda: nn.load(bomb))
    assert isinstance(err, nn.ModelFileError), repr(err)
    assert "W1's header declares shape (5, 2) of float64 (80 bytes)" in str(err)
    assert "its zip entry holds 268435456 bytes" in str(err) and str(bomb) in str(err)
    assert peak < PEAK_LIMIT, f"load allocated {peak / 2**20:.0f} MiB before refusing"


def test_zip_directory_declaring_more_than_deflate_can_give(tmp_path):
    path = _write_npz(tmp_path / "forged.npz", _members(), zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    # Forge W1's uncompressed size in the central directory (the sizes zipfile trusts).
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 52] != b"W1.npy":
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 4_000_000_000)
    path.write_bytes(bytes(data))
    err, peak = _peak(lambda: nn.load(path))
    assert isinstance(err, nn.ModelFileError), repr(err)
    assert "more than deflate can produce" in str(err) and "W1" in str(err)
    assert peak < PEAK_LIMIT


@pytest.mark.parametrize("key,value,fragment", [
    ("hidden", np.array("swish"), "hidden is 'swish', expected one of"),
    ("hidden", np.array(3), "hidden should be a string, got shape () of int64"),
    ("hidden", np.array([["tanh"]]), "hidden should be a string, got shape (1, 1)"),
    ("init", np.array("magic"), "init is 'magic', expected one of"),
    ("init", np.array(b"xavier"), "init should be a string, got shape () of |S6"),
    ("output", np.array("softmax"), "output is 'softmax', expected one of ['sigmoid']"),
    ("layer_dims", np.array([2.0, 5.0, 1.0]), "layer_dims should be a list of at least two"),
    ("layer_dims", np.array([[2, 5, 1]]), "layer_dims should be a list of at least two"),
    ("format_version", np.array("1"), "format_version should be an integer"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 16 else None)
def test_bad_metadata(tmp_path, key, value, fragment):
    path = _write_npz(tmp_path / "meta.npz", _members(**{key: _npy(value)}))
    _refused(path, "bad metadata", fragment)


def test_unknown_format_version(tmp_path):
    path = _write_npz(tmp_path / "v3.npz", _members(format_version=_npy(np.array(3))))
    _refused(path, "format_version 3", "reads format_version 1, 2")


def test_symlink_to_a_file_that_is_not_a_zip(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("hello")
    link = tmp_path / "model.npz"
    link.symlink_to(target)
    _refused(link, "not an .npz checkpoint (a zip archive)", "symlink", "notes.txt",
             "begins with b'hello'")


def test_symlink_to_a_directory(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    link = tmp_path / "model.npz"
    link.symlink_to(tmp_path / "checkpoints")
    _refused(link, "is a directory", "symlink", "checkpoints")


def test_dangling_symlink(tmp_path):
    link = tmp_path / "model.npz"
    link.symlink_to(tmp_path / "gone.npz")
    _refused(link, "symlink is dangling", "gone.npz")


def test_a_directory(tmp_path):
    (tmp_path / "dir.npz").mkdir()
    _refused(tmp_path / "dir.npz", "is a directory")


# ---- the cat loader ----------------------------------------------------------------------

def _cat_file(path, x=None, y=None, classes=None):
    """A small valid train_catvnoncat.h5; each of x, y, classes may be replaced by a
    function f(h5file, name) that makes something else under that name."""
    rng = np.random.default_rng(0)
    parts = {"train_set_x": rng.integers(0, 256, (3, 64, 64, 3), dtype=np.uint8) if x is None
             else x,
             "train_set_y": np.array([0, 1, 1]) if y is None else y,
             "list_classes": np.array([b"non-cat", b"cat"]) if classes is None else classes}
    with h5py.File(path, "w") as f:
        for name, part in parts.items():
            if callable(part):
                part(f, name)
            else:
                f[name] = part
    return path


def _cat_refused(tmp_path, *fragments):
    with pytest.raises(nn.DataError) as err:
        nn.load_catvnoncat(tmp_path)
    message = str(err.value)
    assert "train_catvnoncat.h5" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_cat_corpus_file_loads(tmp_path):
    _cat_file(tmp_path / "train_catvnoncat.h5")
    _cat_file(tmp_path / "test_catvnoncat.h5")
    (tmp_path / "test_catvnoncat.h5").unlink()
    with h5py.File(tmp_path / "test_catvnoncat.h5", "w") as f:
        f["test_set_x"] = np.zeros((1, 64, 64, 3), np.uint8)
        f["test_set_y"] = np.array([1])
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    assert nn.load_catvnoncat(tmp_path).train_X.shape == (12288, 3)


def test_cat_group_where_a_dataset_should_be(tmp_path):
    _cat_file(tmp_path / "train_catvnoncat.h5", x=lambda f, name: f.create_group(name))
    _cat_refused(tmp_path, "train_set_x", "is a group, where a dataset should be")


def test_cat_class_names_that_are_not_utf8(tmp_path):
    _cat_file(tmp_path / "train_catvnoncat.h5", classes=np.array([b"non-cat", b"\xffcat"]))
    _cat_refused(tmp_path, "class names", "not UTF-8")


def test_cat_no_examples(tmp_path):
    _cat_file(tmp_path / "train_catvnoncat.h5", x=np.zeros((0, 64, 64, 3), np.uint8),
              y=np.zeros(0, np.int64))
    _cat_refused(tmp_path, "no examples (m = 0)")


def _elsewhere(tmp_path):
    """Another HDF5 file holding perfectly good cat data: the loader must never read it."""
    other = tmp_path / "elsewhere" / "other.h5"
    other.parent.mkdir()
    with h5py.File(other, "w") as f:
        f["x"] = np.full((3, 64, 64, 3), 7, np.uint8)
    return other


def test_cat_external_link_is_not_followed(tmp_path):
    other = _elsewhere(tmp_path)
    _cat_file(tmp_path / "train_catvnoncat.h5",
              x=lambda f, name: f.__setitem__(name, h5py.ExternalLink(str(other), "/x")))
    _cat_refused(tmp_path, "train_set_x", "external link", "other.h5", "refusing to follow")


def test_cat_soft_link_is_not_followed(tmp_path):
    def soft(f, name):
        f["hidden_x"] = np.zeros((3, 64, 64, 3), np.uint8)
        f[name] = h5py.SoftLink("/hidden_x")
    _cat_file(tmp_path / "train_catvnoncat.h5", x=soft)
    _cat_refused(tmp_path, "soft link", "/hidden_x")


def test_cat_virtual_dataset_pointing_outside(tmp_path):
    other = _elsewhere(tmp_path)

    def virtual(f, name):
        layout = h5py.VirtualLayout(shape=(3, 64, 64, 3), dtype=np.uint8)
        layout[:] = h5py.VirtualSource(str(other), "x", shape=(3, 64, 64, 3))
        f.create_virtual_dataset(name, layout)
    _cat_file(tmp_path / "train_catvnoncat.h5", x=virtual)
    _cat_refused(tmp_path, "virtual dataset", "other.h5")


def test_cat_dataset_with_external_storage(tmp_path):
    raw = tmp_path / "elsewhere.bin"
    raw.write_bytes(bytes(3 * 64 * 64 * 3))

    def external(f, name):
        f.create_dataset(name, shape=(3, 64, 64, 3), dtype=np.uint8,
                         external=[(str(raw), 0, 3 * 64 * 64 * 3)])
    _cat_file(tmp_path / "train_catvnoncat.h5", x=external)
    _cat_refused(tmp_path, "external file", "elsewhere.bin")


def test_cat_tiny_file_declaring_131_mb_of_wrongly_shaped_x(tmp_path):
    """x declared (10667, 12288) uint8 (flattened images), never written: the file is tiny."""
    path = _cat_file(tmp_path / "train_catvnoncat.h5",
                     x=lambda f, name: f.create_dataset(name, shape=(10667, 12288),
                                                        dtype=np.uint8))
    assert os.path.getsize(path) < 100_000
    err, peak = _peak(lambda: nn.load_catvnoncat(tmp_path))
    assert isinstance(err, nn.DataError), repr(err)
    assert "should be (m, 64, 64, 3) uint8 images, got (10667, 12288)" in str(err)
    assert peak < PEAK_LIMIT, f"the loader allocated {peak / 2**20:.0f} MiB before refusing"


def test_cat_declared_but_unstored_images(tmp_path):
    """Right shapes, but x (2000 images, 24 MiB) was never written: nothing to read."""
    path = _cat_file(tmp_path / "train_catvnoncat.h5",
                     x=lambda f, name: f.create_dataset(name, shape=(2000, 64, 64, 3),
                                                        dtype=np.uint8),
                     y=np.zeros(2000, np.int64))
    assert os.path.getsize(path) < 100_000
    err, peak = _peak(lambda: nn.load_catvnoncat(tmp_path))
    assert isinstance(err, nn.DataError), repr(err)
    assert "stores only 0 bytes" in str(err)
    assert peak < PEAK_LIMIT


def test_cat_labels_declared_far_too_many(tmp_path):
    """y declared (5_000_000,) int64 (40 MB) against 3 images: refused from its shape."""
    _cat_file(tmp_path / "train_catvnoncat.h5",
              y=lambda f, name: f.create_dataset(name, shape=(5_000_000,), dtype=np.int64))
    err, peak = _peak(lambda: nn.load_catvnoncat(tmp_path))
    assert isinstance(err, nn.DataError), repr(err)
    assert "should be 3 labels of 0 or 1, got shape (5000000,)" in str(err)
    assert peak < PEAK_LIMIT


# ---- FIFOs: opening one for reading waits for a writer, so these run in a child process ----

FIFO_SCRIPT = """
import os, sys
import h5py, numpy as np
import nn
d = sys.argv[1]
os.mkfifo(os.path.join(d, "fifo.npz"))
try:
    nn.load(os.path.join(d, "fifo.npz"))
except nn.ModelFileError as err:
    print("load:", err)
os.mkfifo(os.path.join(d, "pipe.h5"))
with h5py.File(os.path.join(d, "train_catvnoncat.h5"), "w") as f:
    f["train_set_x"] = h5py.ExternalLink("pipe.h5", "/x")
    f["train_set_y"] = np.array([0, 1, 1])
    f["list_classes"] = np.array([b"non-cat", b"cat"])
try:
    nn.load_catvnoncat(d)
except nn.DataError as err:
    print("cat:", err)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_never_make_the_loaders_wait(tmp_path):
    try:
        done = subprocess.run([sys.executable, "-c", FIFO_SCRIPT, str(tmp_path)],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("a loader opened a FIFO (or followed a link to one) and waited for a writer")
    assert done.returncode == 0, done.stderr
    load, cat = done.stdout.splitlines()
    assert load.startswith("load:") and "fifo.npz" in load and "not a regular file" in load
    assert cat.startswith("cat:") and "external link" in cat and "pipe.h5" in cat
