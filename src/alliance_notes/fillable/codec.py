"""The form's values: how each kind of slot is written and read, in one place.

Every value in a fill-in form is a slot of some kind (free text, one choice, several
choices, yes/no, a score, a quote, who suggested an item …).  The form writer
(:mod:`alliance_notes.fillable.writer`) writes each with :func:`write_slot` and
:func:`write_quote`; the parser (:mod:`alliance_notes.fillable.parser`) reads each with
:func:`read_slot` and :func:`read_quote`.  Both sides live here, kind by kind, so the form
can never write a value it cannot read back.

Reading collects problems and left-out lines in a :class:`Reading`; no message repeats
free text (a value typed into a pick list is repeated only when it is short and close to a
choice: "what is written here is not a withdrawal marker; did you mean 'minimal response'?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from alliance_notes.errors import Problem
from alliance_notes.evidence import Evidence
from alliance_notes.fillable.layout import SUGGESTED_BY, SUGGESTING_AUTHORS, Shape, Slot, choice_noun
from alliance_notes.fillable.reader import BULLET, Line, RawSlot, dedent, indent_of, read_item
from alliance_notes.fillable.text import (
    Box,
    EscapeError,
    boxes,
    escape_text,
    match_choice,
    normalize,
    render_boxes,
    strip_blank_lines,
    suggest_choice,
    take_escaped,
    unescape_text,
)
from alliance_notes.measures import format_score
from alliance_notes.vocabulary import Choice, Speaker


class Reading:
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


def read_text(
    reading: Reading, first: str, rest: Sequence[Line], column: int, *, location: str, line: int
) -> str | None:
    """Free text: the first line, then continuation lines less their indentation."""
    lines = strip_blank_lines([first.strip(), *(dedent(extra.text, column).rstrip() for extra in rest)])
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
    reading: Reading, slot: RawSlot, location: str
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


def read_choice(
    reading: Reading, text: str, options: Sequence[Choice], noun: str, *, location: str, line: int
) -> Choice | None:
    found = match_choice(text, options)
    if found is not None:
        return found
    suggestion = suggest_choice(text, options)
    message = f"what is written here is not a {noun}"
    if suggestion is not None:
        message += f"; did you mean '{suggestion.label}'?"
    else:
        message += " (choose one of: " + "; ".join(option.label for option in options) + ")"
    reading.problem(location, message, line, "choice")
    return None


def _picked(reading: Reading, slot: RawSlot, location: str) -> tuple[list[tuple[str, int]], bool]:
    """What a pick list says, read the one way every pick list is read: the labels of its
    ticked boxes (words beside ticked boxes are reported as left out), or, when no box is
    ticked, the words typed there instead (a choice typed rather than ticked).

    :returns: ``(entries, ticked)``: each entry's words and line, and whether they came
        from ticked boxes.
    """
    ticked = _ticked(reading, slot, location)
    if ticked is not None and (ticked[0] or not ticked[1]):
        reading.left_out.extend(line for _, line in ticked[1])
        return [(box.label, line) for box, line in ticked[0]], True
    return (ticked[1] if ticked is not None else _typed(slot)), False


def _one_answer(entries: list[tuple[str, int]], ticked: bool) -> list[tuple[str, int]]:
    """Words typed for a single answer, over one or more lines, as that one answer."""
    if ticked or not entries:
        return entries
    return [(" ".join(text for text, _ in entries), entries[0][1])]


def read_choices(
    reading: Reading, slot: RawSlot, options: Sequence[Choice], noun: str, location: str, *, single: bool
) -> list[Choice]:
    """The choices ticked (or typed) in a pick list."""
    entries, ticked = _picked(reading, slot, location)
    if single:
        entries = _one_answer(entries, ticked)
    elif not ticked:
        entries = [
            (part.strip(), line) for text, line in entries for part in re.split(r"[;,]", text) if part.strip()
        ]
    chosen: list[Choice] = []
    for text, line in entries:
        found = read_choice(reading, text, options, noun, location=location, line=line)
        if found is not None and found not in chosen:
            chosen.append(found)
    if single and len(chosen) > 1:
        reading.problem(location, f"tick only one ({len(chosen)} are ticked)", slot.line, "choice_count")
        return []
    return chosen


_YES_NO = {"yes": True, "no": False, "true": True, "false": False}


def read_yes_no(reading: Reading, slot: RawSlot, location: str) -> bool | None:
    """Yes or no, ticked (or typed)."""
    entries = _one_answer(*_picked(reading, slot, location))
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
            message = "what is written here is not yes or no"
            reading.problem(
                location, message + (f"; did you mean '{suggestion}'?" if suggestion else ""), line, "yes_no"
            )
        else:
            values.append(value)
    if len(set(values)) > 1:
        reading.problem(location, "tick only one of yes and no", slot.line, "choice_count")
        return None
    return values[0] if values else None


def _confirmed(reading: Reading, slot: RawSlot, location: str) -> bool | None:
    """A suggestion's confirmation box: ticked is confirmed, left empty is not."""
    ticked = _ticked(reading, slot, location)
    if ticked is not None:
        reading.left_out.extend(line for _, line in ticked[1])  # words beside the box
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


def _single_line(reading: Reading, slot: RawSlot, location: str, what: str) -> str | None:
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


def _number(reading: Reading, text: str, location: str, line: int, what: str) -> float | None:
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        reading.problem(location, f"must be {what}", line, "number")
        return None
    return float(cleaned.replace(",", "."))


def _integer_value(reading: Reading, slot: RawSlot, field_slot: Slot, location: str) -> int | None:
    entries = _one_answer(*_picked(reading, slot, location))
    if len(entries) > 1:
        reading.problem(location, f"tick only one ({len(entries)} are ticked)", slot.line, "choice_count")
        return None
    if not entries:
        return None
    text, line = entries[0]
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d+", text.strip()):
        shown = f" ({', '.join(map(str, field_slot.numbers))})" if field_slot.numbers else ""
        reading.problem(location, f"must be a whole number{shown}", line, "number")
        return None
    return int(text.strip())


def _scores(reading: Reading, slot: RawSlot, location: str) -> list[int] | None:
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


def _author(reading: Reading, slot: RawSlot, location: str) -> tuple[str, str] | None:
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
    author = read_choice(reading, kind, SUGGESTING_AUTHORS, noun, location=location, line=slot.line)
    value = read_text(reading, name, slot.rest, slot.column, location=location, line=slot.line)
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


def read_quote(reading: Reading, line: Line, location: str) -> dict[str, Any] | None:
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
    speaker = read_choice(
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


def read_slot(reading: Reading, slot: RawSlot, spec: Slot, location: str) -> Any:
    kind = spec.kind
    if kind == "text":
        return read_text(reading, slot.first, slot.rest, slot.column, location=location, line=slot.line)
    if kind in ("choice", "choices"):
        assert spec.choice is not None
        chosen = read_choices(
            reading, slot, list(spec.choice), choice_noun(spec.choice), location, single=kind == "choice"
        )
        if kind == "choice":
            return chosen[0].value if chosen else None
        return [choice.value for choice in chosen] or None
    if kind == "yes_no":
        return read_yes_no(reading, slot, location)
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


# -- writing -----------------------------------------------------------------------------------------

#: Where a sub-slot's label starts, and where its text continues.
SLOT_INDENT = "  "
_CONTINUATION = 4


def may_be_plain(value: str) -> bool:
    """False for text the reader changes before it reads it: a carriage return (read as a
    line break) or an HTML comment (skipped as the clinician's own)."""
    return "\r" not in value and "<!--" not in value


def _reads_back(rendered: Sequence[str], shape: Shape, key: str, value: str) -> bool:
    """True when ``rendered`` (one slot's lines) is read back as exactly ``value``."""
    lines = [Line(number, text) for number, text in enumerate(rendered, start=1)]
    if rendered[0].startswith(SLOT_INDENT):
        bullet, rest = Line(0, "- "), lines
    else:
        bullet, rest = lines[0], lines[1:]
    problems: list[Any] = []
    item = read_item(bullet, rest, shape, problems, "")
    slots = [slot for slot in item.slots if slot.key or slot.first.strip() or slot.rest]
    if problems or item.quotes or len(slots) != 1:
        return False
    slot = slots[0]
    if (slot.key or shape.primary) != key:
        return False
    return _read_text(slot, key) == value


def _read_text(slot: RawSlot, key: str) -> str | None:
    reading = Reading()
    first = slot.first
    if key == SUGGESTED_BY.key:
        first = first.partition(" — ")[2]
    value = read_text(reading, first, slot.rest, slot.column, location="", line=slot.line)
    return None if reading.problems else value


def write_text(shape: Shape, prefix: str, value: str, key: str) -> list[str]:
    """A text value written after ``prefix`` (a bullet or a label), plain if it reads back."""
    plain = value.split("\n")
    column = _CONTINUATION if prefix.startswith(SLOT_INDENT) else 2
    rendered = [prefix + plain[0], *((" " * column + line) if line else "" for line in plain[1:])]
    if may_be_plain(value) and _reads_back(rendered, shape, key, value):
        return rendered
    return [prefix + escape_text(value)]


def write_quote(evidence: Evidence) -> str:
    """A quote line, ``> "words" — client, utterance 12, 00:05:10``, escaped only when it
    would not read back as written."""
    who = [evidence.speaker.label]
    if evidence.utterance_index is not None:
        who.append(f"utterance {evidence.utterance_index}")
    if evidence.timestamp is not None:
        who.append(evidence.timestamp)
    attribution = ", ".join(who)
    expected = evidence.model_dump(exclude_none=True, mode="json")
    line = f'{SLOT_INDENT}> "{evidence.quote}" — {attribution}'
    if (
        "\n" not in evidence.quote
        and may_be_plain(evidence.quote)
        and read_quote(Reading(), Line(1, line), "") == expected
    ):
        return line
    return f"{SLOT_INDENT}> {escape_text(evidence.quote)} — {attribution}"


def write_slot(shape: Shape, slot: Slot, value: Any, blank: bool) -> list[str]:
    """The lines of one labelled slot (none for a computed total in a blank form)."""
    if blank and slot.key == "total":
        return []
    hint = f" ({slot.hint})" if blank and slot.hint else ""
    label = f"{SLOT_INDENT}- {slot.label}{hint}:"
    if slot.kind in ("choice", "choices"):
        assert slot.choice is not None
        chosen = value if isinstance(value, list) else [] if value is None else [value]
        if slot.kind == "choices":
            # Ticked choices come first, in the note's order, so the order reads back.
            options = [(choice.label, True) for choice in chosen]
            options += [(choice.label, False) for choice in slot.choice if choice not in chosen]
        else:
            options = [(choice.label, choice in chosen) for choice in slot.choice]
        if slot.vertical:
            return [label, *(f"{SLOT_INDENT}  - {render_boxes([option])}" for option in options)]
        return [f"{label} {render_boxes(options)}"]
    if slot.kind == "yes_no":
        return [f"{label} {render_boxes([('yes', value is True), ('no', value is False)])}"]
    if slot.kind == "integer" and slot.numbers:
        return [f"{label} {render_boxes([(str(number), value == number) for number in slot.numbers])}"]
    if value is None:
        return [label]
    if slot.kind == "text":
        return write_text(shape, label + " ", value, slot.key)
    if slot.kind == "score":
        return [f"{label} {format_score(value)}"]
    if slot.kind == "scores":
        return [f"{label} {', '.join(str(score) for score in value)}"]
    if slot.kind == "number":
        return [f"{label} {value!r}" if isinstance(value, float) else f"{label} {value}"]
    return [f"{label} {value}"]
