"""The text checks: respectful language and pronouns, hits and the non-hits a clinician would
find silly to be told about (quoted client speech, reported and negated use, other people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alliance_notes.check_settings import CheckSettings, load_check_settings
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes_plugins.language_check import (
    TermsError,
    builtin_vocabulary,
    compile_match,
    inflections,
    language_findings,
    vocabulary_for,
)
from alliance_notes_plugins.pronoun_check import accepted_sets, pronoun_findings


def with_text(data: dict[str, Any], text: str, field: str = "assessment") -> ProgressNote:
    data = json.loads(json.dumps(data))
    data[field] = text
    return note_from_data(data, BUILT_IN_KINDS)


def flagged(note: ProgressNote, field: str = "assessment") -> list[tuple[str, str]]:
    """(code, the flagged words) of the language findings in one field."""
    text = note.section_text(field) or ""
    return [
        (finding.check, text[finding.span[0] : finding.span[1]])
        for finding in language_findings(note, builtin_vocabulary())
        if finding.location == field and finding.span is not None
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Client is non-compliant and manipulative, claims she is fine.",
            [
                ("language-blame", "non-compliant"),
                ("language-label", "manipulative"),
                ("language-credibility", "claims"),
            ],
        ),
        (
            "He refused meds, is refusing groups and refuses to talk.",
            [("language-blame", "refused"), ("language-blame", "refusing"), ("language-blame", "refuses")],
        ),
        ("Client is NONCOMPLIANT.", [("language-blame", "NONCOMPLIANT")]),
        (
            "Poor  historian; a frequent flyer.",
            [("language-label", "Poor  historian"), ("language-label", "frequent flyer")],
        ),
        ("The client was very difficult today.", [("language-label", "difficult")]),
        ("Clinician called him difficult.", [("language-label", "difficult")]),
        ("He denies nightmares.", [("language-credibility", "denies")]),
        ("Client complains of pain.", [("language-credibility", "complains of")]),
        ("Requests pain pills; drug-seeking.", [("language-drug-seeking", "drug-seeking")]),
        (
            "An addict, he tested dirty and has been clean since.",
            [
                ("language-substance-use", "addict"),
                ("language-substance-use", "tested dirty"),
                ("language-substance-use", "been clean"),
            ],
        ),
        ("He is not clean yet.", []),  # "clean" alone is not a term
        ("Client is not an addict.", [("language-substance-use", "addict")]),  # negation is no excuse here
        (
            "A schizophrenic, wheelchair-bound man.",
            [
                ("language-identity", "schizophrenic"),
                ("language-identity", "wheelchair-bound"),
            ],
        ),
        ('Client was "fine" all week.', [("language-scare-quotes", '"fine"')]),
    ],
)
def test_language_hits(soap_data: dict[str, Any], text: str, expected: list[tuple[str, str]]) -> None:
    assert flagged(with_text(soap_data, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Quoted client speech is the client's own voice.
        'He said, "I refuse to be a junkie, I am not manipulative."',
        "He said “they call me difficult”.",
        # Reported use: someone else's word.
        "The client said staff called him difficult.",
        "His mother described him as manipulative.",
        "The referral states he is non-compliant.",
        # Negated use, where the category allows it.
        "He did not refuse the plan and never claimed otherwise.",
        "The client is not manipulative.",
        # Words that are only flagged about a person, or as a verb.
        "It was a difficult week and a challenging topic.",
        "The insurance claim was denied; his claim is pending.",
        # A quoted stretch with its speaker is speech, not scare quotes.
        'He described the smell as "a bit easier."',
        '"Not now," the client said.',
        "He read “The Body Keeps the Score”.",
    ],
)
def test_language_non_hits(soap_data: dict[str, Any], text: str) -> None:
    assert flagged(with_text(soap_data, text)) == []


def test_the_clinician_is_not_excused_as_a_reporter(soap_data: dict[str, Any]) -> None:
    note = with_text(soap_data, "I said the client is manipulative.")
    assert flagged(note) == [("language-label", "manipulative")]


def test_evidence_quotes_and_client_answers_are_never_flagged(soap_data: dict[str, Any]) -> None:
    soap_data["alliance"]["trust"]["built_by"][0]["evidence"][0]["quote"] = "I'm an addict and I refuse."
    soap_data["alliance"]["client_feedback"][0]["answer"] = "He is a junkie, in his words."
    note = note_from_data(soap_data, BUILT_IN_KINDS)
    assert language_findings(note, builtin_vocabulary()) == []


def test_findings_never_quote_the_note(soap_data: dict[str, Any]) -> None:
    note = with_text(soap_data, "Client is manipulative and claims to be fine.")
    for finding in language_findings(note, builtin_vocabulary()):
        assert "manipulative" not in finding.message and "claims" not in finding.message
        assert finding.suggestion is not None and "manipulative" not in finding.suggestion


def test_inflections_and_phrases() -> None:
    assert {"deny", "denies", "denied", "denying"} <= set(inflections("deny"))
    assert {"refuse", "refuses", "refused", "refusing"} <= set(inflections("refuse"))
    pattern = compile_match(("non-compliant", "complain+ of"))
    assert (
        pattern.search("noncompliant")
        and pattern.search("Non compliant")
        and pattern.search("complained  of")
    )
    assert not pattern.search("semicompliant") and not pattern.search("complainant of")


def test_a_clinic_extends_and_overrides_the_terms(tmp_path: Path, soap_data: dict[str, Any]) -> None:
    (tmp_path / "clinic.toml").write_text(
        "drop = ['refuse']\n"
        "[categories.label]\nseverity = 'error'\n"
        "[categories.local]\ntitle = 'uses a retired term'\n"
        "advice = 'use the current one'\nsource = 'Clinic guide'\n"
        "[[terms]]\ncategory = 'local'\nmatch = ['acting out']\nprefer = 'describe what happened'\n",
        encoding="utf-8",
    )
    (tmp_path / "alliance-notes.toml").write_text(
        "[checks.language]\nterms = 'clinic.toml'\n", encoding="utf-8"
    )
    vocabulary = vocabulary_for(load_check_settings(tmp_path))
    note = with_text(soap_data, "He refused and was acting out; he is manipulative.")
    found = {
        (f.check, f.severity.value) for f in language_findings(note, vocabulary) if f.location == "assessment"
    }
    assert found == {("language-local", "warning"), ("language-label", "error")}


def test_an_unusable_terms_file_is_reported_by_path(
    tmp_path: Path, host: Host, example_paths: dict[str, Path]
) -> None:
    (tmp_path / "bad.toml").write_text("[[terms]]\ncategory = 'nope'\nmatch = ['x']\n", encoding="utf-8")
    settings = CheckSettings(options={"language": {"terms": "bad.toml"}}, base=tmp_path)
    with pytest.raises(TermsError, match=r"bad.toml: terms\[0\] names no known category"):
        vocabulary_for(settings)
    findings = host.check(host.load_note(example_paths["soap"]), settings)
    assert [f.check for f in findings] == ["language-terms-unreadable"]


# -- pronouns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "sets"),
    [
        ("she/her", {"she"}),
        ("He/They", {"he", "they"}),
        ("xe/xem", {"xe"}),
        ("any pronouns", None),
        ("name only", set()),
    ],
)
def test_recorded_pronouns_are_read(recorded: str, sets: set[str] | None) -> None:
    assert accepted_sets(recorded) == sets


def birp_with(example_paths: dict[str, Path], text: str) -> ProgressNote:
    data = json.loads(example_paths["birp"].read_text(encoding="utf-8"))
    return with_text(data, text, "response")


def pronouns_flagged(note: ProgressNote) -> list[str]:
    text = note.section_text("response") or ""
    return [
        text[f.span[0] : f.span[1]] for f in pronoun_findings(note) if f.location == "response" and f.span
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The client said she felt judged.", ["she"]),
        ("Client arrived late. She seemed tired.", ["She"]),
        ("Clinician asked the client about his week.", ["his"]),
        ("The client and her mother said they agree.", ["her"]),
        # Other people keep their own pronouns.
        ("The mother used a previous pronoun and corrected herself.", []),
        ("The stepfather said he is scared the client will fall behind.", []),
        ("His fear about the client falling behind sounded genuine.", []),
        # Quoted speech, the clinician's I, singular they.
        ('The client said "she is my sister" about a classmate.', []),
        ("I asked the client how they felt; they said fine.", []),
    ],
)
def test_pronouns_for_a_they_them_client(
    example_paths: dict[str, Path], text: str, expected: list[str]
) -> None:
    assert pronouns_flagged(birp_with(example_paths, text)) == expected


def test_they_is_not_flagged_for_a_he_him_client(soap_data: dict[str, Any]) -> None:
    note = with_text(soap_data, "The client and his wife said they would come. She drove him.")
    assert [f.check for f in pronoun_findings(note) if f.location == "assessment"] == []


def test_no_pronouns_recorded_no_pronoun_check(example_paths: dict[str, Path]) -> None:
    data = json.loads(example_paths["birp"].read_text(encoding="utf-8"))
    del data["alliance"]["respect"]["pronouns"]
    assert pronoun_findings(with_text(data, "The client said she was tired.", "response")) == []
