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

A validated FHIR render also does work no layer can avoid: ``fhir.resources`` checking
every element of the Bundle.  So the FHIR rows are also compared with a second floor, in
the same run: the floor above plus ``fhir.resources`` validating the same Bundle, built
beforehand (``Bundle.model_validate`` of its JSON data).  Its ratio is what the plugin
adds to the work itself.  ``--per-note`` also prints each example note's FHIR figures.

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
from pydantic import BaseModel

from alliance_notes import create_host
from alliance_notes.document import build_document
from alliance_notes.examples import example_notes
from alliance_notes.host import Host
from alliance_notes.templating import core_templates_dir

try:
    from fhir.resources.bundle import Bundle as R5Bundle
    from fhir.resources.R4B.bundle import Bundle as R4BBundle

    BUNDLE_MODELS: dict[str, type[BaseModel]] = {"R5": R5Bundle, "R4B": R4BBundle}
except ImportError:  # the fhir extra is not installed: no FHIR floors
    BUNDLE_MODELS = {}

Case = tuple[str, type[Any], dict[str, Any]]  # (example name, note model, note data)
FLOOR = "floor: pydantic + one Jinja render"
#: The rows of validated FHIR renders, and the FHIR version each is compared in.
VALIDATED_FHIR = {
    "fhir-r5 (validated by fhir.resources)": "R5",
    "fhir-r4b (validated by fhir.resources)": "R4B",
}

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
    parser.add_argument("--per-note", action="store_true", help="print each note's FHIR figures too")
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
    cases = [
        (path.stem, host.note_models[data["kind"]], data)
        for path in example_notes().values()
        for data in [json.loads(path.read_text(encoding="utf-8"))]
    ]

    def floor(chosen: list[Case]) -> Callable[[], None]:
        def render() -> None:
            for _, model, data in chosen:
                note = model.model_validate(data)
                floor_template.render(document=build_document(note), note=note, placement="section")

        return render

    def variant(chosen: list[Case], name: str, options: dict[str, str]) -> Callable[[], None]:
        def render() -> None:
            for _, model, data in chosen:
                host.render(model.model_validate(data), name, **options)

        return render

    # Keyed by (example note, or "all"; row label).
    actions: dict[tuple[str, str], Callable[[], None]] = {}
    groups = [("all", cases)] + ([(case[0], [case]) for case in cases] if arguments.per_note else [])
    for group, chosen in groups:
        actions[(group, FLOOR)] = floor(chosen)
        actions.update(
            {(group, label): action for label, action in fhir_floor_actions(host, chosen, floor).items()}
        )
        actions.update(
            {
                (group, label): variant(chosen, name, options)
                for label, name, options in VARIANTS
                if name in host.formats and (group == "all" or (name.startswith("fhir") and not options))
            }
        )
    for action in actions.values():  # warm up: imports (fhir.resources), template compilation
        action()
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in actions}
    for _ in range(arguments.rounds):
        for (group, label), action in actions.items():
            notes_in_action = len(cases) if group == "all" else 1
            samples[(group, label)].append(mean_seconds(action, arguments.repeat) / notes_in_action)
    report(samples, len(cases), arguments)


def fhir_floor_actions(
    host: Host, cases: list[Case], floor: Callable[[list[Case]], Callable[[], None]]
) -> dict[str, Callable[[], None]]:
    """The floor plus bare fhir.resources validation of each note's Bundle, per FHIR version."""
    actions: dict[str, Callable[[], None]] = {}
    for version, bundle_model in BUNDLE_MODELS.items():
        name = f"fhir-{version.lower()}"
        if name not in host.formats:
            continue
        bundles = [
            json.loads(host.render(model.model_validate(data), name, validate="no"))
            for _, model, data in cases
        ]
        actions[fhir_floor_label(version)] = _with_validation(floor(cases), bundle_model, bundles)
    return actions


def _with_validation(
    render: Callable[[], None], bundle_model: type[BaseModel], bundles: list[dict[str, Any]]
) -> Callable[[], None]:
    def work() -> None:
        render()
        for bundle in bundles:
            bundle_model.model_validate(bundle)

    return work


def fhir_floor_label(version: str) -> str:
    return f"floor + fhir.resources {version} validation"


def report(samples: dict[tuple[str, str], list[float]], count: int, arguments: argparse.Namespace) -> None:
    medians = {key: statistics.median(values) * 1000 for key, values in samples.items()}
    print(f"{count} example notes; {arguments.rounds} rounds x {arguments.repeat} renders")
    print(f"{'':<52} {'ms per':>8} {'ratio to':>9} {'ratio to floor':>16}")
    print(f"{'format':<52} {'note':>8} {'floor':>9} {'+ fhir.resources':>16}")
    for (group, label), median_ms in medians.items():
        name = label if group == "all" else f"{group}: {label}"
        line = f"{name:<52} {median_ms:>8.2f} {median_ms / medians[(group, FLOOR)]:>9.2f}"
        version = VALIDATED_FHIR.get(label)
        if version is not None and (group, fhir_floor_label(version)) in medians:
            line += f" {median_ms / medians[(group, fhir_floor_label(version))]:>16.2f}"
        print(line)


if __name__ == "__main__":
    main()
