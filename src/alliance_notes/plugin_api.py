"""Everything a plugin author imports, in one place.

Built-in plugins import only from here, so this module is the contract: names are added,
never removed or changed, without a major version.

>>> from alliance_notes.plugin_api import hookimpl, OutputFormat, RenderRequest
"""

from __future__ import annotations

from collections.abc import Callable

from alliance_notes.alliance import Alliance
from alliance_notes.checks import CheckFinding, Severity
from alliance_notes.document import (
    Block,
    Item,
    NoteDocument,
    Quote,
    Section,
    build_document,
    escape_document,
)
from alliance_notes.errors import NoteValidationError, PluginError, Problem, RenderError
from alliance_notes.evidence import Observation, Provenance
from alliance_notes.formats import OutputFormat, ReadFunction, RenderRequest
from alliance_notes.hookspecs import hookimpl
from alliance_notes.loading import note_from_data, parse_json
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
    format_score,
)
from alliance_notes.note import HostSection, ProgressNote
from alliance_notes.outline import Described, Part
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.vocabulary import Audience, PartStatus
from alliance_notes.walk import instances_in

#: The ``register`` callback of ``alliance_register_formats``.
RegisterFormat = Callable[[OutputFormat], None]
#: The ``register`` callback of ``alliance_register_note_kinds``.
RegisterNoteKind = Callable[[type[ProgressNote]], None]

__all__ = [
    "Alliance",
    "Audience",
    "Block",
    "CheckFinding",
    "Described",
    "HostSection",
    "Item",
    "NoteDocument",
    "NoteValidationError",
    "Observation",
    "OutcomeRatingScale",
    "OutputFormat",
    "Part",
    "PartStatus",
    "PluginError",
    "Problem",
    "ProgressNote",
    "Provenance",
    "Quote",
    "ReadFunction",
    "RegisterFormat",
    "RegisterNoteKind",
    "RenderError",
    "RenderRequest",
    "Section",
    "SessionRatingScale",
    "Severity",
    "Transcript",
    "Utterance",
    "WorkingAllianceInventory",
    "build_document",
    "escape_document",
    "format_score",
    "hookimpl",
    "instances_in",
    "note_from_data",
    "parse_json",
]
