"""Asking a language model for the alliance section, and reading its answer safely.

>>> from alliance_notes.llm import alliance_schema, alliance_prompt, parse
>>> schema = alliance_schema("openai")              # or "anthropic": strict mode takes it as is
>>> prompt = alliance_prompt(transcript)             # doctest: +SKIP
>>> alliance = parse(model_reply, transcript)        # doctest: +SKIP

:func:`parse` tolerates code fences, prose around the JSON and enum values in another
case; it rejects everything else with :class:`LlmOutputError` listing each problem by
field, and checks every quote against the transcript when one is given.  Nothing here
calls a provider: bring your own client.
"""

from __future__ import annotations

from alliance_notes.llm.models import LlmAlliance
from alliance_notes.llm.parse import LlmOutputError, parse
from alliance_notes.llm.prompt import PROMPT_TEMPLATE, alliance_prompt, prompt_context
from alliance_notes.llm.schema import (
    PROVIDERS,
    alliance_schema,
    anthropic_tool,
    openai_response_format,
    schema_problems,
)

__all__ = [
    "PROMPT_TEMPLATE",
    "PROVIDERS",
    "LlmAlliance",
    "LlmOutputError",
    "alliance_prompt",
    "alliance_schema",
    "anthropic_tool",
    "openai_response_format",
    "parse",
    "prompt_context",
    "schema_problems",
]
