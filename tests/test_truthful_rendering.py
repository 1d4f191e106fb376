"""A rendered note never says more than was recorded (every format, generated notes).

* No absence nobody recorded: each format's absence wording appears only for a part whose
  absence the note records.  What counts as recorded is read off the model here, not off
  the document builder, so that a builder that invents an absence fails.
* No machine guess that looks like a clinician's decision: every value a program set and
  no clinician confirmed is marked, single answers as much as list items.
* No default shown as a fact: a session detail or an administration time nobody gave does
  not appear.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from alliance_notes import create_host
from alliance_notes.alliance import Alliance, single_answers
from alliance_notes.document import answer_provenance, build_document
from alliance_notes.evidence import Observation, Provenance
from alliance_notes.loading import note_from_data
from alliance_notes.note import ProgressNote
from alliance_notes.testing import notes
from alliance_notes.vocabulary import Assessment, PartStatus, RuptureScreening
from alliance_notes.walk import instances_in
from formats_support import fhir_narrative_text

#: How each format reads as text a person sees.
READERS: dict[str, Callable[[str], str]] = {
    "text": lambda output: output,
    "markdown": lambda output: output,
    "ehr-text": lambda output: output,
    "html": html.unescape,
    "fhir-r5": fhir_narrative_text,
    "fhir-r4b": fhir_narrative_text,
}

#: Wording that states an absence, per format (a format whose wording differs lists its own).
ABSENCE_PHRASES: dict[str, dict[PartStatus, tuple[str, ...]]] = {
    name: {status: (status.label,) for status in PartStatus if status.records_absence} for name in READERS
}
#: Absence wording that no rendering may use at all any more: each claimed an absence that
#: the note did not record.
RETIRED_PHRASES = ("none given", "not asked", "none recorded", "Repair: not yet addressed")
#: The mark every format puts on a suggestion awaiting the clinician.
SUGGESTION_MARK = "suggestion: to confirm"


def recorded_absences(alliance: Alliance) -> set[PartStatus]:
    """The absences the section records, read off the model."""
    found = set()
    for part in (alliance.respect, alliance.boundaries, alliance.autonomy_and_consent):
        if part.status is Assessment.ASSESSED and not part.has_content():
            found.add(PartStatus.NOTHING_TO_NOTE)
    if alliance.rupture_screening is RuptureScreening.NONE_OBSERVED:
        found |= {PartStatus.NONE_OBSERVED, PartStatus.NO_RUPTURE_TO_REPAIR}
    if alliance.measures.status is Assessment.ASSESSED and not alliance.measures.has_content():
        found.add(PartStatus.NONE_GIVEN)
    return found


def machine_set_values(note: ProgressNote) -> int:
    """How many values a program set that no clinician has confirmed, read off the model.

    Items carry their provenance and single answers are named in ``set_by``; in an AI
    draft nobody reviewed, whatever names no program was set by the scribe.  A screening
    that found no rupture is shown twice, under ruptures and under repairs, and marked in
    both.
    """
    alliance = note.alliance
    drafted = note.authorship.written_by.value == "ai_draft"
    items = sum(
        1
        for _, item in instances_in(alliance, Observation)
        if item.provenance.is_unconfirmed_suggestion or (drafted and item.provenance == Provenance())
    )
    answers = 0
    for path in single_answers(type(alliance)):
        provenance = alliance.set_by.get(path)
        unconfirmed = (
            provenance.is_unconfirmed_suggestion
            if provenance is not None
            else drafted and alliance.answer_is_set(path) and not alliance.answer_is_implied(path)
        )
        if unconfirmed:
            answers += (
                2
                if alliance.rupture_screening is RuptureScreening.NONE_OBSERVED
                and (path == "rupture_screening")
                else 1
            )
    return items + answers


_host = create_host()
_settings = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("format_name", sorted(READERS))
@_settings
@given(note=notes())
def test_absence_is_rendered_only_when_recorded(format_name: str, note: ProgressNote) -> None:
    # The note's own words may be anything, an absence phrase included (hypothesis draws on
    # this module's strings); such a note proves nothing about what the renderer adds.
    written = note.model_dump_json()
    phrases = [phrase for by_status in ABSENCE_PHRASES[format_name].values() for phrase in by_status]
    assume(not any(phrase in written for phrase in [*phrases, *RETIRED_PHRASES]))
    shown = READERS[format_name](_host.render(note, format_name, audience="review"))
    recorded = recorded_absences(note.alliance)
    for status, phrases in ABSENCE_PHRASES[format_name].items():
        for phrase in phrases:
            if status not in recorded:
                assert phrase not in shown, f"{format_name} says {status.value} unrecorded"
    unclaimed = shown
    for status in PartStatus:
        unclaimed = unclaimed.replace(status.label, "")
    for phrase in RETIRED_PHRASES:
        assert phrase not in unclaimed


@pytest.mark.parametrize("format_name", ["fhir-r5", "fhir-r4b"])
@_settings
@given(note=notes())
def test_fhir_empty_reasons_follow_the_recorded_status(format_name: str, note: ProgressNote) -> None:
    bundle = json.loads(_host.render(note, format_name, audience="review"))
    composition = bundle["entry"][0]["resource"]
    alliance_section = next(s for s in composition["section"] if s["id"] == "section-alliance")
    reasons = {
        part["id"]: part["emptyReason"]["coding"][0]["code"]
        for part in alliance_section["section"]
        if "emptyReason" in part
    }
    if "nilknown" in reasons.values():
        assert recorded_absences(note.alliance)
    assert "unavailable" not in reasons.values()


@pytest.mark.parametrize("format_name", sorted(READERS))
@_settings
@given(note=notes())
def test_every_machine_set_value_is_marked(format_name: str, note: ProgressNote) -> None:
    expected = machine_set_values(note)
    document = build_document(note)
    marked_items = sum(
        1
        for section in document.sections
        for block in section.blocks
        for item in block.items
        if item.suggestion
    )
    assert marked_items == expected
    shown = READERS[format_name](_host.render(note, format_name, audience="review"))
    assert shown.count(SUGGESTION_MARK) >= expected


@_settings
@given(note=notes())
def test_drafted_answers_are_attributed_to_the_scribe(note: ProgressNote) -> None:
    provenance = answer_provenance(note)
    for path in single_answers(type(note.alliance)):
        if path in note.alliance.set_by:
            assert provenance[path] == note.alliance.set_by[path]
        elif note.authorship.written_by.value != "ai_draft":
            assert path not in provenance


_OPTIONAL_FACTS = {
    "number": "Session number",
    "duration_minutes": "Duration",
    "modality": "Modality",
    "setting": "Setting",
    "language": "Language",
}


@pytest.mark.parametrize("format_name", ["text", "markdown", "html", "ehr-text"])
@_settings
@given(note=notes(), data=st.data())
def test_no_detail_appears_that_the_input_did_not_give(
    format_name: str, note: ProgressNote, data: st.DataObject
) -> None:
    shown = READERS[format_name](_host.render(note, format_name, audience="review"))
    # A label the note's own words contain (a plan that reads "Language") proves nothing.
    words = json.dumps(note.model_dump(mode="json"), ensure_ascii=False)
    for field, label in _OPTIONAL_FACTS.items():
        if getattr(note.session, field) is None and label not in words:
            # "Modality:" in the text formats, "<dt>Modality</dt>" in HTML.
            for shown_as in (f"{label}:", f">{label}<"):
                assert shown_as not in shown, f"{format_name} shows {field}, which the note leaves out"
    measures = note.alliance.measures
    given_times = sum(
        1 for measure in (measures.srs, measures.wai_sr, measures.ors) if measure and measure.administered
    )
    assert shown.count("given at the") == given_times


def test_the_smallest_note_renders_only_what_it_contains() -> None:
    note = note_from_data(
        {
            "kind": "dap",
            "session": {"client": "C-0412", "date": "2026-03-10"},
            "authorship": {"written_by": "clinician"},
            "data": "Data.",
            "assessment": "Assessment.",
            "plan": "Plan.",
        }
    )
    document = build_document(note)
    alliance = document.section("alliance")
    assert alliance is not None
    assert [block.status for block in alliance.blocks] == [PartStatus.NOT_ASSESSED] * len(alliance.blocks)
    assert [label for label, _ in document.facts] == ["Client", "Session date", "Written by", "Note schema"]
    text = _host.render(note, "text", audience="review")
    for label in ("Modality", "Language", "Setting"):
        assert label not in text


@_settings
@given(note=notes())
def test_canonical_json_carries_no_guessed_detail_and_every_mark(note: ProgressNote) -> None:
    data = json.loads(_host.render(note, "json", audience="review"))
    for field in _OPTIONAL_FACTS:
        if getattr(note.session, field) is None:
            assert data["session"].get(field) is None
    assert data["alliance"]["set_by"] == note.alliance.model_dump(mode="json")["set_by"]
    marked = sum(
        1 for _, item in instances_in(note.alliance, Observation) if item.provenance.is_unconfirmed_suggestion
    )
    assert json.dumps(data["alliance"]).count('"confirmed": false') >= marked
