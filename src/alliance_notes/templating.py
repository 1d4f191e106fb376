"""Finding and rendering Jinja templates: the core's own, those plugins contribute, and
(with the highest priority) a clinic's.

Every environment uses ``StrictUndefined`` (a missing value is an error, never an empty
string) and autoescapes templates whose output is markup (``*.html.j2``, ``*.xml.j2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from alliance_notes.errors import RenderError

#: Template name suffixes whose output is markup and therefore autoescaped.
MARKUP_EXTENSIONS = ("html.j2", "htm.j2", "xml.j2", "xhtml.j2", "html", "xml")


def core_templates_dir() -> Path:
    """The directory of the built-in templates.

    In an installed wheel the templates live inside the package; in a source checkout
    (an editable install) they are the repository's top-level ``templates/``.
    """
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class Templates:
    """The template search path for one host, with one lazily built Jinja environment.

    :param directories: searched in order, first match wins; the core's own directory is
        always searched last.
    """

    def __init__(self, directories: Sequence[Path] = ()) -> None:
        self.directories: tuple[Path, ...] = (*directories, core_templates_dir())

    @cached_property
    def environment(self) -> jinja2.Environment:
        """The Jinja environment over the search path."""
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(path) for path in self.directories]),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=MARKUP_EXTENSIONS, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )

    def render(self, names: Sequence[str], **context: Any) -> str:
        """Render the first of ``names`` that exists with ``context``.

        Errors in a template are reported with its name and line, never with note text.
        """
        try:
            template = self.environment.select_template(list(names))
        except jinja2.TemplatesNotFound:
            raise RenderError(f"no template found (looked for {', '.join(names)})") from None
        except jinja2.TemplateSyntaxError as error:
            raise RenderError(
                f"template {error.name or error.filename} line {error.lineno}: {error.message}"
            ) from None
        try:
            return template.render(**context)
        except jinja2.UndefinedError as error:
            raise RenderError(f"template {template.name}: {error.message}") from None
