"""Precision and recall of the offline alliance extractor, per kind of finding, and the
AnnoMI sanity signal.

    python benchmarks/evaluate_extractor.py [--annomi PATH/TO/AnnoMI-simple.csv] [--mistakes]

The labelled set is tests/fixtures/extractor/ (AnnoMI excerpts labelled by hand, and written
examples with hard negatives; see SOURCE.md there).  Its AnnoMI "held out" part was chosen
around keyword matches and has been read while writing rules, so it is development data in
all but name; the sealed part is blind_written.json, written from the label definitions by
someone who never saw the rules, and reported with 95% Wilson intervals, never item by item.

The sanity signal runs on the whole AnnoMI dataset when its CSV is found (by default
../shared/data/annomi/ beside the repository): consent-asking and choice-offering findings per
clinician turn should be higher in the high-quality than in the low-quality MI demonstrations.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from alliance_notes_plugins.extractor_evaluation import (
    FINDING_KINDS,
    LabelledTranscript,
    autonomy_rate,
    evaluate,
    read_annomi,
    read_labelled,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "extractor"
DEFAULT_ANNOMI = ROOT.parent / "shared" / "data" / "annomi" / "AnnoMI-simple.csv"


#: Blind judgements of the extractor's suggestions (benchmarks/judged/SOURCE.md says how
#: each was drawn, with which rules, and whether the rules changed after it).
JUDGED = (
    ("pair_mts_2026-12-01.json", "PAIR and MTS-Dialog, rules 0.2 (every suggestion)"),
    ("pair_mts_2026-12-01b.json", "PAIR and MTS-Dialog, rules 0.3 (every suggestion; re-judged)"),
    ("annomi_unread_2026-12-01b.json", "AnnoMI utterances never read, rules 0.3 (40 drawn at random)"),
)


def _percent(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:3.0f}%"


def _with_interval(successes: int, trials: int) -> str:
    """``45% (31–60%)``: a share and its 95% Wilson interval."""
    interval = wilson_interval(successes, trials)
    if interval is None:
        return "-"
    low, high = interval
    return f"{successes / trials * 100:.0f}% ({low * 100:.0f}–{high * 100:.0f}%)"


def _sealed_row(name: str, tp: int, fp: int, fn: int) -> str:
    precision, recall = _with_interval(tp, tp + fp), _with_interval(tp, tp + fn)
    return f"  {name:<18} {precision:>22} {recall:>22} {tp + fp:>9} {tp + fn:>8}"


#: The finding families the targets are set for (issue 13): each a group of finding kinds.
FAMILIES = {
    "withdrawal": ("withdrawal",),
    "confrontation": ("confrontation",),
    "resolution": ("resolution",),
    "consent/choice/pace": ("consent_check", "choice_offered", "pace"),
    "validation/remembers/boundary/feedback": ("validation", "remembers", "boundary", "feedback_request"),
}


def sealed_report(title: str, items: list[LabelledTranscript]) -> None:
    """Figures only, with 95% intervals, never the items: a sealed part is scored, not read."""
    scores = evaluate(items)
    utterances = sum(len(i.transcript.utterances) for i in items)
    print(f"\n{title} ({len(items)} transcripts, {utterances} utterances)")
    heading = ("finding", "precision (95% CI)", "recall (95% CI)", "suggested", "labelled")
    print(f"  {heading[0]:<18} {heading[1]:>22} {heading[2]:>22} {heading[3]:>9} {heading[4]:>8}")
    totals = [0, 0, 0]
    for kind in FINDING_KINDS:
        score = scores[kind]
        tp, fp, fn = score.true_positives, score.false_positives, score.false_negatives
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        print(_sealed_row(kind, tp, fp, fn))
    print(_sealed_row("all", *totals))
    print("  by family")
    for family, kinds in FAMILIES.items():
        tp = sum(scores[kind].true_positives for kind in kinds)
        fp = sum(scores[kind].false_positives for kind in kinds)
        fn = sum(scores[kind].false_negatives for kind in kinds)
        print(_sealed_row(family[:18], tp, fp, fn))


def report(title: str, items: list[LabelledTranscript], mistakes: bool) -> None:
    scores = evaluate(items)
    print(
        f"\n{title} ({len(items)} transcripts, {sum(len(i.transcript.utterances) for i in items)} utterances)"
    )
    print(f"  {'finding':<18} {'precision':>9} {'recall':>7} {'suggested':>9} {'labelled':>8}")
    totals = [0, 0, 0]
    for kind in FINDING_KINDS:
        score = scores[kind]
        totals[0] += score.true_positives
        totals[1] += score.false_positives
        totals[2] += score.false_negatives
        suggested = score.true_positives + score.false_positives
        labelled = score.true_positives + score.false_negatives
        precision, recall = _percent(score.precision), _percent(score.recall)
        print(f"  {kind:<18} {precision:>9} {recall:>7} {suggested:>9} {labelled:>8}")
        if mistakes:
            for mistake in score.mistakes:
                print(f"      {mistake}")
    tp, fp, fn = totals
    print(
        f"  {'all':<18} {_percent(tp / (tp + fp) if tp + fp else None):>9} "
        f"{_percent(tp / (tp + fn) if tp + fn else None):>7} {tp + fp:>9} {tp + fn:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annomi", type=Path, default=DEFAULT_ANNOMI, help="AnnoMI-simple.csv")
    parser.add_argument("--mistakes", action="store_true", help="list every false positive and miss")
    arguments = parser.parse_args()
    annomi = read_labelled(FIXTURES / "annomi_labelled.json")
    written = read_labelled(FIXTURES / "written_labelled.json")
    report(
        "AnnoMI, dev (looked at while writing the rules)",
        [i for i in annomi if i.split == "dev"],
        arguments.mistakes,
    )
    report(
        "AnnoMI, 'held out' (read while writing rules: development data in all but name)",
        [i for i in annomi if i.split == "heldout"],
        arguments.mistakes,
    )
    report("Written examples and hard negatives", written, arguments.mistakes)
    random_windows = read_labelled(FIXTURES / "annomi_random.json")
    report("AnnoMI, random windows (no keyword search; development)", random_windows, arguments.mistakes)
    blind_dev = read_labelled(FIXTURES / "blind_dev.json")
    report(
        "Written blind from the definitions, development (read while tuning)", blind_dev, arguments.mistakes
    )
    sealed_report("The same, with intervals", blind_dev)
    report(
        "Everything but the sealed part", annomi + written + random_windows + blind_dev, arguments.mistakes
    )
    blind = FIXTURES / "blind_written.json"
    if blind.is_file():
        sealed_report(
            "SEALED: written blind from the label definitions (scored only; never read while writing rules)",
            read_labelled(blind),
        )
    for name, what in JUDGED:
        judged_path = ROOT / "benchmarks" / "judged" / name
        judged = json.loads(judged_path.read_text(encoding="utf-8"))["items"]
        right = sum(1 for item in judged if item["judged_correct"])
        print(
            f"\nJudged blind, {what} ({name}): "
            f"{_with_interval(right, len(judged))} of {len(judged)} suggestions right"
        )
    if not arguments.annomi.is_file():
        print(f"\nAnnoMI sanity signal: skipped ({arguments.annomi} not found; pass --annomi)")
        return
    print("\nAnnoMI sanity signal (whole dataset): consent + choice findings per clinician turn")
    rates = {}
    for quality, transcripts in sorted(read_annomi(arguments.annomi).items()):
        findings, turns = autonomy_rate(transcript for _, transcript in transcripts)
        rates[quality] = findings / turns
        print(
            f"  {quality:<5} MI: {findings:4d} findings / {turns:5d} clinician turns = {rates[quality]:.4f} "
            f"({len(transcripts)} transcripts)"
        )
    verdict = "higher" if rates.get("high", 0) > rates.get("low", 0) else "NOT higher"
    ratio = rates["high"] / rates["low"] if rates.get("low") else float("inf")
    print(f"  high-quality MI is {verdict} ({ratio:.1f}x the low-quality rate)")


if __name__ == "__main__":
    main()
