"""What every transcript reader produces before roles are known: labelled, timed turns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alliance_notes.vocabulary import Speaker


@dataclass(slots=True)
class RawTurn:
    """One turn as a file gives it.

    :param label: the speaker label, or ``None`` when the turn names no speaker.
    :param text: the words, with markup removed and whitespace collapsed.
    :param where: where it is in the file, for messages (``line 12``, ``segments[3]``).
    :param start: start in seconds, when the file gives times.
    :param end: end in seconds.
    :param role: a role the file states outright (JSON ``role``), which no inference overrides.
    :param cue: the subtitle cue it came from; voices sharing a cue overlap by design.
    """

    label: str | None
    text: str
    where: str
    start: float | None = None
    end: float | None = None
    role: Speaker | None = None
    cue: int | None = None


_TIME = re.compile(r"^(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")


def parse_clock(text: str) -> float | None:
    """``01:02:03.5``, ``01:02:03,500`` or ``02:03`` as seconds; ``None`` when it is not a time."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        value += int(fraction) / 10 ** len(fraction)
    return float(value)


def collapse(text: str) -> str:
    """Whitespace runs (line breaks included) as single spaces, trimmed.

    ``str.split`` finds the same whitespace as ``\\s`` in a pattern, several times faster.
    """
    return " ".join(text.split())


def joined(pieces: list[str]) -> str:
    """Pieces of one turn (its first line and the lines or cues that continue it) as one
    collapsed text, joined once: joining piece by piece would copy the text over and over."""
    return collapse(" ".join(pieces))
