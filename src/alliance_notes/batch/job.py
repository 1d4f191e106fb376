"""The per-note step of a batch: one note's bytes in, its rendering (or its problems) out.

A :class:`NoteJob` is a plain, picklable value holding the batch's configuration; called
on an :class:`~alliance_notes.batch.inputs.InputNote` it validates the note, optionally
pairs its transcript (extraction and grounding), runs the checks, renders it and returns a
:class:`NoteResult`.  It never raises for a bad note or a failing plugin: the result says
what went wrong, by field and without the note's text.  Notes are independent, so a batch
is a map of a job over notes, on one process, several (``--jobs``) or a distributed engine::

    job = NoteJob(format="markdown", checks=True)
    results = map(job, json_lines(open("notes.jsonl", "rb")))

The host (the loaded plugins) is built on a job's first call in each process and kept for
its later calls; it is not pickled, so a job sent to a worker process or machine builds its
own from the configuration it carries.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance_notes.audiences import shown_to
from alliance_notes.batch.inputs import MAX_NOTE_BYTES, InputNote
from alliance_notes.errors import AllianceNotesError, NoteValidationError, Problem, RenderError
from alliance_notes.vocabulary import PLACEMENTS, Audience

if TYPE_CHECKING:
    from alliance_notes.host import Host
    from alliance_notes.note import ProgressNote

#: The prefix of the environment variables that configure the host (plugins, extractors).
ENVIRONMENT_PREFIX = "ALLIANCE_NOTES_"

#: The warnings whose messages are the package's own words (they name fields, never text).
_OWN_WARNINGS = ("PlacementWarning", "SuggestionWarning", "TranscriptWarning")


@dataclass(frozen=True)
class NoteResult:
    """What became of one note: its rendering, or the problems that stopped it.

    :param number: the note's place in the batch, from 1.
    :param source: where the note was (``line 12`` or a file name).
    :param line: its line in a JSON Lines input.
    :param id: a stable name for the note: its file's name without the extension, or for a
        line of JSON Lines ``DATE-KIND-FINGERPRINT`` (the session date, the note kind and
        :meth:`InputNote.fingerprint`).  ``None`` when the note could not be read.
    :param text: the rendering; ``None`` when the note failed.
    :param extension: the format's file extension, e.g. ``.md``.
    :param transcript: the name of the transcript file paired with the note, if any.
    :param findings: the check findings and quote problems, as JSON-ready data.
    :param warnings: the warnings given while processing the note (they name fields).
    :param problems: why the note failed, each with ``location``, ``message`` and ``code``.
    """

    number: int
    source: str
    line: int | None = None
    id: str | None = None
    text: str | None = None
    extension: str = ""
    transcript: str | None = None
    findings: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    problems: tuple[dict[str, Any], ...] = ()

    @property
    def failed(self) -> bool:
        """True when the note was not rendered (see :attr:`problems`)."""
        return self.text is None

    def output_record(self, text: bool = True) -> dict[str, Any]:
        """The result as a line of the JSON Lines output (``text`` false: without the
        rendering, for the index of a directory output)."""
        record: dict[str, Any] = {"id": self.id, "source": self.source}
        if text:
            record["text"] = self.text
        else:
            record["file"] = f"{self.id}{self.extension}"
        if self.transcript is not None:
            record["transcript"] = self.transcript
        record["findings"] = list(self.findings)
        record["warnings"] = list(self.warnings)
        return record

    def error_record(self) -> dict[str, Any]:
        """The result as a line of the errors file: where the note was and what is wrong,
        never the note's text."""
        return {"source": self.source, "line": self.line, "problems": list(self.problems)}


def import_reference(reference: str) -> object:
    """The object a ``module`` or ``module:attribute`` reference names (as entry points
    name plugins)."""
    module, _, attributes = reference.partition(":")
    target: object = import_module(module.strip())
    for name in filter(None, attributes.strip().split(".")):
        target = getattr(target, name)
    return target


def _captured_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.startswith(ENVIRONMENT_PREFIX)}


def _problem_data(problem: object, line: int | None) -> dict[str, Any]:
    if isinstance(problem, Problem):
        data = problem.as_dict()
        # A line of JSON Lines is one line: the problem's line is the input's line.
        data["line"] = line if line is not None else problem.line
        return data
    where = getattr(problem, "where", "")
    return {
        "location": f"transcript {where}".strip(),
        "message": getattr(problem, "message", str(problem)),
        "code": getattr(problem, "code", "transcript"),
    }


def _problems_of(error: AllianceNotesError, line: int | None) -> list[dict[str, Any]]:
    listed = getattr(error, "problems", None)
    if listed:
        return [_problem_data(problem, line) for problem in listed]
    return [{"location": "", "message": str(error), "code": type(error).__name__}]


def _warning_texts(caught: Iterable[warnings.WarningMessage]) -> tuple[str, ...]:
    return tuple(
        str(warning.message) if warning.category.__name__ in _OWN_WARNINGS else warning.category.__name__
        for warning in caught
    )


@dataclass(frozen=True)
class NoteJob:
    """The per-note function of a batch, with its configuration; picklable.

    :param format: the output format (``alliance-notes formats`` lists them).
    :param audience: who the rendering is for: ``record``, ``private``, ``client`` or ``review``.
    :param placement: ``section`` or ``inline``.
    :param options: the format's options, as text.
    :param checks: also run the note checks (``Host.check``); their findings go with the result.
    :param transcripts: a directory of session transcripts: a note whose transcript is
        there (see :meth:`transcript_for`) is extended with the suggested alliance findings
        and its evidence quotes are checked against it.
    :param template_dirs: a clinic's template directories (rendered sandboxed).
    :param plugins: extra plugins as ``(name, reference)`` pairs, a reference being
        ``"module:attribute"`` (importable in every worker) or, for one process only, the
        plugin object itself.
    :param environ: the ``ALLIANCE_NOTES_*`` settings the host reads (default: those of
        this process when the job is made, so that a worker elsewhere uses the same).
    :param extractor_timeout: seconds each extractor may take (default: the environment's).
    """

    format: str = "markdown"
    audience: str = Audience.RECORD.value
    placement: str = "section"
    options: Mapping[str, str] = field(default_factory=dict)
    checks: bool = False
    transcripts: Path | None = None
    template_dirs: Sequence[Path] = ()
    plugins: Sequence[tuple[str, object]] = ()
    environ: Mapping[str, str] | None = None
    extractor_timeout: float | None = None

    def __post_init__(self) -> None:
        if self.environ is None:
            object.__setattr__(self, "environ", _captured_environment())

    def __getstate__(self) -> dict[str, Any]:
        # The host is made again from the configuration wherever the job is unpickled.
        return {name: value for name, value in self.__dict__.items() if name != "_host"}

    def host(self) -> Host:
        """The host this job renders with, built on first use in this process."""
        host: Host | None = self.__dict__.get("_host")
        if host is None:
            from alliance_notes.host import create_host  # noqa: PLC0415  (not needed to configure a job)

            plugins = [
                (name, import_reference(plugin) if isinstance(plugin, str) else plugin)
                for name, plugin in self.plugins
            ]
            host = create_host(
                environ=self.environ,
                plugins=plugins,
                template_dirs=self.template_dirs,
                extractor_timeout=self.extractor_timeout,
            )
            object.__setattr__(self, "_host", host)
        return host

    def prepare(self) -> str:
        """Check the configuration once, before any note: the format, its options, the
        audience, the placement and the transcripts directory.  Returns the format's file
        extension.

        :raises AllianceNotesError: naming what is wrong (a usage error, not a note's).
        """
        registered = self.host().format(self.format)
        unknown = sorted(set(self.options) - set(registered.format.options))
        if unknown:
            accepted = ", ".join(sorted(registered.format.options)) or "none"
            raise RenderError(
                f"format '{self.format}' has no option {', '.join(unknown)} (it accepts: {accepted})"
            )
        if self.audience not in {audience.value for audience in Audience}:
            raise RenderError(f"audience must be one of: {', '.join(choice.value for choice in Audience)}")
        if self.placement not in PLACEMENTS:
            raise RenderError(f"placement must be one of: {', '.join(PLACEMENTS)}")
        if self.transcripts is not None and not Path(self.transcripts).is_dir():
            raise AllianceNotesError(f"{self.transcripts}: the transcripts directory does not exist")
        return registered.format.extension

    def transcript_for(self, note: ProgressNote, stem: str | None = None) -> Path | None:
        """The transcript of a note in :attr:`transcripts`, if there is one: the first file
        whose name (before a transcript extension: ``.txt``, ``.json``, ``.vtt``, ``.srt``)
        is the note file's own name (for a directory of notes), else
        ``CLIENT_DATE_NUMBER`` (when the session has a number), else ``CLIENT_DATE``, e.g.
        ``C-0412_2026-03-10.vtt``."""
        if self.transcripts is None:
            return None
        from alliance_notes.transcripts import EXTENSIONS  # noqa: PLC0415  (only with transcripts)

        session = note.session
        names = [stem] if stem else []
        if session.number is not None:
            names.append(f"{session.client}_{session.date.isoformat()}_{session.number}")
        names.append(f"{session.client}_{session.date.isoformat()}")
        for name in names:
            for extension in EXTENSIONS:
                path = Path(self.transcripts) / f"{name}{extension}"
                if path.is_file():
                    return path
        return None

    def __call__(self, note: InputNote) -> NoteResult:
        """Process one note; a bad note or a failing plugin gives a failed result, never an
        exception (``KeyboardInterrupt`` aside)."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = self._process(note)
        except AllianceNotesError as error:
            return NoteResult(
                note.number, note.source, note.line, problems=tuple(_problems_of(error, note.line))
            )
        except (Exception, SystemExit) as error:  # a plugin's or the package's fault: the batch goes on
            message = f"failed unexpectedly ({type(error).__name__}); the other notes go on"
            problem = {"location": "", "message": message, "code": "internal_error"}
            return NoteResult(note.number, note.source, note.line, problems=(problem,))
        return replace(result, warnings=_warning_texts(caught))

    def run_lines(self, lines: Iterable[str | bytes], first_line: int = 1) -> list[NoteResult]:
        """Process consecutive lines of JSON Lines (e.g. one partition of a Dask bag read
        from one file), numbering them from ``first_line``; blank lines hold no note."""
        return [
            self(InputNote.from_line(text, number))
            for number, text in enumerate(lines, start=first_line)
            if text.strip()
        ]

    def _process(self, note: InputNote) -> NoteResult:
        host = self.host()
        if note.unreadable is not None:
            raise NoteValidationError([Problem("", f"cannot be read: {note.unreadable}", "unreadable")])
        if note.too_large:
            message = f"is larger than the {MAX_NOTE_BYTES // (1024 * 1024)} MiB a note may be"
            raise NoteValidationError([Problem("", message, "too_large")])
        model = host.read_note(note.raw)
        identity = note.stem or f"{model.session.date.isoformat()}-{model.kind}-{note.fingerprint()}"
        findings: list[Any] = []
        transcript = self.transcript_for(model, note.stem)
        if transcript is not None:
            from alliance_notes.pipeline import extend  # noqa: PLC0415  (only with transcripts)

            model, _, quote_problems = extend(model, transcript, host=host)
            findings.extend(problem.as_finding() for problem in quote_problems)
        if self.checks:
            findings[:0] = host.check(model)
        # Findings are located on the whole note; the output goes with the audience's view,
        # so it keeps only those about what that view holds (never a private item's).
        audience = Audience(self.audience)
        findings = [finding for finding in findings if shown_to(model, audience, finding.location)]
        text = host.render(model, self.format, self.placement, self.audience, **self.options)
        registered = host.format(self.format)
        return NoteResult(
            note.number,
            note.source,
            note.line,
            id=identity,
            text=text,
            extension=registered.format.extension,
            transcript=transcript.name if transcript is not None else None,
            findings=tuple(finding.model_dump(mode="json") for finding in findings),
        )
