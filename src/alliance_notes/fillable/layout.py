"""The fill-in form: its parts, fields and items, in the clinician's words.

This is the one description of the form that the writer and the parser share.  A filled
form reads like this (the parser's grammar, by example)::

    ### Trust                                        ← a part of the alliance section
    **Trust this session** — how did trust move?      ← a field; the words after it are its prompt
    - [ ] strengthening                               ← a pick list: tick one box with [x]
    - [x] steady
    **Built trust** — what helped the client feel secure …
    - Remembered the recital from two sessions ago.   ← an item; its text may run on to
      It mattered to her.                                indented lines
      > "You remembered that?" — client, 00:05:10     ← a quote, with whose words and when
      - Belongs in: [x] progress note · [ ] psychotherapy note (private)

Items with several parts (a rupture, a repair, a consent check …) have one labelled line
per part, ``- Label: value``; see :func:`item_shape`.  The prompts draw on the seed article's
ideas (trust, respect, boundaries, autonomy, rupture and repair, check-in questions) and
on the 3RS for ruptures and repairs.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic.fields import FieldInfo

from alliance_notes.alliance import (
    Alliance,
)
from alliance_notes.evidence import Finding, Observation
from alliance_notes.outline import Described, FieldKind, FieldOutline, PartOutline, alliance_outline
from alliance_notes.vocabulary import (
    AgeBand,
    Assessment,
    Author,
    BondAspect,
    BoundaryArea,
    Choice,
    ConfrontationMarker,
    ConsentResponse,
    InitiatedBy,
    Modality,
    Record,
    RepairOutcome,
    ResolutionStrategy,
    RuptureScreening,
    RuptureType,
    SessionPoint,
    Setting,
    Speaker,
    TrustState,
    WithdrawalMarker,
    WrittenBy,
)

#: How each kind of value is written and read.
SlotKind = Literal[
    "text",  # free text, one or more lines
    "choice",  # one of a pick list
    "choices",  # any of a pick list
    "yes_no",  # a yes/no pick list, stored as true/false
    "integer",  # a whole number (significance, counts)
    "score",  # a 0–10 line score, one decimal
    "scores",  # the twelve WAI-SR item scores
    "number",  # any number (a confidence, a computed total)
    "code",  # an identifier or pseudonymous code, no spaces
    "author",  # "language model — scribe-llm 2026-03": who suggested an item
    "confirm",  # one box: ticked when the clinician has confirmed a suggestion
]


@dataclass(frozen=True)
class Slot:
    """One labelled value of an item: ``- Label: value`` (or its pick list).

    :param key: the model field it fills.
    :param label: what the clinician reads; a parenthesised hint may follow it.
    :param kind: how the value is written and read.
    :param choice: the pick list, for choice kinds.
    :param hint: words shown in parentheses after the label in a blank form.
    :param vertical: a long pick list, one box per line.
    :param numbers: for an integer pick list (significance), the numbers offered.
    """

    key: str
    label: str
    kind: SlotKind
    choice: type[Choice] | None = None
    hint: str = ""
    vertical: bool = False
    numbers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Shape:
    """What one item of a field holds.

    :param model: the item's model.
    :param primary: the text slot that an unlabelled item line fills (``None``: every line
        is labelled, as for measures).
    :param label_primary: write the primary slot with its label in the form (for items
        with several parts, where an unlabelled first line would be unclear).
    :param slots: the item's labelled slots, in the order they are written.
    """

    model: type[Observation]
    primary: str | None
    slots: tuple[Slot, ...]
    label_primary: bool = False

    def slot(self, key: str) -> Slot:
        """The slot that fills ``key``."""
        for candidate in (*self.slots, *COMMON_SLOTS):
            if candidate.key == key:
                return candidate
        if key == self.primary:
            return Slot(key, key.replace("_", " ").capitalize(), "text")
        raise KeyError(key)


# -- what every item may carry -----------------------------------------------------------------

BELONGS = Slot("belongs", "Belongs in", "choice", Record)
SUGGESTED_BY = Slot("suggested_by", "Suggested by", "author")
RULE = Slot("rule", "Rule", "text")
CONFIDENCE = Slot("confidence", "Confidence", "number")
#: ``confirmed`` is written under this label while the suggestion awaits the clinician …
TO_CONFIRM = Slot("confirmed", "Suggestion to confirm", "confirm")
#: … and under this one once it is confirmed; both read back the same.
CONFIRMED_LABEL = "Suggestion confirmed"
#: The box the clinician ticks to confirm a suggestion.
CONFIRM_BOX = "confirmed"
#: The mark that draws the eye to a suggestion awaiting confirmation.
SUGGESTION_MARK = "⚑"

COMMON_SLOTS: tuple[Slot, ...] = (SUGGESTED_BY, RULE, CONFIDENCE, TO_CONFIRM, BELONGS)

#: The author choices a "Suggested by" line may name (a clinician needs no such line).
SUGGESTING_AUTHORS: tuple[Author, ...] = (Author.EXTRACTOR, Author.LANGUAGE_MODEL)

# -- fields and parts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """One field of the alliance section: ``**Label** — prompt`` and its answers.

    :param path: where its value goes inside the alliance section.
    :param label: the bold field name the parser recognises.
    :param prompt: one line in the clinician's language; edit or delete it freely.
    :param kind: a list of items, one item, a pick-one list, or yes/no.
    :param shape: for items, what each holds.
    :param choice: for a pick list, its choices.
    :param hidden: choices not offered as boxes (they are what a blank means).
    """

    path: tuple[str, ...]
    label: str
    prompt: str
    kind: FieldKind
    shape: Shape | None = None
    choice: type[Choice] | None = None
    hidden: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class FormPart:
    """One part of the alliance section: a ``###`` heading and its fields."""

    key: str
    title: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)


def item_shape(model: type[Observation]) -> Shape:
    """How an item of ``model`` is written in the form, read off the model itself: each of
    its own fields, in order, labelled as its :class:`~alliance_notes.outline.Described`
    marker says (the form's label where it has one, then the note's; the marker's prompt is
    the hint a blank form shows), written and read by its type:

    - a closed choice is a pick list (one box per line when it offers more than four), a
      list of them a pick list of several;
    - yes/no is a pick list of two;
    - a whole number with narrow bounds (a 3RS significance) is a pick list of its numbers,
      other whole numbers are typed, as are a list of them (the WAI-SR item scores);
    - a bounded number is a line score, any other number is typed;
    - text with a fixed pattern is a short code (a rupture id), other text free text;
    - a measure's computed ``total`` is shown, and read back only if it matches.

    The first free-text field is the item's first line.  It carries its label when the item
    has another part that must be given (a rupture's type, a declined topic's answer), so
    that each line says what it is; an item that is mainly one text (a finding, the client's
    pronouns, a follow-up) starts with its text.

    :raises TypeError: for a field of a type the form cannot write, naming it.
    """
    return _shape(model)


#: The most choices a pick list shows on one line.
_ONE_LINE_CHOICES = 4
#: The widest range of whole numbers offered as boxes.
_NUMBERS_AS_BOXES = 10


@cache
def _shape(model: type[Observation]) -> Shape:
    slots = []
    required = set()
    for name, info in model.model_fields.items():
        if name in Observation.model_fields:
            continue
        described = next((found for found in info.metadata if isinstance(found, Described)), None)
        label = name.replace("_", " ").capitalize()
        hint = ""
        if described is not None:
            label = described.form_label or described.label
            hint = described.prompt
        slots.append(_slot(name, label, hint, info))
        if info.is_required():
            required.add(name)
    if "total" in model.model_computed_fields:
        slots.append(Slot("total", "Total", "number", hint="worked out for you; leave blank"))
    primary = next((slot.key for slot in slots if slot.kind == "text"), None)
    label_primary = any(key != primary for key in required)
    return Shape(model, primary, tuple(slots), label_primary=primary is not None and label_primary)


def _slot(key: str, label: str, hint: str, info: FieldInfo) -> Slot:
    """The slot for one item field, by its type and constraints."""
    choice, several = _choice_of(info.annotation)
    if choice is not None:
        kind: SlotKind = "choices" if several else "choice"
        return Slot(key, label, kind, choice, hint, vertical=len(choice) > _ONE_LINE_CHOICES)
    base, constraints = _type_and_constraints(info)
    low, high = constraints.get("minimum"), constraints.get("maximum")
    bounded = isinstance(low, int) and isinstance(high, int)
    if base is bool:
        return Slot(key, label, "yes_no", hint=hint)
    if base is int and isinstance(low, int) and isinstance(high, int) and high - low < _NUMBERS_AS_BOXES:
        return Slot(key, label, "integer", hint=hint, numbers=tuple(range(low, high + 1)))
    if base is int:
        return Slot(key, label, "integer", hint=hint)
    if base is float:
        return Slot(key, label, "score" if bounded else "number", hint=hint)
    if typing.get_origin(base) is list and _unwrapped(typing.get_args(base)[0])[0] is int:
        return Slot(key, label, "scores", hint=hint)
    if base is str:
        return Slot(key, label, "code" if "pattern" in constraints else "text", hint=hint)
    raise TypeError(f"the form cannot write the field {key!r} of type {info.annotation!r}")


def _type_and_constraints(info: FieldInfo) -> tuple[Any, dict[str, Any]]:
    """A field's type without ``Annotated`` or ``None``, and the bounds and pattern its
    type and field carry (``minimum``, ``maximum``, ``pattern``), read off the field
    itself: no JSON Schema is built for it."""
    constraints: dict[str, Any] = {}
    _collect(info, constraints)
    base, found = _unwrapped(info.annotation)
    for marker in found:
        _collect(marker, constraints)
    return base, constraints


def _unwrapped(annotation: Any) -> tuple[Any, list[Any]]:
    """``annotation`` without ``Annotated`` layers and ``| None``, and the markers removed."""
    markers: list[Any] = []
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation, *more = typing.get_args(annotation)
            markers.extend(more)
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            options = [option for option in typing.get_args(annotation) if option is not type(None)]
            if len(options) != 1:
                return annotation, markers
            annotation = options[0]
        else:
            return annotation, markers


def _collect(marker: Any, constraints: dict[str, Any]) -> None:
    extra = getattr(marker, "json_schema_extra", None)
    if isinstance(extra, dict):
        constraints.update({key: extra[key] for key in ("minimum", "maximum") if key in extra})
    pattern = getattr(marker, "pattern", None)
    if isinstance(pattern, str):
        constraints["pattern"] = pattern
    if isinstance(marker, FieldInfo):
        for inner in marker.metadata:
            _collect(inner, constraints)


def _choice_of(annotation: Any) -> tuple[type[Choice] | None, bool]:
    """The closed choice a field of this type holds, and whether it holds several."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(annotation) if option is not type(None)]
        annotation = options[0] if len(options) == 1 else annotation
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    several = typing.get_origin(annotation) is list
    if several:
        (annotation,) = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Choice):
        return annotation, several
    return None, False


#: A finding: one text, the shape of most items.
FINDING = item_shape(Finding)


def _form_field(part: PartOutline, described: FieldOutline) -> FormField:
    prompt = described.description.prompt.format(part=part.title.lower())
    if described.kind in ("items", "item"):
        shape = item_shape(described.item)
        return FormField(described.path, described.form_label, prompt, described.kind, shape)
    choice = described.item if described.kind == "choice" else None
    return FormField(described.path, described.form_label, prompt, described.kind, choice=choice)


@cache
def form_parts(alliance: type[Alliance]) -> tuple[FormPart, ...]:
    """The form's parts and fields for an alliance section model, read off its outline."""
    return tuple(
        FormPart(part.key, part.title, tuple(_form_field(part, field) for field in part.fields))
        for part in alliance_outline(alliance)
    )


#: The form's parts for the built-in alliance section.
PARTS: tuple[FormPart, ...] = form_parts(Alliance)

#: The heading of the alliance section in the form.
ALLIANCE_TITLE = "Therapeutic alliance"

# -- the note's details (front matter) ---------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """One line of the front matter: ``key: value  # hint``.

    :param path: where the value goes in the note.
    :param key: the key the clinician reads and types.
    :param kind: how the value is read.
    :param hint: the comment shown after it.
    """

    path: tuple[str, ...]
    key: str
    kind: Literal["text", "code", "date", "integer", "choice", "kind", "language", "parts"]
    hint: str = ""
    choice: type[Choice] | None = None


DETAILS: tuple[Detail, ...] = (
    Detail(("kind",), "kind", "kind", "the note format; keep as is"),
    Detail(("session", "client"), "client", "code", "pseudonymous code such as C-0412, never a name"),
    Detail(("session", "date"), "date", "date", "YYYY-MM-DD"),
    Detail(("session", "number"), "session number", "integer"),
    Detail(("session", "duration_minutes"), "duration minutes", "integer"),
    Detail(("session", "modality"), "modality", "choice", "leave blank if not recorded", Modality),
    Detail(("session", "setting"), "setting", "choice", choice=Setting),
    Detail(("session", "language"), "language", "language", "e.g. en or es-MX; leave blank if not recorded"),
    Detail(
        ("session", "client_age_band"),
        "client age band",
        "choice",
        "sets the ORS cutoff; leave blank if not recorded",
        AgeBand,
    ),
    Detail(("authorship", "written_by"), "written by", "choice", choice=WrittenBy),
    Detail(("authorship", "clinician"), "clinician", "code", "your pseudonymous code"),
    Detail(("authorship", "drafted_by"), "drafted by", "text", "the AI scribe that drafted it, if any"),
    # Only in a form of the record: the parts whose entries are all in the psychotherapy note.
    Detail(
        ("alliance", "withheld"),
        "kept in a separate note",
        "parts",
        "their entries are in the psychotherapy note; keep as is",
    ),
    Detail(("schema_version",), "schema version", "text", "keep as is"),
)

#: What a closed choice is called in an error ("… is not a withdrawal marker").
CHOICE_NOUNS: dict[type[Choice], str] = {
    Modality: "modality",
    Setting: "setting",
    WrittenBy: "way the note was written",
    Record: "place an item belongs",
    Speaker: "speaker",
    Author: "kind of suggesting tool (extractor or language model)",
    TrustState: "trust state",
    Assessment: "choice (assessed or not assessed)",
    RuptureScreening: "rupture screening choice",
    RuptureType: "rupture type",
    WithdrawalMarker: "withdrawal marker",
    ConfrontationMarker: "confrontation marker",
    BondAspect: "part of the alliance",
    ResolutionStrategy: "3RS resolution strategy",
    RepairOutcome: "repair outcome",
    BoundaryArea: "boundary area",
    InitiatedBy: "person who raised a boundary",
    ConsentResponse: "consent answer",
    SessionPoint: "point in the session (start or end)",
    AgeBand: "age band (adult, adolescent or child)",
}


def choice_noun(choice: type[Choice]) -> str:
    """What one of ``choice`` is called, for error messages."""
    return CHOICE_NOUNS.get(choice, "choice")
