"""The README's promises: CI runs its test command, and its Python examples run."""

from __future__ import annotations

import re
import types
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings

from alliance_notes import create_host
from alliance_notes.audiences import PlacementWarning
from alliance_notes.testing import missing_values, notes
from readme_support import code_blocks, needs_readme, readme_text, run_command_line

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command_exactly() -> None:
    commands = code_blocks("bash")
    assert commands[0].strip() == "pip install . && alliance-notes demo"
    test_command = commands[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_pipeline_example_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    block = next(block for block in code_blocks("python") if "host.read_note(draft_json)" in block)
    exec(block, {})  # noqa: S102
    assert "Alliance — Trust" in capsys.readouterr().out
    reading = 'Path("examples/soap_draft.json").read_text(encoding="utf-8")'
    assert reading in block
    exec(block.replace(reading, repr('{"kind": "soap"}')), {})  # noqa: S102
    assert capsys.readouterr().out.startswith("session: is required")


def test_plugin_example_registers_and_renders_and_its_property_test_passes() -> None:
    plugin_block = next(block for block in code_blocks("python") if "alliance_register_formats" in block)
    plugin = types.ModuleType("signed_text")
    exec(plugin_block, plugin.__dict__)  # noqa: S102
    host = create_host(plugins=[("signed-text", plugin)])
    assert "signed-text" in host.formats

    @settings(max_examples=20)
    @given(notes())
    def shows_every_value(note: object) -> None:
        output = host.render(note, "signed-text", audience="review")  # type: ignore[arg-type]
        assert output.rstrip().endswith("Date: __________")
        assert missing_values(note, output, audience="review") == []  # type: ignore[arg-type]

    shows_every_value()


# -- every example runs as written --------------------------------------------------------------


def _walkthrough() -> list[tuple[str, str]]:
    """The README's examples in order, as ``(kind, text)``: ``command`` lines (console and
    bash blocks, the install commands aside), ``python`` blocks, and the ``note.json`` the
    text says to save."""
    text = readme_text()
    steps: list[tuple[str, str]] = []
    pattern = re.compile(r"^```(\w+)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
    for found in pattern.finditer(text):
        language, body = found.group(1), found.group(2)
        before = text[max(found.start() - 200, 0) : found.start()]
        if language == "json" and "saved as `note.json`" in before:
            steps.append(("save note.json", body))
        elif language == "python":
            steps.append(("python", body))
        elif language == "console" and "invalid note" not in body:  # a shown failure is illustrative
            steps.extend(("command", line[2:]) for line in body.splitlines() if line.startswith("$ "))
        elif language == "bash" and "pip install" not in body:
            steps.extend(("command", line) for line in body.splitlines() if line.strip())
    return steps


@needs_readme
def test_every_readme_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the repository's root, in order, as a new user would type them."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    steps = _walkthrough()
    assert sum(kind == "command" for kind, _ in steps) >= 20
    for kind, text in steps:
        if kind == "save note.json":
            (tmp_path / "note.json").write_text(text, encoding="utf-8")
        elif kind == "python":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PlacementWarning)  # the small note places no item
                exec(compile(text, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102
        else:
            result = run_command_line(text, tmp_path)
            assert result.returncode == 0, f"{text}\n{result.stderr}"
            assert "Traceback" not in result.stderr


def test_a_plugin_authors_property_test_passes_with_hypothesis_defaults() -> None:
    """The README's ``@given(notes())`` as a plugin author runs it: Hypothesis's own default
    settings, health checks on (too_slow among them), not this project's profile."""
    host = create_host()

    @settings(settings.get_profile("default"))
    @given(notes())
    def shows_every_value(note: object) -> None:
        output = host.render(note, "text", audience="review")  # type: ignore[arg-type]
        assert missing_values(note, output, audience="review") == []  # type: ignore[arg-type]

    shows_every_value()
