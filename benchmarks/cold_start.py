"""Cold start: `alliance-notes render` of an example note against importing the bare floor.

Runs each command in a fresh process, alternating them so that machine noise hits both, and
prints medians and their ratio::

    python benchmarks/cold_start.py [--runs 20] [--note examples/soap_note.json]

The floor is `python -c "import pydantic, jinja2, pluggy"`: the libraries alliance-notes is
built on, imported and doing nothing.  The ratio says what our layer (plugin discovery,
models, templates, rendering) costs on top of them at start-up.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
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
        "floor: import pydantic, jinja2, pluggy": [sys.executable, "-c", "import pydantic, jinja2, pluggy"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "alliance-notes render (markdown)": [script, "render", arguments.note],
        "alliance-notes render --format text": [script, "render", arguments.note, "--format", "text"],
        "alliance-notes --version": [script, "--version"],
    }
    for command in commands.values():  # warm the file-system cache
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(arguments.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))

    floor = statistics.median(samples["floor: import pydantic, jinja2, pluggy"])
    print(f"{'command':<40} {'median ms':>10} {'ratio to floor':>15}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<40} {median * 1000:>10.1f} {median / floor:>15.2f}")


if __name__ == "__main__":
    main()
