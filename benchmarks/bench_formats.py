"""Render time per note for every host format, as a ratio to the bare floor measured in the same run.

    python benchmarks/bench_formats.py [--rounds 15] [--repeat 20]

For each bundled example note, one *render* is: validate the note's parsed JSON with
pydantic, then ``Host.render`` in the format (the plugin layer: the request, the
format-neutral document, templates or builders, checks).  The FHIR formats include the
plugin's own narrative check and ``fhir.resources`` validation of the Bundle (the default,
``validate=auto`` with fhir.resources installed); ``validate=no`` is shown for comparison.

The *floor* is the same note with no plugin layer: pydantic validation of the same data,
then one render of the built-in HTML page template (``html/note.html.j2``) through a bare
Jinja2 environment over the core template directory, given the format-neutral document
(``build_document``) — no host, no plugin, no request, no option handling, no checks.
A ratio of 1 means a format costs what checking the note and one autoescaped Jinja page
of it cost; the html format's ratio is the plugin layer's own overhead.

Timings alternate floor and formats round by round, so machine noise hits all of them; each
figure is the median over rounds of the mean over ``--repeat`` renders, summed over the
example notes and divided by their number (ms per note).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import jinja2

from alliance_notes import create_host
from alliance_notes.document import build_document
from alliance_notes.examples import example_notes
from alliance_notes.host import Host
from alliance_notes.templating import core_templates_dir

#: (label, format name, options) measured against the floor.
VARIANTS: list[tuple[str, str, dict[str, str]]] = [
    ("html (page)", "html", {}),
    ("html (fragment)", "html", {"fragment": "yes"}),
    ("ehr-text (sections)", "ehr-text", {}),
    (
        "ehr-text (one box, width 72, ascii)",
        "ehr-text",
        {"layout": "single-box", "width": "72", "ascii": "yes"},
    ),
    ("json", "json", {}),
    ("fhir-r5 (validated by fhir.resources)", "fhir-r5", {}),
    ("fhir-r4b (validated by fhir.resources)", "fhir-r4b", {}),
    ("fhir-r5 (validate=no)", "fhir-r5", {"validate": "no"}),
    ("markdown", "markdown", {}),
    ("text", "text", {}),
]


def mean_seconds(action: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()

    host: Host = create_host()
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(core_templates_dir())),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # as the host's environment: included templates are not re-checked on disk
    )
    floor_template = environment.get_template("html/note.html.j2")
    cases: list[tuple[type[Any], dict[str, Any]]] = []
    for path in example_notes().values():
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append((host.note_models[data["kind"]], data))

    def floor() -> None:
        for model, data in cases:
            note = model.model_validate(data)
            floor_template.render(document=build_document(note), note=note, placement="section")

    def variant(name: str, options: dict[str, str]) -> Callable[[], None]:
        def render() -> None:
            for model, data in cases:
                host.render(model.model_validate(data), name, **options)

        return render

    actions = {"floor: pydantic + one Jinja render": floor}
    actions.update(
        {label: variant(name, options) for label, name, options in VARIANTS if name in host.formats}
    )
    for action in actions.values():  # warm up: imports (fhir.resources), template compilation
        action()
    samples: dict[str, list[float]] = {label: [] for label in actions}
    for _ in range(arguments.rounds):
        for label, action in actions.items():
            samples[label].append(mean_seconds(action, arguments.repeat) / len(cases))

    floor_ms = statistics.median(samples["floor: pydantic + one Jinja render"]) * 1000
    print(f"{len(cases)} example notes; {arguments.rounds} rounds x {arguments.repeat} renders")
    print(f"{'format':<42} {'ms per note':>12} {'ratio to floor':>15}")
    for label, values in samples.items():
        median_ms = statistics.median(values) * 1000
        print(f"{label:<42} {median_ms:>12.2f} {median_ms / floor_ms:>15.2f}")


if __name__ == "__main__":
    main()
