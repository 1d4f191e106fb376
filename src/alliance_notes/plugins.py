"""Loading plugins: entry points, each in its own guard, chosen by environment variables.

Built-in plugins are found through the same ``alliance_notes`` entry-point group a third
party uses.  Two environment variables choose what loads:

* ``ALLIANCE_NOTES_PLUGINS`` — a comma-separated list of entry-point names: only these
  load.  Set it empty to load none.
* ``ALLIANCE_NOTES_DISABLE_PLUGINS`` — a comma-separated list of names that never load.

A plugin that fails to import, implements an unknown ``alliance_`` hook, or has a hook
with the wrong arguments is listed as failed with the reason, and the rest load.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from alliance_notes import hookspecs
from alliance_notes.hookspecs import PROJECT

ENV_ONLY = "ALLIANCE_NOTES_PLUGINS"
ENV_DISABLE = "ALLIANCE_NOTES_DISABLE_PLUGINS"
HOOK_PREFIX = "alliance_"


@dataclass
class PluginStatus:
    """What happened to one plugin: where it came from, its hooks, and any failure."""

    name: str
    version: str | None
    source: str
    hooks: tuple[str, ...] = ()
    error: str | None = None
    registered: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        """True when the plugin is active."""
        return self.error is None


def create_plugin_manager() -> pluggy.PluginManager:
    """A new plugin manager with the alliance hooks and no plugins."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


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


def _unknown_hooks(plugin: object, known: Sequence[str]) -> list[str]:
    return sorted(
        name
        for name in dir(plugin)
        if name.startswith(HOOK_PREFIX) and name not in known and callable(getattr(plugin, name, None))
    )


def describe_exception(error: BaseException) -> str:
    """An exception as ``Type: message``, for plugin failures (plugin code, not note text)."""
    message = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def register_plugin(
    manager: pluggy.PluginManager, plugin: object, name: str, version: str | None, source: str
) -> PluginStatus:
    """Register one plugin object in its own guard and report what happened."""
    known = [spec for spec in dir(hookspecs) if spec.startswith(HOOK_PREFIX)]
    status = PluginStatus(name=name, version=version, source=source)
    unknown = _unknown_hooks(plugin, known)
    if unknown:
        status.error = f"unknown hook{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
        return status
    try:
        manager.register(plugin, name=name)
    except Exception as error:  # pluggy's PluginValidationError, ValueError for a duplicate name
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
    for point in selected_entry_points(environ, entry_points):
        version = point.dist.version if point.dist is not None else None
        source = f"entry point {point.value}"
        try:
            plugin: Any = point.load()
        except Exception as error:  # a broken plugin must not take down the others
            statuses.append(
                PluginStatus(
                    point.name, version, source, error=f"failed to import: {describe_exception(error)}"
                )
            )
            continue
        statuses.append(register_plugin(manager, plugin, point.name, version, source))
    manager.check_pending()
    return statuses
