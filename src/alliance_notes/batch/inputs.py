"""The notes of a batch, read one at a time: lines of a JSON Lines file (or standard input)
or the note files of a directory.

Nothing here parses a note: each is handed on as its bytes, with where it came from, so
that every note — even one that is not UTF-8, not JSON or cut short — reaches the per-note
step (:class:`~alliance_notes.batch.job.NoteJob`) and is counted as written or failed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: The largest note a batch reads, in bytes (32 MiB; a note is usually a few kilobytes).
#: A larger one fails with its own error and is never held in memory whole.
MAX_NOTE_BYTES = 32 * 1024 * 1024

#: The extension of the note files read from a directory.
NOTE_FILE_SUFFIX = ".json"


@dataclass(frozen=True)
class InputNote:
    """One note of a batch, as read: its bytes and where they came from.

    :param number: its place among the batch's notes, from 1.
    :param source: where it is, as the errors file names it: ``line 12`` of a JSON Lines
        input, or a note file's name.
    :param raw: the note's JSON, as bytes (empty when it was too large to read).
    :param line: its line in a JSON Lines input.
    :param stem: a note file's name without its extension: the note's id, and the name
        its transcript has.
    :param too_large: it is over :data:`MAX_NOTE_BYTES` and was not read.
    :param unreadable: why its file could not be read, if it could not.
    """

    number: int
    source: str
    raw: bytes
    line: int | None = None
    stem: str | None = None
    too_large: bool = False
    unreadable: str | None = None

    @classmethod
    def from_line(cls, text: str | bytes, line: int) -> InputNote:
        """A note from one line of JSON Lines, e.g. a line of a Dask bag or a Spark RDD.

        Text that was decoded with ``errors="surrogateescape"`` gets its original bytes back,
        so a line that is not UTF-8 is reported as such.
        """
        raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        return cls(line, f"line {line}", raw, line=line, too_large=len(raw) > MAX_NOTE_BYTES)

    def fingerprint(self) -> str:
        """The first 12 hex digits of the SHA-256 of the note's bytes (line ends aside):
        the same note gives the same fingerprint in every run."""
        return hashlib.sha256(self.raw.strip()).hexdigest()[:12]


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(1024 * 1024)
        if not chunk or chunk.endswith(b"\n"):
            return


def json_lines(stream: BinaryIO, limit: int = MAX_NOTE_BYTES) -> Iterator[InputNote]:
    """The notes of a JSON Lines stream, one per line, read one line at a time.

    A blank line holds no note and is passed over (line numbers still count it).  A line
    over ``limit`` bytes is skipped unread and yielded as ``too_large``.
    """
    number = 0
    line = 0
    while True:
        text = stream.readline(limit + 1)
        if not text:
            return
        line += 1
        too_large = len(text) > limit and not text.endswith(b"\n")
        if too_large:
            _skip_rest_of_line(stream)
            text = b""
        elif not text.strip():
            continue
        number += 1
        yield InputNote(number, f"line {line}", text, line=line, too_large=too_large)


def note_files(directory: Path) -> list[Path]:
    """The note files (``*.json``) directly in ``directory``, sorted by name so that every
    run reads them in the same order."""
    return sorted(
        Path(entry.path)
        for entry in os.scandir(directory)
        if entry.name.endswith(NOTE_FILE_SUFFIX) and not entry.name.startswith(".") and entry.is_file()
    )


def directory_notes(directory: Path, limit: int = MAX_NOTE_BYTES) -> Iterator[InputNote]:
    """The notes of a directory's note files, one file at a time, in name order.

    A file that cannot be read is yielded with no bytes (its note fails as unreadable).
    """
    for number, path in enumerate(note_files(directory), start=1):
        stem = path.name[: -len(NOTE_FILE_SUFFIX)]
        try:
            with path.open("rb") as file:
                raw = file.read(limit + 1)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            yield InputNote(number, path.name, b"", stem=stem, unreadable=reason)
            continue
        too_large = len(raw) > limit
        yield InputNote(number, path.name, b"" if too_large else raw, stem=stem, too_large=too_large)


def count_notes(source: Path) -> int:
    """How many notes a JSON Lines file or a directory holds, counted without reading them
    as notes (for the progress bar's estimate of the time left)."""
    if source.is_dir():
        return len(note_files(source))
    count = 0
    holds_text = False  # the line read so far is not blank
    with source.open("rb") as file:
        for chunk in iter(lambda: file.readline(1024 * 1024), b""):
            holds_text = holds_text or bool(chunk.strip())
            if chunk.endswith(b"\n"):
                count += holds_text
                holds_text = False
    return count + holds_text
