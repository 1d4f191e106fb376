"""Fill-in forms: a blank or prefilled Markdown form a clinician completes in any text
editor, and the parser that turns the filled form back into a validated note.

>>> from alliance_notes.fillable import blank_template, parse_filled
>>> from alliance_notes.note import SoapNote
>>> form = blank_template(SoapNote)
>>> form.startswith("---")
True

See the README's clinician guide for the workflow, and :mod:`.layout` for the form itself.
"""

from __future__ import annotations

from alliance_notes.fillable.parser import FilledNote, parse_filled
from alliance_notes.fillable.reader import Notice
from alliance_notes.fillable.writer import blank_template, prefilled_template

__all__ = ["FilledNote", "Notice", "blank_template", "parse_filled", "prefilled_template"]
