"""Draw the offline extractor's suggestions at random for a blind judgement (issue 13:
precision on material the rules were not tuned on).

    python benchmarks/sample_for_judging.py --out benchmarks/judged/NEW.json [--n 40] [--seed S]
        [--exclude benchmarks/judged/pair_mts_2026-12-01.json] [--corpus pair-mts|annomi-unread]

Exchanges: each PAIR client prompt with each of its eight responses (two utterances), and
each MTS-Dialog mental-health dialogue (``Doctor`` the clinician, ``Patient`` the client,
anyone else another participant).  Every suggestion the extractor makes is a candidate:
one per distinct (finding, cited words), so that one PAIR client line answered eight times
counts once.  Suggestions already judged in an ``--exclude`` file are left out (they have
been read).  The output holds, for each drawn suggestion, the finding and the exchange with
the cited utterance marked, and empty ``judged_correct`` / ``judge_reason`` for the judge,
who is given only the label definitions; it never names the rule that fired.

``--corpus annomi-unread`` draws instead from the AnnoMI transcripts, leaving out every
suggestion whose exchange (the cited utterance and the two before and one after it)
touches an utterance of the labelled fixtures: the rules were developed on AnnoMI, but
these utterances were never read while writing them.

The corpora are read from ``../shared/data`` beside the repository (not shipped; see
benchmarks/judged/SOURCE.md for their sources and licences).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from alliance_notes.transcript import Transcript, Utterance
from alliance_notes_plugins.extractor import default_extractor

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
_PAIR_RESPONSES = (
    "hq1_complex_reflection",
    "hq2_complex_reflection",
    "mq1_simple_reflection",
    "lq1_advice",
    "lq2_question",
    "lq3_non_reflection",
    "lq4_non_reflection",
    "lq5_non_reflection",
)
_TURN = re.compile(r"^\s*([A-Za-z_ ]+?)\s*:\s*(.*)$")
_ROLES = {"doctor": "clinician", "patient": "client"}


def _transcript(turns: list[tuple[str, str, str]]) -> Transcript:
    return Transcript(
        utterances=[
            Utterance(speaker=speaker, role=role, text=text, start=float(index))
            for index, (speaker, role, text) in enumerate(turns)
        ]
    )


def pair_exchanges(path: Path) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """Each PAIR prompt with each response: ``(source, turns)``."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            for column in _PAIR_RESPONSES:
                if row.get(column, "").strip():
                    turns = [("Client", "client", row["prompt"]), ("Counsellor", "clinician", row[column])]
                    yield f"PAIR row {row_number} {column}", turns


def mts_exchanges(path: Path) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """Each MTS-Dialog dialogue, its turns by speaker: ``(source, turns)``."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            turns: list[tuple[str, str, str]] = []
            for line in row["dialogue"].splitlines():
                match = _TURN.match(line)
                if match:
                    speaker = match.group(1).strip()
                    turns.append((speaker, _ROLES.get(speaker.lower(), "other_participant"), match.group(2)))
                elif turns and line.strip():
                    speaker, role, text = turns[-1]
                    turns[-1] = (speaker, role, f"{text} {line.strip()}")
            if turns:
                yield f"MTS-Dialog {row['source_file']} ID {row['ID']}", turns


def _fixture_utterances() -> set[tuple[str, int]]:
    """(transcript id, utterance id) of every AnnoMI utterance in the labelled fixtures."""
    seen = set()
    for name in ("annomi_labelled.json", "annomi_random.json"):
        path = ROOT / "tests" / "fixtures" / "extractor" / name
        for transcript in json.loads(path.read_text(encoding="utf-8"))["transcripts"]:
            transcript_id = re.search(r"transcript_id (\d+)", transcript["source"])
            assert transcript_id is not None, transcript["id"]
            seen.update((transcript_id.group(1), int(u["utterance_id"])) for u in transcript["utterances"])
    return seen


def annomi_unread_exchanges() -> Iterator[tuple[str, list[tuple[str, str, str]], set[int]]]:
    """Each AnnoMI transcript, with the indices of its utterances the fixtures hold."""
    rows: dict[str, list[dict[str, str]]] = {}
    with (DATA / "annomi" / "AnnoMI-simple.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["transcript_id"], []).append(row)
    read = _fixture_utterances()
    roles = {"therapist": "clinician", "client": "client"}
    for transcript_id, turns in sorted(rows.items(), key=lambda item: int(item[0])):
        turns.sort(key=lambda row: int(row["utterance_id"]))
        speakers = [(row["interlocutor"], roles[row["interlocutor"]], row["utterance_text"]) for row in turns]
        touched = {
            index for index, row in enumerate(turns) if (transcript_id, int(row["utterance_id"])) in read
        }
        yield f"AnnoMI transcript_id {transcript_id}", speakers, touched


def _judged_before(paths: list[Path]) -> set[tuple[str, str]]:
    seen = set()
    for path in paths:
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            cited = [turn["text"] for turn in item["context"] if turn.get("cited")]
            seen.update((item["finding"], " ".join(text.split())) for text in cited)
    return seen


def candidates(exclude: set[tuple[str, str]], corpus: str) -> list[dict[str, object]]:
    """Every distinct suggestion on the corpus, in corpus order."""
    extractor = default_extractor()
    found: dict[tuple[str, str], dict[str, object]] = {}
    exchanges: list[tuple[str, list[tuple[str, str, str]], set[int]]]
    if corpus == "annomi-unread":
        exchanges = list(annomi_unread_exchanges())
    else:
        exchanges = [
            (source, turns, set())
            for source, turns in [
                *pair_exchanges(DATA / "pair" / "topic_clean_umich_with_header.csv"),
                *mts_exchanges(DATA / "mts_dialog" / "mts_dialog_mental_health_subset.csv"),
            ]
        ]
    for source, turns, touched in exchanges:
        transcript = _transcript(turns)
        for detection in extractor.combine(transcript).accepted():
            if touched & set(range(detection.index - 2, detection.index + 2)):
                continue
            finding = "boundary" if detection.finding == "confidentiality" else detection.finding
            cited = " ".join(turns[detection.index][2].split())
            key = (finding, cited)
            if key in exclude or key in found:
                continue
            low = max(0, detection.index - 2)
            context = [
                {"role": role, "text": text, "cited": index == detection.index}
                for index, (_speaker, role, text) in enumerate(turns[low : detection.index + 2], start=low)
            ]
            found[key] = {"finding": finding, "context": context, "source": source}
    return list(found.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--corpus", choices=("pair-mts", "annomi-unread"), default="pair-mts")
    arguments = parser.parse_args()
    pool = candidates(_judged_before(arguments.exclude), arguments.corpus)
    drawn = pool if len(pool) <= arguments.n else random.Random(arguments.seed).sample(pool, arguments.n)  # noqa: S311 (a reproducible draw)
    items = [
        {"n": number, **item, "judged_correct": None, "judge_reason": ""}
        for number, item in enumerate(drawn, start=1)
    ]
    about = (
        f"{len(items)} suggestions drawn at random (seed {arguments.seed}) from {len(pool)} distinct "
        f"suggestions of the offline extractor on {arguments.corpus} not judged before"
    )
    arguments.out.write_text(
        json.dumps({"about": about, "items": items}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{about}; written to {arguments.out}")


if __name__ == "__main__":
    main()
