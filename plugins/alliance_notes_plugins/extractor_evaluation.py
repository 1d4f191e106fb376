"""Measuring the offline extractor against labelled transcripts: precision and recall per
kind of finding, and the AnnoMI sanity signal.

A labelled file holds transcripts whose utterances carry the kinds of finding a person saw
in them (``tests/fixtures/extractor/annomi_labelled.json`` is the project's development
set).  An extractor's suggestion counts as correct when the utterance it cites is labelled
with that kind.  A clinic that writes its own lexicon can measure it the same way::

    from alliance_notes_plugins.extractor import RuleExtractor, load_lexicon
    from alliance_notes_plugins.extractor_evaluation import evaluate, read_labelled

    scores = evaluate(read_labelled("our_sessions.json"), RuleExtractor(load_lexicon("our_rules.json")))
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance_notes.plugin_api import Transcript, Utterance
from alliance_notes_plugins.extractor import RuleExtractor, default_extractor, detected_findings

#: The kinds of finding, in the order reports list them.
FINDING_KINDS = (
    "consent_check",
    "choice_offered",
    "pace",
    "validation",
    "remembers",
    "boundary",
    "feedback_request",
    "withdrawal",
    "confrontation",
    "resolution",
)
# Extractor findings scored under another label: confidentiality is a boundary.
_AS_LABEL = {"confidentiality": "boundary"}
_ROLES = {
    "therapist": "clinician",
    "clinician": "clinician",
    "client": "client",
    "other_participant": "other_participant",
}


@dataclass(frozen=True)
class LabelledTranscript:
    """A transcript with the findings a person labelled in it, as ``(utterance index, kind)``."""

    id: str
    split: str
    transcript: Transcript
    labels: frozenset[tuple[int, str]]
    quality: str | None = None


@dataclass
class Score:
    """Counts for one kind of finding."""

    kind: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Correct suggestions ÷ suggestions (``None`` when nothing was suggested)."""
        suggested = self.true_positives + self.false_positives
        return self.true_positives / suggested if suggested else None

    @property
    def recall(self) -> float | None:
        """Labelled findings suggested ÷ labelled findings (``None`` when none are labelled)."""
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else None


def _transcript(utterances: Iterable[Mapping[str, Any]]) -> Transcript:
    turns = []
    for utterance in utterances:
        role = _ROLES[utterance["role"]]
        start = utterance.get("start")
        seconds = None
        if isinstance(start, str) and start:
            hours, minutes, secs = (int(part) for part in start.split(":"))
            seconds = float(hours * 3600 + minutes * 60 + secs)
        turns.append(Utterance(speaker=role, role=role, text=utterance["text"], start=seconds))
    return Transcript(utterances=turns)


def read_labelled(path: str | Path) -> list[LabelledTranscript]:
    """The labelled transcripts in a file (the format of the project's development set)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = []
    for entry in data["transcripts"]:
        labels = frozenset(
            (index, kind)
            for index, utterance in enumerate(entry["utterances"])
            for kind in utterance["labels"]
        )
        items.append(
            LabelledTranscript(
                id=entry["id"],
                split=entry.get("split", ""),
                transcript=_transcript(entry["utterances"]),
                labels=labels,
                quality=entry.get("mi_quality"),
            )
        )
    return items


def evaluate(items: Iterable[LabelledTranscript], extractor: RuleExtractor | None = None) -> dict[str, Score]:
    """Precision and recall per kind of finding over labelled transcripts."""
    scores = {kind: Score(kind) for kind in FINDING_KINDS}
    for item in items:
        found = {
            (index, _AS_LABEL.get(kind, kind))
            for index, kind in detected_findings(item.transcript, extractor or default_extractor())
        }
        for index, kind in found | item.labels:
            score = scores.setdefault(kind, Score(kind))
            if (index, kind) in found and (index, kind) in item.labels:
                score.true_positives += 1
            elif (index, kind) in found:
                score.false_positives += 1
                score.mistakes.append(f"false positive: {item.id} utterance {index}")
            else:
                score.false_negatives += 1
                score.mistakes.append(f"missed: {item.id} utterance {index}")
    return scores


def read_annomi(path: str | Path) -> dict[str, list[tuple[str, Transcript]]]:
    """AnnoMI transcripts (``AnnoMI-simple.csv``) by MI quality: ``{"high": […], "low": […]}``."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["transcript_id"]].append(row)
    by_quality: dict[str, list[tuple[str, Transcript]]] = defaultdict(list)
    for transcript_id, turns in rows.items():
        turns.sort(key=lambda row: int(row["utterance_id"]))
        transcript = _transcript(
            {"role": row["interlocutor"], "text": row["utterance_text"], "start": row["timestamp"]}
            for row in turns
        )
        by_quality[turns[0]["mi_quality"]].append((transcript_id, transcript))
    return dict(by_quality)


def autonomy_rate(
    transcripts: Iterable[Transcript], extractor: RuleExtractor | None = None
) -> tuple[int, int]:
    """Consent and choice findings, and clinician turns, over ``transcripts``: the AnnoMI
    sanity signal is that the rate is higher in high-quality MI than in low-quality MI."""
    findings = turns = 0
    for transcript in transcripts:
        turns += sum(1 for turn in transcript.utterances if turn.role.value == "clinician")
        findings += sum(
            1
            for _, kind in detected_findings(transcript, extractor or default_extractor())
            if kind in ("consent_check", "choice_offered")
        )
    return findings, turns


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval (95% by default) for a proportion of ``successes`` in
    ``trials``: honest with small counts, where the normal approximation is not
    (Wilson 1927; Brown, Cai & DasGupta, *Statistical Science* 16(2), 2001)."""
    if trials == 0:
        return None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * ((share * (1 - share) / trials + z * z / (4 * trials * trials)) ** 0.5) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
