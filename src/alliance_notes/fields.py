"""Constrained field types shared by the note models.

The error messages here are written for people and never repeat the value that was
given: a note's free text is protected health information.
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

# XML 1.0 (and therefore XHTML, FHIR narrative and most EHR boxes) cannot carry C0
# control characters other than tab, line feed and carriage return, nor lone
# surrogates.  Rejecting them at the door keeps every renderer lossless.
# Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane) are
# not allowed in HTML either.
_UNSTORABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)

#: Model configuration shared by every note model: unknown keys are errors, so a
#: misspelt field is reported instead of silently dropped.
STRICT_MODEL = ConfigDict(
    extra="forbid",
    frozen=True,
    validate_default=True,
    use_enum_values=False,
    str_strip_whitespace=False,
)


def _clinical_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank (leave the field out instead)")
    found = _UNSTORABLE.search(value)
    if found:
        raise PydanticCustomError(
            "unstorable_character",
            "contains a character a note cannot store (U+{code}, a control character or noncharacter)",
            {"code": f"{ord(found.group()):04X}"},
        )
    return value


#: Free text written by a clinician or quoted from a session: non-blank, storable.
Text = Annotated[str, AfterValidator(_clinical_text)]


def _is_text_validator(item: Any) -> bool:
    return isinstance(item, AfterValidator) and item.func is _clinical_text


def _annotation_is_text(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated and any(
        _is_text_validator(item) for item in annotation.__metadata__
    ):
        return True
    return any(_annotation_is_text(argument) for argument in typing.get_args(annotation))


def is_clinical_text(info: FieldInfo) -> bool:
    """True for a model field that holds :data:`Text` (maybe optional, or a list of it)."""
    return any(_is_text_validator(item) for item in info.metadata) or _annotation_is_text(info.annotation)


def _bounded(low: int, high: int) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range",
                "must be between {low} and {high}",
                {"low": low, "high": high},
            )
        return value

    return AfterValidator(check)


def _bounds(low: int, high: int) -> Any:
    return Field(json_schema_extra={"minimum": low, "maximum": high})


#: A 3RS significance rating.
Significance = Annotated[int, _bounds(1, 5), _bounded(1, 5)]

#: One item of the Session Rating Scale or Outcome Rating Scale (a 10 cm line, 0–10,
#: commonly scored to one decimal place).
TenPointScore = Annotated[float, _bounds(0, 10), _bounded(0, 10)]

#: One item of the WAI-SR (1 = seldom … 5 = always).
FivePointScore = Annotated[int, _bounds(1, 5), _bounded(1, 5)]

#: A pseudonymous reference (a client or clinician code, never a name).
Reference = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
        description=(
            "A pseudonymous code such as 'C-0412': letters, digits and . _ : - only, "
            "no spaces, at most 64 characters.  Never a name."
        ),
    ),
]

#: A local identifier inside one note, used to link a repair to its rupture.
LocalId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$",
        description="A short identifier, unique within the note, such as 'r1'.",
    ),
]

#: A time within the session recording, ``H:MM:SS`` or ``MM:SS`` with optional fraction.
SessionTime = Annotated[
    str,
    Field(
        pattern=r"^(\d{1,2}:)?[0-5]?\d:[0-5]\d(\.\d{1,3})?$",
        description="Time from the start of the recording, as H:MM:SS or MM:SS.",
    ),
]


def problem(code: str, message: str, *, at: str | None = None, **context: object) -> PydanticCustomError:
    """A validation error raised by a model validator, located more precisely than the model.

    ``at`` is a path relative to the model being validated (``"repairs[0].rupture"``); the
    error report appends it to the model's own location.  ``message`` must not contain
    clinical free text; ``context`` fills its ``{placeholders}``.
    """
    if at is not None:
        context["at"] = at
    return PydanticCustomError(code, message, context or None)
