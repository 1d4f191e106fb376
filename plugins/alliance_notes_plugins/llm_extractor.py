"""A language model as alliance extractor: asks a model, through the ``openai`` SDK, for the
alliance section of a session transcript, and reads its answer with
:func:`alliance_notes.llm.parse` (strict schema, every quote grounded in the transcript).

It does nothing, imports nothing and calls no network unless configured:

* ``ALLIANCE_NOTES_LLM_MODEL``: the model's name (``gpt-4o-mini``, or a local model's name);
  unset, the plugin suggests nothing;
* ``ALLIANCE_NOTES_LLM_BASE_URL``: an OpenAI-compatible server instead of OpenAI's, such as
  Ollama (``http://localhost:11434/v1``) or vLLM (``http://localhost:8000/v1``);
* ``OPENAI_API_KEY``: the key, read from the environment only.  With a base URL and no key,
  a placeholder key is sent (local servers ignore it); without a base URL a key is required;
* ``ALLIANCE_NOTES_LLM_TIMEOUT`` (seconds, default :data:`DEFAULT_TIMEOUT`, below the
  host's 30 s extractor budget) and ``ALLIANCE_NOTES_LLM_MAX_RETRIES`` (default
  :data:`DEFAULT_MAX_RETRIES`).

Every failure is a :class:`LlmExtractorError` naming the plugin and what happened, never
quoting the transcript: no key, a timeout or no connection, a rate limit, another refusal
by the provider, the model's refusal, an answer cut off at its token limit, an answer that
is not the section (each problem by field).  The hook warns with the reason
(:class:`LlmExtractorWarning`) and raises, so the host leaves this extractor out with a
warning naming it and the other extractors' suggestions stand: never a partial section.

A quote that is not in the transcript drops the item it supports, with a warning naming
the item's field path; the rest of the answer is read again, as a whole, with every
remaining quote grounded.  A part left with nothing is "not assessed" again.

Every item suggested carries provenance: author ``language_model``, ``suggested_by`` the
model's name, unconfirmed.

In code (and tests), :func:`llm_extractor` builds the plugin object with explicit settings
and an ``httpx`` client of one's own::

    host = create_host(plugins=[("llm-extractor", llm_extractor("gpt-4o-mini"))])
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alliance_notes.plugin_api import Alliance, PluginError, ProgressNote, Transcript, hookimpl

if TYPE_CHECKING:  # the LLM layer is imported only when the plugin is configured and asked
    from alliance_notes.llm import LlmOutputError

#: The name messages give the plugin (its entry point's name).
PLUGIN = "llm-extractor"
#: The environment variable naming the model; unset, the plugin is inactive.
ENV_MODEL = "ALLIANCE_NOTES_LLM_MODEL"
#: The environment variable giving an OpenAI-compatible server's base URL.
ENV_BASE_URL = "ALLIANCE_NOTES_LLM_BASE_URL"
#: The environment variable holding the API key (the only place a key is read from).
ENV_API_KEY = "OPENAI_API_KEY"
#: The environment variable giving the request timeout in seconds.
ENV_TIMEOUT = "ALLIANCE_NOTES_LLM_TIMEOUT"
#: The environment variable giving how many times a failed request is retried.
ENV_MAX_RETRIES = "ALLIANCE_NOTES_LLM_MAX_RETRIES"
#: Seconds one request may take: below the host's 30 s budget for an extractor.
DEFAULT_TIMEOUT = 25.0
#: Retries of a failed request (the SDK's backoff would overrun the host's budget).
DEFAULT_MAX_RETRIES = 0
#: The key sent to a server at a base URL when ``OPENAI_API_KEY`` is unset.
PLACEHOLDER_KEY = "no-key-needed"

_EVIDENCE = re.compile(r"^(?P<item>.+?)\.evidence\[\d+\]")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PARTS_WITH_STATUS = ("respect", "boundaries", "autonomy_and_consent")


class LlmExtractorError(PluginError):
    """The language-model extractor could not suggest anything; the message says why
    (never quoting the transcript or the key)."""

    def __init__(self, message: str) -> None:
        super().__init__(PLUGIN, message)


class LlmExtractorWarning(UserWarning):
    """Something the language-model extractor left out, and why."""


@dataclass(frozen=True)
class LlmSettings:
    """How to reach the model.  The key is not held here: it is read from the environment
    when the model is asked."""

    model: str
    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> LlmSettings | None:
        """The settings in ``environ``; None when no model is named (the plugin is inactive).

        :raises LlmExtractorError: for a timeout or retry count that is not a number.
        """
        model = environ.get(ENV_MODEL, "").strip()
        if not model:
            return None
        return cls(
            model=model,
            base_url=environ.get(ENV_BASE_URL, "").strip() or None,
            timeout=_timeout(environ.get(ENV_TIMEOUT, "")),
            max_retries=_retries(environ.get(ENV_MAX_RETRIES, "")),
        )


def _timeout(text: str) -> float:
    if not text.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise LlmExtractorError(
            f"{ENV_TIMEOUT} must be a number of seconds above 0, e.g. {DEFAULT_TIMEOUT:g}"
        )
    return value


def _retries(text: str) -> int:
    if not text.strip():
        return DEFAULT_MAX_RETRIES
    if not text.strip().isdigit():
        raise LlmExtractorError(f"{ENV_MAX_RETRIES} must be a whole number, 0 or more")
    return int(text.strip())


class LlmExtractor:
    """The plugin object: asks one model for the alliance section.

    :param settings: the model and how to reach it.
    :param environ: where ``OPENAI_API_KEY`` is read (default: the process environment).
    :param http_client: an ``httpx`` client for the SDK (tests give one with a mock
        transport); default: the SDK's own.
    """

    def __init__(
        self, settings: LlmSettings, *, environ: Mapping[str, str] | None = None, http_client: Any = None
    ) -> None:
        self.settings = settings
        self._environ = os.environ if environ is None else environ
        self._http_client = http_client

    @hookimpl
    def alliance_suggest_alliance(self, transcript: Transcript, note: ProgressNote | None) -> Alliance | None:
        """Suggest alliance findings from the model; on failure raise
        :class:`LlmExtractorError`, whose reason the host reports in its warning."""
        return self.suggest(transcript, note)

    def suggest(self, transcript: Transcript, note: ProgressNote | None = None) -> Alliance:
        """The model's alliance section for ``transcript``, every quote grounded.

        :raises LlmExtractorError: saying what went wrong; never a partial section.
        """
        return _grounded(self._ask(transcript, note), transcript, self.settings.model)

    def _api_key(self) -> str:
        key = self._environ.get(ENV_API_KEY, "").strip()
        if key:
            return key
        if self.settings.base_url is not None:
            return PLACEHOLDER_KEY
        raise LlmExtractorError(
            f"no API key: set {ENV_API_KEY} in the environment "
            f"(or {ENV_BASE_URL} for a local server that needs none)"
        )

    def _ask(self, transcript: Transcript, note: ProgressNote | None) -> str:
        """The model's reply text.  ``openai`` is imported only here."""
        key = self._api_key()
        import openai  # noqa: PLC0415  (only when the plugin is configured and asked)

        from alliance_notes.llm import alliance_prompt, openai_response_format  # noqa: PLC0415  (likewise)

        client = openai.OpenAI(
            api_key=key,
            base_url=self.settings.base_url,
            timeout=self.settings.timeout,
            max_retries=self.settings.max_retries,
            http_client=self._http_client,
        )
        try:
            completion = client.chat.completions.create(  # type: ignore[call-overload]
                model=self.settings.model,
                messages=[{"role": "user", "content": alliance_prompt(transcript, note)}],
                response_format=openai_response_format(),
            )
        except openai.APITimeoutError:
            raise LlmExtractorError(
                f"the model did not answer within {self.settings.timeout:g} s ({ENV_TIMEOUT})"
            ) from None
        except openai.APIConnectionError:
            raise LlmExtractorError("could not connect to the model's server") from None
        except openai.RateLimitError:
            raise LlmExtractorError(
                "the provider refused the request: rate limit or quota exceeded (HTTP 429); try again later"
            ) from None
        except openai.APIStatusError as error:
            raise LlmExtractorError(
                f"the provider refused the request (HTTP {error.status_code}, {type(error).__name__})"
            ) from None
        except openai.OpenAIError as error:
            raise LlmExtractorError(f"the openai SDK failed ({type(error).__name__})") from None
        return _reply_text(completion)


def _reply_text(completion: Any) -> str:
    """The content of the completion's one answer, or an error for an answer that is not one."""
    if not completion.choices:
        raise LlmExtractorError("the model returned no answer")
    choice = completion.choices[0]
    if getattr(choice.message, "refusal", None):
        raise LlmExtractorError("the model refused to answer; no suggestions from it")
    if choice.finish_reason == "length":
        raise LlmExtractorError(
            "the model's answer was cut off at its token limit (finish_reason 'length'); "
            "a partial section is never used"
        )
    if choice.finish_reason == "content_filter":
        raise LlmExtractorError("the provider's content filter stopped the model's answer")
    content = choice.message.content
    if not isinstance(content, str) or not content.strip():
        raise LlmExtractorError("the model's answer is empty")
    return content


def _output_error(error: LlmOutputError) -> LlmExtractorError:
    problems = "; ".join(f"{problem.location or 'output'} {problem.message}" for problem in error.problems)
    return LlmExtractorError(f"the model's answer is not a valid alliance section: {problems}")


def _grounded(reply: str, transcript: Transcript, model: str) -> Alliance:
    """The reply as a section: validated first, then with every quote grounded; an item
    whose quote is not grounded is dropped with a warning naming it."""
    from alliance_notes.llm import LlmOutputError, parse  # noqa: PLC0415  (only for a model's reply)

    try:
        parse(reply, None, model=model)
    except LlmOutputError as error:
        raise _output_error(error) from None
    try:
        return parse(reply, transcript, model=model)
    except LlmOutputError as error:
        ungrounded = error.problems
    kept = _without_items(reply, [problem.location for problem in ungrounded])
    for problem in ungrounded:
        warnings.warn(
            LlmExtractorWarning(
                f"plugin '{PLUGIN}': dropped {_item_path(problem.location)}: {problem.location} "
                f"{problem.message}"
            ),
            stacklevel=4,
        )
    try:
        return parse(kept, transcript, model=model)
    except LlmOutputError as error:
        raise _output_error(error) from None


def _item_path(location: str) -> str:
    """The field path of the item a quote supports (``respect.client_voice[0]``)."""
    match = _EVIDENCE.match(location)
    if match is None:
        raise LlmExtractorError(f"a quote's problem at {location} is not in an item's evidence")
    return match.group("item")


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def _without_items(reply: str, locations: list[str]) -> str:
    """The reply's JSON without the items those quote problems are in; parts and answers
    left with nothing detected become "not assessed"."""
    try:
        data = json.loads(reply)
    except ValueError:
        raise LlmExtractorError("the model's answer has ungrounded quotes and is not plain JSON") from None
    kept = copy.deepcopy(data)
    # Later list items first, so that removing one does not shift the next one's index.
    removals = sorted(
        {tuple(_steps(_item_path(location))) for location in locations}, key=_order, reverse=True
    )
    for steps in removals:
        _remove(kept, list(steps))
    _not_assessed_when_empty(kept)
    return json.dumps(kept)


def _order(steps: tuple[str | int, ...]) -> list[tuple[int, str | int]]:
    return [(0, step) if isinstance(step, int) else (1, step) for step in steps]


def _remove(data: Any, steps: list[str | int]) -> None:
    """Remove the list item (or null the single item) at ``steps``."""
    parent = data
    try:
        for step in steps[:-1]:
            parent = parent[step]
        last = steps[-1]
        if isinstance(last, int):
            del parent[last]
        else:
            parent[last] = None
    except (KeyError, IndexError, TypeError):
        raise LlmExtractorError("the model's answer could not be read without its ungrounded items") from None


def _has_findings(part: dict[str, Any]) -> bool:
    return any(value not in (None, [], "") for key, value in part.items() if key != "status")


def _not_assessed_when_empty(data: Any) -> None:
    """A part, the trust state or rupture screening with nothing left is not assessed."""
    if not isinstance(data, dict):
        return
    for name in _PARTS_WITH_STATUS:
        part = data.get(name)
        if isinstance(part, dict) and not _has_findings(part):
            part["status"] = "not_assessed"
    trust = data.get("trust")
    if isinstance(trust, dict) and not (trust.get("built_by") or trust.get("strained_by")):
        trust["state"] = "not_assessed"
    if data.get("rupture_screening") == "observed" and not data.get("ruptures"):
        data["rupture_screening"] = "not_assessed"


def llm_extractor(
    model: str,
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
    environ: Mapping[str, str] | None = None,
    http_client: Any = None,
) -> LlmExtractor:
    """The plugin object for ``create_host(plugins=[("llm-extractor", …)])`` with explicit
    settings; the key is still read from ``environ`` (default: the process environment)."""
    settings = LlmSettings(model=model, base_url=base_url, timeout=timeout, max_retries=max_retries)
    return LlmExtractor(settings, environ=environ, http_client=http_client)


@hookimpl
def alliance_suggest_alliance(transcript: Transcript, note: ProgressNote | None) -> Alliance | None:
    """Suggest alliance findings from the model named by ``ALLIANCE_NOTES_LLM_MODEL``;
    nothing (and no network) when it is unset."""
    settings = LlmSettings.from_environ(os.environ)
    if settings is None:
        return None
    return LlmExtractor(settings).alliance_suggest_alliance(transcript, note)


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_MAX_RETRIES",
    "ENV_MODEL",
    "ENV_TIMEOUT",
    "PLACEHOLDER_KEY",
    "PLUGIN",
    "LlmExtractor",
    "LlmExtractorError",
    "LlmExtractorWarning",
    "LlmSettings",
    "alliance_suggest_alliance",
    "llm_extractor",
]
