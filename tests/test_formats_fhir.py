"""The fhir-r5 and fhir-r4b formats: document Bundles that validate with fhir.resources, valid
FHIR XHTML narratives, measures, pronouns, AI transparency, and reading back."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_notes.errors import NoteValidationError, RenderError
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.testing import missing_values, notes
from alliance_notes_plugins import fhir as fhir_plugin
from alliance_notes_plugins.fhir_bundle import pronoun_answer
from alliance_notes_plugins.xhtml_check import narrative_problems
from formats_support import BENIGN, PAYLOAD, fhir_divs, fhir_narrative_text, inject, markup_structure

VERSIONS = {"fhir-r5": "R5", "fhir-r4b": "R4B"}
AIAST = "AIAST"
#: A fixed assembly instant, for renders compared with each other.
ASSEMBLED = "2026-03-10T17:05:00Z"


def validate_with_fhir_resources(output: str, version: str) -> None:
    """Validate with the fhir.resources models of the version, independently of the plugin."""
    if version == "R5":
        from fhir.resources.bundle import Bundle
    else:
        from fhir.resources.R4B.bundle import Bundle  # type: ignore[assignment]
    Bundle.model_validate(json.loads(output))


def resources(output: str, resource_type: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in json.loads(output)["entry"]
        if entry["resource"]["resourceType"] == resource_type
    ]


def by_url(output: str) -> dict[str, dict[str, Any]]:
    return {entry["fullUrl"]: entry["resource"] for entry in json.loads(output)["entry"]}


def composition(output: str) -> dict[str, Any]:
    first: dict[str, Any] = json.loads(output)["entry"][0]["resource"]
    assert first["resourceType"] == "Composition"
    return first


def subsection(output: str, part: str) -> dict[str, Any]:
    for section in composition(output)["section"]:
        for child in section.get("section", []):
            if child["id"] == f"alliance-{part}":
                return child  # type: ignore[no-any-return]
    raise AssertionError(part)


def codes(security: dict[str, Any]) -> list[str]:
    return [label["code"] for label in security.get("meta", {}).get("security", [])]


# -- generated notes and examples -------------------------------------------------------


@given(notes(), st.sampled_from(["section", "inline"]), st.sampled_from(sorted(VERSIONS)))
def test_generated_notes_validate_show_every_value_and_read_back(
    host: Host, note: Any, placement: str, name: str
) -> None:
    output = host.render(note, name, placement, validate="no", audience="review", timestamp=ASSEMBLED)
    validate_with_fhir_resources(output, VERSIONS[name])
    everywhere = fhir_divs(output)
    assert list(fhir_plugin.narratives(json.loads(output))) == everywhere  # the render check saw all
    for path, div in everywhere:
        assert narrative_problems(div) == [], path
    assert missing_values(note, output, fhir_narrative_text, audience="review") == []
    assert host.read(output, name) == note
    assert output == host.render(note, name, placement, validate="no", audience="review", timestamp=ASSEMBLED)


@pytest.mark.parametrize("name", sorted(VERSIONS))
@pytest.mark.parametrize("placement", ["section", "inline"])
def test_examples_validate_in_both_versions_and_read_back(
    host: Host, example_paths: dict[str, Path], name: str, placement: str
) -> None:
    for path in example_paths.values():
        note = host.load_note(path)
        output = host.render(note, name, placement, validate="yes", audience="review")
        validate_with_fhir_resources(output, VERSIONS[name])
        assert missing_values(note, output, fhir_narrative_text, audience="review") == []
        assert host.read(output, name) == note


def test_fhir_resources_rejects_what_the_other_version_needs(
    host: Host, example_paths: dict[str, Path]
) -> None:
    from pydantic import ValidationError

    note = host.load_note(example_paths["soap"])
    with pytest.raises(ValidationError):
        validate_with_fhir_resources(host.render(note, "fhir-r5", audience="review"), "R4B")
    with pytest.raises(ValidationError):
        validate_with_fhir_resources(host.render(note, "fhir-r4b", audience="review"), "R5")


# -- the document -------------------------------------------------------------------


def test_the_bundle_is_a_document_with_the_composition_first(
    host: Host, example_paths: dict[str, Path]
) -> None:
    output = host.render(
        host.load_note(example_paths["soap"]), "fhir-r5", audience="review", timestamp=ASSEMBLED
    )
    bundle = json.loads(output)
    assert bundle["type"] == "document"
    assert bundle["identifier"]["value"].startswith("urn:uuid:")
    assert bundle["timestamp"] == ASSEMBLED  # when it was assembled: no time is invented for the session
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(urls) == len(set(urls)) and all(url.startswith("urn:uuid:") for url in urls)
    document = composition(output)
    assert document["type"] == {
        "coding": [
            {"system": "http://loinc.org", "code": "34904-3", "display": "Mental health Progress note"}
        ],
        "text": "SOAP note",
    }
    # The Bundle and the document it carries are named apart.
    (identifier,) = document["identifier"]
    assert identifier["system"] != bundle["identifier"]["system"]
    assert identifier["value"] not in bundle["identifier"]["value"]
    assert document["status"] == "final"
    assert document["date"] == "2026-03-10"
    assert document["title"] == "SOAP note with therapeutic alliance"
    assert document["subject"][0]["identifier"]["value"] == "C-0412"
    patient = by_url(output)[document["subject"][0]["reference"]]
    assert patient["identifier"] == [document["subject"][0]["identifier"]]
    assert "name" not in patient  # pseudonymous: only the client code
    assert {"value": "clin-07"}.items() <= document["author"][0]["identifier"].items()
    assert document["attester"][0]["party"]["identifier"]["value"] == "clin-07"


def test_host_sections_carry_loinc_codes_and_the_alliance_its_own(
    host: Host, example_paths: dict[str, Path]
) -> None:
    document = composition(host.render(host.load_note(example_paths["soap"]), "fhir-r4b", audience="review"))
    sections = document["section"]
    assert [section["code"]["coding"][0]["code"] for section in sections] == [
        "61150-9",
        "61149-1",
        "51848-0",
        "18776-5",
        "alliance",
    ]
    alliance = sections[-1]
    assert alliance["title"] == "Therapeutic alliance"
    assert (
        alliance["code"]["coding"][0]["system"] == "https://alliance-notes.dev/fhir/CodeSystem/alliance-notes"
    )
    assert [part["code"]["coding"][0]["code"] for part in alliance["section"]] == [
        "summary",
        "trust",
        "respect",
        "boundaries",
        "autonomy-and-consent",
        "ruptures",
        "repairs",
        "measures",
        "client-feedback",
        "plan",
    ]
    assert document["subject"]["identifier"]["value"] == "C-0412"  # R4B: one subject, not a list


def test_host_sections_without_loinc_codes_use_the_project_code_system(
    host: Host, example_paths: dict[str, Path]
) -> None:
    sections = composition(host.render(host.load_note(example_paths["birp"]), "fhir-r5", audience="review"))[
        "section"
    ]
    assert [(section["code"]["coding"][0]["system"].rsplit("/", 1)[-1], section["code"]["coding"][0]["code"])
            for section in sections] == [
        ("alliance-notes", "behavior"),
        ("alliance-notes", "intervention"),
        ("alliance-notes", "response"),
        ("loinc.org", "18776-5"),
        ("alliance-notes", "alliance"),
    ]  # fmt: skip


def test_empty_parts_say_why(host: Host) -> None:
    data = {
        "kind": "dap",
        "session": {"client": "C-1", "date": "2026-01-05"},
        "authorship": {"written_by": "clinician"},
        "alliance": {"rupture_screening": "none_observed", "boundaries": {"status": "assessed"}},
    }
    output = host.render(note_from_data(data), "fhir-r5", audience="review")
    reasons = {
        part: subsection(output, part).get("emptyReason", {}).get("coding", [{}])[0].get("code")
        for part in ("trust", "ruptures", "boundaries", "repairs")
    }
    assert reasons == {
        "trust": "notasked",
        "ruptures": "nilknown",
        "boundaries": "nilknown",
        "repairs": "nilknown",
    }
    # The code system's own display in the coding, the note's wording in the text.
    assert subsection(output, "trust")["emptyReason"]["coding"][0]["display"] == "Not Asked"
    assert subsection(output, "ruptures")["emptyReason"]["coding"][0]["display"] == "Nil Known"
    assert subsection(output, "trust")["emptyReason"]["text"] != "Not Asked"
    data_section = composition(output)["section"][0]
    assert data_section["emptyReason"] == {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                "code": "notasked",
                "display": "Not Asked",
            }
        ],
        "text": "Not recorded",
    }
    assert "Not recorded." in data_section["text"]["div"]


def test_inline_placement_nests_parts_in_their_host_sections(
    host: Host, example_paths: dict[str, Path]
) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "fhir-r5", "inline", audience="review")
    sections = composition(output)["section"]
    assert [section["title"] for section in sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    objective = {part["id"] for part in sections[1]["section"]}
    assert {"alliance-measures", "alliance-boundaries", "alliance-repairs"} <= objective
    assert subsection(output, "measures")["entry"]


# -- measures and pronouns ------------------------------------------------------------


def test_measures_are_questionnaire_responses_with_derived_totals(
    host: Host, soap_data: dict[str, Any]
) -> None:
    soap_data["alliance"]["measures"]["wai_sr"] = {"items": [4, 5, 3, 4, 5, 4, 3, 4, 5, 4, 3, 5]}
    output = host.render(note_from_data(soap_data), "fhir-r5", audience="review")
    everything = by_url(output)
    entries = [reference["reference"] for reference in subsection(output, "measures")["entry"]]
    kinds = [everything[url]["resourceType"] for url in entries]
    assert kinds == ["QuestionnaireResponse", "Observation"] * 3
    totals = {}
    for response_url, total_url in zip(entries[::2], entries[1::2], strict=True):
        response, total = everything[response_url], everything[total_url]
        assert total["derivedFrom"] == [{"reference": response_url}]
        instrument = response["questionnaire"].rsplit("/", 1)[-1]
        totals[instrument] = (total["valueQuantity"]["value"], len(response["item"]))
        assert total["code"]["coding"][0]["code"] == f"{instrument}-total"
    assert totals == {"srs": (36.5, 4), "wai-sr": (49, 12), "ors": (23.5, 4)}
    srs = everything[entries[0]]
    assert srs["item"][0] == {"linkId": "relationship", "answer": [{"valueDecimal": 9.4}]}
    ors_total = everything[entries[5]]
    assert ors_total["component"][0]["valueBoolean"] is True  # below the clinical cutoff


@pytest.mark.parametrize(
    ("band", "below", "named"),
    [(None, False, "adult"), ("adult", False, "adult"), ("adolescent", True, "adolescent")],
)
def test_the_ors_cutoff_is_the_one_for_the_clients_age_band(
    host: Host, soap_data: dict[str, Any], band: str | None, below: bool, named: str
) -> None:
    """An ORS total of 26 is above the adult cutoff (25) and below the adolescent one (28);
    the component says which cutoff it compared with, as the rendered note does."""
    soap_data["alliance"]["measures"]["ors"] = {
        "individually": 6.5,
        "interpersonally": 6.5,
        "socially": 6.5,
        "overall": 6.5,
    }
    if band is not None:
        soap_data["session"]["client_age_band"] = band
    output = json.loads(host.render(note_from_data(soap_data), "fhir-r5", audience="review"))
    (ors,) = [
        entry["resource"]
        for entry in output["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] == "ors-total"
    ]
    (component,) = ors["component"]
    assert component["valueBoolean"] is below
    assert component["code"]["text"].endswith(
        f"below the {named} clinical cutoff of {28 if band == 'adolescent' else 25}"
    )
    assert component["code"]["coding"][0]["display"] == "Outcome Rating Scale total below the cutoff"


@pytest.mark.parametrize(
    ("recorded", "code"),
    [
        ("he/him", "LA29518-0"),
        ("She / Her / Hers", "LA29519-8"),
        ("they/them/theirs", "LA29520-6"),
        ("he/they", None),
        ("xe/xem", None),
        ("he/him, mostly", None),
    ],
)
def test_pronouns_map_to_loinc_answers_only_where_they_apply(recorded: str, code: str | None) -> None:
    answer = pronoun_answer(recorded)
    assert (answer[0] if answer else None) == code


def test_pronouns_are_an_observation_and_a_patient_extension(
    host: Host, example_paths: dict[str, Path]
) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "fhir-r4b", audience="review")
    everything = by_url(output)
    (reference,) = subsection(output, "respect")["entry"]
    observation = everything[reference["reference"]]
    assert observation["code"]["coding"][0]["code"] == "90778-2"
    assert observation["valueCodeableConcept"] == {
        "coding": [{"system": "http://loinc.org", "code": "LA29518-0", "display": "he/him/his/his/himself"}],
        "text": "he/him",
    }
    (patient,) = resources(output, "Patient")
    (extension,) = patient["extension"]
    assert extension["url"] == "http://hl7.org/fhir/StructureDefinition/individual-pronouns"
    assert extension["extension"][0]["valueCodeableConcept"] == observation["valueCodeableConcept"]


def test_unconfirmed_pronoun_suggestions_stay_out_of_demographics(
    host: Host, soap_data: dict[str, Any]
) -> None:
    soap_data["authorship"]["written_by"] = "ai_draft"
    soap_data["alliance"]["respect"]["pronouns"] = {
        "recorded": "xe/xem",
        "provenance": {"author": "language_model", "suggested_by": "scribe-llm 2026-03"},
        "belongs": "progress_note",
    }
    output = host.render(note_from_data(soap_data), "fhir-r5", audience="review")
    (patient,) = resources(output, "Patient")
    assert "extension" not in patient
    pronouns = next(
        r for r in resources(output, "Observation") if r["code"]["coding"][0]["code"] == "90778-2"
    )
    assert pronouns["valueCodeableConcept"] == {"text": "xe/xem"}
    assert codes(pronouns) == [AIAST]


# -- AI transparency and the private record -----------------------------------------------


def test_unconfirmed_suggestions_are_labelled_with_a_provenance_naming_the_extractor(
    host: Host, soap_with_open_suggestion: dict[str, Any]
) -> None:
    output = host.render(note_from_data(soap_with_open_suggestion), "fhir-r4b", audience="review")
    document = composition(output)
    assert "PROCESSINLINELABEL" in codes(document) and AIAST not in codes(document)
    autonomy = subsection(output, "autonomy-and-consent")
    assert {"url": fhir_plugin_inline_label(), "valueCoding": ai_asserted()} in autonomy["extension"]
    assert "(suggestion: to confirm)" in autonomy["text"]["div"]
    assert document["status"] == "preliminary"  # it holds a suggestion no clinician confirmed
    everything = by_url(output)
    provenances = resources(output, "Provenance")
    # Provenance.reason is the purpose of use: an AI's authorship is labelled on what it wrote.
    assert all("reason" not in provenance for provenance in provenances)
    unconfirmed = [
        provenance
        for provenance in provenances
        if [agent["type"]["coding"][0]["code"] for agent in provenance["agent"]] == ["author"]
    ]
    targets = [
        target["extension"][0]["valueUri"]
        for p in unconfirmed
        for target in p["target"]
        if "extension" in target
    ]
    assert "alliance-autonomy-and-consent" in targets
    device = everything[unconfirmed[0]["agent"][0]["who"]["reference"]]
    assert device["deviceName"][0]["name"] in {"alliance-rules 0.1", "scribe-llm 2026-03"}
    trust = subsection(output, "trust")
    assert ai_asserted() not in [label["valueCoding"] for label in trust.get("extension", [])]


def test_confirmed_suggestions_name_the_clinician(host: Host, example_paths: dict[str, Path]) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "fhir-r5", audience="review")
    confirmed = [
        provenance
        for provenance in resources(output, "Provenance")
        if any(agent["type"]["coding"][0]["code"] == "verifier" for agent in provenance["agent"])
    ]
    assert confirmed
    for provenance in confirmed:
        verifier = next(
            agent for agent in provenance["agent"] if agent["type"]["coding"][0]["code"] == "verifier"
        )
        assert verifier["who"]["identifier"]["value"] == "clin-07"
    targets = {target.get("extension", [{}])[0].get("valueUri") for p in confirmed for target in p["target"]}
    assert "alliance-trust" in targets


def test_an_unreviewed_ai_draft_is_preliminary_and_labelled(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["authorship"] = {"written_by": "ai_draft", "drafted_by": "scribe-llm 2026-03"}
    for name in VERSIONS:
        output = host.render(note_from_data(soap_data), name, audience="review")
        document = composition(output)
        assert document["status"] == "preliminary" and AIAST in codes(document)
        assert "attester" not in document
        draft = next(
            p
            for p in resources(output, "Provenance")
            if p["target"][0] == {"reference": json.loads(output)["entry"][0]["fullUrl"]}
        )
        assert [agent["type"]["coding"][0]["code"] for agent in draft["agent"]] == ["author"]
        # Every entry the scribe wrote is unverified, labelled, and named in the draft's Provenance.
        drafted = [*resources(output, "Observation"), *resources(output, "QuestionnaireResponse")]
        assert drafted
        for resource in drafted:
            assert resource["status"] in ("preliminary", "in-progress") and AIAST in codes(resource)
        assert len(draft["target"]) == 1 + len(drafted)


def test_psychotherapy_note_items_are_labelled(host: Host, example_paths: dict[str, Path]) -> None:
    output = host.render(host.load_note(example_paths["soap"]), "fhir-r5", audience="review")
    labels = [label["valueCoding"]["code"] for label in subsection(output, "trust").get("extension", [])]
    assert "PSYTHPN" in labels
    assert "R" in codes(composition(output))


def fhir_plugin_inline_label() -> str:
    return "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label"


def ai_asserted() -> dict[str, str]:
    return {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
        "code": "AIAST",
        "display": "Artificial Intelligence asserted",
    }


# -- narratives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("div", "problem"),
    [
        (
            '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script>text</div>',
            "<script> is not allowed",
        ),
        (
            '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">text</p></div>',
            "'onclick' is not allowed",
        ),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><iframe src="x"/>text</div>', "<iframe> is not allowed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><form>text</form></div>', "<form> is not allowed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><style>p{}</style>text</div>', "<style> is not allowed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><body>text</body></div>', "<body> is not allowed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><a href="javascript:x()">t</a></div>', "unsafe URL"),
        ("<div><p>text</p></div>", "the root must be"),
        ('<p xmlns="http://www.w3.org/1999/xhtml">text</p>', "the root must be"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p> </p>\n</div>', "no text"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p>text</div>', "not well-formed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml">a &nbsp; b</div>', "not well-formed"),
        (
            '<!DOCTYPE div [<!ENTITY x "y">]><div xmlns="http://www.w3.org/1999/xhtml">&x;</div>',
            "document type",
        ),
        (
            '<div xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"/>t</div>',
            "namespace",
        ),
    ],
)
def test_the_narrative_checker_rejects_what_fhir_forbids(div: str, problem: str) -> None:
    assert any(problem in found for found in narrative_problems(div)), narrative_problems(div)


def test_the_narrative_checker_accepts_basic_formatting() -> None:
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><p class="x" style="color:red">A &amp; B'
        '<br/><b>b</b></p><ul><li><i>i</i></li></ul><table><tr><td colspan="2">c</td></tr></table>'
        '<a href="#x" name="y">link</a></div>'
    )
    assert narrative_problems(div) == []


def test_the_render_check_finds_narratives_in_contained_resources_and_nested_sections() -> None:
    div = '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'
    bundle = {
        "entry": [
            {
                "resource": {
                    "resourceType": "Composition",
                    "text": {"div": div},
                    "contained": [{"resourceType": "Device", "text": {"div": div}}],
                    "section": [{"section": [{"text": {"div": "<p>bad</p>"}}]}],
                }
            },
            {"resource": {"resourceType": "Observation", "text": {"div": div}}},
        ]
    }
    assert [path for path, _ in fhir_plugin.narratives(bundle)] == [
        "entry[0].resource.text",
        "entry[0].resource.contained[0].text",
        "entry[0].resource.section[0].section[0].text",
        "entry[1].resource.text",
    ]
    with pytest.raises(RenderError, match=r"at entry\[0\]\.resource\.section\[0\]\.section\[0\]\.text"):
        fhir_plugin.check_narratives(bundle)


def test_a_narrative_problem_stops_the_render(
    host: Host, example_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from alliance_notes_plugins import fhir_narrative

    monkeypatch.setattr(fhir_narrative, "_OPEN", "<div>")
    with pytest.raises(RenderError, match=r"FHIR narrative at entry\[0\]\.resource\.text is not valid XHTML"):
        host.render(host.load_note(example_paths["soap"]), "fhir-r5", audience="review")


def test_injected_text_stays_text_in_every_narrative(host: Host, soap_data: dict[str, Any]) -> None:
    hostile, fields = inject(soap_data)
    harmless, _ = inject(soap_data, BENIGN)
    for name, version in VERSIONS.items():
        output = host.render(note_from_data(hostile), name, audience="review")
        validate_with_fhir_resources(output, version)
        hostile_divs, harmless_divs = (
            fhir_divs(output),
            fhir_divs(host.render(note_from_data(harmless), name, audience="review")),
        )
        assert [markup_structure(div) for _, div in hostile_divs] == [
            markup_structure(div) for _, div in harmless_divs
        ]
        assert all(narrative_problems(div) == [] for _, div in hostile_divs)
        # Every field shows the payload as text in the document (the structured identifiers
        # carry no free text; the other resources' narratives repeat what their elements hold).
        document_text = fhir_narrative_text(json.dumps({"entry": json.loads(output)["entry"][:1]}))
        assert document_text.count(PAYLOAD) == fields
        assert host.read(output, name) == note_from_data(hostile)


# -- reading back ----------------------------------------------------------------------


def _bundle(host: Host, example_paths: dict[str, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        host.render(host.load_note(example_paths["soap"]), "fhir-r5", audience="review")
    )
    return data


def _binary(bundle: dict[str, Any]) -> dict[str, Any]:
    binary: dict[str, Any] = bundle["entry"][-1]["resource"]
    assert binary["resourceType"] == "Binary"
    return binary


@pytest.mark.parametrize(
    ("spoil", "location"),
    [
        (lambda bundle: bundle.update(resourceType="Patient"), "resourceType"),
        (lambda bundle: bundle.update(type="collection"), "type"),
        (lambda bundle: bundle["entry"].reverse(), "entry[0].resource"),
        (lambda bundle: bundle["entry"][0]["resource"].pop("extension"), "entry[0].resource.extension"),
        (lambda bundle: bundle["entry"].pop(), "entry"),
        (lambda bundle: _binary(bundle).update(data="not base64!"), ".data"),
        (lambda bundle: bundle["entry"][0]["resource"].update(date="2026-03-11"), "entry[0].resource.date"),
        (
            lambda bundle: bundle["entry"][0]["resource"]["subject"][0]["identifier"].update(value="C-9"),
            "entry[0].resource.subject[0].identifier.value",
        ),
    ],
)
def test_a_bundle_that_is_not_ours_or_was_edited_is_reported(
    host: Host, example_paths: dict[str, Path], spoil: Any, location: str
) -> None:
    bundle = _bundle(host, example_paths)
    spoil(bundle)
    with pytest.raises(NoteValidationError) as caught:
        host.read(json.dumps(bundle), "fhir-r5")
    assert any(problem.location.endswith(location) for problem in caught.value.problems)


def test_an_invalid_embedded_note_is_reported_by_field_without_its_text(
    host: Host, example_paths: dict[str, Path]
) -> None:
    bundle = _bundle(host, example_paths)
    note = json.loads(base64.b64decode(_binary(bundle)["data"]))
    note["alliance"]["summary"]["text"] = PAYLOAD
    note["alliance"]["ruptures"][0]["significance"] = 9
    _binary(bundle)["data"] = base64.b64encode(json.dumps(note).encode()).decode()
    with pytest.raises(NoteValidationError) as caught:
        host.read(json.dumps(bundle), "fhir-r4b")
    assert caught.value.problems[0].location == "alliance.ruptures[0].significance"
    assert PAYLOAD not in str(caught.value)


# -- options and the optional dependency ---------------------------------------------------


def test_validate_option(host: Host, example_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    note = host.load_note(example_paths["dap"])
    assert host.render(note, "fhir-r5", validate="no", audience="review", timestamp=ASSEMBLED) == host.render(
        note, "fhir-r5", validate="yes", audience="review", timestamp=ASSEMBLED
    )
    with pytest.raises(RenderError, match="option validate must be one of auto, yes, no"):
        host.render(note, "fhir-r5", validate="sometimes", audience="review")
    monkeypatch.setattr(fhir_plugin, "fhir_resources_installed", lambda: False)
    assert host.render(note, "fhir-r5", audience="review", timestamp=ASSEMBLED) == host.render(
        note, "fhir-r5", validate="no", audience="review", timestamp=ASSEMBLED
    )
    with pytest.raises(RenderError, match=r"validate=yes needs the fhir.resources package"):
        host.render(note, "fhir-r5", validate="yes", audience="review")


def test_a_bundle_fhir_resources_rejects_is_a_render_error_without_clinical_text(
    host: Host, example_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from alliance_notes_plugins import fhir_bundle

    monkeypatch.setattr(fhir_bundle, "PROGRESS_NOTE", ("11506-3", 42))  # display must be a string
    with pytest.raises(RenderError, match=r"Bundle does not validate: entry\.0\.resource\.type") as caught:
        host.render(host.load_note(example_paths["soap"]), "fhir-r5", audience="review")
    assert "diesel" not in str(caught.value)


def test_fhir_resources_is_imported_only_when_a_bundle_is_validated() -> None:
    code = (
        "import sys; from alliance_notes import create_host; host = create_host(); "
        "import alliance_notes_plugins.fhir; assert 'fhir.resources' not in sys.modules, 'imported early'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_bundle_read_as_note_json_says_how_to_read_it(host: Host, example_paths: dict[str, Path]) -> None:
    bundle = host.render(host.load_note(example_paths["soap"]), "fhir-r5", validate="no", audience="review")
    with pytest.raises(NoteValidationError, match=r"kind: is required.*this is a FHIR resource") as caught:
        host.read_note(bundle)
    assert "C-0412" not in str(caught.value)
    assert sorted(host.readable_formats) == ["fhir-r4b", "fhir-r5", "json"]
