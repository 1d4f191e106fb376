"""Markdown output: the note with its alliance section, for wikis, EHRs that take
Markdown, and reading in any editor.

Everything the clinician wrote is escaped so that it reads as text, not Markdown or HTML:
a value can never add a heading, a link, a list or a raw HTML tag to the note.
"""

from __future__ import annotations

import re

from alliance_notes.plugin_api import (
    OutputFormat,
    RegisterFormat,
    RenderRequest,
    escape_document,
    hookimpl,
)

# Characters that start Markdown inline syntax anywhere in a line, and raw HTML.
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# Entity references (&amp; &#60;) would be decoded by a Markdown renderer.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Block syntax that only matters at the start of a line: headings, lists, rules, quotes.
# A marker counts only where CommonMark would read it as block syntax: followed by a space
# or the end of the line, or repeated as a rule or setext underline (---, ===, ##).
_LINE_START = re.compile(r"^([ \t]*)(?:([#+=-])(?=[\s#=-]|$)|(\d+)([.)])(?=\s|$))", re.MULTILINE)
# Anything any of the three might escape (a superset of them): most clinical text has none,
# and one search is cheaper than three substitutions.
_MAYBE_SYNTAX = re.compile(r"[\\`*_\[\]<>|~&]|^[ \t]*(?:[#+=-]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Escape text so that Markdown renders it literally (CommonMark backslash escapes)."""
    if _MAYBE_SYNTAX.search(text) is None:
        return text
    return escape_every_syntax(text)


def escape_every_syntax(text: str) -> str:
    """:func:`escape_markdown` without its shortcut for text with nothing to escape."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return _LINE_START.sub(_escape_line_start, text)


def unescape_markdown(text: str) -> str:
    """Remove CommonMark backslash escapes: what a reader sees of escaped text."""
    return _ESCAPED.sub(r"\1", text)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, delimiter = match.groups()
    if marker is not None:
        return f"{indent}\\{marker}"
    return f"{indent}{number}\\{delimiter}"


def render_markdown(request: RenderRequest) -> str:
    """Render the note as Markdown with the built-in (or a clinic's) templates."""
    document = escape_document(request.document, escape_markdown)
    return request.render_template("markdown", "md", document)


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register the ``markdown`` format."""
    register(
        OutputFormat(
            name="markdown",
            title="Markdown",
            media_type="text/markdown",
            extension=".md",
            render=render_markdown,
            description="The note with headings and lists, all clinical text escaped.",
        )
    )
