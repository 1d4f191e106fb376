"""Running the command line as a user would, in this process.

``run_cli`` calls :func:`alliance_notes.cli.main` — what the ``alliance-notes`` script runs —
with its own standard input, output and error, working directory and environment, and
returns what a subprocess would: the exit status and both outputs as text.  It costs no
interpreter start, so most command-line tests use it; the few that need a real process
(a closed standard input, a file-size limit, a closed pipe, an installed plugin, the
console script itself) run one with ``subprocess`` (``tests/test_bad_input.py``,
``tests/test_plugin_contract.py`` and ``real=True`` here).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

from alliance_notes.cli import main


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """The process environment without the tool's own variables, plus ``env``."""
    saved = dict(os.environ)
    for key in [key for key in os.environ if key.startswith("ALLIANCE_NOTES")]:
        del os.environ[key]
    os.environ.update(env or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _directory(cwd: Path | None) -> Iterator[None]:
    before = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(
    *arguments: str,
    stdin: str | bytes | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    real: bool = False,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``alliance-notes ARGUMENTS`` and return its exit status and output.

    :param stdin: what standard input holds (text, or bytes such as invalid UTF-8).
    :param real: run ``python -m alliance_notes`` in a subprocess instead.
    :param timeout: for a real one, the seconds it may take.
    """
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin or b""
    if real:
        with _environment(env):
            environment = dict(os.environ)
        completed = subprocess.run(
            [sys.executable, "-m", "alliance_notes", *arguments],
            input=data,
            capture_output=True,
            cwd=cwd,
            env=environment,
            timeout=timeout,
            check=False,
        )
        return subprocess.CompletedProcess(
            completed.args,
            completed.returncode,
            completed.stdout.decode("utf-8", "replace"),
            completed.stderr.decode("utf-8", "replace"),
        )
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", newline=""),
        io.TextIOWrapper(err, encoding="utf-8", newline=""),
    )
    saved = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        with _environment(env), _directory(cwd), warnings.catch_warnings():
            warnings.simplefilter("default")  # as a process shows them, not as errors
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                status = main(list(arguments))
            except SystemExit as exit_:  # argparse: usage errors and --help
                status = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        for stream in streams[1:]:
            stream.flush()
        sys.stdin, sys.stdout, sys.stderr = saved
    return subprocess.CompletedProcess(
        ["alliance-notes", *arguments],
        status,
        out.getvalue().decode("utf-8"),
        err.getvalue().decode("utf-8"),
    )
