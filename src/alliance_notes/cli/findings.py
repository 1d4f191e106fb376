"""How ``alliance-notes validate`` shows a note's check findings: grouped by the section of
the note they concern, in the note's order, or as JSON; and the options that configure the
checks (``--config``, ``--disable``, ``--enable``, ``--severity``)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from alliance_notes.errors import AllianceNotesError

if TYPE_CHECKING:
    from alliance_notes.check_settings import CheckReport, CheckSettings
    from alliance_notes.checks import CheckFinding
    from alliance_notes.note import ProgressNote

#: The heading of findings that concern no field (a check that failed).
CHECKS_HEADING = "Checks"
_OTHER_HEADINGS = {
    "session": "Session",
    "authorship": "Authorship",
    "check_exceptions": "Check exceptions",
}


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that configure the note checks."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read the check settings from FILE (alliance-notes.toml, or a pyproject.toml with "
        "[tool.alliance-notes]); default: the first such file in the working directory or a parent",
    )
    parser.add_argument(
        "--disable",
        action="append",
        metavar="CODE",
        default=[],
        help="do not report findings with this code (repeatable, or comma-separated; the codes are "
        "listed in docs/checks.md)",
    )
    parser.add_argument(
        "--enable",
        action="append",
        metavar="CODE",
        default=[],
        help="report findings with this code even if the settings disable it (repeatable)",
    )
    parser.add_argument(
        "--severity",
        action="append",
        metavar="CODE=LEVEL",
        default=[],
        help="report findings with this code as error, warning or info (repeatable)",
    )


def _split(values: Iterable[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def check_settings(arguments: argparse.Namespace) -> CheckSettings:
    """The check settings of the project, with the command line's additions.

    :raises AllianceNotesError: for a settings file or an option that is wrong.
    """
    from alliance_notes.check_settings import load_check_settings  # noqa: PLC0415

    severities: dict[str, str] = {}
    for value in arguments.severity:
        code, equals, level = value.partition("=")
        if not equals or not code.strip():
            raise AllianceNotesError("--severity must look like CODE=LEVEL, e.g. srs-item-low=warning")
        severities[code.strip()] = level.strip()
    return load_check_settings(config=arguments.config).overridden(
        disable=_split(arguments.disable), enable=_split(arguments.enable), severities=severities
    )


def _section_order(note: ProgressNote) -> list[tuple[str, str]]:
    """``(location prefix, heading)`` in the order the note presents them."""
    from alliance_notes.outline import alliance_outline  # noqa: PLC0415

    order = [("session", "Session"), ("authorship", "Authorship")]
    order += [(section.key, section.title) for section in note.host_sections]
    for part in alliance_outline(type(note.alliance)):
        order.append((f"alliance.{part.key}", f"Alliance › {part.title}"))
        order += [(f"alliance.{field.key}", f"Alliance › {part.title}") for field in part.fields]
    return order


def section_of(location: str, order: list[tuple[str, str]]) -> str:
    """The heading of the note's section a finding's location is in."""
    if not location:
        return CHECKS_HEADING
    bare = re.sub(r"\[\d+\]", "", location)
    best = ""
    heading = ""
    for prefix, title in order:
        if (bare == prefix or bare.startswith(prefix + ".")) and len(prefix) > len(best):
            best, heading = prefix, title
    if heading:
        return heading
    first = bare.split(".", 1)[0]
    return _OTHER_HEADINGS.get(first, "Alliance" if first == "alliance" else first)


def grouped(findings: Iterable[CheckFinding], note: ProgressNote) -> list[tuple[str, list[CheckFinding]]]:
    """Findings by section heading, sections in the note's order (a failed check's last)."""
    order = _section_order(note)
    headings = list(dict.fromkeys(title for _, title in order))
    groups: dict[str, list[CheckFinding]] = {}
    for finding in findings:
        groups.setdefault(section_of(finding.location, order), []).append(finding)
    rank = {title: index for index, title in enumerate(headings)}
    for members in groups.values():
        # Within a section: field by field as the checks first reported them, words in text order.
        first = {finding.location: index for index, finding in reversed(list(enumerate(members)))}
        members.sort(key=lambda f: (first[f.location], f.span[0] if f.span else -1))
    return sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank)))


def counts(findings: Iterable[CheckFinding]) -> dict[str, int]:
    """How many findings of each severity."""
    tally = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        tally[finding.severity.value] += 1
    return tally


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"


def text_report(report: CheckReport, note: ProgressNote) -> list[str]:
    """The findings as lines of text, under the headings of the note's sections."""
    lines: list[str] = []
    for heading, findings in grouped(report.findings, note):
        lines.append(heading)
        for finding in findings:
            lines.append(f"  - {finding}")
    tally = counts(report.findings)
    summary = ", ".join(_plural(tally[level], level) for level in ("error", "warning", "info"))
    if report.excepted:
        summary += f"; {len(report.excepted)} accepted by the note's check exceptions"
    lines.append(f"findings: {summary}")
    return lines


def json_report(report: CheckReport, note: ProgressNote) -> dict[str, Any]:
    """The findings as JSON-ready data: each with its section, the excepted ones with their
    exception, and the count of each severity."""
    order = _section_order(note)

    def data(finding: CheckFinding) -> dict[str, Any]:
        return {**finding.model_dump(mode="json"), "section": section_of(finding.location, order)}

    return {
        "findings": [data(finding) for finding in report.findings],
        "excepted": [
            {**data(finding), "exception": exception.model_dump(mode="json")}
            for finding, exception in report.excepted
        ],
        "counts": counts(report.findings),
    }
