"""HL7 FHIR output: the note as a document ``Bundle``, in FHIR R5 (``fhir-r5``) or R4B (``fhir-r4b``).

Two format names rather than a version option, so that ``alliance-notes formats`` lists
both and ``demo --out`` writes both.  What the Bundle holds is described in
:mod:`alliance_notes_plugins.fhir_bundle`: a Composition with a section per host section
and the alliance section with a sub-section per part, measures as QuestionnaireResponse +
Observation, pronouns with the individual-pronouns extension and LOINC 90778-2, AI
transparency labels and Provenance, and the note's canonical JSON in a Binary.

Every render checks each narrative with :mod:`alliance_notes_plugins.xhtml_check` (which
``fhir.resources`` does not do) and, when the optional ``fhir.resources`` package is
installed (``pip install 'alliance-notes[fhir]'``), validates the Bundle with its R5 or
R4B models.  Option ``validate``: ``auto`` (default: validate when installed), ``yes``
(fail when it is not installed) or ``no``.

Times: a note records the session date and no time, so every FHIR ``dateTime`` it fills
(``Composition.date``, ``Observation.effectiveDateTime``, ``QuestionnaireResponse.authored``,
``Provenance.occurredDateTime``) holds the date alone, as FHIR allows.  The two elements
FHIR requires to be an instant, ``Bundle.timestamp`` ("when the Bundle was assembled") and
``Provenance.recorded``, hold the instant the render assembled the Bundle: the current
time in UTC to the second, or the instant given by option ``timestamp`` (e.g.
``2026-03-10T17:05:00Z``, with a time zone), which makes a render reproducible.  No time
of day is ever invented for the session.

Reading back (``Host.read(text, "fhir-r5")``) takes the canonical JSON from the Binary
the Composition's ``canonical-note`` extension points to, so the note round-trips
exactly, and returns it only when every resource of the Bundle says what that note says
(:mod:`alliance_notes_plugins.fhir_readback`): an edited Bundle is refused, never half-read.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import importlib.util
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic_core import to_json

from alliance_notes.plugin_api import (
    NoteValidationError,
    OutputFormat,
    Problem,
    ProgressNote,
    ReadFunction,
    RegisterFormat,
    RenderError,
    RenderRequest,
    hookimpl,
    note_from_data,
    parse_json,
)

# The Bundle builder, its narratives, the XHTML check and the read-back are imported where a
# FHIR format is used, not at every start-up (about 25 ms of a cold `render` in any format).

#: The FHIR versions this plugin writes and reads back: one format each.
VERSIONS = ("R4B", "R5")
#: The optional package that validates Bundles.
FHIR_RESOURCES = "fhir.resources"
_VALIDATE_CHOICES = ("auto", "yes", "no")
#: A FHIR instant: a date, a time to the second at least, and a time zone.
_INSTANT = re.compile(
    r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
    r"(\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))\Z"
)


def fhir_resources_installed() -> bool:
    """True when ``fhir.resources`` can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec(FHIR_RESOURCES) is not None
    except ModuleNotFoundError:
        return False


def _resource_narratives(resource: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(resource, dict):
        return
    text = resource.get("text")
    if isinstance(text, dict) and isinstance(text.get("div"), str):
        yield f"{path}.text", text["div"]
    for index, contained in enumerate(resource.get("contained") or ()):
        yield from _resource_narratives(contained, f"{path}.contained[{index}]")
    if resource.get("resourceType") == "Composition":
        yield from _section_narratives(resource.get("section"), f"{path}.section")


def _section_narratives(sections: Any, path: str) -> Iterator[tuple[str, str]]:
    for index, section in enumerate(sections or ()):
        if isinstance(section, dict):
            text = section.get("text")
            if isinstance(text, dict) and isinstance(text.get("div"), str):
                yield f"{path}[{index}].text", text["div"]
            yield from _section_narratives(section.get("section"), f"{path}[{index}].section")


def narratives(bundle: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every narrative ``div`` of a Bundle, with its path (``entry[0].resource.section[2].text``).

    FHIR puts narratives in two places only: a resource's ``text`` (for every resource in
    an entry and every contained resource) and a Composition section's ``text`` (sections
    nest).  Those are the places looked at, in document order.
    """
    for index, entry in enumerate(bundle.get("entry") or ()):
        if isinstance(entry, dict):
            yield from _resource_narratives(entry.get("resource"), f"entry[{index}].resource")


def check_narratives(bundle: Mapping[str, Any]) -> None:
    """Raise :class:`RenderError` when a narrative is not valid FHIR XHTML, naming where."""
    from alliance_notes_plugins.xhtml_check import narrative_problems  # noqa: PLC0415

    for path, div in narratives(bundle):
        problems = narrative_problems(div)
        if problems:
            raise RenderError(f"FHIR narrative at {path} is not valid XHTML: {'; '.join(problems)}")


def validate_bundle(bundle: Mapping[str, Any], version: str) -> None:
    """Validate Bundle data with ``fhir.resources`` (R5 or R4B models); errors name fields, never values.

    The data is validated as built, before it is written out: every value in it is a JSON
    type (str, int, float, bool, None, dict, list), so the JSON text written from it reads
    back as the same data, and validating the data is validating the text.  (This skips a
    JSON parse, and pydantic validates the Python data faster than the text.)
    """
    from pydantic import BaseModel, ValidationError  # noqa: PLC0415

    model: type[BaseModel]
    if version == "R5":
        from fhir.resources.bundle import Bundle  # noqa: PLC0415

        model = Bundle
    else:
        from fhir.resources.R4B.bundle import Bundle as R4BBundle  # noqa: PLC0415

        model = R4BBundle
    try:
        model.model_validate(bundle)
    except ValidationError as error:
        where = "; ".join(
            ".".join(str(part) for part in detail["loc"]) + f" ({detail['type']})"
            for detail in error.errors(include_url=False)[:5]
        )
        raise RenderError(f"the FHIR {version} Bundle does not validate: {where}") from None


def _should_validate(options: Mapping[str, str], format_name: str) -> bool:
    choice = options.get("validate", "auto")
    if choice not in _VALIDATE_CHOICES:
        raise RenderError(
            f"format '{format_name}': option validate must be one of {', '.join(_VALIDATE_CHOICES)}"
        )
    if choice == "no":
        return False
    installed = fhir_resources_installed()
    if choice == "yes" and not installed:
        raise RenderError(
            f"format '{format_name}': validate=yes needs the fhir.resources package "
            "(pip install 'alliance-notes[fhir]')"
        )
    return installed


def assembly_instant(options: Mapping[str, str], format_name: str) -> str:
    """The instant the Bundle is assembled: option ``timestamp``, or now (UTC, to the second)."""
    given = options.get("timestamp")
    if given is None:
        return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not _INSTANT.match(given):
        raise RenderError(
            f"format '{format_name}': option timestamp must be a FHIR instant with a time zone, "
            "e.g. 2026-03-10T17:05:00Z"
        )
    try:
        dt.date.fromisoformat(given[:10])  # the pattern checks the time; this, the calendar
    except ValueError:
        raise RenderError(f"format '{format_name}': option timestamp is not a real date and time") from None
    return given


def bundle_renderer(version: str, format_name: str) -> Callable[[RenderRequest], str]:
    """The render function of the format for one FHIR version."""

    def render(request: RenderRequest) -> str:
        from alliance_notes_plugins.fhir_bundle import build_bundle  # noqa: PLC0415

        validate = _should_validate(request.options, format_name)
        timestamp = assembly_instant(request.options, format_name)
        bundle = build_bundle(request.note, request.document, version, timestamp)
        check_narratives(bundle)
        if validate:
            validate_bundle(bundle, version)
        return to_json(bundle, indent=2).decode("utf-8") + "\n"

    render.__doc__ = f"Render the note as a FHIR {version} document Bundle."
    return render


# -- reading a Bundle back ------------------------------------------------------------


def _invalid(location: str, message: str, code: str) -> NoteValidationError:
    """One problem, located from the Bundle (``Bundle.entry[0].resource``)."""
    return NoteValidationError([Problem(f"Bundle.{location}", message, code)], "FHIR Bundle")


def _canonical_note_url(composition: Mapping[str, Any]) -> str:
    from alliance_notes_plugins.fhir_bundle import CANONICAL_NOTE_EXTENSION  # noqa: PLC0415

    for extension in composition.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == CANONICAL_NOTE_EXTENSION:
            reference = (extension.get("valueReference") or {}).get("reference")
            if isinstance(reference, str):
                return reference
    raise _invalid(
        "entry[0].resource.extension",
        "has no canonical-note extension: this Bundle was not written by alliance-notes",
        "no_canonical_note",
    )


def _embedded_note_text(entries: list[Any], url: str) -> str:
    from alliance_notes_plugins.fhir_bundle import CANONICAL_NOTE_MEDIA_TYPE  # noqa: PLC0415

    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("fullUrl") != url:
            continue
        resource = entry.get("resource") or {}
        where = f"entry[{index}].resource"
        if (
            resource.get("resourceType") != "Binary"
            or resource.get("contentType") != CANONICAL_NOTE_MEDIA_TYPE
        ):
            raise _invalid(where, f"must be a Binary of {CANONICAL_NOTE_MEDIA_TYPE}", "not_canonical_note")
        try:
            return base64.b64decode(resource.get("data", ""), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, TypeError):
            raise _invalid(f"{where}.data", "is not base64-encoded UTF-8 text", "bad_data") from None
    raise _invalid("entry", "has no entry for the canonical-note reference", "missing_canonical_note")


def _is_client_summary(composition: Mapping[str, Any]) -> bool:
    from alliance_notes_plugins.fhir_bundle import CLIENT_SUMMARY, CODE_SYSTEM  # noqa: PLC0415

    codings = (composition.get("type") or {}).get("coding") or []
    return any(
        isinstance(coding, dict)
        and coding.get("system") == CODE_SYSTEM
        and coding.get("code") == CLIENT_SUMMARY[0]
        for coding in codings
    )


def read_bundle(text: str, kinds: Mapping[str, type[ProgressNote]], version: str) -> ProgressNote:
    """Read a document Bundle this plugin wrote, in FHIR ``version``, back into its note.

    The note is the canonical note in the Binary, and it is returned only when every
    resource beside it says what it says (:mod:`alliance_notes_plugins.fhir_readback`):
    an edit to either side, a dangling reference or an ``entered-in-error`` status is
    refused, with every place named by its path.

    :raises NoteValidationError: naming what is missing or wrong (never quoting content).
    """
    data = parse_json(text, "FHIR Bundle")
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise _invalid("resourceType", "must be 'Bundle'", "not_a_bundle")
    if data.get("type") != "document":
        raise _invalid("type", "must be 'document'", "not_a_document")
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        raise _invalid("entry", "must list the Composition first", "no_composition")
    composition = entries[0].get("resource") or {}
    if composition.get("resourceType") != "Composition":
        raise _invalid("entry[0].resource", "must be the Composition", "no_composition")
    if _is_client_summary(composition):
        raise _invalid(
            "entry[0].resource.type",
            "is a client summary, not a note: only the record, the private note and the review read back",
            "client_summary",
        )
    embedded = _embedded_note_text(entries, _canonical_note_url(composition))
    note = note_from_data(
        parse_json(embedded, "FHIR Bundle canonical note"), kinds, "FHIR Bundle canonical note"
    )
    from alliance_notes_plugins.fhir_readback import check_read_back  # noqa: PLC0415

    check_read_back(data, note, version)
    return note


def bundle_reader(version: str) -> ReadFunction:
    """The read function of the format for one FHIR version."""

    def read(text: str, kinds: Mapping[str, type[ProgressNote]]) -> ProgressNote:
        return read_bundle(text, kinds, version)

    read.__doc__ = f"Read a FHIR {version} document Bundle written by this plugin back into its note."
    return read


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register ``fhir-r5`` and ``fhir-r4b``."""
    for version in VERSIONS:
        name = f"fhir-{version.lower()}"
        register(
            OutputFormat(
                name=name,
                title=f"HL7 FHIR {version} document Bundle",
                media_type="application/fhir+json",
                extension=f".{version.lower()}.fhir.json",
                render=bundle_renderer(version, name),
                read=bundle_reader(version),
                description=f"A FHIR {version} Bundle of type document: Composition, measures, "
                "pronouns, AI provenance; reads back.",
                options={
                    "validate": "auto (default): validate with fhir.resources when installed; "
                    "yes: require it; no: skip (narratives are always checked)",
                    "timestamp": "the instant the Bundle is assembled (Bundle.timestamp, "
                    "Provenance.recorded), e.g. 2026-03-10T17:05:00Z; default: now, in UTC",
                },
            )
        )
