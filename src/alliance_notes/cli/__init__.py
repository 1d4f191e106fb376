"""The ``alliance-notes`` command line.

Every subcommand lives in its own module with an ``add_parser(subparsers)`` function.
Errors a user can cause (bad input, unknown format, bad usage) end with a message and
exit status 2; no traceback reaches the user unless ``ALLIANCE_NOTES_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from alliance_notes import __version__
from alliance_notes.cli import batch, definitions, extract, fillable, info, notes
from alliance_notes.cli.common import EXIT_INVALID
from alliance_notes.errors import AllianceNotesError, NoteValidationError

#: Exit status for a failure that is not the user's (a plugin or a bug).
EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="alliance-notes",
        description=(
            "Add structured therapeutic-alliance sections (trust, respect, boundaries, "
            "consent, rupture and repair) to SOAP, DAP, BIRP and GIRP progress notes."
        ),
        epilog="Run 'alliance-notes COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"alliance-notes {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (notes, info, extract, fillable, definitions, batch):
        module.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.run(arguments)
        return status
    except NoteValidationError as error:
        print(f"alliance-notes: invalid note: {error}", file=sys.stderr)
        return EXIT_INVALID
    except AllianceNotesError as error:
        print(f"alliance-notes: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away before reading everything: not all of the output
        # arrived, so this is not a success (and never turns an invalid note's exit 2 into
        # 0).  Further writes go nowhere, so Python's exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as error:
        if os.environ.get("ALLIANCE_NOTES_DEBUG"):
            raise
        print(
            f"alliance-notes: internal error ({type(error).__name__}); "
            "set ALLIANCE_NOTES_DEBUG=1 for details and please report it",
            file=sys.stderr,
        )
        return EXIT_FAILURE
