"""Writing the fill-in form: blank, or prefilled from a note (an AI draft, say) for review.

The writer decides every line of every answer here, in Python, so that it can check each
value the way the parser will read it: a value is written as the clinician would write
it whenever that reads back exactly, and escaped (see :mod:`alliance_notes.fillable.text`)
only when it would not.  The Jinja template ``fillable/note.md.j2`` lays the answers out
under headings and prompts; a clinic can override it like any template.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from alliance_notes.alliance import Alliance
from alliance_notes.audiences import for_audience, warn_if_unplaced
from alliance_notes.checks import inline_marker
from alliance_notes.document import PRIVATE_TITLE
from alliance_notes.errors import AllianceNotesError, NoteValidationError
from alliance_notes.evidence import Observation, Provenance
from alliance_notes.fillable.codec import SLOT_INDENT, may_be_plain, write_quote, write_slot, write_text
from alliance_notes.fillable.layout import (
    ALLIANCE_TITLE,
    BELONGS,
    CONFIDENCE,
    CONFIRM_BOX,
    CONFIRMED_LABEL,
    DETAILS,
    FINDING,
    RULE,
    SUGGESTED_BY,
    SUGGESTION_MARK,
    TO_CONFIRM,
    Detail,
    FormField,
    Shape,
    form_parts,
)
from alliance_notes.fillable.parser import detail_text, host_text, parse_filled
from alliance_notes.fillable.reader import heading
from alliance_notes.fillable.text import escape_text, render_boxes
from alliance_notes.note import ProgressNote
from alliance_notes.outline import alliance_outline
from alliance_notes.templating import Templates
from alliance_notes.vocabulary import (
    AUDIENCES,
    Assessment,
    Audience,
    Choice,
    Record,
    RuptureScreening,
    TrustState,
)

#: Choices a prefilled form leaves unticked: a blank already means them.
_BLANK_MEANS: frozenset[Choice] = frozenset(
    {Assessment.NOT_ASSESSED, TrustState.NOT_ASSESSED, RuptureScreening.NOT_ASSESSED}
)


class _Writer:
    """Writes the answer lines of one form; ``note`` is ``None`` for a blank form."""

    def __init__(
        self, model: type[ProgressNote], note: ProgressNote | None, audience: Audience = Audience.REVIEW
    ) -> None:
        self.model = model
        self.note = note
        self.audience = audience
        self.suggestions = 0
        #: Who set each single answer a program suggested.  (An unreviewed AI draft's other
        #: answers are the scribe's; the form's "written by" line already says so.)
        self.answers = {} if note is None else note.alliance.set_by

    # -- text that must read back exactly ----------------------------------------------------

    # -- items ---------------------------------------------------------------------------------

    def item(self, shape: Shape, item: BaseModel | None) -> list[str]:
        """The lines of one item (an empty one for ``None``): its first line, a suggestion's
        provenance, the other slots, quotes, and where it belongs."""
        blank = item is None
        slots = list(shape.slots)
        if shape.primary is not None:
            slots = [slot for slot in slots if slot.key != shape.primary]
            text = None if blank else getattr(item, shape.primary)
            prefix = f"- {shape.slot(shape.primary).label}: " if shape.label_primary else "- "
            head = write_text(shape, prefix, text, shape.primary) if text else [prefix.rstrip() or "- "]
            if not shape.label_primary and not text:
                head = ["- "]
        else:
            first = slots.pop(0)
            head = write_slot(shape, first, None if blank else getattr(item, first.key), blank)
            head[0] = head[0].replace(SLOT_INDENT + "- ", "- ", 1)
        lines = list(head)
        if isinstance(item, Observation):
            lines += self._provenance(shape, item.provenance)
        for slot in slots:
            lines += write_slot(shape, slot, None if blank else getattr(item, slot.key, None), blank)
        if isinstance(item, Observation):
            lines += [write_quote(evidence) for evidence in item.evidence]
        # An entry added to the psychotherapy note's form is placed there by the form itself.
        default = Record.PSYCHOTHERAPY_NOTE if self.audience is Audience.PRIVATE else None
        belongs = item.belongs if isinstance(item, Observation) else default
        lines += write_slot(shape, BELONGS, belongs, blank)
        return lines

    def _provenance(self, shape: Shape, provenance: Provenance) -> list[str]:
        if provenance == Provenance():
            return []
        box = render_boxes([(CONFIRM_BOX, provenance.confirmed)])
        if provenance.is_unconfirmed_suggestion:
            self.suggestions += 1
            lines = [f"{SLOT_INDENT}- {SUGGESTION_MARK} {TO_CONFIRM.label}: {box}"]
        else:
            lines = [f"{SLOT_INDENT}- {CONFIRMED_LABEL}: {box}"]
        if provenance.suggested_by is not None:
            prefix = f"{SLOT_INDENT}- {SUGGESTED_BY.label}: {provenance.author.label} — "
            lines += write_text(shape, prefix, provenance.suggested_by, SUGGESTED_BY.key)
        if provenance.rule is not None:
            lines += write_text(shape, f"{SLOT_INDENT}- {RULE.label}: ", provenance.rule, RULE.key)
        if provenance.confidence is not None:
            lines.append(f"{SLOT_INDENT}- {CONFIDENCE.label}: {provenance.confidence!r}")
        return lines

    # -- fields, parts, sections, details -----------------------------------------------------

    def field(self, form_field: FormField, alliance: Alliance | None) -> list[str]:
        """The answer lines under one field's name."""
        value: Any = alliance
        for key in form_field.path:
            value = None if value is None else getattr(value, key)
        if form_field.kind == "choice":
            assert form_field.choice is not None
            ticked = value if value not in _BLANK_MEANS else None
            options = [(choice.label, choice is ticked) for choice in form_field.choice]
            if len(options) <= 2:
                return [f"- {render_boxes(options)}", *self._answered_by(form_field)]
            return [*(f"- {render_boxes([option])}" for option in options), *self._answered_by(form_field)]
        if form_field.kind == "yes_no":
            boxes = render_boxes([("yes", value is True), ("no", value is False)])
            return [f"- {boxes}", *self._answered_by(form_field)]
        assert form_field.shape is not None
        items = value if isinstance(value, list) else [] if value is None else [value]
        if not items:
            return self.item(form_field.shape, None)
        lines: list[str] = []
        for item in items:
            lines += self.item(form_field.shape, item)
        return lines

    def _answered_by(self, form_field: FormField) -> list[str]:
        """Under a single answer a program set: the ⚑ box to confirm it, and who set it."""
        provenance = self.answers.get(".".join(form_field.path))
        return [] if provenance is None else self._provenance(FINDING, provenance)

    def detail(self, detail: Detail) -> str | None:
        """One front-matter line, or ``None`` for a detail the form does not show."""
        if detail.path == ("schema_version",):
            return None
        value: Any = self.note
        for key in detail.path:
            value = None if value is None else getattr(value, key)
        if detail.kind == "parts":
            if not value:
                return None
            titles = {part.key: part.title for part in alliance_outline(self.model.alliance_model())}
            value = ", ".join(titles[key] for key in value)
        if detail.kind == "kind":
            value = self.model.kind_name()
        if self.note is None and detail.path == ("authorship", "written_by"):
            value = "clinician"
        hint = detail.hint
        if detail.choice is not None:
            hint = ", ".join(choice.label for choice in detail.choice) + (f"; {hint}" if hint else "")
        text = "" if value is None else value.label if isinstance(value, Choice) else str(value)
        comment = f"  # {hint}" if hint else ""
        line = f"{detail.key}: {text}"
        plain = may_be_plain(text) and "\n" not in text
        if text and not (plain and detail_text(line.partition(":")[2] + comment) == (text, None)):
            line = f"{detail.key}: {escape_text(text)}"
        return f"{line:<34}{comment}" if comment else line.rstrip()

    def section_lines(self, key: str, prompt: str) -> list[str]:
        value = None if self.note is None else self.note.section_text(key)
        if value is None:
            return []
        plain = value.split("\n")
        # A level 1 or 2 heading would end the section; a level 3 one is text there.
        headings = [found for found in map(heading, plain) if found is not None and found[0] <= 2]
        if (
            may_be_plain(value)
            and not headings
            and host_text([f"_{prompt}_", "", *plain], prompt) == (value, None)
        ):
            return plain
        return [escape_text(value)]

    def form(self) -> dict[str, Any]:
        """The form as plain data for the ``fillable`` templates."""
        alliance = None if self.note is None else self.note.alliance
        parts = [
            {
                "key": part.key,
                "title": part.title,
                "fields": [
                    {
                        "label": form_field.label,
                        "prompt": form_field.prompt,
                        "lines": self.field(form_field, alliance),
                    }
                    for form_field in part.fields
                ],
            }
            for part in form_parts(self.model.alliance_model())
        ]
        sections = [
            {
                "key": section.key,
                "title": section.title,
                "prompt": section.prompt,
                "lines": self.section_lines(section.key, section.prompt),
            }
            for section in self.model.host_sections
            # The psychotherapy note is the alliance items alone, apart from the record.
            if self.audience is not Audience.PRIVATE
        ]
        details = [line for line in (self.detail(detail) for detail in DETAILS) if line is not None]
        private = self.audience is Audience.PRIVATE
        return {
            "kind": self.model.kind_name(),
            "title": PRIVATE_TITLE if private else f"{self.model.title} with therapeutic alliance",
            "audience": self.audience.value,
            "prefilled": self.note is not None,
            "suggestions": self.suggestions,
            "details": details,
            "sections": sections,
            "alliance": {"title": ALLIANCE_TITLE, "parts": parts},
        }


@lru_cache(maxsize=1)
def _built_in_templates() -> Templates:
    """The built-in templates, compiled once (they never change while running)."""
    return Templates()


def _render(templates: Templates, kind: str, form: dict[str, Any]) -> str:
    return templates.render([f"fillable/{kind}.md.j2", "fillable/note.md.j2"], form=form)


def _form_audience(audience: Audience | str) -> Audience:
    try:
        audience = Audience(audience)
    except ValueError:
        raise AllianceNotesError(f"audience must be one of: {', '.join(AUDIENCES)}") from None
    if audience is Audience.CLIENT:
        raise AllianceNotesError(
            "the client summary is not a form to fill in; render it with --audience client"
        )
    return audience


def blank_template(
    model: type[ProgressNote], templates: Templates | None = None, audience: Audience | str = Audience.RECORD
) -> str:
    """A blank fill-in form for a note kind: details, host sections, the alliance section.

    :param model: the note kind's model (``SoapNote`` …, or a plugin's).
    :param templates: where to find ``fillable/note.md.j2`` (a host's, for a clinic's own).
    :param audience: ``"private"`` for a blank psychotherapy note (no host sections, each
        entry ticked "psychotherapy note"); ``"record"`` and ``"review"`` give the same form.
    """
    writer = _Writer(model, None, _form_audience(audience))
    return _render(templates or _built_in_templates(), model.kind_name(), writer.form())


def prefilled_template(
    note: ProgressNote, templates: Templates | None = None, audience: Audience | str = Audience.RECORD
) -> str:
    """The fill-in form with ``note``'s values filled in, for one audience.

    Items a tool suggested and no clinician has confirmed are marked as suggestions to
    confirm.  Reading the form back unchanged gives the note as that audience sees it
    (:func:`~alliance_notes.audiences.for_audience`), and that is checked before the form
    is returned, so no value is ever lost on the way.

    :param audience: ``"record"`` (the default: the items that belong in the record, each
        with its supporting quote; a front-matter line names the parts whose entries are all
        in the psychotherapy note), ``"private"`` (the psychotherapy note's items alone, under
        its own title) or ``"review"`` (the whole note, every suggestion's rule and
        confidence: for checking an AI draft).  A client summary is not a form.
    :raises AllianceNotesError: for the client audience; or if the form would not read back
        as the same note: a clinic's form template that leaves out answers, or a bug.
    """
    audience = _form_audience(audience)
    warn_if_unplaced(note, audience)
    view = for_audience(note, audience)
    writer = _Writer(type(note), with_exception_markers(view), audience)
    templates = templates or _built_in_templates()
    text = _render(templates, note.kind, writer.form())
    _check_round_trip(view, text, clinic=templates.sandboxed)
    return text


def _location_path(location: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", location)]


def _appended(value: Any, path: list[str | int], marker: str, location: str) -> Any:
    """``value`` with ``marker`` appended to the text at ``path`` inside it (unvalidated copies)."""
    if not path:
        if not isinstance(value, str):
            raise AllianceNotesError(
                f"check_exceptions: the exception at {location} is not on a text field, so a fill-in "
                "form cannot carry it; keep that note in JSON"
            )
        return f"{value} {marker}"
    step, rest = path[0], path[1:]
    if isinstance(step, int) and isinstance(value, list) and step < len(value):
        return [*value[:step], _appended(value[step], rest, marker, location), *value[step + 1 :]]
    if isinstance(step, str) and isinstance(value, BaseModel) and step in type(value).model_fields:
        return value.model_copy(update={step: _appended(getattr(value, step), rest, marker, location)})
    raise AllianceNotesError(f"check_exceptions: {location} is not a field of this note")


def with_exception_markers(note: ProgressNote) -> ProgressNote:
    """The note with each check exception written back into its text field as an inline
    ``[[allow …]]`` marker (a form has no other place for it; reading the form takes them out
    again).  The copies are for writing a form only: they are not validated.

    :raises AllianceNotesError: for an exception that is not on a text field.
    """
    written: ProgressNote = note.model_copy(update={"check_exceptions": []})
    for exception in note.check_exceptions:
        marker = inline_marker(exception)
        written = _appended(written, _location_path(exception.location), marker, exception.location)
    return written


def _exceptions_in_order(note: ProgressNote) -> ProgressNote:
    """The note with its check exceptions in a fixed order (a form lists them in field order)."""
    ordered = sorted(note.check_exceptions, key=lambda exception: exception.model_dump_json())
    return note.model_copy(update={"check_exceptions": ordered})


def _check_round_trip(note: ProgressNote, text: str, *, clinic: bool) -> None:
    culprit = (
        "the clinic's fillable form template must keep every heading, field and answer line"
        if clinic
        else "please report this"
    )
    try:
        again = parse_filled(text, {note.kind: type(note)}).note
    except NoteValidationError as error:
        raise AllianceNotesError(
            f"the prefilled form would not read back ({len(error.problems)} problems); {culprit}"
        ) from None
    if _exceptions_in_order(again) != _exceptions_in_order(note):
        raise AllianceNotesError(f"the prefilled form would not read back as the same note; {culprit}")
