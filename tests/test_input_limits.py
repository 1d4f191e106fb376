"""No input hangs the tool: hostile transcripts and filled forms are read in linear time, or
stop at a documented limit with exit status 2 and a message that names the limit, never the
input's words.

Every hostile input is built here.  Each test has a time limit far above what it takes (a
second or two), so a regression to quadratic time fails instead of stalling the run; the
shapes are those that once hung: a backtracking voice-tag pattern, turns joined line by
line, headings and labels matched over long runs of spaces, rules scanning to the end of a
long turn for every match.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError
from alliance_notes.fillable import parse_filled
from alliance_notes.fillable.reader import MAX_FORM_CHARACTERS, MAX_FORM_LINES
from alliance_notes.host import Host
from alliance_notes.transcript import Transcript
from alliance_notes.transcripts import (
    MAX_UTTERANCE_CHARACTERS,
    TranscriptError,
    json_format,
    load_transcript,
    plain,
    read_transcript,
    subtitles,
)
from alliance_notes.transcripts import limits as transcript_limits
from cli_support import run_cli

#: A word in every hostile input that no message may repeat.
SECRET = "Quokka"
SPACE_AND_TAB = " \t"
#: Far above what any test here takes; reached only by a regression to super-linear time.
LIMIT = 20

pytestmark = pytest.mark.timeout(LIMIT)

FIXTURE = (Path(__file__).parent / "fixtures" / "fillable" / "hand_filled_dap.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quiet_host() -> Host:
    """A host with the built-in extractor, its time budget the default."""
    return create_host(environ={})


def _vtt(*cues: str) -> str:
    """A WebVTT file: one cue per text, a second each."""
    blocks = [
        f"{_clock(number)} --> {_clock(number + 1)}\n{text}" for number, text in enumerate(cues, start=1)
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def _clock(seconds: int, separator: str = ".") -> str:
    """``seconds`` as a cue time, ``00:00:07.000`` (SRT: ``00:00:07,000``)."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}000"


def _error(source: str | bytes) -> TranscriptError:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(source)
    assert SECRET.lower() not in str(caught.value).lower()
    return caught.value


# -- transcripts: what once hung --------------------------------------------------------------------


def test_the_101_byte_webvtt_file_from_the_issue_is_refused_at_once() -> None:
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v" + b".a" * 30 + b"\n"
    assert len(data) == 101
    error = _error(data)
    assert [problem.code for problem in error.problems] == ["no_speaker"]


@pytest.mark.parametrize("classes", [30, 5_000, 200_000])
def test_a_voice_tag_with_many_classes_is_read_in_one_pass(classes: int) -> None:
    never_closed = _vtt("<v" + ".a" * classes + f" {SECRET}")
    assert [problem.code for problem in _error(never_closed).problems] == ["no_speaker"]
    closed = _vtt("<v" + ".loud" * classes + " Therapist>How are you?")
    (turn,) = read_transcript(closed).utterances
    assert (turn.speaker, turn.text) == ("Therapist", "How are you?")


def _plain_turn(lines: int, width: int = 49) -> str:
    """A therapist's question, then the client's answer wrapped over ``lines`` lines."""
    words = (f"we walked by the river and talked about {SECRET} " * 4)[:width]
    return "Therapist: How was the week?\nClient: " + "\n".join([words] * lines) + "\n"


def test_a_1_mb_turn_wrapped_over_20000_lines_is_one_utterance(quiet_host: Host) -> None:
    text = _plain_turn(20_000)
    assert len(text.encode()) > 1_000_000
    transcript = read_transcript(text)
    therapist, client = transcript.utterances
    assert therapist.text == "How was the week?"
    lines = text.splitlines()[1:]
    assert client.text == " ".join(" ".join([lines[0].removeprefix("Client: "), *lines[1:]]).split())
    assert len(client.text) < MAX_UTTERANCE_CHARACTERS
    quiet_host.suggest(transcript)  # the rules read it in time (an overrun would be a warning, an error here)


def test_a_5_mb_turn_over_100000_lines_stops_at_the_utterance_limit() -> None:
    error = _error(_plain_turn(100_000))
    (problem,) = error.problems
    assert (problem.where, problem.code) == ("line 2", "utterance_too_long")
    assert f"{MAX_UTTERANCE_CHARACTERS:,} characters" in problem.message


def test_a_time_followed_by_a_long_run_of_spaces_is_read_in_one_pass() -> None:
    spaces = " " * 200_000
    transcript = read_transcript(
        f"Therapist: hello\n[00:00{spaces}{SECRET}\n[00:00:07]{spaces}Client: fine\n"
    )
    therapist, client = transcript.utterances
    assert therapist.text == f"hello [00:00 {SECRET}"
    assert (client.speaker, client.start, client.text) == ("Client", 7.0, "fine")


@pytest.mark.parametrize("form", ["webvtt", "srt"])
def test_50000_cues_without_a_speaker_join_the_turn_before(form: str) -> None:
    count = 50_000
    if form == "webvtt":
        text = _vtt("<v Therapist>How are you?", *[f"and {SECRET}"] * count)
    else:
        cues = ["Therapist: How are you?", *[f"and {SECRET}"] * count]
        text = "\n\n".join(
            f"{number}\n{_clock(number, ',')} --> {_clock(number + 1, ',')}\n{words}"
            for number, words in enumerate(cues, start=1)
        )
    (turn,) = read_transcript(text).utterances
    assert turn.text == "How are you? " + " ".join([f"and {SECRET}"] * count)
    assert turn.end == count + 2


def test_too_many_cues_without_a_speaker_stop_at_the_utterance_limit() -> None:
    words = "and then some more words were said " * 3
    error = _error(_vtt("<v Therapist>How are you?", *[words] * 10_000))
    assert [problem.code for problem in error.problems] == ["utterance_too_long"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<i>" * 100_000 + SECRET + "</i>" * 100_000, SECRET),
        ("<b>x</b>" * 100_000, "x" * 100_000),
        ("<c.yellow.bg_blue>" * 50_000 + "hi", "hi"),
        ("hi <00:00:01.500>" * 50_000, " ".join(["hi"] * 50_000)),
        ("hi " + "<i" * 100_000, "hi " + "<i" * 100_000),  # never closed: kept as written
        ("hi " + "<1" * 100_000, "hi " + "<1" * 100_000),
        ("hi " + "<" * 100_000, "hi " + "<" * 100_000),
        ("hi " + "<v " * 100_000, "hi " + "<v " * 99_999 + "<v"),
    ],
    ids=[
        "nested",
        "repeated",
        "classes",
        "timestamps",
        "unclosed",
        "not-tags",
        "brackets",
        "unclosed-voices",
    ],
)
def test_many_nested_repeated_or_unclosed_tags_are_read_in_one_pass(payload: str, expected: str) -> None:
    (turn,) = read_transcript(_vtt("<v Therapist>" + payload)).utterances
    assert turn.text == expected


def test_100000_voice_spans_in_one_cue_are_100000_utterances() -> None:
    spans = "".join(f"<v Therapist>Why {number}? <v Client>Because.</v> " for number in range(50_000))
    utterances = read_transcript(_vtt(spans)).utterances
    assert len(utterances) == 100_000
    assert [(turn.speaker, turn.text) for turn in utterances[-2:]] == [
        ("Therapist", "Why 49999?"),
        ("Client", "Because."),
    ]


def test_a_character_reference_too_long_to_decode_is_the_replacement_character() -> None:
    (turn,) = read_transcript(_vtt(f"<v Therapist>&#{'9' * 5000}; &#x41; &#0000000066; &amp;")).utterances
    assert turn.text == "\ufffd A B &"


# -- transcripts: the limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (plain, "".join(f"Therapist: {SECRET} {number}?\nClient: Yes.\n" for number in range(6))),
        (
            json_format,
            json.dumps([{"speaker": "Client", "text": f"{SECRET} {number}"} for number in range(11)]),
        ),
        (subtitles, _vtt(*[f"<v Therapist>{SECRET}?" for _ in range(11)])),
        (
            subtitles,
            "\n\n".join(
                f"{n}\n{_clock(n, ',')} --> {_clock(n + 1, ',')}\nClient: {SECRET}" for n in range(1, 12)
            ),
        ),
    ],
    ids=["text", "json", "webvtt", "srt"],
)
def test_a_transcript_over_the_utterance_limit_is_refused(
    module: object, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MAX_UTTERANCES", 10)
    error = _error(text)
    (problem,) = error.problems
    assert problem.code == "too_many_utterances"
    assert "more than 10 utterances" in problem.message


def test_a_transcript_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alliance_notes import transcripts

    assert transcripts.MAX_TRANSCRIPT_BYTES == transcript_limits.MAX_TRANSCRIPT_BYTES
    monkeypatch.setattr(transcripts, "MAX_TRANSCRIPT_BYTES", 1_000)
    text = f"Therapist: {SECRET}?\nClient: Yes.\n" * 40
    for source in (text, text.encode(), text.encode("utf-16")):
        assert [problem.code for problem in _error(source).problems] == ["too_large"]
    path = tmp_path / "session.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        load_transcript(path)
    assert [problem.code for problem in caught.value.problems] == ["too_large"]
    assert SECRET not in str(caught.value)
    # Within the limit, as characters or as UTF-8 bytes, the same text reads.
    assert len(read_transcript(text[:990]).utterances) > 1


# -- the rule extractor on long turns ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("clinician", "client"),
    [
        ("That makes sense, you know? " * 20_000, "Yes."),  # a validation unless a question follows
        ("That makes sense, you know, " * 20_000, "Yes."),
        ("Can I ask you something " * 20_000, "Yes."),  # a question mark wanted after it
        ("Is this helpful to you " * 20_000, "Yes."),
        ("How are you?", "Are we done here " * 20_000),
    ],
    ids=["validation-questions", "validation-one-sentence", "permission", "feedback", "done"],
)
def test_the_rules_read_a_long_turn_in_linear_time(quiet_host: Host, clinician: str, client: str) -> None:
    transcript = read_transcript(f"Therapist: {clinician}\nClient: {client}\n")
    quiet_host.suggest(transcript)  # an overrun of the extractor's budget would be a warning: an error here


def test_the_bounded_rules_still_read_ordinary_sentences() -> None:
    from alliance_notes_plugins.extractor import default_extractor

    def findings(clinician: str) -> set[str]:
        transcript = read_transcript(f"Therapist: {clinician}\nClient: Yes, I would like that.\n")
        return {detection.finding for detection in default_extractor().detect(transcript)}

    assert "validation" in findings("That makes sense, given everything that happened this week.")
    assert "validation" not in findings("That makes sense, you know?")
    assert "consent_check" in findings("Can I ask you about your brother today?")
    assert "consent_check" not in findings("Can I ask you about your brother today.")


# -- forms --------------------------------------------------------------------------------------------


def _form_with(line: str, after: str = "## Assessment\n") -> str:
    assert FIXTURE.count(after) == 1
    return FIXTURE.replace(after, after + line + "\n")


@pytest.mark.parametrize(
    "line",
    [
        f"## {SECRET}{' ' * 100_000}notes",
        f"##{' ' * 100_000}{SECRET}",
        f"## {SECRET}{' ' * 100_000}- notes",
        f"## {SECRET}{' ' * 100_000}(notes)",
        f"## {SECRET}{SPACE_AND_TAB * 100_000}#",
        f"# {SECRET}{' ' * 100_000}#" + " #" * 100_000,
    ],
    ids=["spaces", "leading", "dash", "hint", "tabs", "closing"],
)
def test_a_heading_with_a_long_run_of_spaces_is_read_in_one_pass(line: str) -> None:
    original = parse_filled(FIXTURE).note
    # The clinician's own heading before the alliance section: a note, left out.
    form = FIXTURE.replace("## Therapeutic alliance\n", line + "\n\n## Therapeutic alliance\n")
    filled = parse_filled(form)
    assert filled.note == original
    heading_line = form.splitlines().index(line) + 1
    assert any(notice.covers(heading_line) for notice in filled.notices)


def test_a_section_heading_padded_with_spaces_is_still_the_section() -> None:
    form = FIXTURE.replace("## Assessment\n", "## Assessment" + " " * 100_000 + "\n")
    assert parse_filled(form).note == parse_filled(FIXTURE).note


@pytest.mark.parametrize(
    "line",
    [
        "  - " + " " * 100_000 + SECRET,
        "  - " + " " * 100_000 + SECRET + " " * 100_000 + "x:",
        "  " + "a" * 100_000 + ": " + SECRET,
        "  - Belongs in" + " " * 100_000 + SECRET,
    ],
    ids=["bullet-spaces", "two-runs", "long-label", "label-spaces"],
)
def test_an_item_line_with_long_runs_of_spaces_is_read_in_one_pass(line: str) -> None:
    form = _form_with(line, "  from two sessions ago.\n")
    built = parse_filled(form).note.alliance.trust.built_by[0]
    assert built.text.startswith("Remembered her sister's name\nfrom two sessions ago.\n")
    assert built.text.endswith(line.strip().split()[-1])


def test_many_comments_never_closed_are_one_problem_on_the_first() -> None:
    # After the form's own comment, so no later --> closes them.
    form = _form_with("<!--" * 100_000 + SECRET, "### Respect\n")
    with pytest.raises(NoteValidationError) as caught:
        parse_filled(form)
    (problem,) = caught.value.problems
    assert problem.code == "comment"
    assert problem.line == form.splitlines().index("### Respect") + 2
    assert SECRET not in str(caught.value)


def test_many_closed_comments_are_blanked_in_one_pass() -> None:
    form = _form_with(f"<!-- {SECRET} -->" * 100_000 + "Still assessing.")
    assessment = parse_filled(form).note.section_text("assessment")
    assert assessment == "Still assessing.\nProgress slow but steady."


def _lines_in_plan(count: int) -> str:
    """The fixture with ``count`` more lines of the clinician's plan."""
    return _form_with("\n".join([f"- {SECRET}"] * count), "## Plan\n")


def test_a_form_of_the_most_lines_allowed_is_read() -> None:
    room = MAX_FORM_LINES - FIXTURE.count("\n")
    plan = parse_filled(_lines_in_plan(room)).note.section_text("plan")
    assert plan is not None
    assert plan.count(SECRET) == room


@pytest.mark.parametrize("extra", [1, 1_000_000])
def test_a_form_over_the_line_limit_stops_at_once(extra: int) -> None:
    form = _lines_in_plan(MAX_FORM_LINES - FIXTURE.count("\n") + extra)
    with pytest.raises(NoteValidationError) as caught:
        parse_filled(form.encode())
    (problem,) = caught.value.problems
    assert (problem.code, problem.line) == ("too_large", MAX_FORM_LINES + 1)
    assert f"more than {MAX_FORM_LINES:,} lines" in problem.message
    assert SECRET not in str(caught.value)


def test_a_form_over_the_character_limit_stops_at_once() -> None:
    with pytest.raises(NoteValidationError) as caught:
        parse_filled(_form_with(SECRET * (MAX_FORM_CHARACTERS // len(SECRET))))
    (problem,) = caught.value.problems
    assert problem.code == "too_large"
    assert f"more than {MAX_FORM_CHARACTERS:,} characters" in problem.message


# -- the command line, once for each shape ---------------------------------------------------------


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a real process, so a hang is a real one."""
    completed = run_cli(*arguments, real=True, timeout=LIMIT)
    assert "Traceback" not in completed.stderr
    assert SECRET.lower() not in completed.stderr.lower()
    return completed


_TRANSCRIPTS: dict[str, tuple[str, Callable[[], str], int]] = {
    # name: (file name, its content, exit status)
    "voice-classes": (
        "redos.vtt",
        lambda: "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v" + ".a" * 30 + "\n",
        2,
    ),
    "voice-classes-closed": ("closed.vtt", lambda: _vtt("<v" + ".a" * 100_000 + " Therapist>Hi."), 0),
    "1-mb-turn": ("long.txt", lambda: _plain_turn(20_000), 0),
    "5-mb-turn": ("longer.txt", lambda: _plain_turn(100_000), 2),
    "cues-without-voice": ("cues.vtt", lambda: _vtt("<v Therapist>Hi.", *[f"and {SECRET}"] * 50_000), 0),
    "nested-tags": (
        "nested.vtt",
        lambda: _vtt("<v Therapist>" + "<i>" * 100_000 + SECRET + "</i>" * 100_000),
        0,
    ),
    "unclosed-tags": ("unclosed.vtt", lambda: _vtt("<v Therapist>hi " + "<i" * 100_000), 0),
    "voice-spans": (
        "voices.vtt",
        lambda: _vtt("".join("<v Therapist>Why? <v Client>Because. " for _ in range(5_000))),
        0,
    ),
}


@pytest.mark.parametrize("shape", list(_TRANSCRIPTS))
def test_extract_finishes_on_every_hostile_transcript(shape: str, tmp_path: Path) -> None:
    name, content, status = _TRANSCRIPTS[shape]
    path = tmp_path / name
    path.write_text(content(), encoding="utf-8")
    completed = _run("extract", str(path))
    assert completed.returncode == status, completed.stderr
    if status == 0:
        json.loads(completed.stdout)
    else:
        (line,) = [line for line in completed.stderr.splitlines() if line.startswith("alliance-notes: error")]
        assert str(path) in line


def test_parse_reads_a_heading_of_spaces_and_stops_a_form_over_the_limit(tmp_path: Path) -> None:
    heading = tmp_path / "heading.md"
    heading.write_text(FIXTURE.replace("## Plan\n", "## Plan" + " " * 100_000 + "\n"), encoding="utf-8")
    completed = _run("parse", str(heading))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["plan"] == "- weekly sessions\n- sleep diary"

    too_long = tmp_path / "too_long.md"
    too_long.write_text(_lines_in_plan(1_000_000), encoding="utf-8")
    completed = _run("parse", str(too_long))
    assert completed.returncode == 2
    assert f"more than {MAX_FORM_LINES:,} lines" in completed.stderr


def test_a_transcript_read_back_is_a_transcript() -> None:
    # The readers' output is still a validated Transcript (what extractors and grounding read).
    transcript = read_transcript(_vtt("<v Therapist>Hi.", "<v Client>Hello."))
    assert isinstance(transcript, Transcript)
    assert [turn.role.value for turn in transcript.utterances] == ["clinician", "client"]
