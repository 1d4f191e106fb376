"""Plain text for pasting into an EHR: one block per note box, or everything in one box.

Many EHRs take a progress note as separate boxes (S, O, A, P); others have one box that
keeps no formatting.  The ``ehr-text`` format serves both, with options:

* ``layout=sections`` (default) — a block per host section, each opening with a clear
  ``=== HEADING ===`` line so it can be copied into its own box; the alliance section is a
  block of its own (or, with ``--placement inline``, its parts sit in the host blocks);
* ``layout=single-box`` — one continuous text for a single box: headings inline
  (``SUBJECTIVE: …``), no banner lines and no blank lines, readable even where the box
  collapses whitespace;
* ``width=N`` — wrap lines at N characters (at least 20) with hanging indents; the
  default, ``0``, leaves wrapping to the EHR's box, because hard line breaks pasted into
  a box of another width look broken.  Words are never split, so a word longer than the
  line stays whole; width counts characters, not display columns;
* ``ascii=yes`` — ASCII only, for systems that mangle Unicode: quotes and dashes become
  their plain forms, accents are dropped, and a character with no ASCII equivalent is
  written as ``[U+XXXX]`` (see :mod:`alliance_notes_plugins.transliterate`).

Clinical text is written as the clinician wrote it (no escaping: a text box has no
markup), and nothing is dropped: quotes, provenance and notes on each item are kept.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from alliance_notes.plugin_api import (
    Block,
    Item,
    NoteDocument,
    OutputFormat,
    RegisterFormat,
    RenderError,
    RenderRequest,
    Section,
    escape_document,
    hookimpl,
)
from alliance_notes_plugins.transliterate import to_ascii

#: The two layouts.
LAYOUTS = ("sections", "single-box")
#: Narrower than this, hanging indents leave no room for text.
MINIMUM_WIDTH = 20

SUGGESTION_MARK = "[suggestion: to confirm]"


@dataclass(frozen=True)
class PasteOptions:
    """How to lay out the text.  ``width`` 0 means no hard wrapping."""

    layout: str = "sections"
    width: int = 0
    ascii: bool = False

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> PasteOptions:
        """Read the format's options, or raise :class:`RenderError` naming the bad one."""
        layout = options.get("layout", "sections")
        if layout not in LAYOUTS:
            raise RenderError(f"format 'ehr-text': option layout must be one of {', '.join(LAYOUTS)}")
        width_text = options.get("width", "0")
        if not (width_text.isascii() and width_text.isdigit()) or 0 < int(width_text) < MINIMUM_WIDTH:
            raise RenderError(
                f"format 'ehr-text': option width must be 0 (no wrapping) or a whole number "
                f"from {MINIMUM_WIDTH}"
            )
        ascii_text = options.get("ascii", "no")
        if ascii_text not in ("yes", "no"):
            raise RenderError("format 'ehr-text': option ascii must be yes or no")
        return cls(layout, int(width_text), ascii_text == "yes")


class _Lines:
    """Output lines, with wrapping and hanging indents applied as they are added."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []

    def add(self, text: str, first: str = "", rest: str | None = None) -> None:
        """Add text whose first line starts with ``first`` and every other with ``rest``."""
        rest = first if rest is None else rest
        for index, line in enumerate(text.split("\n")):
            prefix = first if index == 0 else rest
            if not line.strip():
                self.lines.append("")
            elif self.width == 0:
                self.lines.append((prefix + line).rstrip())
            else:
                self.lines.extend(
                    textwrap.wrap(
                        line,
                        self.width,
                        initial_indent=prefix,
                        subsequent_indent=rest,
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )

    def blank(self) -> None:
        """End a paragraph: one empty line, never two."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def _item(lines: _Lines, item: Item, depth: int) -> None:
    pad = "  " * depth
    hang = pad + "  "
    head = item.label or ""
    if item.text is not None:
        head = f"{head}: {item.text}" if head else item.text
    if item.suggestion:
        head = f"{head} {SUGGESTION_MARK}"
    lines.add(head, f"{pad}- ", hang)
    for note in item.notes:
        lines.add(f"({note})", hang, hang + " ")
    for quote in item.quotes:
        lines.add(f'"{quote.text}" ({quote.attribution})', hang, hang + " ")
    for child in item.children:
        _item(lines, child, depth + 1)


def _block(lines: _Lines, block: Block) -> None:
    lines.add(f"{block.title}: {block.status_label}" if block.status_label else f"{block.title}:")
    for item in block.items:
        _item(lines, item, 0)


def _section_body(lines: _Lines, section: Section, separate_parts: bool) -> None:
    if section.text is not None:
        lines.add(section.text)
    elif not section.blocks:
        lines.add("(not recorded)")
    for block in section.blocks:
        if separate_parts:
            lines.blank()
        _block(lines, block)


def _sections_layout(document: NoteDocument, lines: _Lines) -> None:
    lines.add(document.title.upper())
    for label, value in document.facts:
        lines.add(f"{label}: {value}", "", "  ")
    for section in document.sections:
        lines.blank()
        lines.add(f"=== {section.title.upper()} ===")
        _section_body(lines, section, separate_parts=True)


def _single_box_layout(document: NoteDocument, lines: _Lines) -> None:
    facts = "; ".join(f"{label}: {value}" for label, value in document.facts)
    lines.add(f"{document.title}. {facts}")
    for section in document.sections:
        heading = f"{section.title.upper()}:"
        if section.text is not None:
            lines.add(f"{heading} {section.text}")
        elif not section.blocks:
            lines.add(f"{heading} (not recorded)")
        else:
            lines.add(heading)
        for block in section.blocks:
            _block(lines, block)


def render_ehr_text(request: RenderRequest) -> str:
    """Render the note as text to paste into an EHR, laid out as the options say."""
    options = PasteOptions.from_options(request.options)
    document = request.document
    if options.ascii:
        document = escape_document(document, to_ascii)
    lines = _Lines(options.width)
    if options.layout == "sections":
        _sections_layout(document, lines)
    else:
        _single_box_layout(document, lines)
    return lines.text()


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register the ``ehr-text`` format."""
    register(
        OutputFormat(
            name="ehr-text",
            title="EHR paste text",
            media_type="text/plain",
            extension=".ehr.txt",
            render=render_ehr_text,
            description="Plain text to paste into an EHR: a block per note box, or one box.",
            options={
                "layout": "sections (default): a block per host section; single-box: one continuous text",
                "width": "wrap lines at N characters (N >= 20); 0 (default): no hard wrapping",
                "ascii": "yes: ASCII only, quotes and dashes transliterated; no (default)",
            },
        )
    )
