"""The Jinja environment for templates a clinic supplies: untrusted, so sandboxed and bounded.

Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` already refuses attributes
that start with an underscore (``__class__``, ``__globals__`` …) and Python internals
(``mro``, frame and code objects, ``str.format`` field tricks), and forbids changing lists
and dictionaries.  It does not bound how much a template computes.  This module adds:

* **a budget per render** (:class:`RenderLimits`): output characters, characters the
  template makes along the way, steps (loop iterations, macro and block calls, templates
  entered) and wall-clock time.  A template that runs past any of them stops with
  :class:`TemplateLimitError`.
* **guards on every operation that can multiply size**: ``*``, ``+``, ``**``, ``%`` and
  ``~``; ``str.format`` fields; method calls such as ``ljust``, ``replace``, ``join`` and
  ``expandtabs``; and every filter's numeric arguments and result.  Each is checked
  *before* the work is done, so ``{{ 'x' * 10**9 }}`` is refused instead of allocated.
* **steps counted in the template itself**: the template's syntax tree is rewritten so
  that each loop iteration, macro call, block and template entered charges one step
  and the size of its literal text (which otherwise never passes through a check).
  Constant folding is switched off for filters and output, so nothing big is built at
  compile time either.
* **fewer globals**: ``lipsum``, ``cycler`` and ``joiner`` are gone; ``range`` is
  bounded; ``dict`` and ``namespace`` stay for ordinary templates.

The sandbox is not the whole defence (Jinja's own documentation says so): the templates
also receive only plain data (see :func:`alliance_notes.templating.plain_data`), and
every error is caught and reported without the note's text.
"""

from __future__ import annotations

import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer
from markupsafe import EscapeFormatter, Markup

#: The internal filters the rewritten syntax tree calls.
STEP_FILTER = "alliance_sandbox_step"
CONCAT_FILTER = "alliance_sandbox_concat"
BUILT_FILTER = "alliance_sandbox_built"

#: Integers an operator may produce: far beyond any count or score a note holds.
_MAX_INTEGER_BITS = 128


@dataclass(frozen=True)
class RenderLimits:
    """How much one render of a clinic template may produce and take.

    :param max_output_chars: characters of output, and the largest single string.
    :param max_work_chars: characters the template may build along the way (strings
        made by operators, methods and filters), so repeated work is bounded too.
    :param max_steps: loop iterations, macro calls, blocks and templates entered.
    :param max_seconds: wall-clock time, checked at every step and every output.
    :param max_template_chars: the size of one template file.
    :param max_range: the most numbers ``range()`` may produce.
    """

    max_output_chars: int = 500_000
    max_work_chars: int = 10_000_000
    max_steps: int = 50_000
    max_seconds: float = 2.0
    max_template_chars: int = 200_000
    max_range: int = 10_000


class TemplateLimitError(SecurityError):
    """A clinic template tried to produce or compute more than its limits allow."""


class _Budget:
    """What one render has used so far."""

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.steps = 0
        self.output = 0
        self.work = 0
        #: The weight of each collection measured in this render, by id, and the collections
        #: themselves (so an id is not reused): templates cannot change a collection, so
        #: the note's data is measured once however often it is passed around.
        self.weights: dict[int, int] = {}
        self.measured: list[Any] = []

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"rendering took longer than {self.limits.max_seconds:g} seconds and was stopped"
            )

    def step(self, literal_chars: int) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise TemplateLimitError(
                f"more than {self.limits.max_steps} loop iterations, macro calls or blocks; "
                "the template was stopped"
            )
        self.add_output(literal_chars)

    def add_output(self, chars: int) -> None:
        self.output += max(chars, 0)
        if self.output > self.limits.max_output_chars:
            raise TemplateLimitError(
                f"the output would be longer than {self.limits.max_output_chars} characters"
            )
        self._check_time()

    def add_work(self, chars: int) -> None:
        self.work += max(chars, 0)
        if self.work > self.limits.max_work_chars:
            raise TemplateLimitError(
                f"the template built more than {self.limits.max_work_chars} characters of text "
                "while rendering"
            )
        self._check_time()


_BUDGET: ContextVar[_Budget | None] = ContextVar("alliance_notes_sandbox_budget", default=None)


@contextmanager
def render_budget(limits: RenderLimits) -> Iterator[_Budget]:
    """Install a fresh budget for the renders made inside the ``with`` block."""
    token = _BUDGET.set(_Budget(limits))
    try:
        budget = _BUDGET.get()
        assert budget is not None
        yield budget
    finally:
        _BUDGET.reset(token)


def _budget() -> _Budget | None:
    return _BUDGET.get()


_COLLECTIONS = (list, tuple, dict, set, frozenset)


def _leaf_weight(value: Any) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return 1 + value.bit_length() // 3  # about its digits
    return 1


def _children(value: Any) -> list[Any]:
    return [*value.keys(), *value.values()] if isinstance(value, dict) else list(value)


def weight(value: Any, cap: int, known: dict[int, int] | None = None, keep: list[Any] | None = None) -> int:
    """How big ``value`` is when shown: the characters of its text, and for a collection its
    items plus each item's weight, a part that recurs counted each time it recurs (so
    ``[[1] * 500] * 500`` weighs 250,000 although it holds two lists).  Counting is linear
    in the distinct parts and stops past ``cap`` (the result is then ``cap + 1``), so a
    value built to be enormous in little memory is measured at once.

    :param known: weights of collections measured before (by id), reused and added to;
        only for collections nobody changes in between, whose ids ``keep`` holds alive.
    """
    if not isinstance(value, _COLLECTIONS):
        return min(_leaf_weight(value), cap + 1)
    known = {} if known is None else known
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            if id(node) in known:
                continue
            known[id(node)] = 0  # in progress: a part that contains itself counts once
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if isinstance(child, _COLLECTIONS))
            continue
        total = 0
        for child in _children(node):
            total += 1 + (known.get(id(child), 0) if isinstance(child, _COLLECTIONS) else _leaf_weight(child))
            if total > cap:
                break
        known[id(node)] = min(total, cap + 1)
        if keep is not None:
            keep.append(node)
    return known[id(value)]


def _check_weight(value: Any, limits: RenderLimits, what: str) -> int:
    """Refuse a value too big to show or work on; return its weight."""
    budget = _budget()
    if budget is None:
        measured = weight(value, limits.max_output_chars)
    else:
        measured = weight(value, limits.max_output_chars, budget.weights, budget.measured)
    _check_length(measured, limits, what)
    return measured


# -- checks made before an operation ---------------------------------------------------------


def _check_length(length: int, limits: RenderLimits, what: str) -> None:
    if length > limits.max_output_chars:
        raise TemplateLimitError(f"{what} would be longer than {limits.max_output_chars} characters or items")


def _check_number(value: Any, limits: RenderLimits) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if abs(value) > limits.max_output_chars:
        raise TemplateLimitError(f"a number above {limits.max_output_chars} was passed where it sets a size")


def _check_arguments(args: Iterable[Any], kwargs: Mapping[str, Any], limits: RenderLimits) -> None:
    for value in (*args, *kwargs.values()):
        _check_number(value, limits)


_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<type>.)",
    re.DOTALL,
)


def _check_percent_format(template: str, values: Any, limits: RenderLimits) -> None:
    """Refuse ``'%999999999d' % 1`` and ``'%(a)s' * n % {'a': big}`` before formatting."""
    if isinstance(values, Mapping):
        arguments = list(values.values())
    elif isinstance(values, tuple | list):
        arguments = list(values)
    else:
        arguments = [values]
    longest = max((weight(argument, limits.max_output_chars) for argument in arguments), default=0)
    estimate = len(template)
    for spec in _PERCENT_SPEC.finditer(template):
        if spec.group("type") == "%":
            continue
        for number in (spec.group("width"), spec.group("precision")):
            if number == "*":
                raise TemplateLimitError("'*' widths in a format string are not allowed")
            if number is not None and int(number) > limits.max_output_chars:
                raise TemplateLimitError("a width in a format string is too large")
            if number is not None:
                estimate += int(number)
        estimate += longest
    _check_length(estimate, limits, "the formatted text")


_FORMAT_NUMBER = re.compile(r"\d+")


def _check_format_spec(spec: str, limits: RenderLimits) -> None:
    for number in _FORMAT_NUMBER.findall(spec):
        if int(number) > limits.max_output_chars:
            raise TemplateLimitError("a width in a format string is too large")


def _estimate_str_method(text: str, method: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """An upper bound on the length of ``text.method(*args)`` for methods that can grow it."""
    if method == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = text.count(old) if old else len(text) + 1
        if len(args) >= 3 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        return len(text) + count * max(len(new) - len(old), 0)
    if method == "join" and args:
        items = args[0]
        if isinstance(items, str | list | tuple):
            return sum(len(str(item)) for item in items) + len(text) * len(items)
    if method == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            return len(text) + text.count("\t") * max(size, 0)
    if method in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        return max(len(text), args[0])
    if method == "encode":
        return 4 * len(text)
    return 3 * len(text)  # case mappings can grow a character into three


# -- the formatter behind str.format in templates -------------------------------------------


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` for templates: field access sandboxed, every field charged."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        budget = _budget()
        if budget is not None:
            _check_format_spec(format_spec, budget.limits)
        formatted = super().format_field(value, format_spec)
        if budget is not None:
            budget.add_work(len(formatted))
            _check_length(len(formatted), budget.limits, "a formatted field")
        return formatted


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    """``Markup.format`` for templates."""


# -- filters: every one guarded; two more that the rewritten tree calls ---------------------


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter so its size arguments and result are checked against the budget.

    The wrapper always takes the context, which also stops Jinja from running the filter
    at compile time (outside any budget).
    """
    passes = _PassArg.from_obj(function)

    def guarded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        if budget is not None:
            limits = budget.limits
            _check_arguments(args, kwargs, limits)
            for given in (value, *args, *kwargs.values()):
                _check_weight(given, limits, f"a value given to the '{name}' filter")
            value = _precheck_filter(name, value, args, kwargs, limits)
        if passes is _PassArg.context:
            result = function(context, value, *args, **kwargs)
        elif passes is _PassArg.eval_context:
            result = function(context.eval_ctx, value, *args, **kwargs)
        elif passes is _PassArg.environment:
            result = function(context.environment, value, *args, **kwargs)
        else:
            result = function(value, *args, **kwargs)
        if budget is not None:
            budget.add_work(_check_weight(result, budget.limits, f"the result of the '{name}' filter"))
        return result

    guarded.__name__ = getattr(function, "__name__", name)
    guarded.__doc__ = function.__doc__
    return jinja2.pass_context(guarded)


def _precheck_filter(
    name: str, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any], limits: RenderLimits
) -> Any:
    """Check a filter whose result can be much larger than its input; return the value to use."""
    if name == "join":
        items = list(value) if not isinstance(value, str) else value
        separator = str(args[0]) if args else str(kwargs.get("d", ""))
        estimate = weight(items, limits.max_output_chars) + len(separator) * len(items)
        _check_length(estimate, limits, "the joined text")
        return items
    if name == "replace" and len(args) >= 2:
        _check_length(_estimate_str_method(str(value), "replace", args, {}), limits, "the replaced text")
    elif name == "format":
        _check_percent_format(str(value), kwargs or args, limits)
    elif name == "indent":
        width = args[0] if args else kwargs.get("width", 4)
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        text = str(value)
        _check_length(len(text) + (text.count("\n") + 1) * pad, limits, "the indented text")
    elif name == "wordwrap":
        text = str(value)
        wrapstring = args[2] if len(args) >= 3 else kwargs.get("wrapstring") or "\n"
        _check_length(len(text) * (1 + len(str(wrapstring))), limits, "the wrapped text")
    elif name in ("center", "truncate", "string", "upper", "lower", "title", "capitalize"):
        _check_length(len(str(value)), limits, f"the text given to '{name}'")
    return value


@jinja2.pass_context
def _step(context: Context, value: Any, literal_chars: int) -> str:
    """Charge one step and the literal text of the body about to run."""
    budget = _budget()
    if budget is not None:
        budget.step(literal_chars if isinstance(literal_chars, int) else 0)
    return ""


@jinja2.pass_context
def _concat(context: Context, parts: list[Any]) -> str:
    """The ``~`` operator, checked: the joined length is known before joining."""
    budget = _budget()
    if budget is not None:
        _check_weight(parts, budget.limits, "the joined text ('~')")
    joined: str = markup_join(parts) if context.eval_ctx.autoescape else str_join(parts)
    if budget is not None:
        budget.add_work(len(joined))
    return joined


@jinja2.pass_context
def _built(context: Context, value: Any) -> Any:
    """A list, tuple or dictionary the template wrote out, checked: ``[x, x]`` in a loop
    would otherwise double in weight each time at no cost in memory."""
    budget = _budget()
    if budget is not None:
        _check_weight(value, budget.limits, "a list or dictionary built by the template")
    return value


@jinja2.pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Count every ``{{ … }}`` output against the budget (undefined values still raise)."""
    budget = _budget()
    if budget is not None:
        _check_weight(value, budget.limits, "the output")
        text = value if isinstance(value, str) else str(value)
        budget.add_output(len(text))
    return value


# -- the syntax-tree rewrite -------------------------------------------------------------------


def _literal_chars(body: Iterable[nodes.Node]) -> int:
    total = 0
    for statement in body:
        if isinstance(statement, nodes.TemplateData):
            total += len(statement.data)
        total += sum(len(data.data) for data in statement.find_all(nodes.TemplateData))
    return total


class _Guards(NodeTransformer):
    """Insert a step charge at the top of every repeated body; route ``~`` through a check."""

    def __init__(self, environment: jinja2.Environment, name: str | None, filename: str | None) -> None:
        self.environment = environment
        self.name = name
        self.filename = filename

    def _refuse_unescaping(self, node: nodes.EvalContextModifier) -> None:
        for option in node.options:
            turned_on = isinstance(option.value, nodes.Const) and option.value.value is True
            if option.key == "autoescape" and not turned_on:
                raise jinja2.TemplateSyntaxError(
                    "a clinic template may not turn escaping off", node.lineno, self.name, self.filename
                )

    def visit_EvalContextModifier(self, node: nodes.EvalContextModifier) -> nodes.Node:  # noqa: N802
        self._refuse_unescaping(node)
        return self.generic_visit(node)

    def visit_ScopedEvalContextModifier(self, node: nodes.ScopedEvalContextModifier) -> nodes.Node:  # noqa: N802
        self._refuse_unescaping(node)
        return self.generic_visit(node)

    def _charged(self, body: list[nodes.Node], lineno: int) -> list[nodes.Node]:
        charge = nodes.Output(
            [
                nodes.Filter(
                    nodes.Const(""),
                    STEP_FILTER,
                    [nodes.Const(_literal_chars(body))],
                    [],
                    None,
                    None,
                )
            ]
        )
        charge.set_lineno(lineno)
        charge.set_environment(self.environment)
        return [charge, *body]

    def visit_Template(self, node: nodes.Template) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.Template, self.generic_visit(node))
        node.body = self._charged(node.body, 1)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.For, self.generic_visit(node))
        node.body = self._charged(node.body, node.lineno)
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.Macro, self.generic_visit(node))
        node.body = self._charged(node.body, node.lineno)
        return node

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.CallBlock, self.generic_visit(node))
        node.body = self._charged(node.body, node.lineno)
        return node

    def visit_Block(self, node: nodes.Block) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.Block, self.generic_visit(node))
        node.body = self._charged(node.body, node.lineno)
        return node

    def _checked(self, node: nodes.Expr) -> nodes.Node:
        checked = nodes.Filter(node, BUILT_FILTER, [], [], None, None)
        checked.set_lineno(node.lineno)
        checked.set_environment(self.environment)
        return checked

    def visit_List(self, node: nodes.List) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        return self._checked(cast(nodes.List, self.generic_visit(node)))

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        return self._checked(cast(nodes.Dict, self.generic_visit(node)))

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        visited = cast(nodes.Tuple, self.generic_visit(node))
        return self._checked(visited) if visited.ctx == "load" else visited

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        node = cast(nodes.Concat, self.generic_visit(node))
        checked = nodes.Filter(nodes.List(node.nodes), CONCAT_FILTER, [], [], None, None)
        checked.set_lineno(node.lineno)
        checked.set_environment(self.environment)
        return checked


# -- the environment ---------------------------------------------------------------------------


class ClinicSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose every render is bounded by :class:`RenderLimits`.

    Render only inside :func:`render_budget`; outside one the size checks that need no
    budget still apply, but nothing is counted.
    """

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, limits: RenderLimits, **options: Any) -> None:
        super().__init__(finalize=_finalize, **options)
        self.limits = limits
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = self._range
        # No filter marks text as markup: note data stays escaped in HTML and XML.
        self.filters.pop("safe", None)
        self.filters = {name: _guard_filter(name, function) for name, function in self.filters.items()}
        self.filters[STEP_FILTER] = _step
        self.filters[CONCAT_FILTER] = _concat
        self.filters[BUILT_FILTER] = _built

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.max_range:
            raise TemplateLimitError(f"range() may produce at most {self.limits.max_range} numbers")
        return numbers

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        guarded = _Guards(self, name, filename).visit(tree)
        assert isinstance(guarded, nodes.Template)
        return guarded

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``a.b``: for the plain data templates receive, a key wins over a dict method, so
        ``block.items`` is the block's items and not ``dict.items``."""
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``+``, ``*``, ``**`` and ``%``, refused when the result would be too large."""
        limits = self.limits
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | bytes | list | tuple) and isinstance(count, int):
                    measured = weight(sequence, limits.max_output_chars)
                    _check_length(measured * max(count, 0), limits, "the repeated text or list")
            if _is_integer(left) and _is_integer(right):
                _check_bits(abs(left).bit_length() + abs(right).bit_length())
        elif operator == "**":
            if _is_integer(left) and _is_integer(right) and abs(left) > 1 and right > 0:
                _check_bits(abs(left).bit_length() * right)
            elif isinstance(right, int | float) and abs(right) > _MAX_INTEGER_BITS:
                raise TemplateLimitError("this power is too large to compute")
        elif operator == "+":
            if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
                _check_weight([left, right], limits, "the joined text or list")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left, right, limits)
        result = self.binop_table[operator](left, right)
        budget = _budget()
        if budget is not None:
            budget.add_work(_check_weight(result, limits, "the result"))
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Call a function or method from a template: its size arguments checked first, then
        Jinja's own call, which keeps every check the installed Jinja makes (what may be
        called at all, ``str.format`` in the versions that guard it there)."""
        limits = __self.limits
        _check_arguments(args, kwargs, limits)
        owner = getattr(__obj, "__self__", None)
        for given in (owner, *args, *kwargs.values()):
            _check_weight(given, limits, "a value given to a call")
        if isinstance(owner, str) and not isinstance(owner, type):
            method = getattr(__obj, "__name__", "")
            _check_length(
                _estimate_str_method(owner, method, args, kwargs), limits, f"the result of {method}()"
            )
        result = super().call(__context, __obj, *args, **kwargs)
        budget = _budget()
        if budget is not None:
            budget.add_work(_check_weight(result, limits, "the result of a call"))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` through the bounded, sandboxed formatter."""
        if not callable(value) or getattr(value, "__name__", None) not in ("format", "format_map"):
            return None
        owner = getattr(value, "__self__", None)
        if not isinstance(owner, str):
            return None
        text_type = type(owner)
        is_format_map = value.__name__ == "format_map"
        formatter: string.Formatter
        if isinstance(owner, Markup):
            formatter = _BoundedEscapeFormatter(self, escape=owner.escape)
        else:
            formatter = _BoundedFormatter(self)

        def formatted(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return text_type(formatter.vformat(owner, args, kwargs))

        return formatted


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(bits: int) -> None:
    if bits > _MAX_INTEGER_BITS:
        raise TemplateLimitError("this number is too large to compute")
