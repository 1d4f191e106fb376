"""HTML output: the note as a standalone web page or print-out, or as a fragment to embed.

* The **document** (default) is a complete HTML5 page: print-friendly, readable on a
  phone, with its styles inline, no external assets and no scripts.  Its content security
  policy (:data:`CONTENT_SECURITY_POLICY`, which forbids them) is added here, by code, so a
  clinic's own page template cannot leave it out.
* The **fragment** (``--option fragment=yes``) is one ``<article>`` for a host page to
  embed: the same markup without the page around it and without styles.

The note's structure uses semantic elements a screen reader can navigate: an ``<article>``
with a ``<header>`` (title and a ``<dl>`` of session facts), a ``<section>`` and ``<h2>``
per host section and the alliance section, a ``<section>`` and ``<h3>`` per alliance part,
lists for items, ``<blockquote>`` with ``<figcaption>`` for quotes.

The templates (``html/note.html.j2``, ``html/note.fragment.html.j2``, a note kind's own
``html/{kind}.fragment.html.j2``) are autoescaped: every value the clinician typed, quotes
and braces included, appears as text and never as markup.
"""

from __future__ import annotations

import re

from alliance_notes.plugin_api import (
    OutputFormat,
    RegisterFormat,
    RenderError,
    RenderRequest,
    hookimpl,
)

_YES_NO = {"yes": True, "no": False}

#: The page's policy: nothing is loaded and nothing runs; only its own inline styles apply.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"
_POLICY = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\s*<!DOCTYPE[^>]*>", re.IGNORECASE)


def with_policy(page: str) -> str:
    """The page with :data:`CONTENT_SECURITY_POLICY` first in its ``<head>`` (or, for a page
    without one, right after its doctype, where a browser puts it in the implied head)."""
    found = _HEAD.search(page) or _DOCTYPE.match(page)
    at = found.end() if found else 0
    return f"{page[:at]}\n{_POLICY}{page[at:]}"


def _fragment(request: RenderRequest) -> bool:
    value = request.options.get("fragment", "no")
    if value not in _YES_NO:
        raise RenderError("format 'html': option fragment must be yes or no")
    return _YES_NO[value]


def render_html(request: RenderRequest) -> str:
    """Render the note as a standalone HTML document, or as a fragment when asked."""
    if _fragment(request):
        return request.render_template("html", "fragment.html")
    return with_policy(request.render_template("html", "html"))


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register the ``html`` format."""
    register(
        OutputFormat(
            name="html",
            title="HTML",
            media_type="text/html",
            extension=".html",
            render=render_html,
            description="A standalone, print-friendly page (or a fragment to embed), every value escaped.",
            options={
                "fragment": "yes: only the <article>, to embed in a host page; no (default): a whole page"
            },
        )
    )
