"""The offline alliance extractor: suggests alliance findings from a session transcript with
rules, no network and no model.

The rules are data, in ``extractor_rules.json`` beside this module: each has an id (what
the suggestion's provenance names as its ``rule``), the finding it suggests, whose speech it
reads, a comment saying why, a confidence, and case-insensitive regular expressions with
vetoes.  A clinic can run its own rules with ``RuleExtractor(load_lexicon(path))``.

What it looks for (domain reference §2–§3):

* in the client's speech, 3RS withdrawal and confrontation markers.  A rupture is suggested
  only for one *strong* marker or two *weak* ones of the same type close together, so that
  an ordinary "I don't know" is not called a rupture;
* in the clinician's speech, asking before a topic (kept only when the client's answer is
  clear), offering choices, leaving the pace to the client, validating, remembering earlier
  content, holding a boundary, explaining confidentiality, asking for feedback, and 3RS
  resolution strategies (counted just after a suggested rupture, as its repair; alone only
  when the rule's words carry the repair by themselves, e.g. the clinician owning their part,
  and then as a repair with no rupture recorded).

Every suggestion quotes the sentence that fired the rule verbatim, with its utterance
index and time, and carries provenance: author ``extractor``, ``suggested_by`` the
lexicon's name and version, the rule, a confidence, and ``confirmed`` false.  It never
asserts an absence: a part with nothing detected stays "not assessed".

Precision comes first: a clinician must be able to trust what is suggested, so the rules
prefer to miss a finding rather than invent one.  ``benchmarks/evaluate_extractor.py``
measures precision and recall on a labelled development set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from alliance_notes.plugin_api import Alliance, ProgressNote, Provenance, Transcript, hookimpl
from alliance_notes_plugins.regex_needs import needed_by_any

#: The built-in rules.
LEXICON_PATH = Path(__file__).with_name("extractor_rules.json")

_SENTENCE = re.compile(r"[^.!?]*[^.!?\s][^.!?]*(?:[.!?]+[\"')\]]*|$)")
_STUTTER = re.compile(r"\b(\w+)-(?=\1\b)", re.IGNORECASE)
_OPEN_QUESTION = re.compile(
    r"\b(?:what|how|why|where|when|which|tell me|describe|walk me through)\b", re.IGNORECASE
)
_CLIENT_ROLES = ("client",)
#: A question about how the client felt or reacted ("How did that feel?", "Were you upset?").
_FEELING_QUESTION = re.compile(
    r"\b(?:feel|feeling|felt|upset|angry|annoyed|bother\w*|hurt|cross|mad|sad|react\w*|land)\b",
    re.IGNORECASE,
)


def _normalised(text: str) -> str:
    """Text as the rules read it: lower case, straight apostrophes, stammers ("I-I",
    "to-to") collapsed."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u2014", " - ")
    return _STUTTER.sub("", text)


def _compile(patterns: Sequence[str], flags: int = 0) -> re.Pattern[str] | None:
    """One pattern matching any of ``patterns``.  Patterns are written in lower case and
    matched against lower-cased text, which is much faster than ``re.IGNORECASE``."""
    if not patterns:
        return None
    for pattern in patterns:
        if _UPPER_LITERAL.search(_ESCAPES.sub("", pattern)):
            raise ValueError(
                "patterns must be written in lower case (they are matched against lower-cased text)"
            )
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), flags)


def _any_of(texts: frozenset[str] | None) -> tuple[str, ...] | None:
    """``texts`` in a fixed order, shortest first (the commonest words end a test soonest)."""
    return None if texts is None else tuple(sorted(texts, key=lambda text: (len(text), text)))


_ESCAPES = re.compile(r"\\.|\(\?P<\w+>")
_UPPER_LITERAL = re.compile(r"[A-Z]")


@dataclass(frozen=True)
class Rule:
    """One rule of the lexicon (see ``extractor_rules.json`` for the meaning of each key)."""

    id: str
    finding: str
    speaker: str
    comment: str
    confidence: float
    sentence: re.Pattern[str] | None
    utterance: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    strength: str = "strong"
    marker: str | None = None
    strategy: str | None = None
    area: str | None = None
    after: str | None = None
    text: str | None = None
    #: For a boundary: the client's words that raise it first (asking to run over, for the
    #: clinician's number), so the event is the client's when they come just before.
    client_raises: re.Pattern[str] | None = None
    #: For a resolution strategy: its words carry a repair without a detected rupture
    #: before them ("I pushed too hard there, I'm sorry"), so it is suggested alone.
    stands_alone: bool = False
    #: Text without one of these cannot match ``sentence`` / ``utterance`` (``None``: no
    #: such test); see :mod:`alliance_notes_plugins.regex_needs`.
    sentence_needs: tuple[str, ...] | None = None
    utterance_needs: tuple[str, ...] | None = None

    def matches_sentences(self, lines: str) -> bool:
        """True when a sentence of the turn (``lines``: one normalised sentence per line)
        matches."""
        if self.sentence is None:
            return False
        needs = self.sentence_needs
        if needs is not None and not any(map(lines.__contains__, needs)):
            return False
        return self.sentence.search(lines) is not None

    def matches_utterance(self, text: str) -> bool:
        """True when the whole normalised turn matches."""
        if self.utterance is None:
            return False
        needs = self.utterance_needs
        if needs is not None and not any(map(text.__contains__, needs)):
            return False
        return self.utterance.search(text) is not None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rule:
        """A rule from its lexicon entry.

        :raises ValueError: for an entry without an id, finding, speaker or any pattern.
        """
        try:
            # Multi-line, so that a turn's sentences joined by line breaks can be searched at once.
            sentence = _compile(data.get("patterns", []), re.MULTILINE)
            utterance = _compile(data.get("utterance_patterns", []))
            if sentence is None and utterance is None:
                raise ValueError(f"rule {data.get('id')!r} has no patterns")
            return cls(
                id=str(data["id"]),
                finding=str(data["finding"]),
                speaker=str(data["speaker"]),
                comment=str(data.get("comment", "")),
                confidence=float(data["confidence"]),
                sentence=sentence,
                utterance=utterance,
                unless=_compile(data.get("unless", [])),
                strength=str(data.get("strength", "strong")),
                marker=data.get("marker"),
                strategy=data.get("strategy"),
                area=data.get("area"),
                after=data.get("after"),
                text=data.get("text"),
                client_raises=_compile(data.get("client_raises", [])),
                stands_alone=bool(data.get("stands_alone", False)),
                sentence_needs=_any_of(needed_by_any(data.get("patterns", []), re.MULTILINE)),
                utterance_needs=_any_of(needed_by_any(data.get("utterance_patterns", []))),
            )
        except (KeyError, TypeError, re.error) as error:
            raise ValueError(f"invalid rule {data.get('id')!r}: {error}") from None


@dataclass(frozen=True)
class Lexicon:
    """A named, versioned set of rules and the settings that combine their matches."""

    name: str
    version: str
    rules: tuple[Rule, ...]
    window: int
    weak_markers_needed: int
    repair_window: int
    responses: Mapping[str, re.Pattern[str] | None]
    topics: tuple[re.Pattern[str], ...] = ()
    #: How a client's response after a repair reads: ``disagrees`` and ``thanks`` patterns.
    repair_responses: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    #: One weak marker is a rupture when a strategy that stands alone answers it within
    #: this many utterances (the clinician noticed it: "the answers are getting shorter …").
    confirmed_by_repair_within: int = 0

    @property
    def label(self) -> str:
        """How suggestions name their source, e.g. ``alliance-rules 0.3``."""
        return f"{self.name} {self.version}"

    def rules_for(self, role: str) -> tuple[Rule, ...]:
        """The rules that read one speaker role's words."""
        return tuple(rule for rule in self.rules if rule.speaker == role)


# What a consent question asks about: the words after "talk about", "spend some time on" …
_TOPIC = (
    r"\b(?:talk(?:ed)? (?:to you )?(?:a (?:little )?bit )?about|"
    r"spen[dt] (?:some |a (?:little |bit of )?)?time on|go(?:ing)? (?:over|into)|look(?:ing)? at|"
    r"ask(?:ed)? (?:you )?(?:some |a few )?questions about|come back to|"
    r"(?:information|info|advice) (?:on|about))\s+(?P<topic>[^,?.;]{3,80})"
)


def load_lexicon(path: str | Path = LEXICON_PATH) -> Lexicon:
    """Read a lexicon file (the built-in one by default).

    :raises ValueError: when the file is not a valid lexicon.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rupture = data.get("rupture", {})
    responses = data.get("consent_responses", {})
    return Lexicon(
        name=str(data["name"]),
        version=str(data["version"]),
        rules=tuple(Rule.from_data(entry) for entry in data["rules"]),
        window=int(rupture.get("window", 6)),
        weak_markers_needed=int(rupture.get("weak_markers_needed", 2)),
        repair_window=int(rupture.get("repair_window", 8)),
        confirmed_by_repair_within=int(rupture.get("confirmed_by_repair_within", 0)),
        responses={
            answer: _compile(responses.get(answer, []))
            for answer in ("agreed_first", "deferred", "declined", "agreed")
        },
        topics=(re.compile(_TOPIC, re.IGNORECASE),),
        repair_responses={
            kind: tuple(re.compile(pattern) for pattern in patterns)
            for kind, patterns in rupture.get("repair_responses", {}).items()
            if kind != "comment"
        },
    )


@dataclass(frozen=True)
class Detection:
    """A rule that fired on one sentence (or a whole turn) of the transcript."""

    rule: Rule
    index: int
    quote: str

    @property
    def finding(self) -> str:
        """The kind of finding, e.g. ``consent_check`` or ``withdrawal``."""
        return self.rule.finding


@dataclass
class RuptureSuggestion:
    """Markers close enough together to suggest one rupture, and the repair after it."""

    type: str
    markers: list[Detection]
    repair: list[Detection] = field(default_factory=list)
    #: Suggested only from the client's response; ``None``: not assessed.
    outcome: str | None = None

    @property
    def first(self) -> int:
        """The index of the first marker."""
        return self.markers[0].index

    @property
    def last(self) -> int:
        """The index of the last marker."""
        return self.markers[-1].index


@dataclass
class LoneRepair:
    """Resolution strategies that carry a repair by themselves, with no rupture detected
    before them."""

    strategies: list[Detection]
    #: Suggested only from the client's response; ``None``: not assessed.
    outcome: str | None = None


@dataclass
class Suggestions:
    """What the extractor keeps after combining detections: findings, ruptures and the
    repairs that stand alone."""

    findings: list[Detection]
    ruptures: list[RuptureSuggestion]
    responses: dict[int, tuple[str, int]]
    lone_repairs: list[LoneRepair] = field(default_factory=list)

    def accepted(self) -> Iterator[Detection]:
        """Every detection that became part of a suggestion (for evaluation)."""
        yield from self.findings
        for rupture in self.ruptures:
            yield from rupture.markers
            yield from rupture.repair
        for repair in self.lone_repairs:
            yield from repair.strategies


def _sentences(text: str) -> list[str]:
    return [match.group().strip() for match in _SENTENCE.finditer(text) if match.group().strip()]


def normalised_lines(text: str) -> str:
    """A turn as the sentence rules search it: each sentence normalised, one per line."""
    return "\n".join(_normalised(sentence) for sentence in _sentences(text))


#: The most characters of the clinician's words a finding's text repeats.
_SEEN_CHARACTERS = 100


def _seen(rule: Rule, quote: str) -> str:
    """What was seen in this exchange: the rule's action and the words that showed it, so
    two findings of one rule read differently ("Validated the client's experience: “That
    makes sense after the week you had”"), never one stock sentence."""
    action = (rule.text or rule.finding.replace("_", " ").capitalize()).split(";")[0].rstrip(". ")
    words = " ".join(quote.split())
    if len(words) > _SEEN_CHARACTERS:
        words = words[:_SEEN_CHARACTERS].rsplit(" ", 1)[0] + " …"
    return f"{action}: “{words}”"


#: A client turn of this many words after a repair is taken as re-engaging.
_ENGAGED_WORDS = 6

#: A clinician's reply to someone else in the room is taken as said to them up to this length.
_SHORT_REPLY_WORDS = 12


#: Someone a turn may open by addressing who is not in the therapy relationship itself.
_RELATIVE = re.compile(
    r"^\W*(?:(?:and|so|okay|ok|well|now|oh|and you),? )?"
    r"(?:mom|mum|mommy|mummy|mother|dad|daddy|father|grandma|granny|grandpa|grandad|nan|nana|"
    r"auntie|aunt|uncle|sis|bro|honey|babe|sweetheart|love|darling)\b\s*[,.!?]",
)


def _opens_by_addressing(text: str, names: frozenset[str]) -> bool:
    """True when a turn opens by addressing a relative ("Mum, …") or another participant by
    the name the transcript gives them ("Maria, …")."""
    normalised = _normalised(text)
    if _RELATIVE.search(normalised):
        return True
    head = normalised.lstrip(" \"'([").split(",", 1)
    return len(head) == 2 and head[0].strip() in names


def _other_participants(transcript: Transcript) -> frozenset[str]:
    """The names the transcript gives the other participants (a parent, a partner)."""
    return frozenset(
        _normalised(u.speaker).strip() for u in transcript.utterances if u.role.value == "other_participant"
    )


def _said_to_someone_else(transcript: Transcript, index: int, others: frozenset[str]) -> bool:
    """True for a turn addressed to someone other than the client and clinician in their
    relationship: one that opens by naming another participant or a relative, a short
    clinician turn right after another participant spoke ("Take your time" said to a
    parent is not about the client's pace), and a client's turn that answers another
    participant or that another participant answers (a complaint to a partner in the room
    is not a rupture with the clinician)."""
    turn = transcript.utterances[index]
    if _opens_by_addressing(turn.text, others):
        return True
    utterances = transcript.utterances
    if (
        turn.role.value in _CLIENT_ROLES
        and index + 1 < len(utterances)
        and utterances[index + 1].role.value == "other_participant"
    ):
        return True
    if index == 0 or utterances[index - 1].role.value != "other_participant":
        return False
    if turn.role.value in _CLIENT_ROLES:
        return True
    return len(turn.text.split()) <= _SHORT_REPLY_WORDS


def _evidence(transcript: Transcript, index: int, quote: str) -> dict[str, Any]:
    turn = transcript.utterances[index]
    evidence: dict[str, Any] = {"quote": quote, "speaker": turn.role.value, "utterance_index": index}
    if turn.timestamp is not None:
        evidence["timestamp"] = turn.timestamp
    return evidence


class RuleExtractor:
    """Suggests alliance findings from a transcript with a lexicon of rules."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    @cached_property
    def _by_role(self) -> dict[str, tuple[Rule, ...]]:
        return {role: self.lexicon.rules_for(role) for role in ("clinician", "client")}

    # -- detecting ---------------------------------------------------------------

    def _context_allows(self, rule: Rule, transcript: Transcript, index: int) -> bool:
        if rule.after is None:
            return True
        if index == 0:
            return False
        before = transcript.utterances[index - 1]
        if before.role.value != "clinician":
            return False
        if rule.after == "clinician":
            return True
        questions = [sentence for sentence in _sentences(before.text) if sentence.endswith("?")]
        if rule.after == "question":
            return bool(questions)
        if rule.after == "feeling_question":
            return any(_FEELING_QUESTION.search(question) for question in questions)
        return any(_OPEN_QUESTION.search(question) and len(question.split()) >= 6 for question in questions)

    def detect(self, transcript: Transcript) -> list[Detection]:
        """Every rule match, before markers are combined into ruptures.  One detection per
        rule and utterance (the first sentence that matched)."""
        detections: list[Detection] = []
        others = _other_participants(transcript)
        for index, turn in enumerate(transcript.utterances):
            role = "client" if turn.role.value in _CLIENT_ROLES else turn.role.value
            rules = self._by_role.get(role, ())
            if not rules or _said_to_someone_else(transcript, index, others):
                continue
            text = _normalised(turn.text)
            sentences = [(_normalised(sentence), sentence) for sentence in _sentences(turn.text)]
            # One search over all the sentences (one per line) rules most turns out at once.
            lines = normalised_lines(turn.text)
            for rule in rules:
                quote = None
                if rule.matches_utterance(text):
                    quote = turn.text.strip()
                elif rule.sentence is not None and rule.matches_sentences(lines):
                    quote = next((s for norm, s in sentences if rule.sentence.search(norm)), None)
                if quote is None:
                    continue
                if rule.unless is not None and rule.unless.search(text):
                    continue
                if not self._context_allows(rule, transcript, index):
                    continue
                detections.append(Detection(rule, index, quote))
        return detections

    # -- combining ---------------------------------------------------------------

    def _reply(self, transcript: Transcript, index: int) -> int | None:
        """The client's answer to the clinician's turn at ``index``: the next client turn
        within two utterances."""
        for following in range(index + 1, min(index + 3, len(transcript.utterances))):
            if transcript.utterances[following].role.value in _CLIENT_ROLES:
                return following
        return None

    def _response(self, text: str) -> str | None:
        """How a client turn answers a consent question, or ``None`` when it is unclear."""
        text = _normalised(text)
        for answer in ("agreed_first", "deferred", "declined", "agreed"):
            pattern = self.lexicon.responses.get(answer)
            if pattern is not None and pattern.search(text):
                return "agreed" if answer == "agreed_first" else answer
        return None

    def _outcome(self, responses: Sequence[str]) -> str | None:
        """A repair's outcome as the client's responses to its strategies suggest it: a
        last response in renewed disagreement is unresolved; thanks or agreement and
        re-engagement (a response of six words or more) resolved, either alone partly
        resolved; anything else, and no response, is left not assessed (``None``)."""
        texts = [_normalised(response) for response in responses]
        patterns = self.lexicon.repair_responses

        def says(kind: str, text: str) -> bool:
            return any(pattern.search(text) for pattern in patterns.get(kind, ()))

        if not texts or says("disagrees", texts[-1]):
            return "unresolved" if texts else None
        thanks = any(says("thanks", text) for text in texts)
        engaged = any(len(text.split()) >= _ENGAGED_WORDS and not says("disagrees", text) for text in texts)
        if thanks and engaged:
            return "resolved"
        return "partly_resolved" if thanks or engaged else None

    def _answered_by_repair(self, cluster: list[Detection], alone: set[int]) -> bool:
        """True when a strategy whose words carry a repair (at an index in ``alone``)
        follows the cluster's last marker closely: the clinician's own words say something
        went wrong between them."""
        last = cluster[-1].index
        return any(last + step in alone for step in range(1, self.lexicon.confirmed_by_repair_within + 1))

    def _ruptures(self, markers: list[Detection], resolutions: list[Detection]) -> list[RuptureSuggestion]:
        ruptures: list[RuptureSuggestion] = []
        alone = {d.index for d in resolutions if d.rule.stands_alone}
        for kind in ("withdrawal", "confrontation"):
            cluster: list[Detection] = []
            for marker in [m for m in markers if m.finding == kind] + [None]:
                if marker is not None and (
                    not cluster or marker.index - cluster[-1].index <= self.lexicon.window
                ):
                    cluster.append(marker)
                    continue
                strong = any(m.rule.strength == "strong" for m in cluster)
                enough = len(cluster) >= self.lexicon.weak_markers_needed
                if cluster and (strong or enough or self._answered_by_repair(cluster, alone)):
                    ruptures.append(RuptureSuggestion(kind, cluster))
                cluster = [marker] if marker is not None else []
        return sorted(ruptures, key=lambda rupture: rupture.first)

    def _attach_repairs(
        self, ruptures: list[RuptureSuggestion], resolutions: list[Detection], transcript: Transcript
    ) -> None:
        """Give each rupture the resolution strategies that follow it closely (one pass:
        both lists are in transcript order)."""
        position = 0
        for number, rupture in enumerate(ruptures):
            limit = rupture.last + self.lexicon.repair_window
            if number + 1 < len(ruptures):
                limit = min(limit, ruptures[number + 1].first - 1)
            while position < len(resolutions) and resolutions[position].index <= rupture.last:
                position += 1
            while position < len(resolutions) and resolutions[position].index <= limit:
                rupture.repair.append(resolutions[position])
                position += 1
            if rupture.repair:
                rupture.outcome = self._outcome_after(transcript, rupture.repair)

    def _outcome_after(self, transcript: Transcript, strategies: list[Detection]) -> str | None:
        """The outcome the client's replies to a repair's strategies suggest."""
        replies = [self._reply(transcript, strategy.index) for strategy in strategies]
        responses = [
            transcript.utterances[reply].text for reply in dict.fromkeys(replies) if reply is not None
        ]
        return self._outcome(responses)

    def _lone_repairs(
        self, ruptures: list[RuptureSuggestion], resolutions: list[Detection], transcript: Transcript
    ) -> list[LoneRepair]:
        """Strategies that stand alone and are no rupture's repair, grouped when they come
        close together (within the repair window)."""
        attached = {id(d) for rupture in ruptures for d in rupture.repair}
        groups: list[list[Detection]] = []
        for detection in resolutions:
            if id(detection) in attached or not detection.rule.stands_alone:
                continue
            if groups and detection.index - groups[-1][-1].index <= self.lexicon.repair_window:
                groups[-1].append(detection)
            else:
                groups.append([detection])
        return [LoneRepair(group, self._outcome_after(transcript, group)) for group in groups]

    def combine(self, transcript: Transcript) -> Suggestions:
        """Detections combined into what the extractor suggests: ruptures need enough
        markers, repairs must follow a rupture unless their words carry them alone, consent
        checks need a clear answer and feedback questions an answer."""
        detections = self.detect(transcript)
        markers = [d for d in detections if d.finding in ("withdrawal", "confrontation")]
        resolutions = [d for d in detections if d.finding == "resolution"]
        ruptures = self._ruptures(markers, resolutions)
        self._attach_repairs(ruptures, resolutions, transcript)
        lone_repairs = self._lone_repairs(ruptures, resolutions, transcript)
        findings: list[Detection] = []
        responses: dict[int, tuple[str, int]] = {}
        seen: set[tuple[str, int]] = set()
        for detection in detections:
            if detection.finding in ("withdrawal", "confrontation", "resolution"):
                continue
            if (detection.finding, detection.index) in seen:
                continue
            if detection.finding in ("consent_check", "feedback_request"):
                reply = self._reply(transcript, detection.index)
                if reply is None:
                    continue
                if detection.finding == "consent_check":
                    answer = self._response(transcript.utterances[reply].text)
                    if answer is None:
                        continue
                    responses[detection.index] = (answer, reply)
            seen.add((detection.finding, detection.index))
            findings.append(detection)
        return Suggestions(findings, ruptures, responses, lone_repairs)

    # -- building the alliance section ------------------------------------------------

    def _suggested(self, rule: Rule, confidence: float | None = None) -> dict[str, Any]:
        """An item's provenance (this extractor, the rule, unconfirmed) and its place: the
        rules detect summary-level alliance markers, which belong in the progress-note
        record (45 CFR 164.501); the clinician confirms the item, place included."""
        return {
            "provenance": {
                "author": "extractor",
                "suggested_by": self.lexicon.label,
                "confirmed": False,
                "rule": rule.id,
                "confidence": round(confidence if confidence is not None else rule.confidence, 2),
            },
            "belongs": "progress_note",
        }

    def _with_reply(self, transcript: Transcript, detection: Detection) -> list[dict[str, Any]]:
        evidence = [_evidence(transcript, detection.index, detection.quote)]
        reply = self._reply(transcript, detection.index)
        if reply is not None:
            sentences = _sentences(transcript.utterances[reply].text)
            if sentences:
                evidence.append(_evidence(transcript, reply, sentences[0]))
        return evidence

    def _raised_by_client(self, transcript: Transcript, detection: Detection) -> dict[str, Any] | None:
        """The client's words that first raised the boundary the clinician holds at
        ``detection``: a client turn just before it (within two utterances) asking for what
        the boundary limits; ``None`` when the clinician raised it."""
        pattern = detection.rule.client_raises
        if pattern is None:
            return None
        for earlier in range(detection.index - 1, max(detection.index - 3, -1), -1):
            turn = transcript.utterances[earlier]
            if turn.role.value not in _CLIENT_ROLES:
                continue
            sentence = next(
                (said for said in _sentences(turn.text) if pattern.search(_normalised(said))), None
            )
            if sentence is not None:
                return _evidence(transcript, earlier, sentence)
        return None

    def _topic(self, quote: str) -> str:
        for pattern in self.lexicon.topics:
            match = pattern.search(quote)
            if match:
                return match.group("topic").strip()
        return "The topic of the clinician's question (see the quote)"

    def _rupture(self, transcript: Transcript, rupture: RuptureSuggestion, number: int) -> dict[str, Any]:
        evidence = []
        prompt = rupture.first - 1
        if prompt >= 0 and transcript.utterances[prompt].role.value == "clinician":
            sentences = _sentences(transcript.utterances[prompt].text)
            if sentences:
                evidence.append(_evidence(transcript, prompt, sentences[-1]))
        evidence.extend(_evidence(transcript, m.index, m.quote) for m in rupture.markers)
        markers = list(dict.fromkeys(m.rule.marker for m in rupture.markers if m.rule.marker))
        strongest = max(rupture.markers, key=lambda m: m.rule.confidence)
        confidence = min(0.9, strongest.rule.confidence + 0.05 * (len(rupture.markers) - 1))
        significance = min(3, max(len(rupture.markers), 2 if strongest.rule.strength == "strong" else 1))
        labels = ", ".join(marker.replace("_", " ") for marker in markers)
        return {
            "id": f"r{number}",
            "type": rupture.type,
            f"{rupture.type}_markers": markers,
            "significance": significance,
            "description": f"{rupture.type.capitalize()} markers in the client's speech: {labels}. "
            "Significance is the extractor's first estimate from the number of markers.",
            "evidence": evidence,
            **self._suggested(strongest.rule, confidence),
        }

    def _repair(
        self, transcript: Transcript, detections: list[Detection], outcome: str | None, rupture: str | None
    ) -> dict[str, Any]:
        """A repair of rupture ``rupture``, or (``None``) one whose words carry it alone."""
        strategies = list(dict.fromkeys(d.rule.strategy for d in detections if d.rule.strategy))
        evidence = [_evidence(transcript, d.index, d.quote) for d in detections]
        reply = self._reply(transcript, detections[-1].index)
        if reply is not None:
            sentences = _sentences(transcript.utterances[reply].text)
            if sentences:
                evidence.append(_evidence(transcript, reply, sentences[0]))
        best = max(detections, key=lambda d: d.rule.confidence)
        where = "after the rupture" if rupture is not None else "with no rupture detected before them"
        return {
            **({} if rupture is None else {"rupture": rupture}),
            "strategies": strategies,
            **({} if outcome is None else {"outcome": outcome}),
            "description": f"Resolution strategies in the clinician's speech {where}: "
            + ", ".join(strategy.replace("_", " ") for strategy in strategies)
            + ".",
            "evidence": evidence,
            **self._suggested(best.rule),
        }

    def alliance_data(self, transcript: Transcript) -> dict[str, Any]:
        """The suggested alliance section as JSON-ready data (only what was detected)."""
        suggestions = self.combine(transcript)
        data: dict[str, Any] = {}
        trust: list[dict[str, Any]] = []
        autonomy: dict[str, Any] = {}
        boundaries: dict[str, Any] = {}
        feedback: list[dict[str, Any]] = []
        pace: list[Detection] = []
        for detection in suggestions.findings:
            rule = detection.rule
            kind = detection.finding
            single = [_evidence(transcript, detection.index, detection.quote)]
            if kind in ("validation", "remembers"):
                evidence = self._with_reply(transcript, detection) if kind == "remembers" else single
                trust.append(
                    {"text": _seen(rule, detection.quote), "evidence": evidence, **self._suggested(rule)}
                )
            elif kind == "consent_check":
                answer, reply = suggestions.responses[detection.index]
                evidence = [
                    *single,
                    _evidence(transcript, reply, _sentences(transcript.utterances[reply].text)[0]),
                ]
                autonomy.setdefault("consent_checks", []).append(
                    {
                        "topic": self._topic(detection.quote),
                        "response": answer,
                        "evidence": evidence,
                        **self._suggested(rule),
                    }
                )
            elif kind == "choice_offered":
                autonomy.setdefault("choices_offered", []).append(
                    {
                        "text": _seen(rule, detection.quote),
                        "evidence": self._with_reply(transcript, detection),
                        **self._suggested(rule),
                    }
                )
            elif kind == "pace":
                pace.append(detection)
            elif kind == "boundary":
                raised = self._raised_by_client(transcript, detection)
                boundaries.setdefault("events", []).append(
                    {
                        "area": rule.area or "other",
                        "initiated_by": "client" if raised is not None else "clinician",
                        "description": _seen(rule, detection.quote),
                        "evidence": single if raised is None else [raised, *single],
                        **self._suggested(rule),
                    }
                )
            elif kind == "confidentiality":
                boundaries.setdefault("confidentiality", []).append(
                    {"text": _seen(rule, detection.quote), "evidence": single, **self._suggested(rule)}
                )
            elif kind == "feedback_request":
                evidence = self._with_reply(transcript, detection)
                feedback.append(
                    {
                        "question": detection.quote,
                        "answer": evidence[-1]["quote"],
                        "evidence": evidence,
                        **self._suggested(rule),
                    }
                )
        if pace:
            autonomy["pace"] = {
                "text": _seen(pace[0].rule, pace[0].quote),
                "evidence": [_evidence(transcript, d.index, d.quote) for d in pace[:3]],
                **self._suggested(pace[0].rule),
            }
        ruptures = suggestions.ruptures
        if ruptures:
            data["ruptures"] = [self._rupture(transcript, r, n) for n, r in enumerate(ruptures, start=1)]
        repairs = [
            self._repair(transcript, r.repair, r.outcome, f"r{n}")
            for n, r in enumerate(ruptures, start=1)
            if r.repair
        ]
        repairs += [self._repair(transcript, r.strategies, r.outcome, None) for r in suggestions.lone_repairs]
        if repairs:
            data["repairs"] = sorted(repairs, key=lambda repair: repair["evidence"][0]["utterance_index"])
        if trust:
            unrepaired = any(not rupture.repair for rupture in ruptures)
            data["trust"] = {"state": "strained" if unrepaired else "strengthening", "built_by": trust}
        if autonomy:
            data["autonomy_and_consent"] = autonomy
        if boundaries:
            data["boundaries"] = boundaries
        if feedback:
            data["client_feedback"] = feedback
        return data

    def suggest(self, transcript: Transcript) -> Alliance | None:
        """The suggested alliance section, or ``None`` when nothing was detected."""
        data = self.alliance_data(transcript)
        if not data:
            return None
        # A single answer (the trust state) is marked as this extractor's, as items are.
        answers = Provenance.model_validate({"author": "extractor", "suggested_by": self.lexicon.label})
        return Alliance.model_validate(data).answers_set_by(answers)


_DEFAULT: list[RuleExtractor] = []


def default_extractor() -> RuleExtractor:
    """The extractor with the built-in rules, built once on first use."""
    if not _DEFAULT:
        _DEFAULT.append(RuleExtractor())
    return _DEFAULT[0]


def detected_findings(
    transcript: Transcript, extractor: RuleExtractor | None = None
) -> list[tuple[int, str]]:
    """``(utterance index, finding kind)`` for everything the extractor suggests, the form
    its evaluation compares with labels."""
    suggestions = (extractor or default_extractor()).combine(transcript)
    return sorted({(d.index, d.finding) for d in suggestions.accepted()})


@hookimpl
def alliance_suggest_alliance(transcript: Transcript, note: ProgressNote | None) -> Alliance | None:
    """Suggest alliance findings from the transcript with the built-in rules."""
    return default_extractor().suggest(transcript)


__all__ = [
    "LEXICON_PATH",
    "Detection",
    "Lexicon",
    "Rule",
    "RuleExtractor",
    "alliance_suggest_alliance",
    "default_extractor",
    "detected_findings",
    "load_lexicon",
]
