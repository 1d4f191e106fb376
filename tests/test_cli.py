"""The command line as a user runs it: its exit status, stdout and stderr (in this process
through cli_support, the same entry point as the console script; run_bytes is a real one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cli_support import run_cli

SECRET = "Quiet-Harbour-4417"


def run(
    *arguments: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``alliance-notes`` with arguments, as a user would (in this process: see cli_support)."""
    # A plugin installed on PYTHONPATH is found only by a new interpreter.
    real = env is not None and "PYTHONPATH" in env
    completed = run_cli(*arguments, stdin=stdin, cwd=cwd, env=env, real=real)
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed


def run_bytes(*arguments: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    completed = subprocess.run(
        [sys.executable, "-m", "alliance_notes", *arguments],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert b"Traceback" not in completed.stderr
    return completed


def test_demo_prints_extended_soap_and_dap_notes_from_any_directory(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "# SOAP note with therapeutic alliance" in result.stdout
    assert "# DAP note with therapeutic alliance" in result.stdout
    assert result.stdout.count("## Therapeutic alliance") == 2
    assert "### Ruptures" in result.stdout and "### Repairs" in result.stdout


def test_demo_writes_every_format_to_a_directory(tmp_path: Path) -> None:
    result = run("demo", "--out", str(tmp_path / "out"), "--kind", "birp", "--format", "text")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "birp_note.txt").read_text(encoding="utf-8")
    assert text.startswith("BIRP NOTE WITH THERAPEUTIC ALLIANCE")


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("alliance-notes")
    completed = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert completed.returncode == 0 and completed.stdout.startswith("alliance-notes ")


def test_render_a_file_to_a_file(example_paths: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "note.txt"
    result = run(
        "render", str(example_paths["dap"]), "--format", "text", "--placement", "inline", "-o", str(output)
    )
    assert result.returncode == 0, result.stderr
    text = output.read_text(encoding="utf-8")
    assert text.startswith("DAP NOTE") and "Alliance — Ruptures" in text


def test_render_from_standard_input(example_paths: dict[str, Path]) -> None:
    result = run("render", "-", stdin=example_paths["soap"].read_bytes())
    assert result.returncode == 0 and result.stdout.startswith("# SOAP note")


def test_validate_a_valid_note(example_paths: dict[str, Path]) -> None:
    result = run("validate", str(example_paths["girp"]))
    assert result.returncode == 0
    assert "valid GIRP note" in result.stdout


def broken_note(soap_data: dict[str, Any]) -> dict[str, Any]:
    soap_data["subjective"] = {"text": SECRET}
    soap_data["session"]["client"] = f"{SECRET} Jones"
    soap_data["alliance"]["ruptures"][0]["significance"] = 9
    soap_data["alliance"]["ruptures"][0]["withdrawal_markers"].append(SECRET)
    soap_data["alliance"]["trust"]["state"] = SECRET
    soap_data["alliance"]["measures"]["srs"]["overall"] = SECRET
    return soap_data


def test_validate_lists_every_bad_field_and_never_echoes_text(
    soap_data: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken_note(soap_data)), encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 2
    for field in (
        "subjective",
        "session.client",
        "alliance.ruptures[0].significance: must be between 1 and 5",
        "alliance.ruptures[0].withdrawal_markers[3]",
        "alliance.trust.state",
        "alliance.measures.srs.overall: must be a number",
    ):
        assert field in result.stdout, field
    assert SECRET not in result.stdout + result.stderr


def test_validate_json_output_is_machine_readable(soap_data: dict[str, Any]) -> None:
    result = run("validate", "--json", "-", stdin=json.dumps(broken_note(soap_data)).encode())
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    locations = {problem["location"] for problem in report["problems"]}
    assert "alliance.ruptures[0].significance" in locations
    assert all(set(problem) == {"location", "message", "code", "line"} for problem in report["problems"])
    assert SECRET not in result.stdout


def test_render_of_an_invalid_note_exits_2_without_echo(soap_data: dict[str, Any]) -> None:
    result = run("render", "-", stdin=json.dumps(broken_note(soap_data)).encode())
    assert result.returncode == 2
    assert "alliance.ruptures[0].significance" in result.stderr
    assert SECRET not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (b'{"kind": "soap",', "is not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"kind": "pie", "session": {}}', "kind: must be one of: birp, dap, girp, soap"),
        (b'{"session": {}}', "kind: is required"),
        (
            b'{"kind": "soap", "session": {"client": 7, "date": 3}, "authorship": {}}',
            "session.client: must be text",
        ),
        (b"\xff\xfe\x00garbage", "is not UTF-8"),
    ],
)
def test_bad_input_gets_a_clear_error(content: bytes, expected: str) -> None:
    result = run_bytes("validate", "-", stdin=content)
    assert result.returncode == 2
    assert expected in result.stdout.decode()


def test_missing_file_and_directory_are_clear_errors(tmp_path: Path) -> None:
    missing = run("validate", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "cannot be read: No such file or directory" in missing.stdout
    directory = run("render", str(tmp_path))
    assert directory.returncode == 2 and "cannot be read" in directory.stderr


def test_usage_errors_exit_2(example_paths: dict[str, Path]) -> None:
    assert run("render").returncode == 2
    assert run("frobnicate").returncode == 2
    unknown = run("render", str(example_paths["soap"]), "--format", "docx")
    assert unknown.returncode == 2 and "unknown format 'docx'" in unknown.stderr
    option = run("render", str(example_paths["soap"]), "--option", "width")
    assert option.returncode == 2 and "NAME=VALUE" in option.stderr


@pytest.mark.parametrize("command", ["", "render", "validate", "demo", "schema", "formats", "plugins"])
def test_help_everywhere(command: str) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0 and "usage: alliance-notes" in result.stdout


def test_schema_is_draft_2020_12_and_accepts_the_examples(example_paths: dict[str, Path]) -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in example_paths.values():
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
    assert not validator.is_valid({"kind": "soap", "session": {"client": "C-1", "date": "2026-01-01"}})


def test_canonical_json_output_is_valid_against_the_schema(example_paths: dict[str, Path]) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(run("schema").stdout))
    for path in example_paths.values():
        canonical = run("render", str(path), "--format", "json")
        assert canonical.returncode == 0, canonical.stderr
        validator.validate(json.loads(canonical.stdout))


def test_schema_for_one_kind_and_an_unknown_kind() -> None:
    dap = json.loads(run("schema", "--kind", "dap").stdout)
    assert "data" in dap["properties"] and "subjective" not in dap["properties"]
    unknown = run("schema", "--kind", "pie")
    assert unknown.returncode == 2 and "known kinds: birp, dap, girp, soap" in unknown.stderr


def test_formats_and_plugins_are_listed() -> None:
    formats = run("formats")
    assert formats.returncode == 0
    assert "markdown" in formats.stdout and "text/markdown" in formats.stdout and ".md" in formats.stdout
    plugins = json.loads(run("plugins", "--json").stdout)
    markdown = next(plugin for plugin in plugins if plugin["name"] == "markdown")
    assert markdown["status"] == "loaded" and markdown["hooks"] == ["alliance_register_formats"]
    assert markdown["version"]


def install_broken_plugin(site: Path) -> dict[str, str]:
    """A real installed distribution whose plugin fails to import."""
    dist = site / "broken_alliance_plugin-0.3.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-alliance-plugin\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text("[alliance_notes]\nbroken = broken_alliance_plugin\n")
    (site / "broken_alliance_plugin.py").write_text("import not_a_real_dependency\n")
    return {"PYTHONPATH": str(site)}


def test_a_broken_installed_plugin_is_reported_and_the_rest_keep_working(
    tmp_path: Path, example_paths: dict[str, Path]
) -> None:
    env = install_broken_plugin(tmp_path / "site")
    plugins = run("plugins", env=env)
    assert plugins.returncode == 0
    assert "broken 0.3 [failed]" in plugins.stdout
    assert "ModuleNotFoundError" in plugins.stdout
    render = run("render", str(example_paths["soap"]), env=env)
    assert render.returncode == 0 and render.stdout.startswith("# SOAP note")
    assert "plugin 'broken' is not loaded" in render.stderr


def test_plugins_can_be_disabled_by_environment(example_paths: dict[str, Path]) -> None:
    result = run("render", str(example_paths["soap"]), env={"ALLIANCE_NOTES_DISABLE_PLUGINS": "markdown"})
    assert result.returncode == 2 and "unknown format 'markdown'" in result.stderr
    listed = run("plugins", env={"ALLIANCE_NOTES_PLUGINS": ""})
    assert "no plugins loaded" in listed.stdout


def test_parsing_the_command_line_loads_no_models_host_or_forms() -> None:
    """`--version`, `--help` and usage errors stay fast: the heavy modules load when a command runs."""
    heavy = [
        "alliance_notes.note",
        "alliance_notes.host",
        "alliance_notes.document",
        "alliance_notes.fillable",
        "alliance_notes.schema",
        "alliance_notes.transcripts",
    ]
    code = (
        "import sys; from alliance_notes.cli import build_parser; build_parser(); "
        f"loaded = [name for name in {heavy!r} if name in sys.modules]; "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
