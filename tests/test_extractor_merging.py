"""Several extractors through the same hook: merged without duplicates, each item keeping
its provenance; a failing or overreaching extractor is left out by name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from alliance_notes import Alliance, create_host
from alliance_notes.hookspecs import hookimpl
from alliance_notes.suggestions import SuggestionWarning, add_suggestions, merge_suggestions
from alliance_notes.testing import alliances
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.vocabulary import Speaker

SESSION = Transcript(
    utterances=[
        Utterance(
            speaker="T", role=Speaker.CLINICIAN, text="Is it okay if we talk about your sleep?", start=0
        ),
        Utterance(speaker="C", role=Speaker.CLIENT, text="Sure.", start=5),
        Utterance(speaker="T", role=Speaker.CLINICIAN, text="What would you like to start with?", start=9),
        Utterance(speaker="C", role=Speaker.CLIENT, text="Whatever you think.", start=14),
    ]
)


def evidence(index: int, role: str = "clinician") -> dict[str, Any]:
    return {"quote": SESSION.utterances[index].text, "speaker": role, "utterance_index": index}


def provenance(name: str, confidence: float, rule: str | None = None) -> dict[str, Any]:
    return {"author": "language_model", "suggested_by": name, "rule": rule, "confidence": confidence}


def consent(name: str, confidence: float) -> dict[str, Any]:
    return {
        "autonomy_and_consent": {
            "consent_checks": [
                {
                    "topic": "sleep",
                    "response": "agreed",
                    "evidence": [evidence(0), evidence(1, "client")],
                    "provenance": provenance(name, confidence),
                }
            ]
        }
    }


def rupture(name: str, index: int = 3) -> dict[str, Any]:
    return {
        "ruptures": [
            {
                "id": "r1",
                "type": "withdrawal",
                "withdrawal_markers": ["deferential_and_appeasing"],
                "significance": 2,
                "description": "Deferred to the clinician.",
                "evidence": [evidence(index, "client")],
                "provenance": provenance(name, 0.6),
            }
        ],
        "repairs": [
            {
                "rupture": "r1",
                "strategies": ["invites_discussion_of_relationship"],
                "outcome": "unresolved",
                "evidence": [evidence(2)],
                "provenance": provenance(name, 0.6),
            }
        ],
        "plan": [{"text": "Check in about it.", "rupture": "r1", "provenance": provenance(name, 0.5)}],
    }


class Extractor:
    """A test extractor returning fixed data (or raising)."""

    def __init__(self, result: Any) -> None:
        self.result = result

    @hookimpl
    def alliance_suggest_alliance(self, transcript: Transcript) -> Any:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def host_with(**extractors: Any):  # type: ignore[no-untyped-def]
    return create_host(
        entry_points=[], plugins=[(name, Extractor(result)) for name, result in extractors.items()]
    )


def test_duplicates_are_merged_keeping_the_more_confident_items_own_provenance() -> None:
    host = host_with(one=Alliance.model_validate(consent("model-a", 0.6)), two=consent("model-b", 0.9))
    merged = host.suggest(SESSION)
    [check] = merged.autonomy_and_consent.consent_checks
    assert check.provenance.suggested_by == "model-b"
    assert check.provenance.confidence == 0.9
    assert merged.autonomy_and_consent.status.value == "assessed"


def test_distinct_findings_from_several_extractors_are_all_kept() -> None:
    choice = {
        "autonomy_and_consent": {
            "choices_offered": [
                {
                    "text": "Asked where to start.",
                    "evidence": [evidence(2)],
                    "provenance": provenance("b", 0.7),
                }
            ]
        }
    }
    merged = host_with(one=consent("a", 0.6), two=choice).suggest(SESSION)
    assert merged.autonomy_and_consent.consent_checks[0].provenance.suggested_by == "a"
    assert merged.autonomy_and_consent.choices_offered[0].provenance.suggested_by == "b"


def test_rupture_ids_are_renumbered_and_repairs_follow_their_rupture() -> None:
    merged = merge_suggestions(
        [
            Alliance.model_validate(rupture("a", index=3)),
            Alliance.model_validate(rupture("b", index=1)),  # a different rupture, also called r1
            Alliance.model_validate(rupture("c", index=3)),  # the same rupture as a's
        ]
    )
    assert [(r.id, r.provenance.suggested_by) for r in merged.ruptures] == [("r1", "a"), ("r2", "b")]
    assert [(r.rupture, r.provenance.suggested_by) for r in merged.repairs] == [("r1", "a"), ("r2", "b")]
    assert [(f.rupture, f.provenance.suggested_by) for f in merged.plan] == [("r1", "a"), ("r2", "b")]


def test_a_failing_extractor_is_named_and_the_others_still_count() -> None:
    host = host_with(broken=RuntimeError("secret detail"), good=consent("a", 0.6))
    with pytest.warns(SuggestionWarning, match="extractor 'broken': failed \\(RuntimeError\\)") as caught:
        merged = host.suggest(SESSION)
    assert "secret detail" not in str(caught[0].message)
    assert merged.autonomy_and_consent.consent_checks


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"rupture_screening": "none_observed"}, "asserts that no rupture was observed"),
        ({"respect": {"status": "assessed"}}, "respect is marked assessed with nothing detected"),
        (
            {"trust": {"state": "strengthening", "built_by": [{"text": "x", "evidence": [evidence(0)]}]}},
            "provenance says the clinician wrote a suggested item",
        ),
        (
            {
                "trust": {
                    "state": "steady",
                    "built_by": [
                        {
                            "text": "x",
                            "provenance": {"author": "extractor", "suggested_by": "x", "confirmed": True},
                        }
                    ],
                }
            },
            "already confirmed",
        ),
        ({"not_a_part": 1}, "failed (ValidationError)"),
        ("a string", "failed (ValidationError)"),
    ],
)
def test_an_extractor_that_overreaches_is_left_out(result: Any, reason: str) -> None:
    with pytest.warns(SuggestionWarning, match=reason.replace("(", "\\(").replace(")", "\\)")):
        merged = host_with(overreaching=result).suggest(SESSION)
    assert merged == Alliance()


def test_suggestions_never_replace_what_the_note_already_says() -> None:
    written = Alliance.model_validate(
        {
            "autonomy_and_consent": {
                "consent_checks": [
                    {
                        "topic": "Sleep, as the clinician wrote it",
                        "response": "agreed",
                        "evidence": [evidence(0)],
                    }
                ],
                "pace": {"text": "Client sets the pace."},
            }
        }
    )
    suggested = Alliance.model_validate(
        {
            **consent("a", 0.99),
            **rupture("a"),
        }
    )
    combined = add_suggestions(written, suggested)
    [check] = combined.autonomy_and_consent.consent_checks
    assert check.topic == "Sleep, as the clinician wrote it"
    assert check.provenance.author.value == "clinician"
    assert combined.autonomy_and_consent.pace == written.autonomy_and_consent.pace
    assert combined.ruptures[0].provenance.suggested_by == "a"


def test_a_clinicians_none_observed_is_respected() -> None:
    written = Alliance.model_validate({"rupture_screening": "none_observed"})
    combined = add_suggestions(written, Alliance.model_validate(rupture("a")))
    assert combined.rupture_screening.value == "none_observed"
    assert combined.ruptures == [] and combined.repairs == [] and combined.plan == []


@settings(max_examples=50, deadline=None)
@given(alliances())
def test_adding_suggestions_keeps_every_item_a_note_records(alliance: Alliance) -> None:
    suggested = Alliance.model_validate({**consent("a", 0.9), **rupture("a")})
    combined = add_suggestions(alliance, suggested)
    before = alliance.model_dump(mode="json")
    after = combined.model_dump(mode="json")
    for part in ("trust", "respect", "boundaries", "autonomy_and_consent"):
        for name, value in before[part].items():
            if isinstance(value, list):
                assert after[part][name][: len(value)] == value
            elif value is not None and name not in ("status", "state"):
                assert after[part][name] == value
    assert after["ruptures"][: len(before["ruptures"])] == before["ruptures"]
    assert after["repairs"][: len(before["repairs"])] == before["repairs"]
    assert after["measures"] == before["measures"]
