"""The FHIR Bundles checked with validators independent of the plugin and of fhir.resources:
the official FHIR JSON Schema of each version, the official narrative schema
(``fhir-xhtml.xsd``) for every narrative of every resource, and FHIR R5's core invariants
(FHIRPath, evaluated by fhirpathpy), over the bundled examples and generated notes, for
every audience and both placements.  Also: the plugin's own XHTML check agrees with the
XSD, and what the Bundles say (displays, statuses, labels, identifiers, times) is what
FHIR and its code systems define."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.examples import examples_dir
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.testing import notes
from alliance_notes_plugins import fhir_bundle
from alliance_notes_plugins.xhtml_check import narrative_problems
from fhir_conformance_support import (
    broken_invariants,
    compiled,
    invariants,
    json_schema_errors,
    unevaluated,
    warned_invariants,
    xhtml_schema_errors,
)
from formats_support import fhir_divs

VERSIONS = {"fhir-r5": "R5", "fhir-r4b": "R4B"}
AUDIENCES = ("record", "review", "private", "client")
PLACEMENTS = ("section", "inline")
ASSEMBLED = "2026-03-10T17:05:00Z"
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'


def example_files() -> list[Path]:
    """Every bundled example note: one per kind, and the unreviewed AI draft."""
    return [*sorted(examples_dir().glob("*_note.json")), examples_dir() / "soap_draft.json"]


def conformance_problems(output: str, version: str, check_invariants: bool = True) -> list[str]:
    """Everything the official schemas and the invariants find wrong with a Bundle."""
    bundle = json.loads(output)
    problems = [f"JSON Schema {problem}" for problem in json_schema_errors(bundle, version)]
    for path, div in fhir_divs(output):
        problems.extend(f"fhir-xhtml.xsd at {path}: {problem}" for problem in xhtml_schema_errors(div))
        problems.extend(f"XHTML check at {path}: {problem}" for problem in narrative_problems(div))
    for resource in [bundle, *(entry["resource"] for entry in bundle["entry"])] if check_invariants else ():
        kind = resource["resourceType"]
        problems.extend(f"{kind}: {found}" for found in broken_invariants(resource, version))
        problems.extend(f"{kind}: {found}" for found in warned_invariants(resource, version))
    return problems


def renders(host: Host, note: Any) -> Iterator[tuple[str, str, str]]:
    """Each Bundle of a note, with what it is: every format, audience and placement."""
    for name, version in VERSIONS.items():
        for audience in AUDIENCES:
            for placement in PLACEMENTS:
                output = host.render(note, name, placement, audience, validate="no", timestamp=ASSEMBLED)
                yield f"{name} {audience} {placement}", version, output


@pytest.mark.parametrize("path", example_files(), ids=lambda path: path.name)
def test_every_example_bundle_meets_the_official_schemas_and_invariants(host: Host, path: Path) -> None:
    note = host.load_note(path)
    for label, version, output in renders(host, note):
        # The invariants, slower to evaluate, on every audience's sections and on the fullest
        # inline Bundle (the review's): the other inline Bundles hold the same resources.
        check_invariants = "section" in label or "review" in label
        assert conformance_problems(output, version, check_invariants) == [], label


# A generated item may have no place recorded: the record leaves it out, with a warning.
@pytest.mark.filterwarnings("ignore::alliance_notes.audiences.PlacementWarning")
@settings(max_examples=15)
@given(notes(), st.sampled_from(sorted(VERSIONS)), st.sampled_from(AUDIENCES), st.sampled_from(PLACEMENTS))
def test_generated_bundles_meet_the_official_schemas_and_invariants(
    host: Host, note: Any, name: str, audience: str, placement: str
) -> None:
    output = host.render(note, name, placement, audience, validate="no", timestamp=ASSEMBLED)
    assert conformance_problems(output, VERSIONS[name]) == []


def test_no_element_is_empty(host: Host) -> None:
    """ele-1 (every element has a value or children), which fhirpathpy cannot evaluate."""

    def empties(data: Any, path: str) -> Iterator[str]:
        if data in ({}, [], "") or data is None:
            yield path
        elif isinstance(data, dict):
            for key, value in data.items():
                yield from empties(value, f"{path}.{key}")
        elif isinstance(data, list):
            for index, value in enumerate(data):
                yield from empties(value, f"{path}[{index}]")

    for path in example_files():
        for label, _, output in renders(host, host.load_note(path)):
            assert list(empties(json.loads(output), "Bundle")) == [], label


def test_the_invariants_fhirpathpy_cannot_evaluate_are_checked_otherwise(host: Host) -> None:
    """bdl-10 (a document has a timestamp) and prov-1 to prov-3 (an agent is not whom it acts
    for) need hasValue() and resolve(), which fhirpathpy does not implement."""
    output = host.render(
        host.load_note(example_files()[-1]), "fhir-r5", audience="review", timestamp=ASSEMBLED
    )
    bundle = json.loads(output)
    assert bundle["timestamp"] == ASSEMBLED
    provenances = [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == "Provenance"
    ]
    assert provenances and all("onBehalfOf" not in agent for p in provenances for agent in p["agent"])


def _every_invariant() -> list[Any]:
    keys = sorted(
        {
            (version, invariant.key)
            for version in VERSIONS.values()
            for group in invariants(version).values()
            for invariant in group
        }
    )
    return [
        pytest.param(
            version, key, marks=pytest.mark.skip(reason=f"{version} {key}: {unevaluated(version)[key]}")
        )
        if key in unevaluated(version)
        else pytest.param(version, key)
        for version, key in keys
    ]


@pytest.mark.parametrize(("version", "key"), _every_invariant())
def test_each_invariant_is_evaluated_by_fhirpathpy(version: str, key: str) -> None:
    """Every invariant not listed as skipped compiles and evaluates to true or false (on a
    bare resource of each type it applies to): none is left out silently."""
    for resource_type, group in invariants(version).items():
        for invariant in group:
            if invariant.key == key:
                resource = {"resourceType": resource_type}
                check = compiled(invariant, version)
                assert check(resource, {"resource": resource, "rootResource": resource}) in ([True], [False])


def test_the_invariants_find_a_broken_bundle() -> None:
    composition = {
        "resourceType": "Composition",
        "text": {"status": "generated", "div": f"<div {XHTML}>x</div>"},
        "section": [{"title": "a", "section": [{"title": "nested, with nothing in it"}]}],
        "extension": [{"url": "https://example.org/x"}],
    }
    broken = broken_invariants(composition)
    assert any(found.startswith("cmp-1 at Composition.repeat(section)") for found in broken)
    assert any(found.startswith("ext-1 at Composition.extension") for found in broken)
    assert warned_invariants({"resourceType": "Patient"}) == [
        "dom-6 at Patient: A resource should have narrative for robust management"
    ]
    assert any(
        found.startswith("bdl-9")
        for found in broken_invariants({"resourceType": "Bundle", "type": "document"})
    )


def test_the_json_schemas_find_a_broken_bundle() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "document",
        "timestamp": "2026-03-10",
        "entry": [{"resource": {"resourceType": "Composition", "status": "final", "unknown": 1}}],
    }
    for version in VERSIONS.values():
        found = " | ".join(json_schema_errors(bundle, version))
        assert "timestamp" in found and "unknown" in found
    # R4B: a non-breaking space is text (the regex dialect FHIR's tooling uses).
    assert json_schema_errors({"resourceType": "Patient", "gender": "other", "id": "a"}, "R4B") == []
    assert json_schema_errors({"resourceType": "Binary", "contentType": "a\u00a0b"}, "R4B") == []


# -- the plugin's XHTML check agrees with fhir-xhtml.xsd ----------------------------------

_INLINE = ("b", "i", "strong", "cite", "span", "em")
_BLOCK = ("p", "blockquote", "ul", "dl", "div")
_TAGS = (*_INLINE, *_BLOCK, "li", "dt", "dd", "br")


@st.composite
def _fragments(draw: st.DrawFn, depth: int = 3) -> str:
    """Small XHTML fragments from the elements the narratives use, valid or not."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "element", "br"] if depth else ["text", "br"]))
        if kind == "text":
            parts.append(draw(st.sampled_from(["x", " ", "a &amp; b"])))
        elif kind == "br":
            parts.append("<br/>")
        else:
            tag = draw(st.sampled_from(_TAGS))
            attributes = draw(st.sampled_from(["", ' lang="en"', ' xml:lang="en"', ' lang="not a tag"']))
            parts.append(f"<{tag}{attributes}>{draw(_fragments(depth - 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=600)
@given(_fragments(), st.sampled_from(["", ' lang="en" xml:lang="en"']))
def test_the_xhtml_check_refuses_what_the_official_schema_refuses(fragment: str, language: str) -> None:
    div = f"<div {XHTML}{language}>t{fragment}</div>"
    assert (narrative_problems(div) == []) == (xhtml_schema_errors(div) == []), div


@pytest.mark.parametrize(
    ("div", "problem"),
    [
        (
            f"<div {XHTML}><blockquote>quoted</blockquote></div>",
            "text may not stand directly inside <blockquote>",
        ),
        (f"<div {XHTML}><blockquote><p>q</p><br/><cite>c</cite></blockquote></div>", "<br> may not stand"),
        (f"<div {XHTML}><p>a<p>b</p></p></div>", "<p> may not stand directly inside <p>"),
        (f"<div {XHTML}><ul>x</ul></div>", "must hold at least one <li>"),
        (f"<div {XHTML}><dl><dd>x</dd><li>y</li></dl></div>", "<li> may not stand directly inside <dl>"),
        (f'<div {XHTML}>x<br lang="en"/></div>', "attribute 'lang' is not allowed on <br>"),
        (f'<div {XHTML} lang="en us">x</div>', "must be a language tag"),
        (f'<div {XHTML}><p id="a">x</p><p id="a">y</p></div>', "repeats an id"),
        (f'<div {XHTML}><img src="x.png"/>x</div>', "needs the attribute 'alt'"),
    ],
)
def test_the_xhtml_check_names_each_schema_violation(div: str, problem: str) -> None:
    assert xhtml_schema_errors(div) != []
    assert any(problem in found for found in narrative_problems(div)), narrative_problems(div)


def test_the_old_quote_markup_fails_both_checks() -> None:
    """How quotes were written before: text, <br/> and <cite> directly in <blockquote>."""
    div = (
        f"<div {XHTML}><ul><li>item<blockquote>the quote<br/><cite>client</cite></blockquote></li></ul></div>"
    )
    assert xhtml_schema_errors(div) != [] and narrative_problems(div) != []


# -- what the Bundles say ---------------------------------------------------------------


def _bundle(
    host: Host, data: dict[str, Any], name: str = "fhir-r5", audience: str = "review"
) -> dict[str, Any]:
    output = host.render(note_from_data(data), name, audience=audience, timestamp=ASSEMBLED)
    return json.loads(output)  # type: ignore[no-any-return]


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == resource_type
    ]


def _sections(composition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in composition.get("section", []):
        yield section
        yield from _sections(section)


def test_loinc_codings_carry_loinc_displays_and_the_note_its_own_headings(
    host: Host, soap_data: dict[str, Any]
) -> None:
    composition = _bundle(host, soap_data)["entry"][0]["resource"]
    codings = {
        section["code"]["coding"][0]["code"]: (
            section["code"]["coding"][0]["display"],
            section["code"]["text"],
        )
        for section in composition["section"]
        if section["code"]["coding"][0]["system"] == "http://loinc.org"
    }
    assert codings == {
        "61150-9": ("Subjective Narrative", "Subjective"),
        "61149-1": ("Objective Narrative", "Objective"),
        "51848-0": ("Evaluation note", "Assessment"),
        "18776-5": ("Plan of care note", "Plan"),
    }


def test_every_narrative_carries_the_note_language(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["session"]["language"] = "es-MX"
    for name in VERSIONS:
        output = host.render(note_from_data(soap_data), name, audience="review", timestamp=ASSEMBLED)
        bundle = json.loads(output)
        divs = fhir_divs(output)
        assert all('lang="es-MX" xml:lang="es-MX"' in div for _, div in divs)
        # Every resource but the Binary (not a DomainResource) has a narrative.
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert ("text" in resource) == (resource["resourceType"] != "Binary"), resource["resourceType"]
    del soap_data["session"]["language"]
    output = host.render(note_from_data(soap_data), "fhir-r5", audience="review", timestamp=ASSEMBLED)
    assert not any("lang=" in div for _, div in fhir_divs(output))  # no language invented


def test_narrative_statuses_say_whether_they_show_more_than_the_elements(
    host: Host, soap_data: dict[str, Any]
) -> None:
    bundle = _bundle(host, soap_data)
    composition = bundle["entry"][0]["resource"]
    assert composition["text"]["status"] == "additional"  # session number, duration, modality …
    statuses = {
        entry["resource"]["resourceType"]: entry["resource"].get("text", {}).get("status")
        for entry in bundle["entry"]
    }
    assert statuses["Patient"] == "extensions"  # it shows the pronouns extension
    assert statuses["Observation"] == statuses["QuestionnaireResponse"] == statuses["Device"] == "generated"


def test_unconfirmed_content_is_never_final(host: Host, soap_with_open_suggestion: dict[str, Any]) -> None:
    measures = soap_with_open_suggestion["alliance"]["measures"]
    measures["srs"]["provenance"] = {"author": "extractor", "suggested_by": "alliance-rules 0.1"}
    for name in VERSIONS:
        bundle = _bundle(host, soap_with_open_suggestion, name)
        assert bundle["entry"][0]["resource"]["status"] == "preliminary"
        by_questionnaire = {
            r["questionnaire"].rsplit("/", 1)[1]: r["status"]
            for r in _resources(bundle, "QuestionnaireResponse")
        }
        assert by_questionnaire["srs"] == "in-progress"
        assert {status for key, status in by_questionnaire.items() if key != "srs"} <= {"completed"}
        totals = {r["code"]["coding"][0]["code"]: r["status"] for r in _resources(bundle, "Observation")}
        assert totals["srs-total"] == "preliminary"


def test_a_clinician_confirmed_note_is_final(host: Host, soap_data: dict[str, Any]) -> None:
    bundle = _bundle(host, soap_data)  # a reviewed AI draft, every suggestion confirmed
    assert bundle["entry"][0]["resource"]["status"] == "final"
    for resource in [*_resources(bundle, "Observation"), *_resources(bundle, "QuestionnaireResponse")]:
        assert resource["status"] in ("final", "completed")


def test_r4b_labels_ai_content_only_with_security_labels(
    host: Host, soap_with_open_suggestion: dict[str, Any]
) -> None:
    bundle = _bundle(host, soap_with_open_suggestion, "fhir-r4b")
    assert all("reason" not in provenance for provenance in _resources(bundle, "Provenance"))
    composition = bundle["entry"][0]["resource"]
    assert composition["confidentiality"] == "R"
    labels = [
        extension["valueCoding"]["code"]
        for section in _sections(composition)
        for extension in section.get("extension", [])
    ]
    assert "AIAST" in labels
    r5 = _bundle(host, soap_with_open_suggestion, "fhir-r5")["entry"][0]["resource"]
    assert "confidentiality" not in r5  # R5 has no such element: meta.security says it


def test_names_and_pronouns_are_trimmed_and_one_device_stays_one(
    host: Host, soap_data: dict[str, Any]
) -> None:
    soap_data["authorship"] = {"written_by": "ai_draft", "drafted_by": "  scribe-llm 2026-03 \n"}
    soap_data["alliance"]["respect"]["pronouns"]["recorded"] = "  they/them  "
    text = json.dumps(soap_data)
    soap_data = json.loads(
        text.replace('"suggested_by": "scribe-llm 2026-03"', '"suggested_by": " scribe-llm 2026-03"')
    )
    for name in VERSIONS:
        bundle = _bundle(host, soap_data, name)
        devices = _resources(bundle, "Device")
        names = [d.get("displayName") or d["deviceName"][0]["name"] for d in devices]
        assert all(device_name == device_name.strip() for device_name in names)
        assert len(names) == len(set(names))
        (pronouns,) = [
            r for r in _resources(bundle, "Observation") if r["code"]["coding"][0]["code"] == "90778-2"
        ]
        assert pronouns["valueCodeableConcept"]["text"] == "they/them"
        assert pronouns["valueCodeableConcept"]["coding"][0]["code"] == "LA29520-6"


def test_identifiers_differ_and_times_are_not_invented(host: Host, soap_data: dict[str, Any]) -> None:
    r5, r4b = _bundle(host, soap_data, "fhir-r5"), _bundle(host, soap_data, "fhir-r4b")
    for bundle in (r5, r4b):
        composition = bundle["entry"][0]["resource"]
        identifier = (
            composition["identifier"][0]
            if isinstance(composition["identifier"], list)
            else composition["identifier"]
        )
        assert identifier["system"] == fhir_bundle.DOCUMENT_SYSTEM
        assert identifier["value"] not in bundle["identifier"]["value"]
        assert bundle["timestamp"] == ASSEMBLED
        dates = [composition["date"]]
        for entry in bundle["entry"]:
            resource = entry["resource"]
            dates += [
                resource[key]
                for key in ("effectiveDateTime", "authored", "occurredDateTime")
                if key in resource
            ]
        assert set(dates) == {"2026-03-10"}  # the session's date, with no time made up
        assert "T00:00:00" not in json.dumps(bundle)
    # The same document in both versions; two Bundles of it.
    assert r5["entry"][0]["resource"]["identifier"][0] == r4b["entry"][0]["resource"]["identifier"]
    assert r5["identifier"] != r4b["identifier"]


def test_without_a_timestamp_the_bundle_is_stamped_when_it_is_assembled(
    host: Host, soap_data: dict[str, Any]
) -> None:
    output = host.render(note_from_data(soap_data), "fhir-r5", audience="review")
    stamp = json.loads(output)["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) and not stamp.startswith(
        "2026-03-10T00:00"
    )


@pytest.mark.parametrize("given_stamp", ["2026-03-10", "2026-03-10T17:05:00", "soon", "2026-02-30T10:00:00Z"])
def test_a_timestamp_that_is_not_an_instant_is_refused(
    host: Host, soap_data: dict[str, Any], given_stamp: str
) -> None:
    from alliance_notes.errors import RenderError

    with pytest.raises(RenderError, match="option timestamp"):
        host.render(note_from_data(soap_data), "fhir-r4b", audience="review", timestamp=given_stamp)
