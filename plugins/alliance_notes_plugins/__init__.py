"""The built-in plugins of alliance-notes: formats, extractors and note checks.

Each module here is an ordinary plugin: it uses only the public API
(``alliance_notes.plugin_api``) and is registered through the ``alliance_notes``
entry-point group, exactly as a third-party plugin would be.  Copy one to start your own.
"""
