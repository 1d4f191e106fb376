"""What every alliance observation can carry: the words behind it, who recorded it, and
where it belongs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from alliance_notes.fields import STRICT_MODEL, SessionTime, Text, problem
from alliance_notes.vocabulary import Author, Record, Speaker


class Evidence(BaseModel):
    """A quote from the session that supports an observation."""

    model_config = STRICT_MODEL

    quote: Text = Field(description="The words as spoken, quoted exactly.")
    speaker: Speaker = Field(description="Whose words they are.")
    utterance_index: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Position of the utterance in the session transcript (0-based)."
    )
    timestamp: SessionTime | None = Field(
        default=None, description="When it was said, from the start of the recording."
    )


class Provenance(BaseModel):
    """Who put an item into the note, and whether a clinician has confirmed it.

    An item written by the clinician needs no provenance beyond the default.  An item
    suggested by an extractor or a language model names it, and stays a suggestion until
    ``confirmed`` is true.
    """

    model_config = STRICT_MODEL

    author: Author = Field(
        default=Author.CLINICIAN,
        description="Who wrote the item. Left out, the note's author did: the clinician, or, in an "
        "AI draft nobody has reviewed, the scribe that drafted it.",
    )
    suggested_by: Text | None = Field(
        default=None, description="The extractor or model that suggested it, e.g. 'alliance-rules 0.1'."
    )
    confirmed: bool = Field(
        default=False,
        description="For a suggested item: whether a clinician reviewed and confirmed it.",
    )
    rule: Text | None = Field(default=None, description="For an extractor: the rule that fired.")
    confidence: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="For an extractor or model: its confidence, 0 to 1."
    )

    @model_validator(mode="after")
    def _suggestions_name_their_source(self) -> Provenance:
        if self.author is Author.CLINICIAN:
            if self.suggested_by is not None or self.rule is not None or self.confidence is not None:
                raise problem(
                    "clinician_provenance",
                    "suggested_by, rule and confidence describe a suggestion; "
                    "set author to 'extractor' or 'language_model'",
                    at="author",
                )
            if self.confirmed:
                raise problem(
                    "clinician_provenance",
                    "applies to suggested items; an item the clinician wrote needs no confirmation",
                    at="confirmed",
                )
        elif self.suggested_by is None:
            raise problem(
                "unnamed_suggestion",
                "name the extractor or model that suggested the item",
                at="suggested_by",
            )
        return self

    @property
    def is_unconfirmed_suggestion(self) -> bool:
        """True for an item a machine suggested and no clinician has confirmed yet."""
        return self.author is not Author.CLINICIAN and not self.confirmed

    @property
    def label(self) -> str:
        """How the item's origin reads in a rendered note."""
        if self.author is Author.CLINICIAN:
            return "written by the clinician"
        state = "confirmed by the clinician" if self.confirmed else "not yet confirmed"
        return f"suggested by {self.suggested_by} ({self.author.label}), {state}"

    @property
    def mark(self) -> str:
        """The one short mark the record shows for the item's origin."""
        if self.author is Author.CLINICIAN:
            return "written by the clinician"
        return "AI-suggested, " + ("confirmed by the clinician" if self.confirmed else "not yet confirmed")


class Observation(BaseModel):
    """One thing the clinician (or a suggesting tool) noticed, with its support.

    Every alliance item derives from this: it can carry evidence quotes, its provenance,
    and whether it belongs in the progress-note record or a private psychotherapy note.
    """

    model_config = STRICT_MODEL

    evidence: list[Evidence] = Field(
        default_factory=list, description="Quotes from the session that support the item."
    )
    provenance: Provenance = Field(default_factory=Provenance, description="Who recorded the item.")
    belongs: Record | None = Field(
        default=None,
        description=(
            "The progress-note record, or a psychotherapy note kept separate from the record "
            "(detailed analysis of the session's conversation). Left out: not placed — the item "
            "is kept out of the record, like a psychotherapy note, until a clinician places it."
        ),
    )

    @property
    def kept_out_of_record(self) -> bool:
        """True for an item the record must not carry: one placed in the psychotherapy note,
        or one whose place nobody recorded (treated as private until a clinician places it)."""
        return self.belongs is not Record.PROGRESS_NOTE


class Finding(Observation):
    """A free-text observation."""

    text: Text = Field(description="What was observed, in the clinician's words.")
