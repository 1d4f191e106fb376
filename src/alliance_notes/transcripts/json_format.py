"""JSON transcripts, in the shapes pipelines produce:

* a list of utterances: ``[{"speaker": "Therapist", "text": "…", "start": 0.0, "end": 4.2}, …]``;
* an object with ``"utterances"`` (what :class:`~alliance_notes.transcript.Transcript` writes,
  so a saved transcript reads back unchanged);
* a diarisation result with ``"segments"`` (WhisperX, pyannote and similar):
  ``{"segments": [{"speaker": "SPEAKER_00", "text": " Hi.", "start": 0.5, "end": 1.2}, …]}``.
  Each segment is one utterance.

Keys accepted for each utterance: the speaker as ``speaker`` (or ``label``, ``name``); the
words as ``text`` (or ``content``, ``utterance``, ``transcript``); times as ``start``/``end``
in seconds or as ``"00:01:10.5"`` (``start_time``/``end_time`` and ``timestamp`` also
work).  An utterance may state its ``role`` (``clinician``, ``client`` or
``other_participant``), which then wins over any inference.  Other keys (``words``,
``confidence`` …) are ignored.  At most
:data:`~alliance_notes.transcripts.limits.MAX_UTTERANCES` utterances are read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from alliance_notes.loading import DuplicateKeyError, reject_duplicate_keys
from alliance_notes.transcripts.limits import MAX_UTTERANCES, too_many_utterances
from alliance_notes.transcripts.problems import TranscriptProblem
from alliance_notes.transcripts.raw import RawTurn, collapse, parse_clock
from alliance_notes.vocabulary import Speaker

_SPEAKER_KEYS = ("speaker", "label", "name")
_TEXT_KEYS = ("text", "content", "utterance", "transcript")
_START_KEYS = ("start", "start_time", "timestamp")
_END_KEYS = ("end", "end_time")


def _first(item: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in item and item[key] is not None:
            return item[key]
    return None


def _seconds(value: Any, where: str, key: str, problems: list[TranscriptProblem]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        seconds: float | None = None
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = parse_clock(value)
    else:
        seconds = None
    if seconds is None or seconds < 0 or not math.isfinite(seconds):
        problems.append(
            TranscriptProblem(
                where, f"{key} must be seconds (a number ≥ 0) or a time like 00:01:10", "bad_time"
            )
        )
        return None
    return seconds


def _turn(item: Any, where: str, problems: list[TranscriptProblem]) -> RawTurn | None:
    if not isinstance(item, Mapping):
        problems.append(TranscriptProblem(where, "must be an object with speaker and text", "not_an_object"))
        return None
    text = _first(item, _TEXT_KEYS)
    if not isinstance(text, str):
        problems.append(TranscriptProblem(where, "has no text (expected a 'text' string)", "no_text"))
        return None
    role: Speaker | None = None
    stated = item.get("role")
    if stated is not None:
        try:
            role = Speaker(str(stated).strip().lower())
        except ValueError:
            problems.append(
                TranscriptProblem(
                    where, "role must be one of: clinician, client, other_participant", "unknown_role"
                )
            )
            return None
    label = _first(item, _SPEAKER_KEYS)
    if label is not None and not isinstance(label, str | int):
        problems.append(TranscriptProblem(where, "speaker must be text", "bad_speaker"))
        return None
    label_text = collapse(str(label)) if label is not None else ""
    if not label_text and role is None:
        problems.append(
            TranscriptProblem(where, "names no speaker (expected 'speaker' or 'role')", "no_speaker")
        )
        return None
    start = _seconds(_first(item, _START_KEYS), where, "start", problems)
    end = _seconds(_first(item, _END_KEYS), where, "end", problems)
    return RawTurn(label_text or (role.value if role else None), collapse(text), where, start, end, role)


def read_json(text: str) -> tuple[list[RawTurn], list[TranscriptProblem]]:
    """The turns of a JSON transcript in any of the shapes above."""
    try:
        data = json.loads(text, object_pairs_hook=reject_duplicate_keys)
    except json.JSONDecodeError as error:
        # The decoder's message is generic ("Expecting ',' delimiter") and never quotes the file.
        return [], [TranscriptProblem(f"line {error.lineno}", f"is not valid JSON: {error.msg}", "json")]
    except DuplicateKeyError:
        message = "gives a key twice in one object; only one value can be kept, so say it once"
        return [], [TranscriptProblem("", message, "duplicate_key")]
    except RecursionError:
        message = "is nested too deeply (objects and lists inside each other more than about 1,000 levels)"
        return [], [TranscriptProblem("", message, "too_deep")]
    except ValueError:  # Python's limit on the digits of an integer
        return [], [
            TranscriptProblem("", "has a number too long to read (more than 4,300 digits)", "number_too_long")
        ]
    key = ""
    items: Any = data
    if isinstance(data, Mapping):
        for candidate in ("utterances", "segments"):
            if isinstance(data.get(candidate), list):
                key, items = candidate, data[candidate]
                break
        else:
            message = "must be a list of utterances, or an object with 'utterances' or 'segments'"
            return [], [TranscriptProblem("", message, "json_shape")]
    if not isinstance(items, list):
        return [], [TranscriptProblem("", "must be a list of utterances", "json_shape")]
    if len(items) > MAX_UTTERANCES:
        where = f"{key}[{MAX_UTTERANCES}]" if key else f"item {MAX_UTTERANCES}"
        return [], [too_many_utterances(where, MAX_UTTERANCES)]
    problems: list[TranscriptProblem] = []
    turns: list[RawTurn] = []
    for index, item in enumerate(items):
        turn = _turn(item, f"{key}[{index}]" if key else f"item {index}", problems)
        if turn is not None:
            turns.append(turn)
    return turns, problems
