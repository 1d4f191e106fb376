"""The host formats end to end on the command line (run as subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import NoteValidationError
from formats_support import vnu_messages

FORMATS = {
    "html": ("text/html", ".html"),
    "ehr-text": ("text/plain", ".ehr.txt"),
    "json": ("application/json", ".json"),
    "fhir-r5": ("application/fhir+json", ".r5.fhir.json"),
    "fhir-r4b": ("application/fhir+json", ".r4b.fhir.json"),
}


def run(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ALLIANCE_NOTES")}
    return subprocess.run(
        [sys.executable, "-m", "alliance_notes", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
        check=False,
    )


def test_formats_lists_each_with_media_type_and_extension() -> None:
    result = run("formats")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if not line.startswith(" ")}
    for name, (media_type, extension) in FORMATS.items():
        assert lines[name][1:3] == [media_type, extension], name
    listed = {row["name"]: row for row in json.loads(run("formats", "--json").stdout)}
    assert set(listed["ehr-text"]["options"]) == {"layout", "width", "ascii"}
    assert set(listed["html"]["options"]) == {"fragment"}
    assert set(listed["fhir-r5"]["options"]) == {"validate"}


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
