"""The batch: every note read is written or failed, in order, on one process or several,
and an interrupted batch keeps its complete results and resumes after them."""

from __future__ import annotations

import io
import json
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alliance_notes.batch import (
    BatchInterrupted,
    InputNote,
    NoteJob,
    json_lines,
    read_notes,
    run_batch,
)
from alliance_notes.batch.inputs import count_notes
from alliance_notes.examples import example_notes
from batch_support import BREAKS_THE_PLUGIN, CLINICAL_TEXT, mixed_lines, note_line, write_lines
from cli_support import run_cli

#: A job with the fragile format, its plugin named so that worker processes import it.
FRAGILE_JOB = NoteJob(format="fragile", plugins=[("fragile", "batch_support:FRAGILE")], environ={})
#: The lines of mixed_lines() that hold a note, and those whose note fails.
NOTE_LINES = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
FAILED_LINES = [2, 4, 7, 10, 12]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lines(tmp_path_factory.mktemp("mixed") / "notes.jsonl", mixed_lines())


def _check_mixed_outputs(output: Path, errors: Path) -> None:
    written, failed = _lines(output), _lines(errors)
    assert [int(record["source"].removeprefix("line ")) for record in written] == [
        line for line in NOTE_LINES if line not in FAILED_LINES
    ]
    assert [record["line"] for record in failed] == FAILED_LINES
    assert all(record["problems"] and record["problems"][0]["message"] for record in failed)
    assert CLINICAL_TEXT not in errors.read_text(encoding="utf-8")
    assert "C-BREAK" not in errors.read_text(encoding="utf-8")


def test_every_note_is_written_or_failed_and_none_is_lost(mixed: Path, tmp_path: Path) -> None:
    summary = run_batch(read_notes(mixed), FRAGILE_JOB, tmp_path / "out.jsonl")
    assert (summary.read, summary.written, summary.failed) == (11, 6, 5)
    assert summary.read == summary.written + summary.failed == count_notes(mixed)
    _check_mixed_outputs(tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl")
    failed = {record["line"]: record["problems"] for record in _lines(tmp_path / "out.errors.jsonl")}
    assert failed[2][0]["location"] == "session.date"
    assert failed[4][0]["code"] == "encoding"
    assert failed[7][0]["code"] == "RenderError"
    assert "fragile" in failed[7][0]["message"]
    assert failed[12][0]["code"] == "json"
    assert not list(tmp_path.glob("*.partial"))


#: Python 3.12+ warns when a process with threads (pytest-xdist's) forks; the workers only
#: render, so the fork start method is tested regardless.
FORK_WARNING = "ignore:.*fork\\(\\) may lead to deadlocks:DeprecationWarning"


@pytest.mark.parametrize(
    "start_method", [pytest.param("fork", marks=pytest.mark.filterwarnings(FORK_WARNING)), "spawn"]
)
def test_worker_processes_keep_the_order_and_load_the_plugins(
    mixed: Path, tmp_path: Path, start_method: str
) -> None:
    one = run_batch(read_notes(mixed), FRAGILE_JOB, tmp_path / "one.jsonl")
    two = run_batch(read_notes(mixed), FRAGILE_JOB, tmp_path / "two.jsonl", jobs=2, start_method=start_method)
    assert (two.read, two.written, two.failed) == (one.read, one.written, one.failed)
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert (tmp_path / "two.errors.jsonl").read_bytes() == (tmp_path / "one.errors.jsonl").read_bytes()


def test_the_command_line_reports_and_exits_2_when_some_failed(tmp_path: Path) -> None:
    notes = write_lines(
        tmp_path / "notes.jsonl", note_line("C-0001", 1) + b"not json\n" + note_line("C-0003", 3)
    )
    result = run_cli("batch", str(notes), "--out", str(tmp_path / "out"), "--checks")
    assert result.returncode == 2, result.stderr
    assert "read 3 notes: 2 written, 1 failed" in result.stderr
    index = _lines(tmp_path / "out" / "index.jsonl")
    assert [record["source"] for record in index] == ["line 1", "line 3"]
    for record in index:
        assert (tmp_path / "out" / record["file"]).read_text(encoding="utf-8").startswith("# SOAP note")
        assert record["id"].startswith("2026-03-0") and record["file"].endswith(".md")
    assert _lines(tmp_path / "out" / "errors.jsonl")[0]["line"] == 2
    assert not [path for path in (tmp_path / "out").iterdir() if path.name.endswith(".partial")]


def test_standard_input_all_good_exits_0_and_quiet_says_nothing(tmp_path: Path) -> None:
    result = run_cli(
        "batch", "-", "--out", str(tmp_path / "out.jsonl"), "-f", "text", "--quiet", stdin=note_line()
    )
    assert (result.returncode, result.stderr) == (0, "")
    [record] = _lines(tmp_path / "out.jsonl")
    assert record["source"] == "line 1"
    assert "SOAP" in record["text"]
    assert _lines(tmp_path / "out.errors.jsonl") == []


def test_a_wrong_format_is_a_usage_error_before_any_note(tmp_path: Path) -> None:
    notes = write_lines(tmp_path / "notes.jsonl", note_line())
    result = run_cli("batch", str(notes), "--out", str(tmp_path / "out.jsonl"), "-f", "nonesuch")
    assert result.returncode == 2
    assert "unknown format 'nonesuch'" in result.stderr
    assert list(tmp_path.iterdir()) == [notes]


def test_a_directory_of_notes_pairs_each_with_its_transcript(tmp_path: Path) -> None:
    notes, transcripts = tmp_path / "notes", tmp_path / "transcripts"
    notes.mkdir()
    transcripts.mkdir()
    examples = example_notes()
    shutil.copy(examples["soap"], notes / "soap-0310.json")
    shutil.copy(examples["dap"], notes / "dap-0311.json")
    shutil.copy(examples["soap"].with_name("soap_transcript.txt"), transcripts / "soap-0310.txt")
    result = run_cli(
        "batch",
        str(notes),
        "--out",
        str(tmp_path / "out"),
        "--transcripts",
        str(transcripts),
        "--audience",
        "review",
        "--checks",
    )
    assert result.returncode == 0, result.stderr
    index = {record["id"]: record for record in _lines(tmp_path / "out" / "index.jsonl")}
    assert sorted(index) == ["dap-0311", "soap-0310"]
    assert index["soap-0310"]["transcript"] == "soap-0310.txt"
    assert "transcript" not in index["dap-0311"]
    assert (tmp_path / "out" / "soap-0310.md").is_file()


def test_a_note_over_the_size_limit_is_skipped_unread_and_fails() -> None:
    stream = io.BytesIO(b"x" * 200_000 + b"\n" + note_line())
    first, second = json_lines(stream, limit=100_000)
    assert (first.line, first.too_large, first.raw) == (1, True, b"")
    assert (second.line, second.too_large) == (2, False)
    result = NoteJob(environ={})(first)
    assert result.failed
    assert result.problems[0]["code"] == "too_large"


def test_the_job_pickles_with_its_configuration_and_not_its_host() -> None:
    job = NoteJob(format="fragile", plugins=[("fragile", "batch_support:FRAGILE")], environ={})
    assert job(InputNote.from_line(note_line(), 1)).text == "soap C-0001 2026-03-01"
    copy = pickle.loads(pickle.dumps(job))  # noqa: S301  (our own job, as a worker receives it)
    assert copy == job
    assert "_host" not in copy.__dict__
    assert copy(InputNote.from_line(note_line(BREAKS_THE_PLUGIN), 1)).failed


def _interrupted_after(count: int, notes: Iterator[InputNote]) -> Iterator[InputNote]:
    for number, note in enumerate(notes):
        if number == count:
            raise KeyboardInterrupt
        yield note


def test_an_interrupted_batch_keeps_complete_results_and_resumes(mixed: Path, tmp_path: Path) -> None:
    whole = run_batch(read_notes(mixed), FRAGILE_JOB, tmp_path / "whole.jsonl")
    output = tmp_path / "out.jsonl"
    with pytest.raises(BatchInterrupted) as interrupted:
        run_batch(_interrupted_after(6, read_notes(mixed)), FRAGILE_JOB, output)
    summary = interrupted.value.summary
    assert (summary.read, summary.written, summary.failed, summary.last) == (6, 3, 3, "line 7")
    assert not output.exists()  # the final name only ever holds a complete output
    partial = tmp_path / "out.jsonl.partial"
    assert summary.output == partial
    assert len(_lines(partial)) == 3
    with partial.open("ab") as file:  # a line torn by a crash is not a result
        file.write(b'{"id": "torn')
    resumed = run_batch(read_notes(mixed), FRAGILE_JOB, output, resume=True)
    assert (resumed.resumed, resumed.read, resumed.written, resumed.failed) == (6, 11, 6, 5)
    assert output.read_bytes() == (tmp_path / "whole.jsonl").read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "whole.errors.jsonl").read_bytes()
    assert whole.read == resumed.read
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.filterwarnings(FORK_WARNING)
def test_an_interrupted_batch_on_worker_processes_resumes_to_the_same_output(tmp_path: Path) -> None:
    lines = [note_line("C-0001", day % 28 + 1) if day % 7 else b"not a note\n" for day in range(150)]
    notes = write_lines(tmp_path / "notes.jsonl", b"".join(lines))
    whole = run_batch(read_notes(notes), FRAGILE_JOB, tmp_path / "whole.jsonl")
    output = tmp_path / "out.jsonl"
    with pytest.raises(BatchInterrupted) as interrupted:
        run_batch(
            _interrupted_after(120, read_notes(notes)), FRAGILE_JOB, output, jobs=2, start_method="fork"
        )
    done = interrupted.value.summary
    assert 0 < done.read == done.written + done.failed <= 120
    resumed = run_batch(read_notes(notes), FRAGILE_JOB, output, jobs=2, start_method="fork", resume=True)
    assert (
        (resumed.read, resumed.written, resumed.failed)
        == (whole.read, whole.written, whole.failed)
        == (150, 128, 22)
    )
    assert output.read_bytes() == (tmp_path / "whole.jsonl").read_bytes()


def test_ctrl_c_on_the_command_line_says_how_far_it_got(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = write_lines(tmp_path / "notes.jsonl", b"".join(note_line("C-0001", day) for day in range(1, 6)))
    output = tmp_path / "out.jsonl"
    process = NoteJob.__call__

    def stop_at_the_third(job: NoteJob, note: InputNote) -> Any:
        if note.number == 3:
            raise KeyboardInterrupt
        return process(job, note)

    monkeypatch.setattr(NoteJob, "__call__", stop_at_the_third)
    result = run_cli("batch", str(notes), "--out", str(output))
    assert result.returncode == 130
    assert "interrupted after 2 notes (the last: line 2)" in result.stderr
    assert "--resume" in result.stderr
    monkeypatch.setattr(NoteJob, "__call__", process)
    result = run_cli("batch", str(notes), "--out", str(output), "--resume")
    assert result.returncode == 0, result.stderr
    assert "read 5 notes: 5 written, 0 failed" in result.stderr
    assert "2 were done by the interrupted run before" in result.stderr
    assert [record["source"] for record in _lines(output)] == [f"line {n}" for n in range(1, 6)]


def test_the_progress_bar_counts_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = write_lines(tmp_path / "notes.jsonl", note_line() * 3)
    run_batch(read_notes(notes), FRAGILE_JOB, tmp_path / "out.jsonl", progress=True, total=3)
    progress = capsys.readouterr().err
    assert "3/3" in progress
    assert "notes/s" in progress


def test_an_output_that_cannot_be_written_stops_and_says_where_the_results_are(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(example_notes()["soap"], notes / f"{name}.json")
    (tmp_path / "out" / "b.md").mkdir(parents=True)  # b's rendering cannot take its name
    result = run_cli("batch", str(notes), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "b.md" in result.stderr
    assert "stopped after 1 note," in result.stderr and "index.jsonl.partial" in result.stderr
    assert [record["id"] for record in _lines(tmp_path / "out" / "index.jsonl.partial")] == ["a"]
    shutil.rmtree(tmp_path / "out" / "b.md")
    result = run_cli("batch", str(notes), "--out", str(tmp_path / "out"), "--resume")
    assert result.returncode == 0, result.stderr
    assert [record["id"] for record in _lines(tmp_path / "out" / "index.jsonl")] == ["a", "b", "c"]


def test_findings_that_go_with_the_record_say_nothing_about_private_items() -> None:
    """A finding on an item kept in the psychotherapy note stays out of the record's output
    (it would tell the record the item exists) and is there in the review's."""
    from alliance_notes.examples import examples_dir

    data = json.loads((examples_dir() / "soap_note.json").read_text(encoding="utf-8"))
    data["alliance"]["trust"]["strained_by"].append(
        {"text": "Client was manipulative about the schedule.", "belongs": "psychotherapy_note"}
    )
    line = json.dumps(data).encode("utf-8")
    private_item = f"alliance.trust.strained_by[{len(data['alliance']['trust']['strained_by']) - 1}]"

    def located(audience: str) -> list[str]:
        result = NoteJob(format="text", checks=True, audience=audience, environ={})(
            InputNote.from_line(line, 1)
        )
        assert not result.failed
        return [str(finding["location"]) for finding in result.findings]

    assert any(location.startswith(private_item) for location in located("review"))
    assert not any(location.startswith(private_item) for location in located("record"))
    assert not any(location.startswith(private_item) for location in located("client"))
