"""Client-rated alliance and outcome measures: scores only, never item wording.

Totals and subscales are computed here and nowhere else.  A note may carry them (the
canonical JSON output does, so that a data pipeline need not recompute), but a value that
disagrees with the items is an error: a total is never typed in by hand.

Scoring follows the project's domain reference §4, checked against these sources:

* Session Rating Scale (SRS v3; Duncan, Miller, Sparks et al., "The Session Rating Scale:
  preliminary psychometric properties of a 'working' alliance measure", *Journal of Brief
  Therapy* 3(1):3–12, 2003): four items 0–10 on a 10 cm line, total 0–40.  A total
  *below* 36 is the cue to talk about the alliance: a glossary summarising the developers'
  guidance says scores below 36 signal friction the therapist should explore
  (cauceos.com/en/glossary/srs).  One secondary scoring guide (hiboop.com/fr/assessments/srs/) writes "≤ 36"
  instead; we follow the developers' "below 36", strictly less than 36, and a total of exactly
  36 is not flagged.  The same guide calls any single item below 9 a cue for a check-in
  (:data:`SRS_ITEM_CUE`).
* Outcome Rating Scale (ORS; Miller, Duncan, Brown, Sparks & Claud, *Journal of Brief
  Therapy* 2(2):91–100, 2003): four items 0–10, total 0–40; adult clinical cutoff 25.  Age
  bands (Duncan, Sparks, Miller, Bohanske & Claud, "Giving youth a voice", *Journal of Brief
  Therapy* 5(2):71–88, 2006; slideshare.net/barrylduncan/child-outcome-rating-scale-cors):
  the ORS is normed for youth 13 and over, and the Child ORS (CORS, the same four lines in
  child-friendly words) for children 6–12.  That study's clinical cutoffs are 28 for
  adolescents (13–17) and 32 for children (6–12) (:data:`ORS_CLINICAL_CUTOFFS`).  The age
  bands are confirmed by the paper's abstract; the two youth cutoffs are the figures usually
  cited from that paper; the excerpts we could reach (its abstract, and
  betteroutcomesnow.com "The ominous clinical cutoff", 2017, on what a cutoff means) do not
  show the numbers **[verify against the 2006 paper's results section]**.  ``below_cutoff``
  on the measure keeps its meaning (the adult cutoff); :func:`ors_clinical_cutoff` gives the
  cutoff for a client's age band (``session.client_age_band``).
* WAI-SR (Hatcher & Gillaspy, "Development and validation of a revised short version of the
  Working Alliance Inventory", *Psychotherapy Research* 16(1):12–25, 2006): twelve items 1–5
  (seldom … always), total 12–60; Task = items 1, 2, 10, 12; Bond = 3, 5, 7, 9; Goal = 4, 6,
  8, 11.  Summed without reversal: Hatcher & Gillaspy kept only positively worded items when
  they revised the short form, unlike the WAI-S (Tracey & Kokotovic 1989), whose items 4 and
  10 are reverse-scored; the excerpt we could reach (Mallinckrodt & Tekie, comparing both
  12-item forms; pdfcoffee.com/working-alliance-inventory-pdf-free.html) names the two forms
  but not their keying **[verify against the 2006 paper]**.

The SRS and ORS are licensed: free for individual clinicians, paid for agencies, and their
wording may not be changed.  This module stores scores, not items.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, computed_field, model_validator
from pydantic_core import PydanticCustomError

from alliance_notes.evidence import Observation
from alliance_notes.fields import STRICT_MODEL, FivePointScore, TenPointScore, problem
from alliance_notes.outline import Described
from alliance_notes.vocabulary import AgeBand, SessionPoint

#: SRS totals below this are the usual cue to discuss the alliance.
SRS_DISCUSSION_CUTOFF = 36.0
#: A single SRS item below this is a cue for a brief check-in, whatever the total.
SRS_ITEM_CUE = 9.0
#: ORS totals below this are in the adult clinical range.
ORS_CLINICAL_CUTOFF = 25.0
#: The ORS clinical cutoff for each age band (Duncan et al. 2006; see the module's notes).
ORS_CLINICAL_CUTOFFS: dict[AgeBand, float] = {
    AgeBand.ADULT: ORS_CLINICAL_CUTOFF,
    AgeBand.ADOLESCENT: 28.0,
    AgeBand.CHILD: 32.0,
}


def ors_clinical_cutoff(age_band: AgeBand | None) -> float:
    """The ORS clinical cutoff for a client's age band; the adult cutoff when none is recorded."""
    return ORS_CLINICAL_CUTOFFS[age_band or AgeBand.ADULT]


WAI_SR_SUBSCALES: dict[str, tuple[int, ...]] = {
    "task": (1, 2, 10, 12),
    "bond": (3, 5, 7, 9),
    "goal": (4, 6, 8, 11),
}


def _one_decimal(value: float) -> float:
    if round(value, 1) != value:
        raise PydanticCustomError(
            "too_precise", "must have at most one decimal place (the line is scored to the millimetre)"
        )
    return value


LineScore = Annotated[TenPointScore, AfterValidator(_one_decimal)]

#: When a measure was given, if that was recorded.
Administered = Annotated[SessionPoint | None, Described("Given at")]


def format_score(value: float) -> str:
    """A score as a clinician writes it: ``9`` rather than ``9.0``, ``8.5`` as is."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _computed_values_in_schema(schema: dict[str, Any], model: type[Any]) -> None:
    """Describe the computed values a measure accepts in input (only if they are right)."""
    names: tuple[str, ...] = model._computed
    read_only = {
        "readOnly": True,
        "description": "Computed from the item scores; accepted only if it matches.",
    }
    properties = schema.setdefault("properties", {})
    properties.update({name: dict(read_only) for name in names})
    properties["computed"] = {
        **read_only,
        "type": "object",
        "properties": {name: dict(read_only) for name in names},
        "additionalProperties": False,
    }


class _ComputedScores(Observation):
    """A measure whose computed values may be present in input only if they are right.

    They may be given beside the item scores (``"total": 36.5``) or, as the canonical
    JSON output writes them, marked as computed in a ``"computed"`` object
    (``"computed": {"total": 36.5, "below_cutoff": false}``).
    """

    model_config = ConfigDict(**STRICT_MODEL, json_schema_extra=_computed_values_in_schema)

    _computed: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _computed_values_are_not_typed_in(cls, data: Any, handler: Any) -> Any:
        given: dict[str, Any] = {}
        if isinstance(data, dict):
            marked = data.get("computed", {})
            if not isinstance(marked, dict):
                raise problem("computed_type", "must be an object of computed values", at="computed")
            for key in marked:
                if key not in cls._computed:
                    raise problem(
                        "not_computed",
                        "is not a computed value of this measure ({names})",
                        at=f"computed.{key}",
                        names=", ".join(cls._computed),
                    )
            given = {f"computed.{key}": (key, value) for key, value in marked.items()}
            given.update({key: (key, data[key]) for key in cls._computed if key in data})
            data = {key: value for key, value in data.items() if key not in (*cls._computed, "computed")}
        measure = handler(data)
        for location, (key, value) in given.items():
            if value != getattr(measure, key):
                raise problem(
                    "computed_value",
                    "is computed from the item scores and does not match them; "
                    "leave it out and it will be computed",
                    at=location,
                )
        return measure


class SessionRatingScale(_ComputedScores):
    """Session Rating Scale (SRS v3): the client's rating of this session's alliance."""

    _computed = ("total", "below_cutoff")

    relationship: Annotated[LineScore, Described("Relationship")] = Field(
        description="Relationship (felt heard, understood, respected), 0–10."
    )
    goals_and_topics: Annotated[LineScore, Described("Goals and topics")] = Field(
        description="Goals and topics, 0–10."
    )
    approach_or_method: Annotated[LineScore, Described("Approach or method")] = Field(
        description="Approach or method, 0–10."
    )
    overall: Annotated[LineScore, Described("Overall")] = Field(description="Overall, 0–10.")
    administered: Administered = Field(default=None, description="When it was given, if recorded.")

    @computed_field(description="Sum of the four items, 0–40.")  # type: ignore[prop-decorator]
    @property
    def total(self) -> float:
        return round(self.relationship + self.goals_and_topics + self.approach_or_method + self.overall, 1)

    @computed_field(description="True when the total is below 36, the usual cue to discuss the alliance.")  # type: ignore[prop-decorator]
    @property
    def below_cutoff(self) -> bool:
        return self.total < SRS_DISCUSSION_CUTOFF


class OutcomeRatingScale(_ComputedScores):
    """Outcome Rating Scale (ORS): the client's rating of how life has been going."""

    _computed = ("total", "below_cutoff")

    individually: Annotated[LineScore, Described("Individually")] = Field(
        description="Individually (personal well-being), 0–10."
    )
    interpersonally: Annotated[LineScore, Described("Interpersonally")] = Field(
        description="Interpersonally (close relationships), 0–10."
    )
    socially: Annotated[LineScore, Described("Socially")] = Field(
        description="Socially (work, school, friendships), 0–10."
    )
    overall: Annotated[LineScore, Described("Overall")] = Field(
        description="Overall sense of well-being, 0–10."
    )
    administered: Administered = Field(default=None, description="When it was given, if recorded.")

    @computed_field(description="Sum of the four items, 0–40.")  # type: ignore[prop-decorator]
    @property
    def total(self) -> float:
        return round(self.individually + self.interpersonally + self.socially + self.overall, 1)

    @computed_field(description="True when the total is below 25, the adult clinical cutoff.")  # type: ignore[prop-decorator]
    @property
    def below_cutoff(self) -> bool:
        return self.total < ORS_CLINICAL_CUTOFF


def _twelve_items(items: list[int]) -> list[int]:
    if len(items) != 12:
        raise PydanticCustomError(
            "item_count", "must list all 12 item scores in order (got {count})", {"count": len(items)}
        )
    return items


class WorkingAllianceInventory(_ComputedScores):
    """Working Alliance Inventory, short revised (WAI-SR), client version."""

    _computed = ("total", "task", "bond", "goal")

    items: Annotated[
        list[FivePointScore],
        AfterValidator(_twelve_items),
        Described("Item scores", prompt="all 12 in order, 1 seldom – 5 always"),
    ] = Field(
        description="The 12 item scores in questionnaire order, each 1 (seldom) to 5 (always).",
        json_schema_extra={"minItems": 12, "maxItems": 12},
    )
    administered: Administered = Field(default=None, description="When it was given, if recorded.")

    def _subscale(self, name: str) -> int:
        return sum(self.items[number - 1] for number in WAI_SR_SUBSCALES[name])

    @computed_field(description="Sum of all 12 items, 12–60.")  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return sum(self.items)

    @computed_field(description="Task subscale: items 1, 2, 10, 12 (4–20).")  # type: ignore[prop-decorator]
    @property
    def task(self) -> int:
        return self._subscale("task")

    @computed_field(description="Bond subscale: items 3, 5, 7, 9 (4–20).")  # type: ignore[prop-decorator]
    @property
    def bond(self) -> int:
        return self._subscale("bond")

    @computed_field(description="Goal subscale: items 4, 6, 8, 11 (4–20).")  # type: ignore[prop-decorator]
    @property
    def goal(self) -> int:
        return self._subscale("goal")
