"""Time and peak memory of reading large inputs, to show they grow linearly with the input.

    python benchmarks/bench_input_scale.py [--format text] [--sizes 10000 100000 1000000]
                                           [--extract] [--form-lines 900 9000 1000000]

**Transcripts.**  For each size, a transcript of that many utterances (therapist and
client taking turns, each turn timed, the sentences of an ordinary session) is generated in
the given format, then read with :func:`alliance_notes.transcripts.read_transcript` from its
bytes, as ``alliance-notes extract`` reads a file.  ``--extract`` also times the built-in
rule extractor on the transcript read.

**Forms.**  For each ``--form-lines`` count, a filled SOAP form is generated with one
"Built trust" entry wrapped over that many lines, and read with
:func:`alliance_notes.fillable.parse_filled`, as ``alliance-notes parse`` does.  A form over
the reader's limits (:mod:`alliance_notes.fillable.reader`: 10,000 lines) stops with a
problem; its row says so and times how long stopping took.

Each size runs in a fresh Python process, so that its peak memory is its own: *peak* is the
process's peak resident memory less its resident memory just before reading (the generated
input is already in memory then).  The ratio columns divide each row by the row before it
(the size ratio, e.g. 10, is shown with them): a step linear in the input has a time and
memory ratio close to the size ratio; a quadratic one, close to its square.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

SENTENCES = (
    ("Therapist", "How has the week been since we last met?"),
    ("Client", "It was okay, mostly. Work was busy and I didn't sleep much on Tuesday."),
    ("Therapist", "That sounds tiring. What do you think kept you up?"),
    ("Client", "I kept going over the conversation with my manager, again and again."),
    ("Therapist", "Would it be all right to spend some time on that conversation today?"),
    ("Client", "Yeah, I think so. I'd like that."),
)


def _clock(seconds: float, comma: bool = False) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    text = f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{millis:03d}"
    return text.replace(".", ",") if comma else text


def transcript_bytes(count: int, form: str) -> bytes:
    """A transcript of ``count`` utterances in ``form`` (text, json, webvtt or srt)."""
    # A turn every 0.25 s: a million turns take under 70 hours, which every clock format can show.
    turns = [(index / 4, *SENTENCES[index % len(SENTENCES)]) for index in range(count)]
    if form == "text":
        lines = [f"[{_clock(start)[:8]}] {speaker}: {words}" for start, speaker, words in turns]
        return ("\n".join(lines) + "\n").encode()
    if form == "json":
        items = [
            {"speaker": speaker, "text": words, "start": start, "end": start + 0.25}
            for start, speaker, words in turns
        ]
        return json.dumps({"utterances": items}).encode()
    if form == "webvtt":
        cues = [
            f"{_clock(start)} --> {_clock(start + 0.25)}\n<v {speaker}>{words}"
            for start, speaker, words in turns
        ]
        return ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()
    if form == "srt":
        cues = [
            f"{number}\n{_clock(start, True)} --> {_clock(start + 0.25, True)}\n{speaker}: {words}"
            for number, (start, speaker, words) in enumerate(turns, start=1)
        ]
        return ("\n\n".join(cues) + "\n").encode()
    raise ValueError(f"unknown format {form!r}")


def form_text(lines: int) -> str:
    """A filled SOAP form whose "Built trust" entry is wrapped over ``lines`` lines."""
    from alliance_notes.fillable import blank_template  # noqa: PLC0415
    from alliance_notes.note import SoapNote  # noqa: PLC0415

    form = blank_template(SoapNote)
    form = form.replace("client:    ", "client: C-0412", 1).replace("date:      ", "date: 2024-05-02", 1)
    form = form.replace("- [ ] steady", "- [x] steady", 1)
    anchor = "letting them set the pace (“share only when you're ready”)?\n- "
    entry = "Remembered the dog's name from last session.\n" + "\n".join(
        ["  and the client said it helped them feel heard"] * lines
    )
    return form.replace(anchor, anchor + entry, 1)


def _resident_kib() -> int:
    """The process's resident memory now (KiB), or its peak where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB elsewhere


def measure_transcript(count: int, form: str, extract: bool) -> dict[str, Any]:
    """Read one generated transcript (in this process) and return its figures."""
    from alliance_notes.transcripts import read_transcript  # noqa: PLC0415

    data = transcript_bytes(count, form)
    before = _resident_kib()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        transcript = read_transcript(data, format=form)
        seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "size": count,
        "bytes": len(data),
        "seconds": seconds,
        "peak_mib": max(_peak_kib() - before, 0) / 1024,
        "utterances": len(transcript.utterances),
    }
    if extract:
        from alliance_notes_plugins.extractor import default_extractor  # noqa: PLC0415

        started = time.perf_counter()
        default_extractor().suggest(transcript)
        result["extract_seconds"] = time.perf_counter() - started
    return result


def measure_form(lines: int) -> dict[str, Any]:
    """Parse one generated filled form (in this process) and return its figures."""
    from alliance_notes.errors import NoteValidationError  # noqa: PLC0415
    from alliance_notes.fillable import parse_filled  # noqa: PLC0415

    data = form_text(lines).encode()
    before = _resident_kib()
    started = time.perf_counter()
    try:
        parse_filled(data)
        outcome = "parsed"
    except NoteValidationError as error:
        codes = sorted({problem.code for problem in error.problems})
        outcome = "stopped: " + ", ".join(codes)
    seconds = time.perf_counter() - started
    return {
        "size": lines,
        "bytes": len(data),
        "seconds": seconds,
        "peak_mib": max(_peak_kib() - before, 0) / 1024,
        "outcome": outcome,
    }


def _child(arguments: list[str]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *arguments], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"measurement {arguments} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _ratio(value: float, previous: float, floor: float = 0.0) -> str:
    """``value / previous``; ``-`` when ``previous`` is at or below ``floor``, too small to divide by."""
    return f"{value / previous:6.1f}x" if previous > floor else "     -"


def print_table(title: str, rows: list[dict[str, Any]], extra: str | None = None) -> None:
    """The figures, each row with its ratios to the row before."""
    print(title)
    header = f"{'size':>10} {'MB in':>8} {'seconds':>9} {'peak MiB':>9} {'size×':>7} {'time×':>7} {'mem×':>7}"
    if extra:
        header += f"  {extra}"
    print(header)
    previous: dict[str, Any] | None = None
    for row in rows:
        ratios = ["", "", ""]
        if previous is not None:
            ratios = [
                _ratio(row["size"], previous["size"]),
                _ratio(row["seconds"], previous["seconds"]),
                # Resident memory moves in pages: a peak under 5 MiB is too coarse for a ratio.
                _ratio(row["peak_mib"], previous["peak_mib"], 5.0),
            ]
        line = (
            f"{row['size']:>10,} {row['bytes'] / 1e6:>8.1f} {row['seconds']:>9.3f} {row['peak_mib']:>9.1f} "
            f"{ratios[0]:>7} {ratios[1]:>7} {ratios[2]:>7}"
        )
        if extra == "extract s" and "extract_seconds" in row:
            line += f"  {row['extract_seconds']:9.3f}"
        elif extra == "outcome":
            line += f"  {row['outcome']}"
        print(line)
        previous = row
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", default="text", choices=("text", "json", "webvtt", "srt"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--extract", action="store_true", help="also time the rule extractor")
    parser.add_argument("--form-lines", type=int, nargs="*", default=[900, 9_000, 1_000_000])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, size, *rest = arguments.child
        if kind == "transcript":
            figures = measure_transcript(int(size), rest[0], rest[1:] == ["extract"])
        else:
            figures = measure_form(int(size))
        print(json.dumps(figures))
        return
    if arguments.sizes:
        extra = ["extract"] if arguments.extract else []
        rows = [_child(["transcript", str(size), arguments.format, *extra]) for size in arguments.sizes]
        print_table(
            f"Reading a {arguments.format} transcript of N utterances (read_transcript)",
            rows,
            "extract s" if arguments.extract else None,
        )
    if arguments.form_lines:
        forms = [_child(["form", str(lines)]) for lines in arguments.form_lines]
        print_table("Parsing a filled form with one entry over N lines (parse_filled)", forms, "outcome")


if __name__ == "__main__":
    main()
