"""The README as the tests read it: its fenced code blocks, and running its command lines.

The README's examples are part of what the tests check (CI runs its test command; its Python,
console and shell examples run).  The README is not shipped in the package, so tests that
need it are marked :data:`needs_readme`.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import run_cli

README_PATH = Path(__file__).resolve().parents[1] / "README.md"

needs_readme = pytest.mark.skipif(
    not README_PATH.exists(), reason="the docs are not shipped with the package"
)


def readme_text() -> str:
    return README_PATH.read_text(encoding="utf-8")


def code_blocks(language: str, markdown: str | None = None) -> list[str]:
    """The bodies of the fenced blocks of one language (```` ```bash ````), in order."""
    text = readme_text() if markdown is None else markdown
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


#: What only a shell can run: redirection, pipes, several commands, variables.
_SHELL = re.compile(r"[|&;<>$`]")


def run_command_line(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one documented shell line, its ``alliance-notes`` being this interpreter's module
    (in this process when the line is the command alone, else through bash)."""
    words = shlex.split(line, comments=True)
    if words and words[0] == "alliance-notes" and not _SHELL.search(line.split("#", maxsplit=1)[0]):
        return run_cli(*words[1:], cwd=cwd)
    command = line.replace("alliance-notes", f"{sys.executable} -m alliance_notes", 1)
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, check=False)
