"""How long the offline extractor takes on a 60-minute session (about 9,000 words), and on
4x and 16x that, to show that it grows linearly with the transcript.

    python benchmarks/bench_extractor.py

The session is built from the bundled example transcript and the labelled AnnoMI excerpts
(varied, real speech), repeated until it reaches about 9,000 words.  The floor is what the
same transcript costs to validate into pydantic models, the work any caller does anyway;
extraction is reported as milliseconds, per 1,000 words, and as a ratio to that floor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from alliance_notes.examples import examples_dir
from alliance_notes.transcript import Transcript
from alliance_notes.transcripts import load_transcript
from alliance_notes_plugins.extractor import RuleExtractor
from alliance_notes_plugins.extractor_evaluation import read_labelled

ROOT = Path(__file__).resolve().parents[1]
SESSION_WORDS = 9_000
SIZES = (1, 4, 16)


def session() -> Transcript:
    turns = list(load_transcript(examples_dir() / "soap_transcript.txt").utterances)
    for item in read_labelled(ROOT / "tests" / "fixtures" / "extractor" / "annomi_labelled.json"):
        turns.extend(item.transcript.utterances)
    words = sum(len(turn.text.split()) for turn in turns)
    repeated = turns * (SESSION_WORDS // words + 1)
    kept, count = [], 0
    for turn in repeated:
        if count >= SESSION_WORDS:
            break
        kept.append(turn)
        count += len(turn.text.split())
    return Transcript(utterances=kept)


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    extractor = RuleExtractor()
    base = session()
    extractor.suggest(base)  # compile the rules once, as a long-running pipeline would
    print(f"session: {base.word_count} words, {len(base.utterances)} utterances")
    columns = ("size", "words", "extract ms", "ms/1k words", "vs 1x", "floor ms", "x floor")
    widths = (5, 7, 11, 12, 7, 9, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    first = None
    for size in SIZES:
        transcript = Transcript(utterances=base.utterances * size)
        data = transcript.model_dump()
        runs = 7 if size < 16 else 3
        extract = best_of(runs, lambda t=transcript: extractor.suggest(t))
        floor = best_of(runs, lambda d=data: Transcript.model_validate(d))
        per_word = extract / transcript.word_count * 1000
        first = first or per_word
        print(
            f"{size:>4}x {transcript.word_count:>7} {extract:>11.1f} {per_word:>12.2f} "
            f"{per_word / first:>6.2f}x {floor:>9.1f} {extract / floor:>7.1f}x"
        )
    print("linear growth shows as a steady 'ms/1k words' (the 'vs 1x' column stays near 1.00x)")


if __name__ == "__main__":
    main()
