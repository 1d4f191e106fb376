"""Batch throughput, peak memory, and the per-note cost against a bare floor.

    python benchmarks/batch.py [--sizes 1000 10000 100000] [--jobs 1 2] [--rounds 7]

1. *Throughput*: ``alliance-notes batch NOTES.jsonl --out OUT.jsonl --format markdown
   --quiet`` in a fresh process for each size and ``--jobs``, on generated notes (the four
   bundled example notes, which fill every part of the alliance section, in turn, each
   with its own client code, date and session number: about 15 KB a line).  Notes per
   second are over the whole run, start-up included; the peak memory is the largest
   resident set of the command or any of its workers (``wait4``'s ``ru_maxrss``).
2. *Per-note cost*: in this process, the batch's per-note step (``NoteJob`` on one line of
   JSON Lines: parse, validate, id, render; the host already built) in Markdown and in
   text, against a *floor* measured in the same rounds: pydantic ``model_validate_json`` of
   the same line with the note's own model, then one render of a minimal Jinja template
   that prints every value of the note (a recursive macro over ``model_dump``).  Each figure
   is the median over rounds of the mean over the example notes; the goal is a ratio of at
   most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from alliance_notes.batch import InputNote, NoteJob
from alliance_notes.examples import example_notes
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote

KINDS = ("soap", "dap", "birp", "girp")

#: A minimal template that prints every value of the note, nested parts included.
EVERY_VALUE = jinja2.Environment(autoescape=False).from_string(  # noqa: S701  (plain text, a floor)
    "{%- macro show(value) -%}"
    "{%- if value is mapping -%}{% for key, item in value.items() %}{{ key }}: {{ show(item) }}\n"
    "{% endfor %}{%- elif value is iterable and value is not string -%}"
    "{% for item in value %}- {{ show(item) }}\n{% endfor %}"
    "{%- else -%}{{ value }}{%- endif -%}{%- endmacro -%}{{ show(note) }}"
)


def example_data() -> list[dict[str, Any]]:
    return [json.loads(example_notes()[kind].read_text(encoding="utf-8")) for kind in KINDS]


def generate(path: Path, count: int) -> None:
    """``count`` notes as JSON Lines: the examples in turn, each its own client and session."""
    examples = example_data()
    with path.open("w", encoding="utf-8") as file:
        for number in range(count):
            data = examples[number % len(examples)]
            data["session"]["client"] = f"C-{number:06d}"
            data["session"]["date"] = f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
            data["session"]["number"] = number % 40 + 1
            file.write(json.dumps(data, ensure_ascii=False) + "\n")


def run_batch_command(notes: Path, output: Path, jobs: int) -> tuple[float, float]:
    """Run the batch command; its wall time in seconds and peak resident memory in MiB."""
    script = shutil.which("alliance-notes") or str(Path(sys.executable).with_name("alliance-notes"))
    command = [script, "batch", str(notes), "--out", str(output), "--format", "markdown", "--quiet"]
    command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the batch command failed with exit status {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def throughput(sizes: list[int], jobs: list[int], directory: Path) -> None:
    print(f"{'notes':>8} {'jobs':>5} {'seconds':>9} {'notes/s':>9} {'peak MiB':>9}")
    for size in sizes:
        notes = directory / f"notes-{size}.jsonl"
        generate(notes, size)
        for count in jobs:
            output = directory / "out.jsonl"
            seconds, peak = run_batch_command(notes, output, count)
            print(f"{size:>8} {count:>5} {seconds:>9.1f} {size / seconds:>9.0f} {peak:>9.0f}", flush=True)
            output.unlink()
            output.with_name("out.errors.jsonl").unlink()
        notes.unlink()


def floor(model: type[ProgressNote], line: bytes) -> str:
    note = model.model_validate_json(line)
    return EVERY_VALUE.render(note=note.model_dump(mode="json", exclude_none=True))


def per_note(rounds: int, repeat: int) -> None:
    lines = [json.dumps(data).encode("utf-8") for data in example_data()]
    models = [BUILT_IN_KINDS[kind] for kind in KINDS]
    jobs = {name: NoteJob(format=name, environ={}) for name in ("markdown", "text")}
    for job in jobs.values():  # build the host and warm the templates
        assert not job(InputNote.from_line(lines[0], 1)).failed

    def batch_step(job: NoteJob) -> Callable[[], None]:
        def step() -> None:
            for line in lines:
                job(InputNote.from_line(line, 1))

        return step

    def floor_step() -> None:
        for model, line in zip(models, lines, strict=True):
            floor(model, line)

    steps = {"floor: model_validate_json + every value in Jinja": floor_step}
    steps.update({f"batch {name}": batch_step(job) for name, job in jobs.items()})
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            started = time.perf_counter()
            for _ in range(repeat):
                step()
            samples[name].append((time.perf_counter() - started) / repeat / len(lines))
    base = statistics.median(next(iter(samples.values())))
    print(f"{'per note':<52} {'ms':>7} {'ratio to floor':>15}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<52} {median * 1000:>7.2f} {median / base:>15.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", choices=("per-note", "throughput"), help="run one of the two parts")
    arguments = parser.parse_args()
    if arguments.only != "throughput":
        per_note(arguments.rounds, arguments.repeat)
        print()
    if arguments.only != "per-note":
        with tempfile.TemporaryDirectory(prefix="alliance-batch-") as directory:
            throughput(arguments.sizes, arguments.jobs, Path(directory))


if __name__ == "__main__":
    main()
