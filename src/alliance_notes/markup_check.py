"""The check that HTML or XML made by a clinic's template can run nothing and send nothing.

Escaping keeps the note's text from becoming markup, but a clinic's template writes markup
of its own, and a template is not trusted (see :mod:`alliance_notes.templating`).  Its
output is therefore read back and refused when it holds anything that runs code or
reaches outside the page — which could send the note elsewhere:

* elements that run, embed or submit: ``script``, ``iframe``, ``frame``, ``object``,
  ``embed``, ``applet``, ``base``, ``form``, ``link``, and a ``meta`` refresh;
* event attributes (``onload``, ``onclick`` …);
* any URL but a link within the page (``#…``) in an attribute that holds one (``href``,
  ``src``, ``srcset``, ``action`` …): no ``javascript:``, ``data:`` or external address;
* ``url(…)``, ``@import`` and ``expression(…)`` in styles.

The message names the element or attribute, never its value (which may hold note text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements a clinic's template may not write.
FORBIDDEN_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "link", "portal"}
)
#: Attributes whose value is a URL (or a list of them).
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "srcset",
        "action",
        "formaction",
        "poster",
        "background",
        "cite",
        "data",
        "ping",
        "manifest",
        "longdesc",
        "usemap",
        "codebase",
        "archive",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
        "xlink:href",
        "xml:base",
    }
)
_STYLE_REACH = re.compile(r"url\s*\(|@import|expression\s*\(|image-set\s*\(", re.IGNORECASE)
#: The one kind of URL allowed: a link to a place within the page.
_IN_PAGE = re.compile(r"#[^\s]*")


class UnsafeMarkupError(ValueError):
    """Markup that could run code or reach outside the page; the message names what."""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag.lower(), attrs)
        self._in_style = tag.lower() == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag.lower(), attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _STYLE_REACH.search(data):
            self.found.append("a <style> element loads from outside the page (url(), @import)")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"a <{tag}> element")
        for given, value in attrs:
            name = given.lower()
            text = (value or "").strip()
            if name.startswith("on"):
                self.found.append(f"an event attribute ({name}) on <{tag}>")
            elif name in URL_ATTRIBUTES and text and not _IN_PAGE.fullmatch(text):
                self.found.append(f"a {name} on <{tag}> that is not a link within the page")
            elif name == "style" and _STYLE_REACH.search(text):
                self.found.append(f"a style on <{tag}> that loads from outside the page")
            elif tag == "meta" and name == "http-equiv" and text.lower() == "refresh":
                self.found.append("a <meta> refresh")


def check_markup(markup: str) -> None:
    """Refuse markup that could run code or reach outside the page.

    :raises UnsafeMarkupError: naming the first such element or attribute (never its value).
    """
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    if reader.found:
        raise UnsafeMarkupError(reader.found[0])
