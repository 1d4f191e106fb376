"""Where a batch writes: JSON Lines, or one file per note in a directory; and the errors file.

Every file is written under a ``.partial`` name and renamed to its own name only when the
batch is complete, so a file with its final name is always whole.  Each result is written
as one complete line; when a batch is interrupted the ``.partial`` files keep the complete
lines only, and a run with ``resume`` continues after them.  New files are readable by
their owner only (0600): they hold clinical text.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from alliance_notes.batch.job import NoteResult
from alliance_notes.errors import AllianceNotesError

#: What is added to an output file's name until the batch is complete.
PARTIAL_SUFFIX = ".partial"
#: The extensions that make ``--out`` a JSON Lines file rather than a directory.
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
#: The name of a directory output's index: one line per note written, with its file.
INDEX_NAME = "index.jsonl"
#: The name of a directory output's errors file.
ERRORS_NAME = "errors.jsonl"


def partial_path(path: Path) -> Path:
    """Where ``path`` is written until it is complete."""
    return path.with_name(path.name + PARTIAL_SUFFIX)


def is_json_lines(path: Path) -> bool:
    """True when an output path names a JSON Lines file, false for a directory."""
    return path.suffix.lower() in JSON_LINES_SUFFIXES


def default_errors_path(output: Path) -> Path:
    """The errors file of an output: ``OUT.errors.jsonl`` beside a JSON Lines output
    (``notes.errors.jsonl`` for ``notes.jsonl``), ``errors.jsonl`` in a directory."""
    if is_json_lines(output):
        return output.with_name(f"{output.stem}.errors.jsonl")
    return output / ERRORS_NAME


def _cannot_write(path: Path, error: OSError) -> AllianceNotesError:
    return AllianceNotesError(f"cannot write {path}: {error.strerror or type(error).__name__}")


def complete_lines(path: Path) -> tuple[int, int]:
    """How many complete lines (ending in a newline) a file begins with, and where they end."""
    count = end = offset = 0
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            newlines = chunk.count(b"\n")
            if newlines:
                count += newlines
                end = offset + chunk.rindex(b"\n") + 1
            offset += len(chunk)
    return count, end


class LineLog:
    """A JSON Lines file written one complete line per result, under a ``.partial`` name
    until :meth:`finish`.

    :param resume: continue a ``.partial`` file an interrupted run left (after its last
        complete line) instead of starting it again.
    """

    def __init__(self, path: Path, resume: bool = False) -> None:
        self.path = path
        self.partial = partial_path(path)
        #: The lines in the file, an earlier run's included.
        self.count = 0
        self._end = 0
        try:
            if resume and self.partial.is_file():
                self.count, self._end = complete_lines(self.partial)
                descriptor = os.open(self.partial, os.O_WRONLY)
            else:
                descriptor = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._file: BinaryIO = os.fdopen(descriptor, "wb")
            self._file.truncate(self._end)
            self._file.seek(self._end)
        except OSError as error:
            raise _cannot_write(self.partial, error) from None
        #: The lines an earlier run wrote.
        self.earlier = self.count

    def write(self, record: dict[str, Any]) -> None:
        """Add one line."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self._file.write(line)
        except OSError as error:
            raise _cannot_write(self.partial, error) from None
        self._end += len(line)
        self.count += 1

    def keep_complete(self) -> None:
        """Close the file as it is, holding complete lines only (after an interruption)."""
        try:
            self._file.flush()
            self._file.truncate(self._end)
        finally:
            self._file.close()

    def finish(self) -> None:
        """Close the file and give it its own name: it is complete."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.partial, self.path)
        except OSError as error:
            raise _cannot_write(self.path, error) from None


def write_whole(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, renamed over it."""
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX
        )
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(text.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cannot_write(path, error) from None
        raise


class BatchOutput:
    """The results of a batch: rendered notes in a JSON Lines file or a directory, and the
    failed notes in the errors file, each in the order of the input.

    In a JSON Lines output each line holds a note's ``id``, ``source``, ``text``,
    ``findings`` and ``warnings``; a directory gets one file per note, named from its id and
    the format's extension, and an ``index.jsonl`` with the same lines naming the ``file``
    instead of holding the text.  A line of the errors file holds a failed note's ``source``,
    ``line`` and ``problems``.
    """

    def __init__(self, output: Path, errors: Path | None = None, resume: bool = False) -> None:
        self.directory: Path | None = None if is_json_lines(output) else output
        if self.directory is not None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise AllianceNotesError(f"cannot create {output}: {error.strerror}") from None
        self.written = LineLog(output if self.directory is None else output / INDEX_NAME, resume)
        self.failed = LineLog(errors or default_errors_path(output), resume)

    @property
    def done_earlier(self) -> int:
        """How many notes an earlier, interrupted run completed (0 without ``resume``)."""
        return self.written.earlier + self.failed.earlier

    def add(self, result: NoteResult) -> None:
        """Write one note's result."""
        if result.failed:
            self.failed.write(result.error_record())
        elif self.directory is None:
            self.written.write(result.output_record())
        else:
            write_whole(self.directory / f"{result.id}{result.extension}", result.text or "")
            self.written.write(result.output_record(text=False))

    def keep_complete(self) -> None:
        """Leave the complete results in the ``.partial`` files (after an interruption)."""
        try:
            self.written.keep_complete()
        finally:
            self.failed.keep_complete()

    def finish(self) -> None:
        """Give every file its own name: the batch is complete."""
        self.written.finish()
        self.failed.finish()
