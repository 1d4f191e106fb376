"""The hooks a plugin implements.  These docstrings are the hook reference.

A plugin is a module (or object) with functions named after these hooks and decorated
with :data:`hookimpl`, made known through the ``alliance_notes`` entry-point group::

    [project.entry-points.alliance_notes]
    my-format = "my_package.my_format"

An implementation may accept a subset of a hook's arguments.  As in any pluggy project,
an implementation is a function marked with :data:`hookimpl` and named after its hook (or
naming it: ``@hookimpl(specname="alliance_check_note")``); the plugin's other attributes
are its own, whatever their names.  A marked implementation of a hook that is not below is
an error (unless marked ``optionalhook``): the plugin is reported as failed instead of
silently doing nothing.

Hooks are called through pluggy: the most recently registered plugin's implementation runs
first, ``tryfirst`` ones before and ``trylast`` ones after, and hook wrappers and tracing
work.  Each implementation runs in its own guard: whatever it raises (``SystemExit``
included; only ``KeyboardInterrupt`` passes through) is reported naming its plugin, and the
other plugins' implementations still run.

Registration hooks (``alliance_register_*``) receive a ``register`` callback rather than
returning values, so the host can validate each registration as it is made and remember
which plugin made it.  A plugin that raises, or registers something invalid or a name
already taken, is reported by name and its registrations are withdrawn; other plugins
keep working.  Names are settled once every plugin has registered, whatever the call
order: a built-in plugin keeps its names, and otherwise the first plugin loaded (by
entry-point name) does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pluggy

from alliance_notes.alliance import Alliance
from alliance_notes.check_settings import CheckSettings
from alliance_notes.checks import CheckFinding
from alliance_notes.formats import OutputFormat
from alliance_notes.note import ProgressNote
from alliance_notes.transcript import Transcript

#: The pluggy project name, also the entry-point group.
PROJECT = "alliance_notes"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorate a plugin's hook implementations with this.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def alliance_register_formats(register: Callable[[OutputFormat], None]) -> None:
    """Register output formats.

    Call ``register`` once per format with an :class:`~alliance_notes.formats.OutputFormat`.
    Its ``render`` function receives a :class:`~alliance_notes.formats.RenderRequest` and
    returns the rendered text; it must not drop any field that has a value (the
    ``alliance_notes.testing`` helpers check this).

    :param register: validates the format and records this plugin as its source.  It
        raises :class:`~alliance_notes.errors.PluginError` for anything that is not an
        ``OutputFormat`` and for a name this plugin registered already.  A name another
        plugin also registers fails one of the two, with an error naming both: a built-in
        format keeps its name, and otherwise the plugin loaded first does.

    Example::

        @hookimpl
        def alliance_register_formats(register):
            register(OutputFormat(name="shout", title="Shouting text", media_type="text/plain",
                                  extension=".txt", render=lambda request: ...))

    .. versionadded:: 0.1
    """


@hookspec
def alliance_register_note_kinds(register: Callable[[type[ProgressNote]], None]) -> None:
    """Register additional host note kinds (PIRP, PIE, a clinic's own …).

    Call ``register`` with a subclass of :class:`~alliance_notes.note.ProgressNote` that
    declares ``kind: Literal["…"]``, a field per host section, ``host_sections`` (in
    order, each a :class:`~alliance_notes.note.HostSection`) and ``inline_placement``
    (where each alliance part lands when placed inline).  The built-in kinds (soap, dap,
    birp, girp) cannot be replaced.

    :param register: checks the definition and records this plugin as its source.

    .. versionadded:: 0.1
    """


@hookspec
def alliance_template_dirs() -> list[Path]:
    """Contribute directories of Jinja templates (blocks, per-kind templates, new families).

    Directories from plugins are searched after a clinic's own templates and before the
    built-in ones, so a plugin can replace a built-in template by name (for example
    ``markdown/soap.md.j2``) or add a template family for its own format.  Among plugins
    they are searched in the hook's call order (``tryfirst`` first).

    :returns: existing directories.

    .. versionadded:: 0.1
    """
    return []


@hookspec
def alliance_suggest_alliance(transcript: Transcript, note: ProgressNote | None) -> Alliance | None:
    """Suggest alliance findings from a session transcript.

    Return an :class:`~alliance_notes.alliance.Alliance` holding only what the extractor
    detected, every item with evidence quotes taken verbatim from ``transcript`` (with
    their utterance index) and provenance naming the extractor (``author`` 'extractor'
    or 'language_model', ``suggested_by``, ``rule``, ``confidence``, ``confirmed`` false).
    Never assert an absence: leave a part not assessed rather than claiming nothing was
    there.  Return ``None`` when there is nothing to suggest.

    Each extractor has a time budget per transcript: 30 seconds unless the host is given
    another (``ALLIANCE_NOTES_EXTRACTOR_TIMEOUT``, ``create_host(extractor_timeout=…)``).
    An extractor that takes longer is left out with a warning naming it; the others'
    suggestions still count.

    :param transcript: the session, utterance by utterance, with speaker roles.
    :param note: the draft note the pipeline has so far, if any.
    :returns: suggestions, which the host merges with other extractors' without
        duplicates, each keeping its provenance, in the hook's call order (for a single
        answer such as the trust state, the first extractor that gives one wins).

    .. versionadded:: 0.1
    """


@hookspec
def alliance_check_note(note: ProgressNote, settings: CheckSettings) -> list[CheckFinding]:
    """Check a validated note and report findings (respectful language, consistency …).

    Validation has already run: the note is well formed.  A check looks for what a
    careful reader would flag, e.g. a Session Rating Scale total below the cutoff while
    the note calls trust strengthening.  Messages name fields and never quote the note's
    free text; a finding about words gives their ``span`` in the field's text instead.

    Each finding's ``check`` is a stable code (lower-case words joined by hyphens); the
    host leaves out the codes a project disables, replaces severities it configures, and
    sets aside the findings a clinician's exception in the note accepts, so a check
    reports everything it finds and need not read the configuration for that.  A check
    that raises is reported as an error finding whose code is its plugin's name, and the
    other checks still run.

    :param note: the note to check.
    :param settings: the project's check settings; ``settings.table(name)`` holds a
        plugin's own options (``[checks.NAME]`` in ``alliance-notes.toml``) and
        ``settings.path(value)`` reads a path option relative to that file.  An
        implementation that needs no options may leave this argument out.
    :returns: findings, possibly empty.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 the ``settings`` argument.
    """
    return []
