"""The html format: valid HTML5 (checked by the W3C Nu HTML Checker), semantic structure,
every value shown and escaped, the fragment and the standalone page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.errors import RenderError
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.testing import missing_values, notes
from formats_support import (
    BENIGN,
    PAYLOAD,
    html_text,
    inject,
    markup_structure,
    vnu_messages,
    wrap_fragment,
)


def test_generated_and_example_pages_pass_the_w3c_checker(
    host: Host, example_paths: dict[str, Path], tmp_path: Path
) -> None:
    pages: list[str] = []
    for path in example_paths.values():
        note = host.load_note(path)
        for placement in ("section", "inline"):
            pages.append(host.render(note, "html", placement, audience="review"))
            pages.append(
                wrap_fragment(host.render(note, "html", placement, fragment="yes", audience="review"))
            )

    @settings(max_examples=40)
    @given(notes(), st.sampled_from(["section", "inline"]))
    def collect(note: Any, placement: str) -> None:
        pages.append(host.render(note, "html", placement, audience="review"))
        pages.append(wrap_fragment(host.render(note, "html", placement, fragment="yes", audience="review")))

    collect()
    soap = json.loads(example_paths["soap"].read_text(encoding="utf-8"))
    pages.append(host.render(note_from_data(inject(soap)[0]), "html", audience="review"))
    files = []
    for number, page in enumerate(pages):
        file = tmp_path / f"page{number}.html"
        file.write_text(page, encoding="utf-8")
        files.append(file)
    assert vnu_messages(files) == []


def test_the_checker_is_strict_enough_to_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(wrap_fragment("<section><p><b>unclosed</p><li>stray</li></section>"), encoding="utf-8")
    assert any("error" in message for message in vnu_messages([broken]))


@given(notes(), st.sampled_from(["section", "inline"]))
def test_every_value_appears_and_rendering_is_deterministic(host: Host, note: Any, placement: str) -> None:
    page = host.render(note, "html", placement, audience="review")
    fragment = host.render(note, "html", placement, fragment="yes", audience="review")
    assert missing_values(note, page, html_text, audience="review") == []
    assert missing_values(note, fragment, html_text, audience="review") == []
    assert page == host.render(note, "html", placement, audience="review")
    assert fragment.strip() in page  # the page wraps exactly the fragment


def test_injected_text_appears_as_text_never_as_markup(host: Host, soap_data: dict[str, Any]) -> None:
    hostile, fields = inject(soap_data, PAYLOAD)
    harmless, same_fields = inject(soap_data, BENIGN)
    assert fields == same_fields > 50
    for options in ({}, {"fragment": "yes"}):
        hostile_page = host.render(note_from_data(hostile), "html", **options, audience="review")
        harmless_page = host.render(note_from_data(harmless), "html", **options, audience="review")
        assert markup_structure(hostile_page) == markup_structure(harmless_page)
        assert "<script" not in hostile_page and "<img" not in hostile_page
        # Every field shows the payload exactly: nothing evaluated ({{ 6*7 }}) or dropped.
        assert html_text(hostile_page).count(PAYLOAD) == fields
        assert "&lt;script&gt;" in hostile_page and "&#34;" in hostile_page and "&#39;" in hostile_page


def test_the_page_is_standalone_semantic_and_print_friendly(
    host: Host, example_paths: dict[str, Path]
) -> None:
    page = host.render(host.load_note(example_paths["soap"]), "html", audience="review")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "default-src 'none'" in page  # the content security policy forbids scripts and fetches
    assert "@media print" in page
    for external in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
        assert external not in page
    tags = [tag for kind, tag, _ in markup_structure(page) if kind == "start"]
    assert tags.count("article") == 1 and tags.count("header") == 1 and tags.count("main") == 1
    assert tags.count("h1") == 1
    assert tags.count("h2") == 5  # Subjective, Objective, Assessment, Plan, Therapeutic alliance
    assert tags.count("h3") == 10  # one per alliance part
    assert tags.count("section") == 15
    assert "blockquote" in tags and "figcaption" in tags and "dl" in tags


def test_the_fragment_is_one_article_without_page_or_styles(
    host: Host, example_paths: dict[str, Path]
) -> None:
    fragment = host.render(host.load_note(example_paths["dap"]), "html", fragment="yes", audience="review")
    assert fragment.startswith('<article class="alliance-note note-dap" lang="en">')
    assert fragment.rstrip().endswith("</article>")
    for page_only in ("<html", "<head>", "<body", "<style", "<main"):
        assert page_only not in fragment


def test_clinical_text_in_another_language_is_marked(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["session"]["language"] = "es-MX"
    page = host.render(note_from_data(soap_data), "html", audience="review")
    assert '<p class="text" lang="es-MX">' in page and '<blockquote lang="es-MX">' in page
    assert page.count('lang="en"') == 2  # the page and the article: labels are English


def test_line_breaks_in_clinical_text_are_kept(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["plan"] = "First line.\nSecond <line>."
    page = host.render(note_from_data(soap_data), "html", audience="review")
    assert "First line.<br>\nSecond &lt;line&gt;." in page


def test_suggestions_and_private_items_are_marked(
    host: Host, soap_with_open_suggestion: dict[str, Any]
) -> None:
    page = host.render(note_from_data(soap_with_open_suggestion), "html", audience="review")
    assert '<li class="suggestion">' in page and "(suggestion: to confirm)" in page
    assert '<li class="private">' in page


def test_a_bad_fragment_option_is_an_error_naming_it(host: Host, example_paths: dict[str, Path]) -> None:
    with pytest.raises(RenderError, match="option fragment must be yes or no"):
        host.render(host.load_note(example_paths["soap"]), "html", fragment="maybe", audience="review")
