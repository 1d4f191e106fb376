"""The published FHIR definitions: they validate, sit at the URLs the Bundles use, and every
project code and every QuestionnaireResponse answer in the Bundles conforms to them."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes.audiences import PlacementWarning
from alliance_notes.host import Host
from alliance_notes.testing import notes
from alliance_notes_plugins import fhir_definitions
from alliance_notes_plugins.fhir_bundle import CANONICAL_NOTE_EXTENSION, CODE_SYSTEM
from alliance_notes_plugins.fhir_definitions import definitions, project_codings
from alliance_notes_plugins.fhir_questionnaires import MAX_VALUE_EXTENSION, MIN_VALUE_EXTENSION
from cli_support import run_cli

FORMATS = {"R5": "fhir-r5", "R4B": "fhir-r4b"}
#: The audiences whose Bundles carry codes from the project's CodeSystem.
AUDIENCES = ("review", "record", "private", "client")


@pytest.fixture(scope="module", params=sorted(FORMATS))
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def published(host: Host, version: str) -> dict[str, dict[str, Any]]:
    return definitions(host.note_models, version)


def _of_type(published: dict[str, dict[str, Any]], resource_type: str) -> list[dict[str, Any]]:
    return [resource for resource in published.values() if resource["resourceType"] == resource_type]


def _model(version: str, module: str, name: str) -> Any:
    package = "fhir.resources" if version == "R5" else "fhir.resources.R4B"
    return getattr(__import__(f"{package}.{module}", fromlist=[name]), name)


def test_the_definitions_validate_with_fhir_resources(
    published: dict[str, dict[str, Any]], version: str
) -> None:
    for name, resource in published.items():
        resource_type = resource["resourceType"]
        model = _model(version, resource_type.lower(), resource_type)
        model.model_validate(resource)
        assert name == f"{resource_type}-{resource['id']}.json"


def test_the_definitions_meet_the_official_json_schema_and_their_narratives_the_xhtml_schema(
    published: dict[str, dict[str, Any]], version: str
) -> None:
    """Checked by validators independent of fhir.resources, as the Bundles are."""
    from fhir_conformance_support import json_schema_errors, xhtml_schema_errors

    for name, resource in published.items():
        assert json_schema_errors(resource, version) == [], name
        if "text" in resource:
            assert xhtml_schema_errors(resource["text"]["div"]) == [], name


def test_there_is_one_codesystem_three_questionnaires_and_the_extension(
    published: dict[str, dict[str, Any]],
) -> None:
    (code_system,) = _of_type(published, "CodeSystem")
    assert code_system["url"] == CODE_SYSTEM
    assert code_system["count"] == len(code_system["concept"])
    codes = [concept["code"] for concept in code_system["concept"]]
    assert len(codes) == len(set(codes))
    assert {"alliance", "trust", "ruptures", "srs-total", "wai-sr-bond", "client-summary"} <= set(codes)
    assert sorted(q["id"] for q in _of_type(published, "Questionnaire")) == ["ors", "srs", "wai-sr"]
    (extension,) = _of_type(published, "StructureDefinition")
    assert extension["url"] == CANONICAL_NOTE_EXTENSION


def _bundles(host: Host, note: Any, name: str) -> Iterator[dict[str, Any]]:
    for audience in AUDIENCES:
        for placement in ("section", "inline"):
            with warnings.catch_warnings():
                # A generated item may have no place: the record leaves it out, and says so.
                warnings.simplefilter("ignore", PlacementWarning)
                output = host.render(note, name, placement, validate="no", audience=audience)
            yield json.loads(output)


def _questionnaire_responses(bundle: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, entry in enumerate(bundle["entry"]):
        if entry["resource"]["resourceType"] == "QuestionnaireResponse":
            yield index, entry["resource"]


def assert_conforms(bundle: dict[str, Any], published: dict[str, dict[str, Any]]) -> None:
    """Every project coding is in the CodeSystem with its display; every answer fits its
    Questionnaire; the canonical-note extension is the one defined."""
    (code_system,) = _of_type(published, "CodeSystem")
    displays = {concept["code"]: concept["display"] for concept in code_system["concept"]}
    for code, display in project_codings(bundle):
        assert code in displays, code
        assert display == displays[code], code
    questionnaires = {q["url"]: q for q in _of_type(published, "Questionnaire")}
    for index, response in _questionnaire_responses(bundle):
        questionnaire = questionnaires[response["questionnaire"]]
        asked = {item["linkId"]: item for item in questionnaire["item"]}
        answered = [item["linkId"] for item in response["item"]]
        assert answered == [item["linkId"] for item in questionnaire["item"]], index  # all, in order
        for item in response["item"]:
            question = asked[item["linkId"]]
            (answer,) = item["answer"]
            key = {"decimal": "valueDecimal", "integer": "valueInteger"}[question["type"]]
            assert list(answer) == [key], (index, item["linkId"])
            bounds = {extension["url"]: extension[key] for extension in question["extension"]}
            assert bounds[MIN_VALUE_EXTENSION] <= answer[key] <= bounds[MAX_VALUE_EXTENSION]
            if question["type"] == "integer":
                assert type(answer[key]) is int
    (extension,) = _of_type(published, "StructureDefinition")
    composition = bundle["entry"][0]["resource"]
    for used in composition.get("extension", []):
        if used["url"] == extension["url"]:
            target = used["valueReference"]["reference"]
            assert [e["resource"]["resourceType"] for e in bundle["entry"] if e["fullUrl"] == target] == [
                "Binary"
            ]


def test_example_bundles_conform_to_the_definitions(
    host: Host, example_paths: dict[str, Path], published: dict[str, dict[str, Any]], version: str
) -> None:
    for path in example_paths.values():
        for bundle in _bundles(host, host.load_note(path), FORMATS[version]):
            assert_conforms(bundle, published)


@settings(max_examples=15)
@given(note=notes(), version=st.sampled_from(sorted(FORMATS)))
def test_generated_bundles_conform_to_the_definitions(host: Host, note: Any, version: str) -> None:
    published = definitions(host.note_models, version)
    for bundle in _bundles(host, note, FORMATS[version]):
        assert_conforms(bundle, published)


def test_a_code_given_two_displays_is_refused(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    twice = {"a": {"system": CODE_SYSTEM, "code": "trust", "display": "Trust"}}
    monkeypatch.setattr(
        fhir_definitions,
        "build_bundle",
        lambda *_: {**twice, "b": {"system": CODE_SYSTEM, "code": "trust", "display": "Confidence"}},
    )
    with pytest.raises(ValueError, match="'trust'"):
        definitions(host.note_models, "R5")


@pytest.mark.parametrize(("option", "version"), [("r5", "R5"), ("R4B", "R4B")])
def test_the_command_writes_the_definitions(host: Host, tmp_path: Path, option: str, version: str) -> None:
    target = tmp_path / "defs" / version
    result = run_cli("fhir-definitions", "--version", option, "-o", str(target))
    assert result.returncode == 0, result.stderr
    written = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in target.iterdir()}
    assert written == definitions(host.note_models, version)
    assert result.stdout.split() == [str(target / name) for name in definitions(host.note_models, version)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--version", "r6", "-o", "out"), "invalid choice: 'r6'"),
        (("--version", "r5"), "-o/--output"),
        (("--version", "r5", "-o", "a-file"), "-o a-file: exists and is not a directory"),
    ],
)
def test_the_command_refuses_bad_usage(tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = run_cli("fhir-definitions", *arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_needs_the_fhir_plugin(tmp_path: Path) -> None:
    result = run_cli(
        "fhir-definitions",
        "--version",
        "r5",
        "-o",
        str(tmp_path),
        env={"ALLIANCE_NOTES_DISABLE_PLUGINS": "fhir"},
    )
    assert result.returncode == 2
    assert "the FHIR plugin is not loaded" in result.stderr
    assert list(tmp_path.iterdir()) == []
