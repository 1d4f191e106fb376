"""The note model: validation, computed measures, "not assessed", and error messages."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_notes import NoteValidationError, read_note
from alliance_notes.alliance import Alliance
from alliance_notes.loading import note_from_data
from alliance_notes.measures import SessionRatingScale, WorkingAllianceInventory
from alliance_notes.testing import notes, texts
from alliance_notes.vocabulary import Assessment, RuptureScreening

MINIMAL: dict[str, Any] = {
    "kind": "soap",
    "session": {"client": "C-0001", "date": "2026-03-01"},
    "authorship": {"written_by": "clinician"},
}


def problems_of(data: Any) -> dict[str, str]:
    """Validate and return {location: message} for every problem."""
    with pytest.raises(NoteValidationError) as caught:
        note_from_data(data)
    return {problem.location: problem.message for problem in caught.value.problems}


@given(notes())
def test_every_valid_note_round_trips_through_json(note: Any) -> None:
    assert read_note(note.model_dump_json()) == note


@given(notes())
def test_dumped_json_carries_computed_totals_that_read_back(note: Any) -> None:
    data = json.loads(note.model_dump_json())
    srs = data["alliance"]["measures"]["srs"]
    if srs is not None:
        assert srs["total"] == round(
            srs["relationship"] + srs["goals_and_topics"] + srs["approach_or_method"] + srs["overall"], 1
        )
    assert note_from_data(data) == note


def test_minimal_note_is_not_assessed_everywhere() -> None:
    note = note_from_data(MINIMAL)
    alliance = note.alliance
    assert alliance.trust.state.value == "not_assessed"
    assert alliance.respect.status is Assessment.NOT_ASSESSED
    assert alliance.rupture_screening is RuptureScreening.NOT_ASSESSED
    assert alliance.measures.srs is None


def test_assessed_with_nothing_found_is_distinct_from_not_assessed() -> None:
    looked = note_from_data(
        {**MINIMAL, "alliance": {"rupture_screening": "none_observed", "respect": {"status": "assessed"}}}
    )
    assert looked.alliance.rupture_screening is RuptureScreening.NONE_OBSERVED
    assert looked.alliance.respect.status is Assessment.ASSESSED
    assert looked != note_from_data(MINIMAL)


def test_content_implies_assessed_and_observed() -> None:
    note = note_from_data(
        {
            **MINIMAL,
            "alliance": {
                "respect": {"strengths": [{"text": "Named her persistence."}]},
                "ruptures": [
                    {"id": "r1", "type": "withdrawal", "significance": 2, "description": "Went quiet."}
                ],
            },
        }
    )
    assert note.alliance.respect.status is Assessment.ASSESSED
    assert note.alliance.rupture_screening is RuptureScreening.OBSERVED


@pytest.mark.parametrize(
    ("alliance", "location", "fragment"),
    [
        (
            {"respect": {"status": "not_assessed", "strengths": [{"text": "x"}]}},
            "alliance.respect.status",
            "not_assessed",
        ),
        ({"trust": {"built_by": [{"text": "x"}]}}, "alliance.trust.state", "give the state"),
        (
            {
                "rupture_screening": "none_observed",
                "ruptures": [{"id": "r1", "type": "withdrawal", "significance": 1, "description": "x"}],
            },
            "alliance.rupture_screening",
            "observed",
        ),
        ({"rupture_screening": "observed"}, "alliance.rupture_screening", "no rupture"),
        (
            {
                "ruptures": [{"id": "r1", "type": "withdrawal", "significance": 1, "description": "x"}],
                "repairs": [{"rupture": "r2", "outcome": "resolved"}],
            },
            "alliance.repairs[0].rupture",
            "not the id",
        ),
        (
            {"ruptures": [{"id": "r1", "type": "withdrawal", "significance": 1, "description": "x"}] * 2},
            "alliance.ruptures[1].id",
            "already",
        ),
        ({"plan": [{"text": "x", "rupture": "r7"}]}, "alliance.plan[0].rupture", "not the id"),
        (
            {
                "ruptures": [
                    {
                        "id": "r1",
                        "type": "withdrawal",
                        "confrontation_markers": ["complaints_about_therapist"],
                        "significance": 1,
                        "description": "x",
                    }
                ]
            },
            "alliance.ruptures[0].confrontation_markers",
            "withdrawal rupture",
        ),
        (
            {"ruptures": [{"id": "r1", "type": "withdrawal", "significance": 7, "description": "x"}]},
            "alliance.ruptures[0].significance",
            "must be between 1 and 5",
        ),
        ({"measures": {"wai_sr": {"items": [3] * 11}}}, "alliance.measures.wai_sr.items", "all 12"),
        (
            {
                "measures": {
                    "srs": {"relationship": 11, "goals_and_topics": 9, "approach_or_method": 9, "overall": 9}
                }
            },
            "alliance.measures.srs.relationship",
            "between 0 and 10",
        ),
        (
            {
                "measures": {
                    "srs": {
                        "relationship": 8.55,
                        "goals_and_topics": 9,
                        "approach_or_method": 9,
                        "overall": 9,
                    }
                }
            },
            "alliance.measures.srs.relationship",
            "one decimal",
        ),
        (
            {"summary": {"text": "x", "provenance": {"author": "extractor"}}},
            "alliance.summary.provenance.suggested_by",
            "name the extractor",
        ),
        (
            {"summary": {"text": "x", "provenance": {"confidence": 0.5}}},
            "alliance.summary.provenance.author",
            "suggestion",
        ),
        (
            {
                "summary": {
                    "text": "x",
                    "evidence": [{"quote": "y", "speaker": "client", "timestamp": "soon"}],
                }
            },
            "alliance.summary.evidence[0].timestamp",
            "time such as",
        ),
    ],
)
def test_invalid_alliance_is_reported_at_the_precise_field(
    alliance: dict[str, Any], location: str, fragment: str
) -> None:
    problems = problems_of({**MINIMAL, "alliance": alliance})
    assert location in problems, problems
    assert fragment in problems[location]


def test_every_problem_is_listed_not_just_the_first() -> None:
    data = copy.deepcopy(MINIMAL)
    data["session"] = {"client": "Jane Doe", "date": "last Tuesday", "duration_minutes": 0}
    data["subjective"] = 42
    data["alliance"] = {"ruptures": [{"id": "r1", "type": "sideways", "significance": 9, "description": ""}]}
    problems = problems_of(data)
    assert set(problems) >= {
        "session.client",
        "session.date",
        "session.duration_minutes",
        "subjective",
        "alliance.ruptures[0].type",
        "alliance.ruptures[0].significance",
        "alliance.ruptures[0].description",
    }


def test_computed_totals_are_never_typed_in_by_hand() -> None:
    items = {"relationship": 9, "goals_and_topics": 9, "approach_or_method": 8, "overall": 9}
    assert SessionRatingScale.model_validate({**items, "total": 35}).total == 35
    problems = problems_of({**MINIMAL, "alliance": {"measures": {"srs": {**items, "total": 40}}}})
    assert "computed from the item scores" in problems["alliance.measures.srs.total"]


def test_srs_cutoff_and_wai_sr_subscales() -> None:
    srs = SessionRatingScale(relationship=9, goals_and_topics=9, approach_or_method=9, overall=8.9)
    assert srs.total == 35.9 and srs.below_cutoff
    assert not SessionRatingScale(
        relationship=9, goals_and_topics=9, approach_or_method=9, overall=9
    ).below_cutoff
    wai = WorkingAllianceInventory(items=[1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2])
    # Task = items 1, 2, 10, 12; Bond = 3, 5, 7, 9; Goal = 4, 6, 8, 11 (REFERENCE.md §4).
    assert (wai.task, wai.bond, wai.goal, wai.total) == (1 + 2 + 5 + 2, 3 + 5 + 2 + 4, 4 + 1 + 3 + 1, 33)


@pytest.mark.parametrize(
    "data",
    [
        {**MINIMAL, "kind": "pie"},
        {**MINIMAL, "kind": 3},
        {key: value for key, value in MINIMAL.items() if key != "kind"},
        [MINIMAL],
        "a note",
    ],
)
def test_unknown_missing_or_misplaced_kind_is_reported_without_echo(data: Any) -> None:
    with pytest.raises(NoteValidationError) as caught:
        note_from_data(data)
    message = str(caught.value)
    assert "soap" in message or "JSON object" in message
    assert "pie" not in message and "a note" not in message


SECRET = "Zq7-PHI-marker"


@given(
    st.sampled_from(
        [
            "subjective",
            "session.client",
            "session.date",
            "session.modality",
            "alliance.summary",
            "alliance.trust.state",
            "alliance.ruptures",
            "authorship.written_by",
            "kind",
            "surprise",
        ]
    ),
    texts(12),
)
def test_errors_never_echo_submitted_text(field: str, noise: str) -> None:
    """Whatever is wrong, the report names the field and never repeats what was typed."""
    secret = f"{SECRET} {noise}"
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    *parents, leaf = field.split(".")
    for parent in parents:
        target = target.setdefault(parent, {})
    target[leaf] = (
        {"unexpected": secret} if leaf == "summary" else [secret] if leaf == "subjective" else secret
    )
    with pytest.raises(NoteValidationError) as caught:
        note_from_data(data)
    assert SECRET not in str(caught.value)
    for problem in caught.value.problems:
        assert SECRET not in problem.message and SECRET not in problem.location


#: Where an unknown key can sit, from the note down to one item of a part.
_KEY_PLACES = ["", "session", "authorship", "alliance", "alliance.trust", "alliance.ruptures.0"]
_ID_SECRET = "Zq7PHImarker"


def _rupture(rupture_id: str) -> dict[str, Any]:
    return {
        "id": rupture_id,
        "type": "withdrawal",
        "significance": 2,
        "description": "x",
        "belongs": "progress_note",
    }


@given(st.sampled_from(_KEY_PLACES), texts(12))
def test_an_unknown_key_is_located_never_repeated(place: str, noise: str) -> None:
    """A language model can put note text in a key; the report says where, not what."""
    data = copy.deepcopy(MINIMAL)
    data["alliance"] = {"rupture_screening": "observed", "ruptures": [_rupture("r1")]}
    target: Any = data
    for step in filter(None, place.split(".")):
        target = target[int(step)] if step.isdigit() else target.setdefault(step, {})
    target[f"{SECRET} {noise}"] = 1
    with pytest.raises(NoteValidationError) as caught:
        note_from_data(data)
    assert SECRET not in str(caught.value)
    (problem,) = caught.value.problems
    assert problem.location == place.replace(".0", "[0]")
    assert problem.message.startswith("has a key that is not one of its fields")


@pytest.mark.parametrize(
    "alliance",
    [
        {
            "rupture_screening": "observed",
            "ruptures": [_rupture("r1")],
            "repairs": [{"rupture": _ID_SECRET, "outcome": "resolved"}],
        },
        {
            "rupture_screening": "observed",
            "ruptures": [_rupture("r1")],
            "plan": [{"text": "x", "rupture": _ID_SECRET}],
        },
        {"rupture_screening": "observed", "ruptures": [_rupture(_ID_SECRET), _rupture(_ID_SECRET)]},
    ],
)
def test_a_rupture_id_is_never_repeated_in_a_message(alliance: dict[str, Any]) -> None:
    with pytest.raises(NoteValidationError) as caught:
        note_from_data({**MINIMAL, "alliance": alliance})
    assert _ID_SECRET not in str(caught.value)
    (problem,) = caught.value.problems
    assert problem.location.endswith(("].rupture", "].id"))


def test_a_key_given_twice_is_an_error_naming_a_known_key_only() -> None:
    from alliance_notes.loading import read_note

    duplicated = '{"kind": "soap", "kind": "dap", "session": {}, "authorship": {}}'
    with pytest.raises(NoteValidationError, match="gives the key 'kind' twice in one object"):
        read_note(duplicated)
    secret = f'{{"kind": "soap", "{SECRET}": 1, "{SECRET}": 2}}'
    with pytest.raises(NoteValidationError) as caught:
        read_note(secret)
    assert "gives a key twice in one object" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "is nested too deeply"),
        ('{"kind": "soap", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "is nested too deeply"),
        ('{"kind": "soap", "x": ' + "7" * 5000 + "}", "has a number too long to read"),
    ],
    ids=["5000-levels", "100000-levels", "5000-digits"],
)
def test_json_beyond_what_python_reads_is_a_clear_problem(text: str, message: str) -> None:
    from alliance_notes.loading import read_note

    with pytest.raises(NoteValidationError, match=message):
        read_note(text)


def test_text_with_control_characters_is_rejected_with_its_code_point() -> None:
    problems = problems_of({**MINIMAL, "subjective": "fine\x00"})
    assert (
        problems["subjective"]
        == "contains a character a note cannot store (U+0000, a control character or noncharacter)"
    )


def test_alliance_parts_are_in_presentation_order() -> None:
    assert Alliance.part_keys()[0] == "summary" and Alliance.part_keys()[-1] == "plan"
    assert set(Alliance.part_keys()) <= set(Alliance.model_fields)


@pytest.mark.parametrize("character", ["\ufdd0", "\uffff", "\U0001fffe", "\x7f"])
def test_noncharacters_are_rejected_like_control_characters(character: str) -> None:
    problems = problems_of({**MINIMAL, "plan": f"fine{character}"})
    assert problems["plan"].startswith("contains a character a note cannot store (U+")


def test_a_repair_may_stand_alone_but_a_named_rupture_must_exist() -> None:
    """A repair with no rupture recorded is valid (the words carried the repair); one that
    names a rupture the note lacks is refused at that field."""
    alone = Alliance.model_validate({"repairs": [{"strategies": ["acknowledges_own_contribution"]}]})
    assert alone.repairs[0].rupture is None
    with pytest.raises(ValueError, match="is not the id of any rupture"):
        Alliance.model_validate({"repairs": [{"rupture": "r9", "strategies": []}]})
