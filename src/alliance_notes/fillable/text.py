"""Small pieces of the form's syntax: escaped text, labels, pick-list choices and tick boxes.

**Escaped text.**  Almost every value is written as the clinician would write it.  A
value that would not read back exactly (leading or trailing spaces, a line that looks
like a field or a quote, an invisible character, an HTML comment) is written as a code
span holding a JSON string instead::

    - `"  indented text\\nand a second line"`

A code span is shown literally by a Markdown viewer, so no value can become markup there.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from alliance_notes.vocabulary import Choice

# -- escaped text ------------------------------------------------------------------------------

_ESCAPED = re.compile(r'^`(".*")`$', re.DOTALL)

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(character: str) -> str:
    if character in _JSON_ESCAPES:
        return _JSON_ESCAPES[character]
    # "<" and "`" would open an HTML comment or close the code span.
    if character in "<`" or (character != " " and not character.isprintable()):
        code = ord(character)
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"
    return character


def escape_text(value: str) -> str:
    """``value`` as one line: a code span holding a JSON string, invisible characters spelt out."""
    return '`"' + "".join(_escape_char(character) for character in value) + '"`'


class EscapeError(ValueError):
    """Text that looks escaped (a code span holding a JSON string) but does not decode."""


def unescape_text(text: str) -> str | None:
    """The value of an escaped text, or ``None`` when ``text`` is not escaped.

    :raises EscapeError: when it looks escaped but is not valid.
    """
    match = _ESCAPED.match(text)
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError:
        raise EscapeError('looks like escaped text (`"…"`) but is not valid') from None
    if not isinstance(value, str):
        raise EscapeError('looks like escaped text (`"…"`) but is not valid')
    return value


def take_escaped(text: str) -> tuple[str, str] | None:
    """An escaped text at the start of ``text``: ``(value, rest)``, or ``None``.

    :raises EscapeError: when it starts like escaped text but does not decode.
    """
    if not text.startswith('`"'):
        return None
    try:
        value, end = json.JSONDecoder().raw_decode(text, 1)
    except json.JSONDecodeError:
        raise EscapeError('looks like escaped text (`"…"`) but is not valid') from None
    if not isinstance(value, str) or text[end : end + 1] != "`":
        raise EscapeError('looks like escaped text (`"…"`) but is not valid')
    return value, text[end + 1 :]


# -- labels -----------------------------------------------------------------------------------------

# A hint in parentheses and the spaces before it.  The spaces are taken only from the start
# of their run: tried from every space of a long run, the pattern would be quadratic.
_HINT = re.compile(r"(?<!\s)\s*\([^()]*\)")
_NOT_WORD = re.compile(r"[^\w/]+")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """A label or choice as compared: lower case, hints in parentheses and punctuation dropped.

    >>> normalize("Significance (1 slight – 5 major)")
    'significance'
    >>> normalize("⚑ Suggestion to confirm")
    'suggestion to confirm'
    """
    text = _HINT.sub("", text).replace("_", " ").replace("’", "'").lower()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def closest(text: str, options: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The option ``text`` most likely meant, compared as :func:`normalize` does."""
    by_key: dict[str, str] = {}
    for option in options:
        by_key.setdefault(normalize(option), option)
    found = difflib.get_close_matches(normalize(text), list(by_key), n=1, cutoff=cutoff)
    return by_key[found[0]] if found else None


# -- choices -----------------------------------------------------------------------------------------


def choice_names(choice: Choice) -> tuple[str, ...]:
    """The ways a clinician may write a choice: its label and its stored value."""
    return (choice.label, choice.value)


def match_choice(text: str, options: Sequence[Choice]) -> Choice | None:
    """The choice ``text`` names (label or value, any case), or ``None``."""
    wanted = normalize(text)
    for option in options:
        if any(normalize(name) == wanted for name in choice_names(option)):
            return option
    return None


def suggest_choice(text: str, options: Sequence[Choice]) -> Choice | None:
    """The choice ``text`` most likely meant, for "did you mean …?"."""
    labels = {option.label: option for option in options}
    values = {option.value: option for option in options}
    guess = closest(text, [*labels, *values])
    if guess is None:
        return None
    return labels.get(guess) or values.get(guess)


# -- tick boxes -----------------------------------------------------------------------------------

#: What may stand inside a ticked box.
TICKS = frozenset("xX✓✔*")
#: A box: ``[ ]``, ``[x]``, and the ``[ x ]`` people type when they tick with spaces around.
_BOX = re.compile(r"\[[ \t]?(?P<mark>[^\[\]\s]?)[ \t]?\]")
_SEPARATORS = " \t·•|,;"


@dataclass(frozen=True)
class Box:
    """One tick box and the words after it.

    :param label: the words between this box and the next (a trailing "— hint" dropped).
    :param ticked: whether it holds a tick.
    :param mark: what stands inside the brackets, for a message about an unknown mark.
    """

    label: str
    ticked: bool
    mark: str


def boxes(text: str) -> list[Box]:
    """Every tick box in one line, with its label: ``[x] steady · [ ] strained``."""
    found = list(_BOX.finditer(text))
    result = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        label = text[match.end() : end].partition(" — ")[0].strip(_SEPARATORS)
        mark = match.group("mark")
        result.append(Box(label, mark in TICKS, mark))
    return result


def is_box_line(text: str) -> bool:
    """True for a line that is only tick boxes (``- [ ] denial``, ``[x] yes · [ ] no``)."""
    stripped = text.strip()
    if stripped[:1] in "-*+" and stripped[1:2] in (" ", "\t"):
        stripped = stripped[1:].strip()
    return _BOX.match(stripped) is not None


def render_boxes(options: Sequence[tuple[str, bool]], separator: str = " · ") -> str:
    """``[x] first · [ ] second`` for ``(label, ticked)`` pairs."""
    return separator.join(f"[{'x' if ticked else ' '}] {label}" for label, ticked in options)


def strip_blank_lines(lines: list[str]) -> list[str]:
    """``lines`` without the blank ones at the start and end (in one pass each way)."""
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]
