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

Cue text is read in one pass, without backtracking patterns: voice tags and other tags are
found by looking for ``<`` and the next ``>`` (a tag never closed ends the search, as no
later tag can close either), and a turn that continues over lines or cues is joined once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from alliance_notes.transcripts.raw import RawTurn, collapse, joined

#: Where a voice tag may start; what follows up to the next ">" says whether it is one.
_VOICE_START = re.compile(r"<v", re.IGNORECASE)
#: Where another tag starts (an element tag ends at the next ">"), or a whole timestamp tag.
_TAG_START = re.compile(r"</?[a-z]|<\d[\d:.]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s")
#: A numeric character reference, decoded by :func:`html.unescape` unless it is too long to.
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]+)|(?P<decimal>[0-9]+));?")
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


@dataclass(frozen=True)
class _Voice:
    """A voice tag ``<v.class Label>``: where it starts and ends in the cue text, and its label."""

    start: int
    end: int
    label: str | None


def _voice_label(body: str) -> tuple[bool, str | None]:
    """Whether the text between ``<v`` and ``>`` makes a voice tag (``<v>``, ``<v Dr. K>``,
    ``<v.loud Dr. K>``; not ``<vx>`` or ``<v.>``), and its label."""
    if body and not body[0].isspace() and (body[0] != "." or len(body) < 2 or body[1].isspace()):
        return False, None
    space = _SPACE.search(body)
    return True, (collapse(body[space.start() :]) or None) if space else None


def _voices(text: str) -> list[_Voice]:
    """Every voice tag in ``text``, left to right."""
    voices: list[_Voice] = []
    position = 0
    close = -1  # the first ">" after the current "<v"
    while (found := _VOICE_START.search(text, position)) is not None:
        if close < found.end():
            close = text.find(">", found.end())
            if close < 0:
                break  # nothing later closes a tag
        is_voice, label = _voice_label(text[found.end() : close])
        if is_voice:
            voices.append(_Voice(found.start(), close + 1, label))
            position = close + 1
        else:
            position = found.start() + 1
    return voices


def _without_tags(text: str) -> str:
    """``text`` less its tags (``<i>``, ``</b>``, ``<c.yellow>``, ``<00:01.000>``)."""
    kept: list[str] = []
    position = 0  # the end of the last tag removed
    close = -1
    while (found := _TAG_START.search(text, position)) is not None:
        end = found.end()
        if not found.group().endswith(">"):  # an element tag: it ends at the next ">"
            if close < end:
                close = text.find(">", end)
                if close < 0:
                    break  # nothing later closes a tag
            end = close + 1
        kept.append(text[position : found.start()])
        position = end
    kept.append(text[position:])
    return "".join(kept)


def _reference(match: re.Match[str]) -> str:
    """A numeric character reference as :func:`html.unescape` can decode it."""
    digits = match.group("hex") or match.group("decimal")
    if len(digits) <= 7:
        return match.group()
    # Past U+10FFFF whatever the base: the replacement character, as html.unescape gives
    # (which cannot convert a number this long).  Leading zeros do not count.
    significant = digits.lstrip("0") or "0"
    if len(significant) > 7:
        return "\ufffd"
    return f"&#{'x' if match.group('hex') else ''}{significant};"


def _unescaped(text: str) -> str:
    """``text`` with character references (``&amp;``, ``&#233;``) decoded."""
    if "&" not in text:
        return text
    return html.unescape(_NUMERIC_REFERENCE.sub(_reference, text))


def _plain(text: str) -> str:
    return collapse(_unescaped(_without_tags(text)))


def _labelled(line: str) -> tuple[str | None, str]:
    match = _LABEL.match(line)
    if match is None or len(match.group(0).split()) > 5:
        return None, line
    label = match.group("bracket") or match.group("colon")
    return collapse(label), line[match.end() :]


def _voice_turns(cue: Cue, payload: str, voices: list[_Voice]) -> list[RawTurn]:
    """One turn per voice tag, and one unlabelled turn for any words before the first."""
    where = f"line {cue.line}"
    turns: list[RawTurn] = []
    before = _plain(payload[: voices[0].start])
    if before:
        turns.append(RawTurn(None, before, where, cue.start, cue.end, cue=cue.number))
    for index, voice in enumerate(voices):
        stop = voices[index + 1].start if index + 1 < len(voices) else len(payload)
        words = _plain(payload[voice.end : stop])
        turns.append(RawTurn(voice.label, words, where, cue.start, cue.end, cue=cue.number))
    return turns


def cue_turns(cue: Cue) -> list[RawTurn]:
    """The turns in one cue: one per voice, per labelled line, or one unlabelled turn."""
    payload = "\n".join(cue.lines)
    voices = _voices(payload)
    if voices:
        return _voice_turns(cue, payload, voices)
    where = f"line {cue.line}"
    turns: list[RawTurn] = []
    pieces: list[list[str]] = []  # the words of turns[i], joined once at the end
    for line in cue.lines:
        label, words = _labelled(_DASH.sub("", _unescaped(_without_tags(line))))
        if label is None and turns:
            pieces[-1].append(words)
            continue
        turns.append(RawTurn(label, "", where, cue.start, cue.end, cue=cue.number))
        pieces.append([words])
    for turn, parts in zip(turns, pieces, strict=True):
        turn.text = joined(parts)
    return turns


def _with_pieces(turn: RawTurn, pieces: list[str]) -> RawTurn:
    """``turn`` with the words of the turns joined to it (none: it is left as it is)."""
    if len(pieces) > 1:
        turn.text = joined(pieces)
    return turn


def join_unlabelled(turns: Iterable[RawTurn]) -> Iterator[RawTurn]:
    """Append each turn that names no speaker to the turn before it.

    Turns are yielded as they are complete, so a long subtitle file is never held as
    separate turns; each turn's words are joined once.
    """
    current: RawTurn | None = None
    pieces: list[str] = []
    for turn in turns:
        if turn.label is None and current is not None:
            pieces.append(turn.text)
            if turn.end is not None:
                current.end = max(current.end or turn.end, turn.end)
            continue
        if current is not None:
            yield _with_pieces(current, pieces)
        current, pieces = turn, [turn.text]
    if current is not None:
        yield _with_pieces(current, pieces)
