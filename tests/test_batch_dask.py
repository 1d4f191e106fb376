"""A batch as a map on an existing engine: the per-note job over a Dask bag of JSON Lines,
on a local scheduler of worker processes, with the same accounting as the batch command."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_notes.batch import NoteJob
from alliance_notes.batch.inputs import count_notes
from batch_support import mixed_lines, note_line, write_lines

dask_bag = pytest.importorskip("dask.bag")


def test_a_dask_bag_of_json_lines_accounts_for_every_note(tmp_path: Path) -> None:
    files = [
        write_lines(tmp_path / "march.jsonl", mixed_lines()),
        write_lines(tmp_path / "april.jsonl", b"".join(note_line("C-0100", day) for day in range(1, 8))),
    ]
    job = NoteJob(format="fragile", plugins=[("fragile", "batch_support:FRAGILE")], environ={})
    # One partition per file, so that each partition numbers its lines from 1; a line that is
    # not UTF-8 keeps its bytes (surrogateescape) and fails as such, not the whole partition.
    bag = dask_bag.read_text([str(path) for path in files], blocksize=None, errors="surrogateescape")
    results = bag.map_partitions(job.run_lines).compute(scheduler="processes", num_workers=2)
    read = sum(count_notes(path) for path in files)
    written = [result for result in results if not result.failed]
    failed = [result for result in results if result.failed]
    assert len(results) == read == len(written) + len(failed) == 18
    assert [result.line for result in failed] == [2, 4, 7, 10, 12]
    assert {problem["code"] for result in failed for problem in result.problems} >= {"encoding", "json"}
