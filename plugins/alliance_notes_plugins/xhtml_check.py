"""The check that a FHIR narrative is valid FHIR XHTML (``fhir.resources`` does not check it).

A narrative ``div`` must be well-formed XML, be ``<div xmlns="http://www.w3.org/1999/xhtml">``,
use only the basic formatting elements and attributes FHIR allows (no script, style
elements, forms, frames, objects, head or body, no event attributes such as ``onclick``,
no ``javascript:`` links), and contain some non-blank text (FHIR R4B/R5 Narrative, rules
txt-1 and txt-2; the element list is that of the FHIR XHTML schema, ``fhir-xhtml.xsd``).

The parser is expat with document type declarations refused, so entity tricks cannot
expand; only XML's five predefined entities and character references are read.
"""

from __future__ import annotations

from xml.parsers import expat

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

#: The elements a FHIR narrative may use.
ALLOWED_ELEMENTS = frozenset(
    {
        "a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite", "code",
        "col", "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "samp", "small", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt",
        "ul", "var",
    }
)  # fmt: skip

#: Attributes any allowed element may carry.
COMMON_ATTRIBUTES = frozenset({"class", "id", "lang", "style", "title", "dir"})

#: Further attributes particular elements may carry.
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name", "rel", "rev", "hreflang", "type", "charset", "shape", "coords"}),
    "img": frozenset({"src", "alt", "height", "width", "longdesc"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "ol": frozenset({"start", "type"}),
    "li": frozenset({"value"}),
    "table": frozenset({"summary", "width", "border", "frame", "rules", "cellspacing", "cellpadding"}),
    "col": frozenset({"span", "width", "align", "valign", "char", "charoff"}),
    "colgroup": frozenset({"span", "width", "align", "valign", "char", "charoff"}),
    "td": frozenset({"abbr", "axis", "headers", "scope", "rowspan", "colspan", "align", "valign"}),
    "th": frozenset({"abbr", "axis", "headers", "scope", "rowspan", "colspan", "align", "valign"}),
    "tr": frozenset({"align", "valign", "char", "charoff"}),
    "thead": frozenset({"align", "valign"}),
    "tbody": frozenset({"align", "valign"}),
    "tfoot": frozenset({"align", "valign"}),
}

_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "longdesc"})
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _RefusedError(Exception):
    """Stops parsing at a construct a narrative may not contain."""


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.depth = 0
        self.has_text = False

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        namespace, _, name = qualified.rpartition(" ")
        if self.depth == 0 and (name != "div" or namespace != XHTML_NAMESPACE):
            self.problems.append('the root must be <div xmlns="http://www.w3.org/1999/xhtml">')
        self.depth += 1
        if namespace != XHTML_NAMESPACE:
            self.problems.append(f"element <{name}> is not in the XHTML namespace")
            return
        if name not in ALLOWED_ELEMENTS:
            self.problems.append(f"element <{name}> is not allowed in a FHIR narrative")
            return
        allowed = COMMON_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(name, frozenset())
        for qualified_attribute, value in attributes.items():
            attribute_namespace, _, attribute = qualified_attribute.rpartition(" ")
            if attribute_namespace == _XML_NAMESPACE and attribute == "lang":
                continue
            if attribute_namespace or attribute not in allowed:
                self.problems.append(f"attribute '{attribute}' is not allowed on <{name}>")
            elif attribute in _URL_ATTRIBUTES and value.strip().lower().startswith(_UNSAFE_SCHEMES):
                self.problems.append(f"attribute '{attribute}' on <{name}> uses an unsafe URL scheme")

    def end(self, qualified: str) -> None:
        self.depth -= 1

    def text(self, data: str) -> None:
        if data.strip():
            self.has_text = True

    def refuse(self, what: str) -> None:
        raise _RefusedError(f"{what} is not allowed in a FHIR narrative")


def narrative_problems(div: str) -> list[str]:
    """What is wrong with a narrative ``div``, in words that never quote its text; empty when valid."""
    checker = _Checker()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    parser.StartDoctypeDeclHandler = lambda *_: checker.refuse("a document type declaration")
    parser.EntityDeclHandler = lambda *_: checker.refuse("an entity declaration")
    parser.ProcessingInstructionHandler = lambda *_: checker.refuse("a processing instruction")
    try:
        parser.Parse(div, True)
    except expat.ExpatError as error:
        return [f"not well-formed XML ({expat.ErrorString(error.code)}, column {error.offset})"]
    except _RefusedError as refusal:
        return [str(refusal)]
    if not div.lstrip().startswith("<div"):
        checker.problems.insert(0, "the narrative must start with its <div>")
    if not checker.has_text:
        checker.problems.append("the narrative has no text (it must not be blank)")
    return checker.problems
