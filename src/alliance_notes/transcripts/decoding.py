"""Bytes to text: UTF-8 (with or without a byte-order mark), or UTF-16 when a BOM says so."""

from __future__ import annotations

import codecs

from alliance_notes.transcripts.problems import TranscriptError, TranscriptProblem


def decode(data: bytes, source: str | None = None) -> str:
    """The transcript's text.

    UTF-16 is accepted only with a byte-order mark (as Windows tools write it); anything
    else must be UTF-8.

    :raises TranscriptError: naming the line of the first byte that is not UTF-8.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(
                [TranscriptProblem("", "starts like UTF-16 text but is not valid UTF-16", "not_utf16")],
                source,
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problem = TranscriptProblem(
            f"line {line}",
            f"is not UTF-8 text (byte {error.start}, column {column}); save the transcript as UTF-8",
            "not_utf8",
        )
        raise TranscriptError([problem], source) from None
