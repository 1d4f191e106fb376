"""The respectful-language check: wording in the clinician's own writing that research shows
harms how readers see and treat clients (domain reference §7), each reported at its
characters with the category's advice and a preferred alternative.

The terms, their categories, alternatives and sources are data
(``respectful_language.toml`` beside this module); a clinic extends or overrides them with
its own file (``[checks.language] terms = "…"`` in ``alliance-notes.toml``).  The check never
rewrites the note and its messages never quote it: the finding's ``span`` points at the words.

Quoted speech (inside quotation marks), evidence quotes and the client's recorded answers are
the speaker's own voice and are never flagged.  A category may allow reported use (words
attributed to someone else) and negated use.  A short quoted stretch in the clinician's own
writing that no speaker is given for reads as scare quotes, which doubt the client's
credibility (``language-scare-quotes``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from alliance_notes.plugin_api import (
    CheckFinding,
    CheckSettings,
    NoteText,
    ProgressNote,
    Severity,
    Voice,
    hookimpl,
    note_texts,
)
from alliance_notes_plugins.check_text import REPORTING_VERBS, Prose

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The plugin's table in the project's configuration (``[checks.language]``).
TABLE = "language"
#: The finding code of a category: ``language-`` and the category's key.
CODE_PREFIX = "language-"
#: The code for scare quotes (a credibility category finding of its own mechanism).
SCARE_QUOTES = "language-scare-quotes"
#: The code for a clinic terms file the check cannot use (the check does not run).
TERMS_UNREADABLE = "language-terms-unreadable"

_PERSON_WORDS = frozenset(
    {
        "client",
        "client's",
        "clients",
        "patient",
        "patient's",
        "pt",
        "he",
        "she",
        "they",
        "him",
        "her",
        "them",
        "individual",
        "person",
        "man",
        "woman",
        "boy",
        "girl",
        "teen",
        "adolescent",
        "child",
    }
)
_DETERMINERS = frozenset(
    {
        "a",
        "an",
        "the",
        "his",
        "her",
        "their",
        "my",
        "your",
        "our",
        "its",
        "this",
        "that",
        "any",
        "each",
        "insurance",
        "disability",
        "compensation",
        "comp",
        "legal",
        "benefit",
        "benefits",
        "workers",
        "workers'",
        "of",
    }
)
_ADVERBS = frozenset(
    {
        "also",
        "still",
        "repeatedly",
        "again",
        "often",
        "always",
        "now",
        "then",
        "reportedly",
        "allegedly",
        "very",
        "quite",
        "so",
        "extremely",
        "really",
        "rather",
        "somewhat",
        "more",
        "increasingly",
        "being",
    }
)
_COPULAS = frozenset(
    {
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "seems",
        "seemed",
        "appears",
        "appeared",
        "became",
        "becomes",
        "remains",
        "remained",
        "presents",
        "presented",
        "as",
    }
)
_QUOTE_MARKS = ('"', "“", "‘")
_SPEECH = re.compile(
    REPORTING_VERBS.pattern + r"|\b(?:asked|asks|replied|replies|answered|explained|added|put\s+it|"
    r"in\s+(?:his|her|their|the\s+client's|own)\s+(?:own\s+)?words?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Category:
    """A category of wording: what it does, what to do instead, and its source."""

    key: str
    title: str
    advice: str
    source: str
    severity: Severity
    reported_use: bool
    negated_use: bool

    @property
    def code(self) -> str:
        """The category's finding code."""
        return CODE_PREFIX + self.key


@dataclass(frozen=True)
class Term:
    """Words to flag in one category, compiled, with what to prefer."""

    category: str
    match: tuple[str, ...]
    pattern: re.Pattern[str]
    prefer: str | None
    #: Lower-case beginnings of the term's first words: a text without any of them cannot
    #: match, which a substring search finds out faster than the pattern.
    cues: tuple[str, ...]
    about_person: bool = False
    after_person: bool = False
    not_after_determiner: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """The categories and terms the check uses."""

    categories: Mapping[str, Category]
    terms: tuple[Term, ...]
    #: Every term's cues: a text with none of them matches no term.
    cues: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "cues", frozenset(cue for term in self.terms for cue in term.cues))


def inflections(word: str) -> list[str]:
    """A word and its regular inflections (-s, -es, -ed, -ing, y → ies/ied, a final e dropped,
    a final consonant doubled).  Forms that are not words do no harm: they never occur."""
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return sorted(forms, key=len, reverse=True)


def _word_pattern(word: str) -> str:
    inflect = word.endswith("+")
    word = word.rstrip("+")
    forms = inflections(word) if inflect else [word]
    return "(?:" + "|".join(re.escape(form).replace(r"\-", "[-‐ ]?") for form in forms) + ")"


def _cue(phrase: str) -> str:
    """A stretch of letters every match of a phrase contains, lower-case: the most telling of
    its words, up to any hyphen, without the letters an inflection may change ("deny" → "den",
    which "denies" contains), at most five letters."""

    def stable(word: str) -> str:
        inflected = word.endswith("+")
        stem = word.rstrip("+").lower().split("-", 1)[0]
        if inflected and stem.endswith(("e", "y")) and len(stem) > 3:
            stem = stem[:-1]
        return stem[:5]

    return max((stable(word) for word in phrase.split()), key=len)


def compile_match(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a term's alternatives (the syntax of ``respectful_language.toml``)."""
    phrases = ["\\s+".join(_word_pattern(word) for word in phrase.split()) for phrase in alternatives]
    return re.compile(r"(?<![\w-])(?:" + "|".join(phrases) + r")(?![\w-])", re.IGNORECASE)


class TermsError(ValueError):
    """A terms file that cannot be used; the message names the file and the entry."""


def _category(key: str, table: Mapping[str, Any], where: str) -> Category:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise TermsError(f"{where}: category '{key}' must be lower-case letters, digits and hyphens")
    try:
        return Category(
            key=key,
            title=str(table["title"]),
            advice=str(table["advice"]),
            source=str(table["source"]),
            severity=Severity(table.get("severity", "warning")),
            reported_use=bool(table.get("reported_use", True)),
            negated_use=bool(table.get("negated_use", False)),
        )
    except KeyError as missing:
        raise TermsError(f"{where}: category '{key}' needs {missing}") from None
    except ValueError:
        raise TermsError(
            f"{where}: category '{key}' has a severity that is not error, warning or info"
        ) from None


def _term(entry: Mapping[str, Any], categories: Mapping[str, Category], where: str, index: int) -> Term:
    category = entry.get("category")
    match = entry.get("match")
    if category not in categories:
        raise TermsError(f"{where}: terms[{index}] names no known category")
    if (
        not isinstance(match, list)
        or not match
        or not all(isinstance(item, str) and item.strip() for item in match)
    ):
        raise TermsError(f"{where}: terms[{index}].match must be a list of words or phrases")
    return Term(
        category=str(category),
        match=tuple(match),
        pattern=compile_match(tuple(match)),
        prefer=entry.get("prefer"),
        cues=tuple({_cue(phrase) for phrase in match}),
        about_person=bool(entry.get("about_person", False)),
        after_person=bool(entry.get("after_person", False)),
        not_after_determiner=bool(entry.get("not_after_determiner", False)),
    )


def vocabulary_from(data: Mapping[str, Any], where: str, base: Vocabulary | None = None) -> Vocabulary:
    """The vocabulary of a parsed terms file, added to ``base`` (a clinic's file over the built-in one).

    :raises TermsError: naming the file and the entry that is wrong.
    """
    if base is None or data.get("replace_builtin"):
        categories: dict[str, Category] = {}
        terms: list[Term] = []
    else:
        categories = dict(base.categories)
        dropped = {str(word).lower() for word in data.get("drop", [])}
        terms = [
            term
            for term in base.terms
            if not any(
                word.rstrip("+").lower() in dropped for phrase in term.match for word in phrase.split()
            )
        ]
    for key, table in dict(data.get("categories", {})).items():
        merged = {**_as_table(categories.get(key)), **dict(table)}
        categories[key] = _category(key, merged, where)
    for index, entry in enumerate(data.get("terms", [])):
        terms.append(_term(entry, categories, where, index))
    return Vocabulary(categories, tuple(terms))


def _as_table(category: Category | None) -> dict[str, Any]:
    if category is None:
        return {}
    return {
        "title": category.title,
        "advice": category.advice,
        "source": category.source,
        "severity": category.severity.value,
        "reported_use": category.reported_use,
        "negated_use": category.negated_use,
    }


@cache
def builtin_vocabulary() -> Vocabulary:
    """The built-in categories and terms (``respectful_language.toml``)."""
    text = files("alliance_notes_plugins").joinpath("respectful_language.toml").read_text("utf-8")
    return vocabulary_from(tomllib.loads(text), "respectful_language.toml")


@cache
def _clinic_vocabulary(path: Path, modified: float) -> Vocabulary:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise TermsError(f"cannot read {path} ({type(error).__name__})") from None
    except tomllib.TOMLDecodeError as error:
        raise TermsError(f"{path}: not valid TOML ({error})") from None
    return vocabulary_from(data, str(path), builtin_vocabulary())


def vocabulary_for(settings: CheckSettings) -> Vocabulary:
    """The vocabulary a project uses: the built-in one, or its clinic's file over it."""
    terms = settings.table(TABLE).get("terms")
    if terms is None:
        return builtin_vocabulary()
    path = settings.path(str(terms))
    try:
        modified = path.stat().st_mtime
    except OSError:
        raise TermsError(f"[checks.{TABLE}] terms: cannot read {path}") from None
    return _clinic_vocabulary(path, modified)


# -- matching -------------------------------------------------------------------------------


def _previous(prose: Prose, position: int, skip: frozenset[str] = _ADVERBS) -> list[str]:
    """The words of the sentence before a position, nearest first, adverbs skipped."""
    return [word.lower for word in reversed(prose.words_before(position, 6)) if word.lower not in skip]


def _fits(term: Term, prose: Prose, start: int, client: str) -> bool:
    previous = _previous(prose, start)
    person = _PERSON_WORDS | {client.lower()}
    if term.after_person and not (previous and previous[0].rstrip(",") in person):
        return False
    if term.not_after_determiner and previous and previous[0] in _DETERMINERS:
        return False
    if term.about_person:
        # "<person> is/was … difficult" or "called <person> difficult"
        if not previous:
            return False
        if previous[0] in _COPULAS:
            return any(word in person for word in previous[1:4])
        return previous[0] in person and len(previous) > 1 and bool(REPORTING_VERBS.fullmatch(previous[1]))
    return True


def _term_findings(
    text: NoteText, prose: Prose, vocabulary: Vocabulary, client: str
) -> Iterator[CheckFinding]:
    lower = prose.text.lower()
    for term in vocabulary.terms:
        if not any(cue in lower for cue in term.cues):
            continue
        category = vocabulary.categories[term.category]
        for found in term.pattern.finditer(text.text):
            start, end = found.span()
            if prose.in_quotes(start, end) or not _fits(term, prose, start, client):
                continue
            if category.negated_use and prose.negated(start):
                continue
            if category.reported_use and prose.reported(start):
                continue
            yield CheckFinding(
                check=category.code,
                severity=category.severity,
                location=text.location,
                span=(start, end),
                message=f"wording that {category.title}; {category.advice} (source: {category.source})",
                suggestion=term.prefer,
            )


def _scare_quotes(text: NoteText, prose: Prose, vocabulary: Vocabulary) -> Iterator[CheckFinding]:
    credibility = vocabulary.categories.get("credibility")
    if credibility is None:
        return
    for start, end in prose.quoted:
        inside = [word for word in prose.words if start < word.start and word.end < end]
        if not 1 <= len(inside) <= 3:
            continue
        words = [text.text[word.start : word.end] for word in inside]
        if all(word[:1].isupper() for word in words) and len(words) > 1:
            continue  # a title or a name, not a doubted word
        sentence_start, sentence_end = prose.sentence_of(start)
        before = text.text[sentence_start:start].rstrip()
        after = text.text[end:sentence_end]
        if before.endswith(":") or _SPEECH.search(before) or _SPEECH.search(after):
            continue
        yield CheckFinding(
            check=SCARE_QUOTES,
            severity=credibility.severity,
            location=text.location,
            span=(start, end),
            message="words in quotation marks with no speaker read as scare quotes, which doubt the "
            f"client's credibility; say who said them, or describe neutrally (source: {credibility.source})",
            suggestion="name the speaker (the client said …) or drop the quotation marks",
        )


def language_findings(note: ProgressNote, vocabulary: Vocabulary) -> list[CheckFinding]:
    """The respectful-language findings of a note, in text order."""
    findings: list[CheckFinding] = []
    for text in note_texts(note):
        if text.voice not in (Voice.CLINICIAN, Voice.TO_CLIENT):
            continue
        lower = text.text.lower()
        quoted = any(mark in lower for mark in _QUOTE_MARKS)
        if not quoted and not any(cue in lower for cue in vocabulary.cues):
            continue  # none of the words any term begins with, and no quotation: nothing to read
        prose = Prose(text.text)
        found = [
            *_term_findings(text, prose, vocabulary, note.session.client),
            *_scare_quotes(text, prose, vocabulary),
        ]
        findings.extend(sorted(found, key=lambda finding: finding.span or (0, 0)))
    return findings


def finding_codes(vocabulary: Vocabulary | None = None) -> dict[str, Severity]:
    """Every finding code the check reports with a vocabulary (default: the built-in one),
    with its severity (docs/checks.md lists the built-in ones)."""
    vocabulary = vocabulary or builtin_vocabulary()
    codes = {category.code: category.severity for category in vocabulary.categories.values()}
    credibility = vocabulary.categories.get("credibility")
    if credibility is not None:
        codes[SCARE_QUOTES] = credibility.severity
    codes[TERMS_UNREADABLE] = Severity.ERROR
    return codes


@hookimpl
def alliance_check_note(note: ProgressNote, settings: CheckSettings) -> list[CheckFinding]:
    """Respectful language in the clinician's own writing."""
    try:
        vocabulary = vocabulary_for(settings)
    except TermsError as error:
        # A path and an entry number, never note text.
        return [
            CheckFinding(check=TERMS_UNREADABLE, severity=Severity.ERROR, location="", message=str(error))
        ]
    return language_findings(note, vocabulary)
