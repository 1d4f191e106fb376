"""The streaming driver of a batch: notes in, one at a time, results out in the same order,
on this process or on several.

Memory stays flat in the number of notes: notes are read as they are needed, and with
``jobs`` above 1 only a few small chunks of them are in flight at a time.  A note that
fails is written to the errors file and the batch goes on, so at the end (and after an
interruption) ``read == written + failed``.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from alliance_notes.batch.inputs import InputNote, directory_notes, json_lines
from alliance_notes.batch.job import NoteJob, NoteResult
from alliance_notes.batch.outputs import BatchOutput, default_errors_path, partial_path
from alliance_notes.errors import AllianceNotesError

#: Notes sent to a worker process at a time.
CHUNK_NOTES = 16
#: Chunks in flight per worker process: enough to keep it busy, few enough to stay small.
CHUNKS_PER_WORKER = 3


@dataclass
class BatchSummary:
    """How a batch went.  ``read == written + failed`` always, interrupted or not.

    :param read: the notes read (an earlier, resumed run's included).
    :param written: the notes rendered and written.
    :param failed: the notes in the errors file.
    :param resumed: the notes an earlier, interrupted run had completed.
    :param seconds: the time this run took.
    :param last: where the last completed note was (``line 12``, a file name).
    :param output: the output's path (a ``.partial`` one after an interruption).
    :param errors: the errors file's path (likewise).
    """

    output: Path
    errors: Path
    read: int = 0
    written: int = 0
    failed: int = 0
    resumed: int = 0
    seconds: float = 0.0
    last: str | None = None
    interrupted: bool = False

    @property
    def rate(self) -> float:
        """Notes per second in this run."""
        return (self.read - self.resumed) / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        failed = f"{self.failed} failed" + (f" (see {self.errors})" if self.failed else "")
        text = (
            f"read {_notes(self.read)}: {self.written} written, {failed}; "
            f"{self.seconds:.1f} s, {self.rate:.0f} notes/s"
        )
        if self.resumed:
            text += f"; {self.resumed} were done by the interrupted run before"
        return text


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C (``KeyboardInterrupt``); :attr:`summary` says how far it
    got.  The ``.partial`` output files hold the complete results only; run again with
    ``resume=True`` to continue after them."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__(summary)
        self.summary = summary


def read_notes(source: str | Path | BinaryIO) -> Iterator[InputNote]:
    """The notes of a JSON Lines file, of ``-`` (standard input, as JSON Lines), of a binary
    stream, or of a directory's ``*.json`` note files, read as they are needed."""
    if not isinstance(source, (str, Path)):
        return json_lines(source)
    if str(source) == "-":
        return json_lines(sys.stdin.buffer)
    path = Path(source)
    if path.is_dir():
        return directory_notes(path)
    return _file_lines(path)


def _file_lines(path: Path) -> Iterator[InputNote]:
    with path.open("rb") as stream:
        yield from json_lines(stream)


# -- several processes -------------------------------------------------------------

#: The job of this worker process (set once, by the pool's initializer, in the worker only).
_worker_job: NoteJob | None = None


def _start_worker(job: NoteJob) -> None:
    global _worker_job  # noqa: PLW0603  (one job per worker process, made when it starts)
    # Ctrl-C is the main process's to handle: it stops the batch and keeps what is complete.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_job = job
    job.host()


def _work(notes: list[InputNote]) -> list[NoteResult]:
    assert _worker_job is not None  # the pool's initializer sets it
    return [_worker_job(note) for note in notes]


def _chunks(notes: Iterable[InputNote], size: int) -> Iterator[list[InputNote]]:
    iterator = iter(notes)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _in_workers(
    notes: Iterable[InputNote], job: NoteJob, jobs: int, start_method: str | None
) -> Iterator[NoteResult]:
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(job,))
    pending: deque[Future[list[NoteResult]]] = deque()
    try:
        for chunk in _chunks(notes, CHUNK_NOTES):
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= jobs * CHUNKS_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        raise AllianceNotesError(
            "a worker process stopped unexpectedly (killed, or out of memory, or a plugin ended it); "
            "the complete results are kept"
        ) from None
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)


def results(
    notes: Iterable[InputNote], job: NoteJob, jobs: int = 1, start_method: str | None = None
) -> Iterator[NoteResult]:
    """``job`` over ``notes``, in their order: on this process, or with ``jobs`` above 1 on
    that many worker processes (started with ``start_method``: ``"spawn"``, ``"fork"``,
    ``"forkserver"`` or the platform's default)."""
    if jobs <= 1:
        return map(job, notes)
    return _in_workers(notes, job, jobs, start_method)


# -- the batch -----------------------------------------------------------------------


@dataclass
class _Progress:
    """A progress bar on standard error (tqdm, imported only when one is shown)."""

    total: int | None
    initial: int
    shown: bool
    _bar: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.shown:
            from tqdm import tqdm  # noqa: PLC0415  (only for a terminal)

            self._bar = tqdm(
                total=self.total, initial=self.initial, unit=" notes", file=sys.stderr, dynamic_ncols=True
            )

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_batch(
    notes: Iterable[InputNote],
    job: NoteJob,
    output: str | Path,
    *,
    errors: str | Path | None = None,
    jobs: int = 1,
    start_method: str | None = None,
    resume: bool = False,
    progress: bool = False,
    total: int | None = None,
    on_result: Callable[[NoteResult], None] | None = None,
) -> BatchSummary:
    """Run ``job`` over every note and write the results as they come, in the input's order.

    :param notes: the notes, e.g. :func:`read_notes` of a path.
    :param output: a JSON Lines file (``.jsonl``/``.ndjson``) or a directory (one file per
        note, named from its id, and ``index.jsonl``); see
        :class:`~alliance_notes.batch.outputs.BatchOutput`.
    :param errors: the errors file (default: ``OUT.errors.jsonl`` beside a JSON Lines output,
        ``errors.jsonl`` in a directory).
    :param jobs: worker processes (1: this process).
    :param start_method: how workers start (default: the platform's).
    :param resume: continue after the complete results an interrupted run left.
    :param progress: show a progress bar on standard error; ``total`` notes, if known,
        gives it a time left.
    :param on_result: called with each result once it is written.
    :raises BatchInterrupted: on Ctrl-C, after keeping the complete results.
    :raises AllianceNotesError: when the configuration is wrong (before any note) or an
        output file cannot be written.
    """
    started = time.perf_counter()
    job.prepare()
    output = Path(output)
    errors = Path(errors) if errors is not None else default_errors_path(output)
    written = BatchOutput(output, errors, resume)
    summary = BatchSummary(output, errors, resumed=written.done_earlier)
    bar = _Progress(total, summary.resumed, progress)
    taken = _Counted(itertools.islice(notes, summary.resumed, None))
    processed = results(taken, job, jobs, start_method)
    try:
        for result in processed:
            written.add(result)
            summary.last = result.source
            bar.advance()
            if on_result is not None:
                on_result(result)
    except BaseException as error:
        if isinstance(processed, Generator):
            processed.close()  # the worker processes stop, their queued chunks cancelled
        written.keep_complete()
        bar.close()
        # The notes in flight are not done: a resumed run reads them again.
        summary.interrupted = isinstance(error, KeyboardInterrupt)
        _count(summary, written, started, written.written.count + written.failed.count)
        summary.output, summary.errors = partial_path(written.written.path), partial_path(errors)
        if summary.interrupted:
            raise BatchInterrupted(summary) from None
        if isinstance(error, AllianceNotesError):
            raise AllianceNotesError(
                f"{error}; the batch stopped after {_notes(summary.read)}, whose results are in "
                f"{summary.output} and {summary.errors}; once that is fixed, resuming (--resume) "
                "continues after them"
            ) from None
        raise
    bar.close()
    written.finish()
    _count(summary, written, started, summary.resumed + taken.count)
    return summary


def _notes(count: int) -> str:
    return f"{count} note{'' if count == 1 else 's'}"


class _Counted(Iterator[InputNote]):
    """The notes, counting those taken from the input."""

    def __init__(self, notes: Iterator[InputNote]) -> None:
        self._notes = notes
        self.count = 0

    def __next__(self) -> InputNote:
        note = next(self._notes)
        self.count += 1
        return note


def _count(summary: BatchSummary, written: BatchOutput, started: float, read: int) -> None:
    summary.written = written.written.count
    summary.failed = written.failed.count
    summary.read = read
    summary.seconds = time.perf_counter() - started
