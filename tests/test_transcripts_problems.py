"""Bad transcripts give clear errors or warnings naming the line, never the words, never a crash."""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.transcripts import (
    TranscriptError,
    TranscriptWarning,
    load_transcript,
    read_transcript,
)

SECRET = "Xylophonic"
_WORDS = st.characters(
    exclude_categories=("Cs", "Cc", "Zl", "Zp")
)  # a word that must never appear in a message


def error_of(source: str | bytes, **options: object) -> TranscriptError:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(source, **options)  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_transcripts_are_errors(text: str) -> None:
    error = error_of(text)
    assert error.problems[0].code == "empty"


def test_non_utf8_bytes_are_an_error_naming_the_line() -> None:
    error = error_of(f"Therapist: hello\nClient: caf\xe9 {SECRET}\n".encode("latin-1"))
    assert error.problems[0].where == "line 2"
    assert "UTF-8" in error.problems[0].message


def test_a_first_line_without_a_speaker_is_an_error() -> None:
    error = error_of(f"{SECRET} went to the shop\nTherapist: ok\n")
    assert str(error.problems[0]).startswith("line 1: does not start with a speaker label")


def test_json_errors_name_the_line_or_item() -> None:
    assert error_of('{"segments": [\n{"speaker": "A", "text": "x"},\n]}').problems[0].where == "line 3"
    error = error_of(json.dumps({"segments": [{"speaker": "A", "text": SECRET}, {"text": SECRET}]}))
    assert [str(problem) for problem in error.problems] == [
        "segments[1]: names no speaker (expected 'speaker' or 'role')"
    ]
    error = error_of(
        json.dumps(
            [{"speaker": "A", "text": "x", "start": -3}, {"speaker": "B", "role": "boss", "text": "y"}]
        )
    )
    assert [problem.code for problem in error.problems] == ["bad_time", "unknown_role"]
    assert error_of(json.dumps({"words": []})).problems[0].code == "json_shape"


def test_an_utterance_ending_before_it_starts_is_an_error() -> None:
    error = error_of(json.dumps([{"speaker": "T", "text": SECRET, "start": 5, "end": 2}]))
    assert str(error.problems[0]) == "item 0: ends before it starts"


def test_control_characters_are_an_error_naming_the_line() -> None:
    error = error_of(f"Therapist: fine\nClient: {SECRET}\x01\n")
    assert error.problems[0].where == "line 2"


def test_subtitle_problems() -> None:
    assert error_of("1\nnot a timing\nTherapist: hi\n", format="srt").problems[0].code == "no_timing"
    assert error_of(f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{SECRET} without a voice\n").problems[
        0
    ].code == ("no_speaker")
    assert error_of("00:00:01.000 --> 00:00:02.000\nhi\n", format="webvtt").problems[0].code == "not_webvtt"


def test_overlapping_and_backwards_times_and_empty_turns_are_warnings() -> None:
    data = {
        "segments": [
            {"speaker": "Therapist", "text": "One.", "start": 0, "end": 4},
            {"speaker": "Client", "text": "Two.", "start": 3, "end": 5},
            {"speaker": "Client", "text": "  ", "start": 6, "end": 7},
            {"speaker": "Therapist", "text": "Three.", "start": 1, "end": 2},
        ]
    }
    with pytest.warns(TranscriptWarning) as caught:
        transcript = read_transcript(json.dumps(data))
    assert len(transcript.utterances) == 3
    codes = sorted(warning.message.problem.code for warning in caught)  # type: ignore[union-attr]
    assert codes == ["empty_turn", "overlap", "time_order"]


def test_an_unknown_role_in_the_speaker_map_is_an_error() -> None:
    error = error_of("Therapist: hi\n", speakers={"Therapist": "supervisor"})
    assert error.problems[0].code == "unknown_role"


def test_unknown_format_and_unreadable_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert error_of("Therapist: hi", format="docx").problems[0].code == "unknown_format"
    with pytest.raises(TranscriptError, match="cannot be read"):
        load_transcript(tmp_path / "missing.txt")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([None, "text", "json", "webvtt", "srt"]))
def test_arbitrary_bytes_never_crash(data: bytes, format: str | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TranscriptWarning)
        try:
            read_transcript(data, format=format)
        except TranscriptError as error:
            problems = error.problems
        else:
            problems = ("read",)
    assert problems


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Therapist", "Client"]),
            st.text(
                st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
            ).filter(lambda text: text.strip() and not text.lstrip().startswith("#")),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_plain_text_round_trips_what_was_said(turns: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{label}: {words}" for label, words in turns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TranscriptWarning)
        transcript = read_transcript(text, format="text")
    assert [(turn.speaker, turn.text) for turn in transcript.utterances] == [
        (label, " ".join(words.split())) for label, words in turns
    ]
