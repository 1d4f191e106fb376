"""Notes and a plugin for the batch tests, importable by name in worker processes
(``"batch_support:FRAGILE"``), which is how a batch's job brings its plugins along."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alliance_notes.examples import example_notes
from plugin_support import format_plugin

#: The client code of a note the fragile format fails on.
BREAKS_THE_PLUGIN = "C-BREAK"
#: Text put in every note the tests make, to prove no error message repeats a note's text.
CLINICAL_TEXT = "Client described the night shift at the bakery"


def _render(request: Any) -> str:
    if request.note.session.client == BREAKS_THE_PLUGIN:
        raise ValueError("the fragile format fails on this note")
    return f"{request.note.kind} {request.note.session.client} {request.note.session.date}"


#: A format plugin (``fragile``) that fails on notes of client :data:`BREAKS_THE_PLUGIN`.
FRAGILE = format_plugin("fragile", render=_render)


def note_data(client: str = "C-0001", day: int = 1) -> dict[str, Any]:
    """The example SOAP note for another client and day, with :data:`CLINICAL_TEXT`."""
    data: dict[str, Any] = json.loads(example_notes()["soap"].read_text(encoding="utf-8"))
    data["session"]["client"] = client
    data["session"]["date"] = f"2026-03-{day:02d}"
    data["alliance"]["summary"]["text"] = CLINICAL_TEXT
    return data


def note_line(client: str = "C-0001", day: int = 1) -> bytes:
    """:func:`note_data` as one line of JSON Lines (with its newline)."""
    return json.dumps(note_data(client, day)).encode("utf-8") + b"\n"


def mixed_lines() -> bytes:
    """Good notes mixed with broken ones: JSON that is not a note, a line that is not UTF-8,
    a note with a 10 MB field, a note the fragile format fails on, a blank line, and a last
    line cut short (no newline).  Eleven notes in all (lines 1-5 and 7-12): six good, the
    10 MB one among them, and five that fail (lines 2, 4, 7, 10 and 12)."""
    huge = note_data("C-0005", 5)
    huge["alliance"]["summary"]["text"] = "word " * 2_000_000
    broken_json = note_line("C-0009", 9)[:-40]
    return b"".join(
        [
            note_line("C-0001", 1),
            b'{"kind": "soap", "session": {"client": "C-0002"}}\n',
            note_line("C-0003", 3),
            b"\xff\xfe not UTF-8 \x80\n",
            json.dumps(huge).encode("utf-8") + b"\n",
            b"   \n",
            note_line(BREAKS_THE_PLUGIN, 6),
            note_line("C-0007", 7),
            note_line("C-0008", 8),
            b"[1, 2, 3]\n",
            note_line("C-0010", 10),
            broken_json,
        ]
    )


def write_lines(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` and return the path."""
    path.write_bytes(data)
    return path
