"""The words a regular expression cannot match without: a cheap test that rules a turn out
before the expression itself is run.

A rule of the offline extractor is many alternatives ("take your time", "no rush", …);
Python's engine tries every one at every position of every turn, so the cost grows with
the number of patterns.  Most alternatives cannot match unless some literal text is present
("your time", "rush").  :func:`needed_text` reads that text off the parsed expression:
a set of strings of which at least one occurs in every match, or ``None`` when the
expression has no such guarantee (it could match text holding none of them).  Testing
``any(part in text for part in needs)`` is a few substring searches in C, so a turn that
cannot match is ruled out without running the expression.

The parse uses the standard library's own regular-expression parser (``re._parser``; the
``sre_parse`` module before Python 3.11), so it reads exactly what ``re`` compiles.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

if sys.version_info >= (3, 11):
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_parse

#: Shorter required text is not worth testing for: it occurs almost everywhere.
_SHORTEST_USEFUL = 3

_LITERAL = sre_parse.LITERAL
_SUBPATTERN = sre_parse.SUBPATTERN
_BRANCH = sre_parse.BRANCH
_REPEATS = tuple(
    getattr(sre_parse, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(sre_parse, name)
)
_ATOMIC = getattr(sre_parse, "ATOMIC_GROUP", None)
#: Zero-width items: they match no text, so a literal run continues across them.
_ZERO_WIDTH = (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT)


def _weakest(needs: frozenset[str]) -> int:
    return min(len(part) for part in needs)


def _sequence(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """What a sequence needs: its longest run of literal characters, or the strongest need
    of one of its items, whichever has the longest shortest string."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or _weakest(candidate) > _weakest(best)):
            best = candidate

    def end_run() -> None:
        if run:
            consider(frozenset(["".join(run)]))
            run.clear()

    for op, value in items:
        if op == _LITERAL:
            run.append(chr(value))
            continue
        if op in _ZERO_WIDTH:
            # A lookaround may match text of its own; only a boundary or anchor keeps the run.
            if op != sre_parse.AT:
                end_run()
            continue
        end_run()
        consider(_item(op, value))
    end_run()
    return best


def _item(op: Any, value: Any) -> frozenset[str] | None:
    if op == _SUBPATTERN:
        return _sequence(value[-1])
    if _ATOMIC is not None and op == _ATOMIC:
        return _sequence(value)
    if op == _BRANCH:
        union: set[str] = set()
        for branch in value[1]:
            needs = _sequence(branch)
            if not needs:
                return None
            union |= needs
        return frozenset(union)
    if op in _REPEATS:
        low, _high, body = value
        return _sequence(body) if low >= 1 else None
    return None


def needed_text(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which at least one occurs in any text ``pattern`` matches, or ``None``
    when there is no such set worth testing (each string at least three characters).

    Patterns matched with ``re.IGNORECASE`` are not analysed (``None``): the literal text
    would have to be compared without case.
    """
    if flags & sre_parse.SRE_FLAG_IGNORECASE:
        return None
    parsed = sre_parse.parse(pattern, flags)
    if parsed.state.flags & sre_parse.SRE_FLAG_IGNORECASE:
        return None
    needs = _sequence(parsed.data)
    if not needs or _weakest(needs) < _SHORTEST_USEFUL:
        return None
    return needs


def needed_by_any(patterns: Iterable[str], flags: int = 0) -> frozenset[str] | None:
    """What a pattern made of ``patterns`` as alternatives needs: the union of what each
    needs, or ``None`` as soon as one of them needs nothing."""
    union: set[str] = set()
    for pattern in patterns:
        needs = needed_text(pattern, flags)
        if needs is None:
            return None
        union |= needs
    return frozenset(union)
