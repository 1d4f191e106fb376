"""The closed vocabularies a note uses: every pick list, in the clinician's words.

Each choice is a ``str`` enum whose value is the stable machine token written in JSON
(``minimal_response``) and whose :attr:`Choice.label` is the wording a clinician reads
("minimal response").  Renderers show labels; files store values.

Sources: the 3RS markers and resolution strategies follow Eubanks, Muran & Safran,
*Rupture Resolution Rating System (3RS) Manual* (2015), doi:10.13140/2.1.1666.8488, as
summarised in the project's domain reference (§3).  Wording of the marker names is the
manual's, shortened only where the manual joins two names with "and/or".
"""

from __future__ import annotations

from enum import Enum

#: The two placements of the alliance content: its own section after the host sections, or
#: each part inside the host section it belongs in.
PLACEMENTS = ("section", "inline")


class Choice(str, Enum):
    """A closed choice whose value is stored and whose label is shown."""

    @property
    def label(self) -> str:
        """The wording a clinician reads for this choice."""
        value: str = self.value
        return _LABELS.get(value, value.replace("_", " "))

    def __str__(self) -> str:
        value: str = self.value
        return value


class Modality(Choice):
    """Who is in the room."""

    INDIVIDUAL = "individual"
    COUPLE = "couple"
    FAMILY = "family"
    GROUP = "group"


class Setting(Choice):
    """Where the session happened."""

    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class WrittenBy(Choice):
    """Who wrote the note as it stands."""

    CLINICIAN = "clinician"
    AI_DRAFT = "ai_draft"
    AI_DRAFT_REVIEWED = "ai_draft_reviewed"
    #: Reviewed, then extended with suggestions the clinician has not confirmed yet.
    AI_DRAFT_REVIEWED_WITH_SUGGESTIONS = "ai_draft_reviewed_with_suggestions"

    @property
    def reviewed(self) -> bool:
        """True when a clinician reviewed the AI draft (what was added since aside)."""
        return self in (WrittenBy.AI_DRAFT_REVIEWED, WrittenBy.AI_DRAFT_REVIEWED_WITH_SUGGESTIONS)


class Record(Choice):
    """Where an item belongs (HIPAA, 45 CFR 164.501; domain reference §5).

    Structured alliance summaries, scores and repair plans belong in the progress-note
    record.  Detailed analysis of the session's conversation belongs in a psychotherapy
    note kept separate from the record, which needs its own authorisation to disclose.
    """

    PROGRESS_NOTE = "progress_note"
    PSYCHOTHERAPY_NOTE = "psychotherapy_note"


class Speaker(Choice):
    """Whose words a quote is."""

    CLIENT = "client"
    CLINICIAN = "clinician"
    OTHER_PARTICIPANT = "other_participant"


class Author(Choice):
    """Who put an item into the note."""

    CLINICIAN = "clinician"
    EXTRACTOR = "extractor"
    LANGUAGE_MODEL = "language_model"


class TrustState(Choice):
    """How trust moved in this session."""

    STRENGTHENING = "strengthening"
    STEADY = "steady"
    STRAINED = "strained"
    NOT_ASSESSED = "not_assessed"


class Assessment(Choice):
    """Whether a part of the alliance was looked at in this session.

    "Not assessed" is not "nothing found": a note never claims an absence it did not
    look for.
    """

    ASSESSED = "assessed"
    NOT_ASSESSED = "not_assessed"


class PartStatus(Choice):
    """What a rendered part of the alliance section says when it lists nothing.

    Each status is a fact the note records, never an inference: an absence ("assessed,
    none observed", "none given") appears only when the clinician (or a marked
    suggestion) recorded it.  Formats key on these values, never on their wording; FHIR
    maps them to its ``list-empty-reason`` codes.
    """

    NOT_ASSESSED = "not_assessed"
    NOTHING_TO_NOTE = "nothing_to_note"
    NONE_OBSERVED = "none_observed"
    NO_RUPTURE_TO_REPAIR = "no_rupture_to_repair"
    NONE_GIVEN = "none_given"
    #: Everything the part holds is kept in the other note (see :class:`Audience`).
    WITHHELD = "withheld"

    @property
    def records_absence(self) -> bool:
        """True when the status says something was looked for and not found."""
        return self not in (PartStatus.NOT_ASSESSED, PartStatus.WITHHELD)


class Audience(Choice):
    """Who a rendering is for (see :mod:`alliance_notes.audiences`)."""

    RECORD = "record"
    PRIVATE = "private"
    CLIENT = "client"
    REVIEW = "review"


#: The audiences by name, for command-line choices.
AUDIENCES = ("record", "private", "client", "review")


class RuptureScreening(Choice):
    """Whether ruptures were looked for, and what was found."""

    OBSERVED = "observed"
    NONE_OBSERVED = "none_observed"
    NOT_ASSESSED = "not_assessed"


class RuptureType(Choice):
    """The two 3RS rupture families."""

    WITHDRAWAL = "withdrawal"
    CONFRONTATION = "confrontation"


class WithdrawalMarker(Choice):
    """3RS withdrawal markers: the client moves away from the clinician or the work."""

    DENIAL = "denial"
    MINIMAL_RESPONSE = "minimal_response"
    ABSTRACT_COMMUNICATION = "abstract_communication"
    AVOIDANT_STORYTELLING_OR_SHIFTING_TOPIC = "avoidant_storytelling_or_shifting_topic"
    DEFERENTIAL_AND_APPEASING = "deferential_and_appeasing"
    CONTENT_AFFECT_SPLIT = "content_affect_split"
    SELF_CRITICISM_OR_HOPELESSNESS = "self_criticism_or_hopelessness"


class ConfrontationMarker(Choice):
    """3RS confrontation markers: the client moves against the clinician or the work."""

    COMPLAINTS_ABOUT_THERAPIST = "complaints_about_therapist"
    REJECTS_INTERVENTION = "rejects_intervention"
    COMPLAINTS_ABOUT_ACTIVITIES = "complaints_about_activities"
    COMPLAINTS_ABOUT_PARAMETERS = "complaints_about_parameters"
    COMPLAINTS_ABOUT_PROGRESS = "complaints_about_progress"
    DEFENDS_SELF_AGAINST_THERAPIST = "defends_self_against_therapist"
    EFFORTS_TO_CONTROL_OR_PRESSURE = "efforts_to_control_or_pressure"


class BondAspect(Choice):
    """Which part of the working alliance a rupture touched."""

    TRUST = "trust"
    RESPECT = "respect"
    TASK = "task"
    GOAL = "goal"


class ResolutionStrategy(Choice):
    """3RS resolution strategies: what the clinician did to repair a rupture."""

    CLARIFIES_MISUNDERSTANDING = "clarifies_misunderstanding"
    CHANGES_TASKS_OR_GOALS = "changes_tasks_or_goals"
    GIVES_RATIONALE = "gives_rationale"
    INVITES_DISCUSSION_OF_RELATIONSHIP = "invites_discussion_of_relationship"
    ACKNOWLEDGES_OWN_CONTRIBUTION = "acknowledges_own_contribution"
    DISCLOSES_INTERNAL_EXPERIENCE = "discloses_internal_experience"
    LINKS_TO_PATTERNS_IN_THERAPY = "links_to_patterns_in_therapy"
    LINKS_TO_PATTERNS_IN_OTHER_RELATIONSHIPS = "links_to_patterns_in_other_relationships"
    VALIDATES_DEFENSIVE_POSTURE = "validates_defensive_posture"
    REDIRECTS_OR_REFOCUSES = "redirects_or_refocuses"


class RepairOutcome(Choice):
    """How far a rupture was resolved by the end of the session."""

    RESOLVED = "resolved"
    PARTLY_RESOLVED = "partly_resolved"
    UNRESOLVED = "unresolved"
    NOT_YET_ADDRESSED = "not_yet_addressed"


class BoundaryArea(Choice):
    """What a boundary event concerned."""

    TIME = "time"
    CONTACT_OUTSIDE_SESSIONS = "contact_outside_sessions"
    DUAL_ROLE = "dual_role"
    GIFTS = "gifts"
    SELF_DISCLOSURE = "self_disclosure"
    CONFIDENTIALITY = "confidentiality"
    PHYSICAL_CONTACT = "physical_contact"
    FEES = "fees"
    OTHER = "other"


class InitiatedBy(Choice):
    """Who raised or tested a boundary."""

    CLIENT = "client"
    CLINICIAN = "clinician"
    OTHER_PARTICIPANT = "other_participant"


class ConsentResponse(Choice):
    """How the client answered when asked before entering a topic."""

    AGREED = "agreed"
    DECLINED = "declined"
    DEFERRED = "deferred"


class AgeBand(Choice):
    """The client's age band, which sets the norms a measure's scores are compared with
    (the ORS clinical cutoff differs for adults, adolescents and children; see
    :mod:`alliance_notes.measures`)."""

    ADULT = "adult"
    ADOLESCENT = "adolescent"
    CHILD = "child"


class SessionPoint(Choice):
    """When in the session a measure was given."""

    START = "start"
    END = "end"


_LABELS: dict[str, str] = {
    "in_person": "in person",
    "adult": "adult (18 and over)",
    "adolescent": "adolescent (13–17)",
    "child": "child (6–12)",
    "ai_draft": "AI draft (not yet reviewed)",
    "ai_draft_reviewed": "AI draft reviewed by the clinician",
    "ai_draft_reviewed_with_suggestions": "AI draft reviewed by the clinician, with suggestions added since",
    "progress_note": "progress note",
    "psychotherapy_note": "psychotherapy note (private)",
    "other_participant": "other participant",
    "language_model": "language model",
    "not_assessed": "not assessed",
    "none_observed": "assessed, none observed",
    "nothing_to_note": "assessed, nothing to note",
    "no_rupture_to_repair": "no rupture to repair (assessed, none observed)",
    "none_given": "assessed, none given",
    "withheld": "kept in a separate note",
    "avoidant_storytelling_or_shifting_topic": "avoidant storytelling / shifting topic",
    "deferential_and_appeasing": "deferential and appeasing",
    "content_affect_split": "content/affect split",
    "self_criticism_or_hopelessness": "self-criticism / hopelessness",
    "complaints_about_therapist": "complaints about the therapist",
    "rejects_intervention": "rejects the therapist's intervention",
    "complaints_about_activities": "complaints about the activities of therapy",
    "complaints_about_parameters": "complaints about the parameters of therapy",
    "complaints_about_progress": "complaints about progress",
    "defends_self_against_therapist": "defends self against the therapist",
    "efforts_to_control_or_pressure": "efforts to control or pressure the therapist",
    "clarifies_misunderstanding": "clarifies a misunderstanding",
    "changes_tasks_or_goals": "changes tasks or goals",
    "gives_rationale": "illustrates the task or gives a rationale",
    "invites_discussion_of_relationship": (
        "invites discussion of thoughts and feelings about the therapist or therapy"
    ),
    "acknowledges_own_contribution": "acknowledges own contribution",
    "discloses_internal_experience": "discloses own internal experience",
    "links_to_patterns_in_therapy": "links the rupture to patterns between client and therapist",
    "links_to_patterns_in_other_relationships": "links the rupture to patterns in other relationships",
    "validates_defensive_posture": "validates the client's defensive posture",
    "redirects_or_refocuses": "redirects or refocuses",
    "partly_resolved": "partly resolved",
    "not_yet_addressed": "not yet addressed",
    "contact_outside_sessions": "roles and contact outside sessions",
    "dual_role": "dual role",
    "self_disclosure": "clinician self-disclosure",
    "physical_contact": "physical contact",
}
