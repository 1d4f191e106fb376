"""The extractor's pre-test (text a pattern cannot match without) never rules out a match."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes_plugins.extractor import LEXICON_PATH, normalised_lines
from alliance_notes_plugins.regex_needs import needed_by_any, needed_text

FIXTURES = Path(__file__).parent / "fixtures" / "extractor"


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\btake your time\b", {"take your time"}),
        # The parser factors out the common "no ": what is left is the longer need.
        (r"\b(?:no rush|no hurry)\b", {"rush", "hurry"}),
        (r"\bi'?m sorry\b", {"m sorry"}),
        (r"\b(?:it|that)'?s fine\b", {"s fine"}),
        (r"(?:abc)+x", {"abc"}),
        (r"(?:abc)*x", None),
        (r"\b(?:ok|no)\b", None),
        (r"[a-z]+", None),
        (r"(?i)take your time", None),
    ],
)
def test_what_a_pattern_needs(pattern: str, needs: set[str] | None) -> None:
    assert needed_text(pattern) == (None if needs is None else frozenset(needs))


def test_one_alternative_that_needs_nothing_means_the_whole_needs_nothing() -> None:
    assert needed_by_any([r"\bno rush\b", r"[a-z]+"]) is None
    assert needed_by_any([r"\bno rush\b", r"\btake your time\b"]) == {"no rush", "take your time"}


def _rule_patterns() -> list[tuple[str, str, int]]:
    lexicon = json.loads(Path(LEXICON_PATH).read_text(encoding="utf-8"))
    found = []
    for rule in lexicon["rules"]:
        found += [(rule["id"], pattern, re.MULTILINE) for pattern in rule.get("patterns", [])]
        found += [(rule["id"], pattern, 0) for pattern in rule.get("utterance_patterns", [])]
    return found


def _fixture_turns() -> list[str]:
    turns = []
    for path in sorted(FIXTURES.glob("*.json")):
        for transcript in json.loads(path.read_text(encoding="utf-8"))["transcripts"]:
            turns += [normalised_lines(u["text"]) for u in transcript["utterances"]]
    return turns


def test_no_rule_pattern_matches_a_turn_its_pre_test_rules_out() -> None:
    """Every pattern of the built-in rules against every labelled turn (about 2,500): where
    the pattern matches, the text it needs is there."""
    turns = _fixture_turns()
    checked = 0
    for rule_id, pattern, flags in _rule_patterns():
        needs = needed_text(pattern, flags)
        if needs is None:
            continue
        compiled = re.compile(pattern, flags)
        for text in turns:
            if compiled.search(text):
                checked += 1
                assert any(part in text for part in needs), (rule_id, pattern)
    assert checked > 500


_PIECES = st.sampled_from(["take", "your", "time", "no", "rush", "i'm", "sorry", " ", "\n", ",", "?", "fine"])


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.sampled_from([p for _, p, _ in _rule_patterns()]),
    text=st.lists(_PIECES | st.text(max_size=4), max_size=30).map("".join),
)
def test_generated_text_never_matches_without_what_its_pattern_needs(pattern: str, text: str) -> None:
    needs = needed_text(pattern, re.MULTILINE)
    if needs is not None and re.search(pattern, text, re.MULTILINE):
        assert any(part in text for part in needs)
