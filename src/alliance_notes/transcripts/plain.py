"""Plain text: one turn per line, ``Speaker: what they said``.

A line may start with a time, ``[00:01:10]``, ``(00:01:10)`` or ``00:01:10``.  A line that
does not start with a label continues the turn above it (wrapped text).  Blank lines and
lines starting with ``#`` (comments) are ignored.  A label is one to four words of at most
40 characters, e.g. ``Therapist``, ``Dr. K``, ``SPEAKER_00``, ``Client (C-0412)``.
"""

from __future__ import annotations

import re

from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn, collapse, parse_clock

_TURN = re.compile(
    r"""^\s*
    (?:[\[(]?(?P<time>\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?\s*[-–]?\s*)?
    (?P<label>[^\W\d](?:[\w.'’()-]*)(?:\ [\w.'’()-]+){0,3})
    \s*:(?:\s+|$)(?P<text>.*)$""",
    re.VERBOSE,
)
_MAX_LABEL = 40


def read_plain(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of a plain-text transcript, and the problems that stop it being read."""
    turns: list[RawTurn] = []
    problems: list[TranscriptProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _TURN.match(line)
        if match is not None and len(match.group("label")) <= _MAX_LABEL:
            time = match.group("time")
            start = parse_clock(time) if time else None
            turns.append(
                RawTurn(match.group("label").strip(), collapse(match.group("text")), f"line {number}", start)
            )
        elif turns:
            turns[-1].text = collapse(f"{turns[-1].text} {line}")
        else:
            problems.append(
                TranscriptProblem(
                    f"line {number}",
                    "does not start with a speaker label ('Speaker: what they said')",
                    "no_speaker",
                )
            )
            break
    return turns, problems
