"""Cold start: `alliance-notes render` of an example note against importing the bare floor.

Runs each command in a fresh process, alternating them so that machine noise hits both, and
prints medians and their ratio::

    python benchmarks/cold_start.py [--runs 20] [--note examples/soap_note.json]

Two floors, in the same run:

* *import floor*: `python -c "import pydantic, jinja2, pluggy"`, the libraries alliance-notes
  is built on, imported and doing nothing (pydantic imports lazily, so this leaves out even
  its model machinery);
* *work floor*: the same libraries doing the job's work without our layer: a pydantic model
  (one class, extra fields allowed) validates the note file and one Jinja template renders
  every field of it;
* *models floor*: the work floor with the note models built (``alliance_notes.note``
  imported: every model class of the note and its alliance section) and the note validated
  by its own model, the same Jinja template rendering every field.  The goal is
  ``alliance-notes render`` at most 1.5 times this floor: what is left over it is the
  plugins, the templates and the command line.

The ratios say what our layer (plugin discovery, the note models, templates, formats) costs
on top of them at start-up.  Child processes run with bytecode caching on (a warm-up run
writes it), as in an installation: pip compiles the installed libraries' bytecode, and an
environment with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise recompile our modules (but
not the libraries) on every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_FLOOR = "import floor: import pydantic, jinja2, pluggy"
WORK_FLOOR_NAME = "work floor: pydantic validates, Jinja renders"
MODELS_FLOOR_NAME = "models floor: + the note models built"


#: The work floor: pydantic validating the note file, Jinja rendering every field of it.
WORK_FLOOR = r"""
import json, sys
import jinja2, pluggy, pydantic

class Note(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow", frozen=True)
    kind: str

with open(sys.argv[1], encoding="utf-8") as handle:
    note = Note.model_validate(json.load(handle))
template = jinja2.Environment(autoescape=False).from_string(
    "{% for name, value in note.items() %}{{ name }}: {{ value }}\n{% endfor %}"
)
sys.stdout.write(template.render(note=note.model_dump()))
"""

#: The models floor: the work floor with the note models built and validating the note.
MODELS_FLOOR = r"""
import json, sys
import jinja2, pluggy, pydantic
from alliance_notes.note import BUILT_IN_KINDS

with open(sys.argv[1], encoding="utf-8") as handle:
    data = json.load(handle)
note = BUILT_IN_KINDS[data["kind"]].model_validate(data)
template = jinja2.Environment(autoescape=False).from_string(
    "{% for name, value in note.items() %}{{ name }}: {{ value }}\n{% endfor %}"
)
sys.stdout.write(template.render(note=note.model_dump()))
"""

_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENVIRONMENT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--note", default=str(ROOT / "examples" / "soap_note.json"))
    arguments = parser.parse_args()

    script = shutil.which("alliance-notes") or str(Path(sys.executable).with_name("alliance-notes"))
    commands = {
        IMPORT_FLOOR: [sys.executable, "-c", "import pydantic, jinja2, pluggy"],
        WORK_FLOOR_NAME: [sys.executable, "-c", WORK_FLOOR, arguments.note],
        MODELS_FLOOR_NAME: [sys.executable, "-c", MODELS_FLOOR, arguments.note],
        "python -c pass": [sys.executable, "-c", "pass"],
        "alliance-notes render (markdown)": [script, "render", arguments.note],
        "alliance-notes render --format text": [script, "render", arguments.note, "--format", "text"],
        "alliance-notes --version": [script, "--version"],
    }
    for command in commands.values():  # warm the file-system cache and write bytecode
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(arguments.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))

    import_floor = statistics.median(samples[IMPORT_FLOOR])
    work_floor = statistics.median(samples[WORK_FLOOR_NAME])
    models_floor = statistics.median(samples[MODELS_FLOOR_NAME])
    print(
        f"{'command':<44} {'median ms':>10} {'ratio to import floor':>22} {'to work floor':>14} "
        f"{'to models floor':>16}"
    )
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<44} {median * 1000:>10.1f} {median / import_floor:>22.2f} {median / work_floor:>14.2f} "
            f"{median / models_floor:>16.2f}"
        )


if __name__ == "__main__":
    main()
