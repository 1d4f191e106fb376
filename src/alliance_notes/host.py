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
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alliance_notes.alliance import Alliance
from alliance_notes.audiences import for_audience, placement_findings, warn_if_unplaced
from alliance_notes.check_settings import CheckReport, CheckSettings, apply_settings
from alliance_notes.checks import CheckFinding, Severity
from alliance_notes.errors import AllianceNotesError, PluginError, RenderError, UnknownFormatError
from alliance_notes.formats import OutputFormat, RegisteredFormat, RenderRequest
from alliance_notes.loading import load_note, note_from_data, read_note
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes.plugins import (
    GuardedPluginManager,
    HookOutcomes,
    PluginStatus,
    TimeBudgetError,
    create_plugin_manager,
    describe_exception,
    hook_outcomes,
    load_entry_point_plugins,
    register_plugin,
    running_plugin,
)
from alliance_notes.templating import Templates
from alliance_notes.transcript import Transcript
from alliance_notes.vocabulary import PLACEMENTS, Audience

#: How long one extractor may take on one transcript, in seconds, unless configured otherwise.
DEFAULT_EXTRACTOR_TIMEOUT = 30.0
#: The environment variable that sets the extractor time budget, in seconds.
ENV_EXTRACTOR_TIMEOUT = "ALLIANCE_NOTES_EXTRACTOR_TIMEOUT"


@dataclass(frozen=True)
class RegisteredKind:
    """A note kind together with the plugin that registered it (``core`` for built-ins)."""

    model: type[ProgressNote]
    plugin: str


class _Registrations:
    """What one plugin registers, held back until every plugin has registered, and the
    first thing wrong with it."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.error: str | None = None
        self.formats: dict[str, OutputFormat] = {}
        self.kinds: dict[str, type[ProgressNote]] = {}
        self.template_dirs: list[Path] = []

    def fail(self, reason: str) -> None:
        """Record what is wrong (the first problem is the one reported)."""
        if self.error is None:
            self.error = reason

    def _refuse(self, reason: str) -> PluginError:
        # Recorded here too: a plugin that catches the error still fails.
        self.fail(reason)
        return PluginError(self.plugin, reason)

    def format(self, output_format: OutputFormat) -> None:
        if not isinstance(output_format, OutputFormat):
            raise self._refuse(f"registered a {type(output_format).__name__}, not an OutputFormat")
        if output_format.name in self.formats:
            raise self._refuse(f"registered format '{output_format.name}' twice")
        self.formats[output_format.name] = output_format

    def kind(self, model: type[ProgressNote]) -> None:
        if not (isinstance(model, type) and issubclass(model, ProgressNote)):
            raise self._refuse("registered a note kind that is not a ProgressNote subclass")
        try:
            model.check_kind_definition()
        except TypeError as error:
            raise self._refuse(f"invalid note kind: {error}") from None
        name = model.kind_name()
        if name in BUILT_IN_KINDS:
            raise self._refuse(
                f"note kind '{name}' is already registered by 'core'; "
                f"plugins 'core' and '{self.plugin}' both register it"
            )
        if name in self.kinds:
            raise self._refuse(f"registered note kind '{name}' twice")
        self.kinds[name] = model

    def directories(self, value: Any) -> list[Path]:
        paths = [Path(directory) for directory in value or []]
        if not all(path.is_dir() for path in paths):
            raise self._refuse("contributed a template directory that does not exist")
        self.template_dirs.extend(paths)
        return paths


class _Registering(HookOutcomes):
    """The registration hooks' calls: each plugin's registrations staged under its name."""

    def __init__(self) -> None:
        self.by_plugin: dict[str, _Registrations] = {}

    def of(self, plugin: str) -> _Registrations:
        """What ``plugin`` registered so far."""
        return self.by_plugin.setdefault(plugin, _Registrations(plugin))

    def _running(self) -> _Registrations:
        plugin = running_plugin()
        if plugin is None:
            raise AllianceNotesError("register() can only be called from a registration hook")
        return self.of(plugin)

    def format(self, output_format: OutputFormat) -> None:
        """The ``register`` callback of ``alliance_register_formats``."""
        self._running().format(output_format)

    def kind(self, model: type[ProgressNote]) -> None:
        """The ``register`` callback of ``alliance_register_note_kinds``."""
        self._running().kind(model)

    def accepted(self, plugin: str, hook: str, value: Any) -> Any:
        if hook == "alliance_template_dirs":
            return self.of(plugin).directories(value)
        return value

    def failed(self, plugin: str, hook: str, error: BaseException) -> None:
        if isinstance(error, PluginError) and error.plugin == plugin:
            self.of(plugin).fail(str(error).removeprefix(f"plugin '{plugin}': "))
        else:  # the plugin's own code raised
            self.of(plugin).fail(f"failed while registering: {describe_exception(error)}")


class _Checking(HookOutcomes):
    """``alliance_check_note``'s call: a check that fails becomes an error finding naming it."""

    def accepted(self, plugin: str, hook: str, value: Any) -> list[CheckFinding]:
        return [CheckFinding.model_validate(finding) for finding in value or []]

    def failed(self, plugin: str, hook: str, error: BaseException) -> list[CheckFinding]:
        message = f"the check failed ({type(error).__name__}); its findings are missing"
        return [CheckFinding(check=plugin, severity=Severity.ERROR, location="", message=message)]

    def wrapped(self, plugin: str, hook: str, result: Any) -> list[list[CheckFinding]]:
        return [self.accepted(plugin, hook, findings) for findings in result]


class _Suggesting(HookOutcomes):
    """``alliance_suggest_alliance``'s call: each extractor within the time budget; one that
    fails, overruns or overreaches is left out with a warning naming it."""

    def __init__(self, timeout: float) -> None:
        from alliance_notes.suggestions import (  # noqa: PLC0415  (kept out of import time)
            SuggestionWarning,
            suggestion_problems,
        )

        self.timeout = timeout
        self._problems = suggestion_problems
        self._warning = SuggestionWarning
        self.warnings: list[Warning] = []

    def _leave_out(self, plugin: str, reason: str) -> None:
        self.warnings.append(self._warning(plugin, f"{reason}; its suggestions are left out"))

    def accepted(self, plugin: str, hook: str, value: Any) -> Alliance | None:
        if value is None:
            return None
        suggestion = value if isinstance(value, Alliance) else Alliance.model_validate(value)
        problems = self._problems(suggestion)
        if problems:
            self._leave_out(plugin, "; ".join(problems))
            return None
        return suggestion

    def failed(self, plugin: str, hook: str, error: BaseException) -> None:
        if isinstance(error, TimeBudgetError):
            self._leave_out(plugin, f"{error} (the extractor time budget, {ENV_EXTRACTOR_TIMEOUT})")
        elif isinstance(error, PluginError):
            # The plugin said why, in a message made to be shown (never the transcript).
            self._leave_out(plugin, f"failed: {str(error).removeprefix(f'plugin {error.plugin!r}: ')}")
        else:  # anything else may carry text from the transcript: only its kind is shown
            self._leave_out(plugin, f"failed ({type(error).__name__})")

    def wrapped(self, plugin: str, hook: str, result: Any) -> list[Alliance]:
        if not all(isinstance(suggestion, Alliance) for suggestion in result):
            raise TypeError("a hook wrapper's result holds something that is not an alliance section")
        return list(result)


def _option_text(format: str, name: str, value: object) -> str:
    """A format option as the text formats read: numbers as digits, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int)):
        return str(value)
    raise RenderError(
        f"format '{format}': option {name} must be text, a whole number or true/false, "
        f"not {type(value).__name__}"
    )


class Host:
    """Loaded plugins and what they registered.  Build one with :func:`create_host`."""

    def __init__(
        self,
        manager: GuardedPluginManager,
        plugins: Sequence[PluginStatus],
        template_dirs: Sequence[Path] = (),
        *,
        extractor_timeout: float = DEFAULT_EXTRACTOR_TIMEOUT,
    ) -> None:
        self.manager = manager
        self.plugins: list[PluginStatus] = list(plugins)
        #: Seconds each extractor may take on one transcript (``inf``: no limit).
        self.extractor_timeout = extractor_timeout
        self.formats: dict[str, RegisteredFormat] = {}
        self.kinds: dict[str, RegisteredKind] = {
            name: RegisteredKind(model, "core") for name, model in BUILT_IN_KINDS.items()
        }
        plugin_dirs = self._register()
        # A clinic's template directories are searched first and rendered sandboxed.
        self.templates = Templates(plugin_dirs, clinic_directories=template_dirs)

    def _register(self) -> list[Path]:
        """Call the registration hooks, then take each plugin's registrations, built-ins
        first and then in load order, failing a plugin that registered anything wrong or
        a name taken before it.  Returns the template directories in pluggy's call order."""
        staged = _Registering()
        hook = self.manager.hook
        with hook_outcomes(staged):
            hook.alliance_register_note_kinds(register=staged.kind)
            hook.alliance_register_formats(register=staged.format)
            contributed = hook.alliance_template_dirs()
        for status in sorted(self.plugins, key=lambda status: not status.builtin):
            if status.loaded:
                self._take(status, staged.of(status.name))
        kept = {
            path for status in self.plugins if status.loaded for path in staged.of(status.name).template_dirs
        }
        withdrawn = {
            path
            for status in self.plugins
            if not status.loaded
            for path in staged.of(status.name).template_dirs
        }
        return [
            Path(directory)
            for paths in contributed
            for directory in paths
            if Path(directory) in kept or Path(directory) not in withdrawn
        ]

    def _owner(self, plugin: str) -> str:
        builtin = any(status.builtin for status in self.plugins if status.name == plugin)
        return f"{'built-in ' if builtin else ''}plugin '{plugin}'"

    def _clash(self, plugin: str, staged: _Registrations) -> str | None:
        registered: tuple[tuple[str, Iterable[str], Mapping[str, Any]], ...] = (
            ("note kind", staged.kinds, self.kinds),
            ("format", staged.formats, self.formats),
        )
        for what, names, taken_by in registered:
            for name in names:
                if name in taken_by:
                    taken = taken_by[name].plugin
                    return (
                        f"{what} '{name}' is already registered by {self._owner(taken)}; "
                        f"plugins '{taken}' and '{plugin}' both register it"
                    )
        return None

    def _take(self, status: PluginStatus, staged: _Registrations) -> None:
        """Take what one plugin registered, or fail it and withdraw all it registered."""
        problem = staged.error or self._clash(status.name, staged)
        if problem is not None:
            self._fail(status, problem)
            return
        self.kinds.update({name: RegisteredKind(model, status.name) for name, model in staged.kinds.items()})
        self.formats.update(
            {name: RegisteredFormat(output, status.name) for name, output in staged.formats.items()}
        )
        status.registered = [*(f"kind {k}" for k in staged.kinds), *(f"format {f}" for f in staged.formats)]

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
        **options: str | int | bool,
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
        :param options: format-specific options (see the format's ``options``), as text;
            a whole number is passed on as its digits and ``True``/``False`` as
            ``"yes"``/``"no"``.
        :raises RenderError: naming the format and plugin when its renderer fails
            (whatever it raises, ``SystemExit`` included; only ``KeyboardInterrupt``
            passes through), and for an option the format does not have or a value that
            is not text, a whole number or a boolean.
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
        texts = {name: _option_text(format, name, value) for name, value in options.items()}
        request = RenderRequest(view, placement, texts, self.templates, audience)
        try:
            output = registered.format.render(request)
        except (RenderError, KeyboardInterrupt):
            raise
        except BaseException as error:  # the plugin's failure, SystemExit included
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
        except (AllianceNotesError, KeyboardInterrupt):
            raise
        except BaseException as error:  # the plugin's failure, SystemExit included
            raise RenderError(
                f"reading format '{format}' (plugin '{registered.plugin}') failed: {type(error).__name__}"
            ) from error

    def check(self, note: ProgressNote, settings: CheckSettings | None = None) -> list[CheckFinding]:
        """The findings :meth:`check_report` reports, as a list."""
        return list(self.check_report(note, settings).findings)

    def check_report(self, note: ProgressNote, settings: CheckSettings | None = None) -> CheckReport:
        """Run the core's placement check (:func:`~alliance_notes.audiences.placement_findings`)
        and every plugin's note checks, in pluggy's call order, then apply the note's
        exceptions and the project's settings (:func:`~alliance_notes.check_settings.apply_settings`).
        A check that fails becomes an error finding naming its plugin; the other checks
        still run.

        :param settings: the project's check settings (default: none disabled, every
            check's own severities; see :func:`~alliance_notes.check_settings.load_check_settings`).
        """
        settings = settings or CheckSettings()
        findings = placement_findings(note)
        with hook_outcomes(_Checking()):
            results = self.manager.hook.alliance_check_note(note=note, settings=settings)
        for result in results:
            findings.extend(result)
        return apply_settings(findings, note.check_exceptions, settings)

    def suggest(self, transcript: Transcript, note: ProgressNote | None = None) -> Alliance:
        """Ask every extractor plugin (``alliance_suggest_alliance``) for alliance findings
        and merge them into one section without duplicates, each item keeping the
        provenance of the extractor that suggested it.

        Extractors run in pluggy's call order (``tryfirst`` ones first, then the most
        recently registered), which is also the merge order: for a single answer (the
        trust state) the first extractor that gives one wins.  Each extractor has
        :attr:`extractor_timeout` seconds for the transcript.

        An extractor that fails, runs past its time budget, returns something that is not
        an alliance section, or asserts an absence or a confirmation is left out with a
        :class:`~alliance_notes.suggestions.SuggestionWarning` naming it; the others count.

        :param transcript: the session.
        :param note: the draft note so far, passed on to the extractors.
        :returns: the merged suggestions; an empty (not assessed) section when nothing
            was detected.
        """
        from alliance_notes.suggestions import merge_suggestions  # noqa: PLC0415  (kept out of import time)

        outcomes = _Suggesting(self.extractor_timeout)
        with hook_outcomes(outcomes):
            suggestions = self.manager.hook.alliance_suggest_alliance(transcript=transcript, note=note)
        for warning in outcomes.warnings:
            warnings.warn(warning, stacklevel=2)
        return merge_suggestions(suggestions)


def extractor_timeout_from(environ: Mapping[str, str], timeout: float | None = None) -> float:
    """The extractor time budget: ``timeout`` when given, else ``ALLIANCE_NOTES_EXTRACTOR_TIMEOUT``
    from ``environ``, else :data:`DEFAULT_EXTRACTOR_TIMEOUT` seconds.

    :raises AllianceNotesError: for a value that is not a number of seconds above 0.
    """
    source = "extractor_timeout"
    if timeout is None:
        text = environ.get(ENV_EXTRACTOR_TIMEOUT, "").strip()
        if not text:
            return DEFAULT_EXTRACTOR_TIMEOUT
        source = ENV_EXTRACTOR_TIMEOUT
        try:
            timeout = float(text)
        except ValueError:
            timeout = math.nan
    if not timeout > 0:  # also NaN
        raise AllianceNotesError(
            f"{source} must be a number of seconds above 0, e.g. {DEFAULT_EXTRACTOR_TIMEOUT:g}"
        )
    return timeout


def create_host(
    *,
    environ: Mapping[str, str] | None = None,
    plugins: Iterable[tuple[str, object]] = (),
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
    template_dirs: Sequence[str | Path] = (),
    extractor_timeout: float | None = None,
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
    :param extractor_timeout: seconds each extractor may take on one transcript (default:
        ``ALLIANCE_NOTES_EXTRACTOR_TIMEOUT``, else :data:`DEFAULT_EXTRACTOR_TIMEOUT`);
        ``math.inf`` for no limit.  An extractor that takes longer is left out with a
        warning naming it, and the others' suggestions still count.
    :raises AllianceNotesError: for an extractor time budget that is not above 0.
    """
    environment = os.environ if environ is None else environ
    timeout = extractor_timeout_from(environment, extractor_timeout)
    manager = create_plugin_manager()
    statuses = load_entry_point_plugins(manager, environment, entry_points)
    for name, plugin in plugins:
        statuses.append(register_plugin(manager, plugin, name, None, "registered in code"))
    return Host(
        manager, statuses, [Path(directory) for directory in template_dirs], extractor_timeout=timeout
    )
