"""Write docs/hooks.md, the hook reference, from the hook specifications' docstrings.

    python docs/generate_hooks.py

The docstrings in ``alliance_notes/hookspecs.py`` are the only copy of the hook
documentation; tests/test_hook_docs.py fails when this file and they disagree.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from alliance_notes import hookspecs


def hook_reference() -> str:
    """The Markdown hook reference."""
    lines = [
        "# Hook reference",
        "",
        "Generated from `alliance_notes/hookspecs.py` by `python docs/generate_hooks.py`; do not edit.",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name, function in sorted(vars(hookspecs).items()):
        if not name.startswith("alliance_") or not callable(function):
            continue
        signature = inspect.signature(function)
        lines += [f"## `{name}{signature}`", "", inspect.cleandoc(function.__doc__ or ""), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    Path(__file__).with_name("hooks.md").write_text(hook_reference(), encoding="utf-8")
