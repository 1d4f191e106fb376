"""FHIR narratives: the human-readable XHTML of each resource and Composition section.

Every narrative is built here: a section's from the format-neutral document
(:func:`alliance_notes.plugin_api.build_document`), so it shows exactly what the other
formats show; a resource's from the values its own elements hold.  Every value is escaped
as XML text, and only elements the FHIR XHTML schema allows where they stand are used:
``div``, ``p``, ``br``, ``b``, ``i``, ``strong``, ``ul``, ``li``, ``dl``, ``dt``, ``dd`` and
``blockquote`` holding paragraphs (a quote's lines in one ``<p>``, its ``<cite>`` in
another: a ``blockquote`` holds block elements only).  Line breaks in clinical text become
``<br/>``.  Each ``div`` carries the note's language as ``lang`` and ``xml:lang`` when the
note records one.  :mod:`alliance_notes_plugins.xhtml_check` checks the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from html import escape as _escape

from alliance_notes.plugin_api import Block, Item
from alliance_notes_plugins.xhtml_check import XHTML_NAMESPACE

#: Text as XML character data: ``&``, ``<`` and ``>`` escaped (what ``xml.sax.saxutils.escape``
#: does, without importing ``urllib`` and ``http`` with it).
escape = partial(_escape, quote=False)

_OPEN = f'<div xmlns="{XHTML_NAMESPACE}"'
_CLOSE = "</div>"

SUGGESTION_MARK = "(suggestion: to confirm)"


def div(body: str, language: str | None) -> str:
    """A narrative ``div`` around ``body``, in ``language`` (a BCP 47 tag) when one is known."""
    if language is None:
        return f"{_OPEN}>{body}{_CLOSE}"
    tag = _escape(language, quote=True)
    return f'{_OPEN} lang="{tag}" xml:lang="{tag}">{body}{_CLOSE}'


def lines(text: str) -> str:
    """Clinical text as escaped XHTML, its line breaks kept as ``<br/>``."""
    return "<br/>".join(escape(line) for line in text.splitlines())


def _item(item: Item) -> str:
    parts = ["<li>"]
    if item.label is not None:
        parts.append(f"<b>{escape(item.label)}</b>")
        if item.text is not None:
            parts.append(": ")
    if item.text is not None:
        parts.append(lines(item.text))
    if item.suggestion:
        parts.append(f" <strong>{SUGGESTION_MARK}</strong>")
    parts.extend(f"<br/><i>{lines(note)}</i>" for note in item.notes)
    parts.extend(
        f"<blockquote><p>{lines(quote.text)}</p><p><cite>{escape(quote.attribution)}</cite></p></blockquote>"
        for quote in item.quotes
    )
    if item.children:
        parts.append(_list(item.children))
    parts.append("</li>")
    return "".join(parts)


def _list(items: Iterable[Item]) -> str:
    return "<ul>" + "".join(_item(item) for item in items) + "</ul>"


def text_narrative(text: str, language: str | None) -> str:
    """A narrative of one piece of clinical text (a host section's text)."""
    return div(f"<p>{lines(text)}</p>", language)


def status_narrative(status: str, language: str | None) -> str:
    """A narrative saying why a section is empty, e.g. "Not recorded."."""
    return div(f"<p><i>{escape(status)}</i></p>", language)


def block_narrative(block: Block, language: str | None) -> str:
    """A narrative of one alliance part: its status, or its items with quotes and notes."""
    body = f"<p><i>{escape(block.status_label)}</i></p>" if block.status_label else ""
    if block.items:
        body += _list(block.items)
    return div(body, language)


def facts_narrative(title: str, facts: Iterable[tuple[str, str]], language: str | None) -> str:
    """A title and labelled facts: the Composition's own narrative (the note's title and the
    facts about the session), and each other resource's (what its elements hold)."""
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{lines(value)}</dd>" for label, value in facts)
    listed = f"<dl>{rows}</dl>" if rows else ""  # a definition list may not be empty
    return div(f"<p><b>{escape(title)}</b></p>{listed}", language)
