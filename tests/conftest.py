"""Fixtures shared by the test suite."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from alliance_notes import create_host
from alliance_notes.examples import example_notes
from alliance_notes.host import Host

# Notes are large composite objects: generating them is slow by hypothesis's standards,
# which is expected, not a problem with the tests.
settings.register_profile(
    "alliance",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("alliance")

# Tests never reach a language model: a developer's own configuration of the model-backed
# extractor (ALLIANCE_NOTES_LLM_MODEL …) would make the default host call out.
for _name in [name for name in os.environ if name.startswith("ALLIANCE_NOTES_LLM_")]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def host() -> Host:
    """A host with the installed plugins (the built-in formats among them)."""
    return create_host(environ={})


@pytest.fixture(scope="session")
def example_paths() -> dict[str, Path]:
    """The bundled example notes by kind."""
    return example_notes()


@pytest.fixture
def soap_data(example_paths: dict[str, Path]) -> dict[str, Any]:
    """The example SOAP note as parsed JSON, safe to modify."""
    data: dict[str, Any] = json.loads(example_paths["soap"].read_text(encoding="utf-8"))
    return data


@pytest.fixture
def soap_with_open_suggestion(soap_data: dict[str, Any]) -> dict[str, Any]:
    """The example SOAP note written by the clinician, with one extractor suggestion (the
    choice offered) that the clinician has not confirmed yet.

    (The example itself is a reviewed AI draft, which holds no unconfirmed suggestion.)
    """
    soap_data["authorship"] = {"written_by": "clinician", "clinician": "clin-07"}
    soap_data["alliance"]["autonomy_and_consent"]["choices_offered"][0]["provenance"]["confirmed"] = False
    return soap_data
