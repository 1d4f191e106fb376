"""From speaker labels ("Therapist", "Dr. K", "SPEAKER_00") to roles: clinician, client or
other participant.

The rule, in order:

1. **A map you give wins.**  ``{"SPEAKER_00": "clinician", "Maria": "client"}``; labels
   match ignoring case and spacing; roles may be written ``clinician``/``therapist``,
   ``client``/``patient``, ``other``/``other_participant``.  A role the transcript itself
   states (a JSON ``role``) also wins.
2. **Role words in the label.**  A clinician word (therapist, counsellor/counselor,
   clinician, doctor, Dr, psychologist, psychiatrist, social worker, provider, interviewer)
   makes a *clinician*; otherwise a word for someone else in the client's life or in the
   room (partner, mother, father, parent, spouse, wife, husband, son, daughter, sibling,
   friend, guardian, caregiver, interpreter, family, member …) makes an *other
   participant* ("Client's mother"); otherwise a client word (client, patient) makes a
   *client*.  The abbreviations T, Th, Clin (clinician) and C, Cl, P, Pt (client) count
   only as the whole label.
3. **Behaviour, for labels that name no role** (diarisation labels, first names): if no
   clinician was found, the unnamed speaker who asks the most questions is the clinician
   (ties go to whoever spoke first); if no client was found, the unnamed speaker who says
   the most words among the rest is the client; anyone left is an other participant.
   Every role assigned this way is reported in a :class:`TranscriptWarning` that names the
   speaker by the line where they are first heard (never by the label, which may be a
   name), so the inference can be checked and overridden with a map.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn
from alliance_notes.vocabulary import Speaker

#: A speaker map as a caller gives it: label → role (a Speaker or its name or an alias).
SpeakerMap = Mapping[str, Speaker | str]

_ROLE_ALIASES: dict[str, Speaker] = {
    "clinician": Speaker.CLINICIAN,
    "therapist": Speaker.CLINICIAN,
    "counsellor": Speaker.CLINICIAN,
    "counselor": Speaker.CLINICIAN,
    "client": Speaker.CLIENT,
    "patient": Speaker.CLIENT,
    "other": Speaker.OTHER_PARTICIPANT,
    "other_participant": Speaker.OTHER_PARTICIPANT,
    "other participant": Speaker.OTHER_PARTICIPANT,
}

_OTHER_WORDS = re.compile(
    r"\b(partner|spouse|wife|husband|mother|mum|mom|father|dad|parent|son|daughter|child|"
    r"sibling|sister|brother|friend|guardian|caregiver|carer|interpreter|family|relative|"
    r"grandmother|grandfather|grandparent|aunt|uncle|observer|member)\b"
)
_CLINICIAN_WORDS = re.compile(
    r"\b(therapist|psychotherapist|counsellor|counselor|clinician|doctor|dr|psychologist|"
    r"psychiatrist|social worker|provider|interviewer|facilitator)\b"
)
_CLIENT_WORDS = re.compile(r"\b(client|patient)\b")
# Abbreviations count only as the whole label: "T" is the therapist, "Client T" is not.
_ABBREVIATIONS: dict[str, Speaker] = {
    "t": Speaker.CLINICIAN,
    "th": Speaker.CLINICIAN,
    "clin": Speaker.CLINICIAN,
    "c": Speaker.CLIENT,
    "cl": Speaker.CLIENT,
    "p": Speaker.CLIENT,
    "pt": Speaker.CLIENT,
}


def normalise_label(label: str) -> str:
    """A label as labels are compared: lower case, single spaces."""
    return " ".join(label.lower().split())


def role_named(value: Speaker | str) -> Speaker:
    """A role from its name or an alias.

    :raises ValueError: for anything else.
    """
    if isinstance(value, Speaker):
        return value
    role = _ROLE_ALIASES.get(normalise_label(value).replace("-", "_"))
    if role is None:
        raise ValueError("role must be clinician, client or other_participant")
    return role


def role_from_label(label: str) -> Speaker | None:
    """The role a label's own words name (rule 2), or ``None``."""
    words = normalise_label(label).replace("_", " ")
    abbreviation = _ABBREVIATIONS.get(words.strip(".:"))
    if abbreviation is not None:
        return abbreviation
    if _CLINICIAN_WORDS.search(words):
        return Speaker.CLINICIAN
    if _OTHER_WORDS.search(words):
        return Speaker.OTHER_PARTICIPANT
    if _CLIENT_WORDS.search(words):
        return Speaker.CLIENT
    return None


@dataclass
class _Voice:
    """What one unnamed speaker did: when first heard, questions asked, words said."""

    first_turn: int
    where: str
    questions: int = 0
    words: int = 0


def assign_roles(
    turns: Sequence[RawTurn], speakers: SpeakerMap | None = None
) -> tuple[dict[str, Speaker], list[TranscriptProblem]]:
    """The role of every label in ``turns`` (keyed by normalised label), and the
    warnings that report roles inferred from behaviour.

    :raises ValueError: when ``speakers`` maps a label to something that is not a role.
    """
    given = {normalise_label(label): role_named(role) for label, role in (speakers or {}).items()}
    roles: dict[str, Speaker] = {}
    unnamed: dict[str, _Voice] = {}
    for index, turn in enumerate(turns):
        if turn.label is None:
            continue
        key = normalise_label(turn.label)
        if key in roles:
            continue
        if turn.role is not None:
            continue  # this turn states its own role; the label may still be inferred below
        role = given.get(key) or role_from_label(turn.label)
        if role is not None:
            roles[key] = role
            unnamed.pop(key, None)
            continue
        voice = unnamed.setdefault(key, _Voice(index, turn.where))
        voice.questions += turn.text.count("?")
        voice.words += len(turn.text.split())
    for turn in turns:
        if turn.role is not None and turn.label is not None:
            roles.setdefault(normalise_label(turn.label), turn.role)
            unnamed.pop(normalise_label(turn.label), None)
    return roles, _infer(roles, unnamed)


def _infer(roles: dict[str, Speaker], unnamed: dict[str, _Voice]) -> list[TranscriptProblem]:
    """Rule 3: roles for unnamed speakers from what they did; one warning per speaker."""
    remaining = dict(unnamed)
    warnings: list[TranscriptProblem] = []

    def settle(key: str, role: Speaker, reason: str) -> None:
        voice = remaining.pop(key)
        roles[key] = role
        warnings.append(
            TranscriptProblem(
                voice.where,
                f"the speaker first heard here is taken to be the {role.label} ({reason}); "
                "give a speaker map to change this",
                "role_inferred",
            )
        )

    if remaining and Speaker.CLINICIAN not in roles.values():
        key = max(remaining, key=lambda k: (remaining[k].questions, -remaining[k].first_turn))
        settle(key, Speaker.CLINICIAN, "the unnamed speaker who asks the most questions")
    if remaining and Speaker.CLIENT not in roles.values():
        key = max(remaining, key=lambda k: (remaining[k].words, -remaining[k].first_turn))
        settle(key, Speaker.CLIENT, "the unnamed speaker who says the most")
    for key in sorted(remaining, key=lambda k: remaining[k].first_turn):
        settle(key, Speaker.OTHER_PARTICIPANT, "clinician and client are already identified")
    return warnings
