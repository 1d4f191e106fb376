"""Reading a FHIR Bundle back, per note, as a ratio to the bare floor measured in the same run.

    python benchmarks/bench_fhir_readback.py [--rounds 9] [--repeat 10]

For each bundled example note, each FHIR version and each audience that reads back
(review, record, private; section placement), the Bundle is rendered once beforehand, then:

* *read* is ``Host.read(bundle, "fhir-r5")``: parse the Bundle, decode the Binary, validate
  the note, then the consistency check of :mod:`alliance_notes_plugins.fhir_readback`
  (the note built into a Bundle again, likeliest audience and placement first, and
  compared element by element with the one received);
* the *floor* is what reading took before that check: parse the Bundle's JSON, decode the
  Binary's base64, and validate the note with pydantic (the note model of its kind);
* *render* (for scale) is ``Host.render`` of the same note in the same format,
  ``validate=no``.

Timings alternate round by round, so machine noise hits all of them; each figure is the
median over rounds of the mean over ``--repeat`` calls, averaged over the cases (ms).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics

from bench_formats import mean_seconds  # the same timing as the formats benchmark (this folder)

from alliance_notes import create_host
from alliance_notes.examples import example_notes

AUDIENCES = ("review", "record", "private")
VERSIONS = ("fhir-r5", "fhir-r4b")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=10)
    arguments = parser.parse_args()
    host = create_host(environ={})
    cases = []
    for path in example_notes().values():
        note = host.load_note(path)
        for name in VERSIONS:
            for audience in AUDIENCES:
                bundle = host.render(note, name, audience=audience, validate="no")
                cases.append((note, name, audience, bundle))

    def floor() -> None:
        for note, _, _, bundle in cases:
            data = json.loads(bundle)
            binary = data["entry"][-1]["resource"]["data"]
            type(note).model_validate(json.loads(base64.b64decode(binary)))

    def read() -> None:
        for _, name, _, bundle in cases:
            host.read(bundle, name)

    def render() -> None:
        for note, name, audience, _ in cases:
            host.render(note, name, audience=audience, validate="no")

    actions = {
        "floor: parse + decode + validate the note": floor,
        "read (with the check)": read,
        "render": render,
    }
    samples: dict[str, list[float]] = {label: [] for label in actions}
    for _ in range(arguments.rounds):
        for label, action in actions.items():
            samples[label].append(mean_seconds(action, arguments.repeat) / len(cases))
    base = statistics.median(samples["floor: parse + decode + validate the note"])
    notes = len(cases) // len(VERSIONS) // len(AUDIENCES)
    print(f"{len(cases)} Bundles ({notes} notes x {len(VERSIONS)} versions x {len(AUDIENCES)} audiences)")
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"{label:<45} {median * 1000:7.2f} ms per Bundle   x{median / base:5.2f} floor")


if __name__ == "__main__":
    main()
