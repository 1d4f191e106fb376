"""The example notes bundled with the package (the showcase the ``demo`` command renders)."""

from __future__ import annotations

from pathlib import Path


def examples_dir() -> Path:
    """The directory of bundled examples: inside an installed wheel, or the checkout's ``examples/``."""
    packaged = Path(__file__).with_name("examples")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples"


def example_notes() -> dict[str, Path]:
    """The bundled example notes by kind, e.g. ``{"soap": …/soap_note.json}``."""
    return {path.name.removesuffix("_note.json"): path for path in sorted(examples_dir().glob("*_note.json"))}
