"""The language-model extractor plugin: the real ``openai`` SDK code path, served recorded
responses through an ``httpx`` mock transport (nothing leaves the machine), every failure
a clear error or warning, and its suggestions merged with the offline extractor's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from alliance_notes import Alliance, create_host, extend, load_transcript
from alliance_notes.examples import examples_dir
from alliance_notes.host import Host
from alliance_notes.llm import alliance_prompt, openai_response_format
from alliance_notes.plugin_api import Observation, instances_in
from alliance_notes.suggestions import SuggestionWarning
from alliance_notes_plugins import extractor
from alliance_notes_plugins import llm_extractor as plugin
from alliance_notes_plugins.llm_extractor import (
    PLACEHOLDER_KEY,
    LlmExtractorError,
    LlmExtractorWarning,
    LlmSettings,
    llm_extractor,
)

FIXTURES = Path(__file__).parent / "fixtures" / "llm_extractor"
TRANSCRIPT_PATH = examples_dir() / "soap_transcript.txt"
TRANSCRIPT = load_transcript(TRANSCRIPT_PATH)
NOTE = examples_dir() / "soap_note.json"
MODEL = "gpt-4o-mini"
KEY = "sk-test-0000"
ENVIRON = {"OPENAI_API_KEY": KEY}
# Words of the session that no message may repeat.
PRIVATE = ("diesel", "remembered", "private", "nights", "trust you")
Handler = Callable[[httpx.Request], httpx.Response]


def recorded(name: str, status: int = 200) -> Handler:
    """A handler answering with the recorded body ``name``."""
    body = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return lambda request: httpx.Response(status, json=body)


class Server:
    """A mock transport that records every request and answers with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self._handler = handler

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._handler(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self._handle))

    def body(self) -> dict[str, Any]:
        (request,) = self.requests
        data: dict[str, Any] = json.loads(request.content)
        return data


def extractor_for(server: Server, **options: Any) -> plugin.LlmExtractor:
    options.setdefault("environ", ENVIRON)
    return llm_extractor(MODEL, max_retries=0, http_client=server.client(), **options)


def host_with(server: Server, **options: Any) -> Host:
    """A host with the offline extractor and the model-backed one."""
    return create_host(
        environ={},
        entry_points=[],
        plugins=[("extractor", extractor), ("llm-extractor", extractor_for(server, **options))],
    )


def authors(alliance: Alliance) -> dict[str, set[str]]:
    """Which programs suggested the section's unconfirmed items, by author."""
    found: dict[str, set[str]] = {}
    for _, item in instances_in(alliance, Observation):
        if not item.provenance.confirmed:
            found.setdefault(item.provenance.author.value, set()).add(str(item.provenance.suggested_by))
    return found


def assert_private(message: str) -> None:
    assert KEY not in message
    for words in PRIVATE:
        assert words not in message.lower()


# -- a good answer ------------------------------------------------------------------------------


def test_a_good_answer_is_read_through_the_sdk_and_every_item_is_the_models() -> None:
    server = Server(recorded("good"))
    alliance = extractor_for(server).suggest(TRANSCRIPT)
    assert authors(alliance) == {"language_model": {MODEL}}
    assert alliance.trust.built_by[0].evidence[0].timestamp == "00:05:02"
    assert alliance.autonomy_and_consent.consent_checks[0].response.value == "agreed"
    # One request, to the provider's chat completions, with the strict schema and the model.
    (request,) = server.requests
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = server.body()
    assert body["model"] == MODEL
    assert body["response_format"] == openai_response_format()
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["messages"] == [{"role": "user", "content": alliance_prompt(TRANSCRIPT)}]


def test_its_suggestions_merge_with_the_offline_extractors_each_keeping_provenance() -> None:
    server = Server(recorded("good"))
    merged = host_with(server).suggest(TRANSCRIPT)
    found = authors(merged)
    assert found["language_model"] == {MODEL}
    assert "extractor" in found
    assert len(server.requests) == 1


def test_extend_runs_it_with_the_offline_extractor() -> None:
    server = Server(recorded("good"))
    result = extend(NOTE, TRANSCRIPT_PATH, host=host_with(server))
    assert authors(result.note.alliance)["language_model"] == {MODEL}


def test_a_local_server_gets_a_placeholder_key_when_none_is_set() -> None:
    server = Server(recorded("good"))
    base_url = "http://localhost:11434/v1"
    extractor_for(server, base_url=base_url, environ={}).suggest(TRANSCRIPT)
    (request,) = server.requests
    assert str(request.url) == f"{base_url}/chat/completions"
    assert request.headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"


# -- inactive unless configured -----------------------------------------------------------------


def test_unconfigured_it_suggests_nothing_and_never_imports_the_sdk() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from alliance_notes import create_host, load_transcript
        from alliance_notes_plugins import llm_extractor
        transcript = load_transcript({str(TRANSCRIPT_PATH)!r})
        assert llm_extractor.alliance_suggest_alliance(transcript, None) is None
        host = create_host(environ={{}})
        assert "llm-extractor" in [status.name for status in host.plugins if status.loaded]
        host.suggest(transcript)
        assert "openai" not in sys.modules and "httpx2" not in sys.modules, "the SDK was imported"
        """
    )
    environ = {name: value for name, value in os.environ.items() if not name.startswith("ALLIANCE_NOTES_")}
    completed = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_the_settings_come_from_the_environment() -> None:
    assert LlmSettings.from_environ({}) is None
    assert LlmSettings.from_environ({"OPENAI_API_KEY": KEY}) is None
    settings = LlmSettings.from_environ(
        {
            "ALLIANCE_NOTES_LLM_MODEL": " llama3.1 ",
            "ALLIANCE_NOTES_LLM_BASE_URL": "http://localhost:11434/v1",
            "ALLIANCE_NOTES_LLM_TIMEOUT": "12.5",
            "ALLIANCE_NOTES_LLM_MAX_RETRIES": "2",
        }
    )
    assert settings == LlmSettings("llama3.1", "http://localhost:11434/v1", 12.5, 2)
    defaults = LlmSettings.from_environ({"ALLIANCE_NOTES_LLM_MODEL": MODEL})
    assert defaults is not None and defaults.timeout < 30
    with pytest.raises(LlmExtractorError, match="ALLIANCE_NOTES_LLM_TIMEOUT must be a number"):
        LlmSettings.from_environ({"ALLIANCE_NOTES_LLM_MODEL": MODEL, "ALLIANCE_NOTES_LLM_TIMEOUT": "soon"})
    with pytest.raises(LlmExtractorError, match="ALLIANCE_NOTES_LLM_MAX_RETRIES must be a whole number"):
        LlmSettings.from_environ({"ALLIANCE_NOTES_LLM_MODEL": MODEL, "ALLIANCE_NOTES_LLM_MAX_RETRIES": "-1"})


# -- failures -----------------------------------------------------------------------------------


def timing_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def refusing_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


FAILURES: list[tuple[str, Handler, str]] = [
    ("timeout", timing_out, r"did not answer within 25 s \(ALLIANCE_NOTES_LLM_TIMEOUT\)"),
    ("no connection", refusing_connection, "could not connect to the model's server"),
    ("rate limit", recorded("rate_limit", 429), r"rate limit or quota exceeded \(HTTP 429\)"),
    (
        "bad key",
        lambda request: httpx.Response(401, json={"error": {"message": "Incorrect API key", "code": "x"}}),
        r"refused the request \(HTTP 401, AuthenticationError\)",
    ),
    ("refusal", recorded("refusal"), "the model refused to answer"),
    ("truncated", recorded("truncated"), r"cut off at its token limit \(finish_reason 'length'\)"),
    ("invalid JSON", recorded("invalid_json"), "not a valid alliance section: output is not valid JSON"),
    (
        "invalid section",
        recorded("invalid_section"),
        r"not a valid alliance section: trust\.state must be one of: .*; "
        r"respect\.strengths\[0\]\.evidence\[0\]\.utterance_index must be a whole number",
    ),
]


@pytest.mark.parametrize(("failure", "handler", "message"), FAILURES, ids=[case[0] for case in FAILURES])
def test_each_failure_is_a_clear_error_and_never_a_partial_section(
    failure: str, handler: Handler, message: str
) -> None:
    server = Server(handler)
    with pytest.raises(LlmExtractorError, match=message) as raised:
        extractor_for(server).suggest(TRANSCRIPT)
    assert str(raised.value).startswith("plugin 'llm-extractor': ")
    assert raised.value.plugin == "llm-extractor"
    assert_private(str(raised.value))
    assert len(server.requests) == 1  # max_retries=0: asked once


@pytest.mark.parametrize(("failure", "handler", "message"), FAILURES, ids=[case[0] for case in FAILURES])
def test_through_the_host_a_failure_is_a_warning_and_the_offline_suggestions_stand(
    failure: str, handler: Handler, message: str
) -> None:
    server = Server(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        merged = host_with(server).suggest(TRANSCRIPT)
    # One warning, the host's, naming the extractor and giving the plugin's own reason.
    (explained,) = [str(warning.message) for warning in caught]
    assert caught[0].category is SuggestionWarning
    assert explained.startswith("extractor 'llm-extractor': failed: ")
    assert re.search(message, explained)
    assert explained.endswith("; its suggestions are left out")
    assert_private(explained)
    found = authors(merged)
    assert "language_model" not in found
    assert "extractor" in found


def test_no_key_and_no_base_url_is_an_error_before_any_request() -> None:
    server = Server(recorded("good"))
    with pytest.raises(LlmExtractorError, match="no API key: set OPENAI_API_KEY in the environment"):
        extractor_for(server, environ={}).suggest(TRANSCRIPT)
    assert server.requests == []


def test_configured_by_the_environment_without_a_key_it_warns_and_the_others_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLIANCE_NOTES_LLM_MODEL", MODEL)
    monkeypatch.delenv("ALLIANCE_NOTES_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    host = create_host(
        environ={}, entry_points=[], plugins=[("extractor", extractor), ("llm-extractor", plugin)]
    )
    with pytest.warns(SuggestionWarning, match=r"extractor 'llm-extractor': failed: no API key"):
        merged = host.suggest(TRANSCRIPT)
    assert set(authors(merged)) == {"extractor"}


def test_a_quote_not_in_the_transcript_drops_its_item_with_a_warning_naming_it() -> None:
    server = Server(recorded("ungrounded_quote"))
    with pytest.warns(LlmExtractorWarning, match=r"dropped trust\.built_by\[1\]: ") as caught:
        alliance = extractor_for(server).suggest(TRANSCRIPT)
    assert len(caught) == 1
    assert "trust.built_by[1].evidence[0].quote is not in the session transcript" in str(caught[0].message)
    assert_private(str(caught[0].message))
    # The rest of the answer stands, whole and grounded, every item the model's.
    good = extractor_for(Server(recorded("good"))).suggest(TRANSCRIPT)
    assert alliance == good
    assert authors(alliance) == {"language_model": {MODEL}}


def test_a_part_left_with_nothing_grounded_is_not_assessed() -> None:
    content = json.loads((FIXTURES / "good.json").read_text(encoding="utf-8"))
    section = json.loads(content["choices"][0]["message"]["content"])
    section["respect"]["strengths"][0]["evidence"][0]["quote"] = "Words nobody said in the session"
    content["choices"][0]["message"]["content"] = json.dumps(section)
    server = Server(lambda request: httpx.Response(200, json=content))
    with pytest.warns(LlmExtractorWarning, match=r"dropped respect\.strengths\[0\]"):
        alliance = extractor_for(server).suggest(TRANSCRIPT)
    assert alliance.respect.status.value == "not_assessed"
    assert alliance.boundaries.status.value == "assessed"


def test_through_the_host_the_grounded_rest_merges_with_the_offline_suggestions() -> None:
    server = Server(recorded("ungrounded_quote"))
    with pytest.warns(LlmExtractorWarning, match=r"dropped trust\.built_by\[1\]"):
        merged = host_with(server).suggest(TRANSCRIPT)
    found = authors(merged)
    assert found["language_model"] == {MODEL}
    assert "extractor" in found
