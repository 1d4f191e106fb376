"""The mistakes people make filling in a form by hand: each gives the right outcome —
exact filing, a left-out notice, or an error at the right line in the clinician's words —
and never files a clinician's words under another field.

The forms are fixtures (``tests/fixtures/fillable/mistakes``, see its SOURCE.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError, Problem
from alliance_notes.fillable import FilledNote, parse_filled

FORMS = Path(__file__).parent / "fixtures" / "fillable" / "mistakes"
_host = create_host()


def _form(name: str) -> str:
    return (FORMS / name).read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def _parsed(text: str) -> FilledNote:
    return parse_filled(text, _host.note_models)


def _problems(text: str) -> list[Problem]:
    with pytest.raises(NoteValidationError) as raised:
        _parsed(text)
    return list(raised.value.problems)


def test_the_filled_form_reads_exactly() -> None:
    filled = _parsed(_form("filled_soap.md"))
    assert filled.notices == ()
    trust = filled.note.alliance.trust
    assert [item.text for item in trust.built_by] == ["Remembered her sister's wedding from last month"]
    assert [item.text for item in trust.strained_by] == ["Asked about mother too early, before she was ready"]
    autonomy = filled.note.alliance.autonomy_and_consent
    assert (
        autonomy.pace is not None and autonomy.pace.text == "One topic a session, and she says when to stop"
    )
    assert [(item.topic, item.honoured) for item in autonomy.declined] == [("talking about her father", True)]
    srs = filled.note.alliance.measures.srs
    assert srs is not None and srs.relationship == 9.1


@pytest.mark.parametrize(
    ("name", "entry", "label", "neighbour"),
    [
        ("strained_trust_label_deleted.md", "Asked about mother too early", "Strained trust", "Built trust"),
        ("pace_agreed_label_deleted.md", "One topic a session", "Pace agreed", "Declined by the client"),
    ],
)
def test_an_entry_whose_label_was_deleted_stops_the_parse_at_its_line(
    name: str, entry: str, label: str, neighbour: str
) -> None:
    text = _form(name)
    (problem,) = _problems(text)
    assert problem.line == _line_of(text, entry)
    assert problem.code == "lost_label"
    assert f"this entry has lost its label; put back **{label}** above it" in problem.message
    assert f"if it belongs under **{neighbour}**, remove the blank line before it" in problem.message
    assert entry not in str(problem)  # the clinician's words are never repeated


@pytest.mark.parametrize(
    ("name", "note_line"),
    [
        ("note_after_tick_line.md", "NB ask supervisor whether this counts as confrontation too??"),
        ("note_after_score_line.md", "NB she hesitated before marking this"),
    ],
)
def test_a_note_under_a_tick_or_score_line_is_reported_as_left_out(name: str, note_line: str) -> None:
    text = _form(name)
    filled = _parsed(text)
    assert filled.note == _parsed(_form("filled_soap.md")).note
    assert [notice.line for notice in filled.notices] == [_line_of(text, note_line)]
    assert "NB" not in str(filled.notices[0])


def test_a_missing_tick_names_the_entry_as_the_clinician_counts_it() -> None:
    text = _form("filled_soap.md").replace("  - Honoured: [x] yes · [ ] no", "  - Honoured: [ ] yes · [ ] no")
    (problem,) = _problems(text)
    assert str(problem) == (
        f"line {_line_of(text, 'Honoured:')}, Autonomy and consent › Declined by the client › 1st entry "
        "› Honoured: is required: tick yes or no"
    )
    assert problem.location == "alliance.autonomy_and_consent.declined[0].honoured"  # for IT


def test_a_tick_line_whose_field_name_was_deleted_stops_the_parse() -> None:
    text = _form("filled_soap.md")
    start = text.index("### Autonomy and consent")
    marker = text.index("**Assessed**", start)
    text = text[:marker] + text[text.index("\n", marker) + 1 :]
    (problem,) = _problems(text)
    assert problem.line == _line_of(text[start:], "- [x] assessed") + text[:start].count("\n")
    assert problem.message == "this entry has lost its label; put back **Assessed** above it"
    assert problem.place == "Autonomy and consent"


def test_a_deliberate_second_entry_is_still_filed_under_its_field() -> None:
    text = _form("filled_soap.md").replace(
        "- Remembered her sister's wedding from last month\n"
        "  - Belongs in: [x] progress note · [ ] psychotherapy note (private)\n",
        "- Remembered her sister's wedding from last month\n"
        "  - Belongs in: [x] progress note · [ ] psychotherapy note (private)\n"
        "- Named her effort in coming despite the snow\n"
        "  - Belongs in: [x] progress note · [ ] psychotherapy note (private)\n",
    )
    built_by = _parsed(text).note.alliance.trust.built_by
    assert [item.text for item in built_by][1] == "Named her effort in coming despite the snow"


def test_parse_json_gives_it_the_field_path_and_the_clinician_the_place(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    form = tmp_path / "form.md"
    form.write_text(
        _form("filled_soap.md").replace("  - Honoured: [x] yes · [ ] no", "  - Honoured: [ ] yes · [ ] no"),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "alliance_notes", "parse", "--json", str(form)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["location"] == "alliance.autonomy_and_consent.declined[0].honoured"
    assert problem["place"] == "Autonomy and consent › Declined by the client › 1st entry › Honoured"
    assert problem["line"] == _line_of(form.read_text(encoding="utf-8"), "Honoured:")


def test_a_field_under_a_heading_of_ones_own_stops_the_parse_there() -> None:
    text = _form("own_heading_inside_a_part.md")
    (problem,) = _problems(text)
    assert problem.line == _line_of(text, "**Strained trust**")
    assert problem.location == "alliance.trust.strained_by"
    assert problem.message.startswith("**Strained trust** is under a heading of your own")
    assert "put back '### Trust' above it" in problem.message
    assert "NB" not in str(problem)


def test_an_own_heading_below_the_section_keeps_every_answer_and_reports_the_notes() -> None:
    text = _form("filled_soap.md").rstrip("\n") + "\n\n### Supervision\nNB ask about the timing\n"
    filled = _parsed(text)
    assert filled.note == _parsed(_form("filled_soap.md")).note
    (notice,) = filled.notices
    assert notice.covers(_line_of(text, "### Supervision")) and notice.covers(_line_of(text, "NB ask"))


def test_a_typo_in_a_ticked_label_is_never_read_as_another_choice() -> None:
    text = _form("typo_in_a_ticked_label.md")
    (problem,) = _problems(text)
    assert problem.line == _line_of(text, "[x] stedy")
    assert problem.message == "what is written here is not a trust state; did you mean 'steady'?"


def test_a_field_name_shared_by_parts_is_placed_in_the_part_above_the_own_heading() -> None:
    text = _form("filled_soap.md").replace("### Measures\n", "### Measures\n\n### Supervision\nNB\n", 1)
    problems = _problems(text)
    assert problems[0].line == _line_of(text, "**Assessed** — tick “assessed” to record that measures")
    assert problems[0].location == "alliance.measures.status"
    assert "put back '### Measures' above it" in problems[0].message
