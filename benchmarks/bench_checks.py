"""Checking a note against rendering it: time per note, as ratios in the same run.

    python benchmarks/bench_checks.py [--rounds 15] [--repeat 20]

For each bundled example note (parsed and validated once, beforehand):

* *check*: ``Host.check_report`` — the core's placement check and every installed check
  plugin (respectful language, pronouns, alliance consistency, measures), then the note's
  exceptions and the default settings;
* *render*: ``Host.render`` in Markdown and in plain text (the record audience, section
  placement), the cheapest renders a clinician runs;
* *floor*: one pass over the note's texts (``note_texts``) lower-casing each, the least a
  text check can do.

The issue asks that checking a note cost less than rendering it: the check/render ratio is
printed for each format (below 1 is the goal).  Timings alternate round by round, so machine
noise hits all of them; each figure is the median over rounds of the mean over ``--repeat``
calls, averaged over the example notes (ms per note).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from alliance_notes import create_host
from alliance_notes.examples import example_notes
from alliance_notes.note import ProgressNote
from alliance_notes.note_text import note_texts


def _mean_ms(work: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()

    host = create_host(environ={})
    notes: list[ProgressNote] = [host.load_note(path) for path in example_notes().values()]
    tasks: dict[str, Callable[[ProgressNote], object]] = {
        "floor: one pass over the texts": lambda note: [text.text.lower() for text in note_texts(note)],
        "check (every check plugin)": host.check_report,
        "render markdown": lambda note: host.render(note, "markdown"),
        "render text": lambda note: host.render(note, "text"),
    }
    for note in notes:  # warm caches (templates, the terms file) before timing
        for task in tasks.values():
            task(note)
    samples: dict[str, list[float]] = {name: [] for name in tasks}
    for _ in range(arguments.rounds):
        for name, task in tasks.items():
            per_note = [_mean_ms(partial(task, note), arguments.repeat) for note in notes]
            samples[name].append(sum(per_note) / len(per_note))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor = medians["floor: one pass over the texts"]
    print(f"{len(notes)} example notes, {arguments.rounds} rounds x {arguments.repeat} calls (ms per note)")
    for name, value in medians.items():
        print(f"  {name:<34} {value:8.3f} ms   {value / floor:7.1f} x floor")
    check = medians["check (every check plugin)"]
    for name in ("render markdown", "render text"):
        print(f"check / {name}: {check / medians[name]:.2f}")


if __name__ == "__main__":
    main()
