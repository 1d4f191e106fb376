"""The alliance section as a language model fills it: the shape the provider schemas are
made from (see :mod:`alliance_notes.llm.schema`).

It follows :class:`~alliance_notes.alliance.Alliance` field for field, made to suit strict
structured-output modes (domain reference §8):

* every field is required; "optional" is a union with null, so the model always says
  "nothing" explicitly instead of leaving a key out;
* no defaults, no numeric bounds or string lengths (significance is an enum 1–5);
* no field description beside a reference to another definition (the OpenAI SDK would
  inline it and the schema would no longer be the one sent);
* provenance is not asked for: :func:`alliance_notes.llm.parse` adds it (author
  ``language_model``, unconfirmed), and the evidence timestamp, which it takes from the
  transcript by utterance index;
* measures are not asked for: SRS, ORS and WAI-SR scores come from the client's own
  forms, never from a transcript.

Fewer than sixteen fields are nullable, within Anthropic's limit on union types.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from alliance_notes.vocabulary import (
    Assessment,
    BondAspect,
    BoundaryArea,
    ConfrontationMarker,
    ConsentResponse,
    InitiatedBy,
    RepairOutcome,
    ResolutionStrategy,
    RuptureScreening,
    RuptureType,
    Speaker,
    TrustState,
    WithdrawalMarker,
)

_STRICT = ConfigDict(extra="forbid", frozen=True)


class LlmEvidence(BaseModel):
    """Words quoted from the transcript, exactly as spoken, from one utterance."""

    model_config = _STRICT

    quote: str = Field(description="The words copied exactly from one utterance; no paraphrase.")
    speaker: Speaker
    utterance_index: int = Field(description="The number in [brackets] of the utterance quoted.")


class LlmFinding(BaseModel):
    """An observation in a sentence, with the quotes that support it."""

    model_config = _STRICT

    text: str = Field(description="What was observed, briefly, in clinical language.")
    evidence: list[LlmEvidence] = Field(description="Quotes that support it.")


class LlmTrust(BaseModel):
    """Trust this session: how it moved, and what built or strained it."""

    model_config = _STRICT

    state: TrustState
    built_by: list[LlmFinding] = Field(description="What built trust.")
    strained_by: list[LlmFinding] = Field(description="What strained trust.")


class LlmPronouns(BaseModel):
    """The client's pronouns, in the client's words, and whether the clinician used them."""

    model_config = _STRICT

    recorded: str = Field(description="The pronouns the client stated, e.g. 'they/them'.")
    used_correctly: bool | None = Field(description="Whether they were used correctly; null if unclear.")
    evidence: list[LlmEvidence] = Field(description="Quotes that support it.")


class LlmRespect(BaseModel):
    """Respect: the client's voice, identity, power and trauma sensitivity, pronouns, strengths."""

    model_config = _STRICT

    status: Assessment
    client_voice: list[LlmFinding] = Field(
        description="How the client's voice and choices guided the session."
    )
    cultural_identity: list[LlmFinding] = Field(description="Cultural identity considerations raised.")
    power_and_trauma_sensitivity: list[LlmFinding] = Field(description="Attention to power and trauma.")
    pronouns: LlmPronouns | None
    strengths: list[LlmFinding] = Field(description="Strengths the clinician noticed and named.")


class LlmBoundaryEvent(BaseModel):
    """A moment a boundary was raised, tested or crossed, and how it was handled."""

    model_config = _STRICT

    area: BoundaryArea
    initiated_by: InitiatedBy
    description: str = Field(description="What happened.")
    handling: str | None = Field(description="How the clinician handled it; null if not handled.")
    evidence: list[LlmEvidence] = Field(description="Quotes that support it.")


class LlmBoundaries(BaseModel):
    """Boundaries: ending on time, roles and contact, confidentiality, boundary events."""

    model_config = _STRICT

    status: Assessment
    ended_on_time: bool | None = Field(description="Whether the session ended on time; null if not evident.")
    roles_and_contact: list[LlmFinding] = Field(description="Roles and contact outside sessions.")
    confidentiality: list[LlmFinding] = Field(description="How private information was handled or discussed.")
    events: list[LlmBoundaryEvent] = Field(description="Boundary events.")


class LlmConsentCheck(BaseModel):
    """A topic the clinician asked about before entering it, and the client's answer."""

    model_config = _STRICT

    topic: str = Field(description="The topic, briefly.")
    response: ConsentResponse
    evidence: list[LlmEvidence] = Field(description="The question and the answer, quoted.")


class LlmDeclinedTopic(BaseModel):
    """Something the client declined, and whether the clinician honoured it."""

    model_config = _STRICT

    topic: str = Field(description="What the client declined.")
    honoured: bool = Field(description="Whether the clinician honoured the decision.")
    evidence: list[LlmEvidence] = Field(description="Quotes that support it.")


class LlmAutonomyAndConsent(BaseModel):
    """Autonomy and consent: asking first, offering choices, accepting limits, pace."""

    model_config = _STRICT

    status: Assessment
    consent_checks: list[LlmConsentCheck] = Field(description="Topics asked about before entering them.")
    choices_offered: list[LlmFinding] = Field(description="Choices the clinician offered.")
    declined: list[LlmDeclinedTopic] = Field(description="What the client declined.")
    pace: LlmFinding | None


class LlmRupture(BaseModel):
    """A 3RS rupture: a strain or breakdown in the alliance, with its markers."""

    model_config = _STRICT

    id: str = Field(description="A short id such as 'r1', unique in the section; repairs refer to it.")
    type: RuptureType
    withdrawal_markers: list[WithdrawalMarker] = Field(description="Only for a withdrawal rupture.")
    confrontation_markers: list[ConfrontationMarker] = Field(description="Only for a confrontation rupture.")
    bond_aspects: list[BondAspect] = Field(description="Which parts of the alliance it touched.")
    significance: Literal[1, 2, 3, 4, 5] = Field(description="3RS significance, 1 (slight) to 5 (major).")
    description: str = Field(description="What happened, briefly.")
    clinician_contribution: str | None = Field(description="The clinician's own part, if evident; else null.")
    evidence: list[LlmEvidence] = Field(description="Quotes showing the markers.")


class LlmRepair(BaseModel):
    """How a rupture was addressed (3RS resolution strategies) and how far it resolved."""

    model_config = _STRICT

    rupture: str = Field(description="The id of the rupture repaired.")
    strategies: list[ResolutionStrategy] = Field(description="3RS resolution strategies used.")
    outcome: RepairOutcome | None = Field(
        description="How far the rupture was resolved, judged from the client's response; "
        "null if it cannot be told."
    )
    description: str | None = Field(
        description="What the clinician did, briefly; null if evident from quotes."
    )
    client_response: str | None = Field(description="How the client responded; null if unclear.")
    evidence: list[LlmEvidence] = Field(description="Quotes showing the repair.")


class LlmFeedbackAnswer(BaseModel):
    """The client's answer to a check-in question about the relationship."""

    model_config = _STRICT

    question: str = Field(description="The question the clinician asked.")
    answer: str = Field(description="The client's answer, briefly or quoted.")
    evidence: list[LlmEvidence] = Field(description="The question and the answer, quoted.")


class LlmFollowUp(BaseModel):
    """Something to do about the alliance next session."""

    model_config = _STRICT

    text: str = Field(description="The follow-up.")
    rupture: str | None = Field(description="The id of the rupture it follows up, or null.")
    evidence: list[LlmEvidence] = Field(description="Quotes that support it, if any.")


class LlmAlliance(BaseModel):
    """The therapeutic-alliance section of a progress note, filled from a session transcript.

    Record only what the transcript shows.  A part not looked at is 'not_assessed', never
    'assessed' with nothing in it.
    """

    model_config = _STRICT

    summary: LlmFinding | None
    trust: LlmTrust
    respect: LlmRespect
    boundaries: LlmBoundaries
    autonomy_and_consent: LlmAutonomyAndConsent
    rupture_screening: RuptureScreening
    ruptures: list[LlmRupture] = Field(description="Ruptures observed (3RS).")
    repairs: list[LlmRepair] = Field(description="Repairs of those ruptures.")
    client_feedback: list[LlmFeedbackAnswer] = Field(description="Answers to check-in questions.")
    plan: list[LlmFollowUp] = Field(description="Alliance follow-ups for next session.")
