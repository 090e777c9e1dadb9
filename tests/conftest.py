"""Hypothesis profiles: "ci" (quick, the default) and "thorough" (on demand), registered by
autograd_lite.testing.register_profiles, which a teacher's own conftest.py calls too.

    AUTOGRAD_LITE_PROFILE=thorough python -m pytest
"""

import os
from pathlib import Path

import pytest

from autograd_lite.testing import register_profiles

register_profiles()

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_folders(tmp_path_factory):
    """Every run writes its failure diagrams and reads its data folder in its own temporary
    folders (examples and commands run as subprocesses inherit them), never in a global
    /tmp/autograd_lite_failures or the user's real data folder."""
    saved = {k: os.environ.get(k) for k in ("AUTOGRAD_LITE_FAILURE_DIR", "AUTOGRAD_LITE_DATA_DIR")}
    os.environ["AUTOGRAD_LITE_FAILURE_DIR"] = str(tmp_path_factory.mktemp("failures"))
    os.environ["AUTOGRAD_LITE_DATA_DIR"] = str(tmp_path_factory.mktemp("user_data"))
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _data_dir(variable, folder, *files):
    """The first of $variable and ../shared/data/<folder> that holds all of ``files``."""
    env = os.environ.get(variable)
    candidates = ([Path(env)] if env else []) + [REPO.parent / "shared" / "data" / folder]
    return next((c for c in candidates if all((c / f).is_file() for f in files)), None)


def assert_git_ignores(folder):
    """Every file written under ``folder`` (a command's or an example's working folder) is
    one that .gitignore ignores when written at the repository's root, so that running the
    README's commands in a clone leaves `git status` clean."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("git or the repository's .git is absent")
    names = [str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file()]
    if not names:
        return
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=REPO,
                          input="\n".join(names), capture_output=True, text=True)
    ignored = set(done.stdout.split())
    assert not set(names) - ignored, f"not gitignored: {sorted(set(names) - ignored)}"


def cat_data_dir():
    """The course's cat/non-cat data: $CATVNONCAT_DIR, else ../shared/data/catvnoncat."""
    return _data_dir("CATVNONCAT_DIR", "catvnoncat", "train_catvnoncat.h5", "test_catvnoncat.h5")


def football_data_dir():
    """Course 2's football data.mat: $FOOTBALL_DIR, else ../shared/data/football."""
    return _data_dir("FOOTBALL_DIR", "football", "data.mat")


@pytest.fixture(scope="session")  # found before any test's monkeypatch drops $CATVNONCAT_DIR
def cat_dir():
    d = cat_data_dir()
    if d is None:
        pytest.skip("cat/non-cat data not found: set CATVNONCAT_DIR to the directory holding "
                    "train_catvnoncat.h5 and test_catvnoncat.h5")
    return d


@pytest.fixture(scope="session")
def football_dir():
    d = football_data_dir()
    if d is None:
        pytest.skip("football data not found: set FOOTBALL_DIR to the directory holding the "
                    "course's data.mat (or put it in ../shared/data/football)")
    return d
