"""The ``extract`` subcommand: suggested alliance findings from a session transcript.

``alliance-notes extract session.vtt`` prints the suggested alliance section as JSON;
with ``--note draft.json`` it prints the draft extended with the suggestions (every quote
checked against the transcript).  Also the transcript reading shared with ``validate
--transcript``: warnings about the transcript go to standard error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from alliance_notes.cli.common import (
    add_output_option,
    open_host,
    read_input_note,
    warnings_to_stderr,
    write_output,
)
from alliance_notes.errors import AllianceNotesError

if TYPE_CHECKING:
    from alliance_notes.transcript import Transcript

#: The transcript formats (the keys of ``alliance_notes.transcripts.FORMATS``), named here so
#: that building the parser does not import the readers.
TRANSCRIPT_FORMATS = ("json", "srt", "text", "webvtt")


def speaker_map(values: Sequence[str] | None) -> dict[str, str]:
    """``--speaker LABEL=ROLE`` options as a speaker map."""
    speakers: dict[str, str] = {}
    for value in values or []:
        label, equals, role = value.rpartition("=")
        if not equals or not label.strip() or not role.strip():
            raise AllianceNotesError("--speaker must look like LABEL=ROLE, e.g. SPEAKER_00=clinician")
        speakers[label.strip()] = role.strip()
    return speakers


def read_transcript_argument(arguments: argparse.Namespace) -> Transcript:
    """The transcript named on the command line, read with ``--transcript-format`` and
    ``--speaker``; its warnings are printed on standard error."""
    from alliance_notes.transcripts import load_transcript  # noqa: PLC0415  (kept out of start-up)

    with warnings_to_stderr():
        return load_transcript(
            arguments.transcript, format=arguments.transcript_format, speakers=speaker_map(arguments.speaker)
        )


def add_transcript_options(parser: argparse.ArgumentParser) -> None:
    """``--transcript-format`` and ``--speaker``, for every command that reads a transcript."""
    parser.add_argument(
        "--transcript-format",
        choices=TRANSCRIPT_FORMATS,
        help="the transcript's format (default: from the file extension or the content)",
    )
    parser.add_argument(
        "--speaker",
        action="append",
        metavar="LABEL=ROLE",
        help="the role of a speaker label: clinician, client or other (repeatable); "
        "overrides the roles inferred from the labels",
    )


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def run_extract(arguments: argparse.Namespace) -> int:
    from alliance_notes.pipeline import with_suggestions  # noqa: PLC0415  (kept out of start-up)

    host = open_host()
    transcript = read_transcript_argument(arguments)
    note = read_input_note(host, arguments.note) if arguments.note else None
    with warnings_to_stderr():
        findings = host.suggest(transcript, note)
    if arguments.prefill:
        if note is None:
            raise AllianceNotesError("--prefill needs --note: the form is the draft note, prefilled")
        from alliance_notes.fillable import prefilled_template  # noqa: PLC0415  (only --prefill needs it)

        # The suggestions are for the clinician to check: the form shows them whole.
        form = prefilled_template(with_suggestions(note, findings), host.templates, "review")
        write_output(form, arguments.output)
        return 0
    if note is None:
        write_output(_json(findings.model_dump(mode="json", exclude_none=True)), arguments.output)
        return 0
    extended = with_suggestions(note, findings)
    write_output(_json(extended.model_dump(mode="json", exclude_none=True)), arguments.output)
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``extract``."""
    extract = subparsers.add_parser(
        "extract",
        help="suggest alliance findings from a session transcript",
        description="Suggest alliance findings from a session transcript with the installed "
        "extractors (offline rules by default).  Prints the suggested alliance section as JSON, "
        "or with --note the draft note extended with the suggestions.  Every suggestion quotes "
        "the transcript and is marked unconfirmed.  Exit status 2 for an unreadable transcript "
        "or note.",
    )
    extract.add_argument("transcript", help="the transcript: plain 'Speaker: text', JSON, WebVTT or SRT")
    extract.add_argument("--note", metavar="NOTE", help="a draft note (JSON) to extend; - for standard input")
    extract.add_argument(
        "--prefill",
        action="store_true",
        help="write the extended note as a prefilled fill-in form (Markdown) instead of JSON, with "
        "the suggestions marked for the clinician to confirm (needs --note)",
    )
    add_transcript_options(extract)
    add_output_option(extract)
    extract.set_defaults(run=run_extract)
