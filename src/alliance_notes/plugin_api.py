"""Everything a plugin author imports, in one place.

Built-in plugins import only from here, so this module is the contract: names are added,
never removed or changed, without a major version.

>>> from alliance_notes.plugin_api import hookimpl, OutputFormat, RenderRequest
"""

from __future__ import annotations

from collections.abc import Callable

from alliance_notes.alliance import Alliance
from alliance_notes.check_settings import CheckSettings
from alliance_notes.checks import CheckException, CheckFinding, Severity
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
    ORS_CLINICAL_CUTOFFS,
    SRS_DISCUSSION_CUTOFF,
    SRS_ITEM_CUE,
    WAI_SR_SUBSCALES,
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
    format_score,
    ors_clinical_cutoff,
)
from alliance_notes.note import HostSection, ProgressNote
from alliance_notes.note_text import NoteText, Voice, note_texts
from alliance_notes.outline import Described, Part
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.vocabulary import (
    AgeBand,
    Audience,
    ConsentResponse,
    PartStatus,
    RepairOutcome,
    RuptureType,
    TrustState,
)
from alliance_notes.walk import instances_in

#: The ``register`` callback of ``alliance_register_formats``.
RegisterFormat = Callable[[OutputFormat], None]
#: The ``register`` callback of ``alliance_register_note_kinds``.
RegisterNoteKind = Callable[[type[ProgressNote]], None]

__all__ = [
    "ORS_CLINICAL_CUTOFFS",
    "SRS_DISCUSSION_CUTOFF",
    "SRS_ITEM_CUE",
    "WAI_SR_SUBSCALES",
    "AgeBand",
    "Alliance",
    "Audience",
    "Block",
    "CheckException",
    "CheckFinding",
    "CheckSettings",
    "ConsentResponse",
    "Described",
    "HostSection",
    "Item",
    "NoteDocument",
    "NoteText",
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
    "RepairOutcome",
    "RuptureType",
    "Section",
    "SessionRatingScale",
    "Severity",
    "Transcript",
    "TrustState",
    "Utterance",
    "Voice",
    "WorkingAllianceInventory",
    "build_document",
    "escape_document",
    "format_score",
    "hookimpl",
    "instances_in",
    "note_from_data",
    "note_texts",
    "ors_clinical_cutoff",
    "parse_json",
]
