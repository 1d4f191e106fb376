"""Loading plugins and guarding what they run.

Built-in plugins are found through the same ``alliance_notes`` entry-point group a third
party uses.  Two environment variables choose what loads:

* ``ALLIANCE_NOTES_PLUGINS`` — a comma-separated list of entry-point names: only these
  load.  Set it empty to load none.
* ``ALLIANCE_NOTES_DISABLE_PLUGINS`` — a comma-separated list of names that never load.

A hook implementation is what pluggy recognises: a function marked with
:data:`~alliance_notes.hookspecs.hookimpl`, named after its hook (or naming it with
``specname``).  Any other attribute is the plugin's own business, whatever its name.  A
plugin that fails to import, marks an implementation of a hook this version does not have
(unless marked ``optionalhook``) or has a hook with the wrong arguments is listed as failed
with the reason, and the rest load.

Every hook implementation runs in its own guard (:class:`GuardedPluginManager`), and hooks
are called through pluggy as usual (``manager.hook.alliance_check_note(note=…, settings=…)``), so
``tryfirst``/``trylast``, hook wrappers and tracing work.  What the guard does with an
implementation's value or failure is up to the caller (:class:`HookOutcomes`, set with
:func:`hook_outcomes`); by default a failure is a :class:`~alliance_notes.errors.PluginError`
naming the plugin.  Everything a plugin raises, ``SystemExit`` included, is its failure;
only ``KeyboardInterrupt`` (the user's Ctrl-C) passes through.
"""

from __future__ import annotations

import contextvars
import ctypes
import email.parser
import functools
import importlib.metadata
import math
import re
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pluggy

from alliance_notes import hookspecs
from alliance_notes.errors import PluginError
from alliance_notes.hookspecs import PROJECT

ENV_ONLY = "ALLIANCE_NOTES_PLUGINS"
ENV_DISABLE = "ALLIANCE_NOTES_DISABLE_PLUGINS"
#: The package of the built-in plugins, shipped in the ``alliance-notes`` distribution.
BUILT_IN_PACKAGE = "alliance_notes_plugins"
_DISTRIBUTION = "alliance-notes"


@dataclass
class PluginStatus:
    """What happened to one plugin: where it came from, its hooks, and any failure."""

    name: str
    version: str | None
    source: str
    hooks: tuple[str, ...] = ()
    error: str | None = None
    registered: list[str] = field(default_factory=list)
    #: A plugin shipped with alliance-notes; it keeps its format names in a clash.
    builtin: bool = False

    @property
    def loaded(self) -> bool:
        """True when the plugin is active."""
        return self.error is None


# -- what happens to each implementation's outcome -------------------------------------------


class TimeBudgetError(Exception):
    """An implementation ran past its time budget; the host stopped waiting for it."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        super().__init__(f"took longer than {budget:g} s")


class HookOutcomes:
    """What one hook call does with each implementation's outcome.

    The guard calls :meth:`accepted` with what an implementation returned (an exception
    it raises counts as the implementation's failure), :meth:`failed` when it raised,
    and :meth:`wrapped` with what a hook wrapper made of the call's result.  Whatever
    they return is what pluggy gets.  This base class keeps values as they are and
    raises a :class:`~alliance_notes.errors.PluginError` naming the plugin on failure.
    """

    #: Seconds each (non-wrapper) implementation may take; ``None`` for no limit.
    timeout: float | None = None

    def accepted(self, plugin: str, hook: str, value: Any) -> Any:
        """The value pluggy gets for what the plugin's implementation returned."""
        return value

    def failed(self, plugin: str, hook: str, error: BaseException) -> Any:
        """The value pluggy gets instead of a failed implementation's (``None``: nothing)."""
        raise PluginError(plugin, f"{hook} failed ({type(error).__name__})") from error

    def wrapped(self, plugin: str, hook: str, result: Any) -> Any:
        """The call's result as the plugin's hook wrapper changed it."""
        return result


_OUTCOMES: contextvars.ContextVar[HookOutcomes | None] = contextvars.ContextVar(
    "alliance_notes_hook_outcomes", default=None
)
_RUNNING: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "alliance_notes_running_plugin", default=None
)
_DEFAULT_OUTCOMES = HookOutcomes()


@contextmanager
def hook_outcomes(outcomes: HookOutcomes) -> Iterator[None]:
    """Within this block (in this thread or task), guarded hook calls use ``outcomes``."""
    token = _OUTCOMES.set(outcomes)
    try:
        yield
    finally:
        _OUTCOMES.reset(token)


def running_plugin() -> str | None:
    """The name of the plugin whose hook implementation is running, if any."""
    return _RUNNING.get()


def _outcomes() -> HookOutcomes:
    return _OUTCOMES.get() or _DEFAULT_OUTCOMES


# -- the time budget -------------------------------------------------------------------------


class _Stopped(BaseException):
    """Raised inside an abandoned implementation's thread to stop it (a BaseException, so
    that a plugin's ``except Exception`` does not catch it)."""


def _raise_in_thread(thread: threading.Thread, exception: type[BaseException] | None) -> None:
    """Ask CPython to raise ``exception`` in ``thread`` at its next Python instruction, or
    with ``None`` to withdraw one not raised yet.  Elsewhere, do nothing."""
    if thread.ident is None or sys.implementation.name != "cpython":
        return
    argument = None if exception is None else ctypes.py_object(exception)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), argument)


class _Worker:
    """One implementation run in a daemon thread, so the caller can stop waiting for it.

    A daemon thread cannot keep the process alive.  An abandoned implementation is also
    asked to stop (an exception raised in its thread): that ends Python code stuck in a
    loop, while a call blocked outside Python ends when that call returns.
    """

    def __init__(self, call: Callable[[], Any], name: str) -> None:
        self._call = call
        self._lock = threading.Lock()
        self._finished = False
        self._stop_sent = False
        self._value: Any = None
        self._error: BaseException | None = None
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._run,), name=name, daemon=True)

    def result(self, timeout: float) -> Any:
        """The implementation's value, or its exception raised here; TimeBudgetError
        when it takes longer than ``timeout`` seconds."""
        self._thread.start()
        try:
            self._thread.join(timeout)
        finally:  # also when the user's Ctrl-C ends the wait
            overrun = self._thread.is_alive()
            if overrun:
                self._stop()
        if overrun:
            raise TimeBudgetError(timeout)
        if self._error is not None:
            raise self._error
        return self._value

    def _run(self) -> None:
        try:
            try:
                value = self._call()
            except BaseException as error:  # handed to the calling thread
                self._finish(None, error)
            else:
                self._finish(value, None)
        except _Stopped:  # the stop arrived after the implementation ended; nobody waits
            self._finish(None, None)

    def _finish(self, value: Any, error: BaseException | None) -> None:
        with self._lock:
            if self._stop_sent:
                _raise_in_thread(self._thread, None)
            if not self._finished:
                self._finished = True
                self._value, self._error = value, error

    def _stop(self) -> None:
        with self._lock:
            if not (self._finished or self._stop_sent):
                self._stop_sent = True
                _raise_in_thread(self._thread, _Stopped)


def _call_within(timeout: float | None, call: Callable[[], Any], name: str) -> Any:
    if timeout is None or math.isinf(timeout):
        return call()
    return _Worker(call, name).result(timeout)


# -- the guards ------------------------------------------------------------------------------


def _with_failure(result: Any, replacement: Any) -> Any:
    """A hook call's result with a failed wrapper's replacement value added, if any."""
    if replacement is None or not isinstance(result, list):
        return result
    return [*result, replacement]


def _guard_call(implementation: pluggy.HookImpl, hook: str) -> Callable[..., Any]:
    """Guard an ordinary implementation: run within the time budget, its value or failure
    handed to the outcomes in effect, with the running plugin known to callbacks."""
    function: Callable[..., Any] = implementation.function
    plugin = implementation.plugin_name

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        outcomes = _outcomes()
        token = _RUNNING.set(plugin)
        try:
            value = _call_within(
                outcomes.timeout,
                functools.partial(function, *args, **kwargs),
                f"alliance-notes {hook} of '{plugin}'",
            )
            return outcomes.accepted(plugin, hook, value)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the plugin's failure, SystemExit included
            return outcomes.failed(plugin, hook, error)
        finally:
            _RUNNING.reset(token)

    return guarded


def _thrown_into(teardown: Generator[Any, Any, Any], error: BaseException) -> Any:
    """Give a wrapper the exception the call ended with; its return value, if it handles it."""
    try:
        teardown.throw(error)
    except StopIteration as stop:
        return stop.value
    teardown.close()
    raise error


def _guard_wrapper(implementation: pluggy.HookImpl, hook: str) -> Callable[..., Any]:
    """Guard a new-style (``wrapper=True``) hook wrapper: if it fails, the call's result
    stands as if it were not there, with the failure's value added."""
    function: Callable[..., Any] = implementation.function
    plugin = implementation.plugin_name

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Generator[None, Any, Any]:
        outcomes = _outcomes()
        try:
            teardown: Generator[Any, Any, Any] = function(*args, **kwargs)
            next(teardown)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # StopIteration: it did not yield
            return _with_failure((yield), outcomes.failed(plugin, hook, error))
        try:
            result = yield
        except BaseException as error:  # not a plugin's failure: those are guarded
            return _thrown_into(teardown, error)
        try:
            teardown.send(result)
        except StopIteration as stop:
            try:
                return outcomes.wrapped(plugin, hook, stop.value)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                return _with_failure(result, outcomes.failed(plugin, hook, error))
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _with_failure(result, outcomes.failed(plugin, hook, error))
        teardown.close()
        return _with_failure(result, outcomes.failed(plugin, hook, RuntimeError("the wrapper yielded twice")))

    return guarded


def _guard_old_style_wrapper(implementation: pluggy.HookImpl, hook: str) -> Callable[..., Any]:
    """Guard an old-style (``hookwrapper=True``) hook wrapper in the same way."""
    function: Callable[..., Any] = implementation.function
    plugin = implementation.plugin_name

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Generator[None, Any, None]:
        outcomes = _outcomes()

        def fail(outcome: pluggy.Result[Any], before: Any, error: BaseException) -> None:
            replacement = outcomes.failed(plugin, hook, error)
            if outcome.exception is None:
                outcome.force_result(_with_failure(before, replacement))

        try:
            teardown: Generator[Any, Any, Any] = function(*args, **kwargs)
            next(teardown)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            outcome = yield
            fail(outcome, outcome.get_result() if outcome.exception is None else None, error)
            return
        outcome = yield
        before = outcome.get_result() if outcome.exception is None else None
        try:
            teardown.send(outcome)
        except StopIteration:
            if outcome.exception is None:
                try:
                    outcome.force_result(outcomes.wrapped(plugin, hook, outcome.get_result()))
                except KeyboardInterrupt:
                    raise
                except BaseException as error:
                    fail(outcome, before, error)
            return
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            fail(outcome, before, error)
            return
        teardown.close()
        fail(outcome, before, RuntimeError("the wrapper yielded twice"))

    return guarded


def _guard(implementation: pluggy.HookImpl, hook: str) -> None:
    if implementation.hookwrapper:
        guarded = _guard_old_style_wrapper(implementation, hook)
    elif implementation.wrapper:
        guarded = _guard_wrapper(implementation, hook)
    else:
        guarded = _guard_call(implementation, hook)
    # ``function`` is typed Final in pluggy, but it is the attribute pluggy calls.
    implementation.function = guarded  # type: ignore[misc]


class GuardedPluginManager(pluggy.PluginManager):
    """A plugin manager that puts every hook implementation it registers in a guard.

    Call hooks as with any pluggy manager.  Each implementation's value and failure go
    to the :class:`HookOutcomes` in effect (:func:`hook_outcomes`), which also sets the
    time budget of each implementation.
    """

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register a plugin (see :meth:`pluggy.PluginManager.register`) and guard its
        hook implementations."""
        registered = super().register(plugin, name)
        if registered is not None:
            for caller in self.get_hookcallers(plugin) or ():
                for implementation in caller.get_hookimpls():
                    if implementation.plugin_name == registered:
                        _guard(implementation, caller.name)
        return registered


def create_plugin_manager() -> GuardedPluginManager:
    """A new plugin manager with the alliance hooks and no plugins."""
    manager = GuardedPluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


# -- loading ---------------------------------------------------------------------------------


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def selected_entry_points(
    environ: Mapping[str, str],
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> list[importlib.metadata.EntryPoint]:
    """The entry points to load, after the environment's choices, sorted by name."""
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=PROJECT)
    only = _names(environ.get(ENV_ONLY))
    disabled = _names(environ.get(ENV_DISABLE)) or set()
    chosen = [
        point for point in entry_points if (only is None or point.name in only) and point.name not in disabled
    ]
    return sorted(chosen, key=lambda point: point.name)


def distribution_of(point: importlib.metadata.EntryPoint) -> tuple[str, str | None] | None:
    """The name and version of the distribution an entry point comes from (``None`` when it
    has none), read from the headers of its metadata only.

    ``Distribution.name`` and ``.version`` parse the whole metadata each time they are read,
    and the metadata holds the long description too (often a whole README): for a
    distribution of several plugins that was about half of :func:`create_host`'s time.
    """
    dist = getattr(point, "dist", None)
    if dist is None:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    headers = email.parser.HeaderParser().parsestr(text.replace("\r\n", "\n").partition("\n\n")[0])
    name = headers.get("Name")
    if name is None:  # no readable metadata: what importlib.metadata makes of it
        return dist.name, dist.version
    return str(name), headers.get("Version")


def is_built_in(
    point: importlib.metadata.EntryPoint, distribution: tuple[str, str | None] | None = None
) -> bool:
    """True for an entry point to a module of the built-in plugins' package, shipped in
    the alliance-notes distribution.

    :param distribution: the entry point's :func:`distribution_of`, if already read.
    """
    module = point.value.partition(":")[0].strip()
    if module != BUILT_IN_PACKAGE and not module.startswith(f"{BUILT_IN_PACKAGE}."):
        return False
    distribution = distribution or distribution_of(point)
    return distribution is None or re.sub(r"[-_.]+", "-", distribution[0]).lower() == _DISTRIBUTION


def unknown_hooks(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """The hooks a plugin marks implementations of that this version does not specify,
    found as pluggy finds implementations; ``optionalhook`` ones are allowed, as in pluggy."""
    unknown = set()
    for attribute in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attribute)
        if options is None or options.get("optionalhook"):
            continue
        hook = options.get("specname") or attribute
        caller = getattr(manager.hook, hook, None)
        if caller is None or not caller.has_spec():
            unknown.add(hook)
    return sorted(unknown)


def describe_exception(error: BaseException) -> str:
    """An exception as ``Type: message``, for plugin failures (plugin code, not note text)."""
    message = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def register_plugin(
    manager: pluggy.PluginManager,
    plugin: object,
    name: str,
    version: str | None,
    source: str,
    *,
    builtin: bool = False,
) -> PluginStatus:
    """Register one plugin object in its own guard and report what happened."""
    status = PluginStatus(name=name, version=version, source=source, builtin=builtin)
    try:
        unknown = unknown_hooks(manager, plugin)
        if unknown:
            status.error = f"unknown hook{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
            return status
        manager.register(plugin, name=name)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # PluginValidationError, a duplicate name, the plugin's own code
        status.error = describe_exception(error)
        return status
    status.hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
    return status


def load_entry_point_plugins(
    manager: pluggy.PluginManager,
    environ: Mapping[str, str],
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> list[PluginStatus]:
    """Load and register every chosen entry point, each in its own guard."""
    statuses = []
    # The entry points of one distribution share its object: its metadata is read once.
    distributions: dict[int, tuple[str, str | None] | None] = {}
    for point in selected_entry_points(environ, entry_points):
        key = id(getattr(point, "dist", None))
        if key not in distributions:
            distributions[key] = distribution_of(point)
        distribution = distributions[key]
        version = distribution[1] if distribution is not None else None
        source = f"entry point {point.value}"
        builtin = is_built_in(point, distribution)
        try:
            plugin: Any = point.load()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a broken plugin (even one calling sys.exit) must not stop the rest
            failure = f"failed to import: {describe_exception(error)}"
            statuses.append(PluginStatus(point.name, version, source, error=failure, builtin=builtin))
            continue
        statuses.append(register_plugin(manager, plugin, point.name, version, source, builtin=builtin))
    return statuses
