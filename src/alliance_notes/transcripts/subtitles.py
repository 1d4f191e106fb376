"""WebVTT and SRT transcripts: cues with timings, speakers from voice tags or labels.

See :mod:`alliance_notes.transcripts.cues` for how speakers are found in cue text.  A file
is read block by block, each cue's turns joined to the turn before as it comes, so reading
takes time and memory in proportion to the file; at most
:data:`~alliance_notes.transcripts.limits.MAX_UTTERANCES` turns are read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from alliance_notes.transcripts.cues import Cue, cue_turns, join_unlabelled
from alliance_notes.transcripts.limits import MAX_UTTERANCES, too_many_utterances
from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn, parse_clock

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s+.*)?$"
)
_VTT_SKIPPED = ("NOTE", "STYLE", "REGION")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line-separated blocks, each with the number of its first line."""
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            yield first, current
            current = []
    if current:
        yield first, current


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


def _cues(blocks: Iterable[tuple[int, list[str]]], problems: list[TranscriptProblem]) -> Iterator[Cue]:
    """The cues of the blocks, numbered; a block that is not a cue is a problem."""
    count = 0
    for first, lines in blocks:
        cue = _cue(count + 1, first, lines, problems)
        if cue is not None:
            count += 1
            yield cue


def _turns(cues: Iterator[Cue], problems: list[TranscriptProblem]) -> list[RawTurn]:
    """The cues' turns, each unlabelled one joined to the turn before it."""

    def raw() -> Iterator[RawTurn]:
        for cue in cues:
            yield from cue_turns(cue)

    turns: list[RawTurn] = []
    stop: TranscriptProblem | None = None
    for turn in join_unlabelled(raw()):
        if not turns and turn.label is None:
            stop = TranscriptProblem(
                turn.where,
                "the first cue names no speaker (use a voice tag <v Speaker> or 'Speaker: ')",
                "no_speaker",
            )
        elif len(turns) == MAX_UTTERANCES:
            stop = too_many_utterances(turn.where, MAX_UTTERANCES)
        if stop is not None:
            for _ in cues:  # the rest of the file, for its problems
                pass
            problems.append(stop)
            return []
        turns.append(turn)
    return turns


def read_webvtt(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of a WebVTT file (speakers from ``<v>`` voice tags or labels)."""
    problems: list[TranscriptProblem] = []
    blocks = _blocks(text)
    header_block = next(blocks, None)
    if header_block is None or not header_block[1][0].lstrip("\ufeff").startswith("WEBVTT"):
        return [], [TranscriptProblem("line 1", "does not start with 'WEBVTT'", "not_webvtt")]
    header_first, header = header_block
    # The header block may run straight into the first cue when no blank line follows it.
    rest = [(header_first + 1, header[1:])] if len(header) > 1 and "-->" in "".join(header[1:3]) else []
    cue_blocks = (
        (first, lines)
        for first, lines in itertools.chain(rest, blocks)
        if lines[0].split(" ", 1)[0].split("\t", 1)[0] not in _VTT_SKIPPED
    )
    turns = _turns(_cues(cue_blocks, problems), problems)
    return turns, problems


def read_srt(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of an SRT file (numbered cues; speakers from ``Speaker:`` or ``[Speaker]``)."""
    problems: list[TranscriptProblem] = []
    turns = _turns(_cues(_blocks(text), problems), problems)
    return turns, problems
