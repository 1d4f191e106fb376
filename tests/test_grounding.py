"""Quote grounding: tolerant of how speech is transcribed and quoted, strict about meaning."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cli_support
from alliance_notes import create_host
from alliance_notes.evidence import Evidence
from alliance_notes.examples import examples_dir
from alliance_notes.grounding import (
    check_evidence,
    check_quotes,
    closest_utterance,
    is_grounded_in,
)
from alliance_notes.note import ProgressNote
from alliance_notes.testing import notes
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.transcripts import load_transcript
from alliance_notes.vocabulary import Speaker

SAID = "Another week, once I'm sleeping better, but I do want to get to it."


@pytest.mark.parametrize(
    "quote",
    [
        SAID,
        "another week once i am sleeping better but i do want to get to it",
        "Another week, um, once I'm sleeping better... I do want to get to it",
        "Another week … I do want to get to it.",
        "once I'm sleeping better",
        "“Another week, once I’m sleeping better”",
        "Another week, once I'm, uh, sleeping better, but I do want to get to it.",
        "Another week, once I'm sleeping better, but I do want to get to it",
    ],
)
def test_quotes_as_transcribed_or_tidied_are_grounded(quote: str) -> None:
    assert is_grounded_in(quote, SAID)


@pytest.mark.parametrize(
    "quote",
    [
        "Another week, once I'm sleeping better, but I don't want to get to it.",
        "Another week, once I'm sleeping better, but I do not want to get to it.",
        "Another month, once I'm sleeping better",
        "Another week, once I'm sleeping worse",
        "Another week once I'm sleeping, but I do want to get to it.",
        "I never want to get to it",
        "",
        "...",
    ],
)
def test_quotes_that_change_the_meaning_are_not_grounded(quote: str) -> None:
    assert not is_grounded_in(quote, SAID)


@pytest.mark.parametrize(
    ("quote", "said", "grounded"),
    [
        ("I made it through 3 full shifts.", "I made it through three full shifts.", True),
        ("I made it through four full shifts.", "I made it through three full shifts.", False),
        ("My sister Karen said so.", "My sister Karen said so.", True),
        ("My sister Karin said so.", "My sister Karen said so.", False),
        ("My sister Sam said so.", "My sister Karen said so.", False),
        ("I realize it now", "I realise it now", True),
        ("I don't know.", "I do not know", True),
        ("I don't know", "I know", False),
        ("I know", "I don't know", False),
        ("I can't do it", "I can do it", False),
        ("It's okay, I'm gonna try", "It is ok, I am going to try", True),
        ("I I think so", "I think so", True),
        ("the the dog ran home", "the dog ran home", True),
    ],
)
def test_numbers_names_negations_and_spelling(quote: str, said: str, grounded: bool) -> None:
    assert is_grounded_in(quote, said) is grounded


def transcript_of(*texts: tuple[Speaker, str]) -> Transcript:
    return Transcript(
        utterances=[
            Utterance(speaker=role.value, role=role, text=text, start=float(10 * index))
            for index, (role, text) in enumerate(texts)
        ]
    )


SESSION = transcript_of(
    (Speaker.CLINICIAN, "How did the week go with the new routine?"),
    (Speaker.CLIENT, "Honestly it was hard, I only did it twice."),
    (Speaker.CLINICIAN, "Twice is a start. What got in the way?"),
    (Speaker.CLIENT, "My phone, mostly. I kept scrolling until midnight."),
)


def test_a_grounded_quote_has_no_problems() -> None:
    evidence = Evidence(
        quote="I only did it twice", speaker=Speaker.CLIENT, utterance_index=1, timestamp="00:00:10"
    )
    assert check_evidence("alliance.summary.evidence[0].quote", evidence, SESSION) == []


def test_an_invented_quote_names_the_field_and_the_closest_utterance() -> None:
    evidence = Evidence(quote="I kept scrolling until two in the morning", speaker=Speaker.CLIENT)
    [problem] = check_evidence("alliance.ruptures[0].evidence[1].quote", evidence, SESSION)
    assert problem.location == "alliance.ruptures[0].evidence[1].quote"
    assert problem.code == "ungrounded"
    assert problem.closest_utterance == 3
    assert "closest utterance is 3" in problem.message
    assert "scrolling" not in problem.message


def test_a_quote_like_nothing_said_has_no_closest_utterance() -> None:
    assert closest_utterance("The weather in Lisbon was lovely", SESSION) is None


def test_wrong_index_wrong_speaker_out_of_range_and_far_timestamp() -> None:
    wrong_index = Evidence(quote="What got in the way?", speaker=Speaker.CLINICIAN, utterance_index=0)
    assert [p.code for p in check_evidence("q", wrong_index, SESSION)] == ["wrong_utterance"]
    wrong_speaker = Evidence(quote="What got in the way?", speaker=Speaker.CLIENT, utterance_index=2)
    assert [p.code for p in check_evidence("q", wrong_speaker, SESSION)] == ["wrong_speaker"]
    beyond = Evidence(quote="What got in the way?", speaker=Speaker.CLINICIAN, utterance_index=9)
    assert [p.code for p in check_evidence("a.quote", beyond, SESSION)] == ["unknown_utterance"]
    late = Evidence(
        quote="What got in the way?", speaker=Speaker.CLINICIAN, utterance_index=2, timestamp="00:05:00"
    )
    [problem] = check_evidence("a.quote", late, SESSION)
    assert (problem.code, problem.severity.value, problem.location) == (
        "timestamp_mismatch",
        "warning",
        "a.timestamp",
    )


def example_note_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((examples_dir() / "soap_note.json").read_text(encoding="utf-8"))
    return data


def example_transcript() -> Transcript:
    return load_transcript(examples_dir() / "soap_transcript.txt")


def test_every_quote_of_the_example_note_is_grounded_in_its_transcript() -> None:
    note = create_host().read_note(example_note_data())
    assert check_quotes(note, example_transcript()) == []
    assert check_quotes(note.alliance, example_transcript()) == []


def test_altered_quotes_in_the_example_note_are_caught() -> None:
    data = example_note_data()
    data["alliance"]["ruptures"][0]["evidence"][3]["quote"] = "It's fine, whatever you said."
    data["alliance"]["respect"]["client_voice"][0]["evidence"][0]["quote"] = (
        "Another week, once I'm sleeping better, but I don't want to get to it."
    )
    note = create_host().read_note(data)
    problems = check_quotes(note, example_transcript())
    assert [(p.location, p.closest_utterance) for p in problems] == [
        ("alliance.respect.client_voice[0].evidence[0].quote", 54),
        ("alliance.ruptures[0].evidence[3].quote", 46),
    ]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_run_of_words_from_an_utterance_is_grounded_and_adding_not_breaks_it(data: st.DataObject) -> None:
    turn = data.draw(st.sampled_from(example_transcript().utterances))
    words = turn.text.split()
    start = data.draw(st.integers(0, len(words) - 1))
    stop = data.draw(st.integers(start + 1, len(words)))
    quote = " ".join(words[start:stop])
    if not any(character.isalnum() for character in quote):
        return
    assert is_grounded_in(quote, turn.text)
    position = data.draw(st.integers(0, stop - start))
    altered = " ".join([*words[start : start + position], "not", *words[start + position : stop]])
    if "not" not in turn.text.lower().split() and "n't" not in turn.text.lower():
        assert not is_grounded_in(altered, turn.text)


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return cli_support.run_cli(*arguments)


def test_validate_with_a_transcript_passes_the_example(tmp_path: Path) -> None:
    result = run_cli(
        "validate",
        str(examples_dir() / "soap_note.json"),
        "--transcript",
        str(examples_dir() / "soap_transcript.txt"),
    )
    assert result.returncode == 0, result.stderr
    assert "every evidence quote is grounded" in result.stdout


def test_validate_with_a_transcript_reports_ungrounded_quotes(tmp_path: Path) -> None:
    data = example_note_data()
    data["alliance"]["trust"]["built_by"][1]["evidence"][0]["quote"] = (
        "I made it through four full shifts this week without leaving early."
    )
    note = tmp_path / "note.json"
    note.write_text(json.dumps(data), encoding="utf-8")
    transcript = str(examples_dir() / "soap_transcript.txt")
    result = run_cli("validate", str(note), "--transcript", transcript)
    assert result.returncode == 2
    assert "alliance.trust.built_by[1].evidence[0].quote: is not in the session transcript; " in result.stdout
    assert "closest utterance is 19" in result.stdout
    assert "four full shifts" not in result.stdout + result.stderr
    result = run_cli("validate", str(note), "--transcript", transcript, "--json")
    report = json.loads(result.stdout)
    assert report["grounded"] is False
    assert report["findings"][0]["check"] == "grounding"


def test_validate_with_an_unreadable_transcript_exits_2(tmp_path: Path) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_bytes(b"Therapist: caf\xe9\n")
    result = run_cli("validate", str(examples_dir() / "soap_note.json"), "--transcript", str(transcript))
    assert result.returncode == 2
    assert "line 1" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


# Every message grounding can give: fixed words, numbers and role names, never the quote.
_MESSAGES = re.compile(
    r"^(?:is not in the session transcript; (?:the closest utterance is \d+|no utterance is close)"
    r"|is \d+ but the (?:quote is from utterance \d+|transcript has \d+ utterances \(0 to \d+\))"
    r"|is attributed to the [a-z ]+ but was said by the [a-z ]+ \(utterance \d+\)"
    r"|is [\d:.]+ but utterance \d+ starts at [\d:]+)$"
)


@settings(max_examples=40, deadline=None)
@given(notes())
def test_any_note_can_be_checked_and_no_message_repeats_a_quote(note: ProgressNote) -> None:
    for problem in check_quotes(note, example_transcript()):
        assert problem.location.startswith("alliance.")
        assert _MESSAGES.match(problem.message), problem.message


# -- the index finds every utterance a word-by-word search finds ----------------------------------

#: Words close in spelling, small words, a negation, a number and a name, so quotes can match
#: by every allowance the comparison makes.
_WORDS = [
    "the",
    "so",
    "just",
    "really",
    "realy",
    "feeling",
    "feelings",
    "not",
    "three",
    "Maria",
    "sleep",
    "okay",
]


@settings(max_examples=150)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8), min_size=1, max_size=12),
    st.lists(st.sampled_from([*_WORDS, "..."]), min_size=1, max_size=7),
)
def test_the_index_finds_exactly_what_comparing_every_utterance_finds(
    utterances: list[list[str]], quote_words: list[str]
) -> None:
    from alliance_notes.grounding import TranscriptIndex, find_quote

    session = transcript_of(*((Speaker.CLIENT, " ".join(words)) for words in utterances))
    quote = " ".join(quote_words)
    everywhere = [at for at, said in enumerate(session.utterances) if is_grounded_in(quote, said.text)]
    assert find_quote(quote, session, index=TranscriptIndex.of(session)) == everywhere
