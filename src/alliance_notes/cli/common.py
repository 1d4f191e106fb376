"""Helpers shared by the subcommands: reading input, writing output, the host."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alliance_notes.errors import AllianceNotesError
from alliance_notes.vocabulary import AUDIENCES, PLACEMENTS

#: Exit status for invalid input or usage.
EXIT_INVALID = 2
#: Exit status of ``validate`` for a valid note with an error finding.
EXIT_ERROR_FINDINGS = 1

if TYPE_CHECKING:  # the models and the host load when a command runs, not to parse arguments
    from alliance_notes.host import Host
    from alliance_notes.note import ProgressNote


def open_host(template_dirs: Sequence[str] | None = None) -> Host:
    """A host with the installed plugins; failed plugins are mentioned on stderr.

    :param template_dirs: a clinic's template directories (``--templates``), rendered sandboxed.
    """
    from alliance_notes.host import create_host  # noqa: PLC0415  (kept out of start-up)

    host = create_host(template_dirs=template_dirs or ())
    for status in host.failed_plugins:
        print(
            f"alliance-notes: warning: plugin '{status.name}' is not loaded ({status.error}); "
            "run 'alliance-notes plugins' for details",
            file=sys.stderr,
        )
    return host


def read_input_note(host: Host, source: str, from_format: str | None = None) -> ProgressNote:
    """Read a note from a path, or from standard input when ``source`` is ``-``.

    :param from_format: the format the input is in (``--from``), for output of a format that
        reads back (canonical JSON, a FHIR Bundle); by default the input is note JSON.
    """
    from alliance_notes.loading import decode_note_text, read_note_file  # noqa: PLC0415

    name = "<stdin>" if source == "-" else source
    raw = read_standard_input() if source == "-" else read_note_file(source)
    if from_format is None:
        return host.read_note(raw, name)
    return host.read(decode_note_text(raw, name), from_format)


def read_standard_input() -> bytes:
    """All of standard input, for an input given as ``-``.

    :raises AllianceNotesError: when there is no standard input to read (it is closed).
    """
    stream = sys.stdin
    try:
        if stream is None:
            raise ValueError("closed")
        return stream.buffer.read()
    except (OSError, ValueError, AttributeError):
        raise AllianceNotesError(
            "standard input is closed, so '-' has nothing to read; give a file, or pipe the input in"
        ) from None


def add_note_input(parser: argparse.ArgumentParser) -> None:
    """Add the ``NOTE`` argument and ``--from FORMAT`` (read by :func:`read_input_note`)."""
    parser.add_argument(
        "note", help="the note: a file path, or - for standard input; note JSON unless --from says"
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        metavar="FORMAT",
        help="the input is output of this format, read back into the note (json, fhir-r5, "
        "fhir-r4b, or a plugin's format that reads back); default: note JSON",
    )


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """Add ``-o/--output FILE`` (written by :func:`write_output`)."""
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def write_output(text: str, destination: str | None) -> None:
    """Write text to a file, or to standard output when ``destination`` is ``None`` or ``-``.

    A file is written whole or not at all (see :func:`write_files`)."""
    if destination in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    write_files({Path(destination): text})


def write_files(texts: Mapping[Path, str]) -> None:
    """Write each text to its file, all or nothing.

    Each is written to a temporary file beside its target and renamed over it only when
    every one is complete, so a failure (a full disk, a size limit) leaves every existing
    file as it was and no partial file behind.  New files are readable by their owner only
    (0600): they hold clinical text.

    :raises AllianceNotesError: naming the file that could not be written.
    """
    written: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            written.append((_write_beside(path, text), path))
        for temporary, path in written:
            os.replace(temporary, path)
    finally:
        for temporary, _ in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _write_beside(path: Path, text: str) -> str:
    """``text`` in a new owner-only file in ``path``'s directory; its name."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise AllianceNotesError(f"cannot write {path}: {error.strerror or type(error).__name__}") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        os.unlink(temporary)
        raise AllianceNotesError(f"cannot write {path}: {error.strerror or type(error).__name__}") from None
    return temporary


def add_templates_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--templates DIR``: a clinic's own templates, overriding or extending built-in ones."""
    parser.add_argument(
        "--templates",
        metavar="DIR",
        action="append",
        help="a directory of the clinic's own templates (repeatable): they override built-in "
        "templates of the same name, can extend one as 'default:NAME', and run in a sandbox",
    )


def add_render_options(
    parser: argparse.ArgumentParser, *, when: str = "", format_options: bool = True
) -> None:
    """Add ``--placement``, ``--audience`` and (unless ``format_options`` is false) the
    repeatable ``--option NAME=VALUE`` of rendering.

    :param when: a condition to prefix the help with, e.g. ``"with --format: "``.
    """
    parser.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="record",
        help=f"{when}who the output is for: the medical record (default; no psychotherapy-note "
        "item anywhere), the private psychotherapy note (a separate document), the client "
        "(a short plain-language summary), or review (everything, with each suggestion's "
        "rule and confidence)",
    )
    parser.add_argument(
        "--placement",
        choices=PLACEMENTS,
        default="section",
        help=f"{when}put the alliance content in its own section after the host sections "
        "(default), or inline, each part inside the host section it belongs to",
    )
    if format_options:
        parser.add_argument(
            "--option",
            action="append",
            metavar="NAME=VALUE",
            help=f"{when}a format-specific option (repeatable)",
        )


def render_options(values: list[str] | None) -> dict[str, str]:
    """The ``--option NAME=VALUE`` arguments as a mapping; a value without ``=`` is an error."""
    options = {}
    for value in values or []:
        name, equals, setting = value.partition("=")
        if not equals or not name:
            raise AllianceNotesError(f"--option must look like NAME=VALUE (got '{name or value}=…')")
        options[name] = setting
    return options


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show transcript, extractor and placement warnings on standard error, one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if not caught:
        return
    # Imported only when there is something to show: a render must not pay for the readers.
    from alliance_notes.audiences import PlacementWarning  # noqa: PLC0415
    from alliance_notes.suggestions import SuggestionWarning  # noqa: PLC0415
    from alliance_notes.transcripts import TranscriptWarning  # noqa: PLC0415

    for warning in caught:
        if issubclass(warning.category, TranscriptWarning | SuggestionWarning | PlacementWarning):
            print(f"alliance-notes: warning: {warning.message}", file=sys.stderr)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
