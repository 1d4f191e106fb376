"""An item model the form does not know — a clinic's own, in its own note kind — is
written and read by a shape read off the model: its fields labelled as their
``Described`` markers say, each read by its type.  The form round-trips it, and a problem
in it is named in the labels the clinician sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Literal

import pytest
from pydantic import Field

from alliance_notes import create_host
from alliance_notes.alliance import Alliance, Boundaries
from alliance_notes.errors import NoteValidationError
from alliance_notes.evidence import Observation
from alliance_notes.fields import Text
from alliance_notes.fillable import blank_template, parse_filled, prefilled_template
from alliance_notes.fillable.layout import item_shape
from alliance_notes.hookspecs import hookimpl
from alliance_notes.host import Host
from alliance_notes.note import ProgressNote, SoapNote
from alliance_notes.outline import Described, Part
from alliance_notes.vocabulary import BondAspect, InitiatedBy


class GiftOffered(Observation):
    """A gift offered in a session (a clinic's own item)."""

    what: Annotated[Text, Described("What was offered")]
    offered_by: Annotated[InitiatedBy, Described("Offered by")]
    accepted: Annotated[bool | None, Described("Accepted")] = None
    touched: Annotated[list[BondAspect], Described("Touched")] = Field(default_factory=list)
    value_guess: float | None = None


class ClinicBoundaries(Boundaries):
    """Boundaries, with the gifts a clinic records."""

    gifts: Annotated[
        list[GiftOffered], Described("Gifts offered", prompt="any gift offered, and what you did.")
    ] = Field(default_factory=list)


class GiftAlliance(Alliance):
    """The alliance section with the clinic's boundaries part."""

    boundaries: Annotated[ClinicBoundaries, Part("Boundaries")] = Field(default_factory=ClinicBoundaries)


class GiftSoapNote(SoapNote):
    """A clinic's SOAP note kind that records gifts."""

    kind: Literal["gift-soap"] = "gift-soap"  # type: ignore[assignment]
    alliance: GiftAlliance = Field(default_factory=GiftAlliance)


class _Kinds:
    @hookimpl
    def alliance_register_note_kinds(self, register: Callable[[type[ProgressNote]], None]) -> None:
        register(GiftSoapNote)


@pytest.fixture(scope="module")
def host() -> Host:
    return create_host(environ={}, plugins=[("gift-kinds", _Kinds())])


def _note(host: Host) -> ProgressNote:
    gift = {
        "what": "A hand-made card",
        "offered_by": "client",
        "accepted": True,
        "touched": ["trust", "respect"],
        "value_guess": 2.5,
        "belongs": "progress_note",
    }
    return host.read_note(
        json.dumps(
            {
                "kind": "gift-soap",
                "session": {"client": "C-0412", "date": "2026-03-10"},
                "authorship": {"written_by": "clinician"},
                "alliance": {"boundaries": {"status": "assessed", "gifts": [gift]}},
            }
        )
    )


def test_the_shape_is_read_off_the_model() -> None:
    shape = item_shape(GiftOffered)
    assert [(slot.key, slot.label, slot.kind) for slot in shape.slots] == [
        ("what", "What was offered", "text"),
        ("offered_by", "Offered by", "choice"),
        ("accepted", "Accepted", "yes_no"),
        ("touched", "Touched", "choices"),
        ("value_guess", "Value guess", "number"),
    ]
    assert shape.primary == "what" and shape.label_primary


def test_a_blank_form_offers_the_clinics_item(host: Host) -> None:
    form = blank_template(GiftSoapNote)
    assert "**Gifts offered** — any gift offered, and what you did." in form
    assert "- What was offered:" in form
    assert "  - Offered by: [ ] client · [ ] clinician · [ ] other participant" in form
    assert "  - Accepted: [ ] yes · [ ] no" in form


def test_the_clinics_item_round_trips_through_the_form(host: Host) -> None:
    note = _note(host)
    form = prefilled_template(note, audience="review")
    assert "- What was offered: A hand-made card" in form
    assert parse_filled(form, host.note_models).note == note


def test_a_problem_in_the_clinics_item_is_named_in_its_labels(host: Host) -> None:
    form = prefilled_template(_note(host), audience="review").replace(
        "  - Offered by: [x] client", "  - Offered by: [ ] client"
    )
    with pytest.raises(NoteValidationError) as raised:
        parse_filled(form, host.note_models)
    (problem,) = raised.value.problems
    assert str(problem).endswith("Boundaries › Gifts offered › 1st entry › Offered by: is required: tick one")
    assert problem.location == "alliance.boundaries.gifts[0].offered_by"


def test_a_field_the_form_cannot_write_is_named() -> None:
    class Odd(Observation):
        when: dict[str, int]

    with pytest.raises(TypeError, match=r"the form cannot write the field .when. of type"):
        item_shape(Odd)
