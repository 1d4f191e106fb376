"""Reading a FHIR Bundle back never ignores an edit: each tampering the issue lists is refused
with the path of every disagreement, through the API and through ``validate --from``, and
an untouched Bundle (every example, audience and placement, generated notes) reads back exactly."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.audiences import PlacementWarning, for_audience
from alliance_notes.errors import NoteValidationError
from alliance_notes.host import Host
from alliance_notes.testing import notes
from alliance_notes.vocabulary import Audience
from alliance_notes_plugins.fhir_readback import VOLATILE
from cli_support import run_cli
from formats_support import PAYLOAD

VERSIONS = ("fhir-r5", "fhir-r4b")
Bundle = dict[str, Any]


def render(
    host: Host, kind: str, example_paths: dict[str, Path], name: str = "fhir-r5", **options: Any
) -> Bundle:
    note = host.load_note(example_paths[kind])
    data: Bundle = json.loads(host.render(note, name, validate="no", **options))
    return data


def index_of(bundle: Bundle, resource_type: str, code: str | None = None) -> int:
    """The entry index of the first resource of this type (and code)."""
    for index, entry in enumerate(bundle["entry"]):
        resource = entry["resource"]
        codes = [coding["code"] for coding in resource.get("code", {}).get("coding", [])]
        if resource["resourceType"] == resource_type and (code is None or code in codes):
            return index
    raise AssertionError(resource_type, code)


def section_path(bundle: Bundle, element_id: str) -> tuple[str, dict[str, Any]]:
    """The path and data of the Composition section with this id (nested sections too)."""

    def walk(sections: list[dict[str, Any]], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, section in enumerate(sections):
            here = f"{path}.section[{index}]"
            yield here, section
            yield from walk(section.get("section", []), here)

    found = dict(
        (section["id"], (path, section))
        for path, section in walk(bundle["entry"][0]["resource"]["section"], "Bundle.entry[0].resource")
    )
    return found[element_id]


def note_of(bundle: Bundle) -> dict[str, Any]:
    binary = bundle["entry"][-1]["resource"]
    data: dict[str, Any] = json.loads(base64.b64decode(binary["data"]))
    return data


def with_note(bundle: Bundle, note: dict[str, Any]) -> None:
    bundle["entry"][-1]["resource"]["data"] = base64.b64encode(json.dumps(note).encode()).decode()


def read_problems(host: Host, bundle: Bundle, name: str = "fhir-r5") -> NoteValidationError:
    with pytest.raises(NoteValidationError) as caught:
        host.read(json.dumps(bundle), name)
    return caught.value


def free_text(value: Any) -> Iterator[str]:
    """The note's longer strings: what an error must never quote."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from free_text(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from free_text(inner)
    elif isinstance(value, str) and len(value) > 15 and " " in value:
        yield value


# -- the edits --------------------------------------------------------------------------------

#: An edit: changes the Bundle in place, returns ``(code, path)`` of a problem it must give.
Edit = Callable[[Bundle], tuple[str, str]]


def correct_a_narrative(bundle: Bundle) -> tuple[str, str]:
    path, trust = section_path(bundle, "alliance-trust")
    trust["text"]["div"] = trust["text"]["div"].replace("</div>", f"<p>{PAYLOAD}</p></div>")
    return "disagrees_with_note", f"{path}.text.div"


def change_a_response_score(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "QuestionnaireResponse")
    answer = bundle["entry"][index]["resource"]["item"][0]["answer"][0]
    key = next(iter(answer))
    answer[key] = 1 if answer[key] != 1 else 2
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.item[0].answer[0].{key}"


def change_a_wai_sr_item(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "wai-sr-total")
    response = bundle["entry"][index - 1]["resource"]
    assert response["resourceType"] == "QuestionnaireResponse"
    answer = response["item"][0]["answer"][0]
    answer["valueInteger"] = 1 if answer["valueInteger"] != 1 else 2
    return "disagrees_with_note", f"Bundle.entry[{index - 1}].resource.item[0].answer[0].valueInteger"


def change_a_total(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "srs-total")
    bundle["entry"][index]["resource"]["valueQuantity"]["value"] = 12.5
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.valueQuantity.value"


def write_a_flag_as_a_number(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "srs-total")
    component = bundle["entry"][index]["resource"]["component"][0]
    component["valueBoolean"] = int(component["valueBoolean"])  # JSON 0/1 is not false/true
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.component[0].valueBoolean"


def reorder_sections(bundle: Bundle) -> tuple[str, str]:
    path, alliance = section_path(bundle, "section-alliance")
    parts = alliance["section"]
    parts[0], parts[1] = parts[1], parts[0]
    return "disagrees_with_note", f"{path}.section"


def withdraw_the_composition(bundle: Bundle) -> tuple[str, str]:
    bundle["entry"][0]["resource"]["status"] = "entered-in-error"
    return "entered_in_error", "Bundle.entry[0].resource.status"


def withdraw_a_measure(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "srs-total")
    bundle["entry"][index]["resource"]["status"] = "entered-in-error"
    return "entered_in_error", f"Bundle.entry[{index}].resource.status"


def remove_the_composition_labels(bundle: Bundle) -> tuple[str, str]:
    bundle["entry"][0]["resource"]["meta"].pop("security")
    return "disagrees_with_note", "Bundle.entry[0].resource.meta.security"


def remove_an_ai_label(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "QuestionnaireResponse")
    meta = bundle["entry"][index]["resource"]["meta"]
    meta["security"] = [label for label in meta["security"] if label["code"] != "AIAST"]
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.meta.security[0]"


def remove_an_inline_label(bundle: Bundle) -> tuple[str, str]:
    path, measures = section_path(bundle, "alliance-measures")
    measures.pop("extension")
    return "disagrees_with_note", f"{path}.extension"


def delete_a_section(bundle: Bundle) -> tuple[str, str]:
    path, alliance = section_path(bundle, "section-alliance")
    alliance["section"] = [part for part in alliance["section"] if part["id"] != "alliance-ruptures"]
    return "disagrees_with_note", f"{path}.section.where(id='alliance-ruptures')"


def delete_a_host_section(bundle: Bundle) -> tuple[str, str]:
    del bundle["entry"][0]["resource"]["section"][0]
    return "disagrees_with_note", "Bundle.entry[0].resource.section.where(id='section-data')"


def dangle_a_reference(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "srs-total")
    bundle["entry"][index]["resource"]["derivedFrom"][0]["reference"] = (
        "urn:uuid:00000000-0000-4000-8000-000000000000"
    )
    return "dangling_reference", f"Bundle.entry[{index}].resource.derivedFrom[0].reference"


def delete_the_patient(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Patient")
    del bundle["entry"][index]
    return "dangling_reference", "Bundle.entry[0].resource.subject"


def change_the_pronouns(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Observation", "90778-2")
    bundle["entry"][index]["resource"]["valueCodeableConcept"]["text"] = "xe/xem"
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.valueCodeableConcept"


def change_the_subject(bundle: Bundle) -> tuple[str, str]:
    index = index_of(bundle, "Patient")
    bundle["entry"][index]["resource"]["identifier"][0]["value"] = "C-9999"
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.identifier[0].value"


def add_a_resource(bundle: Bundle) -> tuple[str, str]:
    patient = bundle["entry"][index_of(bundle, "Patient")]["fullUrl"]
    extra = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Added"},
        "subject": {"reference": patient},
    }
    place = len(bundle["entry"]) - 1  # before the Binary
    bundle["entry"].insert(
        place, {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": extra}
    )
    return "disagrees_with_note", f"Bundle.entry[{place}]"


def edit_the_binary(bundle: Bundle) -> tuple[str, str]:
    note = note_of(bundle)
    srs = note["alliance"]["measures"]["srs"]
    srs["relationship"] = 1.5 if srs["relationship"] != 1.5 else 2.5
    srs.pop("computed", None)
    with_note(bundle, note)
    index = index_of(bundle, "Observation", "srs-total")
    return "disagrees_with_note", f"Bundle.entry[{index}].resource.valueQuantity.value"


def edit_the_binary_session_date(bundle: Bundle) -> tuple[str, str]:
    note = note_of(bundle)
    note["session"]["date"] = "2020-02-02"
    with_note(bundle, note)
    return "disagrees_with_note", "Bundle.entry[0].resource.date"


EDITS: dict[str, tuple[str, Edit]] = {
    "corrected narrative": ("soap", correct_a_narrative),
    "changed QuestionnaireResponse score": ("soap", change_a_response_score),
    "changed WAI-SR item": ("girp", change_a_wai_sr_item),
    "changed Observation total": ("soap", change_a_total),
    "total's flag written as a number": ("soap", write_a_flag_as_a_number),
    "reordered sections": ("soap", reorder_sections),
    "Composition entered-in-error": ("soap", withdraw_the_composition),
    "Observation entered-in-error": ("soap", withdraw_a_measure),
    "removed Composition labels": ("soap", remove_the_composition_labels),
    "removed AIAST label": ("girp", remove_an_ai_label),
    "removed inline label": ("girp", remove_an_inline_label),
    "deleted alliance section": ("soap", delete_a_section),
    "deleted host section": ("dap", delete_a_host_section),
    "dangling reference": ("soap", dangle_a_reference),
    "deleted Patient": ("soap", delete_the_patient),
    "changed pronouns": ("birp", change_the_pronouns),
    "changed subject": ("soap", change_the_subject),
    "added resource": ("soap", add_a_resource),
    "edited Binary score": ("soap", edit_the_binary),
    "edited Binary date": ("girp", edit_the_binary_session_date),
}


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_every_edit_is_refused_naming_where(
    host: Host, example_paths: dict[str, Path], edit: str, name: str
) -> None:
    kind, change = EDITS[edit]
    bundle = render(host, kind, example_paths, name)
    text = list(free_text(note_of(bundle)))
    code, path = change(bundle)
    error = read_problems(host, bundle, name)
    found = [(problem.code, problem.location) for problem in error.problems]
    assert any(found_code == code and location.startswith(path) for found_code, location in found), found
    message = str(error)
    assert PAYLOAD not in message
    assert not [value for value in text if value in message]
    if code == "disagrees_with_note":
        assert error.problems[0].code == "not_self_consistent"
        assert "neither side is taken" in error.problems[0].message


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_validate_from_fhir_no_longer_says_valid(
    host: Host, example_paths: dict[str, Path], tmp_path: Path, edit: str
) -> None:
    kind, change = EDITS[edit]
    bundle = render(host, kind, example_paths)
    _, path = change(bundle)
    target = tmp_path / "bundle.json"
    target.write_text(json.dumps(bundle), encoding="utf-8")
    result = run_cli("validate", "--from", "fhir-r5", str(target))
    assert result.returncode == 2, result.stdout
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{target}: invalid, ")
    assert path in result.stdout
    assert PAYLOAD not in result.stdout + result.stderr


def test_a_bundle_read_as_the_other_version_is_refused(host: Host, example_paths: dict[str, Path]) -> None:
    bundle = render(host, "soap", example_paths, "fhir-r5")
    error = read_problems(host, bundle, "fhir-r4b")
    assert error.problems[0].code == "not_self_consistent"


# -- untouched Bundles read back exactly -------------------------------------------------------


def _read_back_exactly(host: Host, note: Any, name: str, audience: str, placement: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlacementWarning)
        output = host.render(note, name, placement, validate="no", audience=audience)
        view = for_audience(note, Audience(audience))
    assert host.read(output, name) == view


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("audience", ["review", "record", "private"])
@pytest.mark.parametrize("placement", ["section", "inline"])
def test_examples_read_back_in_every_audience_and_placement(
    host: Host, example_paths: dict[str, Path], name: str, audience: str, placement: str
) -> None:
    for path in example_paths.values():
        _read_back_exactly(host, host.load_note(path), name, audience, placement)


@settings(max_examples=20)
@given(
    note=notes(),
    name=st.sampled_from(VERSIONS),
    audience=st.sampled_from(["record", "private"]),
    placement=st.sampled_from(["section", "inline"]),
)
def test_generated_notes_read_back_in_the_record_and_the_private_note(
    host: Host, note: Any, name: str, audience: str, placement: str
) -> None:
    _read_back_exactly(host, note, name, audience, placement)


def test_what_a_server_or_signer_changes_is_not_an_edit(host: Host, example_paths: dict[str, Path]) -> None:
    assert VOLATILE == (
        "Bundle.id",
        "Bundle.timestamp",
        "Bundle.signature",
        "Bundle.meta.versionId",
        "Bundle.meta.lastUpdated",
        "Bundle.meta.source",
        "Provenance.recorded",
    )
    bundle = render(host, "soap", example_paths)
    untouched = host.read(json.dumps(bundle), "fhir-r5")
    bundle["id"] = "stored-1"
    bundle["meta"] = {"versionId": "2", "lastUpdated": "2026-04-01T10:00:00Z"}
    bundle["timestamp"] = "2026-04-01T10:00:00Z"
    bundle["signature"] = {"type": [], "when": "2026-04-01T10:00:00Z", "who": {"display": "A signer"}}
    bundle["entry"][index_of(bundle, "Provenance")]["resource"]["recorded"] = "2026-04-01T10:00:00Z"
    assert host.read(json.dumps(bundle), "fhir-r5") == untouched
