"""Independent FHIR conformance checks for the tests: the official FHIR JSON Schemas (R5,
R4B), the official narrative schema ``fhir-xhtml.xsd``, and FHIR's core invariants
(FHIRPath, from ``hl7.fhir.r5.core`` and ``hl7.fhir.r4b.core``) evaluated with
``fhirpathpy`` (with its R5 model, and for R4B its R4 model: fhirpathpy has no R4B one, and
the resources the formats write have the same element types in R4 and R4B).

Everything is read from ``tests/fixtures/fhir/`` (see SOURCE.txt there), never fetched.
Each checker is built once per process (the JSON Schemas are 3–4 MB).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"

#: Invariants fhirpathpy cannot evaluate, and what checks them instead.
_NOT_EVALUABLE = {
    "ele-1": "uses hasValue(), which fhirpathpy does not implement; "
    "test_no_element_is_empty checks the same rule on the JSON",
    "txt-1": "uses htmlChecks(), which fhirpathpy does not implement; "
    "fhir-xhtml.xsd and the plugin's XHTML check check the narrative",
    "txt-2": "uses htmlChecks(), which fhirpathpy does not implement; "
    "the plugin's XHTML check refuses a narrative without text",
    "bdl-10": "uses hasValue(), which fhirpathpy does not implement; "
    "test_the_invariants_fhirpathpy_cannot_evaluate_are_checked_otherwise checks the timestamp",
    "prov-1": "uses resolve(), which fhirpathpy does not implement; it holds when no agent acts "
    "on behalf of another, which test_the_invariants_fhirpathpy_cannot_evaluate_are_checked_otherwise checks",
    "prov-2": "uses resolve(); holds for the same reason as prov-1",
    "prov-3": "uses resolve(); holds for the same reason as prov-1",
}

#: Invariants whose expression in one version is known to be defective, and why they are skipped.
_DEFECTIVE = {
    "R4B": {
        "ref-1": "R4B's expression lacks the 'reference.exists() implies' R5 added: a reference by "
        "display alone (the treating clinician, when the note names no code) makes it empty rather "
        "than true; R5's corrected ref-1 is evaluated on the same builder's R5 Bundles",
    },
}


def unevaluated(version: str) -> dict[str, str]:
    """The invariants of ``version`` not evaluated here, each with the reason and what checks it."""
    return {**_NOT_EVALUABLE, **_DEFECTIVE.get(version, {})}


# -- the JSON Schemas -----------------------------------------------------------------


def _resource_dispatch(validator: Any, choices: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``oneOf`` that, for the schema's list of every resource type, checks only the
    definition the instance's ``resourceType`` names.

    Every resource definition requires ``resourceType`` to be its own name (a ``const``),
    so no other choice can match: the result is the one ``oneOf`` gives, without checking
    the instance against some 150 definitions that must fail.
    """
    from jsonschema import ValidationError
    from jsonschema._keywords import oneOf

    if isinstance(instance, dict) and isinstance(instance.get("resourceType"), str):
        wanted = f"#/definitions/{instance['resourceType']}"
        refs = [choice.get("$ref") for choice in choices]
        if len(refs) > 100 and all(isinstance(ref, str) for ref in refs):
            if wanted not in refs:
                yield ValidationError(f"{instance['resourceType']!r} is not a resource type")
                return
            yield from validator.descend(instance, {"$ref": wanted}, schema_path=refs.index(wanted))
            return
    yield from oneOf(validator, choices, instance, schema)


def _ascii_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """``pattern`` with ``\\s`` meaning ASCII white space, as in the regex dialect FHIR's
    tooling uses (Java's): in R4B's string pattern ``^[ \\r\\n\\t\\S]+$`` a non-breaking
    space is then a non-space character, as intended, rather than a refused one (the
    dialect difference SOURCE.txt notes)."""
    from jsonschema import ValidationError

    if isinstance(instance, str) and not re.search(pattern, instance, re.ASCII):
        yield ValidationError(f"does not match the pattern {pattern!r}")


@cache
def json_schema_validator(version: str) -> Any:
    """The validator of the official FHIR JSON Schema of ``version`` ("R5" or "R4B")."""
    from jsonschema import Draft6Validator, validators

    path = FIXTURES / version.lower() / "fhir.schema.json.gz"
    schema = json.loads(gzip.decompress(path.read_bytes()))
    keywords = {"oneOf": _resource_dispatch}
    if version == "R4B":
        keywords["pattern"] = _ascii_pattern
    validator_class = validators.extend(Draft6Validator, keywords)
    return validator_class(schema)


def json_schema_errors(bundle: Mapping[str, Any], version: str) -> list[str]:
    """Where a Bundle breaks the official JSON Schema (paths and messages; empty when valid)."""
    errors = json_schema_validator(version).iter_errors(bundle)
    return [f"{error.json_path}: {error.message[:200]}" for error in errors]


# -- the XHTML schema -----------------------------------------------------------------


@cache
def _xhtml_schema() -> Any:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(FIXTURES / "r5" / "fhir-xhtml.xsd")))


def xhtml_schema_errors(div: str) -> list[str]:
    """What ``fhir-xhtml.xsd`` says is wrong with a narrative ``div`` (empty when valid)."""
    from lxml import etree

    schema = _xhtml_schema()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        element = etree.fromstring(div.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed: {error}"]
    if schema.validate(element):
        return []
    return [entry.message for entry in schema.error_log]


# -- FHIRPath invariants --------------------------------------------------------------


@dataclass(frozen=True)
class Invariant:
    """One of FHIR's invariants, on the elements its context selects."""

    key: str
    severity: str
    human: str
    context: str
    expression: str

    @property
    def first_step(self) -> str | None:
        """The element right below the resource the context needs, or None for the resource."""
        steps = self.context.split(".", 1)
        if len(steps) == 1:
            return None
        step = steps[1].split(".", 1)[0]
        return None if "(" in step else step


#: The fhirpathpy model each FHIR version's invariants are evaluated with.
FHIRPATH_MODELS = {"R5": "r5", "R4B": "r4"}


@cache
def invariants(version: str) -> dict[str, tuple[Invariant, ...]]:
    """FHIR's invariants of ``version`` for each resource type the FHIR formats write."""
    data = json.loads((FIXTURES / f"{version.lower()}_invariants.json").read_text(encoding="utf-8"))
    return {
        resource: tuple(Invariant(**entry) for entry in entries)
        for resource, entries in data["invariants"].items()
    }


@cache
def compiled(invariant: Invariant, version: str) -> Callable[..., Any]:
    """The invariant as a function of a resource, true when every element it applies to meets it."""
    from fhirpathpy import compile
    from fhirpathpy.models import models

    # trace() in an expression would print; its output is of no use here.
    options = {"traceFn": lambda label, value: None}
    model = models[FHIRPATH_MODELS[version]]
    return compile(f"({invariant.context}).all({invariant.expression})", model, options)  # type: ignore[no-any-return]


def _applies(invariant: Invariant, resource: Mapping[str, Any]) -> bool:
    step = invariant.first_step
    return step is None or any(key == step or key.startswith(step) for key in resource)


def _unmet(resource: Mapping[str, Any], version: str, severity: str) -> list[str]:
    unmet = []
    skipped = unevaluated(version)
    for invariant in invariants(version)[resource["resourceType"]]:
        if invariant.key in skipped or invariant.severity != severity or not _applies(invariant, resource):
            continue
        result = compiled(invariant, version)(resource, {"resource": resource, "rootResource": resource})
        if result != [True]:
            unmet.append(f"{invariant.key} at {invariant.context}: {invariant.human}")
    return unmet


def broken_invariants(resource: Mapping[str, Any], version: str = "R5") -> list[str]:
    """The invariants (severity error) a resource breaks, by key and context."""
    return _unmet(resource, version, "error")


def warned_invariants(resource: Mapping[str, Any], version: str = "R5") -> list[str]:
    """The best-practice invariants (severity warning) a resource does not meet."""
    return _unmet(resource, version, "warning")
