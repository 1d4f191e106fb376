"""The plugin contract: hooks recognised by their marker, every implementation called through
pluggy (order, wrappers, tracing) and guarded by name, built-ins winning a name clash,
nothing a plugin raises (SystemExit included) reaching the user, extractors held to a time
budget, and the Python API's edges."""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import typing
from collections.abc import Generator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import alliance_notes
from alliance_notes import Alliance, create_host, hookspecs
from alliance_notes.errors import AllianceNotesError, PluginError, RenderError
from alliance_notes.evidence import Provenance
from alliance_notes.host import DEFAULT_EXTRACTOR_TIMEOUT, ENV_EXTRACTOR_TIMEOUT
from alliance_notes.loading import note_from_data
from alliance_notes.note import ProgressNote
from alliance_notes.plugin_api import CheckFinding, CheckSettings, OutputFormat, RenderRequest, hookimpl
from alliance_notes.suggestions import SuggestionWarning
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.vocabulary import Speaker
from plugin_support import format_plugin

ROOT = Path(__file__).resolve().parents[1]
GROUP = "alliance_notes"
NOTE = {
    "kind": "soap",
    "session": {"client": "C-1", "date": "2026-01-05"},
    "authorship": {"written_by": "clinician"},
    "subjective": "Private words 7781.",
}
SESSION = Transcript(
    utterances=[
        Utterance(
            speaker="T", role=Speaker.CLINICIAN, text="Is it okay if we talk about your sleep?", start=0
        ),
        Utterance(speaker="C", role=Speaker.CLIENT, text="Sure.", start=5),
    ]
)


def entry_point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=GROUP)


def installed() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=GROUP))


@pytest.fixture
def plugin_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path where a test can write plugin modules."""
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def write_module(directory: Path, name: str, source: str) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def finding(check: str) -> CheckFinding:
    return CheckFinding.model_validate(
        {"check": check, "severity": "info", "location": "alliance", "message": f"from {check}"}
    )


def check_plugin(name: str, **options: bool) -> SimpleNamespace:
    """A plugin whose check reports one finding named after the plugin."""

    @hookimpl(**options)
    def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
        return [finding(name)]

    return SimpleNamespace(alliance_check_note=alliance_check_note)


def plugin_checks(findings: list[CheckFinding]) -> list[str]:
    return [item.check for item in findings if item.check != "placement"]


# -- hooks are recognised by their marker --------------------------------------------------


def test_a_plugin_that_imports_the_public_alliance_prompt_loads(plugin_modules: Path) -> None:
    write_module(
        plugin_modules,
        "prompting_plugin",
        """
        from alliance_notes.llm import alliance_prompt, alliance_schema
        from alliance_notes.plugin_api import hookimpl

        @hookimpl
        def alliance_suggest_alliance(transcript):
            return None
        """,
    )
    host = create_host(environ={}, entry_points=[entry_point("prompting", "prompting_plugin")])
    assert host.failed_plugins == []
    assert host.plugins[0].hooks == ("alliance_suggest_alliance",)


def test_a_subclass_of_the_rule_extractor_is_a_plugin() -> None:
    from alliance_notes_plugins.extractor import RuleExtractor

    class ClinicExtractor(RuleExtractor):
        """Has ``alliance_data`` (a method, not a hook) from the rule extractor."""

        @hookimpl
        def alliance_suggest_alliance(self, transcript: Transcript) -> Alliance | None:
            return self.suggest(transcript)

    host = create_host(environ={}, entry_points=[], plugins=[("clinic-rules", ClinicExtractor())])
    assert host.failed_plugins == []
    assert host.suggest(SESSION).autonomy_and_consent.consent_checks


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("@hookimpl\ndef register_formats(register):\n    pass\n", "unknown hook: register_formats"),
        (
            "@hookimpl\ndef alliance_register_format(register):\n    pass\n",
            "unknown hook: alliance_register_format",
        ),
        (
            "@hookimpl(specname='alliance_chek_note')\ndef my_check(note):\n    return []\n",
            "unknown hook: alliance_chek_note",
        ),
    ],
)
def test_an_unknown_marked_hook_fails_its_plugin_by_name_and_the_rest_work(
    plugin_modules: Path, source: str, error: str
) -> None:
    module = f"misnamed_{abs(hash(source))}"  # a module of its own for each case
    write_module(plugin_modules, module, "from alliance_notes.plugin_api import hookimpl\n" + source)
    host = create_host(environ={}, entry_points=[*installed(), entry_point("misnamed", module)])
    assert {status.name: status.error for status in host.failed_plugins} == {"misnamed": error}
    assert host.render(note_from_data(NOTE), "markdown").startswith("# SOAP note")


def test_a_hook_named_through_specname_or_marked_optional_is_accepted() -> None:
    @hookimpl(specname="alliance_check_note")
    def my_own_check(note: ProgressNote) -> list[CheckFinding]:
        return [finding("renamed")]

    @hookimpl(optionalhook=True)
    def alliance_from_a_newer_version(note: ProgressNote) -> None:
        """A hook this version does not have, marked optional: pluggy ignores it."""

    plugin = SimpleNamespace(
        my_own_check=my_own_check, alliance_from_a_newer_version=alliance_from_a_newer_version
    )
    host = create_host(environ={}, entry_points=[], plugins=[("renamed", plugin)])
    assert host.failed_plugins == []
    assert plugin_checks(host.check(note_from_data(NOTE))) == ["renamed"]


def test_an_unmarked_function_with_the_prefix_is_not_a_hook() -> None:
    def alliance_helper(note: ProgressNote) -> str:
        return "a helper, not a hook"

    plugin = SimpleNamespace(alliance_helper=alliance_helper, **vars(check_plugin("helped")))
    host = create_host(environ={}, entry_points=[], plugins=[("helped", plugin)])
    assert host.failed_plugins == []
    assert host.plugins[0].hooks == ("alliance_check_note",)


# -- a built-in format name belongs to the built-in ------------------------------------------


def test_a_third_party_plugin_cannot_take_a_built_in_format_name(plugin_modules: Path) -> None:
    write_module(
        plugin_modules,
        "impostor_plugin",
        """
        from alliance_notes.plugin_api import OutputFormat, hookimpl

        @hookimpl
        def alliance_register_formats(register):
            register(OutputFormat(name="markdown", title="Not Markdown", media_type="text/plain",
                                  extension=".txt", render=lambda request: "IMPOSTOR"))
        """,
    )
    # "aaa" sorts before every built-in entry point.
    host = create_host(environ={}, entry_points=[*installed(), entry_point("aaa", "impostor_plugin")])
    assert host.formats["markdown"].plugin == "markdown"
    (failure,) = host.failed_plugins
    assert failure.name == "aaa"
    assert "built-in plugin 'markdown'" in (failure.error or "") and "'aaa'" in (failure.error or "")
    assert host.render(note_from_data(NOTE), "markdown").startswith("# SOAP note")


def test_a_built_in_can_be_replaced_by_disabling_it(plugin_modules: Path) -> None:
    write_module(
        plugin_modules,
        "replacement_plugin",
        """
        from alliance_notes.plugin_api import OutputFormat, hookimpl

        @hookimpl
        def alliance_register_formats(register):
            register(OutputFormat(name="markdown", title="Clinic Markdown", media_type="text/markdown",
                                  extension=".md", render=lambda request: "clinic markdown"))
        """,
    )
    host = create_host(
        environ={"ALLIANCE_NOTES_DISABLE_PLUGINS": "markdown"},
        entry_points=[*installed(), entry_point("clinic-md", "replacement_plugin")],
    )
    assert host.failed_plugins == []
    assert host.render(note_from_data(NOTE), "markdown") == "clinic markdown"


def test_between_third_parties_the_first_loaded_keeps_the_name_in_any_call_order() -> None:
    @hookimpl(tryfirst=True)
    def alliance_register_formats(register: Any) -> None:
        register(
            OutputFormat(name="shared", title="S", media_type="text/plain", extension=".txt", render=str)
        )

    eager = SimpleNamespace(alliance_register_formats=alliance_register_formats)
    host = create_host(
        environ={}, entry_points=[], plugins=[("first", format_plugin("shared")), ("second", eager)]
    )
    assert host.formats["shared"].plugin == "first"
    assert [status.name for status in host.failed_plugins] == ["second"]


def test_a_plugin_that_swallows_its_registration_error_still_fails() -> None:
    @hookimpl
    def alliance_register_formats(register: Any) -> None:
        register(OutputFormat(name="kept", title="K", media_type="text/plain", extension=".txt", render=str))
        with contextlib.suppress(PluginError):
            register({"name": "not a format"})

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("sly", SimpleNamespace(alliance_register_formats=alliance_register_formats))],
    )
    assert "not an OutputFormat" in (host.failed_plugins[0].error or "")
    assert "kept" not in host.formats


# -- SystemExit and other BaseExceptions stay inside the plugin's guard -----------------------


def test_a_plugin_raising_system_exit_on_import_is_reported(plugin_modules: Path) -> None:
    write_module(plugin_modules, "exiting_plugin", "import sys\nsys.exit(3)\n")
    host = create_host(environ={}, entry_points=[*installed(), entry_point("exiting", "exiting_plugin")])
    assert {status.name: status.error for status in host.failed_plugins} == {
        "exiting": "failed to import: SystemExit: 3"
    }
    assert "markdown" in host.formats


def test_system_exit_while_registering_fails_only_that_plugin() -> None:
    @hookimpl
    def alliance_register_formats(register: Any) -> None:
        sys.exit(1)

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[
            ("quitter", SimpleNamespace(alliance_register_formats=alliance_register_formats)),
            ("fine", format_plugin("fine")),
        ],
    )
    assert [(status.name, status.error) for status in host.failed_plugins] == [
        ("quitter", "failed while registering: SystemExit: 1")
    ]
    assert "fine" in host.formats


def test_system_exit_in_a_renderer_is_a_render_error_naming_the_format() -> None:
    def render(request: RenderRequest) -> str:
        sys.exit(0)

    host = create_host(environ={}, entry_points=[], plugins=[("quitter", format_plugin("quitter", render))])
    with pytest.raises(RenderError, match=r"format 'quitter' \(plugin 'quitter'\) failed: SystemExit"):
        host.render(note_from_data(NOTE), "quitter")


def test_the_users_ctrl_c_still_stops_a_renderer() -> None:
    def render(request: RenderRequest) -> str:
        raise KeyboardInterrupt

    host = create_host(environ={}, entry_points=[], plugins=[("slow", format_plugin("slow", render))])
    with pytest.raises(KeyboardInterrupt):
        host.render(note_from_data(NOTE), "slow")


def test_system_exit_in_a_check_or_an_extractor_is_reported_by_name() -> None:
    class Quitter:
        @hookimpl
        def alliance_check_note(self, note: ProgressNote) -> list[CheckFinding]:
            raise SystemExit(2)

        @hookimpl
        def alliance_suggest_alliance(self, transcript: Transcript) -> Alliance | None:
            raise SystemExit(2)

    host = create_host(environ={}, entry_points=[], plugins=[("quitter", Quitter())])
    findings = [item for item in host.check(note_from_data(NOTE)) if item.check == "quitter"]
    assert [item.severity.value for item in findings] == ["error"]
    assert "SystemExit" in findings[0].message
    with pytest.warns(SuggestionWarning, match=r"extractor 'quitter': failed \(SystemExit\)"):
        assert host.suggest(SESSION) == Alliance()


# -- hooks are called through pluggy, each implementation guarded -----------------------------


def test_checks_run_in_pluggys_order_tryfirst_first_and_trylast_last() -> None:
    host = create_host(
        environ={},
        entry_points=[],
        plugins=[
            ("first", check_plugin("first", tryfirst=True)),
            ("last", check_plugin("last", trylast=True)),
            ("older", check_plugin("older")),
            ("newer", check_plugin("newer")),
        ],
    )
    # pluggy: tryfirst, then the most recently registered first, then trylast.
    assert plugin_checks(host.check(note_from_data(NOTE))) == ["first", "newer", "older", "last"]


def test_a_tryfirst_template_directory_is_searched_first(tmp_path: Path) -> None:
    def template_plugin(name: str, **options: bool) -> SimpleNamespace:
        directory = tmp_path / name / "markdown"
        directory.mkdir(parents=True)
        (directory / "soap.md.j2").write_text(f"{name}\n")

        @hookimpl(**options)
        def alliance_template_dirs() -> list[Path]:
            return [directory.parent]

        return SimpleNamespace(alliance_template_dirs=alliance_template_dirs)

    host = create_host(
        environ={},
        plugins=[
            ("other", template_plugin("other")),
            ("preferred", template_plugin("preferred", tryfirst=True)),
        ],
    )
    assert host.render(note_from_data(NOTE), "markdown") == "preferred\n"


def trust_extractor(name: str, state: str, **options: bool) -> SimpleNamespace:
    """An extractor that suggests a trust state, built by one clinician utterance."""

    @hookimpl(**options)
    def alliance_suggest_alliance(transcript: Transcript) -> Alliance:
        provenance = {"author": "language_model", "suggested_by": name, "confidence": 0.7}
        data = {
            "trust": {
                "state": state,
                "built_by": [
                    {
                        "text": "Asked before a hard topic.",
                        "evidence": [{"quote": transcript.utterances[0].text, "speaker": "clinician"}],
                        "provenance": provenance,
                    }
                ],
            }
        }
        return Alliance.model_validate(data).answers_set_by(Provenance.model_validate(provenance))

    return SimpleNamespace(alliance_suggest_alliance=alliance_suggest_alliance)


def test_a_tryfirst_extractor_gives_the_single_answers() -> None:
    host = create_host(
        environ={},
        entry_points=[],
        plugins=[
            ("careful", trust_extractor("careful", "strained", tryfirst=True)),
            ("eager", trust_extractor("eager", "strengthening")),
        ],
    )
    assert host.suggest(SESSION).trust.state.value == "strained"


def test_hook_wrappers_of_both_styles_see_and_change_the_results() -> None:
    class Wrappers:
        @hookimpl(wrapper=True)
        def alliance_check_note(self, note: ProgressNote) -> Generator[None, Any, Any]:
            result = yield
            return [*result, [finding(f"new-style saw {len(result)}")]]

    class OldWrapper:
        @hookimpl(hookwrapper=True)
        def alliance_check_note(self, note: ProgressNote) -> Generator[None, Any, None]:
            outcome = yield
            outcome.force_result([*outcome.get_result(), [finding("old-style")]])

    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("plain", check_plugin("plain")), ("new", Wrappers()), ("old", OldWrapper())],
    )
    assert plugin_checks(host.check(note_from_data(NOTE))) == ["plain", "new-style saw 1", "old-style"]


def test_a_failing_wrapper_is_named_and_the_checks_it_wraps_still_count() -> None:
    class Broken:
        @hookimpl(wrapper=True)
        def alliance_check_note(self, note: ProgressNote) -> Generator[None, Any, Any]:
            raise ValueError(note.section_text("subjective"))
            yield  # a generator, as pluggy requires of a wrapper

    host = create_host(
        environ={}, entry_points=[], plugins=[("plain", check_plugin("plain")), ("broken", Broken())]
    )
    findings = [item for item in host.check(note_from_data(NOTE)) if item.check != "placement"]
    assert [item.check for item in findings] == ["plain", "broken"]
    assert findings[1].severity.value == "error" and "ValueError" in findings[1].message
    assert "7781" not in findings[1].message


class FailingNewStyle:
    def __init__(self, when: str) -> None:
        self.when = when

    @hookimpl(wrapper=True)
    def alliance_check_note(self, note: ProgressNote) -> Generator[None, Any, Any]:
        if self.when == "before":
            raise RuntimeError("before")
        result = yield
        if self.when == "after":
            raise SystemExit(1)
        if self.when == "twice":
            yield
        return [*result, "not a list of findings"]


class FailingOldStyle:
    def __init__(self, when: str) -> None:
        self.when = when

    @hookimpl(hookwrapper=True)
    def alliance_check_note(self, note: ProgressNote) -> Generator[None, Any, None]:
        if self.when == "before":
            raise RuntimeError("before")
        outcome = yield
        if self.when == "after":
            raise SystemExit(1)
        if self.when == "twice":
            yield
        outcome.force_result([*outcome.get_result(), "not a list of findings"])


@pytest.mark.parametrize("style", [FailingNewStyle, FailingOldStyle])
@pytest.mark.parametrize("when", ["before", "after", "twice", "bad result"])
def test_a_wrapper_failing_at_any_point_is_named_and_the_results_stand(style: Any, when: str) -> None:
    host = create_host(
        environ={}, entry_points=[], plugins=[("plain", check_plugin("plain")), ("wrapper", style(when))]
    )
    findings = [item for item in host.check(note_from_data(NOTE)) if item.check != "placement"]
    assert [(item.check, item.severity.value) for item in findings] == [
        ("plain", "info"),
        ("wrapper", "error"),
    ]


def test_hook_calls_can_be_traced() -> None:
    host = create_host(environ={}, entry_points=[], plugins=[("plain", check_plugin("plain"))])
    seen: list[tuple[str, list[str]]] = []

    def before(hook: str, implementations: Any, arguments: Any) -> None:
        seen.append((hook, [implementation.plugin_name for implementation in implementations]))

    undo = host.manager.add_hookcall_monitoring(before, lambda *arguments: None)
    try:
        host.check(note_from_data(NOTE))
    finally:
        undo()
    assert seen == [("alliance_check_note", ["plain"])]


def test_calling_a_hook_directly_names_the_failing_plugin() -> None:
    class Failing:
        @hookimpl
        def alliance_check_note(self, note: ProgressNote) -> list[CheckFinding]:
            raise RuntimeError("bug")

    host = create_host(environ={}, entry_points=[], plugins=[("failing", Failing())])
    with pytest.raises(PluginError, match=r"plugin 'failing': alliance_check_note failed \(RuntimeError\)"):
        host.manager.hook.alliance_check_note(note=note_from_data(NOTE), settings=CheckSettings())


# -- extractors have a time budget ------------------------------------------------------------


def consent(name: str) -> dict[str, Any]:
    evidence = [
        {"quote": "Is it okay if we talk about your sleep?", "speaker": "clinician", "utterance_index": 0}
    ]
    return {
        "autonomy_and_consent": {
            "consent_checks": [
                {
                    "topic": "sleep",
                    "response": "agreed",
                    "evidence": evidence,
                    "provenance": {"author": "language_model", "suggested_by": name, "confidence": 0.8},
                }
            ]
        }
    }


class Spinning:
    """An extractor stuck in a loop of its own."""

    @hookimpl
    def alliance_suggest_alliance(self, transcript: Transcript) -> Alliance | None:
        while True:
            pass


class Sleeping:
    """An extractor waiting on something slow outside Python (a network call, say)."""

    @hookimpl
    def alliance_suggest_alliance(self, transcript: Transcript) -> Alliance | None:
        time.sleep(3)
        return None


class Quick:
    @hookimpl
    def alliance_suggest_alliance(self, transcript: Transcript) -> dict[str, Any]:
        return consent("quick")


def threads_named(part: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if part in thread.name]


def test_an_extractor_over_its_time_budget_is_named_and_the_others_count() -> None:
    host = create_host(
        environ={},
        entry_points=[],
        plugins=[("spinning", Spinning()), ("quick", Quick())],
        extractor_timeout=0.5,
    )
    started = time.monotonic()
    with pytest.warns(SuggestionWarning, match=r"extractor 'spinning': took longer than 0\.5 s") as caught:
        merged = host.suggest(SESSION)
    assert time.monotonic() - started < 5
    assert len(caught) == 1
    assert merged.autonomy_and_consent.consent_checks[0].provenance.suggested_by == "quick"
    # The abandoned extractor is stopped, not left spinning.
    deadline = time.monotonic() + 5
    while threads_named("'spinning'") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threads_named("'spinning'") == []


def test_an_extractor_waiting_outside_python_cannot_keep_the_process_alive() -> None:
    host = create_host(environ={}, entry_points=[], plugins=[("sleeping", Sleeping())], extractor_timeout=0.2)
    with pytest.warns(SuggestionWarning, match="extractor 'sleeping': took longer than 0.2 s"):
        host.suggest(SESSION)
    assert all(thread.daemon for thread in threads_named("'sleeping'"))


def test_the_users_ctrl_c_still_stops_an_extractor() -> None:
    class Interrupted:
        @hookimpl
        def alliance_suggest_alliance(self, transcript: Transcript) -> Alliance | None:
            raise KeyboardInterrupt

    host = create_host(environ={}, entry_points=[], plugins=[("interrupted", Interrupted())])
    with pytest.raises(KeyboardInterrupt):
        host.suggest(SESSION)


def test_the_extractor_budget_has_a_documented_default_and_can_be_set(tmp_path: Path) -> None:
    assert create_host(environ={}, entry_points=[]).extractor_timeout == DEFAULT_EXTRACTOR_TIMEOUT
    assert create_host(environ={ENV_EXTRACTOR_TIMEOUT: "2.5"}, entry_points=[]).extractor_timeout == 2.5
    assert create_host(environ={ENV_EXTRACTOR_TIMEOUT: "9"}, extractor_timeout=4).extractor_timeout == 4
    for wrong in ("soon", "0", "-1", "nan"):
        with pytest.raises(AllianceNotesError, match=ENV_EXTRACTOR_TIMEOUT):
            create_host(environ={ENV_EXTRACTOR_TIMEOUT: wrong}, entry_points=[])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ENV_EXTRACTOR_TIMEOUT in readme and f"{DEFAULT_EXTRACTOR_TIMEOUT:g} seconds" in readme
    hook_reference = inspect.getdoc(hookspecs.alliance_suggest_alliance) or ""
    assert f"{DEFAULT_EXTRACTOR_TIMEOUT:g} seconds" in hook_reference


def test_a_quick_extractor_runs_with_the_callers_context() -> None:
    import contextvars

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="lost")

    class Reading:
        @hookimpl
        def alliance_suggest_alliance(self, transcript: Transcript) -> dict[str, Any]:
            return consent(marker.get())

    marker.set("kept")
    merged = create_host(environ={}, entry_points=[], plugins=[("reading", Reading())]).suggest(SESSION)
    assert merged.autonomy_and_consent.consent_checks[0].provenance.suggested_by == "kept"


# -- the command line: no plugin misbehaviour reaches "internal error" ------------------------


def install(site: Path, name: str, source: str) -> dict[str, str]:
    """A real installed distribution with one plugin module; the environment to run with."""
    dist = site / f"{name}_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[alliance_notes]\n{name} = {name}_plugin\n")
    (site / f"{name}_plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return {"PYTHONPATH": str(site)}


def run(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ALLIANCE_NOTES_")}
    environment.update(env)
    completed = subprocess.run(
        [sys.executable, "-m", "alliance_notes", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert "internal error" not in completed.stderr, completed.stderr
    return completed


@pytest.fixture
def soap(example_paths: dict[str, Path]) -> str:
    return str(example_paths["soap"])


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
        (
            "from alliance_notes.plugin_api import hookimpl\n"
            "@hookimpl\ndef register_formats(register):\n    pass\n",
            "unknown hook: register_formats",
        ),
    ],
)
def test_one_bad_installed_plugin_never_takes_the_tool_down(
    tmp_path: Path, soap: str, source: str, error: str
) -> None:
    env = install(tmp_path / "site", "bad", source)
    listed = run("plugins", env=env)
    assert listed.returncode == 0 and error in listed.stdout
    rendered = run("render", soap, env=env)
    assert rendered.returncode == 0 and rendered.stdout.startswith("# SOAP note")
    assert "plugin 'bad' is not loaded" in rendered.stderr


def test_an_installed_impostor_of_markdown_is_not_rendered(tmp_path: Path, soap: str) -> None:
    env = install(
        tmp_path / "site",
        "aaa",
        """
        from alliance_notes.plugin_api import OutputFormat, hookimpl

        @hookimpl
        def alliance_register_formats(register):
            register(OutputFormat(name="markdown", title="Not Markdown", media_type="text/plain",
                                  extension=".txt", render=lambda request: "IMPOSTOR"))
        """,
    )
    rendered = run("render", soap, env=env)
    assert rendered.returncode == 0 and rendered.stdout.startswith("# SOAP note")
    assert "IMPOSTOR" not in rendered.stdout and "plugin 'aaa' is not loaded" in rendered.stderr


def test_sys_exit_in_an_installed_renderer_is_an_error_message(tmp_path: Path, soap: str) -> None:
    env = install(
        tmp_path / "site",
        "quitter",
        """
        import sys
        from alliance_notes.plugin_api import OutputFormat, hookimpl

        @hookimpl
        def alliance_register_formats(register):
            register(OutputFormat(name="quitter", title="Q", media_type="text/plain",
                                  extension=".txt", render=lambda request: sys.exit(0)))
        """,
    )
    rendered = run("render", soap, "--format", "quitter", env=env)
    assert rendered.returncode == 2 and rendered.stdout == ""
    assert "format 'quitter' (plugin 'quitter') failed: SystemExit" in rendered.stderr


def test_a_slow_installed_extractor_does_not_hang_extract(tmp_path: Path) -> None:
    env = install(
        tmp_path / "site",
        "slow",
        """
        from alliance_notes.plugin_api import hookimpl

        @hookimpl
        def alliance_suggest_alliance(transcript):
            while True:
                pass
        """,
    )
    env[ENV_EXTRACTOR_TIMEOUT] = "1"
    started = time.monotonic()
    extracted = run("extract", str(ROOT / "examples" / "soap_transcript.txt"), env=env)
    assert time.monotonic() - started < 60
    assert extracted.returncode == 0, extracted.stderr
    assert "extractor 'slow': took longer than 1 s" in extracted.stderr
    assert json.loads(extracted.stdout)["ruptures"]  # the built-in extractor's findings


# -- the Python API's edges -------------------------------------------------------------------


def test_format_options_may_be_numbers_or_booleans(host: Any) -> None:
    note = note_from_data(NOTE)
    assert host.render(note, "ehr-text", width=60) == host.render(note, "ehr-text", width="60")
    assert host.render(note, "ehr-text", ascii=True) == host.render(note, "ehr-text", ascii="yes")
    assert host.render(note, "ehr-text", ascii=False) == host.render(note, "ehr-text", ascii="no")
    with pytest.raises(RenderError, match=r"option width must be text, a whole number or true/false"):
        host.render(note, "ehr-text", width=[60])


def test_the_pipeline_entry_point_has_resolvable_type_hints() -> None:
    hints = typing.get_type_hints(alliance_notes.extend)
    assert hints["speakers"] == Mapping[str, Speaker | str] | None
    assert typing.get_type_hints(alliance_notes.create_host)["extractor_timeout"] == float | None


def test_the_testing_module_declares_its_public_names() -> None:
    from alliance_notes import testing

    assert {"notes", "alliances", "missing_values", "shown_values", "texts"} <= set(testing.__all__)
    assert all(not name.startswith("_") and hasattr(testing, name) for name in testing.__all__)
    namespace: dict[str, Any] = {}
    exec("from alliance_notes.testing import *", namespace)  # noqa: S102
    assert "st" not in namespace and "BaseModel" not in namespace


def test_no_module_level_state_links_two_hosts() -> None:
    first = create_host(environ={}, entry_points=[], plugins=[("one", check_plugin("one"))])
    second = create_host(environ={}, entry_points=[], plugins=[("two", check_plugin("two"))])
    assert plugin_checks(first.check(note_from_data(NOTE))) == ["one"]
    assert plugin_checks(second.check(note_from_data(NOTE))) == ["two"]
