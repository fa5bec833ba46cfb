"""The README's shell commands work as written, in a fresh copy of the project."""

import re
import shlex
import shutil
import subprocess

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _shell_lines() -> list[str]:
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.S | re.M)
    return [line.strip() for lang, block in blocks if lang in ("", "sh", "console")
            for line in block.splitlines() if line.strip()]


def test_every_shell_command_goes_through_make_or_the_venv():
    lines = _shell_lines()
    assert "make" in lines and "make test" in lines
    for line in lines:
        assert line.startswith(("make", ".venv/bin/prodstats")), line
    for cell in re.findall(r"^\| `([^`]+)` \|", README, flags=re.M):
        if cell.startswith(("python ", "prodstats ")):
            raise AssertionError(f"README table shows {cell!r}; write .venv/bin/prodstats")


def test_documented_make_targets_exist():
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    for line in _shell_lines():
        if line.startswith("make"):
            assert set(line.split()[1:]) <= targets, line
    for target in re.findall(r"`make (\w+)`", README):
        assert target in targets, target


def test_venv_commands_run_as_written(tmp_path):
    """Run in a copy of the project, so the commands cannot touch the real outputs."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    commands = [line for line in _shell_lines() if line.startswith(".venv/bin/")]
    assert commands
    for command in commands:
        done = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"{command}\n{done.stdout[-1500:]}{done.stderr[-1500:]}"
        assert "Traceback" not in done.stderr
