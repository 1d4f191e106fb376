"""The subcommands of the fill-in workflow: ``template`` writes a form, ``parse`` reads it back.

::

    alliance-notes template soap -o session.md              # a blank SOAP form
    alliance-notes template --prefill draft.json --audience review -o review.md  # an AI draft to review
    alliance-notes parse session.md                         # the validated note, as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from alliance_notes.cli.common import (
    add_output_option,
    add_render_options,
    add_templates_option,
    open_host,
    read_input_note,
    read_standard_input,
    render_options,
    warnings_to_stderr,
    write_output,
)
from alliance_notes.errors import AllianceNotesError, NoteValidationError, Problem
from alliance_notes.vocabulary import AUDIENCES

if TYPE_CHECKING:  # the forms, models and host load when a command runs
    from alliance_notes.host import Host
    from alliance_notes.note import ProgressNote


def run_template(arguments: argparse.Namespace) -> int:
    from alliance_notes.fillable import blank_template, prefilled_template  # noqa: PLC0415

    host = open_host(arguments.templates)
    kind = arguments.kind
    if kind is not None and kind not in host.kinds:
        raise AllianceNotesError(f"unknown note kind '{kind}'; known kinds: {', '.join(sorted(host.kinds))}")
    if arguments.prefill is not None:
        note = read_input_note(host, arguments.prefill)
        if kind is not None and kind != note.kind:
            raise AllianceNotesError(
                f"the note to prefill is a {note.kind.upper()} note, not {kind.upper()}; leave out the kind"
            )
        with warnings_to_stderr():
            text = prefilled_template(note, host.templates, arguments.audience)
    elif kind is None:
        raise AllianceNotesError(
            f"say which note kind ({', '.join(sorted(host.kinds))}), or give --prefill NOTE"
        )
    else:
        text = blank_template(host.kinds[kind].model, host.templates, arguments.audience)
    write_output(text, arguments.output)
    return 0


def _read_filled(source: str) -> bytes:
    if source == "-":
        return read_standard_input()
    try:
        return Path(source).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise NoteValidationError([Problem("", f"cannot be read: {reason}", "unreadable")], source) from None


def _as_json(host: Host, note: ProgressNote) -> str:
    """The whole note as the ``json`` format writes it (every item: this is the note itself,
    not a rendering for one audience), or as plain model JSON without that plugin."""
    if "json" in host.formats:
        return host.render(note, "json", audience="review")
    return json.dumps(note.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def run_parse(arguments: argparse.Namespace) -> int:
    from alliance_notes.fillable import parse_filled  # noqa: PLC0415

    host = open_host(arguments.templates)
    source = "<stdin>" if arguments.filled == "-" else arguments.filled
    try:
        filled = parse_filled(_read_filled(arguments.filled), host.note_models, source)
    except NoteValidationError as error:
        if not arguments.json:
            raise
        # For IT and scripts: each problem's line, field path and place in the form.
        report = {"source": source, "valid": False, "problems": [p.as_dict() for p in error.problems]}
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 2
    for notice in filled.notices:
        print(f"alliance-notes: note: {source}: {notice}", file=sys.stderr)
    if arguments.format is None:
        text = _as_json(host, filled.note)
    else:
        with warnings_to_stderr():
            text = host.render(
                filled.note,
                arguments.format,
                arguments.placement,
                arguments.audience,
                **render_options(arguments.option),
            )
    write_output(text, arguments.output)
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``template`` and ``parse``."""
    template = subparsers.add_parser(
        "template",
        help="write a fill-in form (Markdown) for a note kind, blank or prefilled from a note",
        description="Write a fill-in Markdown form: the note's details, its host sections and the "
        "therapeutic-alliance section, with tick boxes for choices and a prompt for each field. "
        "Fill it in with any text editor, then run 'alliance-notes parse'. With --prefill the "
        "form carries an existing note's values (an AI draft, say), and items a tool suggested "
        "are marked as suggestions to confirm.",
    )
    template.add_argument("kind", nargs="?", help="the note kind: soap, dap, birp, girp (or a plugin's)")
    template.add_argument(
        "--prefill", metavar="NOTE", help="fill the form from this note (JSON; - for standard input)"
    )
    template.add_argument(
        "--audience",
        choices=[audience for audience in AUDIENCES if audience != "client"],
        default="record",
        help="with --prefill: the record (default; the items that belong in the medical record), "
        "the private psychotherapy note (its items alone), or review (the whole note, with each "
        "suggestion's rule and confidence: for checking an AI draft). Without --prefill, private "
        "gives a blank psychotherapy note",
    )
    add_output_option(template)
    add_templates_option(template)
    template.set_defaults(run=run_template)

    parse = subparsers.add_parser(
        "parse",
        help="read a filled-in form back into a validated note",
        description="Read a filled-in form and print the validated note as JSON (or in --format). "
        "Blank fields are 'not assessed'. Every problem is listed with its line and field, "
        "never quoting what was written; exit status 2 when there are any.",
    )
    parse.add_argument(
        "filled", metavar="FILLED", help="the filled-in form: a file path, or - for standard input"
    )
    parse.add_argument(
        "-f", "--format", help="an output format instead of JSON (see 'alliance-notes formats')"
    )
    parse.add_argument(
        "--json",
        action="store_true",
        help="when the form has problems, list them as JSON on standard output: each with its "
        "line, its place in the form, and the note's field path (for IT and scripts)",
    )
    add_render_options(parse, when="with --format: ")
    add_output_option(parse)
    add_templates_option(parse)
    parse.set_defaults(run=run_parse)
