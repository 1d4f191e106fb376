"""Quote grounding: every evidence quote in a note must be words that were actually said.

A quote is *grounded* when it appears, in order, inside one utterance of the session
transcript.  The comparison forgives what transcription and quoting change without changing
meaning, and nothing else:

* case, punctuation, spacing, curly versus straight quotes, hyphens;
* filler words (um, uh, er, hmm, mm-hmm …) and a stammered repeat ("I I think");
* contractions (``don't`` = ``do not``), number words (``three`` = ``3``), common spelling
  variants (``okay``/``ok``, ``gonna``/``going to``, ``realise``/``realize``);
* an ellipsis (``…`` or ``...``) standing for words left out;
* in a longer quote, a missing or extra small word (``the``, ``so``, ``just`` …).

It is strict about meaning: a negation (not, no, never, nothing …), a number, or a name
(a capitalised word inside a sentence) must match exactly, and no content word may be
added, dropped or swapped for a different word.  "I do want to get to it" is not grounded
by "I don't want to get to it".

:func:`check_quotes` checks every quote of a note and reports, by field path, each quote
that is not grounded (with the closest real utterance, when one is close), that sits in a
different utterance than its ``utterance_index`` says, or that is attributed to the wrong
speaker.  Messages never repeat a quote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from pydantic import BaseModel

from alliance_notes.checks import CheckFinding, Severity
from alliance_notes.evidence import Evidence
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.walk import instances_in

#: The name grounding findings carry as their ``check``.
CHECK_NAME = "grounding"
#: A timestamp further than this from the utterance's start is reported (a warning).
TIMESTAMP_TOLERANCE_SECONDS = 5.0
#: How similar (0–1) an utterance must be to be offered as "the closest".
CLOSEST_MINIMUM = 0.4

_GAP = "\u2026"  # an ellipsis in a quote: words left out
_FILLERS = frozenset(
    [
        "um",
        "umm",
        "uhm",
        "uh",
        "uhh",
        "er",
        "erm",
        "ah",
        "ahh",
        "eh",
        "hmm",
        "hm",
        "mm",
        "mmm",
        "mhm",
        "mmhmm",
        "uhhuh",
    ]
)
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "nowhere",
        "hardly",
        "barely",
        "cannot",
    ]
)
# Words a transcriber drops or adds without changing what was meant.
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "so",
        "just",
        "really",
        "very",
        "of",
        "to",
        "that",
        "then",
        "well",
        "actually",
        "oh",
        "like",
    ]
)
_EQUIVALENT = {
    "ok": "okay",
    "alright": "all right",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "kinda": "kind of",
    "sorta": "sort of",
    "cause": "because",
    "cos": "because",
    "cuz": "because",
    "til": "until",
    "till": "until",
    "yeah": "yes",
    "yep": "yes",
    "yup": "yes",
    "ya": "yes",
    "mom": "mum",
    "cannot": "can not",
}
_NUMBERS = {
    word: str(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBERS.update(
    {
        "thirty": "30",
        "forty": "40",
        "fifty": "50",
        "sixty": "60",
        "seventy": "70",
        "eighty": "80",
        "ninety": "90",
        "hundred": "100",
        "first": "1st",
        "second": "2nd",
        "third": "3rd",
    }
)
_IS_CONTRACTIONS = frozenset(["it", "that", "what", "he", "she", "there", "here", "where", "who", "how"])
_IRREGULAR_NOT = {"can't": "can not", "won't": "will not", "shan't": "shall not", "ain't": "is not"}
_SUFFIXES = {"'re": "are", "'ve": "have", "'m": "am", "'ll": "will", "'d": "would"}

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)*|\u2026")
_SENTENCE_END = re.compile(r"[.!?:;\"]\s*$")


@dataclass(frozen=True)
class Token:
    """One normalised word, and whether changing it changes meaning."""

    text: str
    protected: bool


def _raw_words(text: str) -> Iterator[tuple[str, bool]]:
    """Words of ``text`` with whether each looks like a name (capitalised mid-sentence)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.+|\u2026", f" {_GAP} ", text)
    for match in _WORD.finditer(text):
        word = match.group()
        before = text[: match.start()]
        sentence_start = not before.strip() or bool(_SENTENCE_END.search(before))
        first = word.split("'")[0]
        name = word[0].isupper() and not sentence_start and first != "I" and first.lower() not in _FILLERS
        yield word, name


def _expand(word: str) -> list[str]:
    lower = word.lower()
    if lower in _IRREGULAR_NOT:
        return _IRREGULAR_NOT[lower].split()
    if lower.endswith("n't"):
        return [lower[:-3], "not"]
    for suffix, full in _SUFFIXES.items():
        if lower.endswith(suffix):
            return [lower[: -len(suffix)], full]
    if lower.endswith("'s"):
        stem = lower[:-2]
        if stem in _IS_CONTRACTIONS:
            return [stem, "is"]
        if stem == "let":
            return ["let", "us"]
        return [stem + "s"]
    return [lower.replace("'", "")]


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[Token, ...]:
    """The normalised words of ``text``, as grounding compares them."""
    result: list[Token] = []
    for word, name in _raw_words(text):
        if word == _GAP:
            if not result or result[-1].text != _GAP:
                result.append(Token(_GAP, protected=False))
            continue
        for part in _expand(word):
            for equivalent in _EQUIVALENT.get(part, part).split():
                piece = _NUMBERS.get(equivalent, equivalent)
                if piece in _FILLERS:
                    continue
                if result and result[-1].text == piece:
                    continue  # a stammered repeat
                protected = name or piece in _NEGATIONS or any(c.isdigit() for c in piece)
                result.append(Token(piece, protected))
    return tuple(result)


def _similar_spelling(a: str, b: str) -> bool:
    if min(len(a), len(b)) < 4 or a[0] != b[0]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.8


_FORBIDDEN = float("inf")


def _substitution(a: Token, b: Token) -> float:
    if a.text == b.text:
        return 0.0
    if a.protected or b.protected or a.text in _NEGATIONS or b.text in _NEGATIONS:
        return _FORBIDDEN
    return 0.5 if _similar_spelling(a.text, b.text) else _FORBIDDEN


def _gap(token: Token) -> float:
    return 1.0 if token.text in _SMALL_WORDS and not token.protected else _FORBIDDEN


def _budget(quote: Sequence[Token]) -> float:
    words = sum(1 for token in quote if token.text != _GAP)
    return (1.0 if words >= 6 else 0.5) + words // 12


def alignment_cost(quote: Sequence[Token], utterance: Sequence[Token]) -> float:
    """The cheapest way to read ``quote`` inside ``utterance`` (inf when it cannot be)."""
    previous = [0.0] * (len(utterance) + 1)  # an empty quote fits anywhere, free
    for q in quote:
        current = [previous[0] + (0.0 if q.text == _GAP else _gap(q))]
        for j, u in enumerate(utterance, start=1):
            if q.text == _GAP:
                best = min(previous[j], current[j - 1])  # the ellipsis swallows words freely
            else:
                best = min(
                    previous[j - 1] + _substitution(q, u),
                    previous[j] + _gap(q),
                    current[j - 1] + _gap(u),
                )
            current.append(best)
        previous = current
    return min(previous)


def _plausible(quote: Sequence[Token], utterance: Sequence[Token]) -> bool:
    """A cheap filter: the quote's protected words must all occur in the utterance."""
    words = {token.text for token in utterance}
    return all(token.text in words for token in quote if token.protected)


def is_grounded_in(quote: str, utterance: str) -> bool:
    """True when ``quote`` is grounded in the text of one utterance."""
    quoted = tokens(quote)
    if not any(token.text != _GAP for token in quoted):
        return False
    said = tokens(utterance)
    return _plausible(quoted, said) and alignment_cost(quoted, said) <= _budget(quoted)


@dataclass(frozen=True)
class TranscriptIndex:
    """A transcript's utterances read once for grounding: each one's words, and which
    utterances say each word.

    A quote can be grounded only where all but a few of its words are said exactly: every
    word that is not costs at least half of the small allowance (:func:`_budget`).  So of
    its ``misses + 1`` rarest words at least one is in any utterance that grounds it, and
    only the utterances saying one of those are compared word by word.  Checking a note's
    quotes then grows with the quotes and the utterances, not with their product.
    """

    said: tuple[tuple[Token, ...], ...]
    where: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, transcript: Transcript) -> TranscriptIndex:
        """The index of ``transcript``."""
        said = tuple(tokens(utterance.text) for utterance in transcript.utterances)
        where: dict[str, list[int]] = {}
        for index, words in enumerate(said):
            for word in {token.text for token in words}:
                where.setdefault(word, []).append(index)
        return cls(said, {word: tuple(indices) for word, indices in where.items()})

    def candidates(self, quoted: Sequence[Token]) -> list[int]:
        """The utterances that could ground a quote of these words, in order."""
        words = sorted({token.text for token in quoted if token.text != _GAP}, key=self._count)
        misses = int(_budget(quoted) // _CHEAPEST_MISS)
        if len(words) <= misses:  # a quote this short may match by spelling alone
            return list(range(len(self.said)))
        return sorted({index for word in words[: misses + 1] for index in self.where.get(word, ())})

    def sharing(self, words: Sequence[str]) -> list[int]:
        """The utterances that say any of ``words``, in order."""
        return sorted({index for word in set(words) for index in self.where.get(word, ())})

    def _count(self, word: str) -> int:
        return len(self.where.get(word, ()))


#: The least a quote's word costs when the utterance does not say it exactly.
_CHEAPEST_MISS = 0.5


def find_quote(
    quote: str, transcript: Transcript, near: int | None = None, index: TranscriptIndex | None = None
) -> list[int]:
    """The indices of the utterances that ground ``quote`` (the one at ``near`` first).

    :param index: the transcript's :class:`TranscriptIndex`, when checking many quotes.
    """
    index = index or TranscriptIndex.of(transcript)
    quoted = tokens(quote)
    found = list(_grounding(quoted, index))
    if near is not None and near in found:
        found.remove(near)
        found.insert(0, near)
    return found


def _grounding(quoted: Sequence[Token], index: TranscriptIndex) -> Iterator[int]:
    """The utterances that ground a quote of these words, in order, found one at a time."""
    if not any(token.text != _GAP for token in quoted):
        return
    budget = _budget(quoted)
    for at in index.candidates(quoted):
        if _plausible(quoted, index.said[at]) and alignment_cost(quoted, index.said[at]) <= budget:
            yield at


def _source(
    evidence: Evidence, transcript: Transcript, index: TranscriptIndex, stated: int | None
) -> int | None:
    """The utterance an evidence quote is from: the stated one if it grounds the quote, else
    the first that does by the attributed speaker, else the first that does (``None``: none).
    Stops at the first that settles it, so a quote said many times costs little."""
    quoted = tokens(evidence.quote)
    budget = _budget(quoted)
    if stated is not None and any(token.text != _GAP for token in quoted):
        said = index.said[stated]
        if _plausible(quoted, said) and alignment_cost(quoted, said) <= budget:
            return stated
    first = None
    for at in _grounding(quoted, index):
        if transcript.utterances[at].role is evidence.speaker:
            return at
        first = at if first is None else first
    return first


def closest_utterance(quote: str, transcript: Transcript, index: TranscriptIndex | None = None) -> int | None:
    """The utterance most like ``quote`` when one is reasonably close, else ``None``."""
    quoted = [token.text for token in tokens(quote) if token.text != _GAP]
    if not quoted:
        return None
    index = index or TranscriptIndex.of(transcript)
    best, best_score = None, CLOSEST_MINIMUM
    for at in index.sharing(quoted):  # an utterance sharing no word scores nothing
        said = [token.text for token in index.said[at]]
        matcher = SequenceMatcher(None, quoted, said, autojunk=False)
        # How much of the quote can be found in order in the utterance.
        score = sum(block.size for block in matcher.get_matching_blocks()) / len(quoted)
        if score > best_score:
            best, best_score = at, score
    return best


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that does not check out against the transcript.

    :param location: the field path, e.g. ``alliance.ruptures[0].evidence[1].quote``.
    :param code: ``ungrounded``, ``wrong_utterance``, ``unknown_utterance``,
        ``wrong_speaker`` or ``timestamp_mismatch``.
    :param message: what is wrong, never repeating the quote.
    :param severity: ``error``, or ``warning`` for a timestamp a few seconds out.
    :param closest_utterance: for an ungrounded quote, the most similar utterance, if any.
    """

    location: str
    code: str
    message: str
    severity: Severity = Severity.ERROR
    closest_utterance: int | None = None

    def as_finding(self) -> CheckFinding:
        """The problem as a note-check finding (how ``alliance-notes validate`` lists it)."""
        return CheckFinding(
            check=CHECK_NAME, severity=self.severity, location=self.location, message=self.message
        )

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.location}: {self.message}"


def _seconds(timestamp: str) -> float:
    value = 0.0
    for part in timestamp.split(":"):
        value = value * 60 + float(part)
    return value


def _check_match(path: str, evidence: Evidence, index: int, spoken: Utterance) -> list[QuoteProblem]:
    problems = []
    if evidence.speaker is not spoken.role:
        problems.append(
            QuoteProblem(
                path,
                "wrong_speaker",
                f"is attributed to the {evidence.speaker.label} but was said by the "
                f"{spoken.role.label} (utterance {index})",
            )
        )
    if (
        evidence.timestamp is not None
        and spoken.start is not None
        and abs(_seconds(evidence.timestamp) - spoken.start) > TIMESTAMP_TOLERANCE_SECONDS
    ):
        problems.append(
            QuoteProblem(
                path.removesuffix(".quote") + ".timestamp",
                "timestamp_mismatch",
                f"is {evidence.timestamp} but utterance {index} starts at {spoken.timestamp}",
                Severity.WARNING,
            )
        )
    return problems


def check_evidence(
    path: str, evidence: Evidence, transcript: Transcript, index: TranscriptIndex | None = None
) -> list[QuoteProblem]:
    """The problems of one evidence quote (at field path ``path``) against the transcript.

    :param index: the transcript's :class:`TranscriptIndex`, when checking many quotes.
    """
    index = index or TranscriptIndex.of(transcript)
    count = len(transcript.utterances)
    stated = evidence.utterance_index
    if stated is not None and stated >= count:
        problems = [
            QuoteProblem(
                path.removesuffix(".quote") + ".utterance_index",
                "unknown_utterance",
                f"is {stated} but the transcript has {count} utterances (0 to {count - 1})",
            )
        ]
        stated = None
    else:
        problems = []
    at = _source(evidence, transcript, index, stated)
    if at is None:
        closest = closest_utterance(evidence.quote, transcript, index)
        hint = f"; the closest utterance is {closest}" if closest is not None else "; no utterance is close"
        problems.append(
            QuoteProblem(
                path, "ungrounded", f"is not in the session transcript{hint}", closest_utterance=closest
            )
        )
        return problems
    if stated is not None and stated != at:
        problems.append(
            QuoteProblem(
                path.removesuffix(".quote") + ".utterance_index",
                "wrong_utterance",
                f"is {stated} but the quote is from utterance {at}",
            )
        )
    problems.extend(_check_match(path, evidence, at, transcript.utterances[at]))
    return problems


def check_quotes(model: BaseModel, transcript: Transcript, path: str | None = None) -> list[QuoteProblem]:
    """Check every evidence quote in a note (or an alliance section, or any part of one).

    :param path: the prefix of reported field paths; by default none for a note and
        ``alliance`` for an alliance section, so paths read like ``alliance.ruptures[0]…``.
    :returns: the problems found, errors and warnings, in field order; empty when every
        quote is grounded.
    """
    if path is None:
        path = "alliance" if type(model).__name__ == "Alliance" else ""
    problems: list[QuoteProblem] = []
    index = TranscriptIndex.of(transcript)
    for location, evidence in instances_in(model, Evidence, path):
        problems.extend(check_evidence(f"{location}.quote", evidence, transcript, index))
    return problems
