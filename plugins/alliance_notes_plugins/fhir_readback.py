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
and the times of writing (``Bundle.timestamp``, ``Provenance.recorded``).  Entries are
matched by ``fullUrl`` and sections by ``id``, so a deleted one is named once; when the
Binary was edited every ``urn:uuid:`` (derived from the note) differs, and references are
compared by the entry they resolve to instead.

Before that, a Bundle any of whose resources is ``entered-in-error`` is refused as
withdrawn, and every reference must resolve to an entry of the Bundle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from alliance_notes.document import PRIVATE_TITLE
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

#: The instant a Bundle is built again at when the received one gives none (times of
#: writing are not compared).
ANY_INSTANT = "2000-01-01T00:00:00Z"
ENTERED_IN_ERROR = "entered-in-error"
#: The audiences whose Bundles read back (the client summary carries no note).
READABLE_AUDIENCES = (Audience.REVIEW, Audience.RECORD, Audience.PRIVATE)


def _entries(bundle: Mapping[str, Any]) -> list[Any]:
    entries = bundle.get("entry")
    return entries if isinstance(entries, list) else []


def withdrawn(bundle: Mapping[str, Any]) -> list[Problem]:
    """A problem for each resource of the Bundle marked ``entered-in-error``."""
    return [
        Problem(
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
        Problem(path, "does not resolve to an entry of the Bundle", "dangling_reference")
        for index, entry in enumerate(entries)
        for path, reference in _references(entry, f"Bundle.entry[{index}]")
        if reference not in targets
    ]


def _urls(bundle: Mapping[str, Any]) -> set[str]:
    return {
        entry["fullUrl"]
        for entry in _entries(bundle)
        if isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str)
    }


def _comparable(bundle: Mapping[str, Any], by_place: bool) -> dict[str, Any]:
    """The Bundle as compared: without the :data:`VOLATILE` elements; with ``by_place``,
    each ``fullUrl`` and each reference to an entry replaced by the entry's place
    (``entry[6]``), so that references are compared by what they resolve to."""
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
        places = {
            entry["fullUrl"]: f"entry[{index}]"
            for index, entry in enumerate(entries)
            if by_place and isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str)
        }
        kept["entry"] = [_resolved(_entry_without_volatile(entry), places) for entry in entries]
    return kept


def _entry_without_volatile(entry: Any) -> Any:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict):
        return entry
    volatile = VOLATILE_RESOURCE.get(str(resource.get("resourceType")), ())
    if not volatile:
        return entry
    return {**entry, "resource": {key: value for key, value in resource.items() if key not in volatile}}


def _resolved(value: Any, places: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            key: places.get(inner, inner)
            if key in ("fullUrl", "reference") and isinstance(inner, str)
            else _resolved(inner, places)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_resolved(inner, places) for inner in value]
    return value


def _same(received: Any, rebuilt: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1``, but ``9`` is ``9.0``."""
    if isinstance(received, bool) or isinstance(rebuilt, bool):
        return type(received) is type(rebuilt) and received == rebuilt
    numbers = (int, float)
    if isinstance(received, numbers) and isinstance(rebuilt, numbers):
        return received == rebuilt
    return type(received) is type(rebuilt) and received == rebuilt


#: What identifies an element of a list, where every element has one: a section's ``id``,
#: an entry's ``fullUrl``.
_IDENTIFIERS = ("id", "fullUrl")


def _by_key(items: list[Any]) -> tuple[str, dict[str, int]] | None:
    """``(key, positions by its value)`` when every item is an object with a distinct value
    of one of :data:`_IDENTIFIERS`; else ``None``."""
    for key in _IDENTIFIERS:
        values = [item.get(key) if isinstance(item, dict) else None for item in items]
        if values and all(isinstance(value, str) for value in values) and len(set(values)) == len(values):
            return key, {str(value): index for index, value in enumerate(values)}
    return None


def _list_differences(received: list[Any], rebuilt: list[Any], path: str) -> Iterator[tuple[str, str]]:
    """Lists whose elements are identified (sections by id, entries by fullUrl) are matched
    by identifier, so a deleted or added one is named once instead of shifting every one
    after it; other lists by position."""
    received_keys, rebuilt_keys = _by_key(received), _by_key(rebuilt)
    if received_keys is None or rebuilt_keys is None or received_keys[0] != rebuilt_keys[0]:
        for index, value in enumerate(rebuilt):
            if index < len(received):
                yield from differences(received[index], value, f"{path}[{index}]")
            else:
                yield f"{path}[{index}]", "missing"
        for index in range(len(rebuilt), len(received)):
            yield f"{path}[{index}]", "added"
        return
    key, received_ids = received_keys
    rebuilt_ids = rebuilt_keys[1]
    for value, index in rebuilt_ids.items():
        if value not in received_ids:
            yield f"{path}.where({key}='{value}')", "missing"
            continue
        place = received_ids[value]
        yield from differences(received[place], rebuilt[index], f"{path}[{place}]")
    if [value for value in rebuilt_ids if value in received_ids] != [
        value for value in received_ids if value in rebuilt_ids
    ]:
        yield path, "reordered"
    for value, place in received_ids.items():
        if value not in rebuilt_ids:
            yield f"{path}[{place}]", "added"


def differences(received: Any, rebuilt: Any, path: str = "Bundle") -> Iterator[tuple[str, str]]:
    """Where ``received`` differs from ``rebuilt``: ``(path, what)``, element by element.

    ``what`` is ``"changed"``, ``"missing"`` (the rebuilt Bundle has it, the received one
    does not), ``"added"`` or ``"reordered"``.  Paths are those of the received Bundle; a
    missing section is named by its id (``section.where(id='alliance-ruptures')``), a
    missing entry by its fullUrl.
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
        yield from _list_differences(received, rebuilt, path)
    elif not _same(received, rebuilt):
        yield path, "changed"


_SAYS = {
    "changed": "says something other than the canonical note (the Binary) gives here",
    "missing": "is missing, though the canonical note (the Binary) gives it",
    "added": "is not in what the canonical note (the Binary) gives",
    "reordered": "is not in the order the canonical note (the Binary) gives",
}


def _frames(note: ProgressNote, composition: Mapping[str, Any]) -> list[tuple[Audience, str]]:
    """The audiences and placements the note could have been written for, likeliest first
    by the Composition's title (the psychotherapy note's own) and number of sections (one
    more than the host sections when the alliance has its own).  Only an order, so that an
    untouched Bundle is usually matched by the first Bundle built; every one is compared."""
    sections = composition.get("section")
    count = len(sections) if isinstance(sections, list) else 0
    private = composition.get("title") == PRIVATE_TITLE
    placement = "section" if count > len(note.host_sections) else "inline"
    frames = [
        (audience, where)
        for audience in READABLE_AUDIENCES
        for where in (("section",) if audience is Audience.PRIVATE else PLACEMENTS)
    ]
    return sorted(
        frames, key=lambda frame: ((frame[0] is Audience.PRIVATE) != private, frame[1] != placement)
    )


def _comparison(bundle: Mapping[str, Any], candidate: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # The entries' urn:uuid URLs derive from the note: the same ones unless the Binary was
    # edited, and then references are compared by the entry they resolve to.
    by_place = not _urls(bundle) & _urls(candidate)
    return differences(_comparable(bundle, by_place), _comparable(candidate, by_place))


def disagreements(bundle: Mapping[str, Any], note: ProgressNote, version: str) -> list[Problem]:
    """Every place where the Bundle's resources disagree with its canonical note.

    The Bundle is compared with the note built again for each audience and placement it
    could have been written for; the closest one (none, for an untouched Bundle) is the
    one reported.
    """
    entries = _entries(bundle)
    first = entries[0] if entries and isinstance(entries[0], dict) else {}
    resource = first.get("resource")
    composition: Mapping[str, Any] = resource if isinstance(resource, dict) else {}
    # The assembly instant is volatile: the received one is reused, or any other.
    given = bundle.get("timestamp")
    timestamp = given if isinstance(given, str) else ANY_INSTANT
    candidates = []
    for audience, placement in _frames(note, composition):
        candidate = build_bundle(note, build_document(note, placement, audience), version, timestamp)
        if next(_comparison(bundle, candidate), None) is None:
            return []
        candidates.append(candidate)
    found = min((list(_comparison(bundle, candidate)) for candidate in candidates), key=len)
    return [Problem(path, _SAYS[what], "disagrees_with_note") for path, what in found]


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
            Problem(
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
