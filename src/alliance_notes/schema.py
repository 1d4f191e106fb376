"""The JSON Schema (draft 2020-12) of the input note, for one kind or for every kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from alliance_notes.note import BUILT_IN_KINDS, SCHEMA_VERSION, ProgressNote

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"https://alliance-notes.dev/schema/{SCHEMA_VERSION}/note.schema.json"


def note_schema(
    kind: str | None = None,
    kinds: Mapping[str, type[ProgressNote]] = BUILT_IN_KINDS,
) -> dict[str, Any]:
    """The schema a note must satisfy to be read, for ``kind`` or (default) any kind.

    :raises KeyError: for a kind that is not known.
    """
    if kind is not None:
        schema = kinds[kind].model_json_schema(mode="validation")
        identifier = SCHEMA_ID.replace("note.schema", f"{kind}.schema")
    else:
        models = tuple(kinds[name] for name in sorted(kinds))
        any_kind = Annotated[Union[models], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
        schema = TypeAdapter(any_kind).json_schema(mode="validation")
        schema["title"] = "Progress note with therapeutic alliance"
        identifier = SCHEMA_ID
    return {"$schema": DRAFT_2020_12, "$id": identifier, **schema}
