"""The catalogue of bad inputs (docs/mistakes.py): every mistake tried and the error it gets.

The README's "Common mistakes" table is generated from the same cases (docs/make_docs.py),
and test_readme_table_matches_the_catalogue keeps the two the same.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
import mistakes  # noqa: E402  (docs/ is not a package)

sys.path.pop(0)


@pytest.fixture
def files(tmp_path):
    return mistakes.make_files(tmp_path)


@pytest.mark.parametrize("case", mistakes.MISTAKES, ids=[m.name for m in mistakes.MISTAKES])
def test_catalogue(case, files, capsys):
    if case.error is None:  # the message is the value of the call, or printed
        result = case.make(files)
        captured = capsys.readouterr()
        assert case.message in f"{result}{captured.err}{captured.out}"
        return
    with pytest.raises(case.error) as err:
        case.make(files)
    assert case.message in str(err.value)


def test_every_case_has_its_own_function_and_a_unique_name():
    assert len({m.name for m in mistakes.MISTAKES}) == len(mistakes.MISTAKES) >= 27
    assert len({m.make for m in mistakes.MISTAKES}) == len(mistakes.MISTAKES)


def test_readme_table_matches_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- mistakes:start -->\n(.*?)\n<!-- mistakes:end -->", readme, re.S)
    assert block, "README.md lacks the generated mistakes table (run python docs/make_docs.py)"
    assert block.group(1).strip() == mistakes.render_table().strip(), \
        "README's mistakes table is stale: run python docs/make_docs.py"
