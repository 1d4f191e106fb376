"""Finding and rendering Jinja templates: the core's own, those plugins contribute, and
(with the highest priority) a clinic's.

Every environment uses ``StrictUndefined`` (a missing value is an error, never an empty
string) and autoescapes templates whose output is markup (``*.html.j2``, ``*.xml.j2``).

**Clinic templates** (``create_host(template_dirs=…)``, ``--templates DIR``) override
built-in templates of the same name, and can extend one through the ``default:`` prefix
and change only a block::

    {# markdown/soap.md.j2 in the clinic's directory #}
    {% extends "default:markdown/soap.md.j2" %}
    {% block title %}# Riverside Clinic — {{ document.title }}{% endblock %}

A clinic's templates are not trusted.  When a host has any, every render runs in the
bounded sandbox of :mod:`alliance_notes.sandbox`, the templates receive only plain data
(:func:`plain_data`: dictionaries, lists, text, numbers, dates), and any failure — a
forbidden attribute, a syntax error, a missing variable, a limit reached — is a
:class:`TemplateError` naming the template and line, never the note's text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from alliance_notes.errors import RenderError
from alliance_notes.markup_check import UnsafeMarkupError, check_markup
from alliance_notes.sandbox import ClinicSandbox, RenderLimits, TemplateLimitError, render_budget

#: Template name suffixes whose output is markup and therefore autoescaped.
MARKUP_EXTENSIONS = ("html.j2", "htm.j2", "xml.j2", "xhtml.j2", "html", "xml")

#: The prefix that names a built-in template from a clinic's template of the same name.
DEFAULT_PREFIX = "default:"


def core_templates_dir() -> Path:
    """The directory of the built-in templates.

    In an installed wheel the templates live inside the package; in a source checkout
    (an editable install) they are the repository's top-level ``templates/``.
    """
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class TemplateError(RenderError):
    """A template could not be rendered: it names the template and line, never note text.

    :param template: the template's name (``default:…`` for a built-in one reached from a
        clinic's template), or ``None`` when no template was found at all.
    :param line: the line in that template, when known.
    :param reason: what went wrong.
    """

    def __init__(self, template: str | None, line: int | None, reason: str) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"template {template}" if template else "templates"
        if line is not None:
            where += f" line {line}"
        super().__init__(f"{where}: {reason}")


# -- plain data for untrusted templates ------------------------------------------------------


def plain_data(value: Any) -> Any:
    """``value`` as plain data a clinic's template may safely receive.

    Models and dataclasses become dictionaries, tuples become lists, choices become their
    stored value; text, numbers, booleans, ``None`` and dates pass through.  Properties
    of a dataclass (``Block.recorded``, ``NoteDocument.by_key``) are included.  Nothing
    callable is given: no function, method or object of ours reaches a clinic template.

    :raises RenderError: for anything else, naming its type.
    """
    if value is None or isinstance(value, bool | int | float | Markup):
        return value
    if isinstance(value, Enum):
        return plain_data(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value
    if isinstance(value, BaseModel):
        return plain_data(value.model_dump())
    if isinstance(value, Mapping):
        return {str(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_data(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain_dataclass(value)
    raise RenderError(f"a {type(value).__name__} cannot be given to a clinic template")


def _plain_dataclass(value: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        field.name: plain_data(getattr(value, field.name))
        for field in dataclasses.fields(value)
        if not field.name.startswith("_")
    }
    for name in dir(type(value)):
        if not name.startswith("_") and isinstance(getattr(type(value), name), property):
            data[name] = plain_data(getattr(value, name))
    return data


def _is_markup(name: str | None) -> bool:
    return name is not None and name.endswith(MARKUP_EXTENSIONS)


def _check_clinic_markup(output: str, name: str | None) -> None:
    """Refuse HTML or XML from a clinic's template that could run code or send the note
    elsewhere (:mod:`alliance_notes.markup_check`)."""
    try:
        check_markup(output)
    except UnsafeMarkupError as unsafe:
        raise TemplateError(
            name, None, f"the output has {unsafe}; a clinic's template may not run code or load anything"
        ) from None


# -- loading -----------------------------------------------------------------------------------


class _ClinicLoader(jinja2.BaseLoader):
    """The clinic's directories first, then the built-ins; ``default:NAME`` is the built-in.

    A clinic template must be a file inside one of the clinic's directories (a symbolic
    link that leads elsewhere is not followed) and no larger than the limit.
    """

    def __init__(self, clinic: Sequence[Path], builtin: Sequence[Path], limits: RenderLimits) -> None:
        self.clinic = [path.resolve() for path in clinic]
        self.builtin = jinja2.FileSystemLoader([str(path) for path in builtin])
        self.limits = limits

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(DEFAULT_PREFIX):
            return self.builtin.get_source(environment, template.removeprefix(DEFAULT_PREFIX))
        pieces = jinja2.loaders.split_template_path(template)
        for directory in self.clinic:
            candidate = directory.joinpath(*pieces)
            if not candidate.is_file():
                continue
            if not candidate.resolve().is_relative_to(directory):
                raise TemplateError(template, None, "is a link to a file outside the template directory")
            if candidate.stat().st_size > self.limits.max_template_chars * 4:
                raise TemplateError(template, None, "is too large")
            source = candidate.read_text(encoding="utf-8")
            if len(source) > self.limits.max_template_chars:
                raise TemplateError(
                    template, None, f"is longer than {self.limits.max_template_chars} characters"
                )
            modified = candidate.stat().st_mtime
            return source, str(candidate), lambda path=candidate, seen=modified: path.stat().st_mtime == seen
        return self.builtin.get_source(environment, template)


# -- where an error happened -------------------------------------------------------------------

_SAFE_NAME = re.compile(r"^[\w.:/-]{1,200}$")


def _safe_name(name: object) -> str:
    """A name from an error message, or a placeholder if it could be note text."""
    text = str(name)
    return text if _SAFE_NAME.match(text) else "(a value)"


def _template_frames(
    error: BaseException, names: Callable[[str], str | None]
) -> tuple[str | None, int | None]:
    """The innermost template and line in ``error``'s (Jinja-rewritten) traceback."""
    found: tuple[str | None, int | None] = (None, None)
    tb: TracebackType | None = error.__traceback__
    for frame, line in traceback.walk_tb(tb):
        name = names(frame.f_code.co_filename)
        if name is not None:
            found = (name, line)
    return found


_UNDEFINED = re.compile(r"'(?P<name>[^']*)' (?P<rest>is undefined|has no attribute '(?P<attr>[^']*)')")


def _undefined_reason(message: str | None) -> str:
    """Jinja's undefined message, with any name that could be note text replaced."""
    text = message or "a value is undefined"
    match = _UNDEFINED.search(text)
    if match is None:
        return "a value is undefined"
    if match.group("attr") is not None:
        return f"{_safe_name(match.group('name'))} has no attribute {_safe_name(match.group('attr'))}"
    return f"{_safe_name(match.group('name'))} is undefined"


def _reason(error: Exception) -> str:
    """What went wrong, in words that never carry the note's text."""
    if isinstance(error, TemplateLimitError):
        return str(error)
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"not allowed: {error} (templates may use only the note's data)"
    if isinstance(error, jinja2.UndefinedError):
        return _undefined_reason(error.message)
    if isinstance(error, jinja2.TemplatesNotFound):
        return "includes a template that does not exist: " + ", ".join(_safe_name(n) for n in error.templates)
    if isinstance(error, jinja2.TemplateNotFound):
        return f"includes a template that does not exist: {_safe_name(error.name)}"
    if isinstance(error, RecursionError):
        return "recurses too deeply (a macro, block or include that calls itself without end)"
    if isinstance(error, MemoryError):
        return "ran out of memory"
    if isinstance(error, jinja2.TemplateRuntimeError):
        return "failed while rendering"
    return f"failed while rendering ({type(error).__name__})"


class Templates:
    """The template search path for one host.

    :param directories: trusted directories (plugins'), searched in order; the core's own
        directory is always searched last.
    :param clinic_directories: a clinic's directories, searched first and rendered in the
        sandbox (see the module documentation).
    :param limits: the bounds on each render of a clinic's templates.
    """

    def __init__(
        self,
        directories: Sequence[Path] = (),
        *,
        clinic_directories: Sequence[Path] = (),
        limits: RenderLimits | None = None,
    ) -> None:
        self.directories: tuple[Path, ...] = (*directories, core_templates_dir())
        self.clinic_directories: tuple[Path, ...] = tuple(Path(path) for path in clinic_directories)
        self.limits = limits or RenderLimits()
        for directory in self.clinic_directories:
            if not directory.is_dir():
                raise RenderError(f"template directory {directory} does not exist")

    @property
    def sandboxed(self) -> bool:
        """True when renders run in the sandbox (the host has a clinic's templates)."""
        return bool(self.clinic_directories)

    @cached_property
    def environment(self) -> jinja2.Environment:
        """The Jinja environment over the trusted search path."""
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(path) for path in self.directories]),
            autoescape=jinja2.select_autoescape(enabled_extensions=MARKUP_EXTENSIONS, default=False),
            **self._options(),
        )

    @cached_property
    def sandbox(self) -> ClinicSandbox:
        """The sandboxed environment over the clinic's directories and the trusted path."""
        return ClinicSandbox(
            self.limits,
            loader=_ClinicLoader(self.clinic_directories, self.directories, self.limits),
            autoescape=jinja2.select_autoescape(enabled_extensions=MARKUP_EXTENSIONS, default=False),
            **self._options(),
        )

    @staticmethod
    def _options() -> dict[str, Any]:
        return {
            "undefined": jinja2.StrictUndefined,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
            "auto_reload": False,
        }

    def _template_name(self, filename: str) -> str | None:
        """The name to report for a template file, or ``None`` if it is not a template."""
        path = Path(os.path.abspath(filename))
        for directory in self.clinic_directories:
            root = directory.resolve()
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        for directory in self.directories:
            root = directory.resolve() if directory.exists() else directory
            if path.is_relative_to(root):
                prefix = DEFAULT_PREFIX if self.sandboxed else ""
                return prefix + path.relative_to(root).as_posix()
        return None

    def render(self, names: Sequence[str], **context: Any) -> str:
        """Render the first of ``names`` that exists with ``context``.

        With a clinic's templates the render is sandboxed and bounded, and ``context``
        is passed as :func:`plain_data`.

        :raises TemplateError: naming the template and line, never with note text.
        """
        if self.sandboxed:
            return self._render(
                self.sandbox, names, {key: plain_data(value) for key, value in context.items()}
            )
        return self._render(self.environment, names, context)

    def _render(self, environment: jinja2.Environment, names: Sequence[str], context: dict[str, Any]) -> str:
        with render_budget(self.limits):
            try:
                template = environment.select_template(list(names))
                chunks = []
                produced = 0
                for chunk in template.generate(**context):
                    produced += len(chunk)
                    if self.sandboxed and produced > self.limits.max_output_chars:
                        raise TemplateLimitError(
                            f"the output would be longer than {self.limits.max_output_chars} characters"
                        )
                    chunks.append(chunk)
                output = "".join(chunks)
                if self.sandboxed and environment.autoescape and _is_markup(template.name):
                    _check_clinic_markup(output, template.name)
                return output
            except TemplateError:
                raise
            except jinja2.TemplatesNotFound:
                raise TemplateError(
                    None, None, f"no template found (looked for {', '.join(names)})"
                ) from None
            except jinja2.TemplateSyntaxError as error:
                name = error.name or (self._template_name(error.filename) if error.filename else None)
                raise TemplateError(name, error.lineno, f"syntax error: {error.message}") from None
            except Exception as error:
                template_name, line = _template_frames(error, self._template_name)
                raise TemplateError(template_name, line, _reason(error)) from None
