"""Where a problem is, in the words of the form: "Autonomy and consent › Declined by the
client › 1st entry › Honoured" for ``alliance.autonomy_and_consent.declined[0].honoured``.

A clinician reads the form's headings, field names and labels, and counts entries from
one; a field path with zero-based indices is for pipelines and IT.  :func:`form_place`
turns the one into the other, from the same layout the form is written from, so a place
always names what the clinician sees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from alliance_notes.fillable.layout import DETAILS, FormField, FormPart, Shape, Slot
from alliance_notes.note import ProgressNote

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

#: Names of the places inside any entry that no slot names.
_INSIDE = {"evidence": "quote", "provenance": "", "quote": "", "speaker": "speaker"}
#: What a provenance holds, by key (the last segment of a ``set_by`` path).
_PROVENANCE_KEYS = ("author", "suggested_by", "confirmed", "rule", "confidence")


def ordinal(number: int) -> str:
    """``1`` → ``"1st"``, ``2`` → ``"2nd"``, ``11`` → ``"11th"``."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _segments(location: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _SEGMENT.findall(location)]


def _humane(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _inside_entry(shape: Shape | None, rest: Sequence[str | int], noun: str) -> list[str]:
    """The words for what follows an entry's index: its slot, quote or provenance."""
    words: list[str] = []
    for position, segment in enumerate(rest):
        if isinstance(segment, int):
            words[-1] = f"{ordinal(segment + 1)} {words[-1]}" if words else f"{ordinal(segment + 1)} {noun}"
            continue
        if segment in _INSIDE:
            if _INSIDE[segment]:
                words.append(_INSIDE[segment])
            continue
        if shape is not None and position == 0 and segment == shape.primary and not shape.label_primary:
            continue  # the entry's own text, written on its "- " line
        label = None
        if shape is not None:
            try:
                label = shape.slot(segment).label
            except KeyError:
                label = None
        words.append(label or _humane(segment))
    return words


def form_place(location: str, model: type[ProgressNote], parts: Sequence[FormPart]) -> str | None:
    """Where ``location`` (a field path) is in the form, in the form's own words; ``None``
    for the whole note."""
    segments = _segments(location)
    if not segments:
        return None
    head = segments[0]
    for detail in DETAILS:
        if tuple(segment for segment in segments if isinstance(segment, str)) == detail.path:
            return f"{detail.key} (in the details at the top)"
    if head == "alliance" and len(segments) > 1 and segments[1] == "set_by":
        answer = [str(segment) for segment in segments[2:]]
        if answer and answer[-1] in _PROVENANCE_KEYS:
            answer.pop()
        place = form_place("alliance." + ".".join(answer), model, parts) if answer else None
        return f"{place} › who suggested it" if place else "who suggested an answer"
    if head == "alliance":
        return _alliance_place(segments[1:], parts)
    for section in model.host_sections:
        if head == section.key:
            return section.title
    return str(location)


def _field_at(segments: Sequence[str | int], parts: Sequence[FormPart]) -> tuple[FormPart, FormField] | None:
    """The form field (and its part) that holds the value at ``segments`` inside the
    alliance section: the one with the longest path that starts it."""
    found: tuple[FormPart, FormField] | None = None
    for part in parts:
        for form_field in part.fields:
            path = form_field.path
            if tuple(segments[: len(path)]) == path and (found is None or len(path) > len(found[1].path)):
                found = (part, form_field)
    return found


def _alliance_place(segments: Sequence[str | int], parts: Sequence[FormPart]) -> str:
    if not segments:
        return "Therapeutic alliance"
    found = _field_at(segments, parts)
    if found is None:
        named = next((candidate for candidate in parts if candidate.key == segments[0]), None)
        head = [named.title] if named is not None else ["Therapeutic alliance", _humane(str(segments[0]))]
        return " › ".join([*head, *_inside_entry(None, segments[1:], "entry")])
    part, form_field = found
    words = [part.title]
    if form_field.label != part.title:
        words.append(form_field.label)
    rest = list(segments[len(form_field.path) :])
    if form_field.kind == "items" and rest and isinstance(rest[0], int):
        words.append(f"{ordinal(rest[0] + 1)} entry")
        rest = rest[1:]
    words.extend(_inside_entry(form_field.shape, rest, "entry"))
    return " › ".join(words)


def _slot_at(location: str, parts: Sequence[FormPart]) -> Slot | None:
    """The labelled slot of an entry that ``location`` names, if it names one."""
    segments = _segments(location)[1:] if location.startswith("alliance.") else []
    found = _field_at(segments, parts) if segments else None
    form_field = None if found is None else found[1]
    if form_field is None or form_field.shape is None:
        return None
    rest = [segment for segment in segments[len(form_field.path) :] if isinstance(segment, str)]
    if len(rest) != 1:
        return None
    try:
        return form_field.shape.slot(rest[0])
    except KeyError:
        return None


def missing_answer(location: str, parts: Sequence[FormPart]) -> str:
    """What to do about an answer the form leaves out, in the clinician's words."""
    slot = _slot_at(location, parts)
    if slot is None:
        return "is required"
    if slot.kind == "yes_no":
        return "is required: tick yes or no"
    if slot.kind in ("choice", "choices") or slot.numbers:
        return "is required: tick one"
    return "is required: write it after the label"
