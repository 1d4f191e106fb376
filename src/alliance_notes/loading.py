"""Reading a note from JSON: bytes, text, a file or a mapping → a validated note model.

Every problem is reported at once, located by field (and by line and column for JSON that
does not parse), and without the note's text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alliance_notes.errors import NoteValidationError, Problem, known_field_names, problems_from
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote


def decode_note_text(raw: bytes, source: str | None = None) -> str:
    """A note file's bytes as text: UTF-8, with or without a byte-order mark.

    :raises NoteValidationError: naming the byte and line where the text stops being UTF-8.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problem = Problem("", f"is not UTF-8 text (byte {error.start})", "encoding", line)
        raise NoteValidationError([problem], source) from None


class DuplicateKeyError(ValueError):
    """A JSON object gives one key twice (JSON would silently keep the last value)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook``: an object's keys, refused when one is given
    twice (JSON would keep the last).

    :raises DuplicateKeyError: naming the key (for the caller to name only if it is safe).
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def parse_json(text: str | bytes, source: str | None = None) -> Any:
    """Parse JSON text, or raise :class:`NoteValidationError` naming the line and column.

    Also refused, each with a message that quotes nothing of the text: a key given twice in
    one object (JSON would silently keep the last value), nesting deeper than Python's
    parser goes (about 1,000 levels; a note needs about ten), and a number longer than
    Python reads (4,300 digits).
    """
    if isinstance(text, bytes):
        text = decode_note_text(text, source)
    if not text.strip():
        raise NoteValidationError([Problem("", "is empty; expected a JSON note", "empty")], source)
    try:
        return json.loads(text, object_pairs_hook=reject_duplicate_keys)
    except json.JSONDecodeError as error:
        # JSONDecodeError's own message is generic ("Expecting ',' delimiter") and never
        # quotes the document, so it is safe to pass on.
        raise NoteValidationError(
            [Problem("", f"is not valid JSON: {error.msg} at column {error.colno}", "json", error.lineno)],
            source,
        ) from None
    except DuplicateKeyError as error:
        key = f"the key '{error.key}'" if error.key in known_field_names() else "a key"
        message = f"gives {key} twice in one object; only one value can be kept, so say it once"
        raise NoteValidationError([Problem("", message, "duplicate_key")], source) from None
    except RecursionError:
        message = "is nested too deeply (objects and lists inside each other more than about 1,000 levels)"
        raise NoteValidationError([Problem("", message, "too_deep")], source) from None
    except ValueError:
        # Python's limit on the digits of an integer (sys.get_int_max_str_digits()).
        message = "has a number too long to read (more than 4,300 digits)"
        raise NoteValidationError([Problem("", message, "number_too_long")], source) from None


def note_from_data(
    data: Any,
    kinds: Mapping[str, type[ProgressNote]] = BUILT_IN_KINDS,
    source: str | None = None,
) -> ProgressNote:
    """Validate parsed JSON data as a note of the kind its ``kind`` field names."""
    if not isinstance(data, Mapping):
        raise NoteValidationError(
            [Problem("", "must be a JSON object with a 'kind' field", "not_an_object")], source
        )
    kind = data.get("kind")
    if kind is None:
        message = f"is required: one of {', '.join(sorted(kinds))}"
        if "resourceType" in data:
            message += (
                " (this is a FHIR resource, not a note: a Bundle alliance-notes wrote reads back "
                "with its format, Host.read(text, 'fhir-r5') or --from fhir-r5 on the command line)"
            )
        raise NoteValidationError([Problem("kind", message, "missing")], source)
    model = kinds.get(kind) if isinstance(kind, str) else None
    if model is None:
        problem = Problem("kind", f"must be one of: {', '.join(sorted(kinds))}", "unknown_kind")
        raise NoteValidationError([problem], source)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise NoteValidationError(problems_from(error), source) from None


def read_note(
    text: str | bytes,
    kinds: Mapping[str, type[ProgressNote]] = BUILT_IN_KINDS,
    source: str | None = None,
) -> ProgressNote:
    """Parse and validate a note from JSON text."""
    return note_from_data(parse_json(text, source), kinds, source)


def load_note(
    path: str | Path,
    kinds: Mapping[str, type[ProgressNote]] = BUILT_IN_KINDS,
) -> ProgressNote:
    """Read and validate a note from a JSON file."""
    return read_note(read_note_file(path), kinds, str(path))


def read_note_file(path: str | Path) -> bytes:
    """A note file's bytes.

    :raises NoteValidationError: saying why the file cannot be read (never its content).
    """
    try:
        return Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise NoteValidationError(
            [Problem("", f"cannot be read: {reason}", "unreadable")], str(path)
        ) from None
