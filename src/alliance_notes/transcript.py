"""A session transcript: who said what, in order, and when.

Extractors (``alliance_suggest_alliance``) read it; quote grounding checks evidence
quotes against it.  Load one from a file with :func:`alliance_notes.transcripts.load_transcript`
(plain "Speaker: text" lines, JSON, WebVTT or SRT).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from alliance_notes.fields import STRICT_MODEL, Text, problem
from alliance_notes.vocabulary import Speaker


def session_time(seconds: float) -> str:
    """Seconds from the start of the recording as ``HH:MM:SS``, the form evidence timestamps use.

    >>> session_time(1290.4)
    '00:21:30'
    """
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


class Utterance(BaseModel):
    """One turn of speech."""

    model_config = STRICT_MODEL

    speaker: Text = Field(description="The speaker's label as the transcript gives it, e.g. 'Therapist'.")
    role: Speaker = Field(description="The speaker's role in the session.")
    text: Text = Field(description="What was said.")
    start: Annotated[float, Field(ge=0)] | None = Field(default=None, description="Start, in seconds.")
    end: Annotated[float, Field(ge=0)] | None = Field(default=None, description="End, in seconds.")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Utterance:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise problem("time_order", "ends before it starts", at="end")
        return self

    @property
    def timestamp(self) -> str | None:
        """The start as ``HH:MM:SS`` (an evidence quote's ``timestamp``), or ``None`` when untimed."""
        return None if self.start is None else session_time(self.start)


class Transcript(BaseModel):
    """The utterances of one session, in the order they were spoken."""

    model_config = STRICT_MODEL

    utterances: list[Utterance] = Field(description="The turns of speech, in order.")

    def by_role(self, role: Speaker) -> list[tuple[int, Utterance]]:
        """The utterances of one role, each with its index in the transcript."""
        return [(index, turn) for index, turn in enumerate(self.utterances) if turn.role is role]

    @property
    def word_count(self) -> int:
        """How many words were spoken, all speakers together."""
        return sum(len(turn.text.split()) for turn in self.utterances)
