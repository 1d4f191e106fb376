"""The subcommands that describe the installation: ``schema``, ``formats``, ``plugins``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from alliance_notes.cli.common import open_host
from alliance_notes.errors import AllianceNotesError


def run_schema(arguments: argparse.Namespace) -> int:
    if arguments.llm is not None:
        if arguments.kind is not None:
            raise AllianceNotesError("--llm gives the schema of the alliance section alone; leave out --kind")
        from alliance_notes.llm import alliance_schema  # noqa: PLC0415  (only this option needs it)

        print(json.dumps(alliance_schema(arguments.llm), indent=2))
        return 0
    from alliance_notes.schema import note_schema  # noqa: PLC0415  (kept out of start-up)

    host = open_host()
    if arguments.kind is not None and arguments.kind not in host.kinds:
        raise AllianceNotesError(
            f"unknown kind '{arguments.kind}'; known kinds: {', '.join(sorted(host.kinds))}"
        )
    print(json.dumps(note_schema(arguments.kind, host.note_models), indent=2))
    return 0


def run_formats(arguments: argparse.Namespace) -> int:
    host = open_host()
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "title": registered.format.title,
            "media_type": registered.format.media_type,
            "extension": registered.format.extension,
            "plugin": registered.plugin,
            "description": registered.format.description,
            "options": dict(registered.format.options),
        }
        for name, registered in sorted(host.formats.items())
    ]
    if arguments.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = {
        column: max((len(row[column]) for row in rows), default=0)
        for column in ("name", "media_type", "extension")
    }
    for row in rows:
        print(
            f"{row['name']:<{width['name']}}  {row['media_type']:<{width['media_type']}}  "
            f"{row['extension']:<{width['extension']}}  {row['title']} (plugin {row['plugin']})"
        )
        for option, meaning in row["options"].items():
            print(f"{'':<{width['name']}}  option {option}: {meaning}")
    return 0


def run_plugins(arguments: argparse.Namespace) -> int:
    from alliance_notes.host import create_host  # noqa: PLC0415  (kept out of start-up)

    host = create_host()  # failures are listed below, not warned about
    rows = [
        {
            "name": status.name,
            "version": status.version,
            "source": status.source,
            "hooks": list(status.hooks),
            "registered": status.registered,
            "status": "loaded" if status.loaded else "failed",
            "error": status.error,
        }
        for status in host.plugins
    ]
    if arguments.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no plugins loaded (check ALLIANCE_NOTES_PLUGINS / ALLIANCE_NOTES_DISABLE_PLUGINS)")
    for row in rows:
        print(f"{row['name']} {row['version'] or ''} [{row['status']}]".replace("  ", " "))
        print(f"  from: {row['source']}")
        if row["hooks"]:
            print(f"  hooks: {', '.join(row['hooks'])}")
        if row["registered"]:
            print(f"  registered: {', '.join(row['registered'])}")
        if row["error"]:
            print(f"  error: {row['error']}")
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``schema``, ``formats`` and ``plugins``."""
    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema (draft 2020-12) of the input note",
        description="Print the JSON Schema of a note, for every kind or one.",
    )
    schema.add_argument("--kind", help="only this note kind (soap, dap, birp, girp, or a plugin's)")
    schema.add_argument(
        "--llm",
        choices=("openai", "anthropic"),
        help="instead, the schema of the alliance section for a language model's strict structured "
        "output (OpenAI response_format / Anthropic strict tool input_schema)",
    )
    schema.set_defaults(run=run_schema)

    formats = subparsers.add_parser("formats", help="list the output formats the loaded plugins provide")
    formats.add_argument("--json", action="store_true", help="print as JSON")
    formats.set_defaults(run=run_formats)

    plugins = subparsers.add_parser(
        "plugins", help="list plugins: name, version, hooks implemented, and failures"
    )
    plugins.add_argument("--json", action="store_true", help="print as JSON")
    plugins.set_defaults(run=run_plugins)
