"""The call a note-generation pipeline makes: a draft note and the session transcript in,
the note extended with suggested alliance findings out, every quote checked.

>>> from alliance_notes import extend
>>> note, findings, quote_problems = extend("examples/soap_note.json",
...                                         "examples/soap_transcript.txt")  # doctest: +SKIP

``findings`` is everything the installed extractors suggested (merged, without
duplicates, each item with its provenance and ``confirmed`` false); ``note`` is the draft
with the suggestions that add something new; ``quote_problems`` lists every evidence quote
of the extended note that the transcript does not ground (empty when all are grounded).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from alliance_notes.alliance import Alliance
from alliance_notes.grounding import QuoteProblem, check_quotes
from alliance_notes.host import Host, create_host
from alliance_notes.note import ProgressNote
from alliance_notes.suggestions import add_suggestions
from alliance_notes.transcript import Transcript
from alliance_notes.transcripts import load_transcript
from alliance_notes.vocabulary import Speaker, WrittenBy


class Extended(NamedTuple):
    """What :func:`extend` returns."""

    #: The draft note with the suggestions that add something new.
    note: ProgressNote
    #: Everything the extractors suggested, merged, each item with its provenance.
    findings: Alliance
    #: Evidence quotes of the extended note that the transcript does not ground.
    quote_problems: list[QuoteProblem]


def extend(
    note: ProgressNote | str | Path,
    transcript: Transcript | str | Path,
    *,
    host: Host | None = None,
    speakers: Mapping[str, Speaker | str] | None = None,
) -> Extended:
    """Extend a draft note with alliance findings suggested from the session transcript.

    :param note: the draft note, or the path of its JSON file.
    :param transcript: the transcript, or the path of a transcript file (plain text,
        JSON, WebVTT or SRT; see :mod:`alliance_notes.transcripts`).
    :param host: the host whose extractor plugins run (default: a new host with the
        installed plugins).
    :param speakers: label → role (a :class:`~alliance_notes.vocabulary.Speaker` or its
        value) for a transcript file whose roles the labels do not say.
    :raises NoteValidationError: when the note is not valid.
    :raises TranscriptError: when the transcript cannot be read.
    """
    host = host or create_host()
    if not isinstance(note, ProgressNote):
        note = host.load_note(note)
    if not isinstance(transcript, Transcript):
        transcript = load_transcript(transcript, speakers=speakers)
    findings = host.suggest(transcript, note)
    extended = with_suggestions(note, findings)
    return Extended(extended, findings, check_quotes(extended, transcript))


def with_suggestions(note: ProgressNote, findings: Alliance) -> ProgressNote:
    """The note with the suggested findings that add something new (see
    :func:`~alliance_notes.suggestions.add_suggestions`), validated again.

    A reviewed AI draft that gains unconfirmed suggestions says so
    (``ai_draft_reviewed_with_suggestions``): the note never claims a review its new
    suggestions have not had, and what the clinician reviewed keeps its attribution.
    """
    data = note.model_dump(mode="json", exclude_none=True)
    alliance = add_suggestions(note.alliance, findings)
    if note.authorship.written_by is WrittenBy.AI_DRAFT_REVIEWED and alliance.unconfirmed_suggestions():
        # The review covered the draft, not these new suggestions.
        data["authorship"]["written_by"] = WrittenBy.AI_DRAFT_REVIEWED_WITH_SUGGESTIONS.value
    data["alliance"] = alliance.model_dump(mode="json", exclude_none=True)
    return type(note).model_validate(data)
