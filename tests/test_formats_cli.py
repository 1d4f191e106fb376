"""The host formats end to end on the command line (run as subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError
from cli_support import run_cli
from formats_support import vnu_messages
from readme_support import code_blocks, needs_readme, readme_text, run_command_line

FORMATS = {
    "html": ("text/html", ".html"),
    "ehr-text": ("text/plain", ".ehr.txt"),
    "json": ("application/json", ".json"),
    "fhir-r5": ("application/fhir+json", ".r5.fhir.json"),
    "fhir-r4b": ("application/fhir+json", ".r4b.fhir.json"),
}


def run(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*arguments, cwd=cwd)


def test_formats_lists_each_with_media_type_and_extension() -> None:
    result = run("formats")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if not line.startswith(" ")}
    for name, (media_type, extension) in FORMATS.items():
        assert lines[name][1:3] == [media_type, extension], name
    listed = {row["name"]: row for row in json.loads(run("formats", "--json").stdout)}
    assert set(listed["ehr-text"]["options"]) == {"layout", "width", "ascii"}
    assert set(listed["html"]["options"]) == {"fragment"}
    assert set(listed["fhir-r5"]["options"]) == {"validate", "timestamp"}


def test_demo_out_writes_every_format_and_each_file_is_right(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    registered = create_host(environ={}).formats
    written = sorted(path.name for path in out.iterdir())
    expected = sorted(
        f"{kind}_note{registered[name].format.extension}" for kind in ("soap", "dap") for name in registered
    )
    assert written == expected and set(FORMATS) <= set(registered)
    host = create_host(environ={})
    for kind in ("soap", "dap"):
        note = host.read_note((out / f"{kind}_note.json").read_text(encoding="utf-8"))
        for name in ("json", "fhir-r5", "fhir-r4b"):
            text = (out / f"{kind}_note{FORMATS[name][1]}").read_text(encoding="utf-8")
            assert host.read(text, name) == note
        assert "=== THERAPEUTIC ALLIANCE ===" in (out / f"{kind}_note.ehr.txt").read_text(encoding="utf-8")
    assert vnu_messages([out / "soap_note.html", out / "dap_note.html"]) == []


def test_render_json_then_read_it_as_input(tmp_path: Path, example_paths: dict[str, Path]) -> None:
    canonical = tmp_path / "soap.json"
    assert run("render", str(example_paths["soap"]), "--format", "json", "-o", str(canonical)).returncode == 0
    validated = run("validate", str(canonical))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    again = run("render", str(canonical), "--format", "json")
    assert again.stdout == canonical.read_text(encoding="utf-8")


def test_format_options_on_the_command_line(example_paths: dict[str, Path]) -> None:
    result = run(
        "render", str(example_paths["dap"]), "-f", "ehr-text", "--option", "layout=single-box",
        "--option", "width=50", "--option", "ascii=yes",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii() and "===" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines() if " " in line.strip()) <= 50


@pytest.mark.parametrize(
    ("name", "option", "message"),
    [
        ("ehr-text", "width=5", "option width must be 0"),
        ("html", "fragment=perhaps", "option fragment must be yes or no"),
        ("fhir-r4b", "validate=sometimes", "option validate must be one of"),
        ("json", "indent=4", "format 'json' has no option indent"),
    ],
)
def test_bad_options_exit_2_with_a_message_and_no_traceback(
    example_paths: dict[str, Path], name: str, option: str, message: str
) -> None:
    result = run("render", str(example_paths["soap"]), "-f", name, "--option", option)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_reading_a_bundle_that_is_not_a_note_never_echoes_its_text() -> None:
    host = create_host(environ={})
    with pytest.raises(NoteValidationError, match="canonical-note extension") as caught:
        host.read(json.dumps({"resourceType": "Bundle", "type": "document", "entry": [
            {"resource": {"resourceType": "Composition", "title": "Private words"}}
        ]}), "fhir-r5")  # fmt: skip
    assert "Private words" not in str(caught.value)


@pytest.mark.parametrize("name", ["fhir-r5", "fhir-r4b", "json"])
def test_output_of_a_format_that_reads_back_is_input_with_from(
    tmp_path: Path, example_paths: dict[str, Path], name: str
) -> None:
    written = tmp_path / f"soap{FORMATS[name][1]}"
    assert run("render", str(example_paths["soap"]), "-f", name, "-o", str(written)).returncode == 0
    again = run("render", str(written), "--from", name, "-f", "markdown")
    assert again.returncode == 0, again.stderr
    assert again.stdout == run("render", str(example_paths["soap"]), "-f", "markdown").stdout
    validated = run("validate", str(written), "--from", name, "--json")
    assert validated.returncode == 0 and json.loads(validated.stdout)["kind"] == "soap"
    piped = subprocess.run(
        [sys.executable, "-m", "alliance_notes", "render", "-", "--from", name, "-f", "json"],
        input=written.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert (
        piped.returncode == 0
        and piped.stdout.decode() == run("render", str(written), "--from", name, "-f", "json").stdout
    )


def test_a_bundle_given_as_a_note_says_to_read_it_with_from(
    tmp_path: Path, example_paths: dict[str, Path]
) -> None:
    bundle = tmp_path / "soap.r5.fhir.json"
    assert run("render", str(example_paths["soap"]), "-f", "fhir-r5", "-o", str(bundle)).returncode == 0
    result = run("render", str(bundle))
    assert result.returncode == 2 and "--from fhir-r5" in result.stderr and "Traceback" not in result.stderr
    assert "C-0412" not in result.stderr  # nothing of the Bundle is quoted


def test_from_a_format_that_does_not_read_back_names_those_that_do(
    tmp_path: Path, example_paths: dict[str, Path]
) -> None:
    page = tmp_path / "soap.html"
    assert run("render", str(example_paths["soap"]), "-f", "html", "-o", str(page)).returncode == 0
    result = run("validate", str(page), "--from", "html")
    assert result.returncode == 2
    assert (
        "format 'html' cannot be read back into a note; formats that can: fhir-r4b, fhir-r5, json"
        in result.stderr
    )
    missing = run("render", str(tmp_path / "absent.json"), "--from", "json")
    assert missing.returncode == 2 and "cannot be read" in missing.stderr


@needs_readme
def test_every_command_in_the_readmes_host_formats_section_runs(
    tmp_path: Path, example_paths: dict[str, Path]
) -> None:
    section = readme_text().split("## Host formats", 1)[1].split("\n## ", 1)[0]
    commands = [
        line
        for block in code_blocks("bash", section)
        for line in block.splitlines()
        if line.startswith("alliance-notes ")
    ]
    assert any("--from fhir-r5" in command for command in commands), commands
    (tmp_path / "note.json").write_bytes(example_paths["soap"].read_bytes())
    for command in commands:
        result = run_command_line(command, tmp_path)
        assert result.returncode == 0, (command, result.stderr)
