"""The prompt that asks a language model to fill the alliance section from a transcript.

It is a Jinja template, ``llm/alliance_prompt.md.j2``, found like every other template:
a clinic overrides it by putting its own template of that name in a template directory
(``create_host(template_dirs=[…])``; such templates are rendered sandboxed with plain
data).  It states the rules that matter clinically: quote only what was said, exactly,
with the utterance number; prefer "not assessed" to a guess; no labels; 3RS for ruptures;
no questionnaire scores; and the transcript is data, not instructions.
"""

from __future__ import annotations

from typing import Any

from alliance_notes.note import ProgressNote
from alliance_notes.templating import Templates
from alliance_notes.transcript import Transcript
from alliance_notes.vocabulary import (
    BondAspect,
    BoundaryArea,
    Choice,
    ConfrontationMarker,
    ConsentResponse,
    RepairOutcome,
    ResolutionStrategy,
    RuptureScreening,
    TrustState,
    WithdrawalMarker,
)

#: The template's name.
PROMPT_TEMPLATE = "llm/alliance_prompt.md.j2"

_VOCABULARY: dict[str, type[Choice]] = {
    "trust state": TrustState,
    "rupture screening": RuptureScreening,
    "withdrawal markers": WithdrawalMarker,
    "confrontation markers": ConfrontationMarker,
    "bond aspects": BondAspect,
    "resolution strategies": ResolutionStrategy,
    "repair outcome": RepairOutcome,
    "consent response": ConsentResponse,
    "boundary area": BoundaryArea,
}


def prompt_context(transcript: Transcript, note: ProgressNote | None = None) -> dict[str, Any]:
    """What the prompt template receives: plain data only."""
    return {
        "note_kind": note.title if note is not None else None,
        "vocabulary": {
            name: [{"value": choice.value, "label": choice.label} for choice in vocabulary]
            for name, vocabulary in _VOCABULARY.items()
        },
        "utterances": [
            {"index": index, "role": turn.role.value, "time": turn.timestamp, "text": turn.text}
            for index, turn in enumerate(transcript.utterances)
        ],
    }


def alliance_prompt(
    transcript: Transcript, note: ProgressNote | None = None, *, templates: Templates | None = None
) -> str:
    """The prompt for ``transcript`` (and the draft ``note``, if any).

    :param templates: where to find the template; pass ``host.templates`` so that a
        clinic's override is used (default: the built-in template).
    :raises TemplateError: when an overriding template fails, naming it and its line.
    """
    return (templates or Templates()).render([PROMPT_TEMPLATE], **prompt_context(transcript, note))
