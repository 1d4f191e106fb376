"""The project's errors, and the translation of pydantic's errors into words a person reads.

No message produced here contains the clinical text that was submitted: a problem names
the field and what is wrong with it, never the value.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


class AllianceNotesError(Exception):
    """Base of every error this package raises on purpose; its message is safe to show."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by a path such as ``alliance.ruptures[0].significance``.

    :param location: where the problem is; empty for the whole input.
    :param message: what is wrong, in words a clinician reads; never contains the value.
    :param code: a stable machine-readable code, e.g. ``out_of_range``.
    :param line: the input line, when the input format has lines and it is known.
    :param place: where the problem is in the words of the input a person wrote, e.g.
        ``Autonomy and consent › Declined by the client › 1st entry › Honoured`` for a
        fill-in form; shown instead of :attr:`location`, which stays for pipelines and IT.
    """

    location: str
    message: str
    code: str
    line: int | None = None
    place: str | None = None

    def __str__(self) -> str:
        where = self.place or self.location or "note"
        if self.line is not None:
            where = f"line {self.line}, {where}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data."""
        data = {"location": self.location, "message": self.message, "code": self.code, "line": self.line}
        if self.place is not None:
            data["place"] = self.place
        return data


class ProblemsError(AllianceNotesError):
    """An input that cannot be used; :attr:`problems` lists every problem found, not just
    the first, and the message lists them one per line."""

    #: What the input is, before its source in the message ("transcript " for a transcript).
    subject = ""

    def __init__(self, problems: Sequence[object], source: str | None = None) -> None:
        self.problems: tuple[Any, ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        heading = (
            f"{self.subject}{source}: " if source else (f"{self.subject.strip()}: " if self.subject else "")
        )
        heading += f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([heading, *(f"  - {problem}" for problem in self.problems)]))


class NoteValidationError(ProblemsError):
    """A note is not valid; :attr:`problems` lists every :class:`Problem` found."""

    problems: tuple[Problem, ...]


class PluginError(AllianceNotesError):
    """A plugin failed to load, registered something invalid, or failed while working."""

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin '{plugin}': {message}")


class UnknownFormatError(AllianceNotesError):
    """No loaded plugin provides the requested output format."""


class RenderError(AllianceNotesError):
    """A note could not be rendered."""


def format_location(parts: Iterable[int | str]) -> str:
    """``("alliance", "ruptures", 0, "significance")`` → ``alliance.ruptures[0].significance``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this part of the note (check the spelling)",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object (a set of named fields)",
    "model_type": "must be an object (a set of named fields)",
    "model_attributes_type": "must be an object (a set of named fields)",
    "date_type": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time of day",
    "string_pattern_mismatch": "is not in the expected form",
    "string_too_short": "must not be empty",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be greater than {gt}",
    "less_than": "must be less than {lt}",
    "too_short": "must have at least {min_length} entries",
    "too_long": "must have at most {max_length} entries",
    "finite_number": "must be a finite number",
}

# Patterns of the constrained field types, named for the person reading the error.
_PATTERN_HINTS: dict[str, str] = {
    "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$": (
        "must be a pseudonymous code such as 'C-0412' (letters, digits and . _ : -, no spaces)"
    ),
    "^[A-Za-z][A-Za-z0-9_-]{0,31}$": "must be a short identifier such as 'r1'",
    r"^(\d{1,2}:)?[0-5]?\d:[0-5]\d(\.\d{1,3})?$": "must be a time such as 00:12:40 or 12:40",
    "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$": "must be a language tag such as 'en' or 'es-MX'",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("enum", "literal_error"):
        return f"must be one of: {context.get('expected', '')}".replace(" or ", ", ")
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(str(context.get("pattern")), _MESSAGES[kind])
    template = _MESSAGES.get(kind)
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, IndexError):
            return template
    message = error["msg"]
    # Custom errors raised by the models never echo input.  Anything else from pydantic is
    # scrubbed of the submitted value as a last line of defence.
    value = error.get("input")
    if isinstance(value, str) and value and value in message:
        message = message.replace(value, "the given value")
    return message


@cache
def known_field_names() -> frozenset[str]:
    """Every field name of the built-in note models: the keys safe to name in a message
    (any other key may be note text, such as a language model's output put in a key)."""
    from alliance_notes.note import BUILT_IN_KINDS  # noqa: PLC0415  (the models import this module)

    names: set[str] = {"computed", "kind"}
    pending: list[type[BaseModel]] = list(BUILT_IN_KINDS.values())
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        names.update(model.model_fields)
        names.update(model.model_computed_fields)
        for info in model.model_fields.values():
            pending.extend(_models_in(info.annotation))
    return frozenset(names)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for argument in typing.get_args(annotation) for model in _models_in(argument)]


#: An unknown key whose name may be note text: named by where it is, not by its name.
_UNKNOWN_KEY = (
    "has a key that is not one of its fields (check the spelling; the key itself is not "
    "repeated here, as it may hold note text)"
)


def problems_from(error: ValidationError, prefix: Sequence[int | str] = ()) -> list[Problem]:
    """Every error in a pydantic ``ValidationError`` as a :class:`Problem`.

    An unknown key is named only when it is a field name of the note models (in the wrong
    place); otherwise the problem is located at the object that holds it.
    """
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        location = [*prefix, *detail["loc"]]
        if detail["type"] == "extra_forbidden" and location and location[-1] not in known_field_names():
            problems.append(Problem(format_location(location[:-1]), _UNKNOWN_KEY, "extra_forbidden"))
            continue
        at = (detail.get("ctx") or {}).get("at")
        path = format_location(location)
        if at:
            path = f"{path}.{at}" if path and not str(at).startswith("[") else f"{path}{at}"
        problems.append(Problem(location=path, message=_message(detail), code=detail["type"]))
    return problems
