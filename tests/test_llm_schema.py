"""The alliance section's schema for language models: strict modes take it as is."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import typing
from typing import Any

import pytest
from openai.lib._pydantic import _ensure_strict_json_schema, to_strict_json_schema
from pydantic import BaseModel

from alliance_notes.alliance import Alliance
from alliance_notes.errors import AllianceNotesError
from alliance_notes.llm import (
    LlmAlliance,
    alliance_schema,
    anthropic_tool,
    openai_response_format,
    schema_problems,
)
from alliance_notes.outline import alliance_outline


def test_the_openai_sdk_leaves_the_schema_unchanged() -> None:
    schema = alliance_schema("openai")
    assert to_strict_json_schema(LlmAlliance) == schema
    converted = _ensure_strict_json_schema(copy.deepcopy(schema), path=(), root=copy.deepcopy(schema))
    assert converted == schema


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_providers_rules_find_nothing_to_object_to(provider: str) -> None:
    assert schema_problems(alliance_schema(provider), provider) == []


def test_the_rules_do_catch_what_the_providers_refuse() -> None:
    schema = alliance_schema("anthropic")
    schema["$defs"]["LlmRupture"]["properties"]["significance"] = {"type": "integer", "minimum": 1}
    schema["$defs"]["LlmEvidence"]["properties"]["quote"]["maxLength"] = 500
    schema["$defs"]["LlmFinding"].pop("additionalProperties")
    problems = schema_problems(schema, "anthropic")
    assert any("uses minimum" in problem for problem in problems)
    assert any("uses maxLength" in problem for problem in problems)
    assert any("additionalProperties must be false" in problem for problem in problems)
    recursive = alliance_schema("anthropic")
    recursive["$defs"]["LlmEvidence"]["properties"]["also"] = {"$ref": "#/$defs/LlmFinding"}
    assert "#: the schema is recursive" in schema_problems(recursive, "anthropic")
    optional = alliance_schema("openai")
    optional["required"] = optional["required"][1:]
    assert any(
        "every property must be required" in problem for problem in schema_problems(optional, "openai")
    )


def test_no_unsupported_keywords_anywhere() -> None:
    text = json.dumps(alliance_schema("anthropic"))
    for keyword in ("minimum", "maximum", "minLength", "maxLength", "pattern", "allOf", "oneOf", "default"):
        assert f'"{keyword}"' not in text


def test_measures_and_provenance_are_not_asked_of_a_model() -> None:
    properties = alliance_schema()["properties"]
    assert "measures" not in properties
    assert "provenance" not in json.dumps(alliance_schema()["$defs"])


def test_ready_made_provider_wrappers() -> None:
    response_format: dict[str, Any] = openai_response_format()
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"] == alliance_schema()
    tool = anthropic_tool()
    assert tool["strict"] is True and tool["input_schema"] == alliance_schema("anthropic")


def test_unknown_provider() -> None:
    with pytest.raises(AllianceNotesError, match="unknown provider"):
        alliance_schema("gemini")


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_command_line_prints_the_same_schema(provider: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alliance_notes", "schema", "--llm", provider],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == alliance_schema(provider)


def test_the_command_line_refuses_llm_with_kind() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alliance_notes", "schema", "--llm", "openai", "--kind", "soap"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "leave out --kind" in result.stderr


def _model_in(annotation: object) -> type[BaseModel] | None:
    for option in (annotation, *typing.get_args(annotation)):
        for inner in (option, *typing.get_args(option)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def test_the_llm_section_follows_the_alliance_outline_field_for_field() -> None:
    """The LLM shape is written by hand for the providers' strict modes; this keeps it equal
    to the one description of the section (measures and provenance are never asked for)."""
    for part in alliance_outline(Alliance):
        if part.key == "measures":
            assert part.key not in LlmAlliance.model_fields
            continue
        llm_part = None
        if part.model is not None:
            llm_part = _model_in(LlmAlliance.model_fields[part.key].annotation)
            assert llm_part is not None
            assert list(llm_part.model_fields) == [field.name for field in part.fields], part.key
        for field in part.fields:
            owner = LlmAlliance if part.model is None else llm_part
            assert owner is not None
            assert field.name in owner.model_fields, field.key
            if field.kind in ("items", "item"):
                llm_item = _model_in(owner.model_fields[field.name].annotation)
                assert llm_item is not None
                asked = set(field.item.model_fields) - {"provenance", "belongs"}
                assert set(llm_item.model_fields) == asked, field.key
