"""Reading session transcripts: plain ``Speaker: text`` lines, JSON (utterance lists and
diarisation segments), WebVTT with voice tags, and SRT.

>>> from alliance_notes.transcripts import load_transcript
>>> transcript = load_transcript("examples/soap_transcript.txt")   # doctest: +SKIP
>>> transcript = load_transcript("session.json", speakers={"SPEAKER_00": "clinician"})  # doctest: +SKIP

Speaker labels become roles by the rule in :mod:`alliance_notes.transcripts.roles` (a map
you give wins; then role words in the label; then who asks the questions).

A transcript that cannot be read raises :class:`TranscriptError` listing every problem by
line; oddities that do not stop it (overlapping speech, a turn with no words, a role
inferred from behaviour) are issued as :class:`TranscriptWarning` with :mod:`warnings`.
Neither ever quotes what was said or a speaker's label.

Reading takes time and memory in proportion to the transcript's size.  Limits set far
above any real session (:mod:`alliance_notes.transcripts.limits`) stop a wrong file early
with a :class:`TranscriptError`: at most 256 MiB
(:data:`~alliance_notes.transcripts.limits.MAX_TRANSCRIPT_BYTES`), 1,000,000 utterances
(:data:`~alliance_notes.transcripts.limits.MAX_UTTERANCES`) and 1,000,000 characters in
one utterance (:data:`~alliance_notes.transcripts.limits.MAX_UTTERANCE_CHARACTERS`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alliance_notes.transcript import Transcript
from alliance_notes.transcripts.building import build_transcript
from alliance_notes.transcripts.decoding import decode
from alliance_notes.transcripts.json_format import read_json
from alliance_notes.transcripts.limits import (
    MAX_TRANSCRIPT_BYTES,
    MAX_UTTERANCE_CHARACTERS,
    MAX_UTTERANCES,
    too_large,
    utf8_size_exceeds,
)
from alliance_notes.transcripts.plain import read_plain
from alliance_notes.transcripts.problems import (
    TranscriptError,
    TranscriptProblem,
    TranscriptWarning,
    warn,
)
from alliance_notes.transcripts.raw import RawTurn
from alliance_notes.transcripts.roles import SpeakerMap, role_from_label, role_named
from alliance_notes.transcripts.subtitles import read_srt, read_webvtt

Reader = Callable[[str], tuple[list[RawTurn], list[TranscriptProblem]]]

#: The transcript formats by name.
FORMATS: dict[str, Reader] = {
    "text": read_plain,
    "json": read_json,
    "webvtt": read_webvtt,
    "srt": read_srt,
}

#: The transcript file extensions, each with the format it names.
EXTENSIONS = {".txt": "text", ".text": "text", ".json": "json", ".vtt": "webvtt", ".srt": "srt"}


def guess_format(text: str, name: str | None = None) -> str:
    """The format of a transcript: from the file extension when it is a known one, else
    from the content (``WEBVTT`` header, a JSON bracket, an SRT cue number and timing)."""
    if name is not None:
        known = EXTENSIONS.get(Path(name).suffix.lower())
        if known is not None:
            return known
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith("WEBVTT"):
        return "webvtt"
    if start.startswith(("{", "[")) and not start.startswith("[0") and not start.startswith("[1"):
        return "json"
    first_lines = start.splitlines()[:2]
    if len(first_lines) == 2 and first_lines[0].strip().isdigit() and "-->" in first_lines[1]:
        return "srt"
    return "text"


def read_transcript(
    source: str | bytes,
    *,
    format: str | None = None,
    speakers: SpeakerMap | None = None,
    name: str | None = None,
) -> Transcript:
    """Read a transcript from its text (or bytes, which must be UTF-8 or BOM-marked UTF-16).

    :param format: ``text``, ``json``, ``webvtt`` or ``srt``; guessed when left out.
    :param speakers: label → role, overriding the inferred roles.
    :param name: the file name, for messages and for guessing the format.
    :raises TranscriptError: listing every problem, each by line or item; also for a
        transcript over the limits in :mod:`alliance_notes.transcripts.limits`.
    """
    if isinstance(source, bytes):
        if len(source) > MAX_TRANSCRIPT_BYTES:
            raise TranscriptError([too_large(MAX_TRANSCRIPT_BYTES)], name)
        text = decode(source, name)
    elif utf8_size_exceeds(source, MAX_TRANSCRIPT_BYTES):
        raise TranscriptError([too_large(MAX_TRANSCRIPT_BYTES)], name)
    else:
        text = source
    if not text.strip():
        raise TranscriptError([TranscriptProblem("", "is empty", "empty")], name)
    chosen = format or guess_format(text, name)
    reader = FORMATS.get(chosen)
    if reader is None:
        message = f"unknown transcript format; use one of: {', '.join(FORMATS)}"
        raise TranscriptError([TranscriptProblem("", message, "unknown_format")], name)
    turns, problems = reader(text)
    if problems:
        raise TranscriptError(problems, name)
    try:
        transcript, problems, warnings = build_transcript(turns, speakers)
    except ValueError as error:
        raise TranscriptError([TranscriptProblem("speaker map", str(error), "unknown_role")], name) from None
    for warning in warnings:
        warn(warning, name)
    if transcript is None:
        raise TranscriptError(problems, name)
    return transcript


def load_transcript(
    path: str | Path, *, format: str | None = None, speakers: SpeakerMap | None = None
) -> Transcript:
    """Read a transcript file.  See :func:`read_transcript`.

    :raises TranscriptError: when the file cannot be read or is not a usable transcript.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            # One byte past the limit is enough to know the file is over it.
            data = file.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise TranscriptError(
            [TranscriptProblem("", f"cannot be read: {reason}", "unreadable")], str(path)
        ) from None
    return read_transcript(data, format=format, speakers=speakers, name=str(path))


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_TRANSCRIPT_BYTES",
    "MAX_UTTERANCES",
    "MAX_UTTERANCE_CHARACTERS",
    "SpeakerMap",
    "TranscriptError",
    "TranscriptProblem",
    "TranscriptWarning",
    "guess_format",
    "load_transcript",
    "read_transcript",
    "role_from_label",
    "role_named",
]
