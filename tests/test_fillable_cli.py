"""``alliance-notes template`` and ``alliance-notes parse``, end to end, as a clinician runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from alliance_notes import create_host
from alliance_notes.examples import example_notes
from cli_support import run_cli
from readme_support import code_blocks, needs_readme, run_command_line

FIXTURE = Path(__file__).parent / "fixtures" / "fillable" / "hand_filled_dap.md"


def run(
    *arguments: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli(*arguments, stdin=stdin, cwd=cwd)


def test_template_writes_a_blank_form_for_each_kind(tmp_path: Path) -> None:
    for kind in ("soap", "dap", "birp", "girp"):
        result = run("template", kind, "-o", str(tmp_path / f"{kind}.md"))
        assert result.returncode == 0, result.stderr
        form = (tmp_path / f"{kind}.md").read_text(encoding="utf-8")
        assert form.startswith("---\n") and f"kind: {kind}" in form
        assert "## Therapeutic alliance" in form


def test_template_needs_a_kind_or_a_note() -> None:
    result = run("template")
    assert result.returncode == 2
    assert "say which note kind" in result.stderr
    result = run("template", "pie")
    assert result.returncode == 2
    assert "unknown note kind 'pie'" in result.stderr
    assert "Traceback" not in result.stderr


def test_prefill_then_parse_gives_back_the_note(
    tmp_path: Path, soap_with_open_suggestion: dict[str, Any]
) -> None:
    source = tmp_path / "soap.json"
    source.write_text(json.dumps(soap_with_open_suggestion), encoding="utf-8")
    form = tmp_path / "review.md"
    result = run("template", "--prefill", str(source), "--audience", "review", "-o", str(form))
    assert result.returncode == 0, result.stderr
    assert "⚑ Suggestion to confirm" in form.read_text(encoding="utf-8")
    parsed = run("parse", str(form))
    assert parsed.returncode == 0, parsed.stderr
    host = create_host()
    assert host.read_note(parsed.stdout) == host.load_note(source)


def test_prefill_refuses_a_note_of_another_kind() -> None:
    result = run("template", "birp", "--prefill", str(example_notes()["dap"]))
    assert result.returncode == 2
    assert "is a DAP note, not BIRP" in result.stderr


def test_parse_reports_notes_left_out_by_line_only() -> None:
    result = run("parse", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    assert '"kind": "dap"' in result.stdout
    notices = [line for line in result.stderr.splitlines() if "outside the answer spaces" in line]
    assert len(notices) == 2
    assert all(line.startswith(f"alliance-notes: note: {FIXTURE}: line ") for line in notices)
    assert "supervision" not in result.stderr


def test_parse_errors_name_line_and_field_and_exit_2(tmp_path: Path) -> None:
    filled = tmp_path / "filled.md"
    text = FIXTURE.read_text(encoding="utf-8").replace("[x] minimal response", "[x] minimal responce")
    filled.write_text(text.replace("  - Outcome: resolved", "  - Outcome: resolvd"), encoding="utf-8")
    result = run("parse", str(filled))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"alliance-notes: invalid note: {filled}: 2 problems found"
    marker_line = next(n for n, line in enumerate(text.splitlines(), 1) if "minimal responce" in line)
    assert lines[1] == (
        f"  - line {marker_line}, Ruptures › 1st entry › Withdrawal markers: "
        "what is written here is not a withdrawal marker; did you mean 'minimal response'?"
    )
    assert "did you mean 'resolved'?" in lines[2]
    assert "Traceback" not in result.stderr


def test_parse_reads_standard_input_and_renders_any_format() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    result = run("parse", "-", "--format", "markdown", "--audience", "review", stdin=text)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# DAP note with therapeutic alliance")
    assert "Remembered her sister's name" in result.stdout


def test_entries_whose_place_was_not_ticked_stay_out_of_the_record_and_a_warning_says_so() -> None:
    text = FIXTURE.read_text(encoding="utf-8")  # its entries have no "Belongs in" line
    record = run("parse", "-", "--format", "markdown", stdin=text)
    assert record.returncode == 0, record.stderr
    assert "Remembered her sister's name" not in record.stdout
    warning = next(line for line in record.stderr.splitlines() if "no place recorded" in line)
    assert warning.startswith("alliance-notes: warning: ")
    assert "alliance.trust.built_by[0]" in warning and "sister" not in warning
    private = run("parse", "-", "--format", "markdown", "--audience", "private", stdin=text)
    assert "Remembered her sister's name" in private.stdout
    assert "no place recorded" not in private.stderr


def test_parse_writes_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "note.json"
    result = run("parse", str(FIXTURE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert create_host().load_note(out).session.client == "C-0101"


def test_parse_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("parse", str(tmp_path / "nowhere.md"))
    assert result.returncode == 2
    assert "cannot be read" in result.stderr


@pytest.mark.parametrize("kind", ["dap", "girp"])
def test_a_clinic_may_restyle_the_form_and_it_still_parses(tmp_path: Path, kind: str) -> None:
    clinic = tmp_path / "clinic" / "fillable"
    clinic.mkdir(parents=True)
    (clinic / "note.md.j2").write_text(
        '{% extends "default:fillable/note.md.j2" %}\n'
        "{% block title %}# Riverside Clinic — {{ form.title }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    form = tmp_path / "form.md"
    result = run(
        "template",
        "--prefill",
        str(example_notes()[kind]),
        "--audience",
        "review",
        "--templates",
        str(tmp_path / "clinic"),
        "-o",
        str(form),
    )
    assert result.returncode == 0, result.stderr
    assert "# Riverside Clinic — " in form.read_text(encoding="utf-8")
    parsed = run("parse", str(form))
    assert parsed.returncode == 0, parsed.stderr
    host = create_host()
    assert host.read_note(parsed.stdout) == host.load_note(example_notes()[kind])


# -- the clinician guide's examples are what the commands really do -------------------------------


def _console_blocks() -> list[list[str]]:
    return [block.splitlines() for block in code_blocks("console")]


@needs_readme
def test_the_guide_shows_the_problems_parse_really_reports(tmp_path: Path) -> None:
    form = run("template", "soap").stdout
    for old, new in (
        ("date:", "date: 2026-05-01"),
        ("- [ ] observed", "- [x] observed"),
        ("- What happened:\n  - Rupture id", "- What happened: Went quiet.\n  - Rupture id"),
        ("[ ] withdrawal · [ ] confrontation", "[x] withdrawal · [ ] confrontation"),
        ("major): [ ] 1 · [ ] 2", "major): [ ] 1 · [x] 2"),
        ("    - [ ] minimal response", "    - [x] minimal responce"),
    ):
        assert old in form
        form = form.replace(old, new, 1)
    (tmp_path / "session.md").write_text(form, encoding="utf-8")
    result = run("parse", "session.md", cwd=tmp_path)
    (shown,) = [block for block in _console_blocks() if "invalid note" in "".join(block)]
    assert shown[0] == "$ alliance-notes parse session.md"
    assert result.stderr.splitlines() == shown[1:]


@needs_readme
def test_the_guides_clinic_template_example_runs(tmp_path: Path) -> None:
    (tmp_path / "note.json").write_bytes(example_notes()["soap"].read_bytes())
    (commands,) = [block for block in _console_blocks() if "--templates" in "".join(block)]
    output = ""
    for command in commands:
        assert command.startswith("$ ")
        result = run_command_line(command[2:], tmp_path)
        assert result.returncode == 0, result.stderr
        output = result.stdout
    assert output.startswith("# Riverside Clinic\n")
