"""The host: loaded plugins, the formats and note kinds they registered, and the calls a
pipeline makes (read, render, check).

Create one with :func:`create_host` and keep it for as long as you like; there is no
global state, so two hosts with different plugins can live side by side (tests do).

>>> from alliance_notes import create_host
>>> host = create_host()
>>> note = host.load_note("examples/soap_note.json")        # doctest: +SKIP
>>> print(host.render(note, "markdown", placement="inline"))  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.metadata
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from alliance_notes.alliance import Alliance
from alliance_notes.audiences import for_audience, placement_findings, warn_if_unplaced
from alliance_notes.checks import CheckFinding, Severity
from alliance_notes.errors import AllianceNotesError, PluginError, RenderError, UnknownFormatError
from alliance_notes.formats import OutputFormat, RegisteredFormat, RenderRequest
from alliance_notes.loading import load_note, note_from_data, read_note
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes.plugins import (
    PluginStatus,
    create_plugin_manager,
    describe_exception,
    load_entry_point_plugins,
    register_plugin,
)
from alliance_notes.templating import Templates
from alliance_notes.transcript import Transcript
from alliance_notes.vocabulary import PLACEMENTS, Audience


@dataclass(frozen=True)
class RegisteredKind:
    """A note kind together with the plugin that registered it (``core`` for built-ins)."""

    model: type[ProgressNote]
    plugin: str


class _Registrations:
    """What one plugin registers, held back until all its registration hooks succeed."""

    def __init__(
        self, plugin: str, formats: Mapping[str, RegisteredFormat], kinds: Mapping[str, RegisteredKind]
    ):
        self.plugin = plugin
        self._taken_formats = formats
        self._taken_kinds = kinds
        self.formats: dict[str, RegisteredFormat] = {}
        self.kinds: dict[str, RegisteredKind] = {}
        self.template_dirs: list[Path] = []

    def format(self, output_format: OutputFormat) -> None:
        if not isinstance(output_format, OutputFormat):
            raise PluginError(
                self.plugin, f"registered a {type(output_format).__name__}, not an OutputFormat"
            )
        name = output_format.name
        taken = self._taken_formats.get(name) or self.formats.get(name)
        if taken is not None:
            raise PluginError(
                self.plugin,
                f"format '{name}' is already registered by plugin '{taken.plugin}'; "
                f"plugins '{taken.plugin}' and '{self.plugin}' both register it",
            )
        self.formats[name] = RegisteredFormat(output_format, self.plugin)

    def kind(self, model: type[ProgressNote]) -> None:
        if not (isinstance(model, type) and issubclass(model, ProgressNote)):
            raise PluginError(self.plugin, "registered a note kind that is not a ProgressNote subclass")
        try:
            model.check_kind_definition()
        except TypeError as error:
            raise PluginError(self.plugin, f"invalid note kind: {error}") from None
        name = model.kind_name()
        taken = self._taken_kinds.get(name) or self.kinds.get(name)
        if taken is not None:
            raise PluginError(
                self.plugin,
                f"note kind '{name}' is already registered by '{taken.plugin}'; "
                f"plugins '{taken.plugin}' and '{self.plugin}' both register it",
            )
        self.kinds[name] = RegisteredKind(model, self.plugin)


def _call(implementation: pluggy.HookImpl, **arguments: Any) -> Any:
    """Call one plugin's implementation with the arguments it accepts."""
    accepted = {name: arguments[name] for name in implementation.argnames}
    return implementation.function(**accepted)


class Host:
    """Loaded plugins and what they registered.  Build one with :func:`create_host`."""

    def __init__(
        self,
        manager: pluggy.PluginManager,
        plugins: Sequence[PluginStatus],
        template_dirs: Sequence[Path] = (),
    ) -> None:
        self.manager = manager
        self.plugins: list[PluginStatus] = list(plugins)
        self.formats: dict[str, RegisteredFormat] = {}
        self.kinds: dict[str, RegisteredKind] = {
            name: RegisteredKind(model, "core") for name, model in BUILT_IN_KINDS.items()
        }
        plugin_dirs: list[Path] = []
        for status in self.plugins:
            if status.loaded:
                plugin_dirs.extend(self._collect(status))
        # A clinic's template directories are searched first and rendered sandboxed.
        self.templates = Templates(plugin_dirs, clinic_directories=template_dirs)

    def _implementations(self, hook: str, plugin: str) -> list[pluggy.HookImpl]:
        caller = getattr(self.manager.hook, hook)
        return [impl for impl in caller.get_hookimpls() if impl.plugin_name == plugin]

    def _collect(self, status: PluginStatus) -> list[Path]:
        """Run one plugin's registration hooks; on any failure withdraw all it registered."""
        staged = _Registrations(status.name, self.formats, self.kinds)
        try:
            for impl in self._implementations("alliance_register_note_kinds", status.name):
                _call(impl, register=staged.kind)
            for impl in self._implementations("alliance_register_formats", status.name):
                _call(impl, register=staged.format)
            for impl in self._implementations("alliance_template_dirs", status.name):
                for directory in _call(impl) or []:
                    path = Path(directory)
                    if not path.is_dir():
                        raise PluginError(status.name, "contributed a template directory that does not exist")
                    staged.template_dirs.append(path)
        except PluginError as error:
            self._fail(status, str(error).removeprefix(f"plugin '{status.name}': "))
            return []
        except Exception as error:  # the plugin's own code raised
            self._fail(status, f"failed while registering: {describe_exception(error)}")
            return []
        self.kinds.update(staged.kinds)
        self.formats.update(staged.formats)
        status.registered = [*(f"kind {k}" for k in staged.kinds), *(f"format {f}" for f in staged.formats)]
        return staged.template_dirs

    def _fail(self, status: PluginStatus, reason: str) -> None:
        status.error = reason
        self.manager.unregister(name=status.name)

    # -- what a pipeline calls -------------------------------------------------------

    @property
    def failed_plugins(self) -> list[PluginStatus]:
        """Plugins that did not load, with the reason."""
        return [status for status in self.plugins if not status.loaded]

    @property
    def note_models(self) -> dict[str, type[ProgressNote]]:
        """The note model for each kind this host reads."""
        return {name: kind.model for name, kind in self.kinds.items()}

    def read_note(self, source: str | bytes | Mapping[str, Any], name: str | None = None) -> ProgressNote:
        """Validate a note given as JSON text or bytes, or as already-parsed data.

        :raises NoteValidationError: listing every problem, each naming its field.
        """
        if isinstance(source, Mapping):
            return note_from_data(source, self.note_models, name)
        return read_note(source, self.note_models, name)

    def load_note(self, path: str | Path) -> ProgressNote:
        """Read and validate a note from a JSON file."""
        return load_note(path, self.note_models)

    def format(self, name: str) -> RegisteredFormat:
        """The registered format with this name.

        :raises UnknownFormatError: naming the formats that are available.
        """
        try:
            return self.formats[name]
        except KeyError:
            available = ", ".join(sorted(self.formats)) or "none (no format plugin is loaded)"
            raise UnknownFormatError(f"unknown format '{name}'; available: {available}") from None

    def render(
        self,
        note: ProgressNote,
        format: str = "markdown",
        placement: str = "section",
        audience: Audience | str = Audience.RECORD,
        **options: str,
    ) -> str:
        """Render a note in one output format, for one audience.

        :param format: a registered format's name (``alliance-notes formats`` lists them).
        :param placement: ``"section"`` (alliance as its own section) or ``"inline"``.
        :param audience: ``"record"`` (the default: what belongs in the medical record, no
            psychotherapy-note item anywhere), ``"private"`` (the psychotherapy note, a
            separate document), ``"client"`` (a short plain-language summary for the
            client) or ``"review"`` (everything, with every suggestion's rule and
            confidence).  The note is cut down before the format sees it
            (:func:`alliance_notes.audiences.for_audience`).  An item whose place nobody
            recorded counts as private: the record and client views leave it out with a
            :class:`~alliance_notes.audiences.PlacementWarning` naming its field.
        :param options: format-specific options (see the format's ``options``).
        :raises RenderError: naming the format and plugin when its renderer fails.
        """
        registered = self.format(format)
        if placement not in PLACEMENTS:
            raise RenderError(f"placement must be one of: {', '.join(PLACEMENTS)}")
        unknown = sorted(set(options) - set(registered.format.options))
        if unknown:
            accepted = ", ".join(sorted(registered.format.options)) or "none"
            raise RenderError(
                f"format '{format}' has no option {', '.join(unknown)} (it accepts: {accepted})"
            )
        try:
            audience = Audience(audience)
        except ValueError:
            names = ", ".join(choice.value for choice in Audience)
            raise RenderError(f"audience must be one of: {names}") from None
        warn_if_unplaced(note, audience)
        try:
            view = for_audience(note, audience)
        except Exception as error:
            # Name the audience and the kind of failure, never the note's text.
            raise RenderError(
                f"the {audience.value} view of the note could not be made ({type(error).__name__})"
            ) from None
        request = RenderRequest(view, placement, dict(options), self.templates, audience)
        try:
            output = registered.format.render(request)
        except RenderError:
            raise
        except Exception as error:
            raise RenderError(
                f"format '{format}' (plugin '{registered.plugin}') failed: {type(error).__name__}"
            ) from error
        if not isinstance(output, str):
            raise RenderError(
                f"format '{format}' (plugin '{registered.plugin}') returned {type(output).__name__}, not text"
            )
        return output

    @property
    def readable_formats(self) -> list[str]:
        """The names of the formats whose output reads back into a note (``Host.read``)."""
        return [name for name, registered in self.formats.items() if registered.format.read is not None]

    def read(self, text: str, format: str) -> ProgressNote:
        """Read a note back from a structured format's output (for formats that round-trip).

        :raises UnknownFormatError: when the format is unknown or cannot be read back.
        :raises NoteValidationError: when the text is not a valid note in that format.
        """
        registered = self.format(format)
        reader = registered.format.read
        if reader is None:
            readable = ", ".join(sorted(self.readable_formats)) or "none"
            raise UnknownFormatError(
                f"format '{format}' cannot be read back into a note; formats that can: {readable}"
            )
        try:
            return reader(text, self.note_models)
        except AllianceNotesError:
            raise
        except Exception as error:
            raise RenderError(
                f"reading format '{format}' (plugin '{registered.plugin}') failed: {type(error).__name__}"
            ) from error

    def check(self, note: ProgressNote) -> list[CheckFinding]:
        """Run the core's placement check (:func:`~alliance_notes.audiences.placement_findings`)
        and every plugin's note checks.  A check that fails becomes an error finding naming
        its plugin; the other checks still run."""
        findings = placement_findings(note)
        for impl in self.manager.hook.alliance_check_note.get_hookimpls():
            try:
                result = _call(impl, note=note)
                findings.extend(CheckFinding.model_validate(finding) for finding in result or [])
            except Exception as error:
                findings.append(
                    CheckFinding(
                        check=impl.plugin_name,
                        severity=Severity.ERROR,
                        location="",
                        message=f"the check failed ({type(error).__name__}); its findings are missing",
                    )
                )
        return findings

    def suggest(self, transcript: Transcript, note: ProgressNote | None = None) -> Alliance:
        """Ask every extractor plugin (``alliance_suggest_alliance``) for alliance findings
        and merge them into one section without duplicates, each item keeping the
        provenance of the extractor that suggested it.

        An extractor that fails, returns something that is not an alliance section, or
        asserts an absence or a confirmation is left out with a
        :class:`~alliance_notes.suggestions.SuggestionWarning` naming it; the others count.

        :param transcript: the session.
        :param note: the draft note so far, passed on to the extractors.
        :returns: the merged suggestions; an empty (not assessed) section when nothing
            was detected.
        """
        from alliance_notes.suggestions import (  # noqa: PLC0415  (kept out of import time)
            SuggestionWarning,
            merge_suggestions,
            suggestion_problems,
        )

        order = {status.name: position for position, status in enumerate(self.plugins)}
        implementations = sorted(
            self.manager.hook.alliance_suggest_alliance.get_hookimpls(),
            key=lambda impl: order.get(impl.plugin_name, len(order)),
        )
        suggestions: list[Alliance] = []
        for impl in implementations:
            try:
                result = _call(impl, transcript=transcript, note=note)
                if result is None:
                    continue
                suggestion = result if isinstance(result, Alliance) else Alliance.model_validate(result)
            except Exception as error:
                reason = f"failed ({type(error).__name__}); its suggestions are left out"
                warnings.warn(SuggestionWarning(impl.plugin_name, reason), stacklevel=2)
                continue
            problems = suggestion_problems(suggestion)
            if problems:
                reason = f"{'; '.join(problems)}; its suggestions are left out"
                warnings.warn(SuggestionWarning(impl.plugin_name, reason), stacklevel=2)
                continue
            suggestions.append(suggestion)
        return merge_suggestions(suggestions)


def create_host(
    *,
    environ: Mapping[str, str] | None = None,
    plugins: Iterable[tuple[str, object]] = (),
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
    template_dirs: Sequence[str | Path] = (),
) -> Host:
    """Load plugins and return a host ready to read, render and check notes.

    :param environ: where to read ``ALLIANCE_NOTES_PLUGINS`` and
        ``ALLIANCE_NOTES_DISABLE_PLUGINS`` (default: the process environment).
    :param plugins: extra ``(name, plugin)`` pairs to register, e.g. a pipeline's own
        plugin object or a test's; they are guarded like entry points.
    :param entry_points: the entry points to consider instead of the installed ones
        (``[]`` loads none); the environment variables still choose among them.
    :param template_dirs: a clinic's template directories: searched before every other
        template directory, able to extend a built-in template through the ``default:``
        prefix, and rendered in a bounded sandbox with plain data only (see
        :mod:`alliance_notes.templating`).
    """
    manager = create_plugin_manager()
    environment = os.environ if environ is None else environ
    statuses = load_entry_point_plugins(manager, environment, entry_points)
    for name, plugin in plugins:
        statuses.append(register_plugin(manager, plugin, name, None, "registered in code"))
    return Host(manager, statuses, [Path(directory) for directory in template_dirs])
