"""Canonical JSON: the validated note as data, for pipelines and archives.

The output is the note exactly as validated, with three promises:

* **stable key order** — keys follow the note model's field order (the order the schema
  documents), every field is present (``null`` or ``[]`` when empty), and the text is
  indented by two spaces and ends with a newline, so the same note always gives the same
  bytes and a diff shows only what changed;
* **computed values included and marked** — each measure's totals and subscales (SRS and
  ORS ``total`` and ``below_cutoff``; WAI-SR ``total``, ``task``, ``bond``, ``goal``) sit
  in a ``"computed"`` object beside the item scores, so a pipeline need not recompute them
  and can tell them from what the clinician entered;
* **it reads back** — ``alliance-notes render --format json`` followed by
  ``Host.read(text, "json")`` (or any note loader: the canonical JSON is itself a valid
  input note) gives an equal note.  Computed values are checked against the item scores on
  the way in, so an edited total is reported rather than trusted.

Placement does not apply: the alliance section is data here, not a layout.

The client summary is not a note and has its own small shape (``"document":
"client-summary"``): the client's code, the session date and language, the title, and each
part's sentences (:func:`client_summary_data`).  Nothing else of the note is handed over,
and it does not read back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import to_json

from alliance_notes.plugin_api import (
    Audience,
    NoteValidationError,
    OutputFormat,
    Problem,
    ProgressNote,
    RegisterFormat,
    RenderRequest,
    hookimpl,
    note_from_data,
    parse_json,
)

#: The key under which a model's computed values are written.
COMPUTED_KEY = "computed"


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The model classes a field annotation can hold (``Srs | None``, ``list[Rupture]``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


def _holds_computed(model_class: type[BaseModel], seen: frozenset[type[BaseModel]]) -> bool:
    """Whether a model, or any model it can hold, has computed fields (``seen`` stops cycles)."""
    if model_class.model_computed_fields:
        return True
    if model_class in seen:
        return False
    seen = seen | {model_class}
    return any(
        _holds_computed(held, seen)
        for info in model_class.model_fields.values()
        for held in _models_in(info.annotation)
    )


@cache
def _fields_holding_computed(model_class: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model that can hold a model with computed fields (worked out once per class)."""
    return tuple(
        name
        for name, info in model_class.model_fields.items()
        if any(_holds_computed(held, frozenset()) for held in _models_in(info.annotation))
    )


def _mark_computed(model: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    """Move each model's computed fields from ``data`` (its JSON dump) into ``"computed"``.

    Only fields that can lead to a model with computed fields (the measures) are walked.
    """
    for name in _fields_holding_computed(type(model)):
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            _mark_computed(value, data[name])
        elif isinstance(value, list):
            for element, dumped in zip(value, data[name], strict=True):
                if isinstance(element, BaseModel):
                    _mark_computed(element, dumped)
    computed = type(model).model_computed_fields
    if computed:
        data[COMPUTED_KEY] = {name: data.pop(name) for name in computed}
    return data


def canonical_data(note: ProgressNote) -> dict[str, Any]:
    """The note as canonical JSON data: every field, model order, computed values marked."""
    return _mark_computed(note, note.model_dump(mode="json"))


def canonical_json(note: ProgressNote) -> str:
    """The note as canonical JSON text (UTF-8, two-space indent, final newline).

    The text is exactly what ``json.dumps(data, indent=2, ensure_ascii=False)`` writes;
    pydantic-core's serialiser writes it several times faster.
    """
    return to_json(canonical_data(note), indent=2).decode("utf-8") + "\n"


#: What a client summary's JSON says it is.
CLIENT_SUMMARY = "client-summary"


def client_summary_data(request: RenderRequest) -> dict[str, Any]:
    """The client summary as JSON data: who and when it is for, its title, each part's sentences."""
    document = request.document
    session = request.note.session
    return {
        "document": CLIENT_SUMMARY,
        "schema_version": request.note.schema_version,
        "client": session.client,
        "date": session.date.isoformat(),
        "language": session.language,
        "title": document.title,
        "parts": [
            {"key": block.key, "title": block.title, "sentences": [item.text for item in block.items]}
            for section in document.sections
            for block in section.blocks
        ],
    }


def render_json(request: RenderRequest) -> str:
    """Render the note as canonical JSON (the client summary in its own shape)."""
    if request.audience is Audience.CLIENT:
        return to_json(client_summary_data(request), indent=2).decode("utf-8") + "\n"
    return canonical_json(request.note)


def read_json(text: str, kinds: Mapping[str, type[ProgressNote]]) -> ProgressNote:
    """Read canonical JSON (or any JSON note) back into a validated note.

    :raises NoteValidationError: naming the line for JSON that does not parse, and the field
        for anything invalid, computed values that disagree with the item scores included;
        and for a client summary, which is not a note.
    """
    data = parse_json(text)
    if isinstance(data, dict) and data.get("document") == CLIENT_SUMMARY:
        raise NoteValidationError(
            [
                Problem(
                    "document",
                    "is a client summary, not a note: only the record, the private note and "
                    "the review read back",
                    "client_summary",
                )
            ]
        )
    return note_from_data(data, kinds)


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register the ``json`` format."""
    register(
        OutputFormat(
            name="json",
            title="Canonical JSON",
            media_type="application/json",
            extension=".json",
            render=render_json,
            read=read_json,
            description="The validated note as data: stable key order, computed scores marked, reads back.",
        )
    )
