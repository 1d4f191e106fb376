"""Reading a note's prose for the text checks: words with their offsets, sentences, quoted
speech, and the frames that make a word someone else's (reported) or negated.

Shared by the respectful-language and pronoun checks; it only reads text, never the models.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import NamedTuple

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
# A sentence ends at . ! ? ; or a line break, followed by space (or the end).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
# Double quotes, straight or curly; straight ones pair in order.
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’(?![a-z])")

#: Words that negate what follows within a few words ("did not refuse", "never claimed").
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "without",
        "nor",
        "neither",
        "didn't",
        "doesn't",
        "isn't",
        "wasn't",
        "don't",
        "hasn't",
        "haven't",
        "won't",
        "cannot",
        "can't",
        "didn’t",
        "doesn’t",
        "isn’t",
        "wasn’t",
        "don’t",
    }
)
#: Verbs that attribute words or a label to whoever says them.
REPORTING_VERBS = re.compile(
    r"\b(?:said|says|saying|stated|states|told|tells|calls?|called|calling|label(?:s|led|ed)?|"
    r"describ(?:es|ed|ing)|referr?(?:ed|ing|s)?\s+to|wrote|writes|"
    r"accus(?:es|ed)|used\s+the\s+(?:word|phrase|term|label))\b",
    re.IGNORECASE,
)
#: Who, named before a reporting verb, makes the words the clinician's own after all.
CLINICIAN_SUBJECTS = re.compile(r"\b(?:I|clinician|therapist|counsell?or|writer|we)\b", re.IGNORECASE)


class Word(NamedTuple):
    """A word of a text: its characters ``[start, end)`` and its lower-case form."""

    start: int
    end: int
    lower: str


class Prose:
    """A text, read once: its words, sentences and quoted stretches."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def words(self) -> tuple[Word, ...]:
        lowered = self.text.lower()  # the same length: offsets carry over
        if len(lowered) != len(self.text):  # a few characters lower-case to two
            return tuple(Word(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(self.text))
        return tuple(
            Word(m.start(), m.end(), lowered[m.start() : m.end()]) for m in _WORD.finditer(self.text)
        )

    @cached_property
    def quoted(self) -> tuple[tuple[int, int], ...]:
        """The stretches inside quotation marks (the marks included): someone's own words."""
        return tuple((m.start(), m.end()) for m in _QUOTED.finditer(self.text))

    @cached_property
    def sentence_starts(self) -> tuple[int, ...]:
        return (0, *(m.end() for m in _SENTENCE_END.finditer(self.text)))

    def in_quotes(self, start: int, end: int) -> bool:
        """True when the characters ``[start, end)`` are inside a quoted stretch."""
        return any(low <= start and end <= high for low, high in self.quoted)

    def sentence_of(self, position: int) -> tuple[int, int]:
        """The sentence around a character position: its ``[start, end)``."""
        starts = self.sentence_starts
        index = bisect_right(starts, position) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def words_before(self, position: int, count: int) -> list[Word]:
        """Up to ``count`` words of the same sentence before a position, nearest last."""
        sentence_start, _ = self.sentence_of(position)
        before = [word for word in self.words if sentence_start <= word.start and word.end <= position]
        return before[-count:]

    def negated(self, position: int, reach: int = 3) -> bool:
        """True when a negation is among the few words before a position ("did not refuse")."""
        return any(word.lower in NEGATIONS for word in self.words_before(position, reach))

    def reported(self, position: int) -> bool:
        """True when the words at ``position`` are attributed to someone other than the
        clinician: a reporting verb ("called", "said", "described … as") earlier in the same
        sentence, whose subject is not the clinician ("staff called him difficult")."""
        sentence_start, _ = self.sentence_of(position)
        before = self.text[sentence_start:position]
        verbs = list(REPORTING_VERBS.finditer(before))
        if not verbs:
            return False
        subject = before[: verbs[-1].start()]
        return not CLINICIAN_SUBJECTS.search(subject)
