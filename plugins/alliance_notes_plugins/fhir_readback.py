"""Reading a Bundle back never ignores an edit: its resources must say what its note says.

A Bundle carries the note twice: as structured resources a receiving system reads
(Composition sections and narratives, QuestionnaireResponses, Observations, labels …) and
as the canonical note in the Binary, the lossless copy this plugin reads back.  An edit to
either side — a corrected narrative, a changed score, a removed label or section, a
dangling reference, an edited Binary — makes them disagree, and then neither can be
trusted over the other: **the Bundle is refused**, with every disagreement named by its
path (``Bundle.entry[3].resource.item[0].answer[0].valueInteger``), never by its content.

How: the note decoded from the Binary is built into a Bundle again by the same code that
wrote it (:func:`~alliance_notes_plugins.fhir_bundle.build_bundle`), for the audience and
placement the Bundle was written for, and the two are compared element by element.
Whatever the builder writes is therefore checked, including what it writes in future.
Only what legitimately changes without the note changing is left out of the comparison
(:data:`VOLATILE`): a FHIR server's bookkeeping on the Bundle it stores (``id``,
``meta.versionId``, ``meta.lastUpdated``, ``meta.source``), a ``signature`` added to it,
and the times of writing (``Bundle.timestamp``, ``Provenance.recorded``).

Before that, a Bundle any of whose resources is ``entered-in-error`` is refused as
withdrawn, and every reference must resolve to an entry of the Bundle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from alliance_notes.plugin_api import (
    Audience,
    NoteValidationError,
    Problem,
    ProgressNote,
    build_document,
)
from alliance_notes.vocabulary import PLACEMENTS
from alliance_notes_plugins.fhir_bundle import build_bundle

#: The Bundle's own elements that change when a server stores it or a signer signs it.
VOLATILE_BUNDLE = ("id", "timestamp", "signature")
VOLATILE_BUNDLE_META = ("versionId", "lastUpdated", "source")
#: Elements of resources inside the Bundle that are times of writing, by resource type.
VOLATILE_RESOURCE: dict[str, tuple[str, ...]] = {"Provenance": ("recorded",)}
#: Every element the comparison leaves out, as paths (for the documentation and the tests).
VOLATILE = (
    *(f"Bundle.{name}" for name in VOLATILE_BUNDLE),
    *(f"Bundle.meta.{name}" for name in VOLATILE_BUNDLE_META),
    *(f"{kind}.{name}" for kind, names in VOLATILE_RESOURCE.items() for name in names),
)

ENTERED_IN_ERROR = "entered-in-error"
#: The audiences whose Bundles read back (the client summary carries no note).
READABLE_AUDIENCES = (Audience.REVIEW, Audience.RECORD, Audience.PRIVATE)


def _problem(location: str, message: str, code: str) -> Problem:
    return Problem(location, message, code)


def _entries(bundle: Mapping[str, Any]) -> list[Any]:
    entries = bundle.get("entry")
    return entries if isinstance(entries, list) else []


def withdrawn(bundle: Mapping[str, Any]) -> list[Problem]:
    """A problem for each resource of the Bundle marked ``entered-in-error``."""
    return [
        _problem(
            f"Bundle.entry[{index}].resource.status",
            "is entered-in-error: the document was withdrawn, so it is not read back",
            "entered_in_error",
        )
        for index, entry in enumerate(_entries(bundle))
        if isinstance(entry, dict)
        and isinstance(entry.get("resource"), dict)
        and entry["resource"].get("status") == ENTERED_IN_ERROR
    ]


def _references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str):
            yield f"{path}.reference", reference
        for key, inner in value.items():
            yield from _references(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _references(inner, f"{path}[{index}]")


def dangling_references(bundle: Mapping[str, Any]) -> list[Problem]:
    """A problem for each reference that names no entry of the Bundle (a document Bundle
    must hold everything it refers to)."""
    entries = _entries(bundle)
    targets = {entry.get("fullUrl") for entry in entries if isinstance(entry, dict)}
    return [
        _problem(path, "does not resolve to an entry of the Bundle", "dangling_reference")
        for index, entry in enumerate(entries)
        for path, reference in _references(entry, f"Bundle.entry[{index}]")
        if reference not in targets
    ]


def _without_volatile(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of the Bundle without the :data:`VOLATILE` elements."""
    kept = {key: value for key, value in bundle.items() if key not in VOLATILE_BUNDLE}
    meta = kept.get("meta")
    if isinstance(meta, dict):
        meta = {key: value for key, value in meta.items() if key not in VOLATILE_BUNDLE_META}
        if meta:
            kept["meta"] = meta
        else:
            del kept["meta"]
    entries = kept.get("entry")
    if isinstance(entries, list):
        kept["entry"] = [_entry_without_volatile(entry) for entry in entries]
    return kept


def _entry_without_volatile(entry: Any) -> Any:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict):
        return entry
    volatile = VOLATILE_RESOURCE.get(str(resource.get("resourceType")), ())
    if not volatile:
        return entry
    return {**entry, "resource": {key: value for key, value in resource.items() if key not in volatile}}


def _same(received: Any, rebuilt: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1``, but ``9`` is ``9.0``."""
    if isinstance(received, bool) or isinstance(rebuilt, bool):
        return type(received) is type(rebuilt) and received == rebuilt
    numbers = (int, float)
    if isinstance(received, numbers) and isinstance(rebuilt, numbers):
        return received == rebuilt
    return type(received) is type(rebuilt) and received == rebuilt


def differences(received: Any, rebuilt: Any, path: str = "Bundle") -> Iterator[tuple[str, str]]:
    """Where ``received`` differs from ``rebuilt``: ``(path, what)``, element by element.

    ``what`` is ``"changed"``, ``"missing"`` (the rebuilt Bundle has it, the received one
    does not) or ``"added"``.
    """
    if isinstance(received, dict) and isinstance(rebuilt, dict):
        for key, value in rebuilt.items():
            if key in received:
                yield from differences(received[key], value, f"{path}.{key}")
            else:
                yield f"{path}.{key}", "missing"
        for key in received:
            if key not in rebuilt:
                yield f"{path}.{key}", "added"
    elif isinstance(received, list) and isinstance(rebuilt, list):
        for index, value in enumerate(rebuilt):
            if index < len(received):
                yield from differences(received[index], value, f"{path}[{index}]")
            else:
                yield f"{path}[{index}]", "missing"
        for index in range(len(rebuilt), len(received)):
            yield f"{path}[{index}]", "added"
    elif not _same(received, rebuilt):
        yield path, "changed"


_SAYS = {
    "changed": "says something other than the canonical note (the Binary) gives here",
    "missing": "is missing, though the canonical note (the Binary) gives it",
    "added": "is not in what the canonical note (the Binary) gives",
}


def _rebuilt(note: ProgressNote, version: str) -> Iterator[dict[str, Any]]:
    """The Bundles the note could have been written as: one per audience and placement."""
    for audience in READABLE_AUDIENCES:
        placements = ("section",) if audience is Audience.PRIVATE else PLACEMENTS
        for placement in placements:
            yield build_bundle(note, build_document(note, placement, audience), version)


def disagreements(bundle: Mapping[str, Any], note: ProgressNote, version: str) -> list[Problem]:
    """Every place where the Bundle's resources disagree with its canonical note.

    The Bundle is compared with the note built again for each audience and placement it
    could have been written for; the closest one (none, for an untouched Bundle) is the
    one reported.
    """
    received = _without_volatile(bundle)
    best: list[tuple[str, str]] | None = None
    for candidate in _rebuilt(note, version):
        found = list(differences(received, _without_volatile(candidate)))
        if not found:
            return []
        if best is None or len(found) < len(best):
            best = found
    return [_problem(path, _SAYS[what], "disagrees_with_note") for path, what in best or ()]


def check_read_back(bundle: Mapping[str, Any], note: ProgressNote, version: str) -> None:
    """Refuse a Bundle that is withdrawn, has dangling references, or whose resources and
    canonical note disagree (see the module docs).

    :raises NoteValidationError: listing every problem, each by its path.
    """
    problems = withdrawn(bundle)
    problems += dangling_references(bundle)
    reported = {problem.location for problem in problems}
    found = [problem for problem in disagreements(bundle, note, version) if problem.location not in reported]
    if found:
        problems.insert(
            0,
            _problem(
                "Bundle",
                f"its resources and its canonical note disagree in {len(found)} "
                f"place{'s' if len(found) != 1 else ''} (listed); neither side is taken, "
                "so the Bundle is not read",
                "not_self_consistent",
            ),
        )
        problems += found
    if problems:
        raise NoteValidationError(problems, "FHIR Bundle")
