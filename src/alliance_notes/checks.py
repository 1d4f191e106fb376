"""What a note check reports: findings about a note, by severity, located by field; and the
exceptions a clinician records to accept a finding deliberately.

A finding's :attr:`~CheckFinding.check` is its stable code (``srs-below-cutoff``,
``language-label`` …): configuration, exceptions and pipelines key on it.  The codes of the
built-in checks are listed in ``docs/checks.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator
from pydantic_core import to_json

from alliance_notes.fields import STRICT_MODEL, Text, problem
from alliance_notes.vocabulary import Choice

#: How a finding code is written: lower-case words joined by hyphens, e.g. ``srs-below-cutoff``.
CHECK_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"

CheckCode = Annotated[str, Field(pattern=CHECK_CODE_PATTERN)]


class Severity(Choice):
    """How much a check finding matters."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


Offset = Annotated[int, Field(ge=0)]


class CheckFinding(BaseModel):
    """One finding of a note check.

    The message names the field and what the check noticed; like every message in this
    package it never quotes the note's free text.  For a finding about words in a text
    field, :attr:`span` says which characters of that field's text it concerns.
    """

    model_config = STRICT_MODEL

    check: str = Field(description="The finding's stable code, e.g. 'srs-below-cutoff'.")
    severity: Severity = Field(description="info, warning or error.")
    location: str = Field(description="The field concerned, e.g. 'alliance.measures.srs.total'.")
    message: str = Field(description="What the check noticed, without quoting clinical text.")
    span: tuple[Offset, Offset] | None = Field(
        default=None,
        description="For a finding in a text field: the characters [start, end) of the field's "
        "text it concerns (0-based, end exclusive).",
    )
    suggestion: str | None = Field(
        default=None,
        description="A suggested alternative where one is useful; never text copied from the note.",
    )

    @model_validator(mode="after")
    def _span_in_order(self) -> CheckFinding:
        if self.span is not None and self.span[0] > self.span[1]:
            raise problem("span_order", "must start before it ends", at="span")
        return self

    @property
    def where(self) -> str:
        """The location, with the characters of a text finding (``assessment 12–26``)."""
        if self.span is None:
            return self.location or "note"
        return f"{self.location or 'note'} {self.span[0]}–{self.span[1]}"

    def __str__(self) -> str:
        text = f"{self.severity.value}: {self.where}: {self.message} [{self.check}]"
        if self.suggestion:
            text += f" (suggestion: {self.suggestion})"
        return text


class CheckException(BaseModel):
    """A clinician's deliberate exception: findings with these codes at this field (or inside
    it) are accepted as written, and reported as excepted instead of as findings.

    Written in a note's JSON under ``check_exceptions``, or inline in any text field as
    ``[[allow CODE]]`` / ``[[allow CODE, CODE: reason]]``; the inline form is taken out of the
    text when the note is read (:func:`take_inline_exceptions`), so it is never rendered.
    """

    model_config = STRICT_MODEL

    location: str = Field(
        description="The field the exception applies to, e.g. 'assessment' or "
        "'alliance.measures.srs'; findings inside it are covered too."
    )
    checks: Annotated[list[CheckCode], Field(min_length=1)] = Field(
        description="The finding codes accepted there, e.g. ['language-label']."
    )
    reason: Annotated[Text, Field(pattern=r"^[^\[\]]*$")] | None = Field(
        default=None, description="Why the wording or value is deliberate (no square brackets)."
    )

    def covers(self, finding: CheckFinding) -> bool:
        """True when this exception accepts ``finding``."""
        return finding.check in self.checks and _inside(finding.location, self.location)


def _inside(location: str, place: str) -> bool:
    return location == place or location.startswith((f"{place}.", f"{place}["))


#: The inline form of an exception.  ``[[allow`` opens it; the codes, then an optional reason
#: after a colon, and ``]]`` closes it.  Double square brackets do not occur in clinical prose,
#: so the marker cannot be taken for note text, nor note text for a marker.
INLINE_EXCEPTION = re.compile(
    r"[ \t]?\[\[allow(?P<body>[^\[\]]*)\]\]",
)
_INLINE_BODY = re.compile(
    r"^\s+(?P<codes>[a-z0-9][a-z0-9-]*(?:\s*,\s*[a-z0-9][a-z0-9-]*)*)\s*(?::\s*(?P<reason>.*?))?\s*$"
)


def _markers_in(text: str, location: str) -> tuple[str, list[dict[str, Any]]]:
    """``text`` without its inline exception markers, and the exceptions they record."""
    found: list[dict[str, Any]] = []

    def take(match: re.Match[str]) -> str:
        body = _INLINE_BODY.match(match.group("body"))
        if body is None:
            raise problem(
                "inline_exception",
                "has an inline check exception that names no finding code; write it as "
                "[[allow CODE]] or [[allow CODE: reason]]",
                at=location,
            )
        codes = [code.strip() for code in body.group("codes").split(",")]
        exception: dict[str, Any] = {"location": location, "checks": codes}
        if body.group("reason"):
            exception["reason"] = body.group("reason")
        found.append(exception)
        return ""

    stripped = INLINE_EXCEPTION.sub(take, text)
    if "[[allow" in stripped:
        raise problem(
            "inline_exception",
            "has an inline check exception that is not closed with ]]",
            at=location,
        )
    return stripped.strip() if found else stripped, found


def _strings_in(value: Any, path: str) -> Iterator[tuple[str, Any, str | int]]:
    """Every (location, container, key) of a string in parsed JSON data."""
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(value, dict) and not isinstance(key, str):
            continue
        here = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        if isinstance(item, str):
            yield here, value, key
        elif isinstance(item, dict | list):
            yield from _strings_in(item, here)


def take_inline_exceptions(data: Any) -> Any:
    """Note data (parsed JSON) with every inline ``[[allow …]]`` marker taken out of its text and
    recorded under ``check_exceptions`` instead.  Data without a marker is returned as is.

    :raises PydanticCustomError: for a marker that names no code or is not closed, located at
        the field that holds it (never quoting it).
    """
    if not isinstance(data, dict) or not _may_hold_marker(data):
        return data
    data = _copied(data)
    found: list[dict[str, Any]] = []
    for location, container, key in list(_strings_in(data, "")):
        # An evidence quote is the speaker's own words, kept verbatim: never a clinician's
        # exception, whatever it says.
        if location.startswith("check_exceptions") or ".evidence[" in location:
            continue
        text = container[key]
        if "[[allow" in text:
            container[key], exceptions = _markers_in(text, location)
            found.extend(exceptions)
    given = data.get("check_exceptions")
    data["check_exceptions"] = [*(given if isinstance(given, list) else []), *found]
    return data


def _may_hold_marker(data: dict[str, Any]) -> bool:
    """False when no string in the data holds ``[[allow``: one serialisation in pydantic's
    Rust core, about three times faster than walking the data in Python, on every note
    read.  True may come from ``check_exceptions`` itself, which the caller skips."""
    return b"[[allow" in to_json(data, fallback=repr)


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def inline_marker(exception: CheckException) -> str:
    """The inline form of an exception, as a clinician writes it in a text field."""
    reason = f": {exception.reason}" if exception.reason else ""
    return f"[[allow {', '.join(exception.checks)}{reason}]]"
