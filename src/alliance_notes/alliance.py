"""The therapeutic-alliance section: trust, respect, boundaries, autonomy and consent,
ruptures and repairs, measures, client feedback and the alliance plan.

Concepts follow the project's domain reference §2–§4 (the seed article's trust, respect,
boundaries, autonomy, culture, pronouns and check-in questions; the 3RS for ruptures and
their resolution; SRS, WAI-SR and ORS for measures).

Every part distinguishes "not assessed" from "assessed, nothing found": an empty part is
*not assessed*, and a part that was looked at says so with ``status: assessed`` (or, for
ruptures, ``rupture_screening: none_observed``) even when nothing is listed.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from alliance_notes.evidence import Finding, Observation, Provenance
from alliance_notes.fields import STRICT_MODEL, LocalId, Significance, Text, problem
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
)
from alliance_notes.outline import Described, Part, alliance_outline
from alliance_notes.vocabulary import (
    Assessment,
    Author,
    BondAspect,
    BoundaryArea,
    ConfrontationMarker,
    ConsentResponse,
    InitiatedBy,
    PartStatus,
    RepairOutcome,
    ResolutionStrategy,
    RuptureScreening,
    RuptureType,
    TrustState,
    WithdrawalMarker,
)
from alliance_notes.walk import instances_in


class _AssessedPart(BaseModel):
    """A part of the alliance that is either not assessed or assessed (maybe empty).

    When ``status`` is left out it follows the content: anything recorded means the part
    was assessed.  Saying ``not_assessed`` while recording content is a contradiction and
    an error.
    """

    model_config = STRICT_MODEL

    status: Annotated[
        Assessment,
        Described(
            "Assessed",
            prompt="tick “assessed” if you attended to {part} this session, even with nothing to "
            "note; blank means not assessed.",
        ),
    ] = Field(
        default=Assessment.NOT_ASSESSED,
        description="'assessed' when this part was looked at, even if nothing is listed. "
        "Left out, it follows the content: assessed when anything is recorded, else not assessed.",
    )

    def has_content(self) -> bool:
        """True when anything besides the status is recorded."""
        return any(
            getattr(self, name) not in (None, [], ()) for name in type(self).model_fields if name != "status"
        )

    @model_validator(mode="before")
    @classmethod
    def _status_follows_content(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status" not in data:
            recorded = any(value not in (None, [], {}) for value in data.values())
            if recorded:
                return {**data, "status": Assessment.ASSESSED.value}
        return data

    @model_validator(mode="after")
    def _no_content_when_not_assessed(self) -> _AssessedPart:
        if self.status is Assessment.NOT_ASSESSED and self.has_content():
            raise problem(
                "not_assessed_with_content",
                "is 'not_assessed' but observations are recorded; set it to 'assessed'",
                at="status",
            )
        return self


class Trust(BaseModel):
    """Trust this session: its state, and what built or strained it."""

    model_config = STRICT_MODEL

    state: Annotated[
        TrustState,
        Described(
            "State this session", prompt="how did trust move? Tick one.", form_label="Trust this session"
        ),
    ] = Field(default=TrustState.NOT_ASSESSED, description="How trust moved in this session.")
    built_by: Annotated[
        list[Finding],
        Described(
            "Built trust",
            prompt="what helped the client feel secure: being consistent, remembering something "
            "from an earlier session, acknowledging effort, validating a feeling, letting "
            "them set the pace (“share only when you're ready”)?",
        ),
    ] = Field(
        default_factory=list,
        description="What built trust: consistency, remembering earlier content, validating, "
        "letting the client set the pace.",
    )
    strained_by: Annotated[
        list[Finding],
        Described("Strained trust", prompt="any moment the client may have felt misread, judged or rushed?"),
    ] = Field(default_factory=list, description="What strained trust: feeling misread, judged, rushed.")

    @model_validator(mode="after")
    def _state_given_with_observations(self) -> Trust:
        if self.state is TrustState.NOT_ASSESSED and (self.built_by or self.strained_by):
            raise problem(
                "not_assessed_with_content",
                "is 'not_assessed' but trust observations are recorded; "
                "give the state (strengthening, steady or strained)",
                at="state",
            )
        return self


class Pronouns(Observation):
    """The client's pronouns as the client gave them, and whether they were used."""

    recorded: Text = Field(
        description="The pronouns the client uses, in the client's words, e.g. 'they/them'."
    )
    used_correctly: Annotated[bool | None, Described("Used correctly this session")] = Field(
        default=None,
        description="Whether the clinician used them correctly this session; leave out if not assessed.",
    )


class Respect(_AssessedPart):
    """Respect: the client's voice, identity, power and trauma sensitivity, pronouns, strengths."""

    client_voice: Annotated[
        list[Finding],
        Described(
            "Client's voice and choices",
            prompt="how the client's voice and choices guided the session, as the guide of their own story.",
        ),
    ] = Field(
        default_factory=list,
        description="How the client's voice and choices guided the session.",
    )
    cultural_identity: Annotated[
        list[Finding],
        Described(
            "Cultural identity",
            prompt="race, gender, class, religion, ability and more: what mattered, what you "
            "asked about, any cue you may have missed.",
        ),
    ] = Field(
        default_factory=list,
        description="Cultural identity considerations (race, gender, class, religion, ability …).",
    )
    power_and_trauma_sensitivity: Annotated[
        list[Finding],
        Described(
            "Power and trauma sensitivity",
            prompt="attention to the power difference between you, and to trauma.",
        ),
    ] = Field(default_factory=list, description="Attention to power differences and trauma.")
    pronouns: Annotated[
        Pronouns | None,
        Described(
            "Pronouns",
            prompt="the pronouns the client uses, in their words, and whether you used them correctly.",
        ),
    ] = Field(default=None, description="Pronouns recorded and used.")
    strengths: Annotated[
        list[Finding],
        Described(
            "Strength noticed",
            prompt="strengths you noticed and named: the whole person, not a label.",
            form_label="Strengths noticed",
        ),
    ] = Field(default_factory=list, description="Strengths the clinician noticed and named.")


class BoundaryEvent(Observation):
    """A moment when a boundary was raised, tested or crossed, and how it was handled."""

    description: Annotated[Text, Described("What happened")] = Field(description="What happened.")
    area: Annotated[BoundaryArea, Described("Area")] = Field(description="What the boundary concerned.")
    initiated_by: Annotated[InitiatedBy, Described("Raised by")] = Field(
        description="Who raised or tested it."
    )
    handling: Annotated[Text | None, Described("How it was handled", form_label="How you handled it")] = (
        Field(default=None, description="How the clinician handled it.")
    )


class Boundaries(_AssessedPart):
    """Boundaries: time, roles and contact outside sessions, confidentiality, events."""

    ended_on_time: Annotated[bool | None, Described("Session ended on time", prompt="tick one.")] = Field(
        default=None, description="Whether the session ended on time; leave out if not noted."
    )
    roles_and_contact: Annotated[
        list[Finding],
        Described(
            "Roles and contact outside sessions",
            prompt="contact between sessions, other roles you share, meeting outside therapy.",
        ),
    ] = Field(default_factory=list, description="Roles and contact outside sessions.")
    confidentiality: Annotated[
        list[Finding],
        Described("Confidentiality", prompt="how private information was handled or discussed."),
    ] = Field(default_factory=list, description="How private information was handled or discussed.")
    events: Annotated[
        list[BoundaryEvent],
        Described(
            "Boundary event",
            prompt="was a boundary raised, tested or crossed (a request for contact, a gift, "
            "running over time)? What happened, who raised it, and how you handled it "
            "without over-stepping or rescuing.",
            form_label="Boundary tested",
        ),
    ] = Field(default_factory=list, description="Boundary events and how they were handled.")


class ConsentCheck(Observation):
    """A topic the clinician asked about before entering it."""

    topic: Annotated[Text, Described("Topic")] = Field(description="The topic, described briefly.")
    response: Annotated[ConsentResponse, Described("Client's answer")] = Field(
        description="How the client answered."
    )


class DeclinedTopic(Observation):
    """Something the client declined, and whether that was honoured."""

    topic: Annotated[Text, Described("What the client declined")] = Field(
        description="What the client declined."
    )
    honoured: Annotated[bool, Described("Honoured")] = Field(
        description="Whether the clinician honoured the decision."
    )


class AutonomyAndConsent(_AssessedPart):
    """Autonomy and consent: asking first, offering choices, accepting limits, pace."""

    consent_checks: Annotated[
        list[ConsentCheck],
        Described(
            "Asked before entering a topic",
            prompt="did you ask before going into a difficult topic (“Would it feel okay to talk "
            "about some of your past, or is that too much for now?”)? The topic and the "
            "client's answer.",
            form_label="Asked before a hard topic",
        ),
    ] = Field(default_factory=list, description="Topics asked about before entering them.")
    choices_offered: Annotated[
        list[Finding],
        Described(
            "Choice offered",
            prompt="choices you offered about what to work on and how.",
            form_label="Choices offered",
        ),
    ] = Field(default_factory=list, description="Choices the clinician offered the client.")
    declined: Annotated[
        list[DeclinedTopic],
        Described(
            "Declined by the client",
            prompt="anything the client said no to, and whether that was honoured.",
        ),
    ] = Field(default_factory=list, description="What the client declined, and that it was honoured.")
    pace: Annotated[
        Finding | None,
        Described("Pace agreed", prompt="the pace you and the client agreed (“We'll move at your pace”)."),
    ] = Field(default=None, description="The pace the client and clinician agreed.")


class Rupture(Observation):
    """A strain or breakdown in the alliance (3RS), with its markers and significance."""

    description: Annotated[Text, Described("What happened")] = Field(description="What happened, briefly.")
    id: Annotated[LocalId, Described("Rupture id", prompt="leave blank for r1, r2 … in order")] = Field(
        description="Identifier a repair refers to, e.g. 'r1'."
    )
    type: Annotated[RuptureType, Described("Type", prompt="moves away, or moves against")] = Field(
        description="Withdrawal (moves away) or confrontation (moves against)."
    )
    significance: Annotated[Significance, Described("Significance", prompt="1 slight – 5 major")] = Field(
        description="3RS significance, 1 (slight) to 5 (major)."
    )
    withdrawal_markers: Annotated[list[WithdrawalMarker], Described("Withdrawal markers")] = Field(
        default_factory=list, description="3RS withdrawal markers observed."
    )
    confrontation_markers: Annotated[list[ConfrontationMarker], Described("Confrontation markers")] = Field(
        default_factory=list, description="3RS confrontation markers observed."
    )
    bond_aspects: Annotated[list[BondAspect], Described("Touched")] = Field(
        default_factory=list, description="Which part of the alliance it touched."
    )
    clinician_contribution: Annotated[
        Text | None, Described("Clinician's contribution", form_label="Your part in it")
    ] = Field(default=None, description="The clinician's own part in the rupture.")

    @model_validator(mode="after")
    def _markers_match_type(self) -> Rupture:
        if self.type is RuptureType.WITHDRAWAL and self.confrontation_markers:
            raise problem(
                "marker_type",
                "confrontation markers given for a withdrawal rupture; record a separate "
                "confrontation rupture or change the type",
                at="confrontation_markers",
            )
        if self.type is RuptureType.CONFRONTATION and self.withdrawal_markers:
            raise problem(
                "marker_type",
                "withdrawal markers given for a confrontation rupture; record a separate "
                "withdrawal rupture or change the type",
                at="withdrawal_markers",
            )
        return self

    @property
    def markers(self) -> list[WithdrawalMarker] | list[ConfrontationMarker]:
        """The markers of this rupture's type."""
        if self.type is RuptureType.WITHDRAWAL:
            return self.withdrawal_markers
        return self.confrontation_markers


class Repair(Observation):
    """How a rupture was addressed (3RS resolution strategies) and how far it resolved.

    A repair names the rupture it addresses.  It may also stand alone: a resolution
    strategy whose words carry it ("I think I pushed too hard there, I'm sorry") shows
    repair work even where no rupture was recorded; the note then says so ("no rupture
    recorded") and never invents the rupture's type or significance.
    """

    description: Annotated[Text | None, Described("What the clinician did", form_label="What you did")] = (
        Field(default=None, description="What the clinician did, briefly.")
    )
    rupture: Annotated[LocalId | None, Described("Repairs rupture", prompt="its id, if recorded")] = Field(
        default=None, description="The id of the rupture this repair addresses, if one was recorded."
    )
    strategies: Annotated[list[ResolutionStrategy], Described("3RS strategies", form_label="Strategies")] = (
        Field(default_factory=list, description="3RS resolution strategies used.")
    )
    outcome: Annotated[RepairOutcome | None, Described("Outcome")] = Field(
        default=None,
        description="How far the rupture was resolved; leave out if that was not assessed.",
    )
    client_response: Annotated[Text | None, Described("Client's response")] = Field(
        default=None, description="How the client responded."
    )


class Measures(_AssessedPart):
    """Client-rated measures given this session.

    Leave a measure out if it was not given.  With nothing given, the part is *not
    assessed* unless ``status: assessed`` records that measures were considered and none
    was given.
    """

    status: Annotated[
        Assessment,
        Described(
            "Measures",
            prompt="tick “assessed” to record that measures were considered; with none filled in "
            "below, the note says none was given. Blank means not recorded.",
            form_label="Assessed",
        ),
    ] = Field(
        default=Assessment.NOT_ASSESSED,
        description="'assessed' when measures were considered, even if none was given.",
    )
    srs: Annotated[
        SessionRatingScale | None,
        Described(
            "Session Rating Scale (SRS)",
            prompt="the client's marks on each line, 0–10 with one decimal. Leave blank if not given.",
        ),
    ] = Field(default=None, description="Session Rating Scale.")
    wai_sr: Annotated[
        WorkingAllianceInventory | None,
        Described(
            "Working Alliance Inventory (WAI-SR)",
            prompt="the client's 12 item scores, 1–5 each. Leave blank if not given.",
        ),
    ] = Field(default=None, description="WAI-SR.")
    ors: Annotated[
        OutcomeRatingScale | None,
        Described(
            "Outcome Rating Scale (ORS)",
            prompt="the client's marks on each line, 0–10 with one decimal. Leave blank if not given.",
        ),
    ] = Field(default=None, description="Outcome Rating Scale.")


class FeedbackAnswer(Observation):
    """The client's answer to a check-in question about the relationship."""

    question: Annotated[Text, Described("Question")] = Field(
        description="The question asked, e.g. 'What helps you feel secure here?'"
    )
    answer: Annotated[Text, Described("Client's answer")] = Field(
        description="The client's answer, in brief or quoted."
    )


class FollowUp(Observation):
    """Something to do about the alliance next session."""

    text: Text = Field(description="The follow-up, e.g. 'check in about last week's rupture'.")
    rupture: Annotated[LocalId | None, Described("Follows up rupture", prompt="its id, if any")] = Field(
        default=None, description="The rupture it follows up, if any."
    )


class Alliance(BaseModel):
    """The therapeutic-alliance section of a progress note."""

    model_config = STRICT_MODEL

    summary: Annotated[
        Finding | None,
        Part("Summary"),
        Described("Summary", prompt="the state of the alliance this session, in a sentence or two."),
    ] = Field(default=None, description="The state of the alliance this session, in a sentence or two.")
    trust: Annotated[Trust, Part("Trust")] = Field(default_factory=Trust)
    respect: Annotated[Respect, Part("Respect")] = Field(default_factory=Respect)
    boundaries: Annotated[Boundaries, Part("Boundaries")] = Field(default_factory=Boundaries)
    autonomy_and_consent: Annotated[AutonomyAndConsent, Part("Autonomy and consent")] = Field(
        default_factory=AutonomyAndConsent
    )
    rupture_screening: Annotated[
        RuptureScreening,
        Described(
            "Ruptures looked for",
            prompt="did you watch for strains in the relationship? Tick one.",
            part="ruptures",
        ),
    ] = Field(
        default=RuptureScreening.NOT_ASSESSED,
        description="Whether ruptures were looked for: observed, none_observed or not_assessed. "
        "Follows the list when left out.",
    )
    ruptures: Annotated[
        list[Rupture],
        Part("Ruptures", absence=PartStatus.NONE_OBSERVED),
        Described(
            "Rupture",
            prompt="a strain or break in the work or the bond: the client moving away "
            "(withdrawal) or against you (confrontation). Distance after a question, "
            "feeling misread or judged, a missed cultural cue.",
            form_label="Ruptures",
        ),
    ] = Field(default_factory=list, description="Ruptures observed.")
    repairs: Annotated[
        list[Repair],
        Part("Repairs", absence=PartStatus.NO_RUPTURE_TO_REPAIR, status_from="rupture_screening"),
        Described(
            "Repair",
            prompt="how you noticed and named the rupture, owned your part and invited repair "
            "(“I noticed some distance after our last talk — did something feel wrong?”).",
            form_label="Repairs",
        ),
    ] = Field(default_factory=list, description="Repairs of those ruptures.")
    measures: Annotated[Measures, Part("Measures", absence=PartStatus.NONE_GIVEN)] = Field(
        default_factory=Measures
    )
    client_feedback: Annotated[
        list[FeedbackAnswer],
        Part("Client feedback"),
        Described(
            "Asked",
            prompt="questions you asked about the relationship (“What helps you feel more secure "
            "during our time?”, “Is there something I can change to support you better?”) "
            "and the client's answers.",
            form_label="Check-in questions",
        ),
    ] = Field(default_factory=list, description="Answers to check-in questions about the relationship.")
    plan: Annotated[
        list[FollowUp],
        Part("Plan"),
        Described(
            "Follow-up",
            prompt="what to do about the relationship next time: check in about a rupture, keep "
            "to the agreed pace.",
            form_label="Alliance follow-ups",
        ),
    ] = Field(default_factory=list, description="Alliance follow-ups for next session.")
    withheld: list[str] = Field(
        default_factory=list,
        description="Parts whose content this view of the note leaves out because it belongs in "
        "the separate psychotherapy note (written by the record view; see alliance_notes.audiences).",
    )
    set_by: dict[str, Provenance] = Field(
        default_factory=dict,
        description="Who set each single answer that a program suggested, by its path "
        "(e.g. 'trust.state', 'rupture_screening'). An answer not listed was given by the "
        "note's author; list items carry their own provenance.",
    )

    @model_validator(mode="before")
    @classmethod
    def _screening_follows_ruptures(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rupture_screening" not in data and data.get("ruptures"):
            return {**data, "rupture_screening": RuptureScreening.OBSERVED.value}
        return data

    @model_validator(mode="after")
    def _ruptures_and_repairs_agree(self) -> Alliance:
        if self.ruptures and self.rupture_screening is not RuptureScreening.OBSERVED:
            raise problem(
                "screening_contradiction",
                "is '{screening}' but ruptures are listed; set it to 'observed'",
                at="rupture_screening",
                screening=self.rupture_screening.value,
            )
        if not self.ruptures and self.rupture_screening is RuptureScreening.OBSERVED:
            raise problem(
                "screening_contradiction",
                "is 'observed' but no rupture is listed",
                at="rupture_screening",
            )
        ids = [rupture.id for rupture in self.ruptures]
        for index, rupture_id in enumerate(ids):
            if rupture_id in ids[:index]:
                raise problem(
                    "duplicate_rupture_id",
                    "is already the id of an earlier rupture; ids must be unique",
                    at=f"ruptures[{index}].id",
                )
        for index, repair in enumerate(self.repairs):
            if repair.rupture is not None and repair.rupture not in ids:
                raise problem(
                    "unknown_rupture",
                    "is not the id of any rupture in this note",
                    at=f"repairs[{index}].rupture",
                )
        for index, follow_up in enumerate(self.plan):
            if follow_up.rupture is not None and follow_up.rupture not in ids:
                raise problem(
                    "unknown_rupture",
                    "is not the id of any rupture in this note",
                    at=f"plan[{index}].rupture",
                )
        return self

    @model_validator(mode="after")
    def _withheld_names_parts(self) -> Alliance:
        keys = self.part_keys()
        for index, key in enumerate(self.withheld):
            if key not in keys or key in self.withheld[:index]:
                raise problem(
                    "unknown_part",
                    "is not a part of the alliance section, or is named twice ({names})",
                    at=f"withheld[{index}]",
                    names=", ".join(keys),
                )
        return self

    @model_validator(mode="after")
    def _set_by_names_set_answers(self) -> Alliance:
        answers = single_answers(type(self))
        for path, provenance in self.set_by.items():
            if path not in answers:
                raise problem(
                    "unknown_answer",
                    "is not a single answer of the alliance section ({names})",
                    at=f"set_by.{path}",
                    names=", ".join(answers),
                )
            if provenance.author is Author.CLINICIAN:
                raise problem(
                    "clinician_provenance",
                    "names the clinician; set_by records answers a program suggested",
                    at=f"set_by.{path}.author",
                )
            if not self.answer_is_set(path):
                raise problem(
                    "unset_answer",
                    "names an answer that is not given in this note",
                    at=f"set_by.{path}",
                )
        return self

    @classmethod
    def part_keys(cls) -> tuple[str, ...]:
        """The keys of the section's parts, in the order a note presents them."""
        return tuple(part.key for part in alliance_outline(cls))

    def answer(self, path: str) -> Any:
        """The value of a single answer, by its path (``"trust.state"``)."""
        value: Any = self
        for name in path.split("."):
            value = getattr(value, name)
        return value

    def answer_is_set(self, path: str) -> bool:
        """True when a single answer holds something besides "not assessed" or nothing."""
        value = self.answer(path)
        return value is not None and getattr(value, "value", value) != "not_assessed"

    def answer_is_implied(self, path: str) -> bool:
        """True when the section's content implies the answer: a part with items was assessed,
        and listed ruptures were observed.  Nobody needs to have set such an answer."""
        part, _, name = path.rpartition(".")
        if path == "rupture_screening":
            return bool(self.ruptures)
        if name == "status":
            owner = self.answer(part)
            return isinstance(owner, _AssessedPart) and owner.has_content()
        return False

    def answers_set_by(self, provenance: Provenance) -> Alliance:
        """This section with ``provenance`` recorded for every answer it gives that its content
        does not imply (and that names no program yet): how an extractor or a language model
        marks the single answers it set."""
        set_by = dict(self.set_by)
        for path in single_answers(type(self)):
            if path not in set_by and self.answer_is_set(path) and not self.answer_is_implied(path):
                set_by[path] = provenance
        if set_by == self.set_by:
            return self
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["set_by"] = {
            path: answer.model_dump(mode="json", exclude_defaults=True) for path, answer in set_by.items()
        }
        return type(self).model_validate(data)

    def attributed_to(self, provenance: Provenance) -> Alliance:
        """This section with ``provenance`` for everything in it that names no program: items
        with the default provenance, and the answers :meth:`answers_set_by` would mark.

        How an AI draft is read: what its scribe wrote is the scribe's suggestion (or, once
        the clinician reviewed the draft, the scribe's confirmed suggestion).
        """
        unnamed = Provenance().model_dump(mode="json")
        named = provenance.model_dump(mode="json")

        def attribute(value: Any) -> Any:
            if isinstance(value, dict):
                if value.get("provenance") == unnamed:
                    value = {**value, "provenance": named}
                return {key: attribute(item) for key, item in value.items()}
            if isinstance(value, list):
                return [attribute(item) for item in value]
            return value

        data = attribute(self.model_dump(mode="json", exclude={"set_by"}))
        data["set_by"] = self.model_dump(mode="json")["set_by"]
        return type(self).model_validate(data).answers_set_by(provenance)

    def unconfirmed_suggestions(self, set_by: Mapping[str, Provenance] | None = None) -> int:
        """How many items and single answers a program suggested and no clinician confirmed.

        :param set_by: who set the single answers, when it is more than :attr:`set_by`
            says (in an unreviewed AI draft, the scribe set them all).
        """
        items = sum(
            1
            for _, observation in instances_in(self, Observation)
            if observation.provenance.is_unconfirmed_suggestion
        )
        answers = self.set_by if set_by is None else set_by
        return items + sum(1 for provenance in answers.values() if provenance.is_unconfirmed_suggestion)

    def repairs_of(self, rupture_id: str) -> list[Repair]:
        """The repairs that address one rupture."""
        return [repair for repair in self.repairs if repair.rupture == rupture_id]


def _answer_type(annotation: Any) -> bool:
    """True for a field type that holds one closed answer: a choice or yes/no, maybe optional."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return all(
        option is type(None) or option is bool or (isinstance(option, type) and issubclass(option, Enum))
        for option in options
    )


@cache
def single_answers(alliance: type[Alliance] = Alliance) -> tuple[str, ...]:
    """The paths of the section's single answers (states, statuses, yes/no), read off the models.

    These are the values that are not items: a program that sets one records it in
    :attr:`Alliance.set_by`.  A subclass that adds such a field adds an answer here.
    """
    paths: list[str] = []
    for name, info in alliance.model_fields.items():
        annotation = info.annotation
        if _answer_type(annotation):
            paths.append(name)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if issubclass(annotation, Observation):
                continue
            paths.extend(
                f"{name}.{inner}"
                for inner, inner_info in annotation.model_fields.items()
                if _answer_type(inner_info.annotation)
            )
    return tuple(paths)


#: The parts of the built-in alliance section, in the order a note presents them.
ALLIANCE_PARTS: tuple[str, ...] = Alliance.part_keys()
