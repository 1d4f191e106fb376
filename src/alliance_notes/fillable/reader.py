"""Reading a filled form into its pieces, each with its line number.

The reader finds the front matter, the host sections, the alliance section's parts and
fields, and each field's items and labelled slots.  It does not interpret values (that is
:mod:`alliance_notes.fillable.parser`'s job); it only decides which line belongs where,
the way a person reads the form:

* headings (``#``–``###``) that name a section or part start it; other headings, and
  bold lines that name no field, start the clinician's own notes, which stay out of the
  note (their lines are reported as :class:`Notice`\\ s);
* HTML comments (``<!-- … -->``) are the clinician's too, and are skipped;
* an item runs from its ``-`` line over indented lines, blank lines between them, and
  unindented lines that follow it directly (a lazy continuation);
* a blank line and then unindented text ends an item: that text is a note.

Reading takes time in proportion to the form's length: lines are matched without
patterns that backtrack over runs of spaces, and comments are blanked in one pass.  A
form over one of these limits, set far above any real form (a blank form has about 250
lines), is refused at once with a :class:`~alliance_notes.errors.NoteValidationError`
(exit status 2 on the command line) naming the limit, never the form's text:

* :data:`MAX_FORM_LINES`: 10,000 lines;
* :data:`MAX_FORM_CHARACTERS`: 2,000,000 characters (about 2 MB).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from alliance_notes.errors import NoteValidationError, Problem
from alliance_notes.fillable.layout import (
    ALLIANCE_TITLE,
    COMMON_SLOTS,
    CONFIRMED_LABEL,
    DETAILS,
    PARTS,
    Detail,
    FormField,
    FormPart,
    Shape,
)
from alliance_notes.fillable.text import closest, normalize
from alliance_notes.note import HostSection

#: The most lines a filled form may have.
MAX_FORM_LINES = 10_000
#: The most characters a filled form may have.
MAX_FORM_CHARACTERS = 2_000_000


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the form (1-based number, text without the line break)."""

    number: int
    text: str


@dataclass(frozen=True)
class Notice:
    """Something the reader left out of the note on purpose, such as the clinician's own notes.

    Never carries the text itself, only where it is.
    """

    line: int
    message: str
    #: For a notice about a run of lines, the run's last line.
    last: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"

    def covers(self, number: int) -> bool:
        """Whether the notice is about line ``number``."""
        return self.line <= number <= (self.last or self.line)


@dataclass
class RawSlot:
    """One value of an item as written: its label's line, the words after the label, and
    the lines that follow until the next label.

    :param column: where the value's text starts, to strip that much indentation from
        its continuation lines.
    """

    key: str
    line: int
    first: str
    column: int
    rest: list[Line] = field(default_factory=list)


@dataclass
class RawItem:
    """One ``-`` item of a field: its slots and quotes."""

    line: int
    slots: list[RawSlot] = field(default_factory=list)
    quotes: list[Line] = field(default_factory=list)


@dataclass
class RawField:
    """One field as written: its marker line, items, leading paragraphs and every line."""

    form_field: FormField
    line: int
    items: list[RawItem] = field(default_factory=list)
    paragraphs: list[list[Line]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass
class RawSection:
    """One host section as written: its heading line and the lines under it."""

    section: HostSection
    line: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class RawDocument:
    """The form's pieces, its problems, and what was left out on purpose."""

    details: list[tuple[Detail, str, int]] = field(default_factory=list)
    sections: list[RawSection] = field(default_factory=list)
    alliance_line: int | None = None
    fields: list[RawField] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    prompts: list[int] = field(default_factory=list)

    def notices(self) -> list[Notice]:
        """The clinician's own notes, one notice per run of lines, and edited prompts."""
        result = [
            Notice(
                line,
                "the words after the field name were read as its prompt, not as an answer "
                "(answers go on the lines below it)",
            )
            for line in self.prompts
        ]
        numbers = sorted(set(self.notes))
        start = 0
        for index in range(1, len(numbers) + 1):
            if index == len(numbers) or numbers[index] != numbers[index - 1] + 1:
                first, last = numbers[start], numbers[index - 1]
                span = "this line is" if first == last else f"lines {first}–{last} are"
                result.append(
                    Notice(
                        first,
                        f"{span} outside the answer spaces, so not put into the note "
                        "(your own notes stay in your copy)",
                        last,
                    )
                )
                start = index
        return sorted(result, key=lambda notice: notice.line)


# -- lines -------------------------------------------------------------------------------------------


def _without_comments(text: str) -> str:
    """``text`` with each closed HTML comment replaced by its line breaks, in one pass.

    The first comment never closed ends the pass: no later one can close either.
    """
    pieces: list[str] = []
    position = 0
    while (opened := text.find("<!--", position)) >= 0:
        closed = text.find("-->", opened + 4)
        if closed < 0:
            break
        pieces.append(text[position:opened])
        pieces.append("\n" * text.count("\n", opened, closed))
        position = closed + 3
    pieces.append(text[position:])
    return "".join(pieces)


def split_lines(text: str) -> tuple[list[Line], list[Problem]]:
    """The form's lines, with line endings normalised and HTML comments blanked out."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems = []
    text = _without_comments(text)
    opened = text.find("<!--")
    if opened >= 0:
        line = text.count("\n", 0, opened) + 1
        problems.append(Problem("", "this comment (<!--) is never closed with -->", "comment", line))
        text = text[:opened] + "\n" * text.count("\n", opened)
    return [Line(number, content) for number, content in enumerate(text.split("\n"), start=1)], problems


def indent_of(text: str) -> tuple[int, str]:
    """The width of a line's indentation (a tab counts four) and the rest of the line."""
    stripped = text.lstrip(" \t")
    leading = text[: len(text) - len(stripped)]
    return len(leading.expandtabs(4)), stripped


def dedent(text: str, column: int) -> str:
    """A continuation line with up to ``column`` columns of indentation removed."""
    width, stripped = indent_of(text)
    if not stripped:
        return ""
    return " " * max(width - column, 0) + stripped


_MARKER = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*(?P<rest>.*)$")
BULLET = re.compile(r"^[-*+](?:[ \t]+|$)")
#: The first character a slot's label cannot hold (the label ends at a colon).
_LABEL_STOP = re.compile(r"[:\[\]`\"“>]")
_MAX_SLOT_LABEL = 60
#: Where a heading's title ends and its prompt starts: a dash between spaces, or ": ".
_PROMPT_SEPARATOR = re.compile(r"(?<=\s)[—–-](?=\s)|:(?=\s)")


def heading(text: str) -> tuple[int, str] | None:
    """``(level, title)`` for a Markdown heading line, with any "— prompt" after the title dropped.

    One to six ``#`` and a space or tab before the title; a closing run of ``#`` is
    dropped; seven or more ``#`` on their own make an empty level-6 heading.  Read by hand,
    as a pattern for this backtracks over a long run of spaces.
    """
    text = text.removesuffix("\n")  # a line, with or without its line break
    rest = text.lstrip("#")
    level = len(text) - len(rest)
    if level == 0 or "\n" in rest:
        return None
    if level > 6:
        return (6, "") if not rest.strip(" \t") else None
    if rest and rest[0] not in " \t":
        return None
    title = rest.strip(" \t").rstrip("#").rstrip(" \t")
    separator = _PROMPT_SEPARATOR.search(title)
    if separator is not None:
        title = title[: separator.start()]
    return level, title.strip()


def field_marker(text: str) -> tuple[str, str] | None:
    """``(label, prompt)`` for a ``**Label** — prompt`` line."""
    match = _MARKER.match(text)
    if match is None:
        return None
    return match.group("label").strip().rstrip(":").strip(), match.group("rest")


# -- items ------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def slot_labels(shape: Shape) -> dict[str, str]:
    """Normalised label → slot key, for the slots an item of ``shape`` may have."""
    labels = {normalize(slot.label): slot.key for slot in (*shape.slots, *COMMON_SLOTS)}
    labels[normalize(CONFIRMED_LABEL)] = "confirmed"
    return labels


@dataclass(frozen=True)
class SlotStart:
    """A line that starts a labelled slot: which one, and the words after the label."""

    key: str
    value: str
    bulleted: bool


def _slot_label(text: str) -> tuple[str, str, bool] | None:
    """``(label, value, bulleted)`` for a line ``Label: value`` or ``- Label: value``.

    The label is up to 60 characters before the first colon (no brackets, backticks,
    quotes or ``>`` in it), the colon is followed by a space, a tab or the line's end, and
    a ``-``, ``*`` or ``+`` and spaces before the label make it bulleted.  When the label
    after a bullet is only spaces or too long, the bullet is read as part of the label.
    Read in one pass: a pattern for this backtracks over runs of spaces.
    """
    stop = _LABEL_STOP.search(text)
    if stop is None or stop.group() != ":" or stop.start() == 0:
        return None
    colon = stop.start()
    after = text[colon + 1 :].removesuffix("\n")  # a line, with or without its line break
    if after and after[0] not in " \t":
        return None
    value = after.lstrip(" \t").partition("\n")[0]
    end = len(text[:colon].rstrip(" \t"))  # where the label's last word ends
    if text[0] in "-*+" and text[1:2] in (" ", "\t"):
        start = len(text) - len(text[1:].lstrip(" \t"))  # past the bullet's spaces
        if start < colon and end - start <= _MAX_SLOT_LABEL:
            return text[start:end], value, True
        if start == colon and start - 1 > 1:  # only spaces: the last of them is the label
            return text[colon - 1 : colon], value, True
    end = max(end, 1)
    return (text[:end], value, False) if end <= _MAX_SLOT_LABEL else None


def slot_start(text: str, shape: Shape) -> SlotStart | str | None:
    """What an item line starts: a :class:`SlotStart`, the label a near-miss was probably
    meant to be (``str``), or ``None`` for a line of text."""
    found = _slot_label(text)
    if found is None:
        return None
    label, value, bulleted = found
    key = slot_labels(shape).get(normalize(label))
    if key is not None:
        return SlotStart(key, value, bulleted)
    if bulleted:
        everything = [slot.label for slot in (*shape.slots, *COMMON_SLOTS)]
        return closest(label, everything, cutoff=0.8)
    return None


def read_item(
    bullet: Line, rest: Sequence[Line], shape: Shape, problems: list[Problem], where: str
) -> RawItem:
    """One item: the ``-`` line and the lines that belong to it."""
    bullet_indent, bullet_text = indent_of(bullet.text)
    content = BULLET.sub("", bullet_text, count=1)
    item = RawItem(bullet.number)
    column = bullet_indent + 2
    started = slot_start(content, shape)
    if isinstance(started, SlotStart):
        current = RawSlot(started.key, bullet.number, started.value, column)
    else:
        current = RawSlot("", bullet.number, content, column)
    item.slots.append(current)
    for line in rest:
        width, stripped = indent_of(line.text)
        if stripped.startswith(">"):
            item.quotes.append(line)
            continue
        started = slot_start(stripped, shape) if stripped else None
        if isinstance(started, SlotStart):
            current = RawSlot(started.key, line.number, started.value, width + 2)
            item.slots.append(current)
        elif isinstance(started, str):
            problems.append(
                Problem(
                    where,
                    f"this label is not one an item here has; did you mean '{started}'?",
                    "label",
                    line.number,
                )
            )
            current = RawSlot("?", line.number, "", width + 2)
        else:
            current.rest.append(line)
    return item


def read_field_area(
    raw: RawField, lines: Sequence[Line], problems: list[Problem], notes: list[int], where: str
) -> None:
    """Split a field's lines into items, leading paragraphs and notes."""
    raw.lines = list(lines)
    if raw.form_field.shape is None:
        return
    shape = raw.form_field.shape
    groups: list[tuple[Line, list[Line]]] = []
    paragraph: list[Line] = []
    after_blank = False
    for line in lines:
        width, stripped = indent_of(line.text)
        if not stripped:
            after_blank = True
            if groups:
                groups[-1][1].append(line)
            elif paragraph:
                raw.paragraphs.append(paragraph)
                paragraph = []
            continue
        if BULLET.match(stripped) and (width < 2 or not groups):
            if paragraph:
                raw.paragraphs.append(paragraph)
                paragraph = []
            groups.append((line, []))
        elif groups and (width >= 2 or not after_blank):
            groups[-1][1].append(line)
        elif not groups:
            paragraph.append(line)
        else:
            notes.append(line.number)
        after_blank = False
    if paragraph:
        raw.paragraphs.append(paragraph)
    for bullet, rest in groups:
        while rest and not rest[-1].text.strip():
            rest.pop()
        raw.items.append(read_item(bullet, rest, shape, problems, where))


# -- entries whose field name is gone ---------------------------------------------------------------


def _bold(form_fields: Sequence[FormField]) -> str:
    return " or ".join(f"**{form_field.label}**" for form_field in form_fields)


def _first_entry_after_a_gap(lines: Sequence[Line]) -> Line | None:
    """The first entry (an unindented ``-`` line) that follows a blank line after the
    field's first answers: where a deleted field name used to be."""
    answered = after_blank = False
    for line in lines:
        width, stripped = indent_of(line.text)
        if not stripped:
            after_blank = answered
            continue
        if answered and after_blank and width < 2 and BULLET.match(stripped):
            return line
        answered = True
        after_blank = False
    return None


def lost_labels(part: FormPart, found: Sequence[RawField], unlabelled: Sequence[Line]) -> list[Problem]:
    """Entries of ``part`` whose field name (``**Strained trust**``) was deleted.

    The form writes each field's entries together, and a blank line and the next field's
    name between fields.  When a field's name is missing and the field before it has an
    entry after a blank line, that entry is most likely the missing field's: filing it under
    the field before would change what the note says, so the parse stops at that line (and
    the lines from there on are taken out of the field before, so they report nothing
    else).  An entry before any field name of the part is the same mistake for the part's
    first fields.
    """
    order = {form_field.path: index for index, form_field in enumerate(part.fields)}
    present = sorted({order[raw.form_field.path] for raw in found})
    problems = []
    location = f"alliance.{part.key}"
    if unlabelled:
        missing = [f for f in part.fields if order[f.path] < (present[0] if present else len(part.fields))]
        if missing:
            problems.append(
                Problem(
                    location,
                    f"this entry has lost its label; put back {_bold(missing)} above it",
                    "lost_label",
                    unlabelled[0].number,
                )
            )
    for raw in found:
        here = order[raw.form_field.path]
        following = [index for index in present if index > here]
        end = following[0] if following else len(part.fields)
        missing = [part.fields[index] for index in range(here + 1, end)]
        if not missing:
            continue
        stray = _first_entry_after_a_gap(raw.lines)
        if stray is not None:
            # What follows is not this field's: left unread, so it reports nothing else.
            raw.lines = [line for line in raw.lines if line.number < stray.number]
            raw.items = [item for item in raw.items if item.line < stray.number]
            raw.paragraphs = [p for p in raw.paragraphs if p[0].number < stray.number]
            message = f"this entry has lost its label; put back {_bold(missing)} above it"
            if raw.form_field.kind == "items":  # the field above could hold one more entry
                message += (
                    f", or, if it belongs under **{raw.form_field.label}**, remove the blank line before it"
                )
            problems.append(Problem(location, message, "lost_label", stray.number))
    return problems


# -- the document -----------------------------------------------------------------------------------


def _front_matter(lines: list[Line], document: RawDocument) -> int:
    """Read the front matter; return the index of the first body line."""
    index = 0
    while index < len(lines) and not lines[index].text.strip():
        index += 1
    if index >= len(lines) or lines[index].text.strip() != "---":
        line = lines[index].number if index < len(lines) else 1
        document.problems.append(
            Problem("", "the form must start with its details between two '---' lines", "front_matter", line)
        )
        return index
    opening = lines[index].number
    index += 1
    while index < len(lines) and lines[index].text.strip() != "---":
        current = lines[index]
        index += 1
        if not current.text.strip() or current.text.lstrip().startswith("#"):
            continue
        key, colon, value = current.text.partition(":")
        detail = _detail(key)
        if not colon or detail is None:
            guess = closest(key, [candidate.key for candidate in DETAILS])
            if colon and guess is not None:
                document.problems.append(
                    Problem(
                        "",
                        f"this is not one of the note's details; did you mean '{guess}'?",
                        "detail",
                        current.number,
                    )
                )
            else:
                document.notes.append(current.number)
            continue
        document.details.append((detail, value, current.number))
    if index >= len(lines):
        document.problems.append(
            Problem("", "the details are never closed with a '---' line", "front_matter", opening)
        )
    return index + 1


def _detail(key: str) -> Detail | None:
    wanted = normalize(key)
    for detail in DETAILS:
        if wanted in (normalize(detail.key), normalize(detail.path[-1])):
            return detail
    return None


def _by_title(title: str, options: Mapping[str, object]) -> object | None:
    return options.get(normalize(title))


class _Walker:
    """Walks the body's lines, sending each to its section, part, field or the notes."""

    def __init__(
        self, host_sections: Sequence[HostSection], parts: Sequence[FormPart], document: RawDocument
    ) -> None:
        self.document = document
        self.sections = {normalize(section.title): section for section in host_sections}
        self.parts = {normalize(part.title): part for part in parts}
        self.state = "preamble"
        self.section: RawSection | None = None
        self.part: FormPart | None = None
        self.field: RawField | None = None
        self.field_lines: list[Line] = []
        #: The current part's fields, as found, and its entries before any field name.
        self.part_fields: list[RawField] = []
        self.unlabelled: list[Line] = []

    def problem(self, message: str, line: int, location: str = "") -> None:
        self.document.problems.append(Problem(location, message, "form", line))

    def close_field(self) -> None:
        if self.field is not None:
            where = "alliance." + ".".join(self.field.form_field.path)
            read_field_area(self.field, self.field_lines, self.document.problems, self.document.notes, where)
            self.document.fields.append(self.field)
            self.part_fields.append(self.field)
        self.field = None
        self.field_lines = []

    def close_part(self) -> None:
        """End the current part, first checking it for entries that lost their field name."""
        self.close_field()
        if self.part is not None:
            for problem in lost_labels(self.part, self.part_fields, self.unlabelled):
                self.document.problems.append(problem)
        self.part_fields = []
        self.unlabelled = []

    def heading(self, line: Line, level: int, title: str) -> bool:
        """Handle a heading line; return False when it is ordinary text here."""
        if level >= 4 or (level == 3 and self.state in ("host", "preamble")):
            return False
        if level == 1 and self.state == "preamble":
            return True  # the form's title
        self.close_part()
        if level <= 2:
            self.part = None
            section = _by_title(title, self.sections)
            if isinstance(section, HostSection):
                self.section = RawSection(section, line.number)
                self.document.sections.append(self.section)
                self.state = "host"
            elif normalize(title) == normalize(ALLIANCE_TITLE):
                self.document.alliance_line = line.number
                self.state = "alliance"
            else:
                self._unknown(
                    line, title, [*(s.title for s in self.sections.values()), ALLIANCE_TITLE], "section"
                )
            return True
        part = _by_title(title, self.parts)
        if isinstance(part, FormPart):
            self.part = part
            self.state = "part"
        else:
            self._unknown(line, title, [p.title for p in self.parts.values()], "part of the alliance section")
        return True

    def _unknown(self, line: Line, title: str, known: list[str], what: str) -> None:
        guess = closest(title, known, cutoff=0.8)
        if guess is not None:
            self.problem(f"this heading names no {what}; did you mean '{guess}'?", line.number)
        else:
            self.document.notes.append(line.number)
        self.state = "notes"

    def marker(self, line: Line, label: str, prompt: str) -> None:
        assert self.part is not None
        self.close_field()
        fields = {normalize(candidate.label): candidate for candidate in self.part.fields}
        found = fields.get(normalize(label))
        location = f"alliance.{self.part.key}"
        if found is not None and any(raw.form_field is found for raw in self.part_fields):
            # The same field twice in one part: a part heading above it is most likely missing
            # ("Assessed" is a field of several parts); reading it would overwrite this part's.
            self.problem(
                f"**{found.label}** appears twice in {self.part.title}; if a part's heading above "
                "it is missing, put it back",
                line.number,
                location,
            )
            self.state = "part-skip"
            return
        if found is not None:
            self.field = RawField(found, line.number)
            if normalize(prompt) not in ("", normalize(found.prompt)):
                self.document.prompts.append(line.number)
            return
        owner = next(
            (
                part
                for part in self.parts.values()
                if any(normalize(candidate.label) == normalize(label) for candidate in part.fields)
            ),
            None,
        )
        if owner is not None:
            # Its part's heading was deleted: reading it here would file it under another part.
            self.problem(
                f"**{label}** is a field of {owner.title}, whose heading is missing; put back "
                f"'### {owner.title}' above it",
                line.number,
                location,
            )
            self.state = "part-skip"
            return
        guess = closest(label, [candidate.label for candidate in self.part.fields], cutoff=0.75)
        if guess is not None:
            self.problem(
                f"this is not a field of {self.part.title}; did you mean '{guess}'?", line.number, location
            )
            self.state = "part-skip"  # its lines are reported by the problem already
        else:
            self.document.notes.append(line.number)
            self.state = "part-notes"

    def line(self, line: Line) -> None:
        found = heading(line.text)
        if found is not None and self.heading(line, *found):
            return
        if self.state in ("part", "part-notes", "part-skip"):
            marker = field_marker(line.text)
            if marker is not None:
                self.state = "part"
                self.marker(line, *marker)
                return
        if self.state == "part-skip":
            return
        if self.state == "notes" and self._field_under_own_heading(line):
            return
        blank = not line.text.strip()
        if self.state == "host":
            assert self.section is not None
            self.section.lines.append(line)
        elif self.state == "part" and self.field is not None:
            self.field_lines.append(line)
        elif not blank and not (self.state == "preamble" and line.text.lstrip().startswith(">")):
            if self.state == "part" and BULLET.match(line.text):
                self.unlabelled.append(line)  # an entry before any field name: see lost_labels
            else:
                self.document.notes.append(line.number)

    def _field_under_own_heading(self, line: Line) -> bool:
        """Stop at a field name under a heading of the clinician's own: its answers would
        otherwise be left out as the clinician's notes (a part heading lost above it, or
        their heading put in the middle of a part)."""
        marker = field_marker(line.text)
        if marker is None:
            return False
        # The part above the clinician's heading first, then the parts after it ("Assessed"
        # is a field of several parts).
        parts = list(self.parts.values())
        start = parts.index(self.part) if self.part in parts else 0
        for part in parts[start:] + parts[:start]:
            for candidate in part.fields:
                if normalize(candidate.label) == normalize(marker[0]):
                    self.problem(
                        f"**{candidate.label}** is under a heading of your own, so its answers would "
                        f"be left out; put back '### {part.title}' above it, or move your heading "
                        "and your notes below the part",
                        line.number,
                        "alliance." + ".".join(candidate.path),
                    )
                    self.state = "part-skip"
                    self.part = part
                    return True
        return False


def _check_size(text: str) -> None:
    """Refuse a form over :data:`MAX_FORM_LINES` or :data:`MAX_FORM_CHARACTERS`.

    :raises NoteValidationError: naming the limit.
    """
    # Lines as an editor counts them: ended by \r\n, \r or \n, the last one maybe not ended.
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if text and not text.endswith(("\n", "\r")):
        lines += 1
    if lines > MAX_FORM_LINES:
        message = f"the form has more than {MAX_FORM_LINES:,} lines, the most a form may have"
        raise NoteValidationError([Problem("", message, "too_large", MAX_FORM_LINES + 1)])
    if len(text) > MAX_FORM_CHARACTERS:
        message = f"the form has more than {MAX_FORM_CHARACTERS:,} characters, the most a form may have"
        raise NoteValidationError([Problem("", message, "too_large")])


def read_document(
    text: str, host_sections: Sequence[HostSection] | None, parts: Sequence[FormPart] = PARTS
) -> RawDocument:
    """The form's pieces.  ``host_sections`` are the note kind's (``None`` when the kind
    is not known yet: the body is then not read); ``parts`` are the form parts of the
    kind's alliance section.

    :raises NoteValidationError: for a form over :data:`MAX_FORM_LINES` or
        :data:`MAX_FORM_CHARACTERS`.
    """
    _check_size(text)
    document = RawDocument()
    lines, problems = split_lines(text)
    document.problems.extend(problems)
    start = _front_matter(lines, document)
    if host_sections is None:
        return document
    walker = _Walker(host_sections, parts, document)
    for line in lines[start:]:
        walker.line(line)
    walker.close_part()
    return document
