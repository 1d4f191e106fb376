"""Turning a filled form back into a validated note.

:func:`parse_filled` reads the form (:mod:`alliance_notes.fillable.reader`), turns each
value into note data, validates the note, and reports every problem at once, each with
its line and field.  Blank means "not assessed": nothing is ever filled in that the
clinician did not write, with one exception that carries no clinical meaning — a
rupture left without an id is numbered ``r1``, ``r2`` … in order, so repairs can refer
to it.

Messages never repeat what the clinician wrote, only where it is and what the form
expected ("what is written here is not a withdrawal marker; did you mean 'minimal
response'?").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from alliance_notes.errors import NoteValidationError, Problem, format_location, problems_from
from alliance_notes.fillable.codec import (
    Reading,
    read_choice,
    read_choices,
    read_quote,
    read_slot,
    read_text,
    read_yes_no,
)
from alliance_notes.fillable.layout import (
    FINDING,
    Detail,
    FormField,
    Shape,
    choice_noun,
    form_parts,
)
from alliance_notes.fillable.places import form_place, missing_answer
from alliance_notes.fillable.reader import (
    Line,
    Notice,
    RawDocument,
    RawField,
    RawItem,
    RawSlot,
    SlotStart,
    indent_of,
    read_document,
    slot_start,
)
from alliance_notes.fillable.text import (
    EscapeError,
    normalize,
    strip_blank_lines,
    take_escaped,
    unescape_text,
)
from alliance_notes.loading import decode_note_text
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes.outline import alliance_outline

_PROVENANCE_KEYS = ("suggested_by", "rule", "confidence", "confirmed")


@dataclass(frozen=True)
class FilledNote:
    """A note read from a filled form, and what was left out of it on purpose.

    :param note: the validated note.
    :param notices: the clinician's own notes and similar, by line (never their text).
    """

    note: ProgressNote
    notices: tuple[Notice, ...]


# -- items -------------------------------------------------------------------------------------------


def _item(reading: Reading, raw: RawItem, shape: Shape, location: str) -> dict[str, Any] | None:
    """One item's data, or ``None`` when it is blank (a slot left empty in the form)."""
    data: dict[str, Any] = {}
    seen: set[str] = set()
    before = len(reading.problems)
    provenance_line: int | None = None
    for slot in raw.slots:
        if slot.key == "?":
            continue
        key = slot.key or shape.primary
        if key is None:
            if slot.first.strip():
                labels = ", ".join(spec.label for spec in shape.slots)
                reading.problem(location, f"start this line with one of: {labels}", slot.line, "label")
            continue
        spec = shape.slot(key)
        where = f"{location}.{key}"
        if key in seen:
            reading.problem(where, "is given twice in this item", slot.line, "duplicate")
            continue
        seen.add(key)
        value = read_slot(reading, slot, spec, where)
        if value is None:
            if key not in _PROVENANCE_KEYS:
                reading.at(where, slot.line)  # a required answer left blank is reported here
            continue
        if key in _PROVENANCE_KEYS:
            provenance_line = provenance_line or slot.line
            provenance = data.setdefault("provenance", {})
            if key == "suggested_by":
                provenance["author"], provenance["suggested_by"] = value
            else:
                provenance[key] = value
            reading.at(f"{location}.provenance.{key}", slot.line)
            continue
        data[key] = value
        reading.at(where, slot.line)
    evidence: list[dict[str, Any]] = []
    for line in raw.quotes:
        quote = read_quote(reading, line, f"{location}.evidence[{len(evidence)}]")
        if quote is not None:
            reading.at(f"{location}.evidence[{len(evidence)}]", line.number)
            evidence.append(quote)
    if evidence:
        data["evidence"] = evidence
    if provenance_line is not None:
        reading.at(f"{location}.provenance", provenance_line)
    blank = not (set(data) - {"belongs"}) and len(reading.problems) == before
    return None if blank else data


def _paragraph_item(
    reading: Reading, lines: Sequence[Line], shape: Shape, location: str
) -> dict[str, Any] | None:
    if shape.primary is None:
        return None
    value = read_text(
        reading, lines[0].text, lines[1:], 0, location=f"{location}.{shape.primary}", line=lines[0].number
    )
    return None if value is None else {shape.primary: value}


def _field_items(reading: Reading, raw: RawField, notes: list[int]) -> list[tuple[dict[str, Any], int]]:
    """The items of a field (blank ones dropped), each with its first line."""
    shape = raw.form_field.shape
    assert shape is not None
    location = "alliance." + ".".join(raw.form_field.path)
    found: list[tuple[dict[str, Any], int]] = []
    paragraphs = raw.paragraphs
    if raw.form_field.kind == "item" and len(paragraphs) > 1 and not raw.items:
        joined = [line for paragraph in paragraphs for line in (*paragraph, Line(paragraph[-1].number, ""))]
        paragraphs = [joined[:-1]]
    for paragraph in paragraphs:
        index = len(found)
        where = location if raw.form_field.kind == "item" else f"{location}[{index}]"
        data = _paragraph_item(reading, paragraph, shape, where)
        if data is None and shape.primary is None:
            notes.extend(line.number for line in paragraph)
        elif data is not None:
            found.append((data, paragraph[0].number))
    for item in raw.items:
        index = len(found)
        where = location if raw.form_field.kind == "item" else f"{location}[{index}]"
        data = _item(reading, item, shape, where)
        if data is not None:
            found.append((data, item.line))
    return found


# -- fields ------------------------------------------------------------------------------------------


def _pick_slot(raw: RawField) -> tuple[RawSlot, list[RawSlot]]:
    """A field's area as one slot, for a pick list written under the field name, and the
    lines under it that say which program suggested the answer (see the writer)."""
    boxes: list[Line] = []
    provenance: list[RawSlot] = []
    current: RawSlot | None = None
    # Provenance lines belong to the answer only under its boxes; under an entry of some
    # other kind (one moved here from another field) they are that entry's, and are read,
    # and reported, with it.
    under_boxes = False
    for line in raw.lines:
        width, stripped = indent_of(line.text)
        if stripped and not width:
            under_boxes = stripped.startswith("- [")
        started = slot_start(stripped, FINDING) if width and stripped and under_boxes else None
        if isinstance(started, SlotStart) and started.key in _PROVENANCE_KEYS:
            current = RawSlot(started.key, line.number, started.value, width + 2)
            provenance.append(current)
        elif current is not None and (not stripped or width > current.column - 2):
            current.rest.append(line)  # a value that runs on to indented lines
        else:
            current = None
            boxes.append(line)
    return RawSlot("", raw.line, "", 0, boxes), provenance


def _answer_provenance(reading: Reading, slots: Sequence[RawSlot], location: str) -> dict[str, Any]:
    """Who suggested a single answer, from the provenance lines under its boxes."""
    provenance: dict[str, Any] = {}
    for slot in slots:
        where = f"{location}.{slot.key}"
        if slot.key in provenance or (slot.key == "suggested_by" and "author" in provenance):
            reading.problem(where, "is given twice for this answer", slot.line, "duplicate")
            continue
        value = read_slot(reading, slot, FINDING.slot(slot.key), where)
        if value is None:
            continue
        if slot.key == "suggested_by":
            provenance["author"], provenance["suggested_by"] = value
        else:
            provenance[slot.key] = value
        reading.at(where, slot.line)
    return provenance


def _set(target: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _read_field(
    reading: Reading,
    raw: RawField,
    alliance: dict[str, Any],
    given: dict[tuple[str, ...], int],
    notes: list[int],
) -> None:
    form_field: FormField = raw.form_field
    location = "alliance." + ".".join(form_field.path)
    reading.at(location, raw.line)
    if form_field.kind in ("choice", "yes_no"):
        pick, suggested = _pick_slot(raw)
        if form_field.kind == "choice":
            assert form_field.choice is not None
            chosen = read_choices(
                reading,
                pick,
                list(form_field.choice),
                choice_noun(form_field.choice),
                location,
                single=True,
            )
            value: Any = chosen[0].value if chosen else None
        else:
            value = read_yes_no(reading, pick, location)
        answer = ".".join(form_field.path)
        provenance = _answer_provenance(reading, suggested, f"alliance.set_by.{answer}")
        if value is None:
            if provenance:
                reading.problem(
                    location,
                    "has lines about who suggested it but no answer; tick one, or delete those lines",
                    suggested[0].line,
                    "suggestion_without_answer",
                )
            return
        if provenance:
            alliance.setdefault("set_by", {})[answer] = provenance
            reading.at(f"alliance.set_by.{answer}", suggested[0].line)
        if form_field.path in given:
            reading.problem(
                location, f"is already given on line {given[form_field.path]}", raw.line, "duplicate"
            )
            return
        given[form_field.path] = raw.line
        _set(alliance, form_field.path, value)
        return
    items = _field_items(reading, raw, notes)
    existing = _get(alliance, form_field.path)
    if form_field.kind == "item":
        if existing is not None:
            items = [({}, given[form_field.path]), *items]
        if len(items) > 1:
            reading.problem(location, "holds one entry only; more than one is given", items[1][1], "one_only")
            return
        if items:
            given[form_field.path] = items[0][1]
            _set(alliance, form_field.path, items[0][0])
            reading.at(location, items[0][1])
        return
    offset = len(existing or [])
    values = [*(existing or []), *(data for data, _ in items)]
    for index, (_, line) in enumerate(items, start=offset):
        reading.at(f"{location}[{index}]", line)
    if values:
        _set(alliance, form_field.path, values)


def _get(target: Mapping[str, Any], path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(target, Mapping) or key not in target:
            return None
        target = target[key]
    return target


def _number_ruptures(reading: Reading, alliance: dict[str, Any]) -> None:
    """Give each rupture without an id the id ``r<position>``, so repairs can name it."""
    for index, rupture in enumerate(alliance.get("ruptures", [])):
        if "id" not in rupture:
            rupture["id"] = f"r{index + 1}"


# -- details -----------------------------------------------------------------------------------------

_COMMENT = re.compile(r"(?:^|\s)#")


def detail_text(raw: str) -> tuple[str | None, str | None]:
    """The value of a front-matter line after its colon, comment removed: ``(value, error)``."""
    text = raw.strip()
    try:
        escaped = take_escaped(text)
    except EscapeError as error:
        return None, str(error)
    if escaped is not None:
        value, rest = escaped
        if rest.strip() and not rest.strip().startswith("#"):
            return None, "has words after the escaped text"
        return value, None
    cut = _COMMENT.search(text)
    value = (text[: cut.start()] if cut else text).strip()
    return value or None, None


def _detail(reading: Reading, detail: Detail, raw: str, line: int, model: type[ProgressNote]) -> Any:
    location = format_location(detail.path)
    text, error = detail_text(raw)
    if error is not None:
        reading.problem(location, error, line, "escaped_text")
        return None
    if text is None:
        return None
    if detail.kind == "integer":
        if not re.fullmatch(r"\d+", text):
            reading.problem(location, "must be a whole number", line, "number")
            return None
        return int(text)
    if detail.kind == "choice":
        assert detail.choice is not None
        found = read_choice(
            reading, text, list(detail.choice), choice_noun(detail.choice), location=location, line=line
        )
        return None if found is None else found.value
    if detail.kind == "parts":
        return _parts(reading, text, model, location, line)
    return text


def _parts(
    reading: Reading, text: str, model: type[ProgressNote], location: str, line: int
) -> list[str] | None:
    """Part titles, separated by commas, as part keys (``Client feedback`` → ``client_feedback``)."""
    keys = {normalize(part.title): part.key for part in alliance_outline(model.alliance_model())}
    found = []
    for title in filter(None, (name.strip() for name in text.split(","))):
        key = keys.get(normalize(title))
        if key is None:
            titles = ", ".join(part.title for part in alliance_outline(model.alliance_model()))
            reading.problem(location, f"must name parts of the alliance section: {titles}", line, "part")
            return None
        found.append(key)
    return found or None


def _kind(
    document: RawDocument, kinds: Mapping[str, type[ProgressNote]], reading: Reading
) -> type[ProgressNote] | None:
    for detail, raw, line in document.details:
        if detail.kind != "kind":
            continue
        text, _ = detail_text(raw)
        if text is None:
            break
        model = kinds.get(text.lower())
        if model is None:
            guess = next((name for name in kinds if normalize(name) == normalize(text)), None)
            message = f"must be one of: {', '.join(sorted(kinds))}"
            reading.problem(
                "kind", message + (f"; did you mean '{guess}'?" if guess else ""), line, "unknown_kind"
            )
        return model
    reading.problem("kind", f"is required in the details: one of {', '.join(sorted(kinds))}", 1, "missing")
    return None


# -- the whole form ----------------------------------------------------------------------------------


def parse_filled(
    text: str | bytes,
    kinds: Mapping[str, type[ProgressNote]] = BUILT_IN_KINDS,
    source: str | None = None,
) -> FilledNote:
    """Read a filled form into a validated note.

    :param kinds: the note models by kind (a host's ``note_models`` includes plugins' kinds).
    :raises NoteValidationError: listing every problem, each with its line and field.
    """
    if isinstance(text, bytes):
        text = decode_note_text(text, source)
    reading = Reading()
    first_pass = read_document(text, None)
    model = _kind(first_pass, kinds, reading)
    if model is None:
        raise NoteValidationError([*first_pass.problems, *reading.problems], source)
    document = read_document(text, model.host_sections, form_parts(model.alliance_model()))
    reading.problems.extend(document.problems)
    data: dict[str, Any] = {"kind": model.kind_name(), "session": {}, "authorship": {}}
    reading.at("", 1)
    reading.at("session", 1)
    reading.at("authorship", 1)
    for detail, raw, line in document.details:
        if detail.kind == "kind":
            reading.at("kind", line)
            continue
        location = format_location(detail.path)
        if location in reading.lines and location not in ("session", "authorship"):
            reading.problem(
                location, f"is already given on line {reading.lines[location]}", line, "duplicate"
            )
            continue
        reading.at(location, line)
        value = _detail(reading, detail, raw, line, model)
        if value is not None:
            _set(data, detail.path, value)
    for section in document.sections:
        key = section.section.key
        reading.at(key, section.line)
        if key in data:
            reading.problem(key, "this section appears twice", section.line, "duplicate")
            continue
        value = _host_text(reading, section.lines, section.section.prompt, key, section.line)
        if value is not None:
            data[key] = value
    alliance: dict[str, Any] = {}
    given: dict[tuple[str, ...], int] = {}
    notes = list(document.notes)
    reading.at("alliance", document.alliance_line or 1)
    for raw_field in document.fields:
        _read_field(reading, raw_field, alliance, given, notes)
    _number_ruptures(reading, alliance)
    if alliance:
        data.setdefault("alliance", {}).update(alliance)
    document.notes = [*notes, *reading.left_out]
    note = _validate(reading, model, data, source)
    return FilledNote(note, tuple(document.notices()))


def _validate(
    reading: Reading, model: type[ProgressNote], data: dict[str, Any], source: str | None
) -> ProgressNote:
    problems = list(reading.problems)
    try:
        note = model.model_validate(data)
    except ValidationError as error:
        reported = {problem.location for problem in problems if problem.location}
        for problem in problems_from(error):
            if any(place in reported for place in _enclosing(problem.location)):
                continue
            problems.append(
                Problem(problem.location, problem.message, problem.code, reading.line_of(problem.location))
            )
        note = None
    if problems or note is None:
        problems.sort(key=lambda problem: problem.line or 0)
        parts = form_parts(model.alliance_model())
        placed = [
            replace(
                problem,
                place=form_place(problem.location, model, parts),
                message=missing_answer(problem.location, parts)
                if problem.code == "missing"
                else problem.message,
            )
            for problem in problems
        ]
        raise NoteValidationError(placed, source)
    return note


def _enclosing(location: str) -> list[str]:
    """``a.b[0].c`` and every location that holds it: ``a``, ``a.b``, ``a.b[0]``."""
    cuts = [at for at, character in enumerate(location) if character in ".["]
    return [location[:at] for at in cuts if at] + [location]


# -- host sections -----------------------------------------------------------------------------------

_ITALIC = re.compile(r"^\s*(?P<mark>[_*])(?!(?P=mark))(?P<words>.+?)(?P=mark)\s*$")


def is_prompt_line(text: str, prompt: str) -> bool:
    """True for an italic line that is (a version of) a section's prompt."""
    match = _ITALIC.match(text)
    if match is None:
        return False
    words = normalize(match.group("words"))
    return difflib.SequenceMatcher(None, words, normalize(prompt)).ratio() >= 0.5


def host_text(lines: Sequence[str], prompt: str) -> tuple[str | None, str | None]:
    """A host section's text from its lines, prompt removed: ``(value, error)``."""
    body = list(lines)
    for index, text in enumerate(body):
        if text.strip():
            if is_prompt_line(text, prompt):
                del body[index]
            break
    body = strip_blank_lines([text.rstrip() for text in body])
    if not body:
        return None, None
    value = "\n".join(body)
    if len(body) == 1:
        try:
            unescaped = unescape_text(value)
        except EscapeError as error:
            return None, str(error)
        if unescaped is not None:
            return unescaped, None
    return value, None


def _host_text(
    reading: Reading, lines: Sequence[Line], prompt: str, location: str, heading_line: int
) -> str | None:
    value, error = host_text([line.text for line in lines], prompt)
    if error is not None:
        reading.problem(location, error, heading_line, "escaped_text")
    return value
