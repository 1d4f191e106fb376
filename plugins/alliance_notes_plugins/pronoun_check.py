"""The pronoun check: when the client's pronouns are recorded, the third-person pronouns the
note's own writing uses *for the client* are checked against them.

Which person a pronoun refers to is read conservatively, so that a clinician is not told off
for writing about someone else:

* only third-person pronouns are read: the clinician's "I" and the "you" of a question are
  never the client's;
* quoted speech and evidence quotes are someone's own words and are skipped;
* a pronoun that fits another person named before it in the sentence (her mother … she; the
  stepfather … he), or in the sentences just before when it opens its sentence, refers to
  that person; otherwise it refers to the nearest person named before it, and only when that
  is the client is it checked;
* "they/them" is never flagged for a client with other pronouns: it is also plural ("the
  client and her partner said they …") and the generic singular.  For a client who uses
  they/them, he/she forms that refer to the client are flagged.

Recorded pronouns are read from the client's own words (``she/her``, ``he/they``, ``xe/xem``);
"any pronouns" turns the check off, and pronouns it cannot read are reported as such
(``pronouns-unrecognised``) rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from alliance_notes.plugin_api import (
    CheckFinding,
    NoteText,
    ProgressNote,
    Severity,
    Voice,
    hookimpl,
    note_texts,
)
from alliance_notes_plugins.check_text import Prose, Word

MISMATCH = "pronoun-mismatch"
UNRECOGNISED = "pronouns-unrecognised"
#: Every finding code this check reports, with its severity (docs/checks.md lists them).
FINDING_CODES: dict[str, Severity] = {MISMATCH: Severity.ERROR, UNRECOGNISED: Severity.INFO}

#: Third-person pronoun sets, by the set's first form, as a clinician writes them.
PRONOUN_SETS: dict[str, frozenset[str]] = {
    "he": frozenset({"he", "him", "his", "himself"}),
    "she": frozenset({"she", "her", "hers", "herself"}),
    "they": frozenset({"they", "them", "their", "theirs", "themself", "themselves"}),
    "xe": frozenset({"xe", "xem", "xyr", "xyrs", "xemself"}),
    "ze": frozenset({"ze", "zie", "zir", "zirs", "zirself", "hir", "hirs", "hirself"}),
    "ey": frozenset({"ey", "em", "eir", "eirs", "emself"}),
    "fae": frozenset({"fae", "faer", "faers", "faerself"}),
}
#: How each set is named in a message.
SET_NAMES = {
    "he": "he/him",
    "she": "she/her",
    "they": "they/them",
    "xe": "xe/xem",
    "ze": "ze/zir (or ze/hir)",
    "ey": "ey/em",
    "fae": "fae/faer",
}
#: The sets whose forms the check looks for in the note (they/them is also plural; see above).
CHECKED_SETS = ("he", "she")
_SET_OF = {form: name for name, forms in PRONOUN_SETS.items() for form in forms}
_ANY = re.compile(r"\b(?:any|all)\b", re.IGNORECASE)

_CLIENT_WORDS = frozenset({"client", "client's", "clients'", "patient", "patient's", "pt"})
_MALE = frozenset(
    {
        "father",
        "stepfather",
        "dad",
        "brother",
        "stepbrother",
        "son",
        "stepson",
        "husband",
        "boyfriend",
        "grandfather",
        "grandpa",
        "uncle",
        "nephew",
        "man",
        "boy",
        "mr",
        "father's",
        "stepfather's",
        "brother's",
        "son's",
        "husband's",
        "boyfriend's",
        "uncle's",
    }
)
_FEMALE = frozenset(
    {
        "mother",
        "stepmother",
        "mom",
        "mum",
        "sister",
        "stepsister",
        "daughter",
        "stepdaughter",
        "wife",
        "girlfriend",
        "grandmother",
        "grandma",
        "aunt",
        "niece",
        "woman",
        "girl",
        "mrs",
        "ms",
        "mother's",
        "stepmother's",
        "sister's",
        "daughter's",
        "wife's",
        "girlfriend's",
        "aunt's",
    }
)
_PEOPLE = frozenset(
    {
        "parent",
        "parents",
        "partner",
        "spouse",
        "friend",
        "sibling",
        "child",
        "kid",
        "sponsor",
        "colleague",
        "coworker",
        "co-worker",
        "boss",
        "manager",
        "supervisor",
        "teacher",
        "counsellor",
        "counselor",
        "doctor",
        "psychiatrist",
        "physician",
        "nurse",
        "roommate",
        "clinician",
        "therapist",
        "staff",
        "peer",
        "classmate",
        "employer",
        "caregiver",
        "carer",
        "guardian",
        "grandparent",
        "cousin",
        "neighbour",
        "neighbor",
        "officer",
        "lawyer",
        "adjuster",
        "someone",
        "person",
        "anyone",
        "everyone",
        "writer",
    }
)


def accepted_sets(recorded: str) -> set[str] | None:
    """The pronoun sets the client's recorded pronouns name; ``None`` for "any pronouns";
    empty when none can be read."""
    if _ANY.search(recorded):
        return None
    words = re.findall(r"[a-z]+", recorded.lower())
    return {_SET_OF[word] for word in words if word in _SET_OF}


#: What each known word names (see :func:`_mention`).
_NAMES: dict[str, str] = {
    **dict.fromkeys(_PEOPLE, "person"),
    **{word + "s": "person" for word in _PEOPLE},
    **dict.fromkeys(_MALE, "he"),
    **dict.fromkeys(_FEMALE, "she"),
    **dict.fromkeys(_CLIENT_WORDS, "client"),
}


def _mention(word: Word, text: str, client: str) -> str | None:
    """What a word names: ``client``, ``he``/``she`` (another person of known gender),
    ``person`` (another person), or ``None``."""
    lower = word.lower
    known = _NAMES.get(lower)
    if known is not None:
        return known
    if lower == client.lower():
        return "client"
    first = text[word.start]
    # A capitalised word inside a sentence may be someone's name (acronyms are not).
    if first.isupper() and word.start > 0 and not text[word.start : word.end].isupper():
        before = text[: word.start].rstrip()
        if before and before[-1] not in '.!?;:"“':
            return "person"
    return None


def _referent(prose: Prose, named: list[str | None], index: int, pronoun_set: str) -> str | None:
    """Who the pronoun at ``prose.words[index]`` refers to, as :func:`_mention` names them
    (``named`` holds what each word of the text names)."""
    words = prose.words
    sentence_start, _ = prose.sentence_of(words[index].start)
    mentions = [
        who for word, who in zip(words[:index], named, strict=False) if who and word.start >= sentence_start
    ]
    if not mentions and pronoun_set in named[:index]:
        # Opening its sentence, a pronoun may go on with someone of that gender named earlier.
        return pronoun_set
    looked_back = 0
    position = sentence_start
    while not mentions and looked_back < 2 and position > 0:
        # A pronoun that opens its sentence: the sentence before (and the one before that).
        previous_start, _ = prose.sentence_of(position - 1)
        mentions = [
            who
            for word, who in zip(words, named, strict=False)
            if who and previous_start <= word.start < position
        ]
        position = previous_start
        looked_back += 1
    if pronoun_set in mentions:
        return pronoun_set  # another person of that gender is named: the pronoun is theirs
    return mentions[-1] if mentions else None


@cache
def _forms_pattern(sets: tuple[str, ...]) -> re.Pattern[str]:
    forms = sorted((form for name in sets for form in PRONOUN_SETS[name]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.IGNORECASE)


def pronoun_findings(note: ProgressNote) -> list[CheckFinding]:
    """The pronoun findings of a note: none unless the client's pronouns are recorded."""
    recorded = note.alliance.respect.pronouns
    if recorded is None:
        return []
    accepted = accepted_sets(recorded.recorded)
    if accepted is None:
        return []
    location = "alliance.respect.pronouns.recorded"
    if not accepted:
        return [
            CheckFinding(
                check=UNRECOGNISED,
                severity=Severity.INFO,
                location=location,
                message="the recorded pronouns name no pronoun set this check knows (he, she, they, "
                "xe, ze, ey, fae), so the note's pronouns were not checked",
            )
        ]
    wrong = [name for name in CHECKED_SETS if name not in accepted]
    findings: list[CheckFinding] = []
    for text in note_texts(note):
        # The clinician's writing, and the client's answers as the note paraphrases them.
        if text.voice is Voice.CLINICIAN or (text.voice is Voice.CLIENT and text.location != location):
            findings.extend(_text_findings(text, wrong, sorted(accepted), note.session.client))
    return findings


def _text_findings(
    text: NoteText, wrong: list[str], accepted: list[str], client: str
) -> Iterator[CheckFinding]:
    if not _forms_pattern(tuple(wrong)).search(text.text):
        return  # no pronoun of a set the client does not use: nothing to read
    prose = Prose(text.text)
    named = [_mention(word, prose.text, client) for word in prose.words]
    for index, word in enumerate(prose.words):
        pronoun_set = _SET_OF.get(word.lower)
        if pronoun_set not in wrong or prose.in_quotes(word.start, word.end):
            continue
        if _referent(prose, named, index, pronoun_set) != "client":
            continue
        uses = " or ".join(SET_NAMES[name] for name in accepted)
        yield CheckFinding(
            check=MISMATCH,
            severity=Severity.ERROR,
            location=text.location,
            span=(word.start, word.end),
            message=f"a {SET_NAMES[pronoun_set]} pronoun here seems to "
            f"refer to the client, whose recorded pronouns are {uses}",
            suggestion=f"use the client's pronouns ({uses}), or name the person this refers to",
        )


@hookimpl
def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
    """The client's recorded pronouns, in the note's own writing."""
    return pronoun_findings(note)
