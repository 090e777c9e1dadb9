"""The README runs: every ```python block in order, in one namespace, in a temporary folder;
and every shell command of its ```bash blocks that needs no download (the install and the
test commands are .ci/run's own steps, the full benchmark is run by tests/test_benchmark.py
in its quick mode, the command that needs the course's cat files, `--data cat:DIR`, is
tests/test_cli.py's test_train_deep_on_cats, and `data add cat` is run on the real files by
tests/test_nn_data_folder.py)."""

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import assert_git_ignores

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = [textwrap.dedent(block)  # (a block inside a list item is indented)
                 for block in re.findall(r"```python\n(.*?)```", README, re.S)]
COMMANDS = [line.split("  #")[0].strip()
            for block in re.findall(r"```bash\n(.*?)```", README, re.S)
            for line in block.splitlines() if line.strip() and not line.startswith("#")]
RUN_ELSEWHERE = ("python -m pip install", "python -m pytest", "AUTOGRAD_LITE_PROFILE=",
                 "python benchmarks/run.py")
NEEDS_DOWNLOAD = ("cat:DIR", "data add cat")


def test_the_python_blocks_run_in_order(tmp_path, monkeypatch):
    assert len(PYTHON_BLOCKS) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for i, block in enumerate(PYTHON_BLOCKS):
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102
    printed = out.getvalue()
    for line in ("4.0 9.0", "(4, 2) (4, 1)", "Cost after iteration 0: 0.6931", "b: 4 + 5 = 9",
                 "all gradients agree", "    dZ = const * (Y - A)\n"):
        assert line in printed, line
    assert (tmp_path / "e.svg").read_text().lstrip().startswith("<")
    assert (tmp_path / "e").read_text().startswith("digraph")  # as the comment says
    assert (tmp_path / "e2.svg").read_text().lstrip().startswith("<")
    assert not (tmp_path / "e2").exists()
    assert_git_ignores(tmp_path)


def test_each_printed_output_shown_is_what_its_block_prints(tmp_path, monkeypatch):
    """A ```text block after a ```python block shows what that block prints: every line of
    it is a line of the output (indentation and trailing spaces aside: a shown excerpt may
    be dedented), so a changed message or generated source cannot leave the README behind."""
    blocks = [(kind, textwrap.dedent(body))
              for kind, body in re.findall(r"```(\w+)\n(.*?)```", README, re.S)]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    shown = 0
    for i, (kind, body) in enumerate(blocks):
        if kind != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(body, f"README.md block {i + 1}", "exec"), namespace)  # noqa: S102
        printed = {line.strip() for line in out.getvalue().splitlines()}
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            missing = [line for line in blocks[i + 1][1].splitlines()
                       if line.strip() and line.strip() not in printed]
            assert not missing, f"README block {i + 2} shows lines block {i + 1} does not print"
            shown += 1
    assert shown >= 3


def _runnable(command):
    return not command.startswith(RUN_ELSEWHERE) and not any(n in command for n in NEEDS_DOWNLOAD)


@pytest.mark.parametrize("command", [c for c in COMMANDS if _runnable(c)])
def test_each_shell_command_runs(command, tmp_path):
    argv = [str(ROOT / a) if a.startswith(("examples/", "benchmarks/", "docs/")) else a
            for a in shlex.split(command)]
    if argv[0] == "python":
        argv[0] = sys.executable
    elif argv[0] == "autograd-lite":
        argv[0] = str(Path(sys.executable).parent / "autograd-lite")
    env = dict(os.environ, GRADER_EXAMPLES="25")  # the grader's random cases, fewer
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert_git_ignores(tmp_path)


def test_every_command_is_run_somewhere():
    skipped = [c for c in COMMANDS if not _runnable(c)]
    ci = (ROOT / ".ci" / "run").read_text()
    cli_tests = (ROOT / "tests" / "test_cli.py").read_text()
    for command in skipped:
        if "data add cat" in command:  # run on the real files by test_nn_data_folder.py
            tests = (ROOT / "tests" / "test_nn_data_folder.py").read_text()
            assert 'run(capsys, "data", "add", "cat"' in tests, command
        elif "cat:DIR" in command:  # run on the real data by test_cli.py when it is there
            model = shlex.split(command)[2]
            assert f'"train", "{model}", "--data", f"cat:{{cat_dir}}"' in cli_tests, command
        elif command.startswith("python benchmarks/run.py"):
            assert "--quick" in (ROOT / "tests" / "test_benchmark.py").read_text()
        elif command.startswith("AUTOGRAD_LITE_PROFILE="):
            assert "register_profiles()" in (ROOT / "tests" / "conftest.py").read_text()
            assert "AUTOGRAD_LITE_PROFILE" in (ROOT / "autograd_lite" / "testing.py").read_text()
        else:
            assert command.split("  ")[0] in ci, command
