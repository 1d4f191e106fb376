"""FHIR narratives: the human-readable XHTML of each Composition section.

Every narrative is built here from the format-neutral document
(:func:`alliance_notes.plugin_api.build_document`), so it shows exactly what the other
formats show, with every value escaped as XML text.  Only elements FHIR allows are used
(``div``, ``p``, ``br``, ``b``, ``i``, ``strong``, ``ul``, ``li``, ``blockquote``,
``cite``, ``dl``, ``dt``, ``dd``); :mod:`alliance_notes_plugins.xhtml_check` checks the
result.  Line breaks in clinical text become ``<br/>``.
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

_OPEN = f'<div xmlns="{XHTML_NAMESPACE}">'
_CLOSE = "</div>"

SUGGESTION_MARK = "(suggestion: to confirm)"


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
        f"<blockquote>{lines(quote.text)}<br/><cite>{escape(quote.attribution)}</cite></blockquote>"
        for quote in item.quotes
    )
    if item.children:
        parts.append(_list(item.children))
    parts.append("</li>")
    return "".join(parts)


def _list(items: Iterable[Item]) -> str:
    return "<ul>" + "".join(_item(item) for item in items) + "</ul>"


def text_narrative(text: str) -> str:
    """A narrative of one piece of clinical text (a host section's text)."""
    return f"{_OPEN}<p>{lines(text)}</p>{_CLOSE}"


def status_narrative(status: str) -> str:
    """A narrative saying why a section is empty, e.g. "Not recorded."."""
    return f"{_OPEN}<p><i>{escape(status)}</i></p>{_CLOSE}"


def block_narrative(block: Block) -> str:
    """A narrative of one alliance part: its status, or its items with quotes and notes."""
    body = f"<p><i>{escape(block.status_label)}</i></p>" if block.status_label else ""
    if block.items:
        body += _list(block.items)
    return f"{_OPEN}{body}{_CLOSE}"


def facts_narrative(title: str, facts: Iterable[tuple[str, str]]) -> str:
    """The Composition's own narrative: the note's title and the facts about the session."""
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts)
    listed = f"<dl>{rows}</dl>" if rows else ""  # a definition list may not be empty
    return f"{_OPEN}<p><b>{escape(title)}</b></p>{listed}{_CLOSE}"
