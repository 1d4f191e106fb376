"""Plugins the plugin tests register: built here once, used by several test modules."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from alliance_notes.plugin_api import OutputFormat, hookimpl


def format_plugin(name: str, render: Any = None, **fields: Any) -> SimpleNamespace:
    """A plugin object that registers one format (by default rendering the note's kind)."""

    @hookimpl
    def alliance_register_formats(register: Any) -> None:
        register(
            OutputFormat(
                name=name,
                title=name.title(),
                media_type="text/plain",
                extension=".txt",
                render=render or (lambda request: request.note.kind),
                **fields,
            )
        )

    return SimpleNamespace(alliance_register_formats=alliance_register_formats)
