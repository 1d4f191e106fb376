"""The measures' Questionnaires, read off the measure models (:mod:`alliance_notes.measures`).

A Bundle's ``QuestionnaireResponse.questionnaire`` points to ``{BASE}/Questionnaire/{key}``,
one per measure of the alliance section's measures part (``srs``, ``wai-sr``, ``ors``: the
part's field names with hyphens).  What each Questionnaire asks is read from the measure's
model, never written down again:

* a bounded number field (an SRS or ORS line, 0–10) is one ``decimal`` item whose
  ``linkId`` is the field's name;
* a bounded whole-number field is one ``integer`` item;
* a list of bounded whole numbers of fixed length (the twelve WAI-SR item scores) is one
  ``integer`` item per position, ``linkId`` ``"1"`` … ``"12"``;

each with its bounds as the ``minValue`` / ``maxValue`` extensions.  Item text is the
field's :class:`~alliance_notes.outline.Described` label (or "Item 3"): the SRS and ORS
wording is licensed and may not be changed, and the project stores scores, never items.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from alliance_notes.plugin_api import Described, Observation
from alliance_notes_plugins.fhir_bundle import BASE

MIN_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/maxValue"


@dataclass(frozen=True)
class MeasureItem:
    """One scored item of a measure, as its Questionnaire asks it.

    :param field: the model field holding the score.
    :param position: for a list field, the item's place in it (from 0); else ``None``.
    :param answer_type: ``"decimal"`` or ``"integer"``.
    """

    field: str
    position: int | None
    link_id: str
    text: str
    answer_type: str
    low: int | float
    high: int | float

    @property
    def value_key(self) -> str:
        """The answer's value element: ``valueDecimal`` or ``valueInteger``."""
        return "valueDecimal" if self.answer_type == "decimal" else "valueInteger"


@dataclass(frozen=True)
class Measure:
    """A measure the alliance section can record, with its Questionnaire's canonical URL."""

    key: str
    name: str
    title: str
    model: type[BaseModel]
    items: tuple[MeasureItem, ...]

    @property
    def url(self) -> str:
        """The canonical URL a Bundle's QuestionnaireResponse points to."""
        return f"{BASE}/Questionnaire/{self.key}"

    def specimen(self) -> dict[str, Any]:
        """Item scores that make a valid measure (each at its lowest), for building examples."""
        data: dict[str, Any] = {}
        for item in self.items:
            if item.position is None:
                data[item.field] = item.low
            else:
                data.setdefault(item.field, []).append(item.low)
        return data


def _unwrapped(annotation: Any) -> Any:
    """``annotation`` without ``| None``."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return annotation
    options = [option for option in typing.get_args(annotation) if option is not type(None)]
    return options[0] if len(options) == 1 else annotation


def _described(info: Any) -> Described | None:
    return next((marker for marker in info.metadata if isinstance(marker, Described)), None)


def _scored(schema: dict[str, Any]) -> tuple[str, int | float, int | float] | None:
    kind = {"number": "decimal", "integer": "integer"}.get(schema.get("type", ""))
    low, high = schema.get("minimum"), schema.get("maximum")
    if kind is None or low is None or high is None:
        return None
    return kind, low, high


def measure_items(model: type[BaseModel]) -> tuple[MeasureItem, ...]:
    """The scored items of a measure model, in questionnaire order (see the module docs)."""
    properties = model.model_json_schema()["properties"]
    items: list[MeasureItem] = []
    for name, info in model.model_fields.items():
        if name in Observation.model_fields:
            continue
        schema = properties.get(name, {})
        described = _described(info)
        label = described.label if described is not None else name.replace("_", " ").capitalize()
        scored = _scored(schema)
        if scored is not None:
            items.append(MeasureItem(name, None, name, label, *scored))
            continue
        length = schema.get("minItems")
        each = _scored(schema.get("items", {})) if schema.get("type") == "array" else None
        if each is not None and isinstance(length, int) and length == schema.get("maxItems"):
            items.extend(
                MeasureItem(name, index, str(index + 1), f"Item {index + 1}", *each)
                for index in range(length)
            )
    return tuple(items)


def measures(measures_part: type[BaseModel]) -> tuple[Measure, ...]:
    """Every measure a measures part can hold (each optional field of a model type)."""
    found = []
    for name, info in measures_part.model_fields.items():
        model = _unwrapped(info.annotation)
        if not (isinstance(model, type) and issubclass(model, Observation)):
            continue
        described = _described(info)
        title = described.label if described is not None else name.replace("_", " ").capitalize()
        found.append(Measure(name.replace("_", "-"), name, title, model, measure_items(model)))
    return tuple(found)


def _bound(extension: str, item: MeasureItem, value: int | float) -> dict[str, Any]:
    return {"url": extension, item.value_key: value}


def _items(measure: Measure) -> Iterator[dict[str, Any]]:
    for item in measure.items:
        yield {
            "extension": [
                _bound(MIN_VALUE_EXTENSION, item, item.low),
                _bound(MAX_VALUE_EXTENSION, item, item.high),
            ],
            "linkId": item.link_id,
            "text": item.text,
            "type": item.answer_type,
            "required": True,
        }


def questionnaire(measure: Measure, version: str, package_version: str) -> dict[str, Any]:
    """The measure's Questionnaire for FHIR ``version`` (the same in R4B and R5)."""
    return {
        "resourceType": "Questionnaire",
        "id": measure.key,
        "url": measure.url,
        "version": package_version,
        "name": measure.key.replace("-", "").upper(),
        "title": measure.title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "alliance-notes",
        "description": (
            f"The item scores of the {measure.title} as alliance-notes records them "
            "(scores only: the instrument's wording is not reproduced)."
        ),
        "item": list(_items(measure)),
    }
