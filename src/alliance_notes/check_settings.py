"""Which note checks run, how much their findings matter, and the clinician's exceptions.

A project (a clinic, a pipeline) configures the checks in ``alliance-notes.toml`` or in the
``[tool.alliance-notes]`` table of its ``pyproject.toml``::

    [checks]
    disable = ["language-identity"]        # finding codes that are not reported
    enable = []                            # codes to report even if disabled above

    [checks.severity]                      # a code's severity: error, warning or info
    srs-below-cutoff = "warning"

    [checks.language]                      # options of one check plugin, by its table name
    terms = "clinic-language.toml"         # paths are relative to the configuration file

(in ``pyproject.toml`` the tables are ``[tool.alliance-notes.checks]`` and so on).  The command
line can add to it (``validate --disable CODE --severity CODE=LEVEL``).  A note's own
``check_exceptions`` (or inline ``[[allow CODE: reason]]`` markers) accept findings at one field
deliberately: they are reported as excepted, not as findings, and an exception that accepts
nothing is itself reported (``exception-unused``), so a misspelt code does not pass silently.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from alliance_notes.checks import CHECK_CODE_PATTERN, CheckException, CheckFinding, Severity
from alliance_notes.errors import AllianceNotesError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the package supports 3.10, whose standard library has no TOML reader
    import tomli as tomllib

#: The project configuration file's name.
CONFIG_FILE = "alliance-notes.toml"
#: The code of the finding for an exception that accepts no finding.
EXCEPTION_UNUSED = "exception-unused"
_RESERVED = frozenset({"disable", "enable", "severity"})


@dataclass(frozen=True)
class CheckSettings:
    """The checks' configuration for one project (see the module docs).

    :param disabled: finding codes not reported.
    :param enabled: codes reported even when ``disabled`` lists them.
    :param severities: a severity per code, replacing the check's own.
    :param options: each check plugin's own table, by name (``"language"`` → its options).
    :param base: the directory relative option paths are read from (the configuration
        file's directory).
    :param source: the configuration file, for messages; ``None`` when there is none.
    """

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    base: Path = field(default_factory=Path)
    source: str | None = None

    def reports(self, code: str) -> bool:
        """True when findings with this code are reported."""
        return code not in self.disabled or code in self.enabled

    def table(self, name: str) -> Mapping[str, Any]:
        """One check plugin's options (empty when the project sets none)."""
        return self.options.get(name, MappingProxyType({}))

    def path(self, value: str | Path) -> Path:
        """An option's path, relative to the configuration file's directory."""
        return self.base / Path(value)

    def overridden(
        self,
        *,
        disable: Iterable[str] = (),
        enable: Iterable[str] = (),
        severities: Mapping[str, str] | None = None,
    ) -> CheckSettings:
        """These settings with the command line's additions (``--disable``, ``--enable``,
        ``--severity CODE=LEVEL``), which win over the file.

        :raises AllianceNotesError: for a code or severity that is not well formed.
        """
        disable, enable = _codes(disable, "--disable"), _codes(enable, "--enable")
        levels = dict(self.severities)
        for code, level in (severities or {}).items():
            levels[_codes([code], "--severity")[0]] = _severity(level, f"--severity {code}")
        return replace(
            self,
            disabled=(self.disabled - frozenset(enable)) | frozenset(disable),
            enabled=(self.enabled - frozenset(disable)) | frozenset(enable),
            severities=MappingProxyType(levels),
        )


def _codes(values: Iterable[Any], where: str) -> list[str]:
    import re  # noqa: PLC0415  (only configuration needs it)

    codes = list(values)
    for code in codes:
        if not isinstance(code, str) or not re.match(CHECK_CODE_PATTERN, code):
            raise AllianceNotesError(
                f"{where}: a finding code is lower-case letters, digits and hyphens, e.g. srs-below-cutoff"
            )
    return codes


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise AllianceNotesError(f"{where}: the severity must be error, warning or info") from None


def settings_from_table(table: Mapping[str, Any], base: Path, source: str) -> CheckSettings:
    """Settings from a ``[checks]`` table (already parsed).

    :raises AllianceNotesError: naming the file and key that is wrong.
    """
    where = f"{source}: checks"
    for key in ("disable", "enable"):
        if not isinstance(table.get(key, []), list):
            raise AllianceNotesError(f"{where}.{key} must be a list of finding codes")
    severity_table = table.get("severity", {})
    if not isinstance(severity_table, dict):
        raise AllianceNotesError(f'{where}.severity must be a table of CODE = "level"')
    options: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key in _RESERVED:
            continue
        if not isinstance(value, dict):
            raise AllianceNotesError(
                f"{where}.{key} is not a setting of the checks (disable, enable, severity) nor a "
                "table of a check plugin's options"
            )
        options[key] = MappingProxyType(dict(value))
    return CheckSettings(
        disabled=frozenset(_codes(table.get("disable", []), f"{where}.disable")),
        enabled=frozenset(_codes(table.get("enable", []), f"{where}.enable")),
        severities=MappingProxyType(
            {
                _codes([code], f"{where}.severity")[0]: _severity(level, f"{where}.severity.{code}")
                for code, level in severity_table.items()
            }
        ),
        options=MappingProxyType(options),
        base=base,
        source=source,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            data: dict[str, Any] = tomllib.load(stream)
            return data
    except OSError as error:
        raise AllianceNotesError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None
    except tomllib.TOMLDecodeError as error:
        # The parser's message names the line and column, not the file's content.
        raise AllianceNotesError(f"{path}: not valid TOML ({error})") from None


def _checks_table(path: Path, data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``checks`` table of a configuration file, or ``None`` when it configures nothing."""
    if path.name == "pyproject.toml":
        project = data.get("tool", {}).get("alliance-notes")
        if project is None:
            return None
        data = project
    if not isinstance(data, dict):
        raise AllianceNotesError(f"{path}: [tool.alliance-notes] must be a table")
    checks = data.get("checks", {})
    if not isinstance(checks, dict):
        raise AllianceNotesError(f"{path}: checks must be a table")
    return checks


def load_check_settings(start: str | Path | None = None, config: str | Path | None = None) -> CheckSettings:
    """The project's check settings.

    :param config: a configuration file to read (``alliance-notes.toml``, or a
        ``pyproject.toml`` with a ``[tool.alliance-notes]`` table).
    :param start: without ``config``, the directory to look in, then its parents, for the
        first ``alliance-notes.toml`` or ``pyproject.toml`` that has ``[tool.alliance-notes]``
        (default: the working directory).  None found: the defaults.
    :raises AllianceNotesError: for a file that cannot be read or a setting that is wrong.
    """
    if config is not None:
        path = Path(config)
        table = _checks_table(path, _read_toml(path))
        if table is None:
            raise AllianceNotesError(f"{path}: has no [tool.alliance-notes] table")
        return settings_from_table(table, path.parent, str(path))
    directory = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        for name in (CONFIG_FILE, "pyproject.toml"):
            path = folder / name
            if path.is_file():
                table = _checks_table(path, _read_toml(path))
                if table is not None:
                    return settings_from_table(table, folder, str(path))
    return CheckSettings()


@dataclass(frozen=True)
class CheckReport:
    """What checking a note found, after the project's settings and the note's exceptions.

    :param findings: the findings reported, in the checks' order.
    :param excepted: findings a clinician's exception accepts, each with its exception.
    """

    findings: tuple[CheckFinding, ...]
    excepted: tuple[tuple[CheckFinding, CheckException], ...] = ()

    @property
    def has_errors(self) -> bool:
        """True when any reported finding is an error."""
        return any(finding.severity is Severity.ERROR for finding in self.findings)


def apply_settings(
    findings: Sequence[CheckFinding], exceptions: Sequence[CheckException], settings: CheckSettings
) -> CheckReport:
    """The report of ``findings``: exceptions applied, then disabled codes left out and
    severities replaced.  An exception that accepts none of the findings becomes an
    ``exception-unused`` warning at its field."""
    kept: list[CheckFinding] = []
    excepted: list[tuple[CheckFinding, CheckException]] = []
    used: set[int] = set()
    for finding in findings:
        accepting = next(
            (index for index, exception in enumerate(exceptions) if exception.covers(finding)), None
        )
        if accepting is None:
            kept.append(finding)
        else:
            used.add(accepting)
            excepted.append((finding, exceptions[accepting]))
    for index, exception in enumerate(exceptions):
        if index not in used:
            kept.append(
                CheckFinding(
                    check=EXCEPTION_UNUSED,
                    severity=Severity.WARNING,
                    location=exception.location,
                    message=f"an exception here accepts {', '.join(exception.checks)}, but no check "
                    "reports that here; remove it, or check the code's spelling",
                )
            )
    reported = tuple(
        finding.model_copy(update={"severity": settings.severities[finding.check]})
        if finding.check in settings.severities
        else finding
        for finding in kept
        if settings.reports(finding.check)
    )
    return CheckReport(reported, tuple(excepted))
