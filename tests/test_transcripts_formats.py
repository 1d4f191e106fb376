"""Transcripts load from plain text, JSON (utterance lists and diarisation segments),
WebVTT and SRT; speaker labels become roles by the documented rule."""

from __future__ import annotations

import json
import warnings

import pytest

from alliance_notes.transcript import Transcript, Utterance, session_time
from alliance_notes.transcripts import (
    TranscriptWarning,
    guess_format,
    load_transcript,
    read_transcript,
    role_from_label,
)
from alliance_notes.vocabulary import Speaker


def roles(transcript: Transcript) -> list[str]:
    return [turn.role.value for turn in transcript.utterances]


def test_plain_text_with_times_labels_and_wrapped_lines() -> None:
    transcript = read_transcript(
        "# a comment\n"
        "[00:00:05] Therapist: How was your week?\n"
        "00:00:12 Client: Long.\n"
        "  It was a long one.\n"
        "\n"
        "Dr. K: Tell me more.\n"
    )
    assert [turn.text for turn in transcript.utterances] == [
        "How was your week?",
        "Long. It was a long one.",
        "Tell me more.",
    ]
    assert roles(transcript) == ["clinician", "client", "clinician"]
    assert [turn.start for turn in transcript.utterances] == [5.0, 12.0, None]
    assert transcript.utterances[1].speaker == "Client"


def test_webvtt_voice_tags_markup_and_cues_without_a_voice() -> None:
    vtt = (
        "WEBVTT\n\nNOTE written by hand\n\n"
        "1\n00:00:01.000 --> 00:00:04.000 align:start\n<v Dr. K>How are <i>you</i> doing?</v>\n\n"
        "00:00:04.500 --> 00:00:06.000\n<v.loud Client>Fine &amp; tired.\n\n"
        "00:00:06.000 --> 00:00:07.500\nstill tired\n\n"
        "00:00:08.000 --> 00:00:09.000\n<v Dr. K>Okay.<v Client>Yes.\n"
    )
    transcript = read_transcript(vtt)
    assert [(turn.role.value, turn.text) for turn in transcript.utterances] == [
        ("clinician", "How are you doing?"),
        ("client", "Fine & tired. still tired"),
        ("clinician", "Okay."),
        ("client", "Yes."),
    ]
    assert transcript.utterances[1].end == 7.5


def test_srt_with_colon_and_bracket_labels() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,500\nTherapist: What brings you in today?\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n[Client] My sleep.\nIt's bad.\n\n"
        "3\n00:00:06,000 --> 00:00:07,000\n- Therapist: Tell me more.\n"
    )
    transcript = read_transcript(srt)
    assert [(turn.role.value, turn.text, turn.start) for turn in transcript.utterances] == [
        ("clinician", "What brings you in today?", 1.0),
        ("client", "My sleep. It's bad.", 4.0),
        ("clinician", "Tell me more.", 6.0),
    ]


def test_json_list_of_utterances_with_stated_roles_and_clock_times() -> None:
    data = [
        {"speaker": "T", "text": "Hello.", "start": "00:01:10", "end": 72.5},
        {"role": "client", "text": "Hi."},
        {"label": "Maria's mother", "content": "Can I stay?", "start_time": 80},
    ]
    transcript = read_transcript(json.dumps(data))
    assert roles(transcript) == ["clinician", "client", "other_participant"]
    assert transcript.utterances[0].start == 70.0
    assert transcript.utterances[0].timestamp == "00:01:10"


def test_json_diarisation_segments_infer_roles_from_questions_with_warnings() -> None:
    data = {
        "segments": [
            {"speaker": "SPEAKER_01", "text": " I'm not sure where to start.", "start": 0.0, "end": 2.0},
            {
                "speaker": "SPEAKER_00",
                "text": " What feels most pressing? Work or home?",
                "start": 2.1,
                "end": 5.0,
            },
            {"speaker": "SPEAKER_01", "text": " Home, I think.", "start": 5.2, "end": 6.0, "words": []},
        ]
    }
    with pytest.warns(TranscriptWarning) as caught:
        transcript = read_transcript(json.dumps(data))
    assert roles(transcript) == ["client", "clinician", "client"]
    assert transcript.utterances[0].text == "I'm not sure where to start."
    messages = [str(warning.message) for warning in caught]
    assert any("segments[1]" in message and "clinician" in message for message in messages)
    # A warning names where the speaker is first heard, never the label (it may be a name).
    assert not any("SPEAKER_0" in message for message in messages)


def test_a_speaker_map_overrides_inference_and_silences_its_warning() -> None:
    text = "SPEAKER_00: Hi.\nSPEAKER_01: What would you like to talk about today?\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        transcript = read_transcript(text, speakers={"speaker_00": "client", "SPEAKER_01": "therapist"})
    assert roles(transcript) == ["client", "clinician"]


def test_saved_transcripts_read_back_unchanged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    original = Transcript(
        utterances=[
            Utterance(speaker="Therapist", role=Speaker.CLINICIAN, text="Hello.", start=1.0, end=2.0),
            Utterance(speaker="Pat", role=Speaker.CLIENT, text="Hi.", start=2.5, end=3.0),
        ]
    )
    path = tmp_path / "session.json"
    path.write_text(original.model_dump_json(), encoding="utf-8")
    assert load_transcript(path) == original


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    transcript = read_transcript("Therapist: Café?\nClient: Oui.\n".encode("utf-16"))
    assert transcript.utterances[0].text == "Café?"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.vtt", "", "webvtt"),
        ("a.srt", "", "srt"),
        ("a.json", "", "json"),
        (None, "WEBVTT\n\n", "webvtt"),
        (None, "1\n00:00:01,000 --> 00:00:02,000\nT: hi", "srt"),
        (None, '[{"speaker": "T"}]', "json"),
        (None, "[00:00:01] T: hi", "text"),
        (None, "Therapist: hi", "text"),
    ],
)
def test_the_format_is_guessed_from_the_extension_or_the_content(
    name: str | None, text: str, expected: str
) -> None:
    assert guess_format(text, name) == expected


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Therapist", "clinician"),
        ("Dr. K", "clinician"),
        ("Family therapist", "clinician"),
        ("T", "clinician"),
        ("Client (C-0412)", "client"),
        ("PATIENT", "client"),
        ("Pt", "client"),
        ("Client's mother", "other_participant"),
        ("Partner", "other_participant"),
        ("Interpreter", "other_participant"),
        ("SPEAKER_00", None),
        ("Maria", None),
        ("Client T", "client"),
    ],
)
def test_role_words_in_labels(label: str, role: str | None) -> None:
    found = role_from_label(label)
    assert (found.value if found else None) == role


def test_three_unnamed_speakers_get_clinician_client_and_other() -> None:
    text = (
        "Ana: What brings you both here? What would help?\n"
        "Ben: We argue all the time about money and about the kids and everything else.\n"
        "Cy: It's not that bad.\n"
    )
    with pytest.warns(TranscriptWarning):
        transcript = read_transcript(text)
    assert roles(transcript) == ["clinician", "client", "other_participant"]


def test_session_time_formats_seconds() -> None:
    assert session_time(0) == "00:00:00"
    assert session_time(3725.9) == "01:02:05"
