"""Plain text: one turn per line, ``Speaker: what they said``.

A line may start with a time, ``[00:01:10]``, ``(00:01:10)`` or ``00:01:10``.  A line that
does not start with a label continues the turn above it (wrapped text).  Blank lines and
lines starting with ``#`` (comments) are ignored.  A label is one to four words of at most
40 characters, e.g. ``Therapist``, ``Dr. K``, ``SPEAKER_00``, ``Client (C-0412)``.

Reading is linear in the length of the file: a turn wrapped over many lines is joined once,
at the end, and the line pattern cannot backtrack over a run of spaces.  At most
:data:`~alliance_notes.transcripts.limits.MAX_UTTERANCES` turns are read.
"""

from __future__ import annotations

import re

from alliance_notes.transcripts.limits import MAX_UTTERANCES, too_many_utterances
from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn, collapse, joined, parse_clock

_TURN = re.compile(
    r"""^\s*
    (?:[\[(]?(?P<time>\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?\s*(?:[-–]\s*)?)?
    (?P<label>[^\W\d](?:[\w.'’()-]*)(?:\ [\w.'’()-]+){0,3})
    \s*:(?:\s+|$)(?P<text>.*)$""",
    re.VERBOSE,
)
_MAX_LABEL = 40


def _no_speaker(number: int) -> TranscriptProblem:
    """The problem of a first turn that names no speaker, on line ``number``."""
    return TranscriptProblem(
        f"line {number}", "does not start with a speaker label ('Speaker: what they said')", "no_speaker"
    )


def read_plain(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of a plain-text transcript, and the problems that stop it being read."""
    turns: list[RawTurn] = []
    # The lines that continue a turn, by the turn's index: joined once, at the end.
    continued: dict[int, list[str]] = {}
    labels: dict[str, str] = {}  # one string per label, shared by its turns
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _TURN.match(line) if ":" in line else None  # a line without a colon continues
        if match is not None and len(match.group("label")) <= _MAX_LABEL:
            if len(turns) == MAX_UTTERANCES:
                return turns, [too_many_utterances(f"line {number}", MAX_UTTERANCES)]
            time = match.group("time")
            label = match.group("label").strip()
            start = parse_clock(time) if time else None
            turns.append(
                RawTurn(labels.setdefault(label, label), match.group("text"), f"line {number}", start)
            )
        elif turns:
            continued.setdefault(len(turns) - 1, []).append(line)
        else:
            return turns, [_no_speaker(number)]
    for index, turn in enumerate(turns):
        turn.text = joined([turn.text, *continued[index]]) if index in continued else collapse(turn.text)
    return turns, []
