"""Progress notes: the host formats (SOAP, DAP, BIRP, GIRP) that the alliance section extends.

A note kind is a subclass of :class:`ProgressNote` with a ``kind`` literal, its host
sections in order (:attr:`ProgressNote.host_sections`), and where each part of the alliance
lands when it is placed inline (:attr:`ProgressNote.inline_placement`; domain reference
§1).  Plugins add kinds the same way (see ``alliance_register_note_kinds``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from alliance_notes.alliance import Alliance
from alliance_notes.checks import CheckException, take_inline_exceptions
from alliance_notes.fields import STRICT_MODEL, Reference, Text, problem
from alliance_notes.vocabulary import AgeBand, Modality, Setting, WrittenBy

#: The schema version this package reads and writes.
SCHEMA_VERSION: Literal["1.0"] = "1.0"


@dataclass(frozen=True)
class HostSection:
    """One section of a host note format.

    :param key: the field that holds the section's text.
    :param title: the heading a clinician reads.
    :param prompt: what belongs in the section, in a sentence.
    :param loinc: the LOINC section code, where one exists (domain reference §6).
    """

    key: str
    title: str
    prompt: str
    loinc: str | None = None


class Session(BaseModel):
    """Facts about the session: who (pseudonymously), when, how long, how."""

    model_config = STRICT_MODEL

    client: Reference = Field(description="Pseudonymous client code, e.g. 'C-0412'. Never a name.")
    date: dt.date = Field(description="Session date (YYYY-MM-DD).")
    number: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Session number in this episode of care."
    )
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = Field(
        default=None, description="Length of the session in minutes."
    )
    modality: Modality | None = Field(default=None, description="Who is in the room.")
    setting: Setting | None = Field(default=None, description="In person or telehealth.")
    language: Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")] | None = Field(
        default=None, description="Language of the note, as a BCP 47 tag such as 'en' or 'es-MX'."
    )
    client_age_band: AgeBand | None = Field(
        default=None,
        description="The client's age band (adult 18+, adolescent 13–17, child 6–12): it sets the "
        "norms client-rated measures are compared with, e.g. the ORS clinical cutoff. Leave out if "
        "not recorded.",
    )


class Authorship(BaseModel):
    """Who wrote the note as it stands."""

    model_config = STRICT_MODEL

    written_by: WrittenBy = Field(
        description="The clinician, an AI draft, or an AI draft the clinician reviewed."
    )
    clinician: Reference | None = Field(
        default=None, description="Pseudonymous code of the responsible clinician."
    )
    drafted_by: Text | None = Field(default=None, description="The AI scribe that drafted the note, if any.")

    @model_validator(mode="after")
    def _reviewed_drafts_name_the_reviewer(self) -> Authorship:
        if self.written_by.reviewed and self.clinician is None:
            raise problem(
                "missing_reviewer",
                "name the clinician who reviewed the AI draft",
                at="clinician",
            )
        if self.written_by is not WrittenBy.CLINICIAN and self.drafted_by is None:
            raise problem(
                "missing_drafter",
                "name the AI scribe that drafted the note",
                at="drafted_by",
            )
        return self


HostText = Annotated[Text | None, Field(default=None)]


class ProgressNote(BaseModel):
    """A progress note of some host kind, extended with an alliance section."""

    model_config = STRICT_MODEL

    #: The note kind's display title, e.g. "SOAP note".
    title: ClassVar[str] = "Progress note"
    #: The host sections, in the order the note presents them.
    host_sections: ClassVar[tuple[HostSection, ...]] = ()
    #: Where each alliance part lands when placed inline: part name → host section key.
    inline_placement: ClassVar[Mapping[str, str]] = {}

    schema_version: Literal["1.0"] = Field(
        default=SCHEMA_VERSION,
        description="Version of the alliance-notes note schema. Left out: the version this package reads.",
    )
    kind: str
    session: Session
    authorship: Authorship
    alliance: Alliance = Field(default_factory=Alliance, description="The therapeutic-alliance section.")
    check_exceptions: list[CheckException] = Field(
        default_factory=list,
        description="Findings the clinician accepts deliberately, by field and code (see "
        "docs/checks.md). An inline [[allow CODE: reason]] in a text field is moved here when "
        "the note is read, so it never shows in the note's text.",
    )

    @model_validator(mode="before")
    @classmethod
    def _inline_exceptions_leave_the_text(cls, data: Any) -> Any:
        return take_inline_exceptions(data)

    @model_validator(mode="after")
    def _reviewed_drafts_hold_no_open_suggestions(self) -> ProgressNote:
        if self.authorship.written_by is WrittenBy.AI_DRAFT_REVIEWED:
            open_suggestions = self.alliance.unconfirmed_suggestions()
            if open_suggestions:
                raise problem(
                    "unreviewed_suggestions",
                    "says a clinician reviewed the draft, but {count} suggested item(s) or "
                    "answer(s) are not confirmed; confirm them, or set it to "
                    "'ai_draft_reviewed_with_suggestions'",
                    at="authorship.written_by",
                    count=open_suggestions,
                )
        return self

    def section_text(self, key: str) -> str | None:
        """The text of one host section, or ``None`` when it is empty."""
        value = getattr(self, key)
        return value if isinstance(value, str) else None

    @classmethod
    def check_kind_definition(cls) -> None:
        """Raise ``TypeError`` when a kind's sections or inline placement are inconsistent.

        The host calls this when a plugin registers a note kind.
        """
        kind_field = cls.model_fields.get("kind")
        if kind_field is None or getattr(kind_field.annotation, "__origin__", None) is not Literal:
            raise TypeError(f"{cls.__name__}.kind must be a Literal naming the note kind")
        if not cls.host_sections:
            raise TypeError(f"{cls.__name__} declares no host_sections")
        keys = [section.key for section in cls.host_sections]
        for key in keys:
            if key not in cls.model_fields:
                raise TypeError(f"{cls.__name__}: host section '{key}' is not a field")
        missing = [part for part in cls.alliance_model().part_keys() if part not in cls.inline_placement]
        if missing:
            raise TypeError(f"{cls.__name__}: inline_placement has no target for {', '.join(missing)}")
        for part, target in cls.inline_placement.items():
            if target not in keys:
                raise TypeError(
                    f"{cls.__name__}: inline_placement sends '{part}' to unknown section '{target}'"
                )

    @classmethod
    def alliance_model(cls) -> type[Alliance]:
        """The model of this kind's alliance section (a plugin's kind may extend it)."""
        model = cls.model_fields["alliance"].annotation
        if not (isinstance(model, type) and issubclass(model, Alliance)):
            raise TypeError(f"{cls.__name__}.alliance must be an Alliance model")
        return model

    @classmethod
    def kind_name(cls) -> str:
        """The ``kind`` value that selects this model."""
        annotation = cls.model_fields["kind"].annotation
        (name,) = getattr(annotation, "__args__", ("",))
        return str(name)


_PLAN = HostSection("plan", "Plan", "Next steps, homework, the next session.", "18776-5")
_INTERVENTION = HostSection(
    "intervention", "Intervention", "What the clinician did: techniques, approaches, topics."
)
_RESPONSE = HostSection(
    "response", "Response", "How the client responded to the interventions, and progress."
)


class SoapNote(ProgressNote):
    """SOAP: Subjective · Objective · Assessment · Plan."""

    title: ClassVar[str] = "SOAP note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("subjective", "Subjective", "What the client reported, in their words.", "61150-9"),
        HostSection("objective", "Objective", "What the clinician observed; measures given.", "61149-1"),
        HostSection("assessment", "Assessment", "The clinician's interpretation and progress.", "51848-0"),
        _PLAN,
    )
    inline_placement: ClassVar[Mapping[str, str]] = {
        "summary": "assessment",
        "trust": "assessment",
        "respect": "assessment",
        "boundaries": "objective",
        "autonomy_and_consent": "objective",
        "ruptures": "subjective",
        "repairs": "objective",
        "measures": "objective",
        "client_feedback": "subjective",
        "plan": "plan",
    }

    kind: Literal["soap"] = "soap"
    subjective: HostText
    objective: HostText
    assessment: HostText
    plan: HostText


class DapNote(ProgressNote):
    """DAP: Data · Assessment · Plan."""

    title: ClassVar[str] = "DAP note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("data", "Data", "What the client reported and what the clinician observed."),
        HostSection("assessment", "Assessment", "The clinician's interpretation and progress.", "51848-0"),
        _PLAN,
    )
    inline_placement: ClassVar[Mapping[str, str]] = {
        "summary": "assessment",
        "trust": "assessment",
        "respect": "assessment",
        "boundaries": "data",
        "autonomy_and_consent": "data",
        "ruptures": "data",
        "repairs": "data",
        "measures": "data",
        "client_feedback": "data",
        "plan": "plan",
    }

    kind: Literal["dap"] = "dap"
    data: HostText
    assessment: HostText
    plan: HostText


class BirpNote(ProgressNote):
    """BIRP: Behavior · Intervention · Response · Plan."""

    title: ClassVar[str] = "BIRP note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("behavior", "Behavior", "How the client presented: what was seen and said."),
        _INTERVENTION,
        _RESPONSE,
        _PLAN,
    )
    inline_placement: ClassVar[Mapping[str, str]] = {
        "summary": "response",
        "trust": "response",
        "respect": "response",
        "boundaries": "intervention",
        "autonomy_and_consent": "intervention",
        "ruptures": "behavior",
        "repairs": "intervention",
        "measures": "response",
        "client_feedback": "response",
        "plan": "plan",
    }

    kind: Literal["birp"] = "birp"
    behavior: HostText
    intervention: HostText
    response: HostText
    plan: HostText


class GirpNote(ProgressNote):
    """GIRP: Goal · Intervention · Response · Plan."""

    title: ClassVar[str] = "GIRP note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("goal", "Goal", "The treatment-plan goal this session addressed."),
        _INTERVENTION,
        _RESPONSE,
        _PLAN,
    )
    inline_placement: ClassVar[Mapping[str, str]] = {
        "summary": "response",
        "trust": "response",
        "respect": "response",
        "boundaries": "intervention",
        "autonomy_and_consent": "intervention",
        "ruptures": "response",
        "repairs": "intervention",
        "measures": "response",
        "client_feedback": "response",
        "plan": "plan",
    }

    kind: Literal["girp"] = "girp"
    goal: HostText
    intervention: HostText
    response: HostText
    plan: HostText


#: The note kinds built into the core, by ``kind`` value.
BUILT_IN_KINDS: dict[str, type[ProgressNote]] = {
    model.kind_name(): model for model in (SoapNote, DapNote, BirpNote, GirpNote)
}
