"""What goes wrong reading a transcript: errors that stop it, warnings that do not.

Messages name the line (or the JSON item) and never repeat what was said or who said it:
a transcript is clinical content, and a speaker label is often a name.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from alliance_notes.errors import ProblemsError


@dataclass(frozen=True)
class TranscriptProblem:
    """One problem in a transcript, located by ``where`` (``line 12``, ``segments[3]``).

    :param where: the line or item; empty for the whole transcript.
    :param message: what is wrong, never quoting the transcript.
    :param code: a stable machine-readable code, e.g. ``not_utf8``.
    """

    where: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class TranscriptError(ProblemsError):
    """A transcript cannot be read; :attr:`problems` lists every :class:`TranscriptProblem`."""

    subject = "transcript "
    problems: tuple[TranscriptProblem, ...]


class TranscriptWarning(UserWarning):
    """Something odd in a transcript that does not stop it being read (overlapping times,
    a turn with no words, roles inferred from the speakers' behaviour).

    Issued with :func:`warnings.warn`; catch it with :func:`warnings.catch_warnings` to show
    or log it.  :attr:`problem` locates it.
    """

    def __init__(self, problem: TranscriptProblem, source: str | None = None) -> None:
        self.problem = problem
        self.source = source
        prefix = f"transcript {source}: " if source else "transcript: "
        super().__init__(prefix + str(problem))


def warn(problem: TranscriptProblem, source: str | None) -> None:
    """Issue one :class:`TranscriptWarning`, attributed to the caller of the loader."""
    warnings.warn(TranscriptWarning(problem, source), stacklevel=4)
