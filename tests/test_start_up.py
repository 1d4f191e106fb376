"""A command imports only what it uses: rendering a note loads no test library, no FHIR
validator, no language-model layer, nothing of the batch, forms or transcripts, and none of
the FHIR plugin's Bundle code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Modules ``alliance-notes render NOTE`` (Markdown) has no use for.
NOT_FOR_RENDER = [
    "hypothesis",
    "fhir.resources",
    "openai",
    "alliance_notes.llm",
    "alliance_notes.testing",
    "alliance_notes.batch",
    "tqdm",
    "alliance_notes.fillable",
    "alliance_notes.transcripts",
    "alliance_notes.grounding",
    "alliance_notes.schema",
    # The FHIR plugin's builder, narratives, XHTML check and read-back: only for FHIR formats.
    "alliance_notes_plugins.fhir_bundle",
    "alliance_notes_plugins.fhir_narrative",
    "alliance_notes_plugins.xhtml_check",
    "alliance_notes_plugins.fhir_readback",
]


def test_render_imports_only_what_it_uses(example_paths: dict[str, Path]) -> None:
    code = (
        "import contextlib, io, sys; from alliance_notes.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['render', {str(example_paths['soap'])!r}]) == 0\n"
        f"loaded = [name for name in {NOT_FOR_RENDER!r} if name in sys.modules]\n"
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
