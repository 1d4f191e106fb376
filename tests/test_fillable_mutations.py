"""The edits people really make to a prefilled form never misfile a clinician's words.

Hypothesis writes the prefilled form of a generated note, makes edits a person makes by
hand, one at a time (a capital X or a ✓ in a box, a typo in a box's label, trailing spaces
or tabs, a deleted field name, a note of their own under any line, in the middle of an
entry or under a heading of their own, a deleted part heading, two entries swapped, an
entry moved under another field), and parses each result.  The parse must either

* give back the same value for every field the edit did not touch (and the same values in
  any order for a field whose entries were swapped), or
* stop with a problem that names the edited line.

A note of the clinician's own, added under any line or under a heading of their own, is
either read into the note or reported as left out, never dropped unsaid.

It must never file text under a different field: a value of an untouched field that
changes fails the test, whatever the parse reported.

Together these account for every line: a prefilled form's lines are structure (headings,
field names, boxes) or values, and a value the parse lost or misfiled changes its field;
the lines an edit adds are read or reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError
from alliance_notes.fillable import parse_filled, prefilled_template
from alliance_notes.fillable.layout import form_parts
from alliance_notes.fillable.reader import read_document
from alliance_notes.note import ProgressNote
from alliance_notes.testing import notes

_host = create_host()
_NOTE = "NB ask supervisor whether this counts"


@dataclass(frozen=True)
class Edit:
    """One edit: the new text, the line it names, and the fields it may change."""

    text: str
    line: int
    touched: frozenset[str]
    kind: str
    reordered: frozenset[str] = frozenset()


def _value(model: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        model = getattr(model, name)
    if isinstance(model, list):
        return [item.model_dump(mode="json") if hasattr(item, "model_dump") else item for item in model]
    return model.model_dump(mode="json") if hasattr(model, "model_dump") else model


def _fields(note: ProgressNote) -> dict[str, Any]:
    """Every field of the form, by its path, with the note's value for it."""
    values = {
        ".".join(form_field.path): _value(note.alliance, form_field.path)
        for part in _parts(note)
        for form_field in part.fields
    }
    for section in note.host_sections:
        values[section.key] = note.section_text(section.key)
    values["session"] = note.session.model_dump(mode="json")
    values["authorship"] = note.authorship.model_dump(mode="json")
    return values


def _parts(note: ProgressNote) -> Any:
    return form_parts(type(note).alliance_model())


def _areas(form: str, note: ProgressNote) -> dict[int, str]:
    """Line number → the field (path) whose area holds that line, in the unedited form."""
    document = read_document(form, type(note).host_sections, _parts(note))
    areas: dict[int, str] = {}
    for raw in document.fields:
        path = ".".join(raw.form_field.path)
        areas[raw.line] = path
        for line in raw.lines:
            areas[line.number] = path
    return areas


def _alliance_start(lines: list[str]) -> int:
    return next(index for index, line in enumerate(lines) if line.startswith("## Therapeutic alliance"))


def _with_status(note: ProgressNote, touched: set[str]) -> frozenset[str]:
    """The touched fields and the pick lists of their parts: content added to a part makes
    it assessed (and a trust state is needed with trust items), a consequence, not a misfiling."""
    paths = set(touched)
    if "ruptures" in paths:
        # Repairs and follow-ups name ruptures by id: losing a rupture makes them dangle.
        paths.update({"repairs", "plan"})
    for part in _parts(note):
        if any(".".join(form_field.path) in touched for form_field in part.fields):
            paths.update(".".join(f.path) for f in part.fields if f.kind == "choice")
    return frozenset(paths)


@dataclass(frozen=True)
class Form:
    """A note's prefilled form, and the field whose area holds each line."""

    note: ProgressNote
    text: str
    areas: dict[int, str]


def _form(note: ProgressNote) -> Form:
    text = prefilled_template(note, audience="review")
    return Form(note, text, _areas(text, note))


#: The edits tried on each generated note, one at a time.
EDITS_PER_NOTE = 3
_BOX_LABEL = re.compile(r"\[[ x]\] (?P<label>[a-z]{4,})")


@st.composite
def edits(draw: st.DrawFn, prepared: Form) -> Edit:
    """One edit of the prefilled form, of a kind drawn from :data:`KINDS`."""
    lines = prepared.text.split("\n")
    body = list(range(_alliance_start(lines) + 1, len(lines)))
    kind = draw(st.sampled_from(list(KINDS)))
    edit = KINDS[kind](draw, prepared, lines, body)
    return Edit(prepared.text, 0, frozenset(), "none") if edit is None else edit


def _joined(lines: list[str], line: int, touched: frozenset[str], kind: str, **more: Any) -> Edit:
    return Edit("\n".join(lines), line, touched, kind, **more)


def _tick(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    ticked = [index for index in body if "[x]" in lines[index]]
    if not ticked:
        return None
    index = draw(st.sampled_from(ticked))
    lines[index] = lines[index].replace("[x]", draw(st.sampled_from(["[X]", "[✓]", "[ x ]"])), 1)
    return _joined(lines, index + 1, frozenset(), "tick")


def _typo_label(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    labelled = [(index, found) for index in body for found in _BOX_LABEL.finditer(lines[index])]
    if not labelled:
        return None
    index, found = draw(st.sampled_from(labelled))
    cut = found.start("label") + draw(st.integers(1, len(found["label"]) - 1))
    lines[index] = lines[index][:cut] + lines[index][cut + 1 :]
    return _joined(lines, index + 1, frozenset(), "typo_label")


def _trailing(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    index = draw(st.sampled_from(body))
    lines[index] += draw(st.sampled_from(["  ", "\t", " \t "]))
    return _joined(lines, index + 1, frozenset(), "trailing")


def _tab(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    indented = [
        index for index in body if lines[index].startswith("  ") and not lines[index].startswith("   ")
    ]
    if not indented:
        return None
    index = draw(st.sampled_from(indented))
    lines[index] = "\t" + lines[index][2:]
    # A tab is four columns: on a text's continuation line it indents that line of the
    # text by two spaces more, so the line's own field may change (in spacing).
    return _joined(lines, index + 1, frozenset({prepared.areas.get(index + 1, "")}), "tab")


def _delete_marker(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    index = draw(st.sampled_from([index for index in body if lines[index].startswith("**")]))
    touched = prepared.areas.get(index + 1, "")
    del lines[index]
    return _joined(lines, index + 1, _with_status(prepared.note, {touched}), "delete_marker")


def _own_note(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    index = draw(st.sampled_from(body))
    lines.insert(index + 1, "  " + _NOTE)
    touched = prepared.areas.get(index + 1, "")
    return _joined(lines, index + 2, _with_status(prepared.note, {touched}), "own_note")


def _own_heading(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    index = draw(st.sampled_from(body))
    # A heading of one's own ends the part: the fields after it, to the next part's
    # heading, are outside the answer spaces now (and must be reported so).
    following = _next_heading(lines, index)
    touched = {path for line, path in prepared.areas.items() if index + 1 <= line <= following}
    lines[index + 1 : index + 1] = ["", "### Supervision", _NOTE]
    return _joined(lines, index + 3, _with_status(prepared.note, touched), "own_heading")


def _delete_heading(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    index = draw(st.sampled_from([index for index in body if lines[index].startswith("### ")]))
    following = _next_heading(lines, index)
    part_fields = {path for line, path in prepared.areas.items() if index + 1 < line <= following}
    del lines[index]
    # The problem names the part's first field name, now the first line it cannot place.
    marker = next(later for later in range(index, len(lines)) if lines[later].startswith("**"))
    return _joined(lines, marker + 1, frozenset(part_fields), "delete_heading")


def _swap_entries(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    pairs = _adjacent_entries(lines, body, prepared.areas)
    if not pairs:
        return None
    first, second, end, path = draw(st.sampled_from(pairs))
    lines[first:end] = lines[second:end] + lines[first:second]
    return _joined(lines, first + 1, frozenset(), "swap_entries", reordered=frozenset({path}))


def _move_entry(draw: st.DrawFn, prepared: Form, lines: list[str], body: list[int]) -> Edit | None:
    """An entry (with its indented lines) moved to just under another field's name."""
    entries = _entries(lines, body, prepared.areas)
    if not entries:
        return None
    first, end, path = draw(st.sampled_from(entries))
    markers = [index for index in body if lines[index].startswith("**") and not first <= index < end]
    target = draw(st.sampled_from(markers))
    touched = {path, prepared.areas.get(target + 1, "")}
    moved = lines[first:end]
    del lines[first:end]
    if target > first:
        target -= end - first
    lines[target + 1 : target + 1] = moved
    return _joined(lines, target + 2, _with_status(prepared.note, touched), "move_entry")


EditMaker = Callable[[st.DrawFn, Form, list[str], list[int]], Edit | None]

#: The kinds of edit (hypothesis draws the first most often: the one most likely to lose words).
KINDS: dict[str, EditMaker] = {
    "own_note": _own_note,
    "tick": _tick,
    "typo_label": _typo_label,
    "trailing": _trailing,
    "tab": _tab,
    "delete_marker": _delete_marker,
    "own_heading": _own_heading,
    "delete_heading": _delete_heading,
    "swap_entries": _swap_entries,
    "move_entry": _move_entry,
}


def _entries(lines: list[str], body: list[int], areas: dict[int, str]) -> list[tuple[int, int, str]]:
    """Each entry of a list field with its indented lines: (first, end, field) indices."""
    found = []
    for first in body:
        if not re.match(r"- \S", lines[first]) or "[" in lines[first][:4] or first + 1 not in areas:
            continue
        end = first + 1
        while end < len(lines) and lines[end].startswith("  "):
            end += 1
        found.append((first, end, areas[first + 1]))
    return found


def _next_heading(lines: list[str], index: int) -> int:
    return next((later for later in range(index + 1, len(lines)) if lines[later].startswith("#")), len(lines))


def _adjacent_entries(
    lines: list[str], body: list[int], areas: dict[int, str]
) -> list[tuple[int, int, int, str]]:
    """Two entries of one field next to each other: (first, second, end, field) indices."""
    starts = [index for index in body if re.match(r"- \S", lines[index]) and "[" not in lines[index][:4]]
    pairs = []
    for first, second in itertools.pairwise(starts):
        path = areas.get(first + 1)
        if path is None or areas.get(second + 1) != path:
            continue
        if any(not lines[between].startswith("  ") for between in range(first + 1, second)):
            continue
        end = second + 1
        while end < len(lines) and lines[end].startswith("  "):
            end += 1
        pairs.append((first, second, end, path))
    return pairs


def _sorted(value: Any) -> Any:
    return sorted(value, key=repr) if isinstance(value, list) else value


#: Notes per run of the test below, which runs twice (so the two halves run side by side):
#: 2 × 350 notes × 3 edits = 2,100 edits a run.
NOTES_PER_HALF = 350


@pytest.mark.parametrize("half", ["first", "second"])
@settings(max_examples=NOTES_PER_HALF, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), note=notes())
def test_an_edit_never_files_words_under_another_field(
    half: str, data: st.DataObject, note: ProgressNote
) -> None:
    prepared = _form(note)
    for _ in range(EDITS_PER_NOTE):
        _check(data.draw(edits(prepared)), note)


def _check(edit: Edit, note: ProgressNote) -> None:
    """The parse of one edited form keeps every untouched field, or names the edited line."""
    try:
        filled = parse_filled(edit.text, _host.note_models)
    except NoteValidationError as error:
        # The problem names the edited line, or the field the edit touched (a note of one's
        # own under an entry's text line continues that text: the entry is then incomplete).
        named = [
            problem
            for problem in error.problems
            if problem.line == edit.line
            or any(problem.location.startswith(f"alliance.{path}") for path in edit.touched if path)
        ]
        lines = [problem.line for problem in error.problems]
        assert named, f"{edit.kind}: problems at lines {lines}, not at the edited line {edit.line}"
        return
    parsed = filled.note
    window = edit.text.split("\n")[max(edit.line - 4, 0) : edit.line + 2]
    if edit.kind in ("own_note", "own_heading"):
        # The line is accounted for: read into the note, or reported as left out.
        read = _NOTE in parsed.model_dump_json()
        reported = any(notice.covers(edit.line) for notice in filled.notices)
        assert read or reported, f"{edit.kind} at line {edit.line} was neither read nor reported: {window}"
    before, after = _fields(note), _fields(parsed)
    for path, value in before.items():
        if path in edit.touched:
            continue
        if path in edit.reordered:
            assert _sorted(after[path]) == _sorted(value), f"{edit.kind}: {path} changed"
            continue
        assert after[path] == value, f"{edit.kind} at line {edit.line}: {path} changed near {window}"
