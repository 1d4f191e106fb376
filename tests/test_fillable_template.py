"""The fill-in forms: what a blank and a prefilled form contain, and that they read well."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Literal

import pytest
from hypothesis import HealthCheck, given, settings

from alliance_notes import create_host
from alliance_notes.alliance import Alliance
from alliance_notes.errors import NoteValidationError
from alliance_notes.examples import example_notes
from alliance_notes.fillable import blank_template, parse_filled, prefilled_template
from alliance_notes.fillable.layout import PARTS
from alliance_notes.note import BUILT_IN_KINDS, HostSection, HostText, ProgressNote
from alliance_notes.testing import notes
from alliance_notes.vocabulary import (
    BondAspect,
    ConfrontationMarker,
    Record,
    RepairOutcome,
    ResolutionStrategy,
    TrustState,
    WithdrawalMarker,
)

KINDS = sorted(BUILT_IN_KINDS)


def _example(kind: str) -> ProgressNote:
    return create_host(entry_points=[]).load_note(example_notes()[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_blank_form_has_details_host_sections_then_the_alliance_section(kind: str) -> None:
    model = BUILT_IN_KINDS[kind]
    form = blank_template(model)
    lines = form.splitlines()
    assert lines[0] == "---"
    assert f"kind: {kind}" in form
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert headings == [*(section.title for section in model.host_sections), "Therapeutic alliance"]
    parts = [line[4:] for line in lines if line.startswith("### ")]
    assert parts == [part.title for part in PARTS]
    for section in model.host_sections:
        assert f"_{section.prompt}_" in form


@pytest.mark.parametrize("kind", KINDS)
def test_blank_form_offers_every_closed_choice_as_a_tick_box(kind: str) -> None:
    form = blank_template(BUILT_IN_KINDS[kind])
    for choices in (
        TrustState,
        WithdrawalMarker,
        ConfrontationMarker,
        ResolutionStrategy,
        RepairOutcome,
        BondAspect,
    ):
        for choice in choices:
            assert f"[ ] {choice.label}" in form, choice
    assert f"Belongs in: [ ] {Record.PROGRESS_NOTE.label} · [ ] {Record.PSYCHOTHERAPY_NOTE.label}" in form
    answers = form.split("## Therapeutic alliance", 1)[1]
    assert "[x]" not in answers, "a blank form ticks nothing, not even where an entry belongs"


def test_blank_form_prompts_in_the_clinicians_words() -> None:
    form = blank_template(BUILT_IN_KINDS["soap"])
    for idea in (
        "feel secure",  # what helps the client feel secure
        "share only when you're ready",
        "Would it feel okay to talk",  # asking before a hard topic
        "boundary raised, tested or crossed",
        "Is there something I can change to support you better?",
        "owned your part and invited repair",
        "pronouns the client uses",
    ):
        assert idea in form, idea


def test_blank_form_reads_as_a_document_with_instructions_and_no_machine_syntax() -> None:
    form = blank_template(BUILT_IN_KINDS["dap"])
    assert "How to fill in this note" in form
    assert "blank means" in form
    assert '`"' not in form  # nothing escaped
    assert "{{" not in form and "{%" not in form
    assert not [line for line in form.splitlines() if line != "- " and line != line.rstrip()]


def test_blank_form_does_not_parse_into_an_invented_note() -> None:
    with pytest.raises(NoteValidationError) as raised:
        parse_filled(blank_template(BUILT_IN_KINDS["soap"]))
    locations = {problem.location for problem in raised.value.problems}
    assert locations == {"session.client", "session.date"}


@pytest.mark.parametrize("kind", KINDS)
def test_prefilled_example_reads_well_and_back(kind: str) -> None:
    note = _example(kind)
    form = prefilled_template(note, audience="review")
    assert '`"' not in form, "ordinary clinical text is written as typed, never escaped"
    assert parse_filled(form).note == note
    for section in note.host_sections:
        text = note.section_text(section.key)
        if text:
            assert text in form


def _unconfirmed(note: ProgressNote) -> int:
    dumped = note.alliance.model_dump(mode="json")
    found = 0

    def walk(value: object) -> None:
        nonlocal found
        if isinstance(value, dict):
            provenance = value.get("provenance")
            if isinstance(provenance, dict) and provenance.get("author") != "clinician":
                found += not provenance.get("confirmed")
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(dumped)
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_prefilled_form_marks_each_unconfirmed_suggestion(kind: str) -> None:
    note = _example(kind)
    form = prefilled_template(note, audience="review")
    expected = _unconfirmed(note)
    assert form.count("⚑ Suggestion to confirm: [ ] confirmed") == expected
    if expected:
        assert re.search(rf"⚑ {expected} entr(y was|ies were) suggested", form)
    assert form.count("Suggestion confirmed: [x] confirmed") >= 0


def test_prefill_ticks_the_notes_choices_and_leaves_not_assessed_blank() -> None:
    note = _example("soap")
    form = prefilled_template(note, audience="review")
    assert "- [x] strengthening" in form
    assert "- [ ] not assessed" in form
    assert "[x] not assessed" not in form
    assert "[x] psychotherapy note (private)" in form


def test_multi_choice_order_is_kept_by_listing_ticked_boxes_first() -> None:
    note = _example("dap")
    markers = note.alliance.ruptures[0].markers
    form = prefilled_template(note, audience="review")
    positions = [form.index(f"[x] {marker.label}") for marker in markers]
    assert positions == sorted(positions)
    assert parse_filled(form).note.alliance.ruptures[0].markers == markers


def test_unusual_text_is_escaped_so_it_reads_back_exactly() -> None:
    note = _example("soap")
    awkward = (
        "  leading spaces, a trailing one \n**Built trust** — looks like a field\n<!-- not a comment -->"
        "\r\nWindows line\tand tab\u2028line separator\x85next line\u00a0"
    )
    alliance = note.alliance.model_copy(
        update={"summary": note.alliance.summary.model_copy(update={"text": awkward})}  # type: ignore[union-attr]
    )
    changed = note.model_copy(
        update={"alliance": alliance, "plan": "- a list\n## not a heading", "subjective": "said\r\nthen"}
    )
    form = prefilled_template(changed, audience="review")
    assert '`"  leading spaces' in form
    again = parse_filled(form).note
    assert again.alliance.summary is not None
    assert again.alliance.summary.text == awkward
    assert again.section_text("plan") == "- a list\n## not a heading"
    assert again.section_text("subjective") == "said\r\nthen"
    assert again == changed


class PieNote(ProgressNote):
    """PIE, as a plugin might add it: Problem · Intervention · Evaluation."""

    title: ClassVar[str] = "PIE note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("problem", "Problem", "The problem this session addressed."),
        HostSection("intervention", "Intervention", "What the clinician did."),
        HostSection("evaluation", "Evaluation", "How the client responded."),
    )
    inline_placement: ClassVar[Mapping[str, str]] = dict.fromkeys(Alliance.part_keys(), "evaluation")

    kind: Literal["pie"] = "pie"
    problem: HostText
    intervention: HostText
    evaluation: HostText


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=notes([PieNote]))
def test_a_plugins_note_kind_gets_a_form_that_reads_back(note: ProgressNote) -> None:
    form = prefilled_template(note, audience="review")
    assert "## Problem\n_The problem this session addressed._" in form
    assert parse_filled(form, {"pie": PieNote}).note == note
