"""``python -m alliance_notes`` runs the command line."""

import sys

from alliance_notes.cli import main

sys.exit(main())
