"""The note checks as a linter: every finding type on purpose-made notes and none on the
bundled examples, scoring against hand-computed values, settings, exceptions, the command
line's output and exit codes, a failing check, and the findings table in docs/checks.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_notes import create_host
from alliance_notes.check_settings import EXCEPTION_UNUSED, load_check_settings
from alliance_notes.errors import AllianceNotesError, NoteValidationError
from alliance_notes.host import Host
from alliance_notes.loading import note_from_data
from alliance_notes.measures import (
    OutcomeRatingScale,
    SessionRatingScale,
    WorkingAllianceInventory,
    ors_clinical_cutoff,
)
from alliance_notes.note import BUILT_IN_KINDS, ProgressNote
from alliance_notes.note_text import note_texts
from alliance_notes.plugin_api import CheckFinding, hookimpl
from alliance_notes.testing import notes
from alliance_notes.vocabulary import AgeBand
from alliance_notes_plugins import consistency_check, language_check, measures_check, pronoun_check
from cli_support import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
DOCS = Path(__file__).parents[1] / "docs" / "checks.md"

#: What each purpose-made note must report (codes), exactly.
EXPECTED = {
    "language_hits": {
        "language-blame",
        "language-label",
        "language-credibility",
        "language-scare-quotes",
        "language-drug-seeking",
        "language-substance-use",
        "language-identity",
    },
    "language_non_hits": set(),
    "pronoun_mismatch": {"pronoun-mismatch"},
    "pronouns_unrecognised": {"pronouns-unrecognised"},
    "consistency": {
        "rupture-unaddressed",
        "rupture-open-no-follow-up",
        "repair-resolved-without-strategy",
        "trust-strengthening-despite-rupture",
        "declined-topic-in-plan",
    },
    "measures_low": {"srs-below-cutoff", "srs-contradicts-trust", "wai-subscale-low", "ors-below-age-cutoff"},
    "measures_item_low": {"srs-item-low", "ors-age-band-missing"},
    "exceptions": {EXCEPTION_UNUSED},
}


#: The built-in checks' plugin names (a failing check's finding carries its plugin's name).
CHECK_PLUGINS = {"language", "pronouns", "alliance-consistency", "measures"}

_WORDS = [
    "client",
    "Client",
    "the",
    "he",
    "she",
    "her",
    "him",
    "they",
    "his",
    "mother",
    "stepfather",
    "said",
    "called",
    "not",
    "is",
    "was",
    "very",
    "difficult",
    "refuses",
    "refused",
    "non-compliant",
    "claims",
    "manipulative",
    "addict",
    "tested",
    "dirty",
    "been",
    "clean",
    "drug-seeking",
    "schizophrenic",
    "wheelchair-bound",
    "denies",
    "complains",
    "of",
    "I",
    "staff",
    '"',
    "“",
    "”",
    ".",
    ",",
    ";",
    "\n",
    "[[allow",
    "]]",
    "ZQSENTINEL",
    "fine",
]


def validate(*arguments: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    result = run_cli("validate", "--json", *arguments, cwd=cwd)
    assert result.stderr == "" or result.returncode == 2, result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout else {}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_reports_each_finding_type_on_its_purpose_made_note(name: str) -> None:
    status, report = validate(str(FIXTURES / f"{name}.json"))
    assert {finding["check"] for finding in report["findings"]} == EXPECTED[name]
    has_error = any(finding["severity"] == "error" for finding in report["findings"])
    assert status == (1 if has_error else 0)


def test_every_documented_finding_of_the_built_in_checks_is_shown_on_a_fixture() -> None:
    shown = set().union(*EXPECTED.values())
    built_in = set(built_in_codes()) - {"language-terms-unreadable"}  # needs a broken settings file
    assert built_in <= shown | {"placement", "grounding"}


def test_the_bundled_examples_have_no_finding(host: Host, example_paths: dict[str, Path]) -> None:
    for path in [*example_paths.values(), example_paths["soap"].with_name("soap_draft.json")]:
        assert host.check(host.load_note(path)) == [], path.name


# -- scoring, against values worked out by hand ----------------------------------------------------


def test_srs_total_and_cutoff_by_hand() -> None:
    srs = SessionRatingScale(relationship=9.1, goals_and_topics=8.7, approach_or_method=9, overall=9.2)
    assert srs.total == 36.0 and not srs.below_cutoff  # 9.1 + 8.7 + 9 + 9.2 = 36.0: not below 36
    lower = SessionRatingScale(relationship=9.1, goals_and_topics=8.6, approach_or_method=9, overall=9.2)
    assert lower.total == 35.9 and lower.below_cutoff


def test_ors_cutoff_by_age_band_by_hand() -> None:
    ors = OutcomeRatingScale(individually=6.5, interpersonally=7, socially=6.5, overall=6.5)
    assert ors.total == 26.5 and not ors.below_cutoff  # adult cutoff 25
    assert [
        ors_clinical_cutoff(band) for band in (None, AgeBand.ADULT, AgeBand.ADOLESCENT, AgeBand.CHILD)
    ] == [
        25,
        25,
        28,
        32,
    ]


def test_wai_sr_subscales_by_hand() -> None:
    wai = WorkingAllianceInventory(items=[2, 2, 5, 4, 5, 4, 5, 5, 5, 2, 4, 2])
    # task = items 1, 2, 10, 12 = 2+2+2+2; bond = 3, 5, 7, 9 = 5+5+5+5; goal = 4, 6, 8, 11 = 4+4+5+4
    assert (wai.task, wai.bond, wai.goal, wai.total) == (8, 20, 17, 45)


def measures_note(example_paths: dict[str, Path], **changes: Any) -> ProgressNote:
    data = json.loads(example_paths["girp"].read_text(encoding="utf-8"))
    data["alliance"]["client_feedback"] = []
    data["alliance"]["plan"] = []
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return note_from_data(data, BUILT_IN_KINDS)


def codes(findings: list[CheckFinding]) -> list[str]:
    return [finding.check for finding in findings]


def test_wai_subscale_gap_by_hand(example_paths: dict[str, Path]) -> None:
    # task 15, bond 19, goal 19: the others' mean is 19, a gap of 4 → flagged; task 16 (gap 3) is not.
    low = measures_note(
        example_paths, alliance__measures__wai_sr={"items": [4, 4, 5, 5, 5, 5, 5, 5, 4, 3, 4, 4]}
    )
    assert codes(measures_check.measures_findings(low)) == ["wai-subscale-low"]
    near = measures_note(
        example_paths, alliance__measures__wai_sr={"items": [4, 4, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4]}
    )
    assert codes(measures_check.measures_findings(near)) == []


def test_ors_band_cutoffs_by_hand(example_paths: dict[str, Path]) -> None:
    ors = {"individually": 7.5, "interpersonally": 7.5, "socially": 7.5, "overall": 7}  # 29.5
    adolescent = measures_note(
        example_paths, alliance__measures__ors=ors, session__client_age_band="adolescent"
    )
    child = measures_note(example_paths, alliance__measures__ors=ors, session__client_age_band="child")
    assert codes(measures_check.measures_findings(adolescent)) == []  # 29.5 >= 28
    assert codes(measures_check.measures_findings(child)) == ["ors-below-age-cutoff"]  # 25 <= 29.5 < 32


def test_a_low_srs_the_note_takes_up_is_not_flagged(example_paths: dict[str, Path]) -> None:
    low = {"relationship": 8, "goals_and_topics": 7.5, "approach_or_method": 8, "overall": 8}
    data = json.loads(example_paths["girp"].read_text(encoding="utf-8"))
    data["alliance"]["measures"]["srs"].update(low)
    assert codes(measures_check.measures_findings(note_from_data(data, BUILT_IN_KINDS))) == []


# -- settings and exceptions -----------------------------------------------------------------------


def test_settings_from_alliance_notes_toml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.alliance-notes.checks]\ndisable = ['srs-item-low']\n"
        "[tool.alliance-notes.checks.severity]\nwai-subscale-low = 'error'\n",
        encoding="utf-8",
    )
    nested = tmp_path / "notes"
    nested.mkdir()
    found = load_check_settings(nested)
    assert found.disabled == {"srs-item-low"} and found.severities["wai-subscale-low"].value == "error"
    (nested / "alliance-notes.toml").write_text("[checks]\ndisable = ['placement']\n", encoding="utf-8")
    assert load_check_settings(nested).disabled == {"placement"}  # the nearest file wins


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[checks]\ndisable = 'x'\n", "checks.disable must be a list"),
        ("[checks.severity]\nsrs-item-low = 'loud'\n", "the severity must be error, warning or info"),
        ("[checks]\ndisable = ['Not A Code']\n", "a finding code is lower-case"),
        ("[checks\n", "not valid TOML"),
    ],
)
def test_a_wrong_setting_exits_2_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "alliance-notes.toml").write_text(content, encoding="utf-8")
    result = run_cli("validate", str(FIXTURES / "measures_low.json"), cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "alliance-notes.toml" in result.stderr


def test_configuration_disables_and_changes_severity(tmp_path: Path) -> None:
    (tmp_path / "alliance-notes.toml").write_text(
        "[checks]\ndisable = ['wai-subscale-low']\n[checks.severity]\nsrs-below-cutoff = 'error'\n",
        encoding="utf-8",
    )
    status, report = validate(str(FIXTURES / "measures_low.json"), cwd=tmp_path)
    severities = {finding["check"]: finding["severity"] for finding in report["findings"]}
    assert "wai-subscale-low" not in severities and severities["srs-below-cutoff"] == "error"
    assert status == 1
    # The command line wins over the file.
    status, report = validate(
        str(FIXTURES / "measures_low.json"),
        "--enable",
        "wai-subscale-low",
        "--disable",
        "srs-contradicts-trust,ors-below-age-cutoff",
        "--severity",
        "srs-below-cutoff=info",
        cwd=tmp_path,
    )
    assert {f["check"]: f["severity"] for f in report["findings"]} == {
        "srs-below-cutoff": "info",
        "wai-subscale-low": "info",
    }
    assert status == 0


def test_bad_command_line_settings_exit_2() -> None:
    result = run_cli("validate", str(FIXTURES / "measures_low.json"), "--severity", "srs-item-low")
    assert result.returncode == 2 and "CODE=LEVEL" in result.stderr
    result = run_cli("validate", str(FIXTURES / "measures_low.json"), "--config", "/nonexistent/x.toml")
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_an_inline_exception_accepts_a_finding_and_never_shows(host: Host) -> None:
    note = host.load_note(FIXTURES / "exceptions.json")
    assert "[[" not in (note.assessment or "") + (note.plan or "")  # type: ignore[attr-defined]
    assert [(e.location, e.checks) for e in note.check_exceptions] == [
        ("assessment", ["language-blame"]),
        ("plan", ["language-lable"]),
    ]
    report = host.check_report(note)
    assert [(f.check, e.reason) for f, e in report.excepted] == [
        ("language-blame", "the court order's wording")
    ]
    assert [(f.check, f.location) for f in report.findings] == [(EXCEPTION_UNUSED, "plan")]
    for name in ("markdown", "text", "html", "json"):
        assert "[[allow" not in host.render(note, name), name


def test_an_exception_for_a_value_covers_the_fields_inside(host: Host) -> None:
    data = json.loads((FIXTURES / "measures_low.json").read_text(encoding="utf-8"))
    data["check_exceptions"] = [
        {
            "location": "alliance.measures",
            "checks": ["srs-below-cutoff", "wai-subscale-low"],
            "reason": "discussed by phone",
        }
    ]
    report = host.check_report(note_from_data(data, BUILT_IN_KINDS))
    assert sorted(f.check for f, _ in report.excepted) == ["srs-below-cutoff", "wai-subscale-low"]


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ("[[allow]]", "names no finding code"),
        ("[[allow language-label", "not closed"),
        ("[[allow Bad Code]]", "names no finding code"),
    ],
)
def test_a_malformed_marker_makes_the_note_invalid_at_its_field(
    soap_data: dict[str, Any], marker: str, problem: str
) -> None:
    soap_data["alliance"]["trust"]["built_by"][0]["text"] += f" {marker}"
    with pytest.raises(NoteValidationError) as raised:
        note_from_data(soap_data, BUILT_IN_KINDS)
    (found,) = raised.value.problems
    assert found.location == "alliance.trust.built_by[0].text" and problem in found.message


# -- the command line ------------------------------------------------------------------------------


def test_text_output_groups_findings_by_section() -> None:
    result = run_cli("validate", str(FIXTURES / "consistency.json"))
    lines = result.stdout.splitlines()
    headings = [line for line in lines[1:-1] if not line.startswith("  ")]
    assert headings == ["Plan", "Alliance › Trust", "Alliance › Ruptures", "Alliance › Repairs"]
    assert lines[-1] == "findings: 0 errors, 6 warnings, 0 info"
    assert result.returncode == 0


def test_json_output_and_exit_1_on_an_error_finding() -> None:
    status, report = validate(str(FIXTURES / "pronoun_mismatch.json"))
    (finding,) = report["findings"]
    assert status == 1 and report["counts"] == {"error": 1, "warning": 0, "info": 0}
    assert finding["section"] == "Response" and finding["span"] == [16, 19]


def test_invalid_input_still_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "note.json"
    path.write_text("{}", encoding="utf-8")
    assert run_cli("validate", str(path)).returncode == 2


def test_a_check_that_raises_is_reported_by_name_and_the_others_run(example_paths: dict[str, Path]) -> None:
    @hookimpl
    def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
        raise RuntimeError("bug")

    host = create_host(
        environ={}, plugins=[("broken-check", SimpleNamespace(alliance_check_note=alliance_check_note))]
    )
    findings = host.check(
        note_from_data(json.loads((FIXTURES / "measures_low.json").read_text("utf-8")), BUILT_IN_KINDS)
    )
    assert "broken-check" in codes(findings) and "srs-below-cutoff" in codes(findings)


# -- the findings table ----------------------------------------------------------------------------


def built_in_codes() -> dict[str, tuple[str, str]]:
    """Every code of the built-in checks and the core: (severity, check)."""
    found: dict[str, tuple[str, str]] = {}
    for check, table in (
        ("language", language_check.finding_codes()),
        ("pronouns", pronoun_check.FINDING_CODES),
        ("alliance-consistency", consistency_check.FINDING_CODES),
        ("measures", measures_check.FINDING_CODES),
    ):
        found.update({code: (severity.value, check) for code, severity in table.items()})
    found["placement"] = ("warning", "core")
    found["grounding"] = ("error or warning", "core (`--transcript`)")
    found[EXCEPTION_UNUSED] = ("warning", "core")
    return found


def test_the_findings_table_in_the_docs_equals_the_checks() -> None:
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| ([^|]+) \| ([^|]+) \|", DOCS.read_text(encoding="utf-8"), re.M)
    documented = {code: (severity.strip(), check.strip()) for code, severity, check in rows}
    assert documented == built_in_codes()


def test_the_entry_point_names_are_the_check_names() -> None:
    import importlib.metadata

    names = {ep.name for ep in importlib.metadata.entry_points(group="alliance_notes")}
    assert {"language", "pronouns", "alliance-consistency", "measures"} <= names


# -- generated notes -------------------------------------------------------------------------------


def _read(data: dict[str, Any]) -> tuple[ProgressNote | None, tuple[Any, ...]]:
    try:
        return note_from_data(data, BUILT_IN_KINDS), ()
    except NoteValidationError as error:
        return None, error.problems


@settings(max_examples=15)
@given(notes())
def test_checks_never_crash_nor_echo_the_notes_text(host: Host, note: ProgressNote) -> None:
    findings = host.check(note)
    # Texts long enough that the fixed wording of a message cannot hold one by chance.
    texts = [text.text for text in note_texts(note) if len(text.text.strip()) >= 12]
    for finding in findings:
        assert finding.check not in CHECK_PLUGINS, finding  # a check that failed
        shown = f"{finding.message} {finding.suggestion or ''}"
        assert not any(text in shown for text in texts), finding.check


@settings(max_examples=40)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40))
def test_text_checks_never_crash_nor_echo_generated_prose(host: Host, words: list[str]) -> None:
    data = json.loads((FIXTURES / "language_hits.json").read_text(encoding="utf-8"))
    data["assessment"] = " ".join(words).replace("[[allow ]]", "")
    note, problems = _read(data)
    if note is None:  # a stray [[allow is reported at its field, never quoted
        assert {problem.location for problem in problems} <= {"assessment"}
        assert all("ZQSENTINEL" not in str(problem) for problem in problems)
        return
    text = note.assessment or ""  # type: ignore[attr-defined]
    for finding in host.check(note):
        assert finding.check not in CHECK_PLUGINS, finding
        assert "ZQSENTINEL" not in f"{finding.message} {finding.suggestion}"
        if finding.location == "assessment" and finding.span is not None:
            start, end = finding.span
            assert 0 <= start < end <= len(text)


def test_the_rendered_ors_uses_the_clients_age_band(host: Host, example_paths: dict[str, Path]) -> None:
    birp = host.load_note(example_paths["birp"])  # a 16-year-old
    assert "below the adolescent clinical cutoff of 28" in host.render(birp, "text")
    data = json.loads(example_paths["birp"].read_text(encoding="utf-8"))
    data["alliance"]["measures"]["ors"].update({"individually": 7, "interpersonally": 6.5, "socially": 6.5})
    data["session"]["client_age_band"] = "child"  # total 25: not below 25, below a child's 32
    assert "below the child clinical cutoff of 32" in host.render(
        note_from_data(data, BUILT_IN_KINDS), "text"
    )
    del data["session"]["client_age_band"]
    assert "clinical cutoff" not in host.render(note_from_data(data, BUILT_IN_KINDS), "text")


def test_exceptions_travel_through_the_review_form_and_stay_out_of_the_record(host: Host) -> None:
    from alliance_notes.fillable.parser import parse_filled
    from alliance_notes.fillable.writer import prefilled_template

    note = host.load_note(FIXTURES / "exceptions.json")
    form = prefilled_template(note, audience="review")
    again = parse_filled(form, {note.kind: type(note)}).note
    assert sorted(e.location for e in again.check_exceptions) == ["assessment", "plan"]
    assert "[[allow" not in prefilled_template(note)
    assert json.loads(host.render(note, "json"))["check_exceptions"] == []
    assert len(json.loads(host.render(note, "json", audience="review"))["check_exceptions"]) == 2
    data = json.loads((FIXTURES / "exceptions.json").read_text(encoding="utf-8"))
    data["check_exceptions"] = [{"location": "alliance.measures.srs", "checks": ["srs-item-low"]}]
    with pytest.raises(AllianceNotesError, match=r"alliance.measures.srs is not on a text field"):
        prefilled_template(note_from_data(data, BUILT_IN_KINDS), audience="review")


def test_a_quote_that_reads_like_an_exception_stays_the_speakers_words(host: Host) -> None:
    """Evidence quotes are kept verbatim: '[[allow' said in a session is not a clinician's
    exception, and an unclosed one is no error."""
    data = json.loads((FIXTURES / "exceptions.json").read_text(encoding="utf-8"))
    quote = {"quote": "I said [[allow me]] and [[allow", "speaker": "client"}
    data["alliance"]["trust"] = {
        "state": "steady",
        "built_by": [{"text": "Listened.", "evidence": [quote], "belongs": "progress_note"}],
    }
    note = note_from_data(data)
    assert note.alliance.trust.built_by[0].evidence[0].quote == quote["quote"]
    assert all(".evidence[" not in exception.location for exception in note.check_exceptions)
