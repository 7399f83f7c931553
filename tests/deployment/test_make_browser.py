"""`make test` needs Chromium: when it is missing and cannot be installed,
the Makefile's `browser` target (the first prerequisite of `make test`)
stops with one line saying what is missing and how to install it — never a
bare "apt-get: command not found", never a silent pass that leaves the
browser tests to fail half an hour later.

Each case runs the real `make browser` with a PATH holding only stand-ins
for the few commands the recipe may call."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """Only make and a shell: the project-wide plugin loading is skipped."""


def _tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + script + "\n")
    path.chmod(0o755)


def _make_browser(tmp_path: Path, uid: int, tools: dict[str, str]) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "id", f'[ "$1" = -u ] && echo {uid}')
    _tool(bin_dir, "mkdir", '/bin/mkdir "$@"')
    for name, script in tools.items():
        _tool(bin_dir, name, script)
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "browser",
         f"CHROMIUM_LOG={tmp_path}/chromium-install.log"],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60)


def _own_lines(result: subprocess.CompletedProcess) -> list[str]:
    """What the recipe printed, without make's own '*** [...] Error 1'."""
    output = (result.stdout + result.stderr).splitlines()
    return [line for line in output if not re.match(r"make(\[\d+\])?: \*\*\*", line)]


CASES = {
    "root, no apt-get": (0, {}, "apt-get is not available"),
    "not root, no sudo": (1000, {}, "needs root or passwordless sudo"),
    "not root, sudo asks a password": (1000, {"sudo": "exit 1", "apt-get": "exit 0"},
                                       "needs root or passwordless sudo"),
    "root, apt-get fails": (0, {"apt-get": "echo 'E: Unable to locate package' >&2; exit 100"},
                            "'apt-get install chromium' failed"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_make_browser_fails_with_one_clear_line_when_chromium_cannot_be_installed(case, tmp_path):
    uid, tools, reason = CASES[case]
    result = _make_browser(tmp_path, uid, tools)
    assert result.returncode != 0
    lines = _own_lines(result)
    assert len(lines) == 1, lines
    assert reason in lines[0]
    assert "chromium" in lines[0].lower() and "browser tests are required" in lines[0]


def test_make_browser_passes_quietly_when_chromium_is_there(tmp_path):
    result = _make_browser(tmp_path, 1000, {"chromium": "exit 0"})
    assert (result.returncode, _own_lines(result)) == (0, [])


def test_make_test_checks_the_browser_before_anything_else():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: browser\b", makefile, re.M)
