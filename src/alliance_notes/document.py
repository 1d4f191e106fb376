"""The note as a reader meets it: titled sections of labelled items, in the clinician's words.

:func:`build_document` turns a validated note into a :class:`NoteDocument`, a plain,
format-neutral outline that every output format renders.  Building it in one place is how
no format drops a field: every value of the note becomes an item here, and templates only
decide how items look.

Two placements of the alliance content (domain reference §1):

* ``section`` — its own "Therapeutic alliance" section after the host sections;
* ``inline`` — each part placed into the host section where it naturally lands, as the
  note kind's :attr:`~alliance_notes.note.ProgressNote.inline_placement` says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

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
from alliance_notes.evidence import Evidence, Finding, Observation, Provenance
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
    format_score,
    ors_clinical_cutoff,
)
from alliance_notes.note import ProgressNote
from alliance_notes.outline import PartOutline, alliance_outline, label_of
from alliance_notes.vocabulary import (
    PLACEMENTS,
    AgeBand,
    Audience,
    Author,
    Choice,
    PartStatus,
    Record,
    SessionPoint,
    WrittenBy,
)

ALLIANCE_TITLE = "Therapeutic alliance"
#: The psychotherapy note's title: it says what the document is, and that it is not the record.
PRIVATE_TITLE = "Psychotherapy note: kept separate from the medical record (45 CFR 164.501)"


@dataclass(frozen=True)
class Quote:
    """A quote from the session, attributed."""

    text: str
    attribution: str


@dataclass(frozen=True)
class Item:
    """One labelled entry: ``label: text``, with quotes, notes and nested items.

    :param private: belongs in the psychotherapy note kept separate from the record.
    :param suggestion: suggested by a machine and not yet confirmed by a clinician.
    :param notes: secondary facts about the entry (who suggested it, where it belongs).
    """

    label: str | None
    text: str | None = None
    quotes: tuple[Quote, ...] = ()
    notes: tuple[str, ...] = ()
    children: tuple[Item, ...] = ()
    private: bool = False
    suggestion: bool = False


@dataclass(frozen=True)
class Block:
    """One part of the alliance section (trust, ruptures …) as rendered.

    :param status: what the part says when it lists nothing; ``None`` when it has items.
    :param code: the part's code in the project's FHIR CodeSystem.
    """

    key: str
    title: str
    items: tuple[Item, ...]
    status: PartStatus | None = None
    code: str | None = None

    @property
    def recorded(self) -> bool:
        """True when the block says something: items, or a recorded absence."""
        return bool(self.items) or (self.status is not None and self.status.records_absence)

    @property
    def status_label(self) -> str | None:
        """The status as a clinician reads it, or ``None``."""
        return None if self.status is None else self.status.label


@dataclass(frozen=True)
class Section:
    """One section of the rendered note: a host section or the alliance section."""

    key: str
    title: str
    text: str | None = None
    blocks: tuple[Block, ...] = ()
    code: str | None = None


@dataclass(frozen=True)
class NoteDocument:
    """A note ready to render: title, facts about the session, and sections in order."""

    kind: str
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    placement: str
    audience: Audience = Audience.REVIEW

    def section(self, key: str) -> Section | None:
        """The section with this key, or ``None`` (the alliance section is absent inline)."""
        return self.by_key.get(key)

    @property
    def by_key(self) -> dict[str, Section]:
        """The sections by key; a template asks ``document.by_key.get("plan")``, which is
        ``None`` for a section the note does not show (the alliance section, inline)."""
        return {section.key: section for section in self.sections}


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _labels(choices: Iterable[Choice]) -> str:
    return "; ".join(choice.label for choice in choices)


class _Briefly(str):
    """A note or attribution as the review shows it, which also knows the brief form the
    record shows: who suggested an item as one short mark ("AI-suggested, confirmed by the
    clinician"), a quote as said by whom and when (no utterance number)."""

    brief: str

    def __new__(cls, full: str, brief: str) -> _Briefly:
        note = super().__new__(cls, full)
        note.brief = brief
        return note


def _quote(evidence: Evidence) -> Quote:
    where = [evidence.speaker.label]
    if evidence.utterance_index is not None:
        where.append(f"utterance {evidence.utterance_index}")
    if evidence.timestamp is not None:
        where.append(evidence.timestamp)
    brief = [evidence.speaker.label] + ([evidence.timestamp] if evidence.timestamp is not None else [])
    return Quote(evidence.quote, _Briefly(", ".join(where), ", ".join(brief)))


def _provenance_note(provenance: Provenance) -> tuple[str, ...]:
    if provenance == Provenance():
        return ()
    note = provenance.label
    if provenance.rule is not None:
        note += f"; rule: {provenance.rule}"
    if provenance.confidence is not None:
        note += f"; confidence {provenance.confidence:g}"
    return (_Briefly(note, provenance.mark),)


def _brief(text: str) -> str:
    return text.brief if isinstance(text, _Briefly) else text


def _briefly(item: Item) -> Item:
    """``item`` with its notes and quote attributions in their brief form, for the record."""
    return replace(
        item,
        notes=tuple(map(_brief, item.notes)),
        quotes=tuple(Quote(quote.text, _brief(quote.attribution)) for quote in item.quotes),
        children=tuple(_briefly(child) for child in item.children),
    )


def _item(
    observation: Observation,
    label: str | None,
    text: str | None = None,
    children: Iterable[Item] = (),
) -> Item:
    """An item for an observation, carrying its quotes, provenance and record."""
    private = observation.kept_out_of_record
    notes = _provenance_note(observation.provenance)
    if observation.belongs is None:
        notes = ("Place not recorded: kept out of the record until a clinician places it", *notes)
    elif private:
        notes = (f"{Record.PSYCHOTHERAPY_NOTE.label}: keep separate from the record", *notes)
    return Item(
        label=label or None,
        text=text,
        quotes=tuple(_quote(evidence) for evidence in observation.evidence),
        notes=notes,
        children=tuple(children),
        private=private,
        suggestion=observation.provenance.is_unconfirmed_suggestion,
    )


#: Who set each single answer a program suggested, by path (see :attr:`Alliance.set_by`).
AnswerProvenance = Mapping[str, Provenance]


def _answer(label: str, text: str, provenance: Provenance | None) -> Item:
    """An item for a single answer, marked as a suggestion when a program set it."""
    if provenance is None:
        return Item(label, text)
    return Item(
        label,
        text,
        notes=_provenance_note(provenance),
        suggestion=provenance.is_unconfirmed_suggestion,
    )


# -- items, by the model of the item --------------------------------------------------------

ItemRenderer = Callable[[Any, str], Item]


def _finding(finding: Finding, label: str) -> Item:
    return _item(finding, label, finding.text)


def _pronouns(pronouns: Pronouns, label: str) -> Item:
    used = (
        ()
        if pronouns.used_correctly is None
        else (Item(label_of(Pronouns, "used_correctly"), _yes_no(pronouns.used_correctly)),)
    )
    return _item(pronouns, label, pronouns.recorded, used)


def _boundary_event(event: BoundaryEvent, label: str) -> Item:
    children = () if event.handling is None else (Item(label_of(BoundaryEvent, "handling"), event.handling),)
    where = f"{label} ({event.area.label}; raised by the {event.initiated_by.label})"
    return _item(event, where, event.description, children)


def _consent_check(check: ConsentCheck, label: str) -> Item:
    return _item(check, f"{label} (client {check.response.label})", check.topic)


def _declined(declined: DeclinedTopic, label: str) -> Item:
    honoured = "honoured" if declined.honoured else "not honoured"
    return _item(declined, f"{label} ({honoured})", declined.topic)


def _rupture(rupture: Rupture, label: str) -> Item:
    children = []
    if rupture.markers:
        children.append(Item("3RS markers", _labels(rupture.markers)))
    if rupture.bond_aspects:
        children.append(Item(label_of(Rupture, "bond_aspects"), _labels(rupture.bond_aspects)))
    if rupture.clinician_contribution is not None:
        children.append(Item(label_of(Rupture, "clinician_contribution"), rupture.clinician_contribution))
    heading = f"{label} {rupture.id} ({rupture.type.label}, significance {rupture.significance} of 5)"
    return _item(rupture, heading, rupture.description, children)


def _repair(repair: Repair, label: str) -> Item:
    children = []
    if repair.strategies:
        children.append(Item(label_of(Repair, "strategies"), _labels(repair.strategies)))
    if repair.client_response is not None:
        children.append(Item(label_of(Repair, "client_response"), repair.client_response))
    outcome = "outcome not assessed" if repair.outcome is None else repair.outcome.label
    of = ", no rupture recorded" if repair.rupture is None else f" of rupture {repair.rupture}"
    heading = f"{label}{of} ({outcome})"
    return _item(repair, heading, repair.description, children)


def _feedback(answer: FeedbackAnswer, label: str) -> Item:
    return _item(answer, label, answer.question, (Item(label_of(FeedbackAnswer, "answer"), answer.answer),))


def _follow_up(follow_up: FollowUp, label: str) -> Item:
    heading = label if follow_up.rupture is None else f"{label} on rupture {follow_up.rupture}"
    return _item(follow_up, heading, follow_up.text)


def _given(name: str, administered: SessionPoint | None) -> str:
    """A measure's label, with when it was given only if that was recorded."""
    return name if administered is None else f"{name}, given at the {administered.label}"


def _scores(total: str, pairs: Iterable[tuple[str, str]]) -> str:
    """A measure on one line: its total, then each score by name."""
    return f"{total} ({'; '.join(f'{label} {value}' for label, value in pairs)})"


def _line_scale(measure: SessionRatingScale | OutcomeRatingScale, label: str, below: str | None) -> Item:
    """A 0–40 scale of four lines (SRS, ORS) on one line: its total, then ``below`` (what it
    means that the total is below its cutoff) when it is, then each line's score by the
    line's ``Described`` name."""
    total = f"total {format_score(measure.total)} of 40" + (f", {below}" if below else "")
    lines = [
        (label_of(type(measure), name).lower(), format_score(getattr(measure, name)))
        for name, info in type(measure).model_fields.items()
        if info.annotation is float
    ]
    text = _scores(total, lines)
    return _item(measure, _given(label, measure.administered), text)


def _srs(srs: SessionRatingScale, label: str) -> Item:
    return _line_scale(srs, label, "below 36: discuss the alliance" if srs.below_cutoff else None)


def _ors(ors: OutcomeRatingScale, label: str, age_band: AgeBand | None = None) -> Item:
    """The ORS, compared with the clinical cutoff of the client's age band (adult when the
    band is not recorded, and then said to be the adult cutoff)."""
    cutoff = ors_clinical_cutoff(age_band)
    band = (age_band or AgeBand.ADULT).value
    below = f"below the {band} clinical cutoff of {format_score(cutoff)}" if ors.total < cutoff else None
    return _line_scale(ors, label, below)


def _wai_sr(wai: WorkingAllianceInventory, label: str) -> Item:
    subscales = [("task", f"{wai.task} of 20"), ("bond", f"{wai.bond} of 20"), ("goal", f"{wai.goal} of 20")]
    items = (Item("Item scores 1–12", ", ".join(str(score) for score in wai.items)),)
    return _item(wai, _given(label, wai.administered), _scores(f"total {wai.total} of 60", subscales), items)


_ITEM_RENDERERS: dict[type[Observation], ItemRenderer] = {
    Finding: _finding,
    Pronouns: _pronouns,
    BoundaryEvent: _boundary_event,
    ConsentCheck: _consent_check,
    DeclinedTopic: _declined,
    Rupture: _rupture,
    Repair: _repair,
    FeedbackAnswer: _feedback,
    FollowUp: _follow_up,
    SessionRatingScale: _srs,
    OutcomeRatingScale: _ors,
    WorkingAllianceInventory: _wai_sr,
}
#: What every observation carries besides its own fields; :func:`_item` shows these.
_OBSERVATION_FIELDS = frozenset(Observation.model_fields)


def _value_text(value: Any) -> str | None:
    if value is None or value == []:
        return None
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, Choice):
        return value.label
    if isinstance(value, list):
        return "; ".join(filter(None, map(_value_text, value))) or None
    if isinstance(value, int | float):
        return format_score(value)
    return str(value)


def _any_item(observation: Observation, label: str) -> Item:
    """An item of a model no renderer knows (a plugin's own): every field, labelled by name."""
    children = []
    for name in type(observation).model_fields:
        text = None if name in _OBSERVATION_FIELDS else _value_text(getattr(observation, name))
        if text is not None:
            children.append(Item(name.replace("_", " ").capitalize(), text))
    return _item(observation, label, None, children)


def _renderer(model: type[Any]) -> ItemRenderer:
    """How an item of ``model`` is shown: its own renderer, or its base's when a subclass adds
    no field, or every field by name."""
    for known in model.__mro__:
        renderer = _ITEM_RENDERERS.get(known)
        if renderer is not None and set(model.model_fields) == set(getattr(known, "model_fields", {})):
            return renderer
    return _any_item


# -- parts ------------------------------------------------------------------------------------


def _status_of(alliance: Alliance, part: PartOutline) -> tuple[str, Choice] | None:
    """The answer that says whether the part was looked at: ``(path, value)``, if it has one."""
    if part.status_from is not None:
        return part.status_from, alliance.answer(part.status_from)
    for field in part.fields:
        if field.is_status:
            return field.key, alliance.answer(field.key)
    return None


def _part_items(
    alliance: Alliance, part: PartOutline, set_by: AnswerProvenance, age_band: AgeBand | None = None
) -> list[Item]:
    items: list[Item] = []
    for field in part.fields:
        value = alliance.answer(field.key)
        if value is None:
            continue
        if field.kind == "choice":
            if not field.is_status:
                items.append(_answer(field.label, value.label, set_by.get(field.key)))
        elif field.kind == "yes_no":
            items.append(_answer(field.label, _yes_no(value), set_by.get(field.key)))
        else:
            render = _renderer(field.item)
            if render is _ors:  # the ORS cutoff depends on the client's age band
                render = partial(_ors, age_band=age_band)
            # A field named like its part (the summary) needs no label of its own.
            label = "" if field.label == part.title else field.label
            items.extend(render(element, label) for element in (value if field.kind == "items" else [value]))
    return items


def _part_block(
    alliance: Alliance, part: PartOutline, set_by: AnswerProvenance, age_band: AgeBand | None = None
) -> Block:
    """One part as a block: its items, or what its status records when it lists nothing.

    An answer still "not assessed" (trust's state, a part's status, the rupture screening)
    means the part was not assessed, whatever else it could hold.
    """
    if part.key in alliance.withheld:
        return Block(part.key, part.title, (), PartStatus.WITHHELD, part.code)
    status = _status_of(alliance, part)
    for field in part.fields:
        if field.kind == "choice" and alliance.answer(field.key).value == "not_assessed":
            return Block(part.key, part.title, (), PartStatus.NOT_ASSESSED, part.code)
    items = _part_items(alliance, part, set_by, age_band)
    if items:
        return Block(part.key, part.title, tuple(items), None, part.code)
    if status is None or status[1].value in ("not_assessed", "observed"):
        return Block(part.key, part.title, (), PartStatus.NOT_ASSESSED, part.code)
    path, _ = status
    provenance = set_by.get(path)
    if provenance is None:
        return Block(part.key, part.title, (), part.absence, part.code)
    # A program recorded the absence: shown as a marked item, like any suggestion.
    label = part.title if part.status_from is not None else part.field(path.rpartition(".")[2]).label
    return Block(part.key, part.title, (_answer(label, part.absence.label, provenance),), None, part.code)


def alliance_blocks(
    alliance: Alliance, set_by: AnswerProvenance | None = None, age_band: AgeBand | None = None
) -> tuple[Block, ...]:
    """Every part of the alliance section as a block, in the order a note presents them.

    :param set_by: who set each single answer a program suggested; by default the
        section's own :attr:`~Alliance.set_by`.
    :param age_band: the client's age band, which sets the ORS cutoff shown (the adult one
        when it is not recorded).
    """
    answers = alliance.set_by if set_by is None else set_by
    return tuple(_part_block(alliance, part, answers, age_band) for part in alliance_outline(type(alliance)))


def _scribe(note: ProgressNote) -> Provenance | None:
    """The scribe of an AI draft nobody has reviewed yet, as a suggesting program."""
    authorship = note.authorship
    if authorship.written_by is WrittenBy.AI_DRAFT and authorship.drafted_by is not None:
        return Provenance(author=Author.LANGUAGE_MODEL, suggested_by=authorship.drafted_by)
    return None


def as_drafted(note: ProgressNote) -> Alliance:
    """The note's alliance section as a reader must take it.

    In an AI draft nobody has reviewed, whatever names no program (an item with the
    default provenance, an answer not in :attr:`~Alliance.set_by`) was written by the
    scribe that drafted the note, not by the clinician: it is a suggestion until the
    clinician confirms it.  Any other note's section is returned as it is.
    """
    scribe = _scribe(note)
    return note.alliance if scribe is None else note.alliance.attributed_to(scribe)


def answer_provenance(note: ProgressNote) -> dict[str, Provenance]:
    """Who set each single answer of the note's alliance section that a program suggested
    (in an unreviewed AI draft, the scribe set every answer no other program is named for)."""
    return dict(as_drafted(note).set_by)


def _written_by(note: ProgressNote, alliance: Alliance, set_by: AnswerProvenance) -> str:
    """Who wrote the note, and how many of its suggestions still await the clinician."""
    label = note.authorship.written_by.label
    waiting = alliance.unconfirmed_suggestions(set_by)
    if waiting:
        label += f"; {waiting} suggestion{'s' if waiting != 1 else ''} not yet confirmed"
    return label


def _facts(
    note: ProgressNote, alliance: Alliance, set_by: AnswerProvenance, audience: Audience
) -> tuple[tuple[str, str], ...]:
    session, authorship = note.session, note.authorship
    facts: list[tuple[str, str | None]] = [
        ("Client", session.client),
        ("Session date", session.date.isoformat()),
        ("Session number", None if session.number is None else str(session.number)),
        ("Duration", None if session.duration_minutes is None else f"{session.duration_minutes} minutes"),
        ("Modality", None if session.modality is None else session.modality.label),
        ("Setting", None if session.setting is None else session.setting.label),
        ("Language", session.language),
        ("Client age band", None if session.client_age_band is None else session.client_age_band.label),
        ("Written by", _written_by(note, alliance, set_by)),
        ("Clinician", authorship.clinician),
        ("Drafted by", authorship.drafted_by),
        ("Note schema", note.schema_version if audience is Audience.REVIEW else None),
    ]
    return tuple((label, value) for label, value in facts if value is not None)


def build_document(
    note: ProgressNote, placement: str = "section", audience: Audience = Audience.REVIEW
) -> NoteDocument:
    """The note as titled sections of items, with the alliance content placed as asked.

    :param placement: ``"section"`` (the alliance as its own section after the host
        sections) or ``"inline"`` (each part inside the host section it belongs to).
    :param audience: who the document is for.  The note must already be cut down to what
        that audience may see (:func:`alliance_notes.audiences.for_audience`; the host's
        ``render`` does it); the audience decides the document's frame: the psychotherapy
        note shows only the parts it holds, under its own title, with no host sections;
        outside the review, who suggested an item is one short mark
        (:attr:`~alliance_notes.evidence.Provenance.mark`).
    """
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}")
    if audience is Audience.CLIENT:
        from alliance_notes.client_summary import client_document  # noqa: PLC0415  (it builds on this module)

        return client_document(note)
    alliance = as_drafted(note)
    set_by = alliance.set_by
    blocks = alliance_blocks(alliance, set_by, note.session.client_age_band)
    if audience is not Audience.REVIEW:
        blocks = tuple(replace(block, items=tuple(map(_briefly, block.items))) for block in blocks)
    if audience is Audience.PRIVATE:
        return NoteDocument(
            kind=note.kind,
            title=PRIVATE_TITLE,
            facts=_facts(note, alliance, set_by, audience),
            sections=(Section("alliance", ALLIANCE_TITLE, None, tuple(b for b in blocks if b.items)),),
            placement="section",
            audience=audience,
        )
    sections = []
    for host in note.host_sections:
        inline = (
            tuple(
                replace(block, title=f"Alliance — {block.title}")
                for block in blocks
                # Inline, a part with nothing recorded is left out rather than scattered
                # through the host sections as "not assessed" lines.
                if note.inline_placement[block.key] == host.key and block.recorded
            )
            if placement == "inline"
            else ()
        )
        sections.append(Section(host.key, host.title, note.section_text(host.key), inline, host.loinc))
    if placement == "section":
        sections.append(Section("alliance", ALLIANCE_TITLE, None, blocks))
    return NoteDocument(
        kind=note.kind,
        title=f"{note.title} with therapeutic alliance",
        facts=_facts(note, alliance, set_by, audience),
        sections=tuple(sections),
        placement=placement,
        audience=audience,
    )


def _escaped_item(item: Item, escape: Callable[[str], str]) -> Item:
    def optional(text: str | None) -> str | None:
        return None if text is None else escape(text)

    return replace(
        item,
        label=optional(item.label),
        text=optional(item.text),
        quotes=tuple(Quote(escape(quote.text), escape(quote.attribution)) for quote in item.quotes),
        notes=tuple(escape(note) for note in item.notes),
        children=tuple(_escaped_item(child, escape) for child in item.children),
    )


def escape_document(document: NoteDocument, escape: Callable[[str], str]) -> NoteDocument:
    """The document with ``escape`` applied to every piece of text it shows.

    A format whose markup Jinja does not autoescape (Markdown, for one) escapes the whole
    document once, here, so its templates cannot forget a value.
    """
    sections = tuple(
        replace(
            section,
            title=escape(section.title),
            text=None if section.text is None else escape(section.text),
            blocks=tuple(
                replace(
                    block,
                    title=escape(block.title),
                    items=tuple(_escaped_item(item, escape) for item in block.items),
                )
                for block in section.blocks
            ),
        )
        for section in document.sections
    )
    return NoteDocument(
        kind=document.kind,
        title=escape(document.title),
        facts=tuple((escape(label), escape(value)) for label, value in document.facts),
        sections=sections,
        placement=document.placement,
        audience=document.audience,
    )
