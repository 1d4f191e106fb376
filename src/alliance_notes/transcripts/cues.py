"""Subtitle cues (WebVTT and SRT): timings, voices and speaker labels inside cue text.

Rules shared by both formats:

* A WebVTT voice span ``<v Dr. K>…</v>`` (classes allowed: ``<v.loud Dr. K>``) names its
  speaker; a cue with two voices gives two turns.
* Otherwise a cue line may start with ``Speaker: `` or ``[Speaker] `` (common in SRT),
  after an optional dialogue dash ``- ``; a line without a label continues the turn above.
* A cue that names no speaker continues the turn before it (subtitles split long turns
  across cues); its words are appended and the turn's end moves to the cue's end.
* Other tags (``<i>``, ``<b>``, ``<c.yellow>``, ``<font …>``, timestamps inside the cue)
  are removed and character references (``&amp;``) decoded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from alliance_notes.transcripts.raw import RawTurn, collapse

_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:\s+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>|</v>", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:\[(?P<bracket>[^\]]{1,40})\]|(?P<colon>[^\W\d][\w.'’() -]{0,39}?)\s*:)\s+")
_DASH = re.compile(r"^\s*-\s+")


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: its number, where its text starts, its timing and its text lines."""

    number: int
    line: int
    start: float
    end: float
    lines: tuple[str, ...]


def _plain(text: str) -> str:
    return collapse(html.unescape(_TAG.sub("", text)))


def _labelled(line: str) -> tuple[str | None, str]:
    match = _LABEL.match(line)
    if match is None or len(match.group(0).split()) > 5:
        return None, line
    label = match.group("bracket") or match.group("colon")
    return collapse(label), line[match.end() :]


def cue_turns(cue: Cue) -> list[RawTurn]:
    """The turns in one cue: one per voice, per labelled line, or one unlabelled turn."""
    where = f"line {cue.line}"
    payload = "\n".join(cue.lines)
    voices = list(_VOICE.finditer(payload))
    turns: list[RawTurn] = []
    if voices:
        before = _plain(payload[: voices[0].start()])
        if before:
            turns.append(RawTurn(None, before, where, cue.start, cue.end, cue=cue.number))
        for index, voice in enumerate(voices):
            stop = voices[index + 1].start() if index + 1 < len(voices) else len(payload)
            label = collapse(voice.group(1) or "") or None
            turns.append(
                RawTurn(label, _plain(payload[voice.end() : stop]), where, cue.start, cue.end, cue=cue.number)
            )
        return turns
    for line in cue.lines:
        label, words = _labelled(_DASH.sub("", html.unescape(_TAG.sub("", line))))
        if label is None and turns:
            turns[-1].text = collapse(f"{turns[-1].text} {words}")
            continue
        turns.append(RawTurn(label, collapse(words), where, cue.start, cue.end, cue=cue.number))
    return turns


def join_unlabelled(turns: list[RawTurn]) -> list[RawTurn]:
    """Append each turn that names no speaker to the turn before it."""
    joined: list[RawTurn] = []
    for turn in turns:
        if turn.label is None and joined:
            previous = joined[-1]
            previous.text = collapse(f"{previous.text} {turn.text}")
            if turn.end is not None:
                previous.end = max(previous.end or turn.end, turn.end)
            continue
        joined.append(turn)
    return joined
