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
per part, ``- Label: value``; see :data:`SHAPES`.  The prompts draw on the seed article's
ideas (trust, respect, boundaries, autonomy, rupture and repair, check-in questions) and
on the 3RS for ruptures and repairs.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from alliance_notes.alliance import (
    Alliance,
    BoundaryEvent,
    ConsentCheck,
    DeclinedTopic,
    FeedbackAnswer,
    FollowUp,
    Pronouns,
    Repair,
    Rupture,
)
from alliance_notes.evidence import Finding, Observation
from alliance_notes.measures import OutcomeRatingScale, SessionRatingScale, WorkingAllianceInventory
from alliance_notes.outline import Described, FieldKind, FieldOutline, PartOutline, alliance_outline
from alliance_notes.vocabulary import (
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

# -- item shapes ------------------------------------------------------------------------------

FINDING = Shape(Finding, "text", ())
PRONOUNS = Shape(
    Pronouns,
    "recorded",
    (Slot("used_correctly", "Used correctly this session", "yes_no"),),
)
BOUNDARY_EVENT = Shape(
    BoundaryEvent,
    "description",
    (
        Slot("description", "What happened", "text"),
        Slot("area", "Area", "choice", BoundaryArea, vertical=True),
        Slot("initiated_by", "Raised by", "choice", InitiatedBy),
        Slot("handling", "How you handled it", "text"),
    ),
    label_primary=True,
)
CONSENT_CHECK = Shape(
    ConsentCheck,
    "topic",
    (
        Slot("topic", "Topic", "text"),
        Slot("response", "Client's answer", "choice", ConsentResponse),
    ),
    label_primary=True,
)
DECLINED = Shape(
    DeclinedTopic,
    "topic",
    (
        Slot("topic", "What the client declined", "text"),
        Slot("honoured", "Honoured", "yes_no"),
    ),
    label_primary=True,
)
RUPTURE = Shape(
    Rupture,
    "description",
    (
        Slot("description", "What happened", "text"),
        Slot("id", "Rupture id", "code", hint="leave blank for r1, r2 … in order"),
        Slot("type", "Type", "choice", RuptureType, hint="moves away, or moves against"),
        Slot("significance", "Significance", "integer", hint="1 slight – 5 major", numbers=(1, 2, 3, 4, 5)),
        Slot("withdrawal_markers", "Withdrawal markers", "choices", WithdrawalMarker, vertical=True),
        Slot("confrontation_markers", "Confrontation markers", "choices", ConfrontationMarker, vertical=True),
        Slot("bond_aspects", "Touched", "choices", BondAspect),
        Slot("clinician_contribution", "Your part in it", "text"),
    ),
    label_primary=True,
)
REPAIR = Shape(
    Repair,
    "description",
    (
        Slot("description", "What you did", "text"),
        Slot("rupture", "Repairs rupture", "code", hint="its id, e.g. r1"),
        Slot("strategies", "Strategies", "choices", ResolutionStrategy, vertical=True),
        Slot("outcome", "Outcome", "choice", RepairOutcome),
        Slot("client_response", "Client's response", "text"),
    ),
    label_primary=True,
)
_ADMINISTERED = Slot("administered", "Given at", "choice", SessionPoint)
SRS = Shape(
    SessionRatingScale,
    None,
    (
        Slot("relationship", "Relationship", "score"),
        Slot("goals_and_topics", "Goals and topics", "score"),
        Slot("approach_or_method", "Approach or method", "score"),
        Slot("overall", "Overall", "score"),
        _ADMINISTERED,
        Slot("total", "Total", "number", hint="worked out for you; leave blank"),
    ),
)
ORS = Shape(
    OutcomeRatingScale,
    None,
    (
        Slot("individually", "Individually", "score"),
        Slot("interpersonally", "Interpersonally", "score"),
        Slot("socially", "Socially", "score"),
        Slot("overall", "Overall", "score"),
        _ADMINISTERED,
        Slot("total", "Total", "number", hint="worked out for you; leave blank"),
    ),
)
WAI_SR = Shape(
    WorkingAllianceInventory,
    None,
    (
        Slot("items", "Item scores", "scores", hint="all 12 in order, 1 seldom – 5 always"),
        _ADMINISTERED,
        Slot("total", "Total", "number", hint="worked out for you; leave blank"),
    ),
)
FEEDBACK = Shape(
    FeedbackAnswer,
    "question",
    (
        Slot("question", "Question", "text"),
        Slot("answer", "Client's answer", "text"),
    ),
    label_primary=True,
)
FOLLOW_UP = Shape(
    FollowUp,
    "text",
    (Slot("rupture", "Follows up rupture", "code", hint="its id, if any"),),
)

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


#: The shape of one item in the form, by the item's model.
SHAPES: dict[type[Observation], Shape] = {
    shape.model: shape
    for shape in (
        FINDING,
        PRONOUNS,
        BOUNDARY_EVENT,
        CONSENT_CHECK,
        DECLINED,
        RUPTURE,
        REPAIR,
        SRS,
        ORS,
        WAI_SR,
        FEEDBACK,
        FOLLOW_UP,
    )
}


def item_shape(model: type[Observation]) -> Shape:
    """How an item of ``model`` is written in the form: its own shape, its base's when a
    subclass adds no field, or, for an item model the form does not know (a plugin's own),
    a shape read off the model itself (:func:`derived_shape`)."""
    for known in model.__mro__:
        shape = SHAPES.get(known)
        if shape is not None and set(model.model_fields) == set(getattr(known, "model_fields", {})):
            return shape if known is model else Shape(model, shape.primary, shape.slots, shape.label_primary)
    return derived_shape(model)


def _slot_kind(annotation: Any) -> tuple[SlotKind, type[Choice] | None]:
    """How a value of an item field's type is written and read in the form."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    option = annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(annotation) if option is not type(None)]
        option = options[0] if len(options) == 1 else annotation
    while typing.get_origin(option) is Annotated:
        option = typing.get_args(option)[0]
    if typing.get_origin(option) is list:
        (element,) = typing.get_args(option)
        if isinstance(element, type) and issubclass(element, Choice):
            return "choices", element
    elif isinstance(option, type):
        if issubclass(option, Choice):
            return "choice", option
        if option is bool:
            return "yes_no", None
        if option is int:
            return "integer", None
        if option is float:
            return "number", None
        if option is str:
            return "text", None
    raise TypeError(f"the form cannot write a field of type {annotation!r}")


@cache
def derived_shape(model: type[Observation]) -> Shape:
    """The form's shape for an item model, read off its fields: each field of its own, in
    order, labelled as its :class:`~alliance_notes.outline.Described` marker says (or by its
    name), written and read by its type (text, one choice, several choices, yes/no, a whole
    number, a number).  The first text field is the item's first line.

    :raises TypeError: for a field of a type the form cannot write, naming it.
    """
    slots = []
    for name, info in model.model_fields.items():
        if name in Observation.model_fields:
            continue
        described = next((found for found in info.metadata if isinstance(found, Described)), None)
        label = described.label if described is not None else name.replace("_", " ").capitalize()
        kind, choice = _slot_kind(info.annotation)
        slots.append(Slot(name, label, kind, choice, vertical=kind == "choices"))
    primary = next((slot.key for slot in slots if slot.kind == "text"), None)
    return Shape(model, primary, tuple(slots), label_primary=primary is not None and len(slots) > 1)


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
}


def choice_noun(choice: type[Choice]) -> str:
    """What one of ``choice`` is called, for error messages."""
    return CHOICE_NOUNS.get(choice, "choice")
