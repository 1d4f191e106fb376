"""Test helpers for alliance-notes and for plugin authors: hypothesis strategies that
generate valid notes, and the check that a rendering shows every value of a note.

Needs ``hypothesis`` (``pip install 'alliance-notes[testing]'``).  A format plugin's own
test suite can do exactly what the project's does::

    from hypothesis import given
    from alliance_notes import create_host
    from alliance_notes.testing import notes, missing_values

    @given(notes())
    def test_my_format_shows_every_value(note):
        output = create_host().render(note, "my-format")
        assert missing_values(note, output, as_text=my_unescape) == []
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel

from alliance_notes.alliance import (
    Alliance,
    BoundaryEvent,
    ConsentCheck,
    DeclinedTopic,
    FeedbackAnswer,
    FollowUp,
    Pronouns,
    Repair,
    Rupture,
)
from alliance_notes.audiences import for_audience
from alliance_notes.evidence import Evidence, Finding, Provenance
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
)
from alliance_notes.note import BUILT_IN_KINDS, Authorship, ProgressNote, Session
from alliance_notes.outline import FieldOutline, PartOutline, alliance_outline
from alliance_notes.vocabulary import (
    AgeBand,
    Assessment,
    Audience,
    Author,
    BondAspect,
    BoundaryArea,
    Choice,
    ConfrontationMarker,
    ConsentResponse,
    InitiatedBy,
    Modality,
    Record,
    RepairOutcome,
    ResolutionStrategy,
    RuptureScreening,
    RuptureType,
    SessionPoint,
    Setting,
    Speaker,
    TrustState,
    WithdrawalMarker,
    WrittenBy,
)

__all__ = [
    "NOT_SHOWN_AS_TEXT",
    "STATUSES_NOT_LISTED",
    "alliances",
    "evidence",
    "findings",
    "missing_values",
    "notes",
    "provenance",
    "sessions",
    "shown_values",
    "texts",
]

T = TypeVar("T")

# Letters, digits, punctuation, symbols and spaces from all of Unicode, plus line breaks
# (only "\n": other line separators are normalised by text renderers).  Excluded:
# surrogates, control characters and unassigned code points, which a note cannot store.
_CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"),
    include_characters="\n",
)


@cache
def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank clinical free text, including markup characters and line breaks (never the
    ``[[allow`` of an inline check exception, which is an instruction, not text)."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).filter(
        lambda text: bool(text.strip()) and "[[allow" not in text
    )


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _few(strategy: st.SearchStrategy[T], max_size: int = 2) -> st.SearchStrategy[list[T]]:
    return st.lists(strategy, max_size=max_size)


@cache
def _choices(choice: type[Choice]) -> st.SearchStrategy[Any]:
    return st.sampled_from(list(choice))


@cache
def _distinct(choice: type[Choice]) -> st.SearchStrategy[list[Any]]:
    return st.lists(_choices(choice), unique=True, max_size=3)


_references = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,10}", fullmatch=True)
_timestamps = st.builds(
    lambda hours, minutes, seconds: f"{hours:02d}:{minutes:02d}:{seconds:02d}",
    st.integers(0, 3),
    st.integers(0, 59),
    st.integers(0, 59),
)


@cache
def evidence() -> st.SearchStrategy[Evidence]:
    """An evidence quote with speaker and, sometimes, position and time."""
    return st.builds(
        Evidence,
        quote=texts(),
        speaker=_choices(Speaker),
        utterance_index=_optional(st.integers(0, 2000)),
        timestamp=_optional(_timestamps),
    )


@cache
def provenance() -> st.SearchStrategy[Provenance]:
    """Written by the clinician, or suggested by a named extractor or model."""
    suggested = st.builds(
        Provenance,
        author=st.sampled_from([Author.EXTRACTOR, Author.LANGUAGE_MODEL]),
        suggested_by=texts(20),
        confirmed=st.booleans(),
        rule=_optional(texts(20)),
        confidence=_optional(st.integers(0, 100).map(lambda percent: percent / 100)),
    )
    return st.just(Provenance()) | suggested


def _observed(model: type[T], **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[T]:
    return st.builds(
        model,
        evidence=_few(evidence()),
        provenance=provenance(),
        belongs=_optional(_choices(Record)),
        **fields,
    )


@cache
def findings() -> st.SearchStrategy[Finding]:
    """A free-text observation with evidence, provenance and record."""
    return _observed(Finding, text=texts())


_line_scores = st.integers(0, 100).map(lambda tenths: tenths / 10)


def _measure_items() -> _Known:
    return {
        SessionRatingScale: _observed(
            SessionRatingScale,
            relationship=_line_scores,
            goals_and_topics=_line_scores,
            approach_or_method=_line_scores,
            overall=_line_scores,
            administered=_optional(_choices(SessionPoint)),
        ),
        WorkingAllianceInventory: _observed(
            WorkingAllianceInventory,
            items=st.lists(st.integers(1, 5), min_size=12, max_size=12),
            administered=_optional(_choices(SessionPoint)),
        ),
        OutcomeRatingScale: _observed(
            OutcomeRatingScale,
            individually=_line_scores,
            interpersonally=_line_scores,
            socially=_line_scores,
            overall=_line_scores,
            administered=_optional(_choices(SessionPoint)),
        ),
    }


#: Strategies for one item, by the item's model.
_Known = dict[type[Any], st.SearchStrategy[Any]]


def _item_strategies() -> _Known:
    """One item of each model the built-in section holds (ruptures and repairs aside: their
    ids link them, see :func:`alliances`)."""
    return {
        Finding: findings(),
        Pronouns: _observed(Pronouns, recorded=texts(15), used_correctly=_optional(st.booleans())),
        BoundaryEvent: _observed(
            BoundaryEvent,
            area=_choices(BoundaryArea),
            initiated_by=_choices(InitiatedBy),
            description=texts(),
            handling=_optional(texts()),
        ),
        ConsentCheck: _observed(ConsentCheck, topic=texts(), response=_choices(ConsentResponse)),
        DeclinedTopic: _observed(DeclinedTopic, topic=texts(), honoured=st.booleans()),
        FeedbackAnswer: _observed(FeedbackAnswer, question=texts(), answer=texts()),
        **_measure_items(),
    }


def _item_strategy(model: type[Any], known: _Known) -> st.SearchStrategy[Any]:
    for base in model.__mro__:
        if base in known and set(model.model_fields) == set(base.model_fields):
            return known[base] if base is model else known[base].map(lambda item: model(**dict(item)))
    raise TypeError(f"no strategy for items of {model.__name__}; extend alliance_notes.testing")


def _field_values(field: FieldOutline, known: _Known) -> st.SearchStrategy[Any]:
    if field.kind == "items":
        return _few(_item_strategy(field.item, known))
    if field.kind == "item":
        return _optional(_item_strategy(field.item, known))
    return _optional(st.booleans())


#: Parts whose items link by rupture id, generated together in :func:`alliances`.
_LINKED = frozenset({"ruptures", "repairs", "plan"})


def _part_values(part: PartOutline, known: _Known) -> st.SearchStrategy[Any]:
    """A part's data: not assessed (empty), or assessed with any of its fields filled."""
    fields = {field.name: _field_values(field, known) for field in part.fields if field.kind != "choice"}
    if part.model is None:
        (value,) = fields.values()
        return value
    gate = next(field for field in part.fields if field.kind == "choice")
    answers = [choice for choice in gate.item if choice.value != "not_assessed"]
    assessed = st.fixed_dictionaries({gate.name: st.sampled_from(answers), **fields})
    return (st.just({}) | assessed).map(part.model.model_validate)


@cache
def _alliance_parts(model: type[Alliance]) -> st.SearchStrategy[dict[str, Any]]:
    """Every part of the section but the linked ones, read off the section's outline."""
    known = _item_strategies()
    return st.fixed_dictionaries(
        {part.key: _part_values(part, known) for part in alliance_outline(model) if part.key not in _LINKED}
    )


#: The most ruptures a generated section holds.
_MOST_RUPTURES = 3


@cache
def _ruptures(kind: RuptureType) -> st.SearchStrategy[Rupture]:
    """A rupture of this type, with the markers of its type only (its id is set after)."""
    return _observed(
        Rupture,
        id=st.just("r0"),
        type=st.just(kind),
        withdrawal_markers=_distinct(WithdrawalMarker) if kind is RuptureType.WITHDRAWAL else st.just([]),
        confrontation_markers=(
            _distinct(ConfrontationMarker) if kind is RuptureType.CONFRONTATION else st.just([])
        ),
        bond_aspects=_distinct(BondAspect),
        significance=st.integers(1, 5),
        description=texts(),
        clinician_contribution=_optional(texts()),
    )


def _rupture_ids(count: int) -> list[str]:
    return [f"r{number}" for number in range(1, count + 1)]


@cache
def _repairs(rupture_count: int) -> st.SearchStrategy[list[Repair]]:
    """Repairs of the first ``rupture_count`` ruptures (at least one)."""
    return _few(
        _observed(
            Repair,
            rupture=st.sampled_from(_rupture_ids(rupture_count)),
            strategies=_distinct(ResolutionStrategy),
            outcome=_optional(_choices(RepairOutcome)),
            description=_optional(texts()),
            client_response=_optional(texts()),
        )
    )


@cache
def _plans(rupture_count: int) -> st.SearchStrategy[list[FollowUp]]:
    """A plan whose follow-ups may name one of the first ``rupture_count`` ruptures."""
    ids = st.sampled_from([None, *_rupture_ids(rupture_count)]) if rupture_count else st.none()
    return _few(_observed(FollowUp, text=texts(), rupture=ids))


@st.composite
def alliances(draw: st.DrawFn, model: type[Alliance] = Alliance) -> Alliance:
    """A valid alliance section: every part sometimes empty, sometimes full.

    :param model: the section's model; a plugin's subclass gets its own fields filled too.
    """
    parts = draw(_alliance_parts(model))
    rupture_count = draw(st.integers(0, _MOST_RUPTURES))
    ruptures = [
        draw(_ruptures(draw(_choices(RuptureType)))).model_copy(update={"id": f"r{number}"})
        for number in range(1, rupture_count + 1)
    ]
    repairs = draw(_repairs(rupture_count)) if ruptures else []
    plan = draw(_plans(rupture_count))
    if ruptures:
        screening = RuptureScreening.OBSERVED
    else:
        screening = draw(st.sampled_from([RuptureScreening.NOT_ASSESSED, RuptureScreening.NONE_OBSERVED]))
    alliance = model(
        **parts,
        rupture_screening=screening,
        ruptures=ruptures,
        repairs=repairs,
        plan=plan,
    )
    # Sometimes a program set the single answers the content does not imply.
    suggested = draw(_answer_setters())
    return alliance if suggested is None else alliance.answers_set_by(suggested)


@cache
def _answer_setters() -> st.SearchStrategy[Provenance | None]:
    """No one, or a program that set single answers of the section."""
    return st.none() | provenance().filter(lambda made: made.author is not Author.CLINICIAN)


@st.composite
def _authorship(draw: st.DrawFn) -> Authorship:
    written_by = draw(_choices(WrittenBy))
    clinician = draw(_references) if written_by.reviewed else draw(_optional(_references))
    drafted_by = draw(texts(20)) if written_by is not WrittenBy.CLINICIAN else draw(_optional(texts(20)))
    return Authorship(written_by=written_by, clinician=clinician, drafted_by=drafted_by)


@cache
def sessions() -> st.SearchStrategy[Session]:
    """Session facts with a pseudonymous client code."""
    return st.builds(
        Session,
        client=_references,
        date=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
        number=_optional(st.integers(1, 500)),
        duration_minutes=_optional(st.integers(1, 600)),
        modality=_optional(_choices(Modality)),
        setting=_optional(_choices(Setting)),
        language=_optional(st.sampled_from(["en", "es-MX", "fr", "de-DE"])),
        client_age_band=_optional(_choices(AgeBand)),
    )


def notes(kinds: Sequence[type[ProgressNote]] | None = None) -> st.SearchStrategy[ProgressNote]:
    """Valid notes of the given kinds (default: the built-in SOAP, DAP, BIRP and GIRP).

    The strategy is built once per set of kinds, so ``@given(notes())`` costs no more in
    each example than drawing the note."""
    return _notes(tuple(kinds or BUILT_IN_KINDS.values()))


@cache
def _host_texts() -> st.SearchStrategy[str | None]:
    return _optional(texts(120))


@cache
def _alliances_of(model: type[Alliance]) -> st.SearchStrategy[Alliance]:
    return alliances(model)


@cache
def _notes(models: tuple[type[ProgressNote], ...]) -> st.SearchStrategy[ProgressNote]:
    @st.composite
    def build(draw: st.DrawFn) -> ProgressNote:
        model = draw(st.sampled_from(models))
        host_text = {section.key: draw(_host_texts()) for section in model.host_sections}
        alliance = draw(_alliances_of(model.alliance_model()))
        authorship = draw(_authorship())
        if authorship.written_by is WrittenBy.AI_DRAFT_REVIEWED and alliance.unconfirmed_suggestions():
            # A reviewed draft holds no unconfirmed suggestion: these came after the review.
            authorship = authorship.model_copy(
                update={"written_by": WrittenBy.AI_DRAFT_REVIEWED_WITH_SUGGESTIONS}
            )
        return model(
            session=draw(sessions()),
            authorship=authorship,
            alliance=alliance,
            **host_text,
        )

    return build()


# -- does a rendering show every value? ----------------------------------------------------

#: Fields whose value a rendering shows otherwise: ``kind`` is the note's title; the parts
#: ``withheld`` from a view say so as their status.
NOT_SHOWN_AS_TEXT = frozenset({"kind", "withheld"})

#: Choices a rendering conveys without spelling them out: "not assessed" is the absence
#: of a value (inline placement leaves such parts out); "assessed" and "observed" are
#: shown by the items listed under them; an item is in the progress note and written by
#: the clinician unless it is marked otherwise.  Tests of these check their wording.
STATUSES_NOT_LISTED: frozenset[Choice] = frozenset(
    {
        Assessment.NOT_ASSESSED,
        Assessment.ASSESSED,
        TrustState.NOT_ASSESSED,
        RuptureScreening.NOT_ASSESSED,
        RuptureScreening.OBSERVED,
        Record.PROGRESS_NOTE,
        Author.CLINICIAN,
    }
)


def shown_values(model: BaseModel, path: str = "") -> Iterator[tuple[str, str]]:
    """Every non-empty value of a model as ``(path, text a reader should see)``.

    Free text as written, closed choices by their label, numbers as a clinician writes
    them, dates in ISO form.  Booleans are shown as words in context and not listed.
    """
    names = [*type(model).model_fields, *type(model).model_computed_fields]
    for name in names:
        if name in NOT_SHOWN_AS_TEXT:
            continue
        yield from _shown(getattr(model, name), f"{path}.{name}" if path else name)


def _shown(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, BaseModel):
        yield from shown_values(value, path)
    elif isinstance(value, list | tuple):
        for index, element in enumerate(value):
            yield from _shown(element, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, element in value.items():
            yield from _shown(element, f"{path}.{key}")
    elif isinstance(value, Choice):
        if value not in STATUSES_NOT_LISTED:
            yield path, value.label
    elif isinstance(value, str):
        yield path, value
    elif isinstance(value, int | float):
        yield path, f"{value:g}"
    elif isinstance(value, dt.date):
        yield path, value.isoformat()


def missing_values(
    note: ProgressNote,
    output: str,
    as_text: Callable[[str], str] = lambda output: output,
    audience: Audience | str = Audience.RECORD,
) -> list[str]:
    """The paths of values that ``output`` does not show.

    :param audience: who ``output`` was rendered for (as :meth:`Host.render` was told;
        ``record`` by default): the values looked for are those that audience may see
        (:func:`alliance_notes.audiences.for_audience`), and only the review shows the
        note's schema version.

    :param as_text: undoes the format's escaping (``html.unescape`` for HTML, removing
        backslash escapes for Markdown) so that values can be looked for as written.
        Whether the escaping itself is right is for the format's injection tests.

    Each line of a multi-line value must appear (renderers indent continuation lines),
    compared without leading and trailing spaces.
    """
    audience = Audience(audience)
    readable = as_text(output)
    missing = []
    for path, text in shown_values(for_audience(note, audience)):
        if path == "schema_version" and audience is not Audience.REVIEW:
            continue
        for line in text.splitlines():
            if line.strip() and line.strip() not in readable:
                missing.append(path)
                break
    return missing
