"""From raw turns to a validated :class:`~alliance_notes.transcript.Transcript`: roles
assigned, empty turns dropped, times checked."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.transcripts.limits import MAX_UTTERANCE_CHARACTERS, too_long
from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn
from alliance_notes.transcripts.roles import SpeakerMap, assign_roles, normalise_label
from alliance_notes.vocabulary import Speaker

#: Overlap below this many seconds is rounding in the file, not crosstalk.
_TOLERANCE = 0.05


def _time_warnings(kept: Sequence[RawTurn]) -> list[TranscriptProblem]:
    warnings: list[TranscriptProblem] = []
    for previous, turn in itertools.pairwise(kept):
        if turn.start is None or previous.start is None:
            continue
        same_cue = turn.cue is not None and turn.cue == previous.cue
        if turn.start + _TOLERANCE < previous.start:
            warnings.append(
                TranscriptProblem(
                    turn.where,
                    "starts before the utterance above it; times may be out of order",
                    "time_order",
                )
            )
        elif previous.end is not None and turn.start + _TOLERANCE < previous.end and not same_cue:
            warnings.append(
                TranscriptProblem(
                    turn.where, "starts before the utterance above it ends (overlapping speech)", "overlap"
                )
            )
    return warnings


def _utterance_problem(error: ValidationError, where: str) -> TranscriptProblem:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "utterance"
    if first["type"] == "time_order":
        return TranscriptProblem(where, "ends before it starts", "time_order")
    if first["type"] == "unstorable_character":
        return TranscriptProblem(
            where, f"{field} contains a control character that a note cannot store", "unstorable_character"
        )
    return TranscriptProblem(where, f"{field} is not valid ({first['type']})", first["type"])


def _utterance(turn: RawTurn, role: Speaker) -> Utterance:
    """The validated utterance of one turn.

    Times are given only when the turn has them: a model records which fields it was given,
    per utterance, and a million utterances each recording two more cost hundreds of MB.
    """
    fields: dict[str, Any] = {"speaker": turn.label or role.value, "role": role, "text": turn.text}
    if turn.start is not None:
        fields["start"] = turn.start
    if turn.end is not None:
        fields["end"] = turn.end
    return Utterance(**fields)


def build_transcript(
    turns: Sequence[RawTurn], speakers: SpeakerMap | None = None
) -> tuple[Transcript | None, list[TranscriptProblem], list[TranscriptProblem]]:
    """The transcript, the problems that stop it, and the warnings worth showing.

    :raises ValueError: when ``speakers`` maps a label to something that is not a role.
    """
    problems: list[TranscriptProblem] = []
    warnings: list[TranscriptProblem] = []
    kept = []
    for turn in turns:
        if turn.text:
            kept.append(turn)
        else:
            warnings.append(
                TranscriptProblem(turn.where, "has a speaker but no words; skipped", "empty_turn")
            )
    if not kept:
        problems.append(TranscriptProblem("", "contains no utterances", "empty"))
        return None, problems, warnings
    roles, inferred = assign_roles(kept, speakers)
    warnings.extend(inferred)
    utterances: list[Utterance] = []
    for turn in kept:
        if len(turn.text) > MAX_UTTERANCE_CHARACTERS:
            problems.append(too_long(turn.where, MAX_UTTERANCE_CHARACTERS))
            continue
        role = turn.role or roles[normalise_label(turn.label or "")]
        try:
            utterances.append(_utterance(turn, role))
        except ValidationError as error:
            problems.append(_utterance_problem(error, turn.where))
    warnings.extend(_time_warnings(kept))
    if problems:
        return None, problems, warnings
    return Transcript(utterances=utterances), problems, warnings
