"""The subcommands that work on notes: ``render``, ``validate`` and ``demo``."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from alliance_notes.cli.common import (
    EXIT_ERROR_FINDINGS,
    EXIT_INVALID,
    add_note_input,
    add_output_option,
    add_render_options,
    add_templates_option,
    open_host,
    read_input_note,
    render_options,
    warnings_to_stderr,
    write_files,
    write_output,
)
from alliance_notes.cli.extract import add_transcript_options, read_transcript_argument
from alliance_notes.cli.findings import add_check_options
from alliance_notes.errors import AllianceNotesError, NoteValidationError
from alliance_notes.examples import example_notes

#: The example kinds ``demo`` renders unless told otherwise.
DEMO_KINDS = ("soap", "dap")


def run_render(arguments: argparse.Namespace) -> int:
    host = open_host(arguments.templates)
    note = read_input_note(host, arguments.note, arguments.from_format)
    with warnings_to_stderr():
        text = host.render(
            note,
            arguments.format,
            arguments.placement,
            arguments.audience,
            **render_options(arguments.option),
        )
    write_output(text, arguments.output)
    return 0


def run_validate(arguments: argparse.Namespace) -> int:
    from alliance_notes.cli.findings import check_settings, json_report, text_report  # noqa: PLC0415

    settings = check_settings(arguments)  # a wrong setting is a usage error, before any reading
    host = open_host()
    source = "<stdin>" if arguments.note == "-" else arguments.note
    try:
        note = read_input_note(host, arguments.note, arguments.from_format)
    except NoteValidationError as error:
        if arguments.json:
            _print_json(
                {
                    "source": source,
                    "valid": False,
                    "problems": [p.as_dict() for p in error.problems],
                    "findings": [],
                }
            )
        else:
            count = len(error.problems)
            print(f"{source}: invalid, {count} problem{'s' if count != 1 else ''}")
            for problem in error.problems:
                print(f"  - {problem}")
        return EXIT_INVALID
    report = host.check_report(note, settings)
    grounded: bool | None = None
    if arguments.transcript is not None:
        from alliance_notes.checks import Severity  # noqa: PLC0415  (only --transcript needs these)
        from alliance_notes.grounding import check_quotes  # noqa: PLC0415

        quote_problems = check_quotes(note, read_transcript_argument(arguments))
        report = replace(report, findings=(*report.findings, *(p.as_finding() for p in quote_problems)))
        grounded = not any(problem.severity is Severity.ERROR for problem in quote_problems)
    if arguments.json:
        result: dict[str, Any] = {
            "source": source,
            "valid": True,
            "kind": note.kind,
            "problems": [],
            **json_report(report, note),
        }
        if grounded is not None:
            result["grounded"] = grounded
        _print_json(result)
    else:
        print(f"{source}: valid {note.kind.upper()} note with therapeutic alliance section")
        if grounded is not None:
            verdict = "every evidence quote is" if grounded else "some evidence quotes are not"
            print(f"{source}: {verdict} grounded in the transcript")
        for line in text_report(report, note):
            print(line)
    if grounded is False:
        return EXIT_INVALID
    return EXIT_ERROR_FINDINGS if report.has_errors else 0


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def run_demo(arguments: argparse.Namespace) -> int:
    host = open_host(arguments.templates)
    examples = example_notes()
    kinds = arguments.kind or list(DEMO_KINDS)
    missing = [kind for kind in kinds if kind not in examples]
    if missing:
        raise AllianceNotesError(
            f"no bundled example for {', '.join(missing)}; available: {', '.join(examples)}"
        )
    if arguments.out is None:
        formats = arguments.format or ["markdown"]
        notes = [host.load_note(examples[kind]) for kind in kinds]
        with warnings_to_stderr():
            outputs = [
                host.render(note, name, arguments.placement, arguments.audience)
                for note in notes
                for name in formats
            ]
        write_output("\n\n".join(output.rstrip("\n") for output in outputs), None)
        return 0
    formats = arguments.format or sorted(host.formats)
    directory = Path(arguments.out)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AllianceNotesError(f"cannot create {directory}: {error.strerror}") from None
    # Every output is rendered before any is written: a format that fails leaves no partial set.
    texts: dict[Path, str] = {}
    titles: dict[Path, str] = {}
    for kind in kinds:
        note = host.load_note(examples[kind])
        for name in formats:
            registered = host.format(name)
            path = directory / f"{kind}_note{registered.format.extension}"
            with warnings_to_stderr():
                texts[path] = host.render(note, name, arguments.placement, arguments.audience)
            titles[path] = registered.format.title
    write_files(texts)
    for path, title in titles.items():
        print(f"wrote {path} ({title})")
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``render``, ``validate`` and ``demo``."""
    render = subparsers.add_parser(
        "render",
        help="render a note (JSON) with its alliance section in an output format",
        description="Validate a note and render it.  Exit status 2 when the note is invalid.",
    )
    add_note_input(render)
    render.add_argument(
        "-f",
        "--format",
        default="markdown",
        help="output format (see 'alliance-notes formats'); default markdown",
    )
    add_render_options(render)
    add_output_option(render)
    add_templates_option(render)
    render.set_defaults(run=run_render)

    validate = subparsers.add_parser(
        "validate",
        help="check a note: list every problem, then the findings of the note checks",
        description="Validate a note, then run the note checks (respectful language, pronouns, "
        "alliance consistency, measures and any installed check plugin) and list their findings "
        "by section.  Every problem and finding names its field (and, for words, their "
        "characters), never quoting the note's text.  Exit status 0 when the note is valid and "
        "no finding is an error, 1 when a finding is an error, 2 when the note is invalid (or a "
        "quote is not in --transcript) or the usage is wrong.  Finding codes and their settings: "
        "docs/checks.md.",
    )
    add_note_input(validate)
    validate.add_argument("--json", action="store_true", help="print the result as JSON on standard output")
    validate.add_argument(
        "--transcript",
        metavar="TRANSCRIPT",
        help="also check that every evidence quote appears in this session transcript; "
        "exit status 2 when one does not",
    )
    add_transcript_options(validate)
    add_check_options(validate)
    validate.set_defaults(run=run_validate)

    demo = subparsers.add_parser(
        "demo",
        help="render the bundled example SOAP and DAP notes",
        description="Render the bundled example notes, which exercise every part of the "
        "alliance section.  Without --out they are printed (Markdown unless --format is "
        "given); with --out every format is written unless --format chooses.",
    )
    demo.add_argument("-f", "--format", action="append", help="an output format (repeatable)")
    demo.add_argument(
        "--kind", action="append", help="an example kind to render: soap, dap, birp, girp (repeatable)"
    )
    add_render_options(demo, format_options=False)
    demo.add_argument("--out", metavar="DIR", help="write one file per example and format into DIR")
    add_templates_option(demo)
    demo.set_defaults(run=run_demo)
