"""The json format: canonical JSON that reads back into an equal note, stable key order,
computed values included and marked as computed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from pydantic import BaseModel, computed_field

from alliance_notes.errors import NoteValidationError
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.testing import notes
from alliance_notes_plugins.json_format import canonical_data
from formats_support import PAYLOAD, inject


@given(notes())
def test_generated_notes_read_back_equal_and_render_deterministically(host: Host, note: Any) -> None:
    text = host.render(note, "json", audience="review")
    assert host.read(text, "json") == note
    assert host.read_note(text) == note  # the canonical JSON is itself an input note
    assert text == host.render(note, "json", audience="review")
    assert text == host.render(
        host.read(text, "json"), "json", audience="review"
    )  # canonical: one text per note


def test_example_notes_read_back_equal(host: Host, example_paths: dict[str, Path]) -> None:
    for path in example_paths.values():
        note = host.load_note(path)
        assert host.read(host.render(note, "json", audience="review"), "json") == note


def test_keys_follow_the_model_and_every_field_is_present(host: Host, example_paths: dict[str, Path]) -> None:
    note = host.load_note(example_paths["dap"])
    data = json.loads(host.render(note, "json", audience="review"))
    assert list(data) == list(type(note).model_fields)
    assert list(data["session"]) == list(type(note.session).model_fields)
    assert list(data["alliance"]) == list(type(note.alliance).model_fields)
    assert data["alliance"]["summary"] is not None and data["alliance"]["measures"]["wai_sr"] is None


def test_computed_values_are_included_and_marked(host: Host, soap_data: dict[str, Any]) -> None:
    soap_data["alliance"]["measures"]["wai_sr"] = {"items": [4, 5, 3, 4, 5, 4, 3, 4, 5, 4, 3, 5]}
    note = note_from_data(soap_data)
    measures = json.loads(host.render(note, "json", audience="review"))["alliance"]["measures"]
    assert measures["srs"]["computed"] == {"total": 36.5, "below_cutoff": False}
    assert measures["ors"]["computed"] == {"total": 23.5, "below_cutoff": True}
    assert measures["wai_sr"]["computed"] == {"total": 49, "task": 18, "bond": 16, "goal": 15}
    assert measures.pop("status") == "assessed"
    for measure in measures.values():
        assert "total" not in measure  # only under "computed", never mistaken for an entered score
        assert list(measure)[-1] == "computed"


def test_an_edited_computed_value_is_reported_not_trusted(host: Host, example_paths: dict[str, Path]) -> None:
    data = json.loads(host.render(host.load_note(example_paths["soap"]), "json", audience="review"))
    data["alliance"]["measures"]["srs"]["computed"]["total"] = 40
    with pytest.raises(NoteValidationError) as caught:
        host.read(json.dumps(data), "json")
    assert caught.value.problems[0].location == "alliance.measures.srs.computed.total"
    assert caught.value.problems[0].code == "computed_value"


@pytest.mark.parametrize(
    ("computed", "location", "code"),
    [
        ({"average": 9}, "alliance.measures.srs.computed.average", "not_computed"),
        ([36.5], "alliance.measures.srs.computed", "computed_type"),
    ],
)
def test_a_computed_object_holds_only_computed_values(
    soap_data: dict[str, Any], computed: Any, location: str, code: str
) -> None:
    soap_data["alliance"]["measures"]["srs"]["computed"] = computed
    with pytest.raises(NoteValidationError) as caught:
        note_from_data(soap_data)
    assert (caught.value.problems[0].location, caught.value.problems[0].code) == (location, code)


def test_computed_values_are_marked_however_deep_the_model_nests_them() -> None:
    """The walk that marks computed values follows every field that can lead to one, cycles included."""

    class Scored(BaseModel):
        score: int

        @computed_field  # type: ignore[prop-decorator]
        @property
        def doubled(self) -> int:
            return self.score * 2

    class Branch(BaseModel):
        scored: list[Scored] = []
        child: Branch | None = None
        label: str = ""

    Branch.model_rebuild()
    tree = Branch(child=Branch(child=Branch(scored=[Scored(score=2)]), label="x"), scored=[Scored(score=1)])
    data = canonical_data(tree)  # type: ignore[arg-type]
    assert data["scored"] == [{"score": 1, "computed": {"doubled": 2}}]
    assert data["child"]["child"]["scored"] == [{"score": 2, "computed": {"doubled": 4}}]
    assert data["child"]["label"] == "x"


def test_computed_values_beside_the_scores_are_still_read(soap_data: dict[str, Any]) -> None:
    soap_data["alliance"]["measures"]["srs"]["total"] = 36.5
    assert note_from_data(soap_data).alliance.measures.srs is not None


def test_json_that_does_not_parse_is_located_by_line(host: Host) -> None:
    with pytest.raises(NoteValidationError) as caught:
        host.read('{\n  "kind": "soap",\n  oops\n}', "json")
    assert caught.value.problems[0].line == 3


def test_hostile_text_round_trips_exactly(host: Host, soap_data: dict[str, Any]) -> None:
    hostile, fields = inject(soap_data)
    note = note_from_data(hostile)
    text = host.render(note, "json", audience="review")
    assert host.read(text, "json") == note
    assert text.count(json.dumps(PAYLOAD, ensure_ascii=False)) == fields
