"""The edits people really make to a prefilled form never misfile a clinician's words.

Hypothesis writes the prefilled form of a generated note, makes one edit a person makes by
hand (a capital X or a ✓ in a box, trailing spaces or tabs, a deleted field name, a note of
their own under a line, a deleted part heading, two entries swapped), and parses the result.
The parse must either

* give back the same value for every field the edit did not touch (and the same values in
  any order for a field whose entries were swapped), or
* stop with a problem that names the edited line.

A note of the clinician's own, added under any line, is either read into the note or
reported as left out, never dropped unsaid.

It must never file text under a different field: a value of an untouched field that
changes fails the test, whatever the parse reported.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

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
    for part in _parts(note):
        if any(".".join(form_field.path) in touched for form_field in part.fields):
            paths.update(".".join(f.path) for f in part.fields if f.kind == "choice")
    return frozenset(paths)


@st.composite
def edits(draw: st.DrawFn, note: ProgressNote) -> Edit:
    form = prefilled_template(note, audience="review")
    lines = form.split("\n")
    areas = _areas(form, note)
    start = _alliance_start(lines)
    body = list(range(start + 1, len(lines)))
    kind = draw(
        st.sampled_from(
            ["tick", "trailing", "tab", "delete_marker", "own_note", "delete_heading", "swap_entries"]
        )
    )
    if kind == "tick":
        ticked = [index for index in body if "[x]" in lines[index]]
        if ticked:
            index = draw(st.sampled_from(ticked))
            lines[index] = lines[index].replace("[x]", draw(st.sampled_from(["[X]", "[✓]", "[ x ]"])), 1)
            return Edit("\n".join(lines), index + 1, frozenset(), kind)
    if kind == "trailing":
        index = draw(st.sampled_from(body))
        lines[index] += draw(st.sampled_from(["  ", "\t", " \t "]))
        return Edit("\n".join(lines), index + 1, frozenset(), kind)
    if kind == "tab":
        indented = [
            index for index in body if lines[index].startswith("  ") and not lines[index].startswith("   ")
        ]
        if indented:
            index = draw(st.sampled_from(indented))
            lines[index] = "\t" + lines[index][2:]
            # A tab is four columns: on a text's continuation line it indents that line of
            # the text by two spaces more, so the line's own field may change (in spacing).
            return Edit("\n".join(lines), index + 1, frozenset({areas.get(index + 1, "")}), kind)
    if kind == "delete_marker":
        markers = [index for index in body if lines[index].startswith("**")]
        index = draw(st.sampled_from(markers))
        touched = areas.get(index + 1, "")
        del lines[index]
        return Edit("\n".join(lines), index + 1, _with_status(note, {touched}), kind)
    if kind == "own_note":
        index = draw(st.sampled_from(body))
        lines.insert(index + 1, "  " + _NOTE)
        touched = areas.get(index + 1, "")
        return Edit("\n".join(lines), index + 2, _with_status(note, {touched}), kind)
    if kind == "delete_heading":
        headings = [index for index in body if lines[index].startswith("### ")]
        index = draw(st.sampled_from(headings))
        following = [line for line, path in areas.items() if line > index + 1]
        part_fields = {areas[line] for line in following if line < _next_heading(lines, index) + 1}
        del lines[index]
        # The problem names the part's first field name, now the first line it cannot place.
        marker = next(later for later in range(index, len(lines)) if lines[later].startswith("**"))
        return Edit("\n".join(lines), marker + 1, frozenset(part_fields), kind)
    if kind == "swap_entries":
        pairs = _adjacent_entries(lines, body, areas)
        if pairs:
            first, second, end, path = draw(st.sampled_from(pairs))
            lines[first:end] = lines[second:end] + lines[first:second]
            return Edit("\n".join(lines), first + 1, frozenset(), kind, frozenset({path}))
    return Edit(form, 0, frozenset(), "none")


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


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), note=notes())
def test_an_edit_never_files_words_under_another_field(data: st.DataObject, note: ProgressNote) -> None:
    edit = data.draw(edits(note))
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
    if edit.kind == "own_note":
        # The line is accounted for: read into the note, or reported as left out.
        read = _NOTE in parsed.model_dump_json()
        reported = any(notice.line == edit.line for notice in filled.notices)
        window = edit.text.split("\n")[max(edit.line - 4, 0) : edit.line + 2]
        assert read or reported, f"own_note at line {edit.line} was neither read nor reported: {window}"
    before, after = _fields(note), _fields(parsed)
    for path, value in before.items():
        if path in edit.touched:
            continue
        if path in edit.reordered:
            assert _sorted(after[path]) == _sorted(value), f"{edit.kind}: {path} changed"
            continue
        window = edit.text.split("\n")[max(edit.line - 4, 0) : edit.line + 2]
        assert after[path] == value, f"{edit.kind} at line {edit.line}: {path} changed near {window}"
