"""alliance-notes: structured therapeutic-alliance sections for psychotherapy progress notes.

For a pipeline::

    from alliance_notes import create_host

    host = create_host()                      # loads the installed format plugins
    note = host.read_note(draft_json)         # validates; NoteValidationError lists every problem
    markdown = host.render(note, "markdown")  # or "text", or any plugin's format

    # with the session transcript: suggested alliance findings, every quote checked
    note, findings, quote_problems = extend(note, "session.vtt")

Names are imported on first use, so ``import alliance_notes`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "create_host": "alliance_notes.host",
    "Host": "alliance_notes.host",
    "load_note": "alliance_notes.loading",
    "read_note": "alliance_notes.loading",
    "ProgressNote": "alliance_notes.note",
    "SoapNote": "alliance_notes.note",
    "DapNote": "alliance_notes.note",
    "BirpNote": "alliance_notes.note",
    "GirpNote": "alliance_notes.note",
    "Session": "alliance_notes.note",
    "Authorship": "alliance_notes.note",
    "Alliance": "alliance_notes.alliance",
    "Evidence": "alliance_notes.evidence",
    "Provenance": "alliance_notes.evidence",
    "Finding": "alliance_notes.evidence",
    "Transcript": "alliance_notes.transcript",
    "Utterance": "alliance_notes.transcript",
    "load_transcript": "alliance_notes.transcripts",
    "read_transcript": "alliance_notes.transcripts",
    "TranscriptError": "alliance_notes.transcripts",
    "extend": "alliance_notes.pipeline",
    "Extended": "alliance_notes.pipeline",
    "check_quotes": "alliance_notes.grounding",
    "note_schema": "alliance_notes.schema",
    "AllianceNotesError": "alliance_notes.errors",
    "NoteValidationError": "alliance_notes.errors",
    "PluginError": "alliance_notes.errors",
    "RenderError": "alliance_notes.errors",
    "UnknownFormatError": "alliance_notes.errors",
    "Problem": "alliance_notes.errors",
}

__all__ = [
    "Alliance",
    "AllianceNotesError",
    "Authorship",
    "BirpNote",
    "DapNote",
    "Evidence",
    "Extended",
    "Finding",
    "GirpNote",
    "Host",
    "NoteValidationError",
    "PluginError",
    "Problem",
    "ProgressNote",
    "Provenance",
    "RenderError",
    "Session",
    "SoapNote",
    "Transcript",
    "TranscriptError",
    "UnknownFormatError",
    "Utterance",
    "__version__",
    "check_quotes",
    "create_host",
    "extend",
    "load_note",
    "load_transcript",
    "note_schema",
    "read_note",
    "read_transcript",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alliance_notes' has no attribute '{name}'")
    return getattr(import_module(module), name)


if TYPE_CHECKING:
    from alliance_notes.alliance import Alliance
    from alliance_notes.errors import (
        AllianceNotesError,
        NoteValidationError,
        PluginError,
        Problem,
        RenderError,
        UnknownFormatError,
    )
    from alliance_notes.evidence import Evidence, Finding, Provenance
    from alliance_notes.grounding import check_quotes
    from alliance_notes.host import Host, create_host
    from alliance_notes.loading import load_note, read_note
    from alliance_notes.note import (
        Authorship,
        BirpNote,
        DapNote,
        GirpNote,
        ProgressNote,
        Session,
        SoapNote,
    )
    from alliance_notes.pipeline import Extended, extend
    from alliance_notes.schema import note_schema
    from alliance_notes.transcript import Transcript, Utterance
    from alliance_notes.transcripts import TranscriptError, load_transcript, read_transcript
