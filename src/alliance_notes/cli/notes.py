"""The subcommands that work on notes: ``render``, ``validate`` and ``demo``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from alliance_notes.cli.common import open_host, read_input_note, write_output
from alliance_notes.document import PLACEMENTS
from alliance_notes.errors import AllianceNotesError, NoteValidationError
from alliance_notes.examples import example_notes

#: The example kinds ``demo`` renders unless told otherwise.
DEMO_KINDS = ("soap", "dap")


def _placement(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--placement",
        choices=PLACEMENTS,
        default="section",
        help="put the alliance content in its own section after the host sections (default), "
        "or inline, each part inside the host section it belongs to",
    )


def _options(values: list[str] | None) -> dict[str, str]:
    options = {}
    for value in values or []:
        name, equals, setting = value.partition("=")
        if not equals or not name:
            raise AllianceNotesError(f"--option must look like NAME=VALUE (got '{name or value}=…')")
        options[name] = setting
    return options


def run_render(arguments: argparse.Namespace) -> int:
    host = open_host()
    note = read_input_note(host, arguments.note)
    text = host.render(note, arguments.format, arguments.placement, **_options(arguments.option))
    write_output(text, arguments.output)
    return 0


def run_validate(arguments: argparse.Namespace) -> int:
    host = open_host()
    source = "<stdin>" if arguments.note == "-" else arguments.note
    try:
        note = read_input_note(host, arguments.note)
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
        return 2
    findings = host.check(note)
    if arguments.json:
        _print_json(
            {
                "source": source,
                "valid": True,
                "kind": note.kind,
                "problems": [],
                "findings": [finding.model_dump(mode="json") for finding in findings],
            }
        )
    else:
        print(f"{source}: valid {note.kind.upper()} note with therapeutic alliance section")
        for finding in findings:
            print(f"  - {finding}")
    return 0


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def run_demo(arguments: argparse.Namespace) -> int:
    host = open_host()
    examples = example_notes()
    kinds = arguments.kind or list(DEMO_KINDS)
    missing = [kind for kind in kinds if kind not in examples]
    if missing:
        raise AllianceNotesError(
            f"no bundled example for {', '.join(missing)}; available: {', '.join(examples)}"
        )
    if arguments.out is None:
        formats = arguments.format or ["markdown"]
        outputs = [
            host.render(host.load_note(examples[kind]), name, arguments.placement)
            for kind in kinds
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
    for kind in kinds:
        note = host.load_note(examples[kind])
        for name in formats:
            registered = host.format(name)
            path = directory / f"{kind}_note{registered.format.extension}"
            write_output(host.render(note, name, arguments.placement), str(path))
            print(f"wrote {path} ({registered.format.title})")
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``render``, ``validate`` and ``demo``."""
    render = subparsers.add_parser(
        "render",
        help="render a note (JSON) with its alliance section in an output format",
        description="Validate a note and render it.  Exit status 2 when the note is invalid.",
    )
    render.add_argument("note", help="the note as JSON: a file path, or - for standard input")
    render.add_argument(
        "-f",
        "--format",
        default="markdown",
        help="output format (see 'alliance-notes formats'); default markdown",
    )
    _placement(render)
    render.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    render.add_argument(
        "--option", action="append", metavar="NAME=VALUE", help="a format-specific option (repeatable)"
    )
    render.set_defaults(run=run_render)

    validate = subparsers.add_parser(
        "validate",
        help="check a note and list every problem",
        description="Validate a note.  Exit status 0 when it is valid, 2 when it is not; every "
        "problem is listed by field, never quoting the note's text.  Installed check plugins "
        "also run on a valid note.",
    )
    validate.add_argument("note", help="the note as JSON: a file path, or - for standard input")
    validate.add_argument("--json", action="store_true", help="print the result as JSON on standard output")
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
    _placement(demo)
    demo.add_argument("--out", metavar="DIR", help="write one file per example and format into DIR")
    demo.set_defaults(run=run_demo)
