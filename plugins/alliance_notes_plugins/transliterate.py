"""ASCII transliteration for systems that mangle Unicode, without losing meaning.

Typographic punctuation becomes its plain equivalent (curly quotes → straight quotes, an
en dash → ``-``, an em dash → ``--``, an ellipsis → ``...``), accented letters lose their
accents (``é`` → ``e``), ligatures and compatibility forms are spelled out (``ß`` → ``ss``,
``ﬁ`` → ``fi``, ``½`` → ``1/2``), and common symbols are written out (``≥`` → ``>=``).
A character with no ASCII equivalent (a CJK ideograph, an emoji) is written as its code
point, ``[U+4E2D]``, so that nothing disappears silently.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_REPLACEMENTS: dict[str, str] = {
    # quotation marks and primes
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u2039": "'",
    "\u203a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    # dashes and hyphens
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "--",
    "\u2015": "--",
    "\u2212": "-",
    "\u00ad": "",  # soft hyphen: an invisible hint where a word may break
    # punctuation and separators
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": "-",
    "\u2044": "/",
    "\u2028": "\n",
    "\u2029": "\n\n",
    "\u200b": "",  # zero-width space, joiners: invisible
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    # symbols
    "\u00d7": "x",
    "\u00f7": "/",
    "\u00b1": "+/-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u00b0": " deg",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u2122": "(TM)",
    "\u00a7": "Sec.",
    "\u00b6": "Para.",
    "\u20ac": "EUR",
    "\u00a3": "GBP",
    "\u00a5": "JPY",
    "\u00a2": "c",
    "\u2713": "[x]",
    "\u2714": "[x]",
    "\u2717": "[ ]",
    # letters that do not decompose
    "\u00df": "ss",
    "\u1e9e": "SS",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u00fe": "th",
    "\u00de": "Th",
    "\u0131": "i",
}


@lru_cache(maxsize=4096)
def _character(character: str) -> str:
    replacement = _REPLACEMENTS.get(character)
    if replacement is not None:
        return replacement
    if unicodedata.category(character) == "Zs":
        return " "
    decomposed = unicodedata.normalize("NFKD", character)
    spelled = "".join(part for part in decomposed if not unicodedata.combining(part))
    parts = [part if part.isascii() else _REPLACEMENTS.get(part) for part in spelled]
    if spelled and all(part is not None for part in parts):
        return "".join(part for part in parts if part is not None)  # e.g. ½ → 1⁄2 → 1/2
    return f"[U+{ord(character):04X}]"


def to_ascii(text: str) -> str:
    """The text in ASCII, transliterated as the module describes."""
    if text.isascii():
        return text
    return "".join(character if character.isascii() else _character(character) for character in text)
