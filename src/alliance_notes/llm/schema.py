"""Schemas of the alliance section for language-model providers' strict structured output
(domain reference §8).

One schema serves both providers: :data:`LlmAlliance <alliance_notes.llm.models.LlmAlliance>`
written so that

* **OpenAI** strict mode (``response_format`` with ``strict: true``) takes it as is: the
  root is an object, every object has ``additionalProperties: false`` and lists all its
  properties as required, optional values are unions with null, there is no ``allOf``,
  ``not``, ``if``/``then``/``else`` or ``dependent*``, and it nests well within the limits.
  The ``openai`` SDK's own conversion (``openai.lib._pydantic.to_strict_json_schema``)
  leaves it unchanged, which the tests check;
* **Anthropic** strict tools (``strict: true`` with ``input_schema``) take it as is: no
  numeric bounds, string lengths, ``minItems`` above 1 or ``maxItems``, no recursion, no
  optional parameters at all, and fewer than 16 unions.

>>> from alliance_notes.llm import alliance_schema, openai_response_format, anthropic_tool
>>> schema = alliance_schema("openai")         # or "anthropic": the same schema
>>> response_format = openai_response_format()  # for chat.completions.create(response_format=…)
>>> tool = anthropic_tool()                     # for messages.create(tools=[…], tool_choice=…)
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from alliance_notes.errors import AllianceNotesError
from alliance_notes.llm.models import LlmAlliance

#: The providers a schema is made for.
PROVIDERS = ("openai", "anthropic")
#: The name the schema goes by in a response format or a tool.
SCHEMA_NAME = "alliance_section"

_OPENAI_FORBIDDEN = ("allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas")
_ANTHROPIC_FORBIDDEN = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "unevaluatedProperties",
    "prefixItems",
)
#: Limits from the providers' documentation (the older, stricter figures where two exist).
OPENAI_MAX_NESTING = 5
OPENAI_MAX_PROPERTIES = 100
OPENAI_MAX_ENUM_VALUES = 1000
ANTHROPIC_MAX_OPTIONAL = 24
ANTHROPIC_MAX_UNIONS = 16


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return LlmAlliance.model_json_schema()


def alliance_schema(provider: str = "openai") -> dict[str, Any]:
    """The JSON Schema of the alliance section for ``provider``'s strict mode (a fresh copy).

    :raises AllianceNotesError: for a provider other than ``openai`` or ``anthropic``.
    """
    if provider not in PROVIDERS:
        raise AllianceNotesError(f"unknown provider '{provider}'; use one of: {', '.join(PROVIDERS)}")
    return copy.deepcopy(_schema())


def openai_response_format(name: str = SCHEMA_NAME) -> dict[str, Any]:
    """The ``response_format`` for OpenAI Chat Completions with strict structured output."""
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": alliance_schema()}}


def anthropic_tool(name: str = "record_alliance_section") -> dict[str, Any]:
    """An Anthropic tool definition with strict input; force it with
    ``tool_choice={"type": "tool", "name": name}`` and pass the tool call's ``input`` (as
    JSON text) to :func:`alliance_notes.llm.parse`."""
    return {
        "name": name,
        "description": "Record the therapeutic-alliance section of the progress note, "
        "quoting only words from the transcript.",
        "strict": True,
        "input_schema": alliance_schema("anthropic"),
    }


def _nodes(schema: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with its JSON pointer."""
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for name, child in value.items():
                    yield from _nodes(child, f"{path}/{key}/{name}")
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                yield from _nodes(value, f"{path}/{key}")
            elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
                for index, child in enumerate(value):
                    yield from _nodes(child, f"{path}/{key}/{index}")


_UNBOUNDED = 10**6


def _depth(node: dict[str, Any], root: dict[str, Any], seen: tuple[str, ...] = ()) -> int:
    """How many objects deep ``node`` nests, following references (unbounded if recursive)."""
    reference = node.get("$ref")
    if isinstance(reference, str):
        name = reference.rsplit("/", 1)[-1]
        if name in seen:
            return _UNBOUNDED
        return _depth(root["$defs"][name], root, (*seen, name))
    children = [*node.get("properties", {}).values(), *node.get("anyOf", [])]
    if isinstance(node.get("items"), dict):
        children.append(node["items"])
    inner = max((_depth(child, root, seen) for child in children), default=0)
    return min(_UNBOUNDED, inner + (1 if node.get("type") == "object" else 0))


def schema_problems(schema: dict[str, Any], provider: str) -> list[str]:
    """What in ``schema`` the provider's strict mode would not accept (empty when nothing).

    The rules are the domain reference's §8.  Used by the tests; useful to check a schema
    a clinic has changed.
    """
    problems: list[str] = []
    if schema.get("type") != "object":
        problems.append("#: the root must be an object")
    nodes = list(_nodes(schema))
    for path, node in nodes:
        if node.get("type") == "object":
            if node.get("additionalProperties") is not False:
                problems.append(f"{path}: additionalProperties must be false")
            if provider == "openai" and node.get("required") != list(node.get("properties", {})):
                problems.append(f"{path}: every property must be required, in order")
        if provider == "openai":
            problems.extend(f"{path}: uses {key}" for key in _OPENAI_FORBIDDEN if key in node)
            if "$ref" in node and len(node) > 1:
                problems.append(f"{path}: a $ref with other keywords beside it")
            if "default" in node:
                problems.append(f"{path}: has a default")
            if len(node.get("enum", [])) > OPENAI_MAX_ENUM_VALUES:
                problems.append(f"{path}: more than {OPENAI_MAX_ENUM_VALUES} enum values")
        if provider == "anthropic":
            problems.extend(f"{path}: uses {key}" for key in _ANTHROPIC_FORBIDDEN if key in node)
            if node.get("minItems", 0) > 1:
                problems.append(f"{path}: minItems above 1")
    if provider == "openai":
        properties = sum(len(node.get("properties", {})) for _, node in nodes)
        if properties > OPENAI_MAX_PROPERTIES:
            problems.append(f"#: {properties} properties, more than {OPENAI_MAX_PROPERTIES}")
        depth = _depth(schema, schema)
        if depth > OPENAI_MAX_NESTING:
            problems.append(f"#: nests {depth} objects deep, more than {OPENAI_MAX_NESTING}")
    if provider == "anthropic":
        if _depth(schema, schema) >= _UNBOUNDED:
            problems.append("#: the schema is recursive")
        optional = sum(
            len(set(node.get("properties", {})) - set(node.get("required", []))) for _, node in nodes
        )
        if optional > ANTHROPIC_MAX_OPTIONAL:
            problems.append(f"#: {optional} optional parameters, more than {ANTHROPIC_MAX_OPTIONAL}")
        unions = sum(1 for _, node in nodes if "anyOf" in node or isinstance(node.get("type"), list))
        if unions > ANTHROPIC_MAX_UNIONS:
            problems.append(f"#: {unions} union types, more than {ANTHROPIC_MAX_UNIONS}")
    return problems
