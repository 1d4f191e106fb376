"""The ``batch`` subcommand: many notes through validation, checks, extraction and rendering.

``alliance-notes batch notes.jsonl --format markdown --out rendered.jsonl`` reads one note
per line (or the ``*.json`` files of a directory) and writes every rendering as it comes,
with a progress bar on a terminal and a summary at the end.  A note that fails goes to the
errors file and the batch goes on; the exit status is 2 when any failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alliance_notes.cli.common import add_render_options, add_templates_option, render_options
from alliance_notes.errors import AllianceNotesError

#: Exit status when some notes failed (they are in the errors file).
EXIT_SOME_FAILED = 2
#: Exit status after Ctrl-C (the shell's for SIGINT).
EXIT_INTERRUPTED = 130


def _job_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError("must be a whole number of processes, 1 or more")
    return count


def run_batch_command(arguments: argparse.Namespace) -> int:
    from alliance_notes.batch import BatchInterrupted, NoteJob, read_notes, run_batch  # noqa: PLC0415
    from alliance_notes.batch.inputs import count_notes  # noqa: PLC0415

    source = arguments.input
    if source != "-" and not Path(source).exists():
        raise AllianceNotesError(f"{source}: no such file or directory")
    job = NoteJob(
        format=arguments.format,
        audience=arguments.audience,
        placement=arguments.placement,
        options=render_options(arguments.option),
        checks=arguments.checks,
        transcripts=Path(arguments.transcripts) if arguments.transcripts else None,
        template_dirs=tuple(Path(directory) for directory in arguments.templates or ()),
    )
    show_progress = not arguments.quiet and sys.stderr.isatty()
    total = count_notes(Path(source)) if show_progress and source != "-" else None
    try:
        summary = run_batch(
            read_notes(source),
            job,
            arguments.out,
            errors=arguments.errors,
            jobs=arguments.jobs,
            start_method=arguments.start_method,
            resume=arguments.resume,
            progress=show_progress,
            total=total,
        )
    except BatchInterrupted as interruption:
        done = interruption.summary
        after = f" (the last: {done.last})" if done.last else ""
        notes = f"{done.read} note{'' if done.read == 1 else 's'}"
        print(
            f"alliance-notes: interrupted after {notes}{after}: {done.written} written, "
            f"{done.failed} failed; the complete results are in {done.output} and {done.errors}; "
            "run the same command with --resume to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if not arguments.quiet:
        print(f"alliance-notes: {summary}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``batch``."""
    batch = subparsers.add_parser(
        "batch",
        help="render many notes: JSON Lines or a directory of note files",
        description="Validate and render many notes, streamed: INPUT is JSON Lines (one note per "
        "line; - for standard input) or a directory of *.json note files.  --out is a JSON Lines "
        "file (.jsonl) or a directory (one file per note, named from its id, and index.jsonl).  "
        "A note that fails goes to the errors file (where it was and what is wrong, never its "
        "text) and the batch goes on.  Exit status 0 when every note was written, 2 when some "
        "failed, 130 when interrupted (--resume continues).",
    )
    batch.add_argument("input", help="JSON Lines of notes (- for standard input) or a directory of notes")
    batch.add_argument(
        "--out", required=True, metavar="OUT", help="a .jsonl file, or a directory for one file per note"
    )
    batch.add_argument(
        "-f", "--format", default="markdown", help="output format (see 'alliance-notes formats')"
    )
    batch.add_argument(
        "--errors",
        metavar="FILE",
        help="the errors file (default: OUT.errors.jsonl beside a .jsonl output, "
        "errors.jsonl in a directory)",
    )
    batch.add_argument(
        "--checks", action="store_true", help="also run the note checks; their findings go with each note"
    )
    batch.add_argument(
        "--transcripts",
        metavar="DIR",
        help="session transcripts: a note whose transcript is here (named like the note file, or "
        "CLIENT_DATE_NUMBER or CLIENT_DATE, with .txt .json .vtt or .srt) gets the suggested "
        "alliance findings and its quotes checked",
    )
    add_render_options(batch)
    add_templates_option(batch)
    batch.add_argument(
        "-j", "--jobs", type=_job_count, default=1, metavar="N", help="worker processes (default 1)"
    )
    batch.add_argument(
        "--start-method",
        choices=("spawn", "fork", "forkserver"),
        help="how worker processes start (default: the platform's)",
    )
    batch.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted batch after the results it completed",
    )
    batch.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    batch.set_defaults(run=run_batch_command)
