"""Reading a filled-in form the way a person would: ticks, blank lines, CRLF, own notes, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError, Problem
from alliance_notes.examples import example_notes
from alliance_notes.fillable import FilledNote, parse_filled, prefilled_template
from alliance_notes.vocabulary import (
    Assessment,
    Record,
    RepairOutcome,
    RuptureScreening,
    RuptureType,
    TrustState,
    WithdrawalMarker,
)

HAND_FILLED = (Path(__file__).parent / "fixtures" / "fillable" / "hand_filled_dap.md").read_text(
    encoding="utf-8"
)


def _problems(text: str) -> list[Problem]:
    with pytest.raises(NoteValidationError) as raised:
        parse_filled(text)
    return list(raised.value.problems)


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def test_a_hand_filled_form_becomes_the_note_a_person_would_expect() -> None:
    filled = parse_filled(HAND_FILLED)
    note = filled.note
    assert note.kind == "dap"
    assert note.session.client == "C-0101"
    assert str(note.session.date) == "2026-04-02"
    assert note.session.number == 3
    assert note.session.setting is not None and note.session.setting.value == "in_person"
    assert note.section_text("data") == "Client reported a hard week at work.\n\n\nSlept poorly."
    assert note.section_text("assessment") == "Progress slow but steady."
    assert note.section_text("plan") == "- weekly sessions\n- sleep diary"
    alliance = note.alliance
    assert alliance.summary is not None
    assert alliance.summary.text == "Alliance steady; one small rupture repaired."
    assert alliance.trust.state is TrustState.STEADY
    (built,) = alliance.trust.built_by
    assert built.text == "Remembered her sister's name\nfrom two sessions ago."
    (quote,) = built.evidence
    assert (quote.quote, quote.speaker.value, quote.utterance_index, quote.timestamp) == (
        "You remembered!",
        "client",
        7,
        "00:05:10",
    )
    assert alliance.trust.strained_by == []
    assert alliance.respect.status is Assessment.ASSESSED
    assert alliance.rupture_screening is RuptureScreening.OBSERVED
    (rupture,) = alliance.ruptures
    assert (rupture.id, rupture.type, rupture.significance) == ("r1", RuptureType.WITHDRAWAL, 2)
    assert rupture.withdrawal_markers == [WithdrawalMarker.MINIMAL_RESPONSE]
    assert rupture.belongs is Record.PSYCHOTHERAPY_NOTE
    (repair,) = alliance.repairs
    assert (repair.rupture, repair.outcome, repair.strategies) == ("r1", RepairOutcome.RESOLVED, [])
    assert alliance.measures.srs is not None
    assert alliance.measures.srs.goals_and_topics == 8.5
    assert alliance.measures.srs.total == 35.5
    (feedback,) = alliance.client_feedback
    assert feedback.answer == "Being asked first."


def test_blank_fields_are_not_assessed_never_invented() -> None:
    alliance = parse_filled(HAND_FILLED).note.alliance
    assert alliance.boundaries.status is Assessment.NOT_ASSESSED
    assert alliance.boundaries.ended_on_time is None
    assert alliance.autonomy_and_consent.status is Assessment.NOT_ASSESSED
    assert alliance.respect.pronouns is None
    assert alliance.measures.wai_sr is None and alliance.measures.ors is None
    assert alliance.plan == []


def test_the_clinicians_own_notes_stay_out_and_are_reported_by_line_only() -> None:
    filled = parse_filled(HAND_FILLED)
    lines = {notice.line for notice in filled.notices if "outside the answer spaces" in notice.message}
    assert lines == {
        _line_of(HAND_FILLED, "My own heading text"),
        _line_of(HAND_FILLED, "Reminder to myself"),
    }
    for notice in filled.notices:
        assert "supervision" not in str(notice) and "heading text" not in str(notice)
    dumped = filled.note.model_dump_json()
    assert "supervision" not in dumped and "private comment" not in dumped


def test_windows_line_endings_and_extra_blank_lines_read_the_same() -> None:
    expected = parse_filled(HAND_FILLED).note
    assert parse_filled(HAND_FILLED.replace("\n", "\r\n")).note == expected
    assert parse_filled(HAND_FILLED.encode("utf-8-sig")).note == expected
    spaced = HAND_FILLED.replace("\n**", "\n\n\n**").replace("\n### ", "\n\n\n### ")
    assert parse_filled(spaced).note == expected


@pytest.mark.parametrize("tick", ["[x]", "[X]", "[✓]", "[✔]"])
def test_any_usual_tick_counts(tick: str) -> None:
    text = HAND_FILLED.replace("- [X] steady", f"- {tick} steady")
    assert parse_filled(text).note.alliance.trust.state is TrustState.STEADY


def test_choices_may_be_typed_instead_of_ticked() -> None:
    text = HAND_FILLED.replace("- [X] steady", "strained").replace(
        "  - Type: [x] withdrawal · [ ] confrontation", "  - Type: Withdrawal"
    )
    note = parse_filled(text).note
    assert note.alliance.trust.state is TrustState.STRAINED
    assert note.alliance.ruptures[0].type is RuptureType.WITHDRAWAL


def test_words_changed_after_a_field_name_are_noticed_as_an_edited_prompt() -> None:
    filled = parse_filled(HAND_FILLED)
    edited = {notice.line for notice in filled.notices if "read as its prompt" in notice.message}
    assert edited == {_line_of(HAND_FILLED, "my own words replace"), _line_of(HAND_FILLED, "what helped?")}


def test_edited_prompts_are_ignored() -> None:
    text = HAND_FILLED.replace(
        "_What the client reported and what the clinician observed._", "_What the client reported (edited)._"
    ).replace("**Built trust** — what helped?", "**Built trust**: whatever I like to remind myself here")
    note = parse_filled(text).note
    assert note.section_text("data") == "Client reported a hard week at work.\n\n\nSlept poorly."
    assert len(note.alliance.trust.built_by) == 1


def test_a_typo_in_a_ticked_choice_names_line_field_and_the_likely_choice() -> None:
    text = HAND_FILLED.replace("[x] minimal response", "[x] minimal responce")
    (problem,) = _problems(text)
    assert problem.line == _line_of(text, "minimal responce")
    assert problem.location == "alliance.ruptures[0].withdrawal_markers"
    assert (
        problem.message == "what is written here is not a withdrawal marker; did you mean 'minimal response'?"
    )
    # A clinician reads where it is in the form's words, counting entries from one.
    assert str(problem).startswith(f"line {problem.line}, Ruptures › 1st entry › Withdrawal markers: ")
    assert problem.as_dict()["place"] == "Ruptures › 1st entry › Withdrawal markers"


def test_every_problem_is_listed_in_line_order() -> None:
    text = (
        HAND_FILLED.replace("modality: Individual", "modality: indivdual")
        .replace("- [X] steady", "- [x] steady\n- [x] strained")
        .replace("**Strained trust**", "**Strainde trust**")
        .replace("  - Goals and topics: 8,5", "  - Goals and topics: lots")
        .replace("  - Outcome: resolved", "  - Outcome: resolvd")
        .replace('> "You remembered!" — client, utterance 7, 00:05:10', '> "You remembered!"')
    )
    problems = _problems(text)
    assert [problem.line for problem in problems] == sorted(problem.line for problem in problems)
    messages = {problem.location: problem.message for problem in problems}
    assert (
        messages["session.modality"] == "what is written here is not a modality; did you mean 'individual'?"
    )
    assert messages["alliance.trust.state"] == "tick only one (2 are ticked)"
    assert messages["alliance.trust"] == "this is not a field of Trust; did you mean 'Strained trust'?"
    assert messages["alliance.measures.srs.goals_and_topics"].startswith("must be a score")
    assert (
        messages["alliance.repairs[0].outcome"]
        == "what is written here is not a repair outcome; did you mean 'resolved'?"
    )
    assert "say whose words" in messages["alliance.trust.built_by[0].evidence[0]"]
    assert all(problem.line is not None for problem in problems)


def test_errors_never_repeat_free_text() -> None:
    secret = "she spoke about her father's drinking and the night he left"
    text = (
        HAND_FILLED.replace("  - Type: [x] withdrawal · [ ] confrontation", f"  - Type: {secret}")
        .replace("  - Significance: [ ] 1 · [x] 2 · [ ] 3", f"  - Significance: {secret}")
        .replace("client: C-0101", "client: Jane Doe")
        .replace("**Ruptures looked for**\n- [x] observed", f"**Ruptures looked for**\n- [x] {secret}")
    )
    problems = _problems(text)
    assert {problem.location for problem in problems} >= {
        "alliance.ruptures[0].type",
        "alliance.ruptures[0].significance",
        "session.client",
        "alliance.rupture_screening",
    }
    for problem in problems:
        assert "father" not in str(problem) and "Jane" not in str(problem)


def test_observations_without_a_state_are_an_error_not_a_guess() -> None:
    text = HAND_FILLED.replace("- [X] steady", "- [ ] steady")
    (problem,) = _problems(text)
    assert problem.location == "alliance.trust.state"
    assert problem.line == _line_of(text, "**Trust this session**")


def test_required_parts_of_an_item_are_reported_at_the_item() -> None:
    text = HAND_FILLED.replace("  - Type: [x] withdrawal · [ ] confrontation\n", "")
    (problem,) = _problems(text)
    assert problem.location == "alliance.ruptures[0].type"
    assert problem.message == "is required: tick one"
    assert problem.place == "Ruptures › 1st entry › Type"
    assert problem.line == _line_of(text, "What happened:")


def test_a_repair_with_its_rupture_line_left_out_names_no_rupture() -> None:
    """The rupture a repair addresses is optional (a repair can stand alone): leaving the
    line out records none rather than guessing one."""
    text = HAND_FILLED.replace("  - Repairs rupture: r1\n", "")
    (repair,) = parse_filled(text).note.alliance.repairs
    assert repair.rupture is None
    assert repair.outcome is not None and repair.outcome.value == "resolved"


def test_a_misspelt_heading_is_an_error_but_an_unknown_one_is_the_clinicians() -> None:
    (problem,) = _problems(HAND_FILLED.replace("## Assessment", "## Asessment"))
    assert problem.message == "this heading names no section; did you mean 'Assessment'?"
    filled = parse_filled(
        HAND_FILLED.replace("### Measures", "## Things to remember\nbring forms\n\n### Measures")
    )
    assert any(notice.line == _line_of(HAND_FILLED, "### Measures") for notice in filled.notices)
    assert filled.note.alliance.measures.srs is not None


def test_form_level_problems() -> None:
    no_details = HAND_FILLED.replace("---\nkind: dap", "kind: dap", 1).replace("---\n\n#", "\n#", 1)
    assert [problem.message for problem in _problems(no_details)] == [
        "the form must start with its details between two '---' lines",
        "is required in the details: one of birp, dap, girp, soap",
    ]
    (problem,) = _problems(HAND_FILLED.replace("kind: dap", "kind: pie"))
    assert problem.message.startswith("must be one of: birp, dap, girp, soap")
    problems = _problems(HAND_FILLED.replace("over two lines -->", "over two lines"))
    assert problems[0].message == "this comment (<!--) is never closed with -->"
    with pytest.raises(NoteValidationError):
        parse_filled(b"\xff\xfe not utf-8")


def _example_form(kind: str) -> tuple[str, FilledNote]:
    note = create_host(entry_points=[]).load_note(example_notes()[kind])
    form = prefilled_template(note, audience="review")
    return form, parse_filled(form)


def test_ticking_confirmed_confirms_a_suggestion() -> None:
    form, before = _example_form("girp")
    assert before.note.alliance.summary is not None
    assert not before.note.alliance.summary.provenance.confirmed
    ticked = form.replace(
        "⚑ Suggestion to confirm: [ ] confirmed", "⚑ Suggestion to confirm: [x] confirmed", 1
    )
    after = parse_filled(ticked).note
    assert after.alliance.summary is not None
    assert after.alliance.summary.provenance.confirmed
    assert after.alliance.summary.provenance.suggested_by == "scribe-llm 2026-03"


def test_deleting_a_suggested_item_removes_it() -> None:
    form, before = _example_form("girp")
    lines = form.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("**Built trust**")) + 1
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- "))
    shorter = "\n".join([*lines[:start], *lines[end:]])
    after = parse_filled(shorter).note
    assert after.alliance.trust.built_by == before.note.alliance.trust.built_by[1:]
