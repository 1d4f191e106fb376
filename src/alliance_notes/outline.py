"""The one description of the alliance section: its parts and their fields, in the clinician's words.

Each part of the section and each field of a part says how it reads, on the model field
itself::

    built_by: Annotated[list[Finding], Described("Built trust", prompt="what helped …")]

and :func:`alliance_outline` reads those descriptions back, in field order, for whatever
needs the outline: the rendered note (:mod:`alliance_notes.document`), the fill-in form
(:mod:`alliance_notes.fillable.layout`), suggestion merging
(:mod:`alliance_notes.suggestions`), the hypothesis strategies, the FHIR section codes.  A
subclass that adds a described field to a part (and a note kind that uses it) therefore
adds it everywhere at once.

Whether a field holds a list of items, one item, a closed choice or yes/no is read off its
type, never written down twice.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from alliance_notes.vocabulary import Assessment, PartStatus, RuptureScreening

#: How a field is filled: a list of items, at most one item, a closed choice, or yes/no.
FieldKind = Literal["items", "item", "choice", "yes_no"]


@dataclass(frozen=True)
class Part:
    """Marks a field of the alliance section as one of its parts.

    :param title: the part's heading, in the rendered note and in the form.
    :param absence: what the part says when its status records that it was looked at and
        nothing is listed.
    :param status_from: the section's field whose answer is this part's status, for a part
        that has none of its own (repairs follow the rupture screening).
    :param code: its code in the project's FHIR CodeSystem (default: the key with hyphens).
    """

    title: str
    absence: PartStatus = PartStatus.NOTHING_TO_NOTE
    status_from: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Described:
    """How one field reads: a field of the alliance section ("Built trust"), or a field of
    one of its items (a rupture's "Type"), which the form writes as one labelled line.

    :param label: what the rendered note calls a value of this field ("Built trust").
    :param prompt: the form's prompt after the field's name, in the clinician's language;
        for an item's field, the hint a blank form shows after its label ("1 slight – 5
        major").
    :param form_label: the form's name for the field, where it differs from ``label``.
    :param part: for a field of the section itself that belongs to a part held in another
        field (the rupture screening belongs to the ruptures part).
    """

    label: str
    prompt: str = ""
    form_label: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class FieldOutline:
    """One described field, where it sits and what it holds.

    :param path: field names from the alliance section down to the field.
    :param kind: a list of items, one item, a closed choice, or yes/no.
    :param item: for items, the model of one item; for a choice, the choice enum.
    """

    path: tuple[str, ...]
    description: Described
    kind: FieldKind
    item: type[Any]

    @property
    def key(self) -> str:
        """The field's path as one string, ``"trust.built_by"``."""
        return ".".join(self.path)

    @property
    def name(self) -> str:
        """The field's own name."""
        return self.path[-1]

    @property
    def is_status(self) -> bool:
        """True for an answer that says whether the part was looked at, rather than what was
        found (a part's status, the rupture screening): shown as the part's status."""
        return self.kind == "choice" and issubclass(self.item, (Assessment, RuptureScreening))

    @property
    def label(self) -> str:
        """What the rendered note calls it."""
        return self.description.label

    @property
    def form_label(self) -> str:
        """What the form calls it."""
        return self.description.form_label or self.description.label


@dataclass(frozen=True)
class PartOutline:
    """One part of the alliance section: its key, heading, code and fields in order.

    :param model: for a part held in a model of its own (trust, respect …), that model;
        ``None`` for a part that is a field of the section (summary, ruptures …).
    """

    key: str
    title: str
    code: str
    fields: tuple[FieldOutline, ...]
    model: type[BaseModel] | None
    absence: PartStatus
    status_from: str | None

    def field(self, name: str) -> FieldOutline:
        """The described field with this name."""
        return next(field for field in self.fields if field.name == name)


def _marker(info: FieldInfo, kind: type[Any]) -> Any:
    return next((found for found in info.metadata if isinstance(found, kind)), None)


def _options(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(option for option in typing.get_args(annotation) if option is not type(None))
    return (annotation,)


def field_kind(annotation: Any) -> tuple[FieldKind, type[Any]]:
    """What a field of this type holds: ``(kind, item model or choice enum)``."""
    (option,) = _options(annotation)
    if typing.get_origin(option) is list:
        (item,) = typing.get_args(option)
        return "items", item
    if option is bool:
        return "yes_no", bool
    if isinstance(option, type) and issubclass(option, Enum):
        return "choice", option
    if isinstance(option, type) and issubclass(option, BaseModel):
        return "item", option
    raise TypeError(f"a described field cannot hold {option!r}")


def _described(model: type[BaseModel], path: tuple[str, ...]) -> tuple[FieldOutline, ...]:
    found = []
    for name, info in model.model_fields.items():
        description = _marker(info, Described)
        if description is not None and description.part is None:
            kind, item = field_kind(info.annotation)
            found.append(FieldOutline((*path, name), description, kind, item))
    return tuple(found)


@cache
def alliance_outline(alliance: type[BaseModel]) -> tuple[PartOutline, ...]:
    """The parts of an alliance section model, in the order a note presents them.

    Read once per model class from the field descriptions (see the module docs).
    """
    belonging: dict[str, list[FieldOutline]] = {}
    for name, info in alliance.model_fields.items():
        description = _marker(info, Described)
        if description is not None and description.part is not None:
            kind, item = field_kind(info.annotation)
            belonging.setdefault(description.part, []).append(FieldOutline((name,), description, kind, item))
    parts = []
    for name, info in alliance.model_fields.items():
        part = _marker(info, Part)
        if part is None:
            continue
        description = _marker(info, Described)
        model: type[BaseModel] | None = None
        if description is not None:
            kind, item = field_kind(info.annotation)
            own: tuple[FieldOutline, ...] = (FieldOutline((name,), description, kind, item),)
        else:
            annotation = info.annotation
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                raise TypeError(f"part '{name}' is neither a model nor a described field")
            model = annotation
            own = _described(model, (name,))
        code = part.code or name.replace("_", "-")
        fields = (*belonging.get(name, []), *own)
        parts.append(PartOutline(name, part.title, code, fields, model, part.absence, part.status_from))
    return tuple(parts)


def part_outline(alliance: type[BaseModel], key: str) -> PartOutline:
    """One part of the section's outline, by key."""
    return next(part for part in alliance_outline(alliance) if part.key == key)


def described_fields(alliance: type[BaseModel]) -> tuple[FieldOutline, ...]:
    """Every described field of the section, part by part."""
    return tuple(field for part in alliance_outline(alliance) for field in part.fields)


def label_of(model: type[BaseModel], name: str) -> str:
    """What the rendered note calls field ``name`` of an item ``model``: its
    :class:`Described` label, or its name in words.  The form reads the same markers
    (:func:`alliance_notes.fillable.layout.item_shape`), so a label is written once."""
    described = _marker(model.model_fields[name], Described)
    return described.label if described is not None else name.replace("_", " ").capitalize()
