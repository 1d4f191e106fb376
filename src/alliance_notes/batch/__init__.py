"""Batches: many notes through validation, checks, extraction and rendering, streamed, with
no note lost.

>>> from alliance_notes.batch import NoteJob, read_notes, run_batch
>>> job = NoteJob(format="markdown", checks=True)
>>> summary = run_batch(read_notes("notes.jsonl"), job, "out.jsonl")  # doctest: +SKIP
>>> print(summary)  # doctest: +SKIP
read 1000 notes: 998 written, 2 failed (see out.errors.jsonl); 4.1 s, 244 notes/s

:class:`NoteJob` is the per-note function: a picklable value with its configuration, so
the same batch runs on another engine as a map (``bag.map(job)`` in Dask,
``rdd.map(job)`` in Spark), each result saying whether its note was rendered or why not.
"""

from __future__ import annotations

from alliance_notes.batch.inputs import MAX_NOTE_BYTES, InputNote, directory_notes, json_lines
from alliance_notes.batch.job import NoteJob, NoteResult
from alliance_notes.batch.outputs import BatchOutput
from alliance_notes.batch.runner import BatchInterrupted, BatchSummary, read_notes, results, run_batch

__all__ = [
    "MAX_NOTE_BYTES",
    "BatchInterrupted",
    "BatchOutput",
    "BatchSummary",
    "InputNote",
    "NoteJob",
    "NoteResult",
    "directory_notes",
    "json_lines",
    "read_notes",
    "results",
    "run_batch",
]
