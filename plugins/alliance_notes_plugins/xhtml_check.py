"""The check that a FHIR narrative is valid FHIR XHTML (``fhir.resources`` does not check it).

A narrative ``div`` must be well-formed XML, be ``<div xmlns="http://www.w3.org/1999/xhtml">``,
contain some non-blank text (FHIR Narrative rules txt-1 and txt-2), and meet the official
FHIR XHTML schema, ``fhir-xhtml.xsd`` (XHTML 1.0 Strict without scripts, forms, objects,
``head``/``body``, ``ins``/``del`` or event attributes).  What the schema says is written
out below as tables, one entry per element it defines:

* **content models**: which children and whether text each element may hold.  Most are
  one of three: *inline* (text and phrase elements: ``p``, ``b``, ``cite``, …), *block*
  (block elements only, no text: ``blockquote``) and *flow* (both: ``div``, ``li``, ``dd``,
  ``td``).  So text, ``<br/>`` or ``<cite>`` directly inside ``<blockquote>`` is refused,
  as the schema refuses it; lists, definition lists and tables hold only their own parts,
  in order, at least one of each required one;
* **attributes**: each element's own (``br`` takes only ``id``, ``class``, ``style``,
  ``title``; most take ``lang``, ``xml:lang`` and ``dir`` too), the required ones
  (``img`` needs ``src`` and ``alt``), and the values whose type the schema fixes: ``lang``
  is a language tag, ``dir`` ``ltr`` or ``rtl``, ``id`` a name used once, ``span``,
  ``rowspan`` and ``colspan`` whole numbers.  Other attribute values (lengths, media
  types, URIs) are checked no further than FHIR's safety rule: no ``javascript:`` link.

The parser is expat with document type declarations refused, so entity tricks cannot
expand; only XML's five predefined entities and character references are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers import expat

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

# Element groups of fhir-xhtml.xsd.
_SPECIAL_PRE = frozenset({"br", "span", "bdo", "map"})
_SPECIAL = _SPECIAL_PRE | {"img"}
_FONTSTYLE = frozenset({"tt", "i", "b", "big", "small"})
_PHRASE = frozenset(
    {"em", "strong", "dfn", "code", "q", "samp", "kbd", "var", "cite", "abbr", "acronym", "sub", "sup"}
)
#: Inline (text-level) elements.
INLINE = frozenset({"a"}) | _SPECIAL | _FONTSTYLE | _PHRASE
#: Block-level elements.
BLOCK = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "ul", "ol", "dl", "pre", "hr", "blockquote",
     "address", "table"}
)  # fmt: skip


@dataclass(frozen=True)
class ContentModel:
    """What an element may hold: which child elements, whether text, and in what order.

    :param children: the child elements allowed.
    :param text: whether non-blank text may stand directly in it (whitespace always may).
    :param required: a child at least one of which must be present (``ul`` needs an ``li``).
    :param order: for a table and its parts, the groups of children in the order they must
        come (each group's elements in any order among themselves).
    :param empty: nothing at all may stand in it, not even white space (``<br> </br>``).
    """

    children: frozenset[str]
    text: bool
    required: frozenset[str] = frozenset()
    order: tuple[frozenset[str], ...] = ()
    empty: bool = False


_INLINE_CONTENT = ContentModel(INLINE, text=True)
_BLOCK_CONTENT = ContentModel(BLOCK, text=False)
_FLOW_CONTENT = ContentModel(BLOCK | INLINE, text=True)
_EMPTY = ContentModel(frozenset(), text=False, empty=True)
_ROWS = ContentModel(frozenset({"tr"}), text=False, required=frozenset({"tr"}))
_TABLE_ORDER = (
    frozenset({"caption"}),
    frozenset({"col", "colgroup"}),
    frozenset({"thead"}),
    frozenset({"tfoot"}),
    frozenset({"tbody", "tr"}),
)

#: Every element a FHIR narrative may use, with what it may hold (fhir-xhtml.xsd).
CONTENT_MODELS: Mapping[str, ContentModel] = {
    **{name: _INLINE_CONTENT for name in INLINE - {"a", "br", "img", "map"}},
    **{
        name: _INLINE_CONTENT
        for name in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "address", "caption")
    },
    **{name: _FLOW_CONTENT for name in ("div", "li", "dd", "th", "td")},
    "a": ContentModel(INLINE - {"a"}, text=True),
    "pre": ContentModel(INLINE - {"img", "big", "small", "sub", "sup"}, text=True),
    "blockquote": _BLOCK_CONTENT,
    "ul": ContentModel(frozenset({"li"}), text=False, required=frozenset({"li"})),
    "ol": ContentModel(frozenset({"li"}), text=False, required=frozenset({"li"})),
    "dl": ContentModel(frozenset({"dt", "dd"}), text=False, required=frozenset({"dt", "dd"})),
    "map": ContentModel(BLOCK | {"area"}, text=False, required=BLOCK | {"area"}),
    "table": ContentModel(
        frozenset().union(*_TABLE_ORDER), text=False, required=frozenset({"tbody", "tr"}), order=_TABLE_ORDER
    ),
    "thead": _ROWS,
    "tfoot": _ROWS,
    "tbody": _ROWS,
    "tr": ContentModel(frozenset({"th", "td"}), text=False, required=frozenset({"th", "td"})),
    "colgroup": ContentModel(frozenset({"col"}), text=False),
    **{name: _EMPTY for name in ("br", "hr", "img", "col", "area")},
}

#: The elements a FHIR narrative may use.
ALLOWED_ELEMENTS = frozenset(CONTENT_MODELS)

_CORE = frozenset({"id", "class", "style", "title"})
_I18N = frozenset({"lang", "xml:lang", "dir"})
#: Attributes most elements may carry (the schema's ``attrs`` group; ``br`` takes only ``id``,
#: ``class``, ``style`` and ``title``).
COMMON_ATTRIBUTES = _CORE | _I18N
_CELL_ALIGN = frozenset({"align", "char", "charoff", "valign"})
_CELL = frozenset({"abbr", "axis", "headers", "scope", "rowspan", "colspan"}) | _CELL_ALIGN

#: Further attributes particular elements may carry, and what ``br`` and ``map`` take instead.
ELEMENT_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset(
        {
            "charset",
            "type",
            "name",
            "href",
            "hreflang",
            "rel",
            "rev",
            "shape",
            "coords",
            "accesskey",
            "tabindex",
        }
    ),
    "area": frozenset({"shape", "coords", "href", "nohref", "alt", "accesskey", "tabindex"}),
    "img": frozenset({"src", "alt", "longdesc", "height", "width", "usemap", "ismap"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "pre": frozenset({"xml:space"}),
    "table": frozenset({"summary", "width", "border", "frame", "rules", "cellspacing", "cellpadding"}),
    "col": frozenset({"span", "width"}) | _CELL_ALIGN,
    "colgroup": frozenset({"span", "width"}) | _CELL_ALIGN,
    "td": _CELL,
    "th": _CELL,
    "tr": _CELL_ALIGN,
    "thead": _CELL_ALIGN,
    "tbody": _CELL_ALIGN,
    "tfoot": _CELL_ALIGN,
}
_ONLY_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "br": _CORE,
    "map": _CORE | _I18N | {"name"},
    "bdo": _CORE | _I18N,
}
#: Attributes an element must carry.
REQUIRED_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "img": frozenset({"src", "alt"}),
    "area": frozenset({"alt"}),
    "bdo": frozenset({"dir"}),
    "map": frozenset({"id"}),
}

_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*\Z")
_NAME = re.compile(r"[^\W\d][\w.\-]*\Z")  # an XML NCName, near enough (no colon)
_NUMBER = re.compile(r"[0-9]+\Z")
#: Attribute values whose type the schema fixes, and what the value must be, in words.
_VALUE_TYPES: Mapping[str, tuple[re.Pattern[str], str]] = {
    "lang": (_LANGUAGE, "a language tag such as 'en' or 'es-MX'"),
    "xml:lang": (_LANGUAGE, "a language tag such as 'en' or 'es-MX'"),
    "dir": (re.compile(r"(ltr|rtl)\Z"), "'ltr' or 'rtl'"),
    "id": (_NAME, "a name (a letter or underscore first, no spaces)"),
    "xml:space": (re.compile(r"preserve\Z"), "'preserve'"),
    "span": (_NUMBER, "a whole number"),
    "rowspan": (_NUMBER, "a whole number"),
    "colspan": (_NUMBER, "a whole number"),
}

_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "longdesc"})
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def allowed_attributes(element: str) -> frozenset[str]:
    """The attributes ``element`` may carry (``xml:lang`` and ``xml:space`` written so)."""
    only = _ONLY_ATTRIBUTES.get(element)
    return only if only is not None else COMMON_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(element, frozenset())


_ALLOWED_ATTRIBUTES = {element: allowed_attributes(element) for element in CONTENT_MODELS}


class _RefusedError(Exception):
    """Stops parsing at a construct a narrative may not contain."""


_XHTML_PREFIX = XHTML_NAMESPACE + " "  # how expat names an element of the namespace
_NO_CHILDREN: list[str] = []


class _Checker:
    """Checks elements as expat reads them.  The open elements are kept in parallel lists
    (name, content model, children seen when the model needs them): a narrative check runs
    on every render, for every narrative."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.names: list[str] = []
        self.models: list[ContentModel | None] = []
        self.children: list[list[str]] = []
        self.has_text = False
        self.ids: set[str] = set()
        self.texted: set[int] = set()  # depths where misplaced text was reported

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        if qualified.startswith(_XHTML_PREFIX):
            name = qualified[len(_XHTML_PREFIX) :]
            model = CONTENT_MODELS.get(name)
            foreign = False
        else:
            name = qualified.rpartition(" ")[2]
            model, foreign = None, True
        models = self.models
        if not models:
            if name != "div" or foreign:
                self.problems.append('the root must be <div xmlns="http://www.w3.org/1999/xhtml">')
            parent = None
        else:
            parent = models[-1]
        self.names.append(name)
        models.append(model)
        self.children.append([] if model is not None and (model.required or model.order) else _NO_CHILDREN)
        if foreign:
            self.problems.append(f"element <{name}> is not in the XHTML namespace")
            return
        if model is None:
            self.problems.append(f"element <{name}> is not allowed in a FHIR narrative")
            return
        if parent is not None:
            siblings = self.children[-2]
            if siblings is not _NO_CHILDREN:
                siblings.append(name)
            if name not in parent.children:
                self.problems.append(f"element <{name}> may not stand directly inside <{self.names[-2]}>")
        if attributes or name in REQUIRED_ATTRIBUTES:
            self._check_attributes(name, attributes)

    def _check_attributes(self, name: str, attributes: dict[str, str]) -> None:
        required = REQUIRED_ATTRIBUTES.get(name)
        allowed = _ALLOWED_ATTRIBUTES[name]
        present = set()
        for qualified_attribute, value in attributes.items():
            attribute_namespace, _, attribute = qualified_attribute.rpartition(" ")
            if attribute_namespace == _XML_NAMESPACE:
                attribute = f"xml:{attribute}"
            elif attribute_namespace:
                attribute = f"{{{attribute_namespace}}}{attribute}"
            present.add(attribute)
            if attribute not in allowed:
                self.problems.append(f"attribute '{attribute}' is not allowed on <{name}>")
                continue
            value_type = _VALUE_TYPES.get(attribute)
            if value_type is not None and not value_type[0].match(value.strip()):
                self.problems.append(f"attribute '{attribute}' on <{name}> must be {value_type[1]}")
            if attribute == "id":
                if value.strip() in self.ids:
                    self.problems.append(f"attribute 'id' on <{name}> repeats an id used before")
                self.ids.add(value.strip())
            elif attribute in _URL_ATTRIBUTES and value.strip().lower().startswith(_UNSAFE_SCHEMES):
                self.problems.append(f"attribute '{attribute}' on <{name}> uses an unsafe URL scheme")
        for missing in sorted((required or frozenset()) - present):
            self.problems.append(f"element <{name}> needs the attribute '{missing}'")

    def end(self, qualified: str) -> None:
        self.texted.discard(len(self.models))
        name, model, children = self.names.pop(), self.models.pop(), self.children.pop()
        if model is None:
            return
        if model.required and not model.required.intersection(children):
            needed = " or ".join(f"<{child}>" for child in sorted(model.required))
            self.problems.append(f"element <{name}> must hold at least one {needed}")
        if model.order:
            rank = {child: index for index, group in enumerate(model.order) for child in group}
            ranks = [rank[child] for child in children if child in rank]
            if ranks != sorted(ranks):
                self.problems.append(f"the parts of <{name}> are out of order")

    def text(self, data: str) -> None:
        if not data.strip():
            model = self.models[-1] if self.models else None
            if model is not None and model.empty:
                self.problems.append(f"<{self.names[-1]}> must be empty (not even white space in it)")
            return
        self.has_text = True
        model = self.models[-1] if self.models else None
        depth = len(self.models)
        if model is not None and not model.text and depth not in self.texted:
            self.texted.add(depth)
            self.problems.append(
                f"text may not stand directly inside <{self.names[-1]}> (wrap it in an element)"
            )

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
