"""The plugin host: entry points in guards, registration checks, env choices, failures by name."""

from __future__ import annotations

import importlib.metadata
import textwrap
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, Literal

import pytest
from hypothesis import given

from alliance_notes import create_host
from alliance_notes.errors import RenderError, UnknownFormatError
from alliance_notes.loading import note_from_data
from alliance_notes.note import HostSection, ProgressNote
from alliance_notes.plugin_api import CheckFinding, OutputFormat, RenderRequest, hookimpl
from alliance_notes.testing import missing_values, notes
from plugin_support import format_plugin

GROUP = "alliance_notes"
NOTE = {
    "kind": "soap",
    "session": {"client": "C-1", "date": "2026-01-05"},
    "authorship": {"written_by": "clinician"},
    "subjective": "Private words 7781.",
}


def entry_point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=GROUP)


@pytest.fixture
def plugin_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path where a test can write plugin modules."""
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_built_in_formats_load_through_entry_points() -> None:
    host = create_host(environ={})
    by_name = {status.name: status for status in host.plugins}
    assert {"markdown", "text"} <= set(by_name)
    assert by_name["markdown"].source.startswith("entry point")
    assert by_name["markdown"].hooks == ("alliance_register_formats",)
    assert host.formats["markdown"].plugin == "markdown"


def test_a_plugin_that_fails_to_import_is_reported_and_the_rest_work(plugin_modules: Path) -> None:
    (plugin_modules / "broken_format.py").write_text("raise RuntimeError('boom at import')\n")
    installed = list(importlib.metadata.entry_points(group=GROUP))
    host = create_host(environ={}, entry_points=[*installed, entry_point("broken", "broken_format")])
    failed = {status.name: status.error for status in host.failed_plugins}
    assert failed == {"broken": "failed to import: RuntimeError: boom at import"}
    assert host.render(note_from_data(NOTE), "markdown").startswith("# SOAP note")


def test_an_entry_point_to_a_missing_module_is_reported(plugin_modules: Path) -> None:
    host = create_host(environ={}, entry_points=[entry_point("ghost", "no_such_module_anywhere")])
    assert host.failed_plugins[0].name == "ghost"
    assert "ModuleNotFoundError" in (host.failed_plugins[0].error or "")


def test_unknown_alliance_hooks_are_errors(plugin_modules: Path) -> None:
    (plugin_modules / "typo_plugin.py").write_text(
        textwrap.dedent(
            """
            from alliance_notes.plugin_api import hookimpl

            @hookimpl
            def alliance_register_format(register):
                pass
            """
        )
    )
    host = create_host(environ={}, entry_points=[entry_point("typo", "typo_plugin")])
    assert host.failed_plugins[0].error == "unknown hook: alliance_register_format"


def test_a_hook_with_wrong_arguments_is_rejected_by_name() -> None:
    @hookimpl
    def alliance_check_note(note: Any, colour: Any) -> list[Any]:
        return []

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("bad-args", SimpleNamespace(alliance_check_note=alliance_check_note))],
    )
    assert host.failed_plugins[0].name == "bad-args"
    assert "colour" in (host.failed_plugins[0].error or "")


def test_a_duplicate_format_name_is_an_error_naming_both_plugins() -> None:
    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("first", format_plugin("shared")), ("second", format_plugin("shared"))],
    )
    assert host.formats["shared"].plugin == "first"
    (failure,) = host.failed_plugins
    assert failure.name == "second"
    assert "'first'" in (failure.error or "") and "'second'" in (failure.error or "")


def test_registering_something_invalid_withdraws_all_the_plugin_registered() -> None:
    @hookimpl
    def alliance_register_formats(register: Any) -> None:
        register(
            OutputFormat(name="good", title="Good", media_type="text/plain", extension=".txt", render=str)
        )
        register({"name": "bad"})

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("half", SimpleNamespace(alliance_register_formats=alliance_register_formats))],
    )
    assert "good" not in host.formats
    assert "not an OutputFormat" in (host.failed_plugins[0].error or "")
    assert host.manager.get_plugin("half") is None


def test_a_plugin_that_raises_while_registering_is_reported() -> None:
    @hookimpl
    def alliance_register_formats(register: Any) -> None:
        raise KeyError("oops")

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("raiser", SimpleNamespace(alliance_register_formats=alliance_register_formats))],
    )
    assert host.failed_plugins[0].error == "failed while registering: KeyError: 'oops'"


def test_a_failing_renderer_is_reported_by_format_and_plugin_without_note_text() -> None:
    def render(request: RenderRequest) -> str:
        raise ValueError(request.note.section_text("subjective"))

    host = create_host(environ={}, entry_points=[], plugins=[("fragile", format_plugin("fragile", render))])
    with pytest.raises(RenderError) as caught:
        host.render(note_from_data(NOTE), "fragile")
    assert str(caught.value) == "format 'fragile' (plugin 'fragile') failed: ValueError"
    assert "7781" not in str(caught.value)


def test_a_renderer_that_returns_no_text_is_reported() -> None:
    host = create_host(
        environ={}, entry_points=[], plugins=[("numbers", format_plugin("numbers", lambda request: 42))]
    )
    with pytest.raises(RenderError, match="returned int, not text"):
        host.render(note_from_data(NOTE), "numbers")


def test_unknown_formats_and_options_name_what_is_available() -> None:
    host = create_host(environ={})
    note = note_from_data(NOTE)
    with pytest.raises(UnknownFormatError, match=r"available: .*markdown"):
        host.render(note, "docx")
    with pytest.raises(RenderError, match="has no option width"):
        host.render(note, "markdown", width="80")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ALLIANCE_NOTES_PLUGINS": "markdown"}, {"markdown"}),
        ({"ALLIANCE_NOTES_PLUGINS": ""}, set()),
        ({"ALLIANCE_NOTES_PLUGINS": " markdown , text "}, {"markdown", "text"}),
        ({"ALLIANCE_NOTES_DISABLE_PLUGINS": "text"}, None),
    ],
)
def test_environment_variables_choose_plugins(environ: Mapping[str, str], expected: set[str] | None) -> None:
    loaded = {status.name for status in create_host(environ=environ).plugins}
    if expected is None:
        assert "text" not in loaded and "markdown" in loaded
    else:
        assert loaded == expected


def test_hosts_share_no_state() -> None:
    first = create_host(environ={}, plugins=[("extra", format_plugin("extra"))])
    second = create_host(environ={})
    assert "extra" in first.formats and "extra" not in second.formats


class PirpNote(ProgressNote):
    """A plugin's note kind: Problem · Intervention · Response · Plan."""

    title: ClassVar[str] = "PIRP note"
    host_sections: ClassVar[tuple[HostSection, ...]] = (
        HostSection("problem", "Problem", "The presenting problem addressed."),
        HostSection("intervention", "Intervention", "What the clinician did."),
        HostSection("response", "Response", "How the client responded."),
        HostSection("plan", "Plan", "Next steps."),
    )
    inline_placement: ClassVar[Mapping[str, str]] = {
        "summary": "response",
        "trust": "response",
        "respect": "response",
        "boundaries": "intervention",
        "autonomy_and_consent": "intervention",
        "ruptures": "problem",
        "repairs": "intervention",
        "measures": "response",
        "client_feedback": "response",
        "plan": "plan",
    }
    kind: Literal["pirp"] = "pirp"
    problem: str | None = None
    intervention: str | None = None
    response: str | None = None
    plan: str | None = None


@hookimpl
def _register_pirp(register: Any) -> None:
    register(PirpNote)


PIRP_PLUGIN = SimpleNamespace(alliance_register_note_kinds=_register_pirp)


@given(notes([PirpNote]))
def test_a_plugin_note_kind_reads_and_renders_with_the_generic_templates(note: Any) -> None:
    host = create_host(environ={}, plugins=[("pirp", PIRP_PLUGIN)])
    assert host.read_note(note.model_dump_json()) == note
    output = host.render(note, "text", "inline", audience="review")
    assert output.startswith("PIRP NOTE WITH THERAPEUTIC ALLIANCE")
    assert missing_values(note, output, audience="review") == []


def test_an_inconsistent_note_kind_is_rejected() -> None:
    class Broken(PirpNote):
        inline_placement: ClassVar[Mapping[str, str]] = {"trust": "nowhere"}

    @hookimpl
    def alliance_register_note_kinds(register: Any) -> None:
        register(Broken)

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("broken-kind", SimpleNamespace(alliance_register_note_kinds=alliance_register_note_kinds))],
    )
    assert "inline_placement has no target" in (host.failed_plugins[0].error or "")
    assert "pirp" not in host.kinds


def test_built_in_kinds_cannot_be_replaced() -> None:
    class Impostor(PirpNote):
        kind: Literal["soap"] = "soap"  # type: ignore[assignment]

    @hookimpl
    def alliance_register_note_kinds(register: Any) -> None:
        register(Impostor)

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("impostor", SimpleNamespace(alliance_register_note_kinds=alliance_register_note_kinds))],
    )
    assert "'core'" in (host.failed_plugins[0].error or "")


def test_checks_run_and_a_failing_check_is_reported_by_name() -> None:
    @hookimpl
    def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
        return [
            CheckFinding(
                check="srs-cutoff",
                severity="warning",
                location="alliance.measures.srs.total",
                message="below 36",
            )
        ]  # type: ignore[arg-type]

    @hookimpl
    def failing_check(note: ProgressNote) -> list[CheckFinding]:
        raise RuntimeError("bug")

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[
            ("good-check", SimpleNamespace(alliance_check_note=alliance_check_note)),
            ("bad-check", SimpleNamespace(alliance_check_note=failing_check)),
        ],
    )
    findings = {finding.check: finding for finding in host.check(note_from_data(NOTE))}
    assert findings["srs-cutoff"].severity.value == "warning"
    assert findings["bad-check"].severity.value == "error" and "RuntimeError" in findings["bad-check"].message


def test_plugin_template_directories_override_built_in_templates(tmp_path: Path) -> None:
    (tmp_path / "markdown").mkdir()
    (tmp_path / "markdown" / "soap.md.j2").write_text("Clinic SOAP for {{ document.facts[0][1] }}\n")

    @hookimpl
    def alliance_template_dirs() -> list[Path]:
        return [tmp_path]

    host = create_host(
        environ={}, plugins=[("clinic-look", SimpleNamespace(alliance_template_dirs=alliance_template_dirs))]
    )
    assert host.render(note_from_data(NOTE), "markdown") == "Clinic SOAP for C-1\n"


def test_a_missing_template_directory_fails_the_plugin(tmp_path: Path) -> None:
    @hookimpl
    def alliance_template_dirs() -> list[Path]:
        return [tmp_path / "absent"]

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("lost", SimpleNamespace(alliance_template_dirs=alliance_template_dirs))],
    )
    assert "does not exist" in (host.failed_plugins[0].error or "")
