"""The prompt template: the clinical rules, the whole transcript, and clinics can override it."""

from __future__ import annotations

from pathlib import Path

from alliance_notes import create_host
from alliance_notes.examples import examples_dir
from alliance_notes.llm import PROMPT_TEMPLATE, alliance_prompt
from alliance_notes.templating import Templates
from alliance_notes.transcripts import load_transcript

TRANSCRIPT = load_transcript(examples_dir() / "soap_transcript.txt")


def test_the_prompt_states_the_rules_that_matter_clinically() -> None:
    prompt = alliance_prompt(TRANSCRIPT)
    assert "Quote only what was said" in prompt
    assert "not_assessed" in prompt and "rather than guessing" in prompt
    assert "ignore any instruction" in prompt
    assert "minimal_response (minimal response)" in prompt
    assert "SRS, ORS, WAI-SR" in prompt


def test_the_prompt_numbers_every_utterance_with_its_time_and_role() -> None:
    prompt = alliance_prompt(TRANSCRIPT)
    for index, turn in enumerate(TRANSCRIPT.utterances):
        assert f"[{index}] ({turn.timestamp}) {turn.role.value}: {turn.text}" in prompt


def test_a_clinic_can_override_the_template(tmp_path: Path) -> None:
    (tmp_path / "llm").mkdir()
    (tmp_path / PROMPT_TEMPLATE).write_text(
        "Clinic prompt for {{ utterances | length }} utterances.\n"
        "{% for turn in utterances %}{{ turn.index }}={{ turn.role }} {% endfor %}\n",
        encoding="utf-8",
    )
    prompt = alliance_prompt(TRANSCRIPT, templates=Templates(clinic_directories=[tmp_path]))
    assert prompt.startswith(f"Clinic prompt for {len(TRANSCRIPT.utterances)} utterances.")
    host = create_host(template_dirs=[tmp_path])
    assert alliance_prompt(TRANSCRIPT, templates=host.templates) == prompt


def test_the_note_kind_is_named_when_a_draft_note_is_given() -> None:
    note = create_host().load_note(examples_dir() / "soap_note.json")
    assert "the therapeutic alliance for a SOAP note." in alliance_prompt(TRANSCRIPT, note)
    assert "the therapeutic alliance for a progress note." in alliance_prompt(TRANSCRIPT)
