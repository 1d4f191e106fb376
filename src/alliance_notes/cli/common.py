"""Helpers shared by the subcommands: reading input, writing output, the host."""

from __future__ import annotations

import sys
from pathlib import Path

from alliance_notes.errors import AllianceNotesError
from alliance_notes.host import Host, create_host
from alliance_notes.note import ProgressNote


def open_host() -> Host:
    """A host with the installed plugins; failed plugins are mentioned on stderr."""
    host = create_host()
    for status in host.failed_plugins:
        print(
            f"alliance-notes: warning: plugin '{status.name}' is not loaded ({status.error}); "
            "run 'alliance-notes plugins' for details",
            file=sys.stderr,
        )
    return host


def read_input_note(host: Host, source: str) -> ProgressNote:
    """Read a note from a path, or from standard input when ``source`` is ``-``."""
    if source == "-":
        return host.read_note(sys.stdin.buffer.read(), "<stdin>")
    return host.load_note(source)


def write_output(text: str, destination: str | None) -> None:
    """Write text to a file, or to standard output when ``destination`` is ``None`` or ``-``."""
    if destination in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    path = Path(destination)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise AllianceNotesError(f"cannot write {path}: {error.strerror or type(error).__name__}") from None
