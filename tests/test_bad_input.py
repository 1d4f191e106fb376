"""Bad input and a hostile environment, as a user meets them on the command line: every
case ends with exit 2 and a message naming the problem (never an internal error, never
the note's text), and nothing is ever half-written.

These tests also run on the lowest dependency versions pyproject.toml allows (.ci/run).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from alliance_notes.examples import example_notes
from cli_support import run_cli

SECRET = "Zq7-PHI-marker"


def run(
    *arguments: str,
    stdin: bytes | None = b"",
    preexec: Callable[[], None] | None = None,
    stdout: int | None = subprocess.PIPE,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "alliance_notes", *arguments],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=preexec,
        check=False,
        timeout=120,
    )


def _soap_text() -> str:
    return example_notes()["soap"].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "is nested too deeply"),
        ('{"kind": "soap", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "is nested too deeply"),
        ('{"kind": "soap", "x": ' + "9" * 5000 + "}", "has a number too long to read"),
        ('{"kind": "soap", "kind": "dap"}', "gives the key 'kind' twice in one object"),
        (f'{{"kind": "soap", "{SECRET}": 1, "{SECRET}": 1}}', "gives a key twice in one object"),
    ],
    ids=["5000-levels", "100000-levels", "5000-digits", "kind-twice", "unknown-key-twice"],
)
@pytest.mark.parametrize("command", [["validate"], ["render"], ["render", "--from", "fhir-r5"]])
def test_json_python_cannot_read_is_exit_2_with_the_reason(
    tmp_path: Path, text: str, message: str, command: list[str]
) -> None:
    path = tmp_path / "note.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli(*command, str(path))  # in this process: no real process is needed to show it
    error = result.stdout + result.stderr
    assert result.returncode == 2, error
    assert message in error
    assert "internal error" not in error and "Traceback" not in error and SECRET not in error


@pytest.mark.parametrize("command", [["validate", "-"], ["render", "-"], ["parse", "-"]])
def test_reading_a_closed_standard_input_is_exit_2(command: list[str]) -> None:
    result = run(*command, stdin=None, preexec=lambda: os.close(0))
    assert result.returncode == 2, result.stderr.decode()
    assert "standard input is closed" in result.stderr.decode()


def test_an_unknown_key_holding_note_text_is_not_repeated(tmp_path: Path) -> None:
    data = json.loads(_soap_text())
    data["alliance"][f"{SECRET} client disclosed"] = "x"
    path = tmp_path / "note.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    output = result.stdout
    assert "alliance: has a key that is not one of its fields" in output and SECRET not in output


# -- nothing half-written ---------------------------------------------------------------------------


def _file_size_limit(size: int) -> Callable[[], None]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_write_that_fails_leaves_the_existing_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "note.html"
    target.write_text("the earlier, complete output\n", encoding="utf-8")
    note = example_notes()["soap"]
    result = run("render", str(note), "--format", "html", "-o", str(target), preexec=_file_size_limit(2000))
    assert result.returncode == 2, result.stderr.decode()
    assert f"cannot write {target}" in result.stderr.decode()
    assert target.read_text(encoding="utf-8") == "the earlier, complete output\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["note.html"]  # no partial file left


def test_outputs_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "note.md"
    result = run("render", str(example_notes()["soap"]), "-o", str(target))
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    out = tmp_path / "demo"
    assert run("demo", "--out", str(out), "--format", "markdown").returncode == 0
    assert {stat.S_IMODE(path.stat().st_mode) for path in out.iterdir()} == {0o600}


def test_demo_writes_every_file_or_none(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic" / "html"
    clinic.mkdir(parents=True)
    (clinic / "note.html.j2").write_text("{{ no_such_value }}", encoding="utf-8")
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--templates", str(clinic.parent))
    assert result.returncode == 2, result.stderr.decode()
    assert not out.exists() or list(out.iterdir()) == []


def test_a_closed_pipe_never_turns_a_failure_into_success(tmp_path: Path) -> None:
    path = tmp_path / "note.json"
    path.write_text('{"kind": "soap"}', encoding="utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head` that has already gone away
    try:
        result = run("validate", str(path), stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "is nested too deeply"),
        ('{"utterances": [{"speaker": "a", "text": "hi", "start": 1, "start": 2}]}', "gives a key twice"),
        ('{"utterances": [{"speaker": "a", "text": "hi", "start": ' + "1" * 5000 + "}]}", "number too long"),
    ],
    ids=["5000-levels", "key-twice", "5000-digits"],
)
def test_a_json_transcript_python_cannot_read_is_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "session.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("extract", "--transcript-format", "json", str(path))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "internal error" not in result.stderr


def test_the_transcript_readers_type_hints_resolve() -> None:
    import typing

    from alliance_notes import load_transcript
    from alliance_notes.transcripts import read_transcript

    assert "speakers" in typing.get_type_hints(load_transcript)
    assert "speakers" in typing.get_type_hints(read_transcript)
