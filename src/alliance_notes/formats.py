"""Output formats: what a format plugin registers, and what its render function receives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from alliance_notes.document import NoteDocument, build_document
from alliance_notes.note import ProgressNote
from alliance_notes.templating import Templates
from alliance_notes.vocabulary import Audience


@dataclass(frozen=True)
class RenderRequest:
    """Everything a format's render function needs for one note.

    :param note: the validated note, already cut down to what the audience may see.
    :param placement: ``"section"`` or ``"inline"`` (see :mod:`alliance_notes.document`).
    :param audience: who the rendering is for (see :mod:`alliance_notes.audiences`); a
        format labels the psychotherapy note as such.
    :param options: format-specific options the caller gave (e.g. a line width), as text.
    :param templates: the host's template search path (clinic, plugins, core).
    """

    note: ProgressNote
    placement: str = "section"
    options: Mapping[str, str] = field(default_factory=dict)
    templates: Templates = field(default_factory=Templates)
    audience: Audience = Audience.REVIEW

    @cached_property
    def document(self) -> NoteDocument:
        """The note as titled sections of items, with the alliance content placed as asked."""
        return build_document(self.note, self.placement, self.audience)

    def render_template(self, family: str, extension: str, document: NoteDocument | None = None) -> str:
        """Render the note with the template family's template for its kind.

        Looks for ``{family}/{kind}.{extension}.j2`` and falls back to
        ``{family}/note.{extension}.j2``, so a format works for note kinds that plugins add.
        The psychotherapy note and the client summary are documents of their own, not a note
        of some kind: for them it looks for ``{family}/{audience}.{extension}.j2`` first.
        The template receives ``document`` (by default :attr:`document`) and ``note``.
        """
        shape = self.note.kind if self.audience in (Audience.RECORD, Audience.REVIEW) else self.audience.value
        return self.templates.render(
            [f"{family}/{shape}.{extension}.j2", f"{family}/note.{extension}.j2"],
            document=document or self.document,
            note=self.note,
            placement=self.placement,
        )


RenderFunction = Callable[[RenderRequest], str]
#: Reads a format's output back into a note; receives the text and the note models by kind.
ReadFunction = Callable[[str, Mapping[str, type[ProgressNote]]], ProgressNote]


class OutputFormat(BaseModel):
    """An output format, as a plugin registers it with ``alliance_register_formats``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,31}$", description="Name used on the command line, e.g. 'markdown'."
    )
    title: str = Field(min_length=1, description="Human name, e.g. 'Markdown'.")
    media_type: str = Field(pattern=r"^[a-z]+/[a-zA-Z0-9.+-]+$", description="IANA media type.")
    extension: str = Field(pattern=r"^\.[a-z0-9.]+$", description="File extension including the dot.")
    render: RenderFunction = Field(description="Turns a RenderRequest into the output text.")
    description: str = Field(default="", description="One sentence on what the format is for.")
    options: Mapping[str, str] = Field(
        default_factory=dict, description="Options the format accepts: name → what it does."
    )
    read: ReadFunction | None = Field(
        default=None,
        description="For a structured format that round-trips: reads its output back into an equal note.",
    )


@dataclass(frozen=True)
class RegisteredFormat:
    """An output format together with the plugin that registered it."""

    format: OutputFormat
    plugin: str

    @property
    def name(self) -> str:
        """The format's name."""
        return self.format.name
