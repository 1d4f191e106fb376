"""Walking a note: every model of one kind inside a note or a part of it, with its field path.

Checks, grounding, suggestions and format plugins all need "every observation" or "every
evidence quote" of a note together with where it sits (``alliance.ruptures[0]``), so that a
finding names the field and never the text.  :func:`instances_in` is that walk, written
once; :func:`field_names` is the per-model field list it reads, built once per model class
(pydantic's ``model_fields`` property is slow to read on every visit of a hot path).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TypeVar

from pydantic import BaseModel

Found = TypeVar("Found", bound=BaseModel)


@cache
def field_names(model_class: type[BaseModel]) -> tuple[str, ...]:
    """The names of a model class's fields, in declaration order."""
    return tuple(model_class.model_fields)


def instances_in(model: BaseModel, kind: type[Found], path: str = "") -> Iterator[tuple[str, Found]]:
    """Every instance of ``kind`` in ``model`` (``model`` itself included), with its field path.

    The walk is depth first in field order, through nested models and lists of models, and
    goes on inside each instance found (an observation may hold further observations).
    Paths look like ``alliance.ruptures[0].repairs[1]``, relative to ``path``.
    """
    if isinstance(model, kind):
        yield path, model
    for name in field_names(type(model)):
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from instances_in(value, kind, f"{path}.{name}" if path else name)
        elif isinstance(value, list | tuple):
            here = f"{path}.{name}" if path else name
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from instances_in(item, kind, f"{here}[{index}]")
