"""The ehr-text format: per-section blocks and a single box, line width, ASCII only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.errors import RenderError
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.testing import missing_values, notes, shown_values
from alliance_notes_plugins.transliterate import to_ascii
from formats_support import PAYLOAD, inject

LAYOUTS = st.sampled_from(["sections", "single-box"])
PLACEMENTS = st.sampled_from(["section", "inline"])


def _squeezed(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=40)
@given(notes(), LAYOUTS, PLACEMENTS)
def test_every_value_appears_and_rendering_is_deterministic(
    host: Host, note: Any, layout: str, placement: str
) -> None:
    output = host.render(note, "ehr-text", placement, layout=layout, audience="review")
    assert missing_values(note, output, audience="review") == []
    assert output == host.render(note, "ehr-text", placement, layout=layout, audience="review")


@settings(max_examples=40)
@given(notes(), LAYOUTS, st.integers(20, 100))
def test_wrapping_keeps_every_word_and_respects_the_width(
    host: Host, note: Any, layout: str, width: int
) -> None:
    unwrapped = host.render(note, "ehr-text", layout=layout, audience="review")
    wrapped = host.render(note, "ehr-text", layout=layout, width=str(width), audience="review")
    # Wrapping only moves line breaks and the spaces around them.
    assert _squeezed(wrapped) == _squeezed(unwrapped)
    for line in wrapped.splitlines():
        if len(line) > width:  # only a word too long to fit, alone after its indent or bullet
            word = line.lstrip(" ").removeprefix("- ")
            assert " " not in word, line


@settings(max_examples=40)
@given(notes(), LAYOUTS, PLACEMENTS)
def test_ascii_output_is_ascii_and_keeps_every_value_transliterated(
    host: Host, note: Any, layout: str, placement: str
) -> None:
    output = host.render(note, "ehr-text", placement, layout=layout, ascii="yes", audience="review")
    assert output.isascii()
    for path, text in shown_values(note):
        for line in text.splitlines():
            assert to_ascii(line).strip() in output, path


def test_sections_layout_has_a_block_per_section(host: Host, example_paths: dict[str, Path]) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "ehr-text", audience="review")
    headings = re.findall(r"^=== (.+) ===$", output, re.MULTILINE)
    assert headings == ["SUBJECTIVE", "OBJECTIVE", "ASSESSMENT", "PLAN", "THERAPEUTIC ALLIANCE"]
    blocks = output.split("\n\n=== ")
    assert len(blocks) == 6  # the session facts, then one block per section
    assert blocks[1].startswith("SUBJECTIVE ===\nClient reported completing three full")


def test_inline_placement_puts_alliance_parts_in_the_host_blocks(
    host: Host, example_paths: dict[str, Path]
) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "ehr-text", "inline", audience="review")
    headings = re.findall(r"^=== (.+) ===$", output, re.MULTILINE)
    assert headings == ["SUBJECTIVE", "OBJECTIVE", "ASSESSMENT", "PLAN"]
    objective = output.split("=== OBJECTIVE ===")[1].split("=== ASSESSMENT ===")[0]
    assert "Alliance — Measures:" in objective and "Session Rating Scale (SRS)" in objective


def test_single_box_has_no_banners_and_no_blank_lines(host: Host, example_paths: dict[str, Path]) -> None:
    output = host.render(
        host.load_note(example_paths["dap"]), "ehr-text", layout="single-box", audience="review"
    )
    assert "===" not in output and "\n\n" not in output
    assert output.startswith("DAP note with therapeutic alliance. Client: ")
    assert re.search(r"^DATA: \S", output, re.MULTILINE)
    assert re.search(r"^THERAPEUTIC ALLIANCE:$", output, re.MULTILINE)


def test_width_wraps_with_hanging_indents(host: Host, example_paths: dict[str, Path]) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "ehr-text", width="60", audience="review")
    assert max(len(line) for line in output.splitlines()) <= 60
    assert "\n- Built trust: Clinician recalled the client's report from\n  session 5" in output


def test_ascii_transliterates_without_losing_meaning() -> None:
    assert to_ascii("“Don’t” – she said — wait… ½ ≥ 3 × 2, café, Straße, Łódź") == (
        '"Don\'t" - she said -- wait... 1/2 >= 3 x 2, cafe, Strasse, Lodz'
    )
    assert to_ascii("non\u00a0breaking\u2009thin") == "non breaking thin"
    assert to_ascii("心 🙂") == "[U+5FC3] [U+1F642]"  # no equivalent: the code point, never nothing
    assert to_ascii("plain ASCII {{ }}") == "plain ASCII {{ }}"


def test_ascii_option_on_a_note_with_typographic_text(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["plan"] = "Client’s “safe place” — revisit next week…"
    output = host.render(note_from_data(soap_data), "ehr-text", ascii="yes", audience="review")
    assert 'Client\'s "safe place" -- revisit next week...' in output
    assert "Item scores 1-12" not in output  # no WAI-SR in this note; labels are transliterated too
    assert output.isascii()


def test_text_is_pasted_exactly_as_written(host: Host, soap_data: dict[str, Any]) -> None:
    hostile, fields = inject(soap_data)
    output = host.render(note_from_data(hostile), "ehr-text", audience="review")
    assert output.count(PAYLOAD) == fields


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("layout", "columns", "option layout must be one of sections, single-box"),
        ("width", "10", "option width must be 0"),
        ("width", "-5", "option width must be 0"),
        ("width", "wide", "option width must be 0"),
        ("width", "²", "option width must be 0"),
        ("ascii", "true", "option ascii must be yes or no"),
    ],
)
def test_bad_options_are_errors_naming_the_option(
    host: Host, example_paths: dict[str, Path], option: str, value: str, message: str
) -> None:
    with pytest.raises(RenderError, match=message):
        host.render(host.load_note(example_paths["soap"]), "ehr-text", **{option: value}, audience="review")
