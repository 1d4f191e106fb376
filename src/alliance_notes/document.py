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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from alliance_notes.alliance import Alliance
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
    Choice,
    Record,
    RuptureScreening,
    TrustState,
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
    """One part of the alliance section (trust, ruptures …) as rendered."""

    key: str
    title: str
    items: tuple[Item, ...]
    status: str | None = None

    @property
    def recorded(self) -> bool:
        """True when the block says something: items, or that the part was assessed."""
        return bool(self.items) or (self.status or "").startswith("assessed")


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


def _summary(alliance: Alliance) -> Block:
    items = () if alliance.summary is None else (_finding(alliance.summary, None),)
    return Block("summary", PART_TITLES["summary"], items, None if items else "not recorded")


def _trust(alliance: Alliance) -> Block:
    trust = alliance.trust
    if trust.state is TrustState.NOT_ASSESSED:
        return Block("trust", PART_TITLES["trust"], (), "not assessed")
    items = [
        Item("State this session", trust.state.label),
        *_findings(trust.built_by, "Built trust"),
        *_findings(trust.strained_by, "Strained trust"),
    ]
    return Block("trust", PART_TITLES["trust"], tuple(items))


def _assessed(key: str, status: Assessment, items: list[Item]) -> Block:
    if status is Assessment.NOT_ASSESSED:
        return Block(key, PART_TITLES[key], (), "not assessed")
    return Block(key, PART_TITLES[key], tuple(items), None if items else "assessed, nothing to note")


def _respect(alliance: Alliance) -> Block:
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
    return _assessed("respect", respect.status, items)


def _boundaries(alliance: Alliance) -> Block:
    boundaries = alliance.boundaries
    items: list[Item] = []
    if boundaries.ended_on_time is not None:
        items.append(Item("Session ended on time", _yes_no(boundaries.ended_on_time)))
    items.extend(_findings(boundaries.roles_and_contact, "Roles and contact outside sessions"))
    items.extend(_findings(boundaries.confidentiality, "Confidentiality"))
    for event in boundaries.events:
        children = () if event.handling is None else (Item("How it was handled", event.handling),)
        label = f"Boundary event ({event.area.label}; raised by the {event.initiated_by.label})"
        items.append(_item(event, label, event.description, children))
    return _assessed("boundaries", boundaries.status, items)


def _autonomy(alliance: Alliance) -> Block:
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
    return _assessed("autonomy_and_consent", autonomy.status, items)


def _ruptures(alliance: Alliance) -> Block:
    if alliance.rupture_screening is RuptureScreening.NOT_ASSESSED:
        return Block("ruptures", PART_TITLES["ruptures"], (), "not assessed")
    if alliance.rupture_screening is RuptureScreening.NONE_OBSERVED:
        return Block("ruptures", PART_TITLES["ruptures"], (), "assessed, none observed")
    items = []
    for rupture in alliance.ruptures:
        children = []
        if rupture.markers:
            children.append(Item("3RS markers", _labels(rupture.markers)))
        if rupture.bond_aspects:
            children.append(Item("Touched", _labels(rupture.bond_aspects)))
        if rupture.clinician_contribution is not None:
            children.append(Item("Clinician's contribution", rupture.clinician_contribution))
        if not alliance.repairs_of(rupture.id):
            children.append(Item("Repair", "not yet addressed"))
        label = f"Rupture {rupture.id}: {rupture.type.label}, significance {rupture.significance} of 5"
        items.append(_item(rupture, label, rupture.description, children))
    return Block("ruptures", PART_TITLES["ruptures"], tuple(items))


def _repairs(alliance: Alliance) -> Block:
    items = []
    for repair in alliance.repairs:
        children = []
        if repair.strategies:
            children.append(Item("3RS strategies", _labels(repair.strategies)))
        if repair.client_response is not None:
            children.append(Item("Client's response", repair.client_response))
        label = f"Repair of rupture {repair.rupture}: {repair.outcome.label}"
        items.append(_item(repair, label, repair.description, children))
    status = None if items else ("no rupture to repair" if not alliance.ruptures else "none recorded")
    return Block("repairs", PART_TITLES["repairs"], tuple(items), status)


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
    return _item(srs, f"Session Rating Scale (SRS), given at the {srs.administered.label}", total, items)


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
    return _item(ors, f"Outcome Rating Scale (ORS), given at the {ors.administered.label}", total, items)


def _wai_sr(wai: WorkingAllianceInventory) -> Item:
    total = f"total {wai.total} of 60"
    items = (
        Item("Task", f"{wai.task} of 20"),
        Item("Bond", f"{wai.bond} of 20"),
        Item("Goal", f"{wai.goal} of 20"),
        Item("Item scores 1–12", ", ".join(str(score) for score in wai.items)),
    )
    return _item(
        wai, f"Working Alliance Inventory (WAI-SR), given at the {wai.administered.label}", total, items
    )


def _measures(alliance: Alliance) -> Block:
    measures = alliance.measures
    items = []
    if measures.srs is not None:
        items.append(_srs(measures.srs))
    if measures.wai_sr is not None:
        items.append(_wai_sr(measures.wai_sr))
    if measures.ors is not None:
        items.append(_ors(measures.ors))
    return Block("measures", PART_TITLES["measures"], tuple(items), None if items else "none given")


def _client_feedback(alliance: Alliance) -> Block:
    items = tuple(
        _item(answer, "Asked", answer.question, (Item("Client's answer", answer.answer),))
        for answer in alliance.client_feedback
    )
    return Block("client_feedback", PART_TITLES["client_feedback"], items, None if items else "not asked")


def _plan(alliance: Alliance) -> Block:
    items = tuple(
        _item(
            follow_up,
            "Follow-up" if follow_up.rupture is None else f"Follow-up on rupture {follow_up.rupture}",
            follow_up.text,
        )
        for follow_up in alliance.plan
    )
    return Block("plan", PART_TITLES["plan"], items, None if items else "none recorded")


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


def alliance_blocks(alliance: Alliance) -> tuple[Block, ...]:
    """Every part of the alliance section as a block, in the order a note presents them."""
    return tuple(_BUILDERS[part](alliance) for part in Alliance.parts)


def _facts(note: ProgressNote) -> tuple[tuple[str, str], ...]:
    session, authorship = note.session, note.authorship
    facts: list[tuple[str, str | None]] = [
        ("Client", session.client),
        ("Session date", session.date.isoformat()),
        ("Session number", None if session.number is None else str(session.number)),
        ("Duration", None if session.duration_minutes is None else f"{session.duration_minutes} minutes"),
        ("Modality", session.modality.label),
        ("Setting", None if session.setting is None else session.setting.label),
        ("Language", session.language),
        ("Written by", authorship.written_by.label),
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
    blocks = alliance_blocks(note.alliance)
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
        facts=_facts(note),
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
                    status=None if block.status is None else escape(block.status),
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
