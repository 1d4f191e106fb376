"""Markdown escaping's shortcut (text with nothing that could be syntax is left as it is)
changes no output: it only skips substitutions that would have found nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alliance_notes_plugins.markdown import escape_every_syntax, escape_markdown

#: Text made mostly of Markdown's syntax characters, digits, spaces and line breaks.
SYNTAX_HEAVY = st.text(alphabet=st.sampled_from("\\`*_[]<>|~&#;+=-.)1 9\t\nax"), max_size=40)


@given(st.one_of(SYNTAX_HEAVY, st.text(max_size=40)))
def test_the_shortcut_escapes_exactly_what_every_substitution_does(text: str) -> None:
    assert escape_markdown(text) == escape_every_syntax(text)


def test_plain_clinical_text_is_returned_as_it_is() -> None:
    text = "Client described the night shift at the bakery, 3 times this week."
    assert escape_markdown(text) is text
