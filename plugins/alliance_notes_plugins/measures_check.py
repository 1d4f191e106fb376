"""Warning signs in the client's own ratings, and ratings the note's narrative contradicts.

Scores and cutoffs come from :mod:`alliance_notes.measures` (where their sources are cited);
this check only reads them.

* ``srs-below-cutoff``: the SRS total is below 36, the cue to discuss the alliance, and the
  note records no check-in answer and no alliance follow-up (nothing shows it was taken up).
* ``srs-item-low``: the total is at or above 36 but a single SRS item is below 9 (the same
  cue for one line), with the same condition.
* ``srs-contradicts-trust``: the SRS total is below 36 while trust is recorded as
  strengthening (the client's rating and the clinician's narrative disagree).
* ``wai-subscale-low``: one WAI-SR subscale is well below the other two (4 or more points
  below their mean, one point per item).
* ``ors-age-band-missing``: an ORS is given and the client's age band is not recorded, so
  the only cutoff that can be applied is the adult one.
* ``ors-below-age-cutoff``: an adolescent's or child's ORS total is at or above the adult
  cutoff (so it reads as outside the clinical range by adult norms, and renders without the
  adult "below the cutoff" remark) but below the cutoff of the client's own age band.
"""

from __future__ import annotations

from collections.abc import Iterator

from alliance_notes.plugin_api import (
    ORS_CLINICAL_CUTOFFS,
    SRS_DISCUSSION_CUTOFF,
    SRS_ITEM_CUE,
    WAI_SR_SUBSCALES,
    AgeBand,
    CheckFinding,
    ProgressNote,
    Severity,
    TrustState,
    format_score,
    hookimpl,
    ors_clinical_cutoff,
)

SRS_BELOW_CUTOFF = "srs-below-cutoff"
SRS_ITEM_LOW = "srs-item-low"
SRS_CONTRADICTS_TRUST = "srs-contradicts-trust"
WAI_SUBSCALE_LOW = "wai-subscale-low"
ORS_AGE_BAND_MISSING = "ors-age-band-missing"
ORS_BELOW_AGE_CUTOFF = "ors-below-age-cutoff"

#: Every finding code this check reports, with its severity (docs/checks.md lists them).
FINDING_CODES: dict[str, Severity] = {
    SRS_BELOW_CUTOFF: Severity.WARNING,
    SRS_ITEM_LOW: Severity.INFO,
    SRS_CONTRADICTS_TRUST: Severity.WARNING,
    WAI_SUBSCALE_LOW: Severity.INFO,
    ORS_AGE_BAND_MISSING: Severity.INFO,
    ORS_BELOW_AGE_CUTOFF: Severity.WARNING,
}

#: How far (in points, of 4–20) a WAI-SR subscale must fall below the mean of the other two.
WAI_SUBSCALE_GAP = 4.0
_SRS_ITEMS = ("relationship", "goals_and_topics", "approach_or_method", "overall")


def _taken_up(note: ProgressNote) -> bool:
    """True when the note records the alliance being talked about: a check-in answer or a
    follow-up in the alliance plan."""
    return bool(note.alliance.client_feedback or note.alliance.plan)


def _srs_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    srs = note.alliance.measures.srs
    if srs is None:
        return
    where = "alliance.measures.srs"
    below = srs.total < SRS_DISCUSSION_CUTOFF
    cutoff = format_score(SRS_DISCUSSION_CUTOFF)
    if below and note.alliance.trust.state is TrustState.STRENGTHENING:
        yield CheckFinding(
            check=SRS_CONTRADICTS_TRUST,
            severity=Severity.WARNING,
            location="alliance.trust.state",
            message=f"trust is recorded as strengthening, but the client's SRS total "
            f"({format_score(srs.total)}) is below {cutoff}; the client's rating and the narrative disagree",
            suggestion="say how the client's rating fits, or revise the trust state",
        )
    if _taken_up(note):
        return
    if below:
        yield CheckFinding(
            check=SRS_BELOW_CUTOFF,
            severity=Severity.WARNING,
            location=f"{where}.total",
            message=f"the SRS total ({format_score(srs.total)}) is below {cutoff}, the cue to discuss the "
            "alliance, and the note records no check-in answer or alliance follow-up",
            suggestion="record the client's answer when asked about it, or a follow-up in alliance.plan",
        )
        return
    for name in _SRS_ITEMS:
        score = getattr(srs, name)
        if score < SRS_ITEM_CUE:
            yield CheckFinding(
                check=SRS_ITEM_LOW,
                severity=Severity.INFO,
                location=f"{where}.{name}",
                message=f"this SRS item ({format_score(score)}) is below {format_score(SRS_ITEM_CUE)}, a cue "
                "to ask about it even though the total is not low, and the note records no check-in "
                "answer or alliance follow-up",
                suggestion="ask what would have made this line higher, and record the answer",
            )


def _wai_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    wai = note.alliance.measures.wai_sr
    if wai is None:
        return
    scores = {name: getattr(wai, name) for name in WAI_SR_SUBSCALES}
    for name, score in scores.items():
        others = [value for other, value in scores.items() if other != name]
        mean = sum(others) / len(others)
        if mean - score >= WAI_SUBSCALE_GAP:
            yield CheckFinding(
                check=WAI_SUBSCALE_LOW,
                severity=Severity.INFO,
                location=f"alliance.measures.wai_sr.{name}",
                message=f"the WAI-SR {name} subscale ({score} of 20) is well below the other two "
                f"(mean {format_score(round(mean, 1))}); the alliance may be weaker on {name} than overall",
                suggestion=f"ask about agreement on {name}" if name != "bond" else "ask about the bond",
            )


def _ors_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    ors = note.alliance.measures.ors
    if ors is None:
        return
    band = note.session.client_age_band
    if band is None:
        yield CheckFinding(
            check=ORS_AGE_BAND_MISSING,
            severity=Severity.INFO,
            location="session.client_age_band",
            message="an ORS is recorded but the client's age band is not, so its total can only be "
            f"compared with the adult cutoff ({format_score(ORS_CLINICAL_CUTOFFS[AgeBand.ADULT])}); "
            "adolescents and children have higher cutoffs",
            suggestion="record session.client_age_band (adult, adolescent or child)",
        )
        return
    cutoff = ors_clinical_cutoff(band)
    adult = ORS_CLINICAL_CUTOFFS[AgeBand.ADULT]
    if adult <= ors.total < cutoff:
        yield CheckFinding(
            check=ORS_BELOW_AGE_CUTOFF,
            severity=Severity.WARNING,
            location="alliance.measures.ors.total",
            message=f"the ORS total ({format_score(ors.total)}) is below the {band.value} clinical cutoff "
            f"({format_score(cutoff)}), though not below the adult one ({format_score(adult)}): by the "
            f"client's own norms it is in the clinical range",
            suggestion=f"compare with the {band.value} cutoff of {format_score(cutoff)}",
        )


def measures_findings(note: ProgressNote) -> list[CheckFinding]:
    """The measure findings of a note."""
    return [*_srs_findings(note), *_wai_findings(note), *_ors_findings(note)]


@hookimpl
def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
    """Warning signs in the client's ratings, and ratings the narrative contradicts."""
    return measures_findings(note)
