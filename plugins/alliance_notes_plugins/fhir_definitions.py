"""The definitions behind the FHIR Bundles, as FHIR resources a receiving system can load.

Three kinds, each at the canonical URL the Bundles use, for R5 and R4B:

* the project's ``CodeSystem`` (:data:`~alliance_notes_plugins.fhir_bundle.CODE_SYSTEM`):
  every code a Bundle takes from it, with the display the Bundle gives;
* a ``Questionnaire`` per measure (:mod:`alliance_notes_plugins.fhir_questionnaires`),
  which ``QuestionnaireResponse.questionnaire`` points to;
* the ``StructureDefinition`` of the Composition's ``canonical-note`` extension.

The CodeSystem is not a list kept beside the Bundle code: its codes are the ones the Bundle
builder itself writes, collected by building the Bundles of a specimen note of every note
kind installed (every host section, every alliance part, every measure, the pronouns and a
client summary with all its parts) for every audience and placement.  A code the builder
gains is therefore defined at once, with the same display, and one code given two displays
is an error here rather than in a receiving system.

``alliance-notes fhir-definitions --version r5 -o DIR`` writes them (:func:`definition_texts`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from alliance_notes import __version__
from alliance_notes.audiences import for_audience
from alliance_notes.plugin_api import Audience, ProgressNote, build_document
from alliance_notes.vocabulary import PLACEMENTS
from alliance_notes_plugins.fhir_bundle import (
    CANONICAL_NOTE_EXTENSION,
    CODE_SYSTEM,
    Resource,
    build_bundle,
)
from alliance_notes_plugins.fhir_questionnaires import Measure, measures, questionnaire

#: The FHIR release each version's definitions declare.
FHIR_RELEASES = {"R5": "5.0.0", "R4B": "4.3.0"}
PUBLISHER = "alliance-notes"
#: When the specimen Bundles are assembled (no code depends on it).
SPECIMEN_INSTANT = "2026-01-01T12:00:00Z"


def _specimen_alliance(found: tuple[Measure, ...]) -> dict[str, Any]:
    """An alliance section that reaches every code: pronouns used correctly, every measure,
    and what the client summary's parts are made of (a deferred consent check, a choice
    offered, an answer to a feedback question), all in the record."""
    record = {"belongs": "progress_note"}
    return {
        "respect": {"pronouns": {"recorded": "they/them", "used_correctly": True, **record}},
        "autonomy_and_consent": {
            "consent_checks": [{"topic": "A topic", "response": "deferred", **record}],
            "choices_offered": [{"text": "A choice", **record}],
        },
        "client_feedback": [{"question": "A question", "answer": "An answer", **record}],
        "measures": {measure.name: {**measure.specimen(), **record} for measure in found},
    }


def _measures_of(model: type[ProgressNote]) -> tuple[Measure, ...]:
    alliance = model.model_fields["alliance"].annotation
    part = alliance.model_fields["measures"].annotation if isinstance(alliance, type) else None
    if not (isinstance(part, type) and issubclass(part, BaseModel)):
        raise TypeError(f"note kind {model.kind_name()!r} has no measures part")
    return measures(part)


def specimen_note(model: type[ProgressNote]) -> ProgressNote:
    """A note of kind ``model`` whose Bundles use every code the builder has."""
    data = {
        "kind": model.kind_name(),
        "session": {"client": "C-0001", "date": "2026-01-01"},
        "authorship": {"written_by": "clinician", "clinician": "clin-1"},
        **{host.key: "Specimen text." for host in model.host_sections},
        "alliance": _specimen_alliance(_measures_of(model)),
    }
    return model.model_validate(data)


def _codings(value: Any) -> Iterator[tuple[str, str | None]]:
    if isinstance(value, dict):
        if value.get("system") == CODE_SYSTEM and isinstance(value.get("code"), str):
            yield value["code"], value.get("display")
        for inner in value.values():
            yield from _codings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _codings(inner)


def project_codings(bundle: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Every ``(code, display)`` of a Bundle that is in the project's CodeSystem."""
    return _codings(bundle)


def project_codes(kinds: Mapping[str, type[ProgressNote]], version: str) -> dict[str, str]:
    """Every code the builder writes from the project's CodeSystem, with its display.

    :raises ValueError: when the builder gives one code two displays, or none.
    """
    codes: dict[str, str] = {}
    for model in kinds.values():
        note = specimen_note(model)
        for audience in Audience:
            view = for_audience(note, audience)
            for placement in PLACEMENTS:
                document = build_document(view, placement, audience)
                bundle = build_bundle(view, document, version, SPECIMEN_INSTANT)
                for code, display in project_codings(bundle):
                    if display is None or codes.setdefault(code, display) != display:
                        raise ValueError(f"the Bundles give code {code!r} no display or two displays")
    return codes


def code_system(kinds: Mapping[str, type[ProgressNote]], version: str) -> Resource:
    """The project's CodeSystem, as the Bundles of FHIR ``version`` use it."""
    codes = project_codes(kinds, version)
    return {
        "resourceType": "CodeSystem",
        "id": "alliance-notes",
        "url": CODE_SYSTEM,
        "version": __version__,
        "name": "AllianceNotes",
        "title": "alliance-notes codes",
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": (
            "Codes for what LOINC has no code for in an alliance-notes document: the "
            "therapeutic-alliance section and its parts, host sections without a LOINC section "
            "code, the measures' totals and subscales, and the client summary."
        ),
        "caseSensitive": True,
        "content": "complete",
        "count": len(codes),
        "concept": [{"code": code, "display": display} for code, display in codes.items()],
    }


def canonical_note_extension(version: str) -> Resource:
    """The StructureDefinition of the Composition's ``canonical-note`` extension."""
    return {
        "resourceType": "StructureDefinition",
        "id": "canonical-note",
        "url": CANONICAL_NOTE_EXTENSION,
        "version": __version__,
        "name": "CanonicalNote",
        "title": "Canonical note",
        "status": "active",
        "publisher": PUBLISHER,
        "description": (
            "Points from an alliance-notes Composition to the Binary (application/json) holding "
            "the note it was built from, as canonical JSON: the copy alliance-notes reads back, "
            "after checking that every resource of the Bundle says what that note says."
        ),
        "fhirVersion": FHIR_RELEASES[version],
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": "Composition"}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {
            "element": [
                {
                    "id": "Extension",
                    "path": "Extension",
                    "short": "The note this Composition was built from",
                    "definition": "A reference to the Binary in the same Bundle that holds the note.",
                    "min": 0,
                    "max": "1",
                },
                {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": CANONICAL_NOTE_EXTENSION},
                {
                    "id": "Extension.value[x]",
                    "path": "Extension.value[x]",
                    "min": 1,
                    "type": [
                        {
                            "code": "Reference",
                            "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Binary"],
                        }
                    ],
                },
            ]
        },
    }


def definitions(kinds: Mapping[str, type[ProgressNote]], version: str) -> dict[str, Resource]:
    """Every definition for FHIR ``version`` (``"R5"`` or ``"R4B"``), by file name.

    :param kinds: the note kinds installed, by kind (``Host.kinds``): the CodeSystem holds
        the codes of each one's host sections and alliance parts.
    """
    if version not in FHIR_RELEASES:
        raise ValueError(f"FHIR version must be one of {', '.join(FHIR_RELEASES)}")
    found: dict[str, Resource] = {"CodeSystem-alliance-notes.json": code_system(kinds, version)}
    for model in kinds.values():
        for measure in _measures_of(model):
            found.setdefault(
                f"Questionnaire-{measure.key}.json", questionnaire(measure, version, __version__)
            )
    found["StructureDefinition-canonical-note.json"] = canonical_note_extension(version)
    return found


def definition_texts(kinds: Mapping[str, type[ProgressNote]], version: str) -> dict[str, str]:
    """:func:`definitions` as JSON text, by file name (what ``fhir-definitions`` writes)."""
    return {
        name: json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
        for name, resource in definitions(kinds, version).items()
    }


__all__ = ["definition_texts", "definitions", "project_codes", "project_codings", "specimen_note"]
