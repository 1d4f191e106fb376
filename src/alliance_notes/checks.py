"""What a note check reports: findings about a note, by severity, located by field."""

from __future__ import annotations

from pydantic import BaseModel, Field

from alliance_notes.fields import STRICT_MODEL
from alliance_notes.vocabulary import Choice


class Severity(Choice):
    """How much a check finding matters."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class CheckFinding(BaseModel):
    """One finding of a note check.

    The message names the field and what the check noticed; like every message in this
    package it never quotes the note's free text.
    """

    model_config = STRICT_MODEL

    check: str = Field(description="The check that produced the finding, e.g. 'srs-cutoff'.")
    severity: Severity = Field(description="info, warning or error.")
    location: str = Field(description="The field concerned, e.g. 'alliance.measures.srs.total'.")
    message: str = Field(description="What the check noticed, without quoting clinical text.")

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.location}: {self.message} [{self.check}]"
