"""The bundled examples: valid, and together a showcase of every part of the alliance section."""

from __future__ import annotations

import re
from pathlib import Path

from alliance_notes.host import Host
from alliance_notes.note import ProgressNote
from alliance_notes.transcript import Transcript
from alliance_notes.vocabulary import Author, Record, RuptureScreening, RuptureType, Speaker

# Language the project's domain reference (§7) asks notes not to use.
STIGMATISING = re.compile(
    r"\b(claims|insists|non-?compliant|refuses|difficult patient|manipulative|drug-seeking|addict|abuser|"
    r"alcoholic|junkie|poor historian|wheelchair-bound|clean|dirty)\b",
    re.IGNORECASE,
)


def load_all(host: Host, example_paths: dict[str, Path]) -> list[ProgressNote]:
    return [host.load_note(path) for path in example_paths.values()]


def test_an_example_of_each_built_in_kind(example_paths: dict[str, Path]) -> None:
    assert set(example_paths) == {"soap", "dap", "birp", "girp"}


def test_examples_together_exercise_every_part(host: Host, example_paths: dict[str, Path]) -> None:
    notes = load_all(host, example_paths)
    alliances = [note.alliance for note in notes]
    assert any(a.summary for a in alliances)
    assert any(a.trust.built_by and a.trust.strained_by for a in alliances)
    respect = [a.respect for a in alliances]
    assert any(r.client_voice for r in respect) and any(r.cultural_identity for r in respect)
    assert any(r.power_and_trauma_sensitivity for r in respect) and any(r.strengths for r in respect)
    assert {r.pronouns.recorded for r in respect if r.pronouns} >= {"they/them"}
    boundaries = [a.boundaries for a in alliances]
    assert any(b.events for b in boundaries) and any(b.confidentiality for b in boundaries)
    assert any(b.roles_and_contact for b in boundaries) and any(
        b.ended_on_time is not None for b in boundaries
    )
    consent = [a.autonomy_and_consent for a in alliances]
    assert any(c.declined for c in consent) and any(c.consent_checks for c in consent)
    assert any(c.choices_offered for c in consent) and any(c.pace for c in consent)
    types = {rupture.type for a in alliances for rupture in a.ruptures}
    assert types == {RuptureType.WITHDRAWAL, RuptureType.CONFRONTATION}
    assert any(a.rupture_screening is RuptureScreening.NONE_OBSERVED for a in alliances)
    assert all(
        a.repairs_of(rupture.id) or any(f.rupture == rupture.id for f in a.plan)
        for a in alliances
        for rupture in a.ruptures
    )
    assert any(a.measures.srs and a.measures.srs.below_cutoff for a in alliances)
    assert any(a.measures.wai_sr for a in alliances) and any(a.measures.ors for a in alliances)
    assert any(a.client_feedback for a in alliances) and any(a.plan for a in alliances)
    dumped = "".join(note.model_dump_json() for note in notes)
    assert '"quote"' in dumped
    assert f'"{Author.EXTRACTOR.value}"' in dumped and f'"{Author.LANGUAGE_MODEL.value}"' in dumped
    assert '"confirmed":true' in dumped and '"confirmed":false' in dumped
    assert f'"{Record.PSYCHOTHERAPY_NOTE.value}"' in dumped


def test_examples_use_respectful_language_outside_client_quotes(
    host: Host, example_paths: dict[str, Path]
) -> None:
    for note in load_all(host, example_paths):
        text = re.sub(r'"quote": "[^"]*"', "", note.model_dump_json(indent=0))
        assert not STIGMATISING.search(text), (note.kind, STIGMATISING.search(text))


def test_examples_name_no_one(host: Host, example_paths: dict[str, Path]) -> None:
    for note in load_all(host, example_paths):
        assert re.fullmatch(r"C-\d{4}", note.session.client)


def test_the_example_session_reads_the_same_from_each_transcript_format() -> None:
    """The text, WebVTT and diarised JSON transcripts the README uses are one session."""
    import warnings

    from alliance_notes import load_transcript
    from alliance_notes.examples import examples_dir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # roles inferred from the speakers' names
        text = load_transcript(examples_dir() / "soap_transcript.txt")
        subtitles = load_transcript(examples_dir() / "soap_session.vtt")
    diarised = load_transcript(
        examples_dir() / "soap_diarised.json", speakers={"SPEAKER_00": "clinician", "SPEAKER_01": "client"}
    )

    def session(transcript: Transcript) -> list[tuple[Speaker, str, float | None]]:
        return [(said.role, said.text, said.start) for said in transcript.utterances]

    assert len(session(text)) == 102
    assert session(subtitles) == session(text)
    assert session(diarised) == session(text)


def test_the_example_draft_is_the_example_note_before_review(
    host: Host, example_paths: dict[str, Path]
) -> None:
    from alliance_notes.examples import examples_dir
    from alliance_notes.vocabulary import WrittenBy

    draft = host.load_note(examples_dir() / "soap_draft.json")
    note = host.load_note(example_paths["soap"])
    assert draft.authorship.written_by is WrittenBy.AI_DRAFT
    assert draft.alliance == note.alliance
