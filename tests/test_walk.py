"""The shared walk over a note's models (alliance_notes.walk)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from alliance_notes.evidence import Evidence, Observation
from alliance_notes.host import Host
from alliance_notes.walk import field_names, instances_in


class Leaf(BaseModel):
    value: int


class Holder(BaseModel):
    leaf: Leaf | None = None
    leaves: list[Leaf] = []
    pair: tuple[Leaf, ...] = ()
    nested: Holder | None = None


Holder.model_rebuild()


def test_every_instance_is_found_with_its_path_in_field_order() -> None:
    tree = Holder(
        leaf=Leaf(value=1),
        leaves=[Leaf(value=2), Leaf(value=3)],
        pair=(Leaf(value=4),),
        nested=Holder(leaves=[Leaf(value=5)]),
    )
    found = [(path, leaf.value) for path, leaf in instances_in(tree, Leaf)]
    assert found == [("leaf", 1), ("leaves[0]", 2), ("leaves[1]", 3), ("pair[0]", 4), ("nested.leaves[0]", 5)]
    assert [path for path, _ in instances_in(tree, Holder, "root")] == ["root", "root.nested"]


def test_field_names_follow_the_declaration() -> None:
    assert field_names(Holder) == ("leaf", "leaves", "pair", "nested")


def test_every_observation_and_quote_of_an_example_is_found(
    host: Host, example_paths: dict[str, Path]
) -> None:
    note = host.load_note(example_paths["soap"])
    observations = dict(instances_in(note.alliance, Observation, "alliance"))
    assert note.alliance.ruptures[0] is observations["alliance.ruptures[0]"]
    quotes = [path for path, _ in instances_in(note, Evidence)]
    assert quotes and all(".evidence[" in path for path in quotes)
    assert len(quotes) == sum(len(observation.evidence) for observation in observations.values())
