"""Rendering: every value shown, both placements, escaping, and the per-kind templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_notes.document import build_document
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.note import BUILT_IN_KINDS
from alliance_notes.templating import core_templates_dir
from alliance_notes.testing import missing_values, notes
from alliance_notes_plugins.markdown import escape_markdown, unescape_markdown

READABLE = {"markdown": unescape_markdown, "text": lambda output: output}


@given(notes(), st.sampled_from(["section", "inline"]))
def test_every_value_appears_in_every_core_format(host: Host, note: Any, placement: str) -> None:
    for name, as_text in READABLE.items():
        output = host.render(note, name, placement, audience="review")
        assert missing_values(note, output, as_text, audience="review") == [], name


@given(notes())
def test_rendering_is_deterministic(host: Host, note: Any) -> None:
    for name in READABLE:
        assert host.render(note, name, audience="review") == host.render(note, name, audience="review")


def test_example_notes_show_every_value(host: Host, example_paths: dict[str, Path]) -> None:
    for path in example_paths.values():
        note = host.load_note(path)
        for name, as_text in READABLE.items():
            for placement in ("section", "inline"):
                assert (
                    missing_values(
                        note,
                        host.render(note, name, placement, audience="review"),
                        as_text,
                        audience="review",
                    )
                    == []
                )


def test_not_assessed_and_none_observed_read_differently(host: Host) -> None:
    base = {
        "kind": "dap",
        "session": {"client": "C-1", "date": "2026-01-05"},
        "authorship": {"written_by": "clinician"},
    }
    unassessed = host.render(note_from_data(base), "text", audience="review")
    looked = host.render(
        note_from_data({**base, "alliance": {"rupture_screening": "none_observed"}}),
        "text",
        audience="review",
    )
    assert "Ruptures: not assessed" in unassessed
    assert "Ruptures: assessed, none observed" in looked


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "ehr-text"])
def test_a_repair_with_no_rupture_recorded_says_so(host: Host, fmt: str) -> None:
    """A repair standing alone names no rupture and invents none."""
    note = note_from_data(
        {
            "kind": "dap",
            "session": {"client": "C-1", "date": "2026-01-05"},
            "authorship": {"written_by": "clinician"},
            "alliance": {"repairs": [{"strategies": ["acknowledges_own_contribution"]}]},
        }
    )
    rendered = host.render(note, fmt, audience="review")
    assert "no rupture recorded" in rendered
    assert "of rupture None" not in rendered


def test_section_placement_puts_alliance_after_host_sections(
    host: Host, example_paths: dict[str, Path]
) -> None:
    note = host.load_note(example_paths["soap"])
    output = host.render(note, "markdown", audience="review")
    headings = re.findall(r"^## (.+)$", output, re.MULTILINE)
    assert headings == ["Subjective", "Objective", "Assessment", "Plan", "Therapeutic alliance"]


@pytest.mark.parametrize("kind", sorted(BUILT_IN_KINDS))
def test_inline_placement_distributes_parts_as_the_kind_maps_them(host: Host, kind: str) -> None:
    model = BUILT_IN_KINDS[kind]
    data = {
        "kind": kind,
        "session": {"client": "C-1", "date": "2026-01-05"},
        "authorship": {"written_by": "clinician"},
        "alliance": {
            "summary": {"text": "Alliance steady."},
            "trust": {"state": "steady"},
            "respect": {"status": "assessed"},
            "boundaries": {"ended_on_time": True},
            "autonomy_and_consent": {"pace": {"text": "Slow."}},
            "ruptures": [{"id": "r1", "type": "withdrawal", "significance": 2, "description": "Quiet."}],
            "repairs": [{"rupture": "r1", "outcome": "resolved"}],
            "measures": {"ors": {"individually": 5, "interpersonally": 5, "socially": 5, "overall": 5}},
            "client_feedback": [{"question": "What helps?", "answer": "Going slowly."}],
            "plan": [{"text": "Check in."}],
        },
    }
    document = build_document(note_from_data(data), "inline")
    assert document.section("alliance") is None
    for section in document.sections:
        for block in section.blocks:
            assert model.inline_placement[block.key] == section.key
    placed = {block.key for section in document.sections for block in section.blocks}
    assert placed == set(model.inline_placement)


INJECTION = (
    "# Heading\n- list\n1. one\n<script>alert(1)</script> *bold* _em_ [link](http://x) `code` &amp; | --- ==="
)


def test_markdown_escapes_every_markup_character(host: Host) -> None:
    data = {
        "kind": "soap",
        "session": {"client": "C-1", "date": "2026-01-05"},
        "authorship": {"written_by": "clinician"},
        "subjective": INJECTION,
        "alliance": {"summary": {"text": INJECTION, "evidence": [{"quote": INJECTION, "speaker": "client"}]}},
    }
    output = host.render(note_from_data(data), "markdown", audience="review")
    assert "<script>" not in output
    assert "\n# Heading" not in output and "\\# Heading" in output
    assert "\\<script\\>" in output and "\\*bold\\*" in output and "\\[link\\]" in output
    assert "\\&amp;" in output and "1\\. one" in output
    assert unescape_markdown(escape_markdown(INJECTION)) == INJECTION


@given(st.text())
def test_markdown_escaping_is_reversible(text: str) -> None:
    assert unescape_markdown(escape_markdown(text)) == text


def test_every_built_in_kind_has_its_own_templates() -> None:
    for family, extension in (("markdown", "md"), ("text", "txt")):
        for kind, model in BUILT_IN_KINDS.items():
            template = (core_templates_dir() / family / f"{kind}.{extension}.j2").read_text(encoding="utf-8")
            for section in model.host_sections:
                assert f'document.by_key.get("{section.key}")' in template, (family, kind, section.key)
            assert 'document.by_key.get("alliance")' in template
