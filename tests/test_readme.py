"""The README's promises: CI runs its test command, and its Python examples run."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from hypothesis import given, settings

from alliance_notes import create_host
from alliance_notes.testing import missing_values, notes
from readme_support import code_blocks

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command_exactly() -> None:
    commands = code_blocks("bash")
    assert commands[0].strip() == "pip install . && alliance-notes demo"
    test_command = commands[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_pipeline_example_runs(capsys: pytest.CaptureFixture[str], example_paths: dict[str, Path]) -> None:
    block = next(block for block in code_blocks("python") if "host.read_note(draft_json)" in block)
    exec(block, {"draft_json": example_paths["soap"].read_text(encoding="utf-8")})  # noqa: S102
    assert "Alliance — Trust" in capsys.readouterr().out
    exec(block, {"draft_json": '{"kind": "soap"}'})  # noqa: S102
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
