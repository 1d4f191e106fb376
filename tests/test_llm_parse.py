"""Reading a model's answer: what models really return, repaired only where it is safe."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.evidence import Observation
from alliance_notes.examples import examples_dir
from alliance_notes.llm import LlmOutputError, parse
from alliance_notes.transcript import Transcript
from alliance_notes.transcripts import load_transcript
from alliance_notes.walk import instances_in

TRANSCRIPT = load_transcript(examples_dir() / "soap_transcript.txt")


def answer(**changes: Any) -> dict[str, Any]:
    """A complete, valid answer for the example session."""
    data: dict[str, Any] = {
        "summary": {"text": "Alliance strengthened after a repaired withdrawal rupture.", "evidence": []},
        "trust": {
            "state": "strengthening",
            "built_by": [
                {
                    "text": "Remembered the client's report about the depot.",
                    "evidence": [
                        {
                            "quote": "Last week you mentioned the smell of diesel at the depot was hard",
                            "speaker": "clinician",
                            "utterance_index": 11,
                        }
                    ],
                }
            ],
            "strained_by": [],
        },
        "respect": {
            "status": "not_assessed",
            "client_voice": [],
            "cultural_identity": [],
            "power_and_trauma_sensitivity": [],
            "pronouns": None,
            "strengths": [],
        },
        "boundaries": {
            "status": "assessed",
            "ended_on_time": True,
            "roles_and_contact": [],
            "confidentiality": [],
            "events": [],
        },
        "autonomy_and_consent": {
            "status": "assessed",
            "consent_checks": [
                {
                    "topic": "Sleep",
                    "response": "agreed",
                    "evidence": [
                        {
                            "quote": "Sleep is fine to talk about, that's been the worst part.",
                            "speaker": "client",
                            "utterance_index": 29,
                        }
                    ],
                }
            ],
            "choices_offered": [],
            "declined": [],
            "pace": None,
        },
        "rupture_screening": "observed",
        "ruptures": [
            {
                "id": "r1",
                "type": "withdrawal",
                "withdrawal_markers": ["minimal_response"],
                "confrontation_markers": [],
                "bond_aspects": ["task"],
                "significance": 3,
                "description": "Brief answers after a question about the fall.",
                "clinician_contribution": None,
                "evidence": [{"quote": "I don't know.", "speaker": "client", "utterance_index": 42}],
            }
        ],
        "repairs": [],
        "client_feedback": [],
        "plan": [],
    }
    data.update(changes)
    return data


def reply(data: dict[str, Any]) -> str:
    return json.dumps(data)


def test_a_clean_answer_becomes_an_alliance_section_marked_as_the_models() -> None:
    alliance = parse(reply(answer()), TRANSCRIPT, model="gpt-test")
    rupture = alliance.ruptures[0]
    assert rupture.provenance.author.value == "language_model"
    assert rupture.provenance.suggested_by == "gpt-test"
    assert rupture.provenance.confirmed is False
    assert rupture.evidence[0].timestamp == "00:21:20"  # taken from the transcript
    assert alliance.summary is not None and alliance.summary.provenance.suggested_by == "gpt-test"


def test_every_item_the_model_suggests_is_placed_in_the_record_the_prompt_asked_for() -> None:
    alliance = parse(reply(answer()), TRANSCRIPT, model="gpt-test")
    places = [item.belongs for _, item in instances_in(alliance, Observation)]
    assert places and {place.value if place else None for place in places} == {"progress_note"}


@pytest.mark.parametrize(
    "wrap",
    [
        lambda text: f"```json\n{text}\n```",
        lambda text: f"```\n{text}\n```",
        lambda text: (
            f"Here is the alliance section you asked for:\n\n{text}\n\nLet me know if you need changes."
        ),
        lambda text: f"Sure!\n```json\n{text}\n```\nI left respect not assessed.",
        lambda text: json.dumps({"alliance": json.loads(text)}),
        lambda text: f"  \n{text}  ",
    ],
)
def test_code_fences_prose_and_a_wrapper_are_accepted(wrap: Any) -> None:
    assert parse(wrap(reply(answer())), TRANSCRIPT) == parse(reply(answer()), TRANSCRIPT)


def test_enum_values_in_another_case_or_as_labels_are_read_and_reported() -> None:
    data = answer()
    data["trust"]["state"] = "Strengthening"
    data["rupture_screening"] = "OBSERVED"
    data["ruptures"][0]["withdrawal_markers"] = ["Minimal Response", "avoidant storytelling / shifting topic"]
    data["ruptures"][0]["significance"] = "3"
    data["ruptures"][0]["evidence"][0]["speaker"] = "Client"
    data["respect"]["status"] = "Not Assessed"
    repairs: list[str] = []
    alliance = parse(reply(data), TRANSCRIPT, repairs=repairs)
    assert [marker.value for marker in alliance.ruptures[0].withdrawal_markers] == [
        "minimal_response",
        "avoidant_storytelling_or_shifting_topic",
    ]
    assert alliance.ruptures[0].significance == 3
    assert "trust.state: enum value written differently, read as 'strengthening'" in repairs
    assert len(repairs) == 7
    assert not any("Minimal Response" in repair for repair in repairs)


def test_keys_left_out_are_read_as_nothing_recorded() -> None:
    data = answer()
    del data["respect"]
    del data["plan"]
    del data["summary"]
    del data["ruptures"][0]["clinician_contribution"]
    data["ruptures"][0]["bond_aspects"] = []
    alliance = parse(reply(data), TRANSCRIPT)
    assert alliance.respect.status.value == "not_assessed"
    assert alliance.summary is None


def test_findings_listed_under_not_assessed_mean_assessed() -> None:
    data = answer()
    data["autonomy_and_consent"]["status"] = "not_assessed"
    data["rupture_screening"] = "not_assessed"
    alliance = parse(reply(data), TRANSCRIPT)
    assert alliance.autonomy_and_consent.status.value == "assessed"
    assert alliance.rupture_screening.value == "observed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "output: is empty"),
        ("   \n", "output: is empty"),
        ("I'm sorry, I can't help with that.", "output: contains no JSON object"),
        ("[1, 2]", "output: contains no JSON object"),
        ('"just a string"', "output: contains no JSON object"),
        ('{"summary": null,', "output: ends before the JSON is complete"),
        (
            '```json\n{"summary": null, "trust": {"state": "steady"',
            "output: ends before the JSON is complete",
        ),
        ('{"summary": null} {"summary": null}', "output: contains more than one JSON object"),
        ('{"summary": nul, "x": 1}', "output: is not valid JSON"),
        ("{}", "output: has none of the alliance section's parts"),
    ],
)
def test_unusable_output_is_an_error_never_a_partial_section(text: str, message: str) -> None:
    with pytest.raises(LlmOutputError, match=message):
        parse(text)


def test_invented_keys_and_values_are_errors_naming_the_field() -> None:
    data = answer()
    data["ruptures"][0]["severity"] = "high"
    data["ruptures"][0]["type"] = "sulking"
    data["trust"]["state"] = "excellent"
    with pytest.raises(LlmOutputError) as caught:
        parse(reply(data))
    locations = sorted(problem.location for problem in caught.value.problems)
    # An invented key is located at the object holding it, never named: it may hold note text.
    assert locations == ["ruptures[0]", "ruptures[0].type", "trust.state"]
    message = str(caught.value)
    assert "sulking" not in message and "excellent" not in message and "severity" not in message


def test_contradictions_are_not_repaired() -> None:
    data = answer(rupture_screening="none_observed")
    with pytest.raises(LlmOutputError, match="rupture_screening"):
        parse(reply(data))
    data = answer()
    data["trust"]["state"] = "not_assessed"
    with pytest.raises(LlmOutputError, match=r"trust\.state"):
        parse(reply(data))


def test_invented_or_altered_quotes_fail_grounding() -> None:
    data = answer()
    data["ruptures"][0]["evidence"][0]["quote"] = "I don't want to talk about the fall."
    data["trust"]["built_by"][0]["evidence"][0]["quote"] = "Last week you mentioned the smell of petrol"
    with pytest.raises(LlmOutputError) as caught:
        parse(reply(data), TRANSCRIPT)
    assert [problem.location for problem in caught.value.problems] == [
        "trust.built_by[0].evidence[0].quote",
        "ruptures[0].evidence[0].quote",
    ]
    assert "closest utterance is 11" in str(caught.value)
    # Without a transcript nothing can be checked, and the quotes pass through.
    assert parse(reply(data)).ruptures


def test_a_quote_attributed_to_the_wrong_speaker_fails() -> None:
    data = answer()
    data["ruptures"][0]["evidence"][0]["speaker"] = "clinician"
    with pytest.raises(LlmOutputError, match="attributed to the clinician"):
        parse(reply(data), TRANSCRIPT)


def test_bytes_are_read_as_utf8() -> None:
    assert parse(reply(answer()).encode("utf-8"), TRANSCRIPT).ruptures
    with pytest.raises(LlmOutputError, match="not UTF-8"):
        parse(b"\xff\xfe{", TRANSCRIPT)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_any_truncation_is_an_error(data: st.DataObject) -> None:
    text = "Here you go:\n```json\n" + json.dumps(answer(), indent=1) + "\n```"
    cut = data.draw(st.integers(0, text.rindex("}")))
    with pytest.raises(LlmOutputError):
        parse(text[:cut], TRANSCRIPT)


def test_the_transcript_parameter_is_optional_and_typed() -> None:
    assert isinstance(TRANSCRIPT, Transcript)
    assert parse(reply(answer())).ruptures[0].evidence[0].timestamp is None


# -- degenerate output: bounded, strict, and always the parser's own error --------------------


def problem_at(text: str, transcript: Transcript | None = TRANSCRIPT) -> list[tuple[str, str]]:
    """The (location, code) of every problem parse finds in ``text``."""
    with pytest.raises(LlmOutputError) as caught:
        parse(text, transcript)
    return [(problem.location, problem.code) for problem in caught.value.problems]


def test_a_field_of_looping_text_is_rejected_by_field() -> None:
    data = answer()
    data["ruptures"][0]["description"] = "I keep going round and round. " * 7000  # about 205 KB
    assert problem_at(reply(data)) == [("ruptures[0].description", "too_long")]


def test_a_ten_megabyte_field_is_rejected_before_it_is_read() -> None:
    data = answer()
    data["ruptures"][0]["description"] = "x" * 10_000_000
    assert problem_at(reply(data)) == [("output", "too_long")]


@pytest.mark.parametrize(
    "loop",
    [
        "The client withdrew. " * 12,
        "Brief answers after a question about the fall" + " and then" * 40,
        "no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no",
        "!" * 150,
    ],
)
def test_a_repetition_loop_within_the_length_bound_is_rejected(loop: str) -> None:
    data = answer()
    data["summary"]["text"] = loop
    assert problem_at(reply(data)) == [("summary.text", "repetition")]


def test_ordinary_repetition_in_speech_and_notes_is_not_a_loop() -> None:
    data = answer()
    data["summary"]["text"] = "No, no, no, that's not it. Alliance strengthened; strengthened again later."
    assert parse(reply(data), TRANSCRIPT).summary is not None


def test_a_long_value_under_an_invented_key_never_names_the_key() -> None:
    data = answer()
    data["ruptures"][0]["The client said her brother hit her"] = "x" * 5_000
    assert problem_at(reply(data)) == [("ruptures[0]", "extra_forbidden")]


def test_a_list_that_repeats_the_same_entry_is_a_loop() -> None:
    data = answer()
    data["trust"]["built_by"] = data["trust"]["built_by"] * 3
    assert problem_at(reply(data)) == [("trust.built_by", "repetition")]


def test_a_list_far_longer_than_any_session_is_rejected() -> None:
    data = answer()
    data["plan"] = [{"text": f"Follow-up {i}.", "rupture": None, "evidence": []} for i in range(500)]
    assert problem_at(reply(data)) == [("plan", "too_long")]


@pytest.mark.parametrize(
    ("change", "location", "code"),
    [
        (
            lambda data: data["boundaries"].update(ended_on_time="yes"),
            "boundaries.ended_on_time",
            "bool_type",
        ),
        (
            lambda data: data["autonomy_and_consent"]["declined"].append(
                {"topic": "The fall", "honoured": "yes", "evidence": []}
            ),
            "autonomy_and_consent.declined[0].honoured",
            "bool_type",
        ),
        (lambda data: data["boundaries"].update(ended_on_time=1), "boundaries.ended_on_time", "bool_type"),
        (lambda data: data["ruptures"][0].update(significance=True), "ruptures[0].significance", "int_type"),
        (
            lambda data: data["ruptures"][0].update(significance=3.0),
            "ruptures[0].significance",
            "int_type",
        ),
        (
            lambda data: data["ruptures"][0]["evidence"][0].update(utterance_index=42.0),
            "ruptures[0].evidence[0].utterance_index",
            "int_type",
        ),
        (
            lambda data: data["ruptures"][0]["evidence"][0].update(utterance_index=True),
            "ruptures[0].evidence[0].utterance_index",
            "int_type",
        ),
    ],
)
def test_booleans_and_numbers_are_taken_strictly(change: Any, location: str, code: str) -> None:
    data = answer()
    change(data)
    assert problem_at(reply(data), None) == [(location, code)]


def test_a_number_written_as_text_is_read_as_a_visible_repair() -> None:
    data = answer()
    data["ruptures"][0]["evidence"][0]["utterance_index"] = "42"
    repairs: list[str] = []
    alliance = parse(reply(data), TRANSCRIPT, repairs=repairs)
    assert alliance.ruptures[0].evidence[0].utterance_index == 42
    assert repairs == ["ruptures[0].evidence[0].utterance_index: number written as text"]


def test_a_reply_wrapped_in_a_list_is_unwrapped_visibly_or_rejected() -> None:
    repairs: list[str] = []
    wrapped = json.dumps([answer()])
    assert parse(wrapped, TRANSCRIPT, repairs=repairs) == parse(reply(answer()), TRANSCRIPT)
    assert repairs == ["output: the section was wrapped in a list"]
    assert problem_at(f"Here are two:\n{json.dumps([answer(), answer()])}") == [("output", "ambiguous")]
    assert problem_at(f"```json\n{json.dumps([answer(), answer()])}\n```") == [("output", "ambiguous")]


@pytest.mark.parametrize(
    "text",
    [
        '{"summary": ' + "[" * 5_000 + "]" * 5_000 + "}",
        '{"summary": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001,
        '{"summary": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "[" * 100_000 + "{}" + "]" * 100_000,
        '{"summary": ' + "[" * 40 + "]" * 40 + "}",
    ],
)
def test_deeply_nested_json_is_the_parsers_own_error(text: str) -> None:
    assert problem_at(text) == [("output", "too_deep")]


@pytest.mark.parametrize("digits", [25, 5_000, 100_000])
def test_a_huge_integer_is_the_parsers_own_error(digits: int) -> None:
    data = answer()
    text = reply(data).replace('"utterance_index": 42', f'"utterance_index": {"9" * digits}')
    assert problem_at(text) == [("output", "number_too_long")]


def test_not_a_number_is_not_json() -> None:
    text = reply(answer()).replace('"significance": 3', '"significance": NaN')
    assert problem_at(text) == [("output", "json")]
