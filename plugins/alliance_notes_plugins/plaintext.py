"""Plain-text output: the note with its alliance section and no markup at all, for
pasting into an EHR's note box or printing.

Structure is shown by capitalised headings, underlines and indentation.  Text is written
exactly as the clinician wrote it; continuation lines are indented under their item.
"""

from __future__ import annotations

from alliance_notes.plugin_api import OutputFormat, RegisterFormat, RenderRequest, hookimpl


def render_text(request: RenderRequest) -> str:
    """Render the note as plain text with the built-in (or a clinic's) templates."""
    return request.render_template("text", "txt")


@hookimpl
def alliance_register_formats(register: RegisterFormat) -> None:
    """Register the ``text`` format."""
    register(
        OutputFormat(
            name="text",
            title="Plain text",
            media_type="text/plain",
            extension=".txt",
            render=render_text,
            description="The note without markup, for pasting into an EHR or printing.",
        )
    )
