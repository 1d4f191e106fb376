"""Audiences: nothing private reaches the record, in any format, and the private note holds
every private item (45 CFR 164.501; domain reference §5).

Every free-text value of a private item carries a unique marker, and every suggestion's rule
id a marker of its own; the record must contain none of either, however encoded (the FHIR
Binary is decoded and searched too), and the psychotherapy note must contain every private
marker."""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from alliance_notes import create_host
from alliance_notes.audiences import PlacementWarning, for_audience, unplaced_items
from alliance_notes.errors import AllianceNotesError, NoteValidationError, RenderError
from alliance_notes.evidence import Observation, Provenance
from alliance_notes.fillable import blank_template, parse_filled, prefilled_template
from alliance_notes.loading import note_from_data
from alliance_notes.note import ProgressNote
from alliance_notes.testing import notes
from alliance_notes.vocabulary import AUDIENCES, Audience, PartStatus
from alliance_notes.walk import instances_in
from readme_support import code_blocks, needs_readme, readme_text, run_command_line

_host = create_host()
FORMATS = ("text", "markdown", "html", "ehr-text", "json", "fhir-r5", "fhir-r4b")
#: Free-text fields of an item: where a clinician's words are.
_WORDS = ("text", "description", "topic", "question", "answer", "recorded", "handling")
_WORDS += ("clinician_contribution", "client_response", "quote")
#: Every suggestion's confidence is set to this, a number nothing else in a note shows.
_CONFIDENCE = 0.314159
_MARKER = re.compile(r"(PRIV|RULE)MARK\d+X|0\.314159")


def _marked(note: ProgressNote) -> tuple[ProgressNote, set[str], set[str]]:
    """The note with a marker in every private item's words and every rule id, and every
    confidence set to :data:`_CONFIDENCE`."""
    private: set[str] = set()
    rules: set[str] = set()

    def mark(value: Any, inside_private: bool) -> Any:
        if isinstance(value, list):
            return [mark(item, inside_private) for item in value]
        if not isinstance(value, dict):
            return value
        # An item nobody placed is private until a clinician places it.
        here = inside_private or ("belongs" in value and value["belongs"] != "progress_note")
        marked = {}
        for key, item in value.items():
            if here and key in _WORDS and isinstance(item, str):
                marker = f"PRIVMARK{len(private)}X"
                private.add(marker)
                marked[key] = marker
            elif key == "rule" and isinstance(item, str):
                marker = f"RULEMARK{len(rules)}X"
                rules.add(marker)
                marked[key] = marker
            elif key == "confidence" and item is not None:
                marked[key] = _CONFIDENCE
            else:
                marked[key] = mark(item, here)
        return marked

    data = note.model_dump(mode="json")
    data["alliance"] = mark(data["alliance"], False)
    return note_from_data(data), private, rules


def _everything_in(output: str, format_name: str) -> str:
    """The output, plus the note a FHIR Bundle carries in its Binary."""
    if not format_name.startswith("fhir"):
        return output
    bundle = json.loads(output)
    binaries = [
        base64.b64decode(entry["resource"]["data"]).decode("utf-8")
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Binary"
    ]
    return "\n".join([output, *binaries])


def _render_outside_the_psychotherapy_note(note: ProgressNote, format_name: str, audience: str) -> str:
    """The record or client rendering, checking that it warns of exactly the unplaced items."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = _host.render(note, format_name, audience=audience)
    placement = [w.message for w in caught if isinstance(w.message, PlacementWarning)]
    assert [warning.fields for warning in placement] == (
        [unplaced_items(note)] if unplaced_items(note) else []
    )
    assert len(placement) == len(caught)
    return output


_settings = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("format_name", FORMATS)
@_settings
@given(note=notes())
def test_the_record_holds_nothing_private_and_no_review_detail(format_name: str, note: ProgressNote) -> None:
    marked, _, _ = _marked(note)
    record = _render_outside_the_psychotherapy_note(marked, format_name, "record")
    assert _MARKER.findall(_everything_in(record, format_name)) == []


@pytest.mark.parametrize("format_name", FORMATS)
@_settings
@given(note=notes())
def test_the_psychotherapy_note_holds_every_private_item(format_name: str, note: ProgressNote) -> None:
    marked, private, _ = _marked(note)
    shown = _everything_in(_host.render(marked, format_name, audience="private"), format_name)
    assert {marker for marker in private if marker not in shown} == set()


@pytest.mark.parametrize("format_name", FORMATS)
@_settings
@given(note=notes())
def test_the_review_shows_every_rule_and_confidence(format_name: str, note: ProgressNote) -> None:
    marked, _, rules = _marked(note)
    shown = _everything_in(_host.render(marked, format_name, audience="review"), format_name)
    assert {rule for rule in rules if rule not in shown} == set()
    confidences = [p for _, p in instances_in(marked.alliance, Provenance) if p.confidence is not None]
    assert not confidences or str(_CONFIDENCE) in shown


@pytest.mark.parametrize("format_name", ["fhir-r5", "fhir-r4b"])
def test_the_private_bundle_and_every_resource_in_it_are_labelled(format_name: str) -> None:
    note = _host.load_note(_example("soap"))
    bundle = json.loads(_host.render(note, format_name, audience="private"))
    resources = [bundle, *(entry["resource"] for entry in bundle["entry"])]
    for resource in resources:
        codes = {label["code"] for label in resource["meta"]["security"]}
        assert {"PSYTHPN", "R"} <= codes, resource["resourceType"]
    record = _host.render(note, format_name)
    assert "PSYTHPN" not in record


@pytest.mark.parametrize("audience", ["record", "private", "review"])
@pytest.mark.parametrize("format_name", ["json", "fhir-r5", "fhir-r4b"])
def test_each_audience_reads_back_as_the_note_it_was_given(format_name: str, audience: str) -> None:
    note = _host.load_note(_example("soap"))
    output = _host.render(note, format_name, audience=audience)
    assert _host.read(output, format_name) == for_audience(note, Audience(audience))


#: What the SOAP example's record says that its client summary must not: the clinician's
#: assessment, scores, 3RS terms, the scribe's name.
_NOT_FOR_THE_CLIENT = ("Anxiety symptoms", "36.5", "23.5", "withdrawal", "rupture", "scribe-llm", "SRS")


@pytest.mark.parametrize("format_name", ["json", "fhir-r5", "fhir-r4b"])
def test_the_client_summary_is_its_own_small_document_and_does_not_read_back(format_name: str) -> None:
    note = _host.load_note(_example("soap"))
    output = _host.render(note, format_name, audience="client", **_validated(format_name))
    everything = _everything_in(output, format_name)
    assert [word for word in _NOT_FOR_THE_CLIENT if word.lower() in everything.lower()] == []
    assert "You chose to wait." in everything
    data = json.loads(output)
    if format_name == "json":
        assert data["document"] == "client-summary" and data["client"] == "C-0412"
        assert [part["title"] for part in data["parts"]] == [
            "Your choices",
            "What you told us helps",
            "What happens next",
        ]
    else:
        kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
        assert kinds == ["Composition", "Patient", "Practitioner"]  # no Binary, no Observation
        assert data["entry"][0]["resource"]["type"]["coding"][0]["code"] == "client-summary"
    with pytest.raises(NoteValidationError, match="is a client summary, not a note"):
        _host.read(output, format_name)


def _validated(format_name: str) -> dict[str, str]:
    """Validate FHIR output with fhir.resources (a real outside validator)."""
    return {"validate": "yes"} if format_name.startswith("fhir") else {}


def test_a_part_whose_items_are_all_private_says_it_is_kept_separately() -> None:
    data = json.loads(_example("dap").read_text(encoding="utf-8"))
    data["alliance"]["summary"]["belongs"] = "psychotherapy_note"
    note = note_from_data(data)
    record = for_audience(note, Audience.RECORD)
    assert record.alliance.summary is None
    assert record.alliance.withheld == ["summary"]
    text = _host.render(note, "text")
    assert f"Summary: {PartStatus.WITHHELD.label}" in text
    bundle = json.loads(_host.render(note, "fhir-r5"))
    reasons = [
        part["emptyReason"]["coding"][0]["code"]
        for section in bundle["entry"][0]["resource"]["section"]
        for part in section.get("section", [])
        if part["id"] == "alliance-summary"
    ]
    assert reasons == ["withheld"]


def _unplaced_soap() -> ProgressNote:
    """The SOAP example with its first trust item's place left out (a marker as its text)."""
    data = json.loads(_example("soap").read_text(encoding="utf-8"))
    item = data["alliance"]["trust"]["built_by"][0]
    del item["belongs"]
    item["text"] = "UNPLACEDMARK"
    item["evidence"] = []
    return note_from_data(data)


@pytest.mark.parametrize("format_name", FORMATS)
def test_an_item_nobody_placed_is_kept_out_of_the_record_and_a_warning_names_its_field(
    format_name: str,
) -> None:
    note = _unplaced_soap()
    assert unplaced_items(note) == ["alliance.trust.built_by[0]"]
    for audience in ("record", "client"):
        with pytest.warns(
            PlacementWarning, match=r"1 item with no place recorded \(alliance\.trust"
        ) as caught:
            output = _host.render(note, format_name, audience=audience)
        assert "UNPLACEDMARK" not in _everything_in(output, format_name)
        assert all("UNPLACEDMARK" not in str(warning.message) for warning in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the psychotherapy note and the review do not warn
        private = _host.render(note, format_name, audience="private")
        review = _host.render(note, format_name, audience="review")
    assert "UNPLACEDMARK" in _everything_in(private, format_name)
    assert "UNPLACEDMARK" in _everything_in(review, format_name)


def test_the_review_says_an_item_was_not_placed_and_the_fhir_bundle_labels_it_private() -> None:
    note = _unplaced_soap()
    review = _host.render(note, "text", audience="review")
    (line,) = [line for line in review.splitlines() if "Place not recorded" in line]
    assert "kept out of the record until a clinician places it" in line
    bundle = json.loads(_host.render(note, "fhir-r5", audience="review"))
    composition = bundle["entry"][0]["resource"]
    trust = [
        part
        for section in composition["section"]
        for part in section.get("section", [])
        if part["id"] == "alliance-trust"
    ]
    assert "PSYTHPN" in {label["valueCoding"]["code"] for label in trust[0]["extension"]}


def test_a_note_check_finds_every_item_nobody_placed_naming_the_field_only() -> None:
    findings = _host.check(_unplaced_soap())
    placement = [finding for finding in findings if finding.check == "placement"]
    assert [(f.severity.value, f.location) for f in placement] == [
        ("warning", "alliance.trust.built_by[0].belongs")
    ]
    assert "UNPLACEDMARK" not in str(placement[0])
    assert [f for f in _host.check(_host.load_note(_example("soap"))) if f.check == "placement"] == []


def test_validate_lists_the_placement_finding(tmp_path: Path) -> None:
    path = tmp_path / "note.json"
    path.write_text(_unplaced_soap().model_dump_json(), encoding="utf-8")
    result = run_command_line(f"alliance-notes validate {path}", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: alliance.trust.built_by[0].belongs: where this item belongs is not recorded" in (
        result.stdout
    )
    assert "UNPLACEDMARK" not in result.stdout + result.stderr


def test_every_bundled_example_places_every_item() -> None:
    from alliance_notes.examples import example_notes

    for kind, path in example_notes().items():
        assert unplaced_items(_host.load_note(path)) == [], kind


@settings(max_examples=50, deadline=None)
@given(note=notes())
def test_the_record_keeps_one_supporting_quote_per_item_the_clients_own_words(note: ProgressNote) -> None:
    record = for_audience(note, Audience.RECORD)
    quoted: list[str] = []
    for _, item in instances_in(record.alliance, Observation):
        assert len(item.evidence) <= 1
        for evidence in item.evidence:
            assert evidence.speaker.value == "client"
            own_words = " ".join(str(value) for value in item.model_dump().values() if isinstance(value, str))
            assert " ".join(evidence.quote.casefold().split()) not in " ".join(own_words.casefold().split())
            quoted.append(" ".join(evidence.quote.casefold().split()))
    assert len(quoted) == len(set(quoted)), "a quote is repeated in the record"


def test_the_records_quotes_and_provenance_are_brief_and_the_reviews_whole() -> None:
    note = _host.load_note(_example("soap"))
    record = _host.render(note, "ehr-text")
    review = _host.render(note, "ehr-text", audience="review")
    assert "(AI-suggested, confirmed by the clinician)" in record
    assert "suggested by alliance-rules" not in record and "utterance " not in record
    assert '"I don\'t know." (client, 00:21:20)' in record
    assert "suggested by alliance-rules 0.1 (extractor), confirmed by the clinician" in review
    assert '"I don\'t know." (client, utterance 42, 00:21:20)' in review
    # The clinician's question is not repeated as a quote under the feedback it asked for.
    assert '"Is there something I can change to support you better?"' in review
    assert '"Is there something I can change to support you better?"' not in record


# -- forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["record", "private", "review"])
@pytest.mark.parametrize("kind", ["soap", "dap", "birp", "girp"])
def test_a_prefilled_form_reads_back_as_that_audiences_note(kind: str, audience: str) -> None:
    note = _host.load_note(_example(kind))
    form = prefilled_template(note, audience=audience)
    assert parse_filled(form, _host.note_models).note == for_audience(note, Audience(audience))


def test_the_record_form_leaves_the_psychotherapy_note_out_and_names_the_parts_kept_there() -> None:
    data = json.loads(_example("dap").read_text(encoding="utf-8"))
    data["alliance"]["summary"]["belongs"] = "psychotherapy_note"
    data["alliance"]["summary"]["text"] = "PRIVMARK1X"
    note = note_from_data(data)
    form = prefilled_template(note)  # the record, by default
    assert "PRIVMARK1X" not in form
    (line,) = [line for line in form.splitlines() if line.startswith("kept in a separate note:")]
    assert line.split("#")[0].strip() == "kept in a separate note: Summary"
    assert parse_filled(form, _host.note_models).note.alliance.withheld == ["summary"]
    wrong = form.replace(line, "kept in a separate note: Sumary")
    with pytest.raises(
        NoteValidationError, match=r"kept in a separate note \(in the details at the top\): must name parts"
    ):
        parse_filled(wrong, _host.note_models)
    private = prefilled_template(note, audience="private")
    assert "PRIVMARK1X" in private
    assert private.splitlines()[private.splitlines().index("---", 1) + 2].startswith("# Psychotherapy note")
    assert "## Data" not in private  # no host section in the psychotherapy note


def test_a_blank_psychotherapy_note_places_each_new_entry_there() -> None:
    form = blank_template(_host.kinds["soap"].model, audience="private")
    assert "## Subjective" not in form
    assert form.count("Belongs in: [ ] progress note · [x] psychotherapy note (private)") == form.count(
        "Belongs in:"
    )
    start = form.index("**Built trust**")
    entry = form.index("\n- \n", start)
    filled = form[:entry] + "\n- My own urgency drove the pace\n" + form[entry + len("\n- \n") :]
    filled = filled.replace("client:  ", "client: C-1  ", 1).replace("date:    ", "date: 2026-03-10", 1)
    filled = filled.replace("[ ] strengthening", "[x] strengthening", 1)
    note = parse_filled(filled, _host.note_models).note
    (item,) = note.alliance.trust.built_by
    assert item.text == "My own urgency drove the pace"
    assert item.belongs is not None and item.belongs.value == "psychotherapy_note"


def test_the_client_summary_is_not_a_form() -> None:
    note = _host.load_note(_example("soap"))
    with pytest.raises(AllianceNotesError, match="the client summary is not a form to fill in"):
        prefilled_template(note, audience="client")


def test_the_command_line_form_is_the_record_unless_asked(tmp_path: Path) -> None:
    example = _example("soap")
    record = run_command_line(f"alliance-notes template --prefill {example}", tmp_path)
    review = run_command_line(f"alliance-notes template --prefill {example} --audience review", tmp_path)
    assert record.returncode == 0 and review.returncode == 0, record.stderr + review.stderr
    assert "countertransference" not in record.stdout.lower()
    assert "countertransference" in review.stdout.lower()
    client = run_command_line(f"alliance-notes template --prefill {example} --audience client", tmp_path)
    assert client.returncode == 2 and "invalid choice: 'client'" in client.stderr


def test_an_unknown_audience_is_an_error_naming_the_choices() -> None:
    with pytest.raises(RenderError, match="audience must be one of: record, private, client, review"):
        _host.render(_host.load_note(_example("soap")), "text", audience="clinic")


def test_the_command_line_choices_are_the_audiences() -> None:
    assert tuple(audience.value for audience in Audience) == AUDIENCES


def _example(kind: str) -> Any:
    from alliance_notes.examples import example_notes

    return example_notes()[kind]


@needs_readme
def test_the_privacy_sections_commands_keep_the_record_and_the_private_note_apart(tmp_path: Path) -> None:
    privacy = readme_text().split("## Privacy", 1)[1].split("\n## ", 1)[0]
    (block,) = code_blocks("console", privacy)
    record_line, private_line = (line.removeprefix("$ ").split("  #")[0] for line in block.splitlines())
    record = run_command_line(record_line, tmp_path)
    private = run_command_line(private_line, tmp_path)
    assert record.returncode == 0 and private.returncode == 0, record.stderr + private.stderr
    assert "countertransference" not in record.stdout.lower()
    assert "=== ASSESSMENT ===" in record.stdout
    assert "countertransference" in private.stdout.lower()
    assert private.stdout.startswith("PSYCHOTHERAPY NOTE: KEPT SEPARATE FROM THE MEDICAL RECORD")


@pytest.mark.parametrize("format_name", ["fhir-r5", "fhir-r4b"])
def test_in_the_review_bundle_private_measures_and_pronouns_are_labelled_and_kept_off_the_patient(
    format_name: str,
) -> None:
    data = json.loads(_example("soap").read_text(encoding="utf-8"))
    data["alliance"]["measures"]["srs"]["belongs"] = "psychotherapy_note"
    data["alliance"]["respect"]["pronouns"] = {"recorded": "they/them", "belongs": "psychotherapy_note"}
    bundle = json.loads(_host.render(note_from_data(data), format_name, audience="review"))
    resources = [entry["resource"] for entry in bundle["entry"]]
    (patient,) = [r for r in resources if r["resourceType"] == "Patient"]
    assert "extension" not in patient
    private = [
        r
        for r in resources
        if r["resourceType"] in ("Observation", "QuestionnaireResponse")
        and "PSYTHPN" in {label["code"] for label in r.get("meta", {}).get("security", [])}
    ]
    assert len(private) >= 2  # the SRS and the pronouns
    for resource in private:
        assert "R" in {label["code"] for label in resource["meta"]["security"]}


# -- the client summary -------------------------------------------------------------------------

#: Words a client summary must not use: 3RS and alliance terms, and a measure's result or
#: cutoff ("36.5 of 40", "below the cutoff").  A topic the clinician named may mention a form
#: the client filled in.
CLINICAL_TERMS = re.compile(
    r"\b(rupture|repair|withdrawal|confrontation|marker|3RS|alliance|countertransference|"
    r"significance|cutoff|\d+(\.\d)? of (20|40|60))\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("kind", ["soap", "dap", "birp", "girp"])
def test_the_client_summary_is_plain_and_easy_to_read(kind: str) -> None:
    textstat = pytest.importorskip("textstat")
    note = _host.load_note(_example(kind))
    summary = _host.render(note, "text", audience="client")
    sentences = [line.strip() for line in summary.splitlines()[4:] if line.startswith("  ")]
    words = CLINICAL_TERMS.findall(" ".join(s for s in sentences if not s.startswith("“")))
    assert words == [], kind
    if sentences:
        assert textstat.flesch_kincaid_grade(" ".join(sentences)) <= 8, kind


@pytest.mark.parametrize("format_name", FORMATS)
@_settings
@given(note=notes())
def test_the_client_summary_holds_nothing_private_and_no_review_detail(
    format_name: str, note: ProgressNote
) -> None:
    marked, _, _ = _marked(note)
    summary = _render_outside_the_psychotherapy_note(marked, format_name, "client")
    assert _MARKER.findall(_everything_in(summary, format_name)) == []


def test_the_client_summary_hands_over_nothing_unconfirmed() -> None:
    note = _host.load_note(_example("girp"))  # an AI draft nobody has reviewed
    summary = _host.render(note, "text", audience="client")
    assert "We checked with you" not in summary and "“" not in summary


@needs_readme
def test_the_readme_shows_the_client_summary_of_the_soap_example(tmp_path: Path) -> None:
    privacy = readme_text().split("## Privacy", 1)[1].split("\n## ", 1)[0]
    (shown,) = code_blocks("text", privacy)
    actual = _host.render(_host.load_note(_example("soap")), "text", audience="client")
    assert shown.strip() == actual.strip()


def test_a_failure_making_a_view_names_the_audience_and_never_the_note_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = json.loads(_example("soap").read_text(encoding="utf-8"))
    data["subjective"] = "SECRETMARKER said something private"
    note = note_from_data(data)

    def broken(note: ProgressNote, audience: Audience) -> ProgressNote:
        return note_from_data({**note.model_dump(mode="json"), "session": {"client": note.subjective}})

    monkeypatch.setattr("alliance_notes.host.for_audience", broken)
    with pytest.raises(RenderError) as caught:
        _host.render(note, "text")
    assert "record view" in str(caught.value)
    assert "SECRETMARKER" not in str(caught.value)
    assert caught.value.__suppress_context__  # the validation error, with the text, is not shown
