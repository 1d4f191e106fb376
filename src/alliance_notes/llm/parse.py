"""Reading what a language model returned for the alliance section.

Models wrap JSON in code fences or a sentence of prose, change the case of enum values,
leave out keys whose value is "nothing", and invent quotes.  :func:`parse` repairs only
what cannot change the meaning:

* the JSON is found inside a code fence, or after (and before) prose;
* a single ``{"alliance": {…}}`` wrapper, or a list holding only the section, is removed;
* an enum value written in another case or with spaces (``"Minimal Response"``), or as its
  label (``"avoidant storytelling / shifting topic"``), becomes the value it names;
  a whole number written as text (``"3"``) becomes the number;
* a key left out whose value can only be "nothing" (an empty list, null) is filled in;
  an empty string where text is optional becomes null;
* a part with findings but ``status: not_assessed`` (or ``rupture_screening:
  not_assessed`` with ruptures listed) is marked assessed (observed): listing something
  means it was looked at.

Every repair is recorded (see ``repairs``).  Everything else is an error, every problem
listed by field: invented keys, values outside the vocabularies, missing content, and any
other type: a yes/no must be ``true`` or ``false`` (never ``"yes"`` or ``1``), a number a
JSON whole number (never ``true`` or ``3.0``).

Degenerate output is an error too, never Python's: a reply longer than
:data:`MAX_OUTPUT_CHARS`, a text field longer than :data:`MAX_TEXT_CHARS` or a list longer
than :data:`MAX_ENTRIES`, text or a list that repeats itself (a model stuck in a loop),
JSON nested deeper than :data:`MAX_DEPTH` and numbers longer than :data:`MAX_DIGITS`
digits.  Empty output and output that stops before the JSON is complete (a model that hit
its token limit) are errors, never a partial section.  With a
transcript, every quote must be grounded (:mod:`alliance_notes.grounding`) and the evidence
gets its timestamp from the utterance it cites.  Each suggested item is marked as the
model's (author ``language_model``, ``suggested_by`` the model, unconfirmed).
"""

from __future__ import annotations

import json
import re
import types
import typing
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from alliance_notes.alliance import Alliance
from alliance_notes.errors import (
    NoteValidationError,
    Problem,
    format_location,
    known_field_names,
    problems_from,
)
from alliance_notes.evidence import Provenance
from alliance_notes.grounding import check_quotes
from alliance_notes.llm.models import LlmAlliance
from alliance_notes.transcript import Transcript
from alliance_notes.vocabulary import Choice, Record

#: The name parse errors give as their source.
SOURCE = "language model output"

#: The longest reply read, in characters: many times what any alliance section needs.
MAX_OUTPUT_CHARS = 1_000_000
#: The longest text field, in characters (a quote comes from one utterance; the rest is brief).
MAX_TEXT_CHARS = 4_000
#: The most entries in one list: more findings of one kind than any session holds.
MAX_ENTRIES = 100
#: The deepest nesting of the JSON; the section itself is six levels deep.
MAX_DEPTH = 20
#: The most digits in a number; an utterance index has a few.
MAX_DIGITS = 15
# A stretch of at least this many characters made of one piece repeated 8 times or more.
_LOOP_CHARS = 80
_LOOP = re.compile(r"(.{1,200}?)\1{7,}", re.DOTALL)

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|javascript)?[ \t]*\r?\n?(.*?)(?:```|\Z)", re.DOTALL)
_ASSESSED_PARTS = ("respect", "boundaries", "autonomy_and_consent")


class LlmOutputError(NoteValidationError):
    """A model's output is not a usable alliance section; :attr:`problems` lists why."""


def _fail(location: str, message: str, code: str) -> LlmOutputError:
    return LlmOutputError([Problem(location, message, code)], SOURCE)


def _json_text(text: str) -> tuple[str, bool]:
    """The part of ``text`` that should be JSON, and whether it came from an unclosed fence."""
    fence = _FENCE.search(text)
    if fence is not None and "{" in fence.group(1):
        unclosed = not fence.group(0).rstrip().endswith("```") or fence.group(0).count("```") < 2
        return fence.group(1), unclosed
    start = text.find("{")
    if start < 0:
        raise _fail("output", "contains no JSON object", "no_json")
    before = text[:start].rstrip("[ \t\r\n")
    if len(before) < start and "[" in text[len(before) : start]:
        # A list (of lists) of objects: decoded whole, never taken apart.
        start = len(before)
    return text[start:], False


def _number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _fail("output", f"contains a number of more than {MAX_DIGITS} digits", "number_too_long")
    return int(digits)


def _not_a_number(name: str) -> Any:
    raise _fail("output", f"is not valid JSON: {name} is not a JSON number", "json")


_DECODER = json.JSONDecoder(parse_int=_number, parse_constant=_not_a_number)


def _too_deep() -> LlmOutputError:
    return _fail("output", f"is nested more than {MAX_DEPTH} levels deep; ask the model again", "too_deep")


def _raw_decode(text: str) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text)
    except RecursionError:
        raise _too_deep() from None


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (without recursion)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _decode(text: str) -> Any:
    candidate, unclosed = _json_text(text)
    candidate = candidate.strip()
    try:
        data, end = _raw_decode(candidate)
    except json.JSONDecodeError as error:
        if unclosed or error.pos >= len(candidate.rstrip()) - 1:
            raise _fail(
                "output",
                "ends before the JSON is complete (the output looks cut off); ask the model again",
                "truncated",
            ) from None
        # The decoder's message is generic ("Expecting ',' delimiter") and quotes nothing.
        raise _fail(
            "output", f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", "json"
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise _too_deep()
    rest = candidate[end:]
    if "{" in rest:
        try:
            _raw_decode(rest[rest.index("{") :])
        except json.JSONDecodeError:
            pass
        else:
            raise _fail(
                "output", "contains more than one JSON object; it is unclear which is the answer", "ambiguous"
            )
    return data


def _unlisted(data: Any, repairs: list[str]) -> Any:
    """The section out of a list that holds only it; several objects are ambiguous."""
    if not isinstance(data, list):
        return data
    objects = [item for item in data if isinstance(item, dict)]
    if len(objects) > 1:
        raise _fail("output", "is a list of several answers; it is unclear which is the answer", "ambiguous")
    if len(data) == 1 and objects:
        repairs.append("output: the section was wrapped in a list")
        return objects[0]
    return data


def _looping(text: str) -> bool:
    """True when some piece of ``text`` repeats itself 8 times or more over 80 characters."""
    flat = " ".join(text.split())
    return any(len(match.group()) >= _LOOP_CHARS for match in _LOOP.finditer(flat))


def _repeated_entry(values: list[Any]) -> bool:
    """True when a list holds the same entry three times or more."""
    seen: dict[str, int] = {}
    for value in values:
        key = json.dumps(value, sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] >= 3:
            return True
    return False


_LOOPING = "(the output looks stuck in a loop); ask the model again"


def _bound_problems(value: Any, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Text too long or repeating itself, lists too long or repeating an entry, by field."""
    where = format_location(path) or "output"
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            return [
                Problem(
                    where,
                    f"is {len(value):,} characters long, more than {MAX_TEXT_CHARS:,} {_LOOPING}",
                    "too_long",
                )
            ]
        if _looping(value):
            return [Problem(where, f"repeats the same words over and over {_LOOPING}", "repetition")]
        return []
    if isinstance(value, list):
        if len(value) > MAX_ENTRIES:
            return [
                Problem(where, f"has {len(value):,} entries, more than {MAX_ENTRIES} {_LOOPING}", "too_long")
            ]
        if _repeated_entry(value):
            return [Problem(where, f"repeats the same entry {_LOOPING}", "repetition")]
        return [problem for i, item in enumerate(value) for problem in _bound_problems(item, (*path, i))]
    if isinstance(value, dict):
        # An unknown key may be note text: never named here (validation reports it at its object).
        known = known_field_names()
        return [
            problem
            for key, item in value.items()
            if key in known
            for problem in _bound_problems(item, (*path, key))
        ]
    return []


def _enum_value(choice: type[Enum], value: str) -> str | None:
    """The member value ``value`` names, ignoring case, spaces and hyphens, or its label."""
    key = re.sub(r"[\s\-/]+", "_", value.strip().lower()).strip("_")
    key = re.sub(r"_+", "_", key)
    for member in choice:
        member_value = str(member.value)
        if key == member_value:
            return member_value
        if isinstance(member, Choice) and value.strip().lower() == member.label.lower():
            return member_value
    return None


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` and whether None is allowed."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        arguments = [argument for argument in get_args(annotation) if argument is not type(None)]
        return arguments[0], len(arguments) < len(get_args(annotation))
    return annotation, False


def _whole_numbers(annotation: Any) -> bool:
    """True for a field that holds a whole number: ``int`` or a Literal of ints."""
    if annotation is int:
        return True
    arguments = get_args(annotation) if get_origin(annotation) is Literal else ()
    return bool(arguments) and all(type(argument) is int for argument in arguments)


def _repair_number(
    annotation: Any, value: Any, path: str, repairs: list[str], problems: list[Problem]
) -> Any:
    """A whole number written as text becomes the number (a repair); ``true``/``false`` or
    a fraction for a number is a problem (validation would take ``true`` as 1, ``3.0`` as 3)."""
    if isinstance(value, bool):
        problems.append(Problem(path, "must be a whole number, not true or false", "int_type"))
    elif isinstance(value, float):
        problems.append(Problem(path, "must be a whole number", "int_type"))
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = _number(value.strip())
        if annotation is int or number in get_args(annotation):
            repairs.append(f"{path}: number written as text")
            return number
    return value


def _repair_value(annotation: Any, value: Any, path: str, repairs: list[str], problems: list[Problem]) -> Any:
    inner, _ = _unwrap(annotation)
    origin = get_origin(inner)
    if origin is list and isinstance(value, list):
        (item,) = get_args(inner)
        return [
            _repair_value(item, element, f"{path}[{i}]", repairs, problems) for i, element in enumerate(value)
        ]
    if isinstance(inner, type) and issubclass(inner, BaseModel) and isinstance(value, dict):
        return _repair_model(inner, value, path, repairs, problems)
    if isinstance(inner, type) and issubclass(inner, Enum) and isinstance(value, str):
        fixed = _enum_value(inner, value)
        if fixed is not None and fixed != value:
            repairs.append(f"{path}: enum value written differently, read as '{fixed}'")
            return fixed
    if _whole_numbers(inner):
        return _repair_number(inner, value, path, repairs, problems)
    return value


_NO_DEFAULT = object()


def _nothing(annotation: Any, nullable: bool = False) -> Any:
    """The value meaning "nothing recorded" for a left-out field: an empty list, null,
    'not_assessed', or a part made only of those; ``_NO_DEFAULT`` when there is none (a
    left-out required value is an error, not something to guess)."""
    if nullable:
        return None
    if get_origin(annotation) is list:
        return []
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "not_assessed" if "not_assessed" in {member.value for member in annotation} else _NO_DEFAULT
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        part = {}
        for name, field in annotation.model_fields.items():
            inner, inner_nullable = _unwrap(field.annotation)
            value = _nothing(inner, inner_nullable)
            if value is _NO_DEFAULT:
                return _NO_DEFAULT
            part[name] = value
        return part
    return _NO_DEFAULT


def _repair_model(
    model: type[BaseModel], data: dict[str, Any], path: str, repairs: list[str], problems: list[Problem]
) -> dict[str, Any]:
    repaired = dict(data)
    for name, field in model.model_fields.items():
        here = f"{path}.{name}" if path else name
        inner, nullable = _unwrap(field.annotation)
        if name not in repaired:
            nothing = _nothing(inner, nullable)
            if nothing is not _NO_DEFAULT:
                repaired[name] = nothing
                repairs.append(f"{here}: left out, read as not assessed / nothing recorded")
            continue
        value = repaired[name]
        if nullable and isinstance(value, str) and not value.strip():
            repaired[name] = None
            repairs.append(f"{here}: empty text read as null")
            continue
        repaired[name] = _repair_value(field.annotation, value, here, repairs, problems)
    return repaired


def _assessed(data: dict[str, Any], repairs: list[str]) -> None:
    """Mark parts with findings as assessed (listing something means it was looked at)."""
    for part in _ASSESSED_PARTS:
        values = data.get(part)
        if not isinstance(values, dict) or values.get("status") != "not_assessed":
            continue
        if any(value not in (None, [], "") for key, value in values.items() if key != "status"):
            values["status"] = "assessed"
            repairs.append(f"{part}.status: findings are listed, read as 'assessed'")
    if data.get("ruptures") and data.get("rupture_screening") == "not_assessed":
        data["rupture_screening"] = "observed"
        repairs.append("rupture_screening: ruptures are listed, read as 'observed'")


def _section_data(value: Any, provenance: dict[str, Any], transcript: Transcript | None) -> Any:
    """LLM data as alliance data: nulls dropped, provenance and the record as its place added
    to every item that can carry evidence, timestamps taken from the transcript."""
    if isinstance(value, list):
        return [_section_data(item, provenance, transcript) for item in value]
    if not isinstance(value, dict):
        return value
    data = {
        key: _section_data(item, provenance, transcript) for key, item in value.items() if item is not None
    }
    if "quote" in data and "utterance_index" in data and transcript is not None:
        index = data["utterance_index"]
        if isinstance(index, int) and 0 <= index < len(transcript.utterances):
            timestamp = transcript.utterances[index].timestamp
            if timestamp is not None:
                data["timestamp"] = timestamp
    elif "evidence" in data:
        data["provenance"] = dict(provenance)
        # The prompt asks only for what suits the progress-note record.
        data["belongs"] = Record.PROGRESS_NOTE.value
    return data


def _strictly(data: dict[str, Any], problems: list[Problem]) -> LlmAlliance:
    """The answer validated strictly, as JSON (so enum values are read from their text,
    but no text, number or boolean is converted into another); raises with ``problems``
    and every validation problem."""
    try:
        answer = LlmAlliance.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as error:
        found = {(problem.location, problem.code) for problem in problems}
        more = [problem for problem in problems_from(error) if (problem.location, problem.code) not in found]
        raise LlmOutputError([*problems, *more], SOURCE) from None
    if problems:
        raise LlmOutputError(problems, SOURCE)
    return answer


def parse(
    text: str | bytes | None,
    transcript: Transcript | None = None,
    *,
    model: str = "language model",
    repairs: list[str] | None = None,
) -> Alliance:
    """The alliance section a language model returned, validated.

    :param text: the model's reply (message content, or a tool call's input as JSON).
    :param transcript: when given, every quote must be grounded in it.
    :param model: the model's name, recorded as ``suggested_by`` on every item.
    :param repairs: a list to which each repair made is appended (field and what was
        done, never the value).
    :raises LlmOutputError: listing every problem by field.
    """
    made: list[str] = [] if repairs is None else repairs
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("output", "is not UTF-8 text", "encoding") from None
    if text is None or not text.strip():
        raise _fail("output", "is empty: the model returned nothing", "empty")
    if len(text) > MAX_OUTPUT_CHARS:
        raise _fail(
            "output",
            f"is {len(text):,} characters long, more than {MAX_OUTPUT_CHARS:,} {_LOOPING}",
            "too_long",
        )
    data = _unlisted(_decode(text), made)
    if isinstance(data, dict) and set(data) == {"alliance"} and isinstance(data["alliance"], dict):
        data = data["alliance"]
        made.append("alliance: the section was wrapped in an 'alliance' object")
    if not isinstance(data, dict):
        raise _fail("output", "must be a JSON object (the alliance section)", "not_an_object")
    if not set(data) & set(LlmAlliance.model_fields):
        raise _fail("output", "has none of the alliance section's parts", "no_section")
    problems = _bound_problems(data)
    if problems:
        raise LlmOutputError(problems, SOURCE)
    data = _repair_model(LlmAlliance, data, "", made, problems)
    answer = _strictly(data, problems)
    plain = answer.model_dump(mode="json")
    _assessed(plain, made)
    provenance = {"author": "language_model", "suggested_by": model, "confirmed": False}
    try:
        alliance = Alliance.model_validate(_section_data(plain, provenance, transcript)).answers_set_by(
            Provenance.model_validate(provenance)
        )
    except ValidationError as error:
        raise LlmOutputError(problems_from(error), SOURCE) from None
    if transcript is not None:
        problems = [
            Problem(problem.location, problem.message, problem.code)
            for problem in check_quotes(alliance, transcript, path="")
            if problem.severity.value == "error"
        ]
        if problems:
            raise LlmOutputError(problems, SOURCE)
    return alliance
