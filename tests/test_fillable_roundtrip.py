"""The prefill round trip, proved over generated notes: note → form → parse → the same note."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_notes.alliance import Alliance
from alliance_notes.fillable import blank_template, parse_filled, prefilled_template
from alliance_notes.note import BUILT_IN_KINDS
from alliance_notes.testing import notes

KINDS = sorted(BUILT_IN_KINDS)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_prefilled_form_reads_back_as_the_same_note(kind: str, data: st.DataObject) -> None:
    note = data.draw(notes([BUILT_IN_KINDS[kind]]), label="note")
    form = prefilled_template(note, audience="review")
    assert parse_filled(form).note == note
    # The same form saved by an editor that writes Windows line endings.
    assert parse_filled(form.replace("\n", "\r\n")).note == note


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_form_with_only_the_required_details_is_a_note_with_nothing_assessed(kind: str) -> None:
    form = blank_template(BUILT_IN_KINDS[kind])
    form = form.replace("client: ", "client: C-1", 1).replace("date: ", "date: 2026-05-01", 1)
    filled = parse_filled(form)
    assert filled.note.alliance == Alliance()
    assert all(filled.note.section_text(section.key) is None for section in filled.note.host_sections)
    assert filled.notices == ()
