"""WebVTT and SRT transcripts: cues with timings, speakers from voice tags or labels.

See :mod:`alliance_notes.transcripts.cues` for how speakers are found in cue text.
"""

from __future__ import annotations

import re

from alliance_notes.transcripts.cues import Cue, cue_turns, join_unlabelled
from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn, parse_clock

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s+.*)?$"
)
_VTT_SKIPPED = ("NOTE", "STYLE", "REGION")


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line-separated blocks, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _cue(number: int, first: int, lines: list[str], problems: list[TranscriptProblem]) -> Cue | None:
    """A cue from a block whose timing line is among its first two lines."""
    for offset, line in enumerate(lines[:2]):
        timing = _TIMING.match(line)
        if timing is None:
            continue
        start = parse_clock(timing.group("start"))
        end = parse_clock(timing.group("end"))
        if start is None or end is None:
            break
        return Cue(number, first + offset + 1, start, end, tuple(lines[offset + 1 :]))
    problems.append(
        TranscriptProblem(f"line {first}", "is not a cue: no 'start --> end' timing line", "no_timing")
    )
    return None


def _turns(cues: list[Cue], problems: list[TranscriptProblem]) -> list[RawTurn]:
    turns: list[RawTurn] = []
    for cue in cues:
        turns.extend(cue_turns(cue))
    if turns and turns[0].label is None:
        problems.append(
            TranscriptProblem(
                turns[0].where,
                "the first cue names no speaker (use a voice tag <v Speaker> or 'Speaker: ')",
                "no_speaker",
            )
        )
        return []
    return join_unlabelled(turns)


def read_webvtt(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of a WebVTT file (speakers from ``<v>`` voice tags or labels)."""
    problems: list[TranscriptProblem] = []
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        return [], [TranscriptProblem("line 1", "does not start with 'WEBVTT'", "not_webvtt")]
    cues: list[Cue] = []
    header_first, header = blocks[0]
    # The header block may run straight into the first cue when no blank line follows it.
    rest = [(header_first + 1, header[1:])] if len(header) > 1 and "-->" in "".join(header[1:3]) else []
    for first, lines in [*rest, *blocks[1:]]:
        if lines[0].split(" ", 1)[0].split("\t", 1)[0] in _VTT_SKIPPED:
            continue
        cue = _cue(len(cues) + 1, first, lines, problems)
        if cue is not None:
            cues.append(cue)
    return _turns(cues, problems), problems


def read_srt(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of an SRT file (numbered cues; speakers from ``Speaker:`` or ``[Speaker]``)."""
    problems: list[TranscriptProblem] = []
    cues: list[Cue] = []
    for first, lines in _blocks(text):
        cue = _cue(len(cues) + 1, first, lines, problems)
        if cue is not None:
            cues.append(cue)
    return _turns(cues, problems), problems
