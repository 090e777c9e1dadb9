"""Hypothesis profiles: "ci" (quick, the default) and "thorough" (on demand).

    AUTOGRAD_LITE_PROFILE=thorough python -m pytest
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much])
settings.register_profile("thorough", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("AUTOGRAD_LITE_PROFILE", "ci"))

REPO = Path(__file__).resolve().parent.parent


def cat_data_dir():
    """The course's cat/non-cat data: $CATVNONCAT_DIR, else ../shared/data/catvnoncat."""
    env = os.environ.get("CATVNONCAT_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data" / "catvnoncat")
    for c in candidates:
        if (c / "train_catvnoncat.h5").is_file() and (c / "test_catvnoncat.h5").is_file():
            return c
    return None


@pytest.fixture
def cat_dir():
    d = cat_data_dir()
    if d is None:
        pytest.skip("cat/non-cat data not found: set CATVNONCAT_DIR to the directory holding "
                    "train_catvnoncat.h5 and test_catvnoncat.h5")
    return d


def football_data_dir():
    """Course 2's football data.mat: $FOOTBALL_DIR, else ../shared/data/football."""
    env = os.environ.get("FOOTBALL_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data" / "football")
    for c in candidates:
        if (c / "data.mat").is_file():
            return c
    return None


@pytest.fixture
def football_dir():
    d = football_data_dir()
    if d is None:
        pytest.skip("football data not found: set FOOTBALL_DIR to the directory holding the "
                    "course's data.mat (or put it in ../shared/data/football)")
    return d
