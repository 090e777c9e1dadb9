"""The course's data in a per-user data folder: `autograd-lite data add` checks the sha256
of the course's files and copies them there, and nn.load_catvnoncat() finds them with no
argument ($CATVNONCAT_DIR first). Every test uses a temporary data folder."""

import hashlib
import os
import shutil

import numpy as np
import pytest

import nn
from nn.cli import main

CAT = ("train_catvnoncat.h5", "test_catvnoncat.h5")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty data folder of one's own, and no $CATVNONCAT_DIR."""
    monkeypatch.setenv("AUTOGRAD_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    return tmp_path / "data"


def test_no_files_names_both_files_their_sha256_and_how_to_add_them(folder, cat_dir):
    with pytest.raises(FileNotFoundError) as caught:
        nn.load_catvnoncat()
    message = str(caught.value)
    for name in CAT:  # the real files' digests, computed here
        digest = hashlib.sha256((cat_dir / name).read_bytes()).hexdigest()
        assert f"{name} (sha256 {digest})" in message
    assert "autograd-lite data add cat" in message and "CATVNONCAT_DIR" in message
    assert "Week 2" in message and "Week 4" in message
    assert str(folder / "catvnoncat") in message


def test_data_add_copies_the_checked_files_and_load_finds_them(folder, cat_dir, capsys):
    code, out, err = run(capsys, "data", "add", "cat", *(str(cat_dir / f) for f in CAT))
    assert code == 0, err
    for name in CAT:
        assert (folder / "catvnoncat" / name).read_bytes() == (cat_dir / name).read_bytes()
        assert f"added: {folder / 'catvnoncat' / name}" in out
    mine, theirs = nn.load_catvnoncat(), nn.load_catvnoncat(cat_dir)
    for a, b in zip(mine[:4], theirs[:4]):
        np.testing.assert_array_equal(a, b)
    code, out, err = run(capsys, "train", "logistic", "--iterations", "1", "--no-progress")
    assert code == 0 and "on cat (m = 209)" in out, err
    code, out, _ = run(capsys, "data", "where")
    assert f"data folder: {folder}" in out and "cat: test_catvnoncat.h5: present" in out


def test_data_add_takes_a_folder_and_the_environment_comes_first(folder, cat_dir, tmp_path,
                                                                  capsys, monkeypatch):
    assert run(capsys, "data", "add", "cat", str(cat_dir))[0] == 0
    assert sorted(os.listdir(folder / "catvnoncat")) == sorted(CAT)
    monkeypatch.setenv("CATVNONCAT_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        nn.load_catvnoncat()
    # data where says so: it said 'present' from the data folder, which is not read then
    code, out, _ = run(capsys, "data", "where")
    assert (f"cat: $CATVNONCAT_DIR = {tmp_path / 'elsewhere'} (no such folder), read instead"
            in out)
    assert "cat: train_catvnoncat.h5: missing" in out
    monkeypatch.setenv("CATVNONCAT_DIR", str(cat_dir))
    assert "cat: train_catvnoncat.h5: present" in run(capsys, "data", "where")[1]
    assert "(from AUTOGRAD_LITE_DATA_DIR)" in run(capsys, "data", "where")[1]
    (tmp_path / "empty").mkdir()  # a download that failed: a 0-byte file
    (tmp_path / "empty" / CAT[0]).write_bytes(b"")
    monkeypatch.setenv("CATVNONCAT_DIR", str(tmp_path / "empty"))
    assert f"cat: {CAT[0]}: empty (the loader will refuse it)" in run(capsys, "data",
                                                                       "where")[1]


def test_data_add_refuses_other_bytes_and_copies_nothing(folder, cat_dir, tmp_path, capsys):
    bad = tmp_path / "train_catvnoncat.h5"
    shutil.copyfile(cat_dir / CAT[0], bad)
    with open(bad, "r+b") as fh:  # one byte changed
        fh.seek(5000)
        byte = fh.read(1)
        fh.seek(5000)
        fh.write(bytes([byte[0] ^ 1]))
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    code, out, err = run(capsys, "data", "add", "cat", str(cat_dir / CAT[1]), str(bad))
    assert code == 1 and out == ""
    assert f"is not one of the course's cat files (its sha256 is {digest}" in err
    assert not (folder / "catvnoncat").exists()
    code, _, err = run(capsys, "data", "add", "cat", str(tmp_path / "nothing.h5"))
    assert code == 1 and "nothing.h5 not found" in err


def test_train_without_data_says_how_to_add_it(folder, capsys):
    code, out, err = run(capsys, "train", "deep", "--no-progress")
    assert code == 1 and "autograd-lite data add cat PATH..." in err  # missing data: exit 1
