"""Combining suggested alliance findings: several extractors' suggestions into one section
without duplicates, and suggestions into a note the clinician already has.

Two items are the *same finding* when they sit in the same part of the section (say
``autonomy_and_consent.consent_checks``) and cite at least one utterance in common (or,
without utterance indices, the same quote; without evidence, the same content).  Of two
such items the one with the higher confidence is kept, with its own provenance: nothing is
ever re-attributed.  Ruptures are the same when they have the same type and cite a common
utterance; a repair follows its rupture, and rupture ids are renumbered so that every
source's ``r1`` stays distinct.

Suggestions may only add what was detected.  :func:`suggestion_problems` lists what makes
an extractor's result unacceptable: an absence asserted ("assessed" with nothing listed,
``rupture_screening: none_observed``), an item claiming the clinician wrote it, or an item
already marked confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from alliance_notes.alliance import Alliance, single_answers
from alliance_notes.evidence import Observation
from alliance_notes.outline import alliance_outline, described_fields
from alliance_notes.walk import instances_in


class SuggestionWarning(UserWarning):
    """An extractor's suggestions were left out: it failed, or its result was not acceptable.

    :attr:`plugin` names the extractor; the message never quotes the transcript.
    """

    def __init__(self, plugin: str, reason: str) -> None:
        self.plugin = plugin
        super().__init__(f"extractor '{plugin}': {reason}")


#: Parts whose items link to each other by rupture id; merged on their own.
_LINKED_PARTS = (("ruptures",), ("repairs",))


@cache
def list_parts(alliance: type[Alliance] = Alliance) -> tuple[tuple[str, ...], ...]:
    """The list-valued fields of the section (ruptures and repairs aside), as paths, read off
    its outline."""
    return tuple(
        field.path
        for field in described_fields(alliance)
        if field.kind == "items" and field.path not in _LINKED_PARTS
    )


@cache
def single_parts(alliance: type[Alliance] = Alliance) -> tuple[tuple[str, ...], ...]:
    """The fields that hold one item or a yes/no; the first source (or the existing note)
    that gives one wins."""
    return tuple(field.path for field in described_fields(alliance) if field.kind in ("item", "yes_no"))


@cache
def _assessed_parts(alliance: type[Alliance]) -> tuple[str, ...]:
    """The parts with a status of their own (assessed or not), whose content implies it."""
    return tuple(
        part.key for part in alliance_outline(alliance) if part.model and "status" in part.model.model_fields
    )


_TRUST_ORDER = ("strained", "strengthening", "steady")
_WORDS = re.compile(r"[a-z0-9]+")


def _data(alliance: Alliance) -> dict[str, Any]:
    data: dict[str, Any] = alliance.model_dump(mode="json", exclude_defaults=True)
    return data


def _get(data: dict[str, Any], path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def _set(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _quote_key(quote: str) -> str:
    return " ".join(_WORDS.findall(quote.lower()))


def _cites(item: dict[str, Any]) -> tuple[set[int], set[str]]:
    evidence = item.get("evidence") or []
    indices = {e["utterance_index"] for e in evidence if e.get("utterance_index") is not None}
    quotes = {_quote_key(e["quote"]) for e in evidence if e.get("utterance_index") is None}
    return indices, quotes


def _content(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in ("provenance", "evidence")}


def same_finding(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True when two items of one part record the same finding (see the module docs)."""
    first_indices, first_quotes = _cites(first)
    second_indices, second_quotes = _cites(second)
    if first_indices & second_indices or first_quotes & second_quotes:
        return True
    if not (first_indices or first_quotes or second_indices or second_quotes):
        return _content(first) == _content(second)
    return False


def _confidence(item: dict[str, Any]) -> float:
    value = (item.get("provenance") or {}).get("confidence")
    return float(value) if value is not None else 0.0


def _absorb(kept: list[dict[str, Any]], item: dict[str, Any], replace: bool) -> bool:
    """Add ``item`` unless it duplicates a kept one; a more confident duplicate replaces the
    kept one when ``replace``.  True when the item was added."""
    for position, existing in enumerate(kept):
        if same_finding(existing, item):
            if replace and _confidence(item) > _confidence(existing):
                kept[position] = item
            return False
    kept.append(item)
    return True


class _Merger:
    """Accumulates alliance data from several sources."""

    def __init__(
        self, model: type[Alliance], base: dict[str, Any] | None = None, replace: bool = True
    ) -> None:
        self.model = model
        self.data: dict[str, Any] = base or {}
        self.replace = replace
        self.ruptures: list[dict[str, Any]] = list(self.data.get("ruptures", []))
        self.repairs: list[dict[str, Any]] = list(self.data.get("repairs", []))
        self.added: dict[str, Any] = {}
        self._next = 1

    def _new_id(self) -> str:
        taken = {rupture["id"] for rupture in self.ruptures}
        while f"r{self._next}" in taken:
            self._next += 1
        return f"r{self._next}"

    def _rupture_ids(self, ruptures: Iterable[dict[str, Any]]) -> dict[str, str]:
        """Add a source's ruptures; map each of its ids to the id it has in the result."""
        mapping: dict[str, str] = {}
        for rupture in ruptures:
            match = next(
                (
                    kept
                    for kept in self.ruptures
                    if kept["type"] == rupture["type"] and same_finding(kept, rupture)
                ),
                None,
            )
            if match is not None:
                mapping[rupture["id"]] = match["id"]
                continue
            new = {**rupture, "id": self._new_id()}
            mapping[rupture["id"]] = new["id"]
            self.ruptures.append(new)
            self.added.setdefault("ruptures", []).append(new)
        return mapping

    def add(self, source: dict[str, Any]) -> None:
        """Merge one source's suggestions into the result."""
        for path in list_parts(self.model):
            items = _get(source, path) or []
            if path == ("plan",):
                continue  # after the ruptures, whose ids plan items may mention
            kept = list(_get(self.data, path) or [])
            for item in items:
                if _absorb(kept, item, self.replace):
                    self.added.setdefault(".".join(path), []).append(item)
            if kept:
                _set(self.data, path, kept)
        for path in single_parts(self.model):
            value = _get(source, path)
            if value is not None and _get(self.data, path) is None:
                _set(self.data, path, value)
                self.added[".".join(path)] = value
                self._take_answer_provenance(source, ".".join(path))
        mapping = self._rupture_ids(source.get("ruptures", []))
        for repair in source.get("repairs", []):
            moved = dict(repair)
            if moved.get("rupture") is not None:
                moved["rupture"] = mapping.get(moved["rupture"], moved["rupture"])
            same = [kept for kept in self.repairs if kept.get("rupture") == moved.get("rupture")]
            if not any(same_finding(kept, moved) for kept in same):
                self.repairs.append(moved)
                self.added.setdefault("repairs", []).append(moved)
        plan = list(self.data.get("plan", []))
        for item in source.get("plan", []):
            moved = dict(item)
            if moved.get("rupture") is not None:
                moved["rupture"] = mapping.get(moved["rupture"], moved["rupture"])
            if _absorb(plan, moved, self.replace):
                self.added.setdefault("plan", []).append(moved)
        if plan:
            self.data["plan"] = plan
        state = _get(source, ("trust", "state"))
        current = _get(self.data, ("trust", "state"))
        # A suggestion never changes a trust state the note records; among suggestions, the
        # one that signals the most strain wins, with its provenance.
        if state in _TRUST_ORDER and (
            current not in _TRUST_ORDER
            or (self.replace and _TRUST_ORDER.index(state) < _TRUST_ORDER.index(current))
        ):
            _set(self.data, ("trust", "state"), state)
            self._take_answer_provenance(source, "trust.state")

    def _take_answer_provenance(self, source: dict[str, Any], path: str) -> None:
        """Record who set a single answer taken from ``source`` (or that nobody named it)."""
        set_by = self.data.setdefault("set_by", {})
        provenance = (source.get("set_by") or {}).get(path)
        if provenance is None:
            set_by.pop(path, None)
        else:
            set_by[path] = provenance

    def result(self) -> Alliance:
        """The merged section, with statuses that follow its content."""
        if self.ruptures:
            self.data["ruptures"] = self.ruptures
            self.data["rupture_screening"] = "observed"
        if self.repairs:
            self.data["repairs"] = self.repairs
        for part in _assessed_parts(self.model):
            values = self.data.get(part)
            if isinstance(values, dict) and any(
                v not in (None, [], {}) for k, v in values.items() if k != "status"
            ):
                values["status"] = "assessed"
        if not self.data.get("set_by"):
            self.data.pop("set_by", None)
        return self.model.model_validate(self.data)


def merge_suggestions(suggestions: Sequence[Alliance]) -> Alliance:
    """Several extractors' suggestions as one section, without duplicates, each item
    keeping the provenance of the extractor that suggested it."""
    merger = _Merger(type(suggestions[0]) if suggestions else Alliance)
    for alliance in suggestions:
        merger.add(_data(alliance))
    return merger.result()


def add_suggestions(alliance: Alliance, suggestions: Alliance) -> Alliance:
    """A note's alliance section with suggestions added where they bring something new.

    What the note already records is never replaced or re-attributed: a suggestion that
    duplicates an item of the note is left out, and a single-valued part the note already
    fills (the pace, the summary …) is kept as written.  When the note says ruptures were
    screened for and none observed, suggested ruptures and repairs are not added: that is
    the clinician's judgement, and the suggestions stay visible in the findings.
    """
    base = _data(alliance)
    merger = _Merger(type(alliance), base, replace=False)
    incoming = _data(suggestions)
    if base.get("rupture_screening") == "none_observed":
        incoming.pop("ruptures", None)
        incoming.pop("repairs", None)
        incoming["plan"] = [item for item in incoming.get("plan", []) if item.get("rupture") is None]
    merger.add(incoming)
    return merger.result()


def suggestion_problems(alliance: Alliance) -> list[str]:
    """Why a suggested section cannot be accepted (empty when it can): absences asserted,
    items attributed to the clinician or already confirmed.  Messages name fields only."""
    problems: list[str] = []
    if alliance.rupture_screening.value == "none_observed":
        problems.append("rupture_screening asserts that no rupture was observed")
    for part in _assessed_parts(type(alliance)):
        value = getattr(alliance, part)
        if value.status.value == "assessed" and not value.has_content():
            problems.append(f"{part} is marked assessed with nothing detected")
    if alliance.trust.state.value != "not_assessed" and not (
        alliance.trust.built_by or alliance.trust.strained_by
    ):
        problems.append("trust.state is given with nothing detected")
    for path in single_answers(type(alliance)):
        if not alliance.answer_is_set(path) or alliance.answer_is_implied(path):
            continue
        provenance = alliance.set_by.get(path)
        if provenance is None:
            problems.append(f"{path} is given without naming the program that set it (set_by)")
        elif provenance.confirmed:
            problems.append(f"set_by.{path} is already confirmed; suggestions are unconfirmed")
    for location, observation in instances_in(alliance, Observation):
        if observation.provenance.author.value == "clinician":
            problems.append(f"{location}.provenance says the clinician wrote a suggested item")
        elif observation.provenance.confirmed:
            problems.append(f"{location}.provenance is already confirmed; suggestions are unconfirmed")
    return problems
