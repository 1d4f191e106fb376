"""The pipeline call, the ``extract`` command, and the README's runnable pipeline examples."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import cli_support
from alliance_notes import Alliance, Extended, create_host, extend
from alliance_notes.examples import examples_dir
from readme_support import README_PATH, code_blocks

NOTE = examples_dir() / "soap_note.json"
TRANSCRIPT = examples_dir() / "soap_transcript.txt"


def test_the_documented_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = [
        block
        for block in code_blocks("python")
        if "from alliance_notes import extend" in block or "from alliance_notes.llm import" in block
    ]
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(README_PATH), "exec"), {})  # noqa: S102  (the documentation's own code)
    output = capsys.readouterr().out
    assert "withdrawal - minimal response, avoidant storytelling / shifting topic" in output
    assert "suggested by alliance-rules 0.3 (extractor), not yet confirmed" in output
    assert "[42] 00:21:20 client: I don't know." in output
    assert (
        "ruptures[0].evidence[0].quote: is not in the session transcript; the closest utterance is 42"
        in output
    )


def test_extend_keeps_everything_the_note_records_and_adds_new_findings() -> None:
    result = extend(NOTE, TRANSCRIPT)
    assert isinstance(result, Extended)
    original = create_host().load_note(NOTE)
    before = original.alliance.model_dump(mode="json")
    after = result.note.alliance.model_dump(mode="json")
    for part in ("trust", "autonomy_and_consent", "boundaries"):
        for name, items in before[part].items():
            if isinstance(items, list):
                assert after[part][name][: len(items)] == items, (part, name)
    assert after["ruptures"] == before["ruptures"]  # the extractor's rupture is the note's r1
    assert result.note.subjective == original.subjective
    added = [
        item for item in result.note.alliance.trust.built_by if item.provenance.author.value == "extractor"
    ]
    assert any(item.evidence[0].utterance_index == 26 for item in added)
    assert result.quote_problems == []
    assert isinstance(result.findings, Alliance) and result.findings.ruptures


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return cli_support.run_cli(*arguments)


def test_extract_prints_the_suggested_section_as_json() -> None:
    result = run_cli("extract", str(TRANSCRIPT))
    assert result.returncode == 0, result.stderr
    alliance = Alliance.model_validate(json.loads(result.stdout))
    assert alliance.ruptures[0].provenance.author.value == "extractor"


def test_extract_with_a_note_prints_the_extended_note(tmp_path: Path) -> None:
    out = tmp_path / "extended.json"
    result = run_cli("extract", str(TRANSCRIPT), "--note", str(NOTE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    note = create_host().load_note(out)
    assert note.alliance == extend(NOTE, TRANSCRIPT).note.alliance


def test_extract_with_a_diarised_transcript_and_a_speaker_map(tmp_path: Path) -> None:
    segments = {
        "segments": [
            {
                "speaker": "SPEAKER_00",
                "text": "Is it okay if we talk about your sleep today?",
                "start": 1.0,
                "end": 3.0,
            },
            {"speaker": "SPEAKER_01", "text": "Sure, that's fine.", "start": 3.5, "end": 4.5},
        ]
    }
    path = tmp_path / "diarised.json"
    path.write_text(json.dumps(segments), encoding="utf-8")
    result = run_cli(
        "extract", str(path), "--speaker", "SPEAKER_00=clinician", "--speaker", "SPEAKER_01=client"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    [check] = json.loads(result.stdout)["autonomy_and_consent"]["consent_checks"]
    assert check["response"] == "agreed"
    inferred = run_cli("extract", str(path))
    assert "warning: transcript" in inferred.stderr and "taken to be the clinician" in inferred.stderr


def test_extract_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.vtt"
    empty.write_text("", encoding="utf-8")
    result = run_cli("extract", str(empty))
    assert result.returncode == 2
    assert "is empty" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("extract", str(TRANSCRIPT), "--speaker", "no-equals-sign")
    assert result.returncode == 2 and "LABEL=ROLE" in result.stderr


def test_prefill_needs_a_note() -> None:
    result = run_cli("extract", str(TRANSCRIPT), "--prefill")
    assert result.returncode == 2
    assert "--prefill needs --note" in result.stderr


def test_prefill_writes_a_form_that_reads_back_as_the_extended_note(tmp_path: Path) -> None:
    from alliance_notes.fillable import parse_filled

    form = tmp_path / "form.md"
    result = run_cli("extract", str(TRANSCRIPT), "--note", str(NOTE), "--prefill", "-o", str(form))
    assert result.returncode == 0, result.stderr
    text = form.read_text(encoding="utf-8")
    assert "Suggestion to confirm" in text
    assert parse_filled(text).note == extend(NOTE, TRANSCRIPT).note


def test_the_command_lines_transcript_formats_are_the_readers() -> None:
    from alliance_notes.cli.extract import TRANSCRIPT_FORMATS
    from alliance_notes.transcripts import FORMATS

    assert tuple(sorted(FORMATS)) == TRANSCRIPT_FORMATS


def test_extending_a_reviewed_draft_marks_every_new_value_and_claims_no_review() -> None:
    note = create_host().load_note(NOTE)
    assert note.authorship.written_by.value == "ai_draft_reviewed"
    extended = extend(note, TRANSCRIPT).note
    assert extended.authorship.written_by.value == "ai_draft_reviewed_with_suggestions"
    # The reviewed trust state is kept, and not attributed to the extractor.
    assert extended.alliance.trust.state is note.alliance.trust.state
    assert "trust.state" not in extended.alliance.set_by
    text = create_host().render(extended, "text")
    waiting = extended.alliance.unconfirmed_suggestions()
    assert waiting > 0
    written_by = "AI draft reviewed by the clinician, with suggestions added since"
    assert f"Written by: {written_by}; {waiting} suggestions not yet confirmed" in text
    assert text.count("[suggestion: to confirm]") == waiting


def test_a_single_answer_the_extractor_set_is_marked_in_the_note_and_the_form(tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text(
        json.dumps(
            {
                "kind": "dap",
                "session": {"client": "C-0412", "date": "2026-03-10"},
                "authorship": {"written_by": "clinician"},
                "data": "Data.",
            }
        ),
        encoding="utf-8",
    )
    extended = extend(small, TRANSCRIPT).note
    assert extended.alliance.set_by["trust.state"].suggested_by == "alliance-rules 0.3"
    text = create_host().render(extended, "text")
    assert "State this session: strengthening [suggestion: to confirm]" in text
    from alliance_notes.fillable.writer import prefilled_template

    form = prefilled_template(extended, audience="review")
    trust = form[form.index("**Trust this session**") : form.index("**Built trust**")]
    assert "- [x] strengthening" in trust
    assert "  - ⚑ Suggestion to confirm: [ ] confirmed" in trust
    assert "  - Suggested by: extractor — alliance-rules 0.3" in trust
