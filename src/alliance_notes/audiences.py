"""Who a rendering is for, and the note each audience may see.

A note holds items for two places (HIPAA, 45 CFR 164.501; domain reference §5): the
progress-note *record*, and a *psychotherapy note* — the clinician's detailed analysis of the
session — kept apart from the record, which needs its own authorisation to disclose.
:func:`for_audience` cuts the note down to what one audience may see *before* any format
runs, so no format can leak what it was never given: the record's canonical JSON, its FHIR
Binary, its narratives and its HTML all come from the same cut-down note.

* ``record`` — the items that belong in the progress-note record, with provenance reduced to
  who suggested an item and whether a clinician confirmed it (no rule ids, no confidences),
  and each item's quotes reduced to the one that supports it: the client's own words, where
  the item does not already say them.
  A part whose every item was kept out says so ("kept in a separate note"), instead of
  claiming nothing was found.
* ``private`` — the psychotherapy note: only the private items (and the ruptures their
  repairs refer to), headed as a separate document.
* ``client`` — the record's items, for the plain-language summary handed to the client
  (:mod:`alliance_notes.client_summary`).
* ``review`` — everything, for the clinician checking a draft.

An item whose place nobody recorded (``belongs`` left out) is treated as a psychotherapy-note
item: the record and the client summary leave it out, the private note carries it, and
:func:`placement_findings` (run by every note check) and :class:`PlacementWarning` (given
when the record or client view leaves such items out) say so, naming fields, never text.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from alliance_notes.alliance import Alliance, single_answers
from alliance_notes.checks import CheckFinding, Severity
from alliance_notes.evidence import Observation
from alliance_notes.note import ProgressNote
from alliance_notes.outline import alliance_outline, part_outline
from alliance_notes.vocabulary import Audience, Record
from alliance_notes.walk import instances_in

#: Provenance details only a reviewer needs.
REVIEW_DETAILS = ("rule", "confidence")


class PlacementWarning(UserWarning):
    """The record or client view left out items whose place nobody recorded.

    :attr:`fields` names them (``alliance.trust.built_by[0]``); the message never quotes them.
    """

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        count = f"{len(fields)} item{'s' if len(fields) != 1 else ''}"
        super().__init__(
            f"{count} with no place recorded ({', '.join(fields)}) left out of the record, as "
            "psychotherapy-note items, until a clinician sets where each belongs"
        )


def unplaced_items(note: ProgressNote) -> list[str]:
    """The field paths of the note's items whose place nobody recorded (``belongs`` unset)."""
    return [
        path
        for path, observation in instances_in(note.alliance, Observation, "alliance")
        if observation.belongs is None
    ]


def warn_if_unplaced(note: ProgressNote, audience: Audience) -> None:
    """Give a :class:`PlacementWarning` when the record or client view of ``note`` leaves
    out items whose place nobody recorded."""
    if audience in (Audience.RECORD, Audience.CLIENT):
        unplaced = unplaced_items(note)
        if unplaced:
            warnings.warn(PlacementWarning(unplaced), stacklevel=3)


def placement_findings(note: ProgressNote) -> list[CheckFinding]:
    """One warning per item whose place nobody recorded: it is kept out of the record."""
    return [
        CheckFinding(
            check="placement",
            severity=Severity.WARNING,
            location=f"{path}.belongs",
            message=(
                "where this item belongs is not recorded, so it is kept out of the record like a "
                "psychotherapy-note item; set it to progress_note or psychotherapy_note"
            ),
        )
        for path in unplaced_items(note)
    ]


def _kept(item: Any, place: str) -> bool:
    """True when ``item`` goes to ``place``.  An item nobody placed goes with the
    psychotherapy note: kept out of the record until a clinician places it."""
    if not isinstance(item, dict) or "belongs" not in item:
        return True
    return (item["belongs"] or Record.PSYCHOTHERAPY_NOTE.value) == place


def _cut(value: Any, place: str, quoted: set[str] | None) -> Any:
    """``value`` with every item that belongs elsewhere left out (lists) or emptied (one item).

    For the record (``quoted`` given: the quotes kept so far), in the same walk, each
    provenance loses its review details and each item's quotes are cut to the one that
    supports it (:func:`_supporting_quote`).
    """
    if isinstance(value, list):
        return [_cut(item, place, quoted) for item in value if _kept(item, place)]
    if not isinstance(value, dict):
        return value
    cut: dict[str, Any] = {}
    for key, item in value.items():
        if quoted is not None and key == "provenance" and isinstance(item, dict):
            cut[key] = _without_review_details(item)
        elif quoted is not None and key == "set_by" and isinstance(item, dict):
            cut[key] = {path: _without_review_details(who) for path, who in item.items()}
        else:
            cut[key] = _cut(item, place, quoted) if _kept(item, place) else None
    if quoted is not None and isinstance(cut.get("evidence"), list):
        _supporting_quote(cut, quoted)
    return cut


def _shown(alliance: Alliance, key: str) -> bool:
    """True when a part shows anything: an item, a yes/no, or an answer besides its status."""
    for field in part_outline(type(alliance), key).fields:
        value = alliance.answer(field.key)
        if field.kind == "choice":
            if not field.is_status and value.value != "not_assessed":
                return True
        elif value not in (None, []):
            return True
    return False


def _without_review_details(provenance: dict[str, Any]) -> dict[str, Any]:
    return {name: detail for name, detail in provenance.items() if name not in REVIEW_DETAILS}


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _supporting_quote(item: dict[str, Any], quoted: set[str]) -> None:
    """Keep, of an item's quotes, only the client's own words that support it: the first
    quote by the client that the item does not already say in its own words and that no
    earlier item of the note quotes.  The clinician's lines, and further quotes, document
    the conversation; the review keeps them."""
    said = _words(" ".join(value for value in item.values() if isinstance(value, str)))
    supporting = [
        evidence
        for evidence in item["evidence"]
        if evidence["speaker"] == "client"
        and _words(evidence["quote"]) not in said
        and _words(evidence["quote"]) not in quoted
    ]
    item["evidence"] = supporting[:1]
    quoted.update(_words(evidence["quote"]) for evidence in item["evidence"])


def _links_mended(data: dict[str, Any], before: dict[str, Any], place: str) -> None:
    """Keep rupture ids consistent after a cut: repairs of a rupture that is gone go too (in
    the record) or bring their rupture along (in the psychotherapy note)."""
    ids = {rupture["id"] for rupture in data.get("ruptures", [])}
    if place == Record.PSYCHOTHERAPY_NOTE.value:
        wanted = {repair.get("rupture") for repair in data.get("repairs", [])} - ids - {None}
        data["ruptures"] = [r for r in before.get("ruptures", []) if r["id"] in ids | wanted]
        ids |= wanted
    data["repairs"] = [repair for repair in data.get("repairs", []) if repair.get("rupture") in (None, *ids)]
    for follow_up in data.get("plan", []):
        if follow_up.get("rupture") not in (None, *ids):
            follow_up.pop("rupture")
    if not data["ruptures"] and data.get("rupture_screening") == "observed":
        data["rupture_screening"] = "not_assessed"


def _answers_dropped(data: dict[str, Any], alliance: Alliance) -> None:
    """The psychotherapy note holds items, not the record's answers: each answer goes, except a
    trust state that the private trust items need, and statuses then follow the content."""
    for path in single_answers(type(alliance)):
        part, _, name = path.rpartition(".")
        holder = data.get(part) if part else data
        if not isinstance(holder, dict) or name not in holder:
            continue
        if path == "trust.state" and (holder.get("built_by") or holder.get("strained_by")):
            continue
        del holder[name]


def _set(data: dict[str, Any], path: str) -> bool:
    value: Any = data
    for name in path.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value not in (None, "not_assessed")


_PATH_STEP = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


def shown_to(note: ProgressNote, audience: Audience, location: str) -> bool:
    """True when a field path of the whole note (``alliance.ruptures[0].description``, as a
    check finding or quote problem names it) is about nothing ``audience``'s view leaves
    out: no item on the way belongs elsewhere, and, for the private note, no host section.

    What goes with a view (a batch's record output) keeps only what is about the view, so
    a finding never tells the record that a private item exists.
    """
    if audience is Audience.REVIEW:
        return True
    private = audience is Audience.PRIVATE
    value: Any = note
    for name, index in _PATH_STEP.findall(location):
        if isinstance(value, Observation) and value.kept_out_of_record is not private:
            return False
        if private and value is note and name in {section.key for section in note.host_sections}:
            return False
        if name:
            value = getattr(value, name, None)
        elif isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            value = None
        if value is None:
            break
    return not (isinstance(value, Observation) and value.kept_out_of_record is not private)


def for_audience(note: ProgressNote, audience: Audience) -> ProgressNote:
    """The note as ``audience`` may see it (see the module docs); ``review`` sees it whole.

    Only the alliance section is validated again: the rest of the note is copied as it is,
    and the cut can only take suggestions away, never add what the note's own checks forbid.
    """
    if audience is Audience.REVIEW:
        return note
    private = audience is Audience.PRIVATE
    place = (Record.PSYCHOTHERAPY_NOTE if private else Record.PROGRESS_NOTE).value
    whole: dict[str, Any] = note.alliance.model_dump(mode="json")
    cut = _cut(whole, place, None if private else set())
    _links_mended(cut, whole, place)
    if private:
        _answers_dropped(cut, note.alliance)
    cut["set_by"] = {path: who for path, who in cut.get("set_by", {}).items() if _set(cut, path)}
    model = type(note.alliance)
    alliance = model.model_validate(cut)
    if not private:
        # A part the cut emptied says its content is kept elsewhere, not that none was found.
        withheld = [
            part.key
            for part in alliance_outline(model)
            if _shown(note.alliance, part.key) and not _shown(alliance, part.key)
        ]
        if withheld:
            alliance = alliance.model_copy(update={"withheld": withheld})
    # Check exceptions are about the whole note's fields, which the cut renumbers: they stay
    # with the whole note (the review), where the checks run.
    update: dict[str, Any] = {"alliance": alliance, "check_exceptions": []}
    if private:
        update.update(dict.fromkeys((section.key for section in note.host_sections), None))
    return note.model_copy(update=update)
