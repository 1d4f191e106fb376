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

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from alliance_notes.alliance import Alliance, single_answers
from alliance_notes.evidence import Evidence, Finding, Observation, Provenance
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
    format_score,
)
from alliance_notes.note import ProgressNote
from alliance_notes.vocabulary import (
    PLACEMENTS,
    Assessment,
    Author,
    Choice,
    PartStatus,
    Record,
    RuptureScreening,
    SessionPoint,
    TrustState,
    WrittenBy,
)

ALLIANCE_TITLE = "Therapeutic alliance"

PART_TITLES: dict[str, str] = {
    "summary": "Summary",
    "trust": "Trust",
    "respect": "Respect",
    "boundaries": "Boundaries",
    "autonomy_and_consent": "Autonomy and consent",
    "ruptures": "Ruptures",
    "repairs": "Repairs",
    "measures": "Measures",
    "client_feedback": "Client feedback",
    "plan": "Plan",
}


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
    """

    key: str
    title: str
    items: tuple[Item, ...]
    status: PartStatus | None = None

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

    def section(self, key: str) -> Section | None:
        """The section with this key, or ``None`` (the alliance section is absent inline)."""
        return next((section for section in self.sections if section.key == key), None)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _labels(choices: Iterable[Choice]) -> str:
    return "; ".join(choice.label for choice in choices)


def _quote(evidence: Evidence) -> Quote:
    where = [evidence.speaker.label]
    if evidence.utterance_index is not None:
        where.append(f"utterance {evidence.utterance_index}")
    if evidence.timestamp is not None:
        where.append(evidence.timestamp)
    return Quote(evidence.quote, ", ".join(where))


def _provenance_note(provenance: Provenance) -> tuple[str, ...]:
    if provenance == Provenance():
        return ()
    note = provenance.label
    if provenance.rule is not None:
        note += f"; rule: {provenance.rule}"
    if provenance.confidence is not None:
        note += f"; confidence {provenance.confidence:g}"
    return (note,)


def _item(
    observation: Observation,
    label: str | None,
    text: str | None = None,
    children: Iterable[Item] = (),
) -> Item:
    """An item for an observation, carrying its quotes, provenance and record."""
    private = observation.belongs is Record.PSYCHOTHERAPY_NOTE
    notes = _provenance_note(observation.provenance)
    if private:
        notes = (f"{Record.PSYCHOTHERAPY_NOTE.label}: keep separate from the record", *notes)
    return Item(
        label=label,
        text=text,
        quotes=tuple(_quote(evidence) for evidence in observation.evidence),
        notes=notes,
        children=tuple(children),
        private=private,
        suggestion=observation.provenance.is_unconfirmed_suggestion,
    )


def _finding(finding: Finding, label: str | None) -> Item:
    return _item(finding, label, finding.text)


def _findings(findings: Iterable[Finding], label: str) -> Iterator[Item]:
    for finding in findings:
        yield _finding(finding, label)


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


def _status_block(key: str, status: PartStatus, provenance: Provenance | None, label: str) -> Block:
    """A part that lists nothing: its status, or the status as a marked item when a program set it."""
    if provenance is None or not status.records_absence:
        return Block(key, PART_TITLES[key], (), status)
    return Block(key, PART_TITLES[key], (_answer(label, status.label, provenance),))


def _summary(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    items = () if alliance.summary is None else (_finding(alliance.summary, None),)
    return Block("summary", PART_TITLES["summary"], items, None if items else PartStatus.NOT_ASSESSED)


def _trust(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    trust = alliance.trust
    if trust.state is TrustState.NOT_ASSESSED:
        return Block("trust", PART_TITLES["trust"], (), PartStatus.NOT_ASSESSED)
    items = [
        _answer("State this session", trust.state.label, set_by.get("trust.state")),
        *_findings(trust.built_by, "Built trust"),
        *_findings(trust.strained_by, "Strained trust"),
    ]
    return Block("trust", PART_TITLES["trust"], tuple(items))


def _assessed(key: str, status: Assessment, items: list[Item], set_by: AnswerProvenance) -> Block:
    if status is Assessment.NOT_ASSESSED:
        return Block(key, PART_TITLES[key], (), PartStatus.NOT_ASSESSED)
    if items:
        return Block(key, PART_TITLES[key], tuple(items))
    return _status_block(key, PartStatus.NOTHING_TO_NOTE, set_by.get(f"{key}.status"), "Assessed")


def _respect(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    respect = alliance.respect
    items = [
        *_findings(respect.client_voice, "Client's voice and choices"),
        *_findings(respect.cultural_identity, "Cultural identity"),
        *_findings(respect.power_and_trauma_sensitivity, "Power and trauma sensitivity"),
    ]
    if respect.pronouns is not None:
        pronouns = respect.pronouns
        used = (
            ()
            if pronouns.used_correctly is None
            else (Item("Used correctly this session", _yes_no(pronouns.used_correctly)),)
        )
        items.append(_item(pronouns, "Pronouns", pronouns.recorded, used))
    items.extend(_findings(respect.strengths, "Strength noticed"))
    return _assessed("respect", respect.status, items, set_by)


def _boundaries(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    boundaries = alliance.boundaries
    items: list[Item] = []
    if boundaries.ended_on_time is not None:
        items.append(
            _answer(
                "Session ended on time",
                _yes_no(boundaries.ended_on_time),
                set_by.get("boundaries.ended_on_time"),
            )
        )
    items.extend(_findings(boundaries.roles_and_contact, "Roles and contact outside sessions"))
    items.extend(_findings(boundaries.confidentiality, "Confidentiality"))
    for event in boundaries.events:
        children = () if event.handling is None else (Item("How it was handled", event.handling),)
        label = f"Boundary event ({event.area.label}; raised by the {event.initiated_by.label})"
        items.append(_item(event, label, event.description, children))
    return _assessed("boundaries", boundaries.status, items, set_by)


def _autonomy(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    autonomy = alliance.autonomy_and_consent
    items = [
        _item(check, f"Asked before entering a topic (client {check.response.label})", check.topic)
        for check in autonomy.consent_checks
    ]
    items.extend(_findings(autonomy.choices_offered, "Choice offered"))
    items.extend(
        _item(
            declined,
            "Declined by the client (" + ("honoured" if declined.honoured else "not honoured") + ")",
            declined.topic,
        )
        for declined in autonomy.declined
    )
    if autonomy.pace is not None:
        items.append(_finding(autonomy.pace, "Pace agreed"))
    return _assessed("autonomy_and_consent", autonomy.status, items, set_by)


def _ruptures(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    if alliance.rupture_screening is RuptureScreening.NOT_ASSESSED:
        return Block("ruptures", PART_TITLES["ruptures"], (), PartStatus.NOT_ASSESSED)
    if alliance.rupture_screening is RuptureScreening.NONE_OBSERVED:
        return _status_block(
            "ruptures", PartStatus.NONE_OBSERVED, set_by.get("rupture_screening"), "Ruptures looked for"
        )
    items = []
    for rupture in alliance.ruptures:
        children = []
        if rupture.markers:
            children.append(Item("3RS markers", _labels(rupture.markers)))
        if rupture.bond_aspects:
            children.append(Item("Touched", _labels(rupture.bond_aspects)))
        if rupture.clinician_contribution is not None:
            children.append(Item("Clinician's contribution", rupture.clinician_contribution))
        label = f"Rupture {rupture.id}: {rupture.type.label}, significance {rupture.significance} of 5"
        items.append(_item(rupture, label, rupture.description, children))
    return Block("ruptures", PART_TITLES["ruptures"], tuple(items))


def _repairs(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    items = []
    for repair in alliance.repairs:
        children = []
        if repair.strategies:
            children.append(Item("3RS strategies", _labels(repair.strategies)))
        if repair.client_response is not None:
            children.append(Item("Client's response", repair.client_response))
        label = f"Repair of rupture {repair.rupture}: {repair.outcome.label}"
        items.append(_item(repair, label, repair.description, children))
    if items:
        return Block("repairs", PART_TITLES["repairs"], tuple(items))
    if alliance.rupture_screening is RuptureScreening.NONE_OBSERVED:
        # The absence of repairs follows from the recorded screening, and so does who recorded it.
        return _status_block(
            "repairs",
            PartStatus.NO_RUPTURE_TO_REPAIR,
            set_by.get("rupture_screening"),
            PART_TITLES["repairs"],
        )
    return Block("repairs", PART_TITLES["repairs"], (), PartStatus.NOT_ASSESSED)


def _given(name: str, administered: SessionPoint | None) -> str:
    """A measure's label, with when it was given only if that was recorded."""
    return name if administered is None else f"{name}, given at the {administered.label}"


def _scores(pairs: Iterable[tuple[str, float]]) -> tuple[Item, ...]:
    return tuple(Item(label, format_score(value)) for label, value in pairs)


def _srs(srs: SessionRatingScale) -> Item:
    total = f"total {format_score(srs.total)} of 40"
    if srs.below_cutoff:
        total += " (below 36: discuss the alliance)"
    items = _scores(
        [
            ("Relationship", srs.relationship),
            ("Goals and topics", srs.goals_and_topics),
            ("Approach or method", srs.approach_or_method),
            ("Overall", srs.overall),
        ]
    )
    return _item(srs, _given("Session Rating Scale (SRS)", srs.administered), total, items)


def _ors(ors: OutcomeRatingScale) -> Item:
    total = f"total {format_score(ors.total)} of 40"
    if ors.below_cutoff:
        total += " (below the adult clinical cutoff of 25)"
    items = _scores(
        [
            ("Individually", ors.individually),
            ("Interpersonally", ors.interpersonally),
            ("Socially", ors.socially),
            ("Overall", ors.overall),
        ]
    )
    return _item(ors, _given("Outcome Rating Scale (ORS)", ors.administered), total, items)


def _wai_sr(wai: WorkingAllianceInventory) -> Item:
    total = f"total {wai.total} of 60"
    items = (
        Item("Task", f"{wai.task} of 20"),
        Item("Bond", f"{wai.bond} of 20"),
        Item("Goal", f"{wai.goal} of 20"),
        Item("Item scores 1–12", ", ".join(str(score) for score in wai.items)),
    )
    return _item(wai, _given("Working Alliance Inventory (WAI-SR)", wai.administered), total, items)


def _measures(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    measures = alliance.measures
    items = []
    if measures.srs is not None:
        items.append(_srs(measures.srs))
    if measures.wai_sr is not None:
        items.append(_wai_sr(measures.wai_sr))
    if measures.ors is not None:
        items.append(_ors(measures.ors))
    if items:
        return Block("measures", PART_TITLES["measures"], tuple(items))
    if measures.status is Assessment.NOT_ASSESSED:
        return Block("measures", PART_TITLES["measures"], (), PartStatus.NOT_ASSESSED)
    return _status_block("measures", PartStatus.NONE_GIVEN, set_by.get("measures.status"), "Measures")


def _client_feedback(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    items = tuple(
        _item(answer, "Asked", answer.question, (Item("Client's answer", answer.answer),))
        for answer in alliance.client_feedback
    )
    return Block(
        "client_feedback", PART_TITLES["client_feedback"], items, None if items else PartStatus.NOT_ASSESSED
    )


def _plan(alliance: Alliance, set_by: AnswerProvenance) -> Block:
    items = tuple(
        _item(
            follow_up,
            "Follow-up" if follow_up.rupture is None else f"Follow-up on rupture {follow_up.rupture}",
            follow_up.text,
        )
        for follow_up in alliance.plan
    )
    return Block("plan", PART_TITLES["plan"], items, None if items else PartStatus.NOT_ASSESSED)


_BUILDERS = {
    "summary": _summary,
    "trust": _trust,
    "respect": _respect,
    "boundaries": _boundaries,
    "autonomy_and_consent": _autonomy,
    "ruptures": _ruptures,
    "repairs": _repairs,
    "measures": _measures,
    "client_feedback": _client_feedback,
    "plan": _plan,
}


def alliance_blocks(alliance: Alliance, set_by: AnswerProvenance | None = None) -> tuple[Block, ...]:
    """Every part of the alliance section as a block, in the order a note presents them.

    :param set_by: who set each single answer a program suggested; by default the
        section's own :attr:`~Alliance.set_by`.
    """
    answers = alliance.set_by if set_by is None else set_by
    return tuple(_BUILDERS[part](alliance, answers) for part in Alliance.parts)


def answer_provenance(note: ProgressNote) -> dict[str, Provenance]:
    """Who set each single answer of the note's alliance section that a program suggested.

    In an AI draft nobody has reviewed, every answer the note gives came from the scribe
    that drafted it, unless the section names another program: none of them is the
    clinician's decision yet.
    """
    set_by = dict(note.alliance.set_by)
    authorship = note.authorship
    if authorship.written_by is WrittenBy.AI_DRAFT and authorship.drafted_by is not None:
        drafter = Provenance(author=Author.LANGUAGE_MODEL, suggested_by=authorship.drafted_by)
        for path in single_answers(type(note.alliance)):
            alliance = note.alliance
            if path not in set_by and alliance.answer_is_set(path) and not alliance.answer_is_implied(path):
                set_by[path] = drafter
    return set_by


def _written_by(note: ProgressNote, set_by: AnswerProvenance) -> str:
    """Who wrote the note, and how many of its suggestions still await the clinician."""
    label = note.authorship.written_by.label
    waiting = note.alliance.unconfirmed_suggestions(set_by)
    if waiting:
        label += f"; {waiting} suggestion{'s' if waiting != 1 else ''} not yet confirmed"
    return label


def _facts(note: ProgressNote, set_by: AnswerProvenance) -> tuple[tuple[str, str], ...]:
    session, authorship = note.session, note.authorship
    facts: list[tuple[str, str | None]] = [
        ("Client", session.client),
        ("Session date", session.date.isoformat()),
        ("Session number", None if session.number is None else str(session.number)),
        ("Duration", None if session.duration_minutes is None else f"{session.duration_minutes} minutes"),
        ("Modality", None if session.modality is None else session.modality.label),
        ("Setting", None if session.setting is None else session.setting.label),
        ("Language", session.language),
        ("Written by", _written_by(note, set_by)),
        ("Clinician", authorship.clinician),
        ("Drafted by", authorship.drafted_by),
        ("Note schema", note.schema_version),
    ]
    return tuple((label, value) for label, value in facts if value is not None)


def build_document(note: ProgressNote, placement: str = "section") -> NoteDocument:
    """The note as titled sections of items, with the alliance content placed as asked.

    :param placement: ``"section"`` (the alliance as its own section after the host
        sections) or ``"inline"`` (each part inside the host section it belongs to).
    """
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}")
    set_by = answer_provenance(note)
    blocks = alliance_blocks(note.alliance, set_by)
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
        facts=_facts(note, set_by),
        sections=tuple(sections),
        placement=placement,
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
    )
