"""The alliance section is described once: a field added to a part in one place — a
subclass of the part with a described field, used by a plugin's note kind — appears in
every format, in the fill-in form (which reads it back), in suggestion merging and in the
single answers a program may set."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import Field

from alliance_notes import create_host
from alliance_notes.alliance import Alliance, Respect, single_answers
from alliance_notes.evidence import Finding
from alliance_notes.fillable.parser import parse_filled
from alliance_notes.fillable.writer import blank_template, prefilled_template
from alliance_notes.hookspecs import hookimpl
from alliance_notes.host import Host
from alliance_notes.note import ProgressNote, SoapNote
from alliance_notes.outline import Described, Part, part_outline
from alliance_notes.suggestions import add_suggestions, merge_suggestions
from alliance_notes.testing import missing_values, notes
from formats_support import fhir_narrative_text

HUMOUR = "Laughed together about the broken lift"
SUGGESTED_HUMOUR = "Client joked about the waiting room plant"


class ClinicRespect(Respect):
    """Respect, with one more field a clinic records."""

    shared_humour: Annotated[
        list[Finding],
        Described("Shared humour", prompt="moments of humour you shared, and how they landed."),
    ] = Field(default_factory=list)
    humour_welcomed: Annotated[
        bool | None,
        Described("Humour welcomed by the client", prompt="tick one."),
    ] = None


class ClinicAlliance(Alliance):
    """The alliance section with the clinic's respect part."""

    respect: Annotated[ClinicRespect, Part("Respect")] = Field(default_factory=ClinicRespect)


class ClinicSoapNote(SoapNote):
    """A clinic's SOAP note kind whose alliance section records shared humour."""

    kind: Literal["clinic-soap"] = "clinic-soap"  # type: ignore[assignment]
    alliance: ClinicAlliance = Field(default_factory=ClinicAlliance)


class _ClinicKinds:
    @hookimpl
    def alliance_register_note_kinds(self, register: Callable[[type[ProgressNote]], None]) -> None:
        register(ClinicSoapNote)


@pytest.fixture(scope="module")
def clinic_host() -> Host:
    return create_host(environ={}, plugins=[("clinic-kinds", _ClinicKinds())])


def _note(host: Host, **respect: Any) -> ProgressNote:
    return host.read_note(
        json.dumps(
            {
                "kind": "clinic-soap",
                "session": {"client": "C-0412", "date": "2026-03-10"},
                "authorship": {"written_by": "clinician"},
                "subjective": "Reported a calmer week.",
                "alliance": {"respect": {"shared_humour": [{"text": HUMOUR}], **respect}},
            }
        )
    )


def test_the_new_field_is_in_the_outline_and_the_single_answers() -> None:
    respect = part_outline(ClinicAlliance, "respect")
    assert [field.name for field in respect.fields][-2:] == ["shared_humour", "humour_welcomed"]
    assert "respect.humour_welcomed" in single_answers(ClinicAlliance)
    assert "respect.humour_welcomed" not in single_answers(Alliance)


FORMATS_AS_TEXT: dict[str, Callable[[str], str]] = {
    "markdown": lambda output: output.replace("\\", ""),
    "text": lambda output: output,
    "html": lambda output: output,
    "ehr-text": lambda output: output,
    "json": lambda output: output,
    "fhir-r5": fhir_narrative_text,
    "fhir-r4b": fhir_narrative_text,
}


@pytest.mark.parametrize("format_name", sorted(FORMATS_AS_TEXT))
def test_every_format_shows_the_new_field(clinic_host: Host, format_name: str) -> None:
    note = _note(clinic_host, humour_welcomed=True)
    shown = FORMATS_AS_TEXT[format_name](clinic_host.render(note, format_name, audience="review"))
    assert HUMOUR in shown
    if format_name != "json":
        assert "Shared humour" in shown and "Humour welcomed by the client" in shown


@pytest.mark.parametrize("format_name", ["json", "fhir-r5", "fhir-r4b"])
def test_structured_formats_read_the_new_field_back(clinic_host: Host, format_name: str) -> None:
    note = _note(clinic_host, humour_welcomed=False)
    assert clinic_host.read(clinic_host.render(note, format_name, audience="review"), format_name) == note


def test_the_form_asks_for_the_new_field_and_reads_it_back(clinic_host: Host) -> None:
    assert "**Shared humour** — moments of humour you shared" in blank_template(ClinicSoapNote)
    note = _note(clinic_host, humour_welcomed=True)
    form = prefilled_template(note, audience="review")
    assert HUMOUR in form
    assert parse_filled(form, {"clinic-soap": ClinicSoapNote}).note == note


def test_suggestions_for_the_new_field_are_merged_and_marked(clinic_host: Host) -> None:
    note = _note(clinic_host)
    provenance = {"author": "extractor", "suggested_by": "clinic-rules 1"}
    suggested = ClinicAlliance.model_validate(
        {
            "respect": {
                "shared_humour": [
                    {"text": HUMOUR, "provenance": provenance},
                    {"text": SUGGESTED_HUMOUR, "provenance": provenance},
                ],
                "humour_welcomed": True,
            },
            "set_by": {"respect.humour_welcomed": provenance},
        }
    )
    twice = merge_suggestions([suggested, suggested])
    assert [finding.text for finding in twice.respect.shared_humour] == [HUMOUR, SUGGESTED_HUMOUR]
    merged = add_suggestions(note.alliance, suggested)
    assert isinstance(merged, ClinicAlliance)
    assert [finding.text for finding in merged.respect.shared_humour] == [HUMOUR, SUGGESTED_HUMOUR]
    assert merged.respect.humour_welcomed is True
    assert merged.set_by["respect.humour_welcomed"].suggested_by == "clinic-rules 1"
    extended = note.model_copy(update={"alliance": merged})
    text = clinic_host.render(extended, "text", audience="review")
    assert "Humour welcomed by the client: yes [suggestion: to confirm]" in text
    assert f"Shared humour: {SUGGESTED_HUMOUR} [suggestion: to confirm]" in text


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=notes([ClinicSoapNote]))
def test_generated_notes_of_the_extended_kind_show_and_read_back_every_value(note: ProgressNote) -> None:
    host = create_host(environ={}, plugins=[("clinic-kinds", _ClinicKinds())])
    assert missing_values(note, host.render(note, "text", audience="review"), audience="review") == []
    assert (
        parse_filled(prefilled_template(note, audience="review"), {"clinic-soap": ClinicSoapNote}).note
        == note
    )
