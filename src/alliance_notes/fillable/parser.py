"""Turning a filled form back into a validated note.

:func:`parse_filled` reads the form (:mod:`alliance_notes.fillable.reader`), turns each
value into note data, validates the note, and reports every problem at once, each with
its line and field.  Blank means "not assessed": nothing is ever filled in that the
clinician did not write, with one exception that carries no clinical meaning — a
rupture left without an id is numbered ``r1``, ``r2`` … in order, so repairs can refer
to it.

Messages never repeat free text.  A value typed into a pick list is repeated only when
it is short and close to a choice ("'minimal responce' is not a withdrawal marker; did
you mean 'minimal response'?").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from alliance_notes.errors import NoteValidationError, Problem, format_location, problems_from
from alliance_notes.fillable.layout import (
    FINDING,
    SUGGESTING_AUTHORS,
    Detail,
    FormField,
    Shape,
    Slot,
    choice_noun,
    form_parts,
)
from alliance_notes.fillable.places import form_place, missing_answer
from alliance_notes.fillable.reader import (
    BULLET,
    Line,
    Notice,
    RawDocument,
    RawField,
    RawItem,
    RawSlot,
    SlotStart,
    dedent,
    indent_of,
    read_document,
    slot_start,
)
from alliance_notes.fillable.text import (
    Box,
    EscapeError,
    boxes,
    echo,
    match_choice,
    normalize,
    suggest_choice,
    take_escaped,
    unescape_text,
)
from alliance_notes.loading import decode_note_text
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes.outline import alliance_outline
from alliance_notes.vocabulary import Choice, Speaker

_PROVENANCE_KEYS = ("suggested_by", "rule", "confidence", "confirmed")


@dataclass(frozen=True)
class FilledNote:
    """A note read from a filled form, and what was left out of it on purpose.

    :param note: the validated note.
    :param notices: the clinician's own notes and similar, by line (never their text).
    """

    note: ProgressNote
    notices: tuple[Notice, ...]


class _Reading:
    """Collects note data, the line of every value, and problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        #: Lines read as none of the note's values, reported as left out (never dropped unsaid).
        self.left_out: list[int] = []

    def problem(self, location: str, message: str, line: int, code: str = "form") -> None:
        self.problems.append(Problem(location, message, code, line))

    def at(self, location: str, line: int) -> None:
        self.lines.setdefault(location, line)

    def line_of(self, location: str) -> int | None:
        """The line of ``location`` or of the nearest enclosing value that has one."""
        while True:
            if location in self.lines:
                return self.lines[location]
            if not location:
                return None
            cut = max(location.rfind("."), location.rfind("["))
            location = location[: max(cut, 0)]


# -- values ------------------------------------------------------------------------------------------


def _text(
    reading: _Reading, first: str, rest: Sequence[Line], column: int, *, location: str, line: int
) -> str | None:
    """Free text: the first line, then continuation lines less their indentation."""
    lines = [first.strip(), *(dedent(extra.text, column).rstrip() for extra in rest)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return None
    value = "\n".join(lines)
    if len(lines) == 1:
        try:
            unescaped = unescape_text(value)
        except EscapeError as error:
            reading.problem(location, str(error), line, "escaped_text")
            return None
        if unescaped is not None:
            return unescaped
    return value


def _slot_lines(slot: RawSlot) -> list[tuple[str, int]]:
    return [(slot.first, slot.line), *((extra.text, extra.number) for extra in slot.rest)]


def _typed(slot: RawSlot) -> list[tuple[str, int]]:
    """The non-blank lines of a slot as typed words, list bullets removed."""
    typed = []
    for text, line in _slot_lines(slot):
        stripped = BULLET.sub("", indent_of(text)[1], count=1).strip()
        if stripped:
            typed.append((stripped, line))
    return typed


def _ticked(
    reading: _Reading, slot: RawSlot, location: str
) -> tuple[list[tuple[Box, int]], list[tuple[str, int]]] | None:
    """The ticked boxes of a slot, or ``None`` when it has no boxes; also any words
    written under unticked boxes (a choice typed instead of ticked)."""
    found = [(box, line) for text, line in _slot_lines(slot) for box in boxes(text)]
    if not found:
        return None
    for box, line in found:
        if box.mark.strip() and not box.ticked:
            reading.problem(location, "tick a box with [x], or leave it empty as [ ]", line, "tick")
    ticked = [(box, line) for box, line in found if box.ticked]
    words = [(text, line) for text, line in _typed(slot) if not boxes(text)]
    return ticked, words


def _choice(
    reading: _Reading, text: str, options: Sequence[Choice], noun: str, *, location: str, line: int
) -> Choice | None:
    found = match_choice(text, options)
    if found is not None:
        return found
    suggestion = suggest_choice(text, options)
    message = f"{echo(text, suggestion)} is not a {noun}"
    if suggestion is not None:
        message += f"; did you mean '{suggestion.label}'?"
    else:
        message += " (choose one of: " + "; ".join(option.label for option in options) + ")"
    reading.problem(location, message, line, "choice")
    return None


def _choices(
    reading: _Reading, slot: RawSlot, options: Sequence[Choice], noun: str, location: str, *, single: bool
) -> list[Choice]:
    """The choices ticked (or typed) in a pick list."""
    ticked = _ticked(reading, slot, location)
    if ticked is not None and (ticked[0] or not ticked[1]):
        entries = [(box.label, line) for box, line in ticked[0]]
        reading.left_out.extend(line for _, line in ticked[1])  # words beside ticked boxes
    else:
        typed = ticked[1] if ticked is not None else _typed(slot)
        if single:
            entries = [(" ".join(text for text, _ in typed), typed[0][1])] if typed else []
        else:
            entries = [
                (part.strip(), line)
                for text, line in typed
                for part in re.split(r"[;,]", text)
                if part.strip()
            ]
    chosen: list[Choice] = []
    for text, line in entries:
        found = _choice(reading, text, options, noun, location=location, line=line)
        if found is not None and found not in chosen:
            chosen.append(found)
    if single and len(chosen) > 1:
        reading.problem(location, f"tick only one ({len(chosen)} are ticked)", slot.line, "choice_count")
        return []
    return chosen


_YES_NO = {"yes": True, "no": False, "true": True, "false": False}


def _yes_no(reading: _Reading, slot: RawSlot, location: str) -> bool | None:
    ticked = _ticked(reading, slot, location)
    if ticked is not None and (ticked[0] or not ticked[1]):
        entries = [(box.label, line) for box, line in ticked[0]]
        reading.left_out.extend(line for _, line in ticked[1])  # words beside ticked boxes
    else:
        typed = ticked[1] if ticked is not None else _typed(slot)
        entries = [(" ".join(text for text, _ in typed), typed[0][1])] if typed else []
    values = []
    for text, line in entries:
        value = _YES_NO.get(normalize(text))
        if value is None:
            suggestion = (
                "yes"
                if normalize(text).startswith("y")
                else "no"
                if normalize(text).startswith("n")
                else None
            )
            message = f"{echo(text, suggestion)} is not yes or no"
            reading.problem(
                location, message + (f"; did you mean '{suggestion}'?" if suggestion else ""), line, "yes_no"
            )
        else:
            values.append(value)
    if len(set(values)) > 1:
        reading.problem(location, "tick only one of yes and no", slot.line, "choice_count")
        return None
    return values[0] if values else None


def _confirmed(reading: _Reading, slot: RawSlot, location: str) -> bool | None:
    """A suggestion's confirmation box: ticked is confirmed, left empty is not."""
    ticked = _ticked(reading, slot, location)
    if ticked is not None:
        return bool(ticked[0])
    typed = " ".join(text for text, _ in _typed(slot))
    if not typed:
        return None
    value = {**_YES_NO, "confirmed": True}.get(normalize(typed))
    if value is None:
        reading.problem(
            location, "tick the box to confirm the suggestion: [x] confirmed", slot.line, "confirm"
        )
    return value


def _single_line(reading: _Reading, slot: RawSlot, location: str, what: str) -> str | None:
    """A one-line value (a score, a date): its first line.  Lines under a value given on
    its label's line are the clinician's own notes, reported as left out; a value that
    starts below its label must fit on one line."""
    typed = _typed(slot)
    if not typed:
        return None
    if len(typed) > 1:
        if typed[0][1] != slot.line:
            reading.problem(location, f"must be {what} on one line", typed[1][1], "one_line")
            return None
        reading.left_out.extend(line for _, line in typed[1:])
    return typed[0][0]


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _number(reading: _Reading, text: str, location: str, line: int, what: str) -> float | None:
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        reading.problem(location, f"must be {what}", line, "number")
        return None
    return float(cleaned.replace(",", "."))


def _integer_value(reading: _Reading, slot: RawSlot, field_slot: Slot, location: str) -> int | None:
    ticked = _ticked(reading, slot, location)
    if ticked is not None and (ticked[0] or not ticked[1]):
        labels = [(box.label, line) for box, line in ticked[0]]
        if len(labels) > 1:
            reading.problem(location, f"tick only one ({len(labels)} are ticked)", slot.line, "choice_count")
            return None
        text, line = labels[0] if labels else ("", slot.line)
    else:
        typed = ticked[1] if ticked is not None else _typed(slot)
        if not typed:
            return None
        text, line = typed[0]
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d+", text.strip()):
        shown = f" ({', '.join(map(str, field_slot.numbers))})" if field_slot.numbers else ""
        reading.problem(location, f"must be a whole number{shown}", line, "number")
        return None
    return int(text.strip())


def _scores(reading: _Reading, slot: RawSlot, location: str) -> list[int] | None:
    typed = " ".join(text for text, _ in _typed(slot))
    if not typed:
        return None
    parts = [part for part in re.split(r"[\s,;]+", typed) if part]
    if not all(re.fullmatch(r"\d+", part) for part in parts):
        reading.problem(
            location, "must be whole numbers separated by commas, e.g. 4, 5, 3, …", slot.line, "number"
        )
        return None
    return [int(part) for part in parts]


def _author(reading: _Reading, slot: RawSlot, location: str) -> tuple[str, str] | None:
    """``language model — scribe-llm 2026-03`` → ``("language_model", "scribe-llm 2026-03")``."""
    text = slot.first.strip()
    if not text and not slot.rest:
        return None
    kind, separator, name = _split_author(text)
    if not separator:
        reading.problem(
            location,
            "write who suggested it as 'language model — NAME' or 'extractor — NAME'",
            slot.line,
            "suggested_by",
        )
        return None
    noun = choice_noun(type(SUGGESTING_AUTHORS[0]))
    author = _choice(reading, kind, SUGGESTING_AUTHORS, noun, location=location, line=slot.line)
    value = _text(reading, name, slot.rest, slot.column, location=location, line=slot.line)
    if author is None or value is None:
        if value is None and author is not None:
            reading.problem(
                location, "name the tool that suggested it after the dash", slot.line, "suggested_by"
            )
        return None
    return author.value, value


def _split_author(text: str) -> tuple[str, str, str]:
    match = re.match(r"^(?P<kind>.*?)\s+(?P<dash>—|–|--|-)\s+(?P<name>.*)$", text)
    if match is None:
        return text, "", ""
    return match.group("kind"), match.group("dash"), match.group("name")


# -- quotes ------------------------------------------------------------------------------------------

_QUOTED = re.compile(r'^["“](?P<quote>.*)["”](?:\s*(?:—|–|--?)\s*(?P<who>[^"”]*))?$', re.DOTALL)
_UNQUOTED = re.compile(r"^(?P<quote>.*)\s+(?:—|–|--)\s+(?P<who>[^—–]*)$", re.DOTALL)
_UTTERANCE = re.compile(r"^utterance\s+#?(?P<index>\d+)$", re.IGNORECASE)


def _quote(reading: _Reading, line: Line, location: str) -> dict[str, Any] | None:
    """``> "words" — client, utterance 12, 00:05:10`` → evidence data."""
    content = indent_of(line.text)[1][1:].strip()
    try:
        escaped = take_escaped(content)
    except EscapeError as error:
        reading.problem(location, str(error), line.number, "escaped_text")
        return None
    who: str | None
    if escaped is not None:
        quote, rest = escaped
        match = re.match(r"^\s*(?:—|–|--?)\s*(?P<who>.*)$", rest)
        who = match.group("who") if match else (None if not rest.strip() else "")
    else:
        found = _QUOTED.match(content) or _UNQUOTED.match(content)
        if found is None:
            quote, who = content, None
        else:
            quote, who = found.group("quote"), found.group("who")
    if not quote.strip():
        return None
    if not who or not who.strip():
        reading.problem(
            location,
            'say whose words these are after the quote: > "their words" — client (or clinician)',
            line.number,
            "speaker",
        )
        return None
    parts = [part.strip() for part in who.split(",")]
    evidence: dict[str, Any] = {"quote": quote}
    speaker = _choice(
        reading, parts[0], list(Speaker), choice_noun(Speaker), location=location, line=line.number
    )
    if speaker is None:
        return None
    evidence["speaker"] = speaker.value
    for part in parts[1:]:
        utterance = _UTTERANCE.match(part)
        if utterance is not None:
            evidence["utterance_index"] = int(utterance.group("index"))
        elif re.fullmatch(r"[\d:.]+", part):
            evidence["timestamp"] = part
        elif part:
            reading.problem(
                location,
                "after the speaker, give 'utterance N' and/or a time such as 00:12:40",
                line.number,
                "quote",
            )
    return evidence


# -- items -------------------------------------------------------------------------------------------


def _slot_value(reading: _Reading, slot: RawSlot, spec: Slot, location: str) -> Any:
    kind = spec.kind
    if kind == "text":
        return _text(reading, slot.first, slot.rest, slot.column, location=location, line=slot.line)
    if kind in ("choice", "choices"):
        assert spec.choice is not None
        chosen = _choices(
            reading, slot, list(spec.choice), choice_noun(spec.choice), location, single=kind == "choice"
        )
        if kind == "choice":
            return chosen[0].value if chosen else None
        return [choice.value for choice in chosen] or None
    if kind == "yes_no":
        return _yes_no(reading, slot, location)
    if kind == "confirm":
        return _confirmed(reading, slot, location)
    if kind == "integer":
        return _integer_value(reading, slot, spec, location)
    if kind == "score":
        text = _single_line(reading, slot, location, "a score")
        return (
            None
            if text is None
            else _number(reading, text, location, slot.line, "a score from 0 to 10, e.g. 8.5")
        )
    if kind == "number":
        text = _single_line(reading, slot, location, "a number")
        return None if text is None else _number(reading, text, location, slot.line, "a number, e.g. 0.8")
    if kind == "scores":
        return _scores(reading, slot, location)
    if kind == "code":
        return _single_line(reading, slot, location, "a short code without spaces")
    if kind == "author":
        return _author(reading, slot, location)
    raise AssertionError(kind)


def _item(reading: _Reading, raw: RawItem, shape: Shape, location: str) -> dict[str, Any] | None:
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
        value = _slot_value(reading, slot, spec, where)
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
        quote = _quote(reading, line, f"{location}.evidence[{len(evidence)}]")
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
    reading: _Reading, lines: Sequence[Line], shape: Shape, location: str
) -> dict[str, Any] | None:
    if shape.primary is None:
        return None
    value = _text(
        reading, lines[0].text, lines[1:], 0, location=f"{location}.{shape.primary}", line=lines[0].number
    )
    return None if value is None else {shape.primary: value}


def _field_items(reading: _Reading, raw: RawField, notes: list[int]) -> list[tuple[dict[str, Any], int]]:
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
    for line in raw.lines:
        width, stripped = indent_of(line.text)
        started = slot_start(stripped, FINDING) if width and stripped else None
        if isinstance(started, SlotStart) and started.key in _PROVENANCE_KEYS:
            current = RawSlot(started.key, line.number, started.value, width + 2)
            provenance.append(current)
        elif current is not None and (not stripped or width > current.column - 2):
            current.rest.append(line)  # a value that runs on to indented lines
        else:
            current = None
            boxes.append(line)
    return RawSlot("", raw.line, "", 0, boxes), provenance


def _answer_provenance(reading: _Reading, slots: Sequence[RawSlot], location: str) -> dict[str, Any]:
    """Who suggested a single answer, from the provenance lines under its boxes."""
    provenance: dict[str, Any] = {}
    for slot in slots:
        where = f"{location}.{slot.key}"
        if slot.key in provenance or (slot.key == "suggested_by" and "author" in provenance):
            reading.problem(where, "is given twice for this answer", slot.line, "duplicate")
            continue
        value = _slot_value(reading, slot, FINDING.slot(slot.key), where)
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
    reading: _Reading,
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
            chosen = _choices(
                reading,
                pick,
                list(form_field.choice),
                choice_noun(form_field.choice),
                location,
                single=True,
            )
            value: Any = chosen[0].value if chosen else None
        else:
            value = _yes_no(reading, pick, location)
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


def _number_ruptures(reading: _Reading, alliance: dict[str, Any]) -> None:
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


def _detail(reading: _Reading, detail: Detail, raw: str, line: int, model: type[ProgressNote]) -> Any:
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
        found = _choice(
            reading, text, list(detail.choice), choice_noun(detail.choice), location=location, line=line
        )
        return None if found is None else found.value
    if detail.kind == "parts":
        return _parts(reading, text, model, location, line)
    return text


def _parts(
    reading: _Reading, text: str, model: type[ProgressNote], location: str, line: int
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
    document: RawDocument, kinds: Mapping[str, type[ProgressNote]], reading: _Reading
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
    reading = _Reading()
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
    reading: _Reading, model: type[ProgressNote], data: dict[str, Any], source: str | None
) -> ProgressNote:
    problems = list(reading.problems)
    try:
        note = model.model_validate(data)
    except ValidationError as error:
        reported = [problem.location for problem in problems]
        for problem in problems_from(error):
            if any(_within(problem.location, location) for location in reported if location):
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


def _within(location: str, reported: str) -> bool:
    return location == reported or location.startswith((reported + ".", reported + "["))


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
    body = [text.rstrip() for text in body]
    while body and not body[0]:
        body.pop(0)
    while body and not body[-1]:
        body.pop()
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
    reading: _Reading, lines: Sequence[Line], prompt: str, location: str, heading_line: int
) -> str | None:
    value, error = host_text([line.text for line in lines], prompt)
    if error is not None:
        reading.problem(location, error, heading_line, "escaped_text")
    return value
