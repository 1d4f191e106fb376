"""Every piece of free text in a note, with its field path and whose words it is.

Text checks (respectful language, pronouns) read a note's words through :func:`note_texts`:
the host sections, then every text field of the alliance section in field order.  Each text
says whose voice it is in, because a check treats them differently: an evidence quote is the
client's (or someone else's) own speech and is never the clinician's language.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from alliance_notes.alliance import FeedbackAnswer, Pronouns
from alliance_notes.evidence import Evidence, Provenance
from alliance_notes.fields import is_clinical_text
from alliance_notes.note import ProgressNote
from alliance_notes.vocabulary import Choice


class Voice(Choice):
    """Whose words a text is."""

    #: The clinician's own writing: host sections, findings, descriptions, topics, plans.
    CLINICIAN = "clinician"
    #: Speech quoted verbatim from the session (an evidence quote): the speaker's own words.
    QUOTED = "quoted"
    #: The client's words as the note records them (a check-in answer, their pronouns).
    CLIENT = "client"
    #: The clinician's words addressed to the client (a check-in question).
    TO_CLIENT = "to_client"


#: Text fields whose words are not the clinician's, by model and field name.
_VOICES: dict[tuple[type[BaseModel], str], Voice] = {
    (Evidence, "quote"): Voice.QUOTED,
    (FeedbackAnswer, "answer"): Voice.CLIENT,
    (FeedbackAnswer, "question"): Voice.TO_CLIENT,
    (Pronouns, "recorded"): Voice.CLIENT,
}
#: Models whose text is about the note, not clinical writing (who suggested an item).
_NOT_NOTE_TEXT: tuple[type[BaseModel], ...] = (Provenance,)


@dataclass(frozen=True)
class NoteText:
    """One text field's words.

    :param location: the field path, e.g. ``assessment`` or ``alliance.ruptures[0].description``.
    :param text: the field's text.
    :param voice: whose words they are.
    """

    location: str
    text: str
    voice: Voice


def _may_hold_models(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_models(argument) for argument in typing.get_args(annotation))


@cache
def _text_fields(model: type[BaseModel]) -> tuple[tuple[str, Voice | None], ...]:
    """The model's fields worth visiting, read once per model class: ``(name, voice)`` for a
    field of clinical text, ``(name, None)`` for one that may hold models with text."""
    if issubclass(model, _NOT_NOTE_TEXT):
        return ()
    fields: list[tuple[str, Voice | None]] = []
    for name, info in model.model_fields.items():
        if is_clinical_text(info):
            voice = next(
                (v for (owner, field), v in _VOICES.items() if field == name and issubclass(model, owner)),
                Voice.CLINICIAN,
            )
            fields.append((name, voice))
        elif _may_hold_models(info.annotation):
            fields.append((name, None))
    return tuple(fields)


def _texts(model: BaseModel, path: str) -> Iterator[NoteText]:
    for name, voice in _text_fields(type(model)):
        value = getattr(model, name)
        here = f"{path}.{name}"
        if voice is not None:
            if isinstance(value, str):
                yield NoteText(here, value, voice)
            elif isinstance(value, list):
                for index, text in enumerate(value):
                    if isinstance(text, str):
                        yield NoteText(f"{here}[{index}]", text, voice)
        elif isinstance(value, BaseModel):
            yield from _texts(value, here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts(item, f"{here}[{index}]")


def note_texts(note: ProgressNote) -> Iterator[NoteText]:
    """Every free text of ``note``: its host sections in order, then the alliance section's."""
    for section in note.host_sections:
        text = note.section_text(section.key)
        if text is not None:
            yield NoteText(section.key, text, Voice.CLINICIAN)
    yield from _texts(note.alliance, "alliance")
