"""A session transcript: who said what, in order, and when.

Extractors (``alliance_suggest_alliance``) read it; quote grounding checks evidence
quotes against it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from alliance_notes.fields import STRICT_MODEL, Text, problem
from alliance_notes.vocabulary import Speaker


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


class Transcript(BaseModel):
    """The utterances of one session, in the order they were spoken."""

    model_config = STRICT_MODEL

    utterances: list[Utterance] = Field(description="The turns of speech, in order.")

    def by_role(self, role: Speaker) -> list[tuple[int, Utterance]]:
        """The utterances of one role, each with its index in the transcript."""
        return [(index, turn) for index, turn in enumerate(self.utterances) if turn.role is role]
