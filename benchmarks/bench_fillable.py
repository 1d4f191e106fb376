"""What the fill-in form and the clinic-template sandbox cost, as ratios to the bare floor.

    python benchmarks/bench_fillable.py

* **Form round trip** — writing the prefilled form for the bundled SOAP example (which
  reads it back once to check nothing is lost) and parsing it.  The floor is moving the
  same note through its JSON: ``model_dump_json`` and ``model_validate_json``.
* **Clinic render** — rendering the SOAP example as Markdown with a clinic's template
  directory, so every render is sandboxed and bounded.  The floor is Jinja2's own
  ``ImmutableSandboxedEnvironment`` rendering the same built-in templates with the same
  plain data, without this project's guards; the trusted (no clinic) render is shown too.

Each figure is the best of several repeats, in milliseconds per call.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from alliance_notes import create_host
from alliance_notes.document import escape_document
from alliance_notes.examples import example_notes
from alliance_notes.fillable import parse_filled, prefilled_template
from alliance_notes.formats import RenderRequest
from alliance_notes.note import SoapNote
from alliance_notes.templating import MARKUP_EXTENSIONS, Templates, core_templates_dir, plain_data
from alliance_notes_plugins.markdown import escape_markdown


class _KeysFirst(ImmutableSandboxedEnvironment):
    """Jinja's sandbox reading plain data's keys before dict methods, as the templates expect."""

    def getattr(self, obj: object, attribute: str) -> object:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def best(work: Callable[[], object], number: int = 20, repeat: int = 5) -> float:
    """Milliseconds per call, best of ``repeat`` runs of ``number`` calls."""
    work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            work()
        times.append((time.perf_counter() - start) / number)
    return min(times) * 1000


def main() -> None:
    host = create_host()
    note = host.load_note(example_notes()["soap"])
    form = prefilled_template(note)
    json_text = note.model_dump_json()

    floor = best(lambda: SoapNote.model_validate_json(note.model_dump_json()))
    write = best(lambda: prefilled_template(note))
    parse = best(lambda: parse_filled(form))
    print(f"form round trip (SOAP example, {len(form.splitlines())} lines, {len(json_text)} bytes of JSON)")
    print(f"  floor: JSON dump + validate      {floor:7.2f} ms")
    print(f"  prefilled form (with its check)  {write:7.2f} ms   {write / floor:5.1f}x floor")
    print(f"  parse the form                   {parse:7.2f} ms   {parse / floor:5.1f}x floor")

    with tempfile.TemporaryDirectory() as clinic:
        sandboxed = create_host(template_dirs=[Path(clinic)])
        clinic_render = best(lambda: sandboxed.render(note, "markdown"))
    trusted = best(lambda: host.render(note, "markdown"))
    bare = _KeysFirst(
        loader=jinja2.FileSystemLoader(str(core_templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=MARKUP_EXTENSIONS, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = bare.get_template("markdown/soap.md.j2")

    def bare_render() -> str:
        request = RenderRequest(note, templates=Templates())
        document = escape_document(request.document, escape_markdown)
        return template.render(document=plain_data(document), note=plain_data(note), placement="section")

    floor_render = best(bare_render)
    print("clinic render (SOAP example as Markdown)")
    print(f"  floor: bare Jinja2 sandbox       {floor_render:7.2f} ms")
    print(f"  trusted (no clinic templates)    {trusted:7.2f} ms   {trusted / floor_render:5.1f}x floor")
    ratio = clinic_render / floor_render
    print(f"  sandboxed and bounded            {clinic_render:7.2f} ms   {ratio:5.1f}x floor")


if __name__ == "__main__":
    main()
