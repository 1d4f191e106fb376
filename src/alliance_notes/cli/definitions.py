"""The ``fhir-definitions`` subcommand: write the definitions behind the FHIR Bundles."""

from __future__ import annotations

import argparse
from pathlib import Path

from alliance_notes.cli.common import open_host, write_files
from alliance_notes.errors import AllianceNotesError

#: The FHIR versions, as the command line names them, and as the FHIR plugin does.
VERSIONS = {"r5": "R5", "r4b": "R4B"}


def run_fhir_definitions(arguments: argparse.Namespace) -> int:
    host = open_host()
    version = VERSIONS[arguments.fhir_version]
    if f"fhir-{arguments.fhir_version}" not in host.formats:
        raise AllianceNotesError(
            f"the FHIR plugin is not loaded, so there is no fhir-{arguments.fhir_version} format to define; "
            "run 'alliance-notes plugins' to see why"
        )
    # The built-in FHIR plugin defines what its Bundles use; loaded only for this command.
    from alliance_notes_plugins.fhir_definitions import definition_texts  # noqa: PLC0415

    directory = Path(arguments.output)
    if directory.exists() and not directory.is_dir():
        raise AllianceNotesError(f"-o {directory}: exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AllianceNotesError(
            f"-o {directory}: cannot make the directory ({error.strerror or type(error).__name__})"
        ) from None
    texts = definition_texts(host.note_models, version)
    write_files({directory / name: text for name, text in texts.items()})
    for name in texts:
        print(directory / name)
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fhir-definitions``."""
    parser = subparsers.add_parser(
        "fhir-definitions",
        help="write the CodeSystem, Questionnaires and extension definition the FHIR Bundles use",
        description=(
            "Write, as FHIR JSON files in DIR, the definitions behind the fhir-r5 / fhir-r4b "
            "Bundles, at the canonical URLs the Bundles use: the project's CodeSystem (every code "
            "of the note kinds installed), a Questionnaire per measure, and the StructureDefinition "
            "of the canonical-note extension.  Existing files of the same names are replaced."
        ),
    )
    parser.add_argument(
        "--version",
        dest="fhir_version",
        required=True,
        type=str.lower,
        choices=tuple(VERSIONS),
        help="the FHIR version: r5 or r4b",
    )
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="the directory to write into")
    parser.set_defaults(run=run_fhir_definitions)
