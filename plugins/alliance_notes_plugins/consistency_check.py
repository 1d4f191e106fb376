"""Alliance consistency: what a supervisor reading the alliance section would query.

Each check compares two parts of the note that should agree; none judges the clinician's
work, and each message names the fields involved, never their text.

* ``rupture-unaddressed``: a rupture with no repair and no follow-up in the alliance plan.
* ``rupture-open-no-follow-up``: a rupture whose repairs all left it open (unresolved or
  not yet addressed) and no follow-up in the alliance plan.
* ``repair-resolved-without-strategy``: a repair marked resolved that names no 3RS strategy.
* ``trust-strengthening-despite-rupture``: trust recorded as strengthening in a session with a
  significant rupture (3RS significance 3 or more) that was not resolved, and nothing
  recorded under what strained trust.
* ``declined-topic-in-plan``: a topic the client declined this session comes back in a plan
  (the alliance follow-ups or the host note's plan) without saying it waits for the
  client's consent.

(Confrontation markers on a withdrawal rupture, and a note marked reviewed while it holds
unconfirmed suggestions, are already invalid notes: validation reports them.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from alliance_notes.plugin_api import (
    CheckFinding,
    ConsentResponse,
    ProgressNote,
    RepairOutcome,
    Severity,
    TrustState,
    hookimpl,
)

UNADDRESSED = "rupture-unaddressed"
OPEN_NO_FOLLOW_UP = "rupture-open-no-follow-up"
RESOLVED_WITHOUT_STRATEGY = "repair-resolved-without-strategy"
STRENGTHENING_DESPITE_RUPTURE = "trust-strengthening-despite-rupture"
DECLINED_IN_PLAN = "declined-topic-in-plan"

#: Every finding code this check reports, with its severity (docs/checks.md lists them).
FINDING_CODES: dict[str, Severity] = {
    UNADDRESSED: Severity.WARNING,
    OPEN_NO_FOLLOW_UP: Severity.WARNING,
    RESOLVED_WITHOUT_STRATEGY: Severity.WARNING,
    STRENGTHENING_DESPITE_RUPTURE: Severity.WARNING,
    DECLINED_IN_PLAN: Severity.WARNING,
}

#: 3RS significance from which a rupture is significant (1 slight … 5 major).
SIGNIFICANT = 3
_OPEN = (RepairOutcome.UNRESOLVED, RepairOutcome.NOT_YET_ADDRESSED)

# Words that carry no topic: a declined topic and a plan share a topic when they share
# enough of the other words (compared by their first five letters, so "drinking" meets "drink").
_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """a an the and or but of to in on at for with about from by as is are was were be been this that
        these those it its her his their them they she he him client client's clients session sessions
        today next time week weeks not yet now later again any some more less only if when what how
        who whom which there here do does did done have has had will would could should may might can
        into over under before after during until while per each every our your my me we you i""",
    )
) | frozenset(
    # Who takes part and how a session works: shared by any two plans, no topic of their own.
    re.findall(
        r"\S+",
        """partner partner's partners a's b's mother father parent parents stepfather stepmother
        family's clinician therapist discuss discussing discussion talk talking explore exploring
        exploration review reviewing start starting begin beginning end ending continue continuing ask
        asking plan planning work working look looking share sharing present presence use using
        individual joint minutes front close check checking""",
    )
)
#: Plan wording that keeps the client's choice: the topic waits for their consent.
CONSENT_WORDING = re.compile(
    r"\b(?:consent|permission|agree[sd]?|agreement|chooses?|choice|when (?:she|he|they|the client)"
    r"(?:'s| is| are)? ready|(?:is|are) ready|raises? it|raised by the client|if the client|"
    r"only if|at the client's (?:request|pace)|may decline|can decline|ask(?:s|ing)? (?:first|before)|"
    r"offer|invite|if (?:she|he|they) wish(?:es)?|wants? to)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?;]+[.!?;]?")


def _stem(word: str) -> str:
    return word[:5]


def topic_words(text: str) -> set[str]:
    """The words of a text that say what it is about, stemmed."""
    return {
        _stem(word)
        for word in re.findall(r"[a-z][a-z'’-]+", text.lower())
        if word not in _STOPWORDS and len(word) > 2
    }


def _shares_topic(topic: set[str], text: str) -> bool:
    """True when ``text`` takes up the topic: at least two of its words, or all of a short one."""
    shared = topic & topic_words(text)
    return len(shared) >= min(2, len(topic)) and bool(shared)


def _rupture_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    alliance = note.alliance
    followed_up = {follow_up.rupture for follow_up in alliance.plan if follow_up.rupture is not None}
    for index, rupture in enumerate(alliance.ruptures):
        repairs = alliance.repairs_of(rupture.id)
        where = f"alliance.ruptures[{index}]"
        if not repairs and rupture.id not in followed_up:
            yield CheckFinding(
                check=UNADDRESSED,
                severity=Severity.WARNING,
                location=where,
                message=f"rupture {rupture.id} has no repair and no follow-up in the alliance plan; "
                "record how it was addressed, or a follow-up that names it",
                suggestion=f"a follow-up in alliance.plan with rupture '{rupture.id}'",
            )
        elif repairs and rupture.id not in followed_up and all(repair.outcome in _OPEN for repair in repairs):
            yield CheckFinding(
                check=OPEN_NO_FOLLOW_UP,
                severity=Severity.WARNING,
                location=where,
                message=f"rupture {rupture.id} was left unresolved and the alliance plan has no "
                "follow-up that names it",
                suggestion=f"a follow-up in alliance.plan with rupture '{rupture.id}'",
            )
    for index, repair in enumerate(alliance.repairs):
        if repair.outcome is RepairOutcome.RESOLVED and not repair.strategies:
            yield CheckFinding(
                check=RESOLVED_WITHOUT_STRATEGY,
                severity=Severity.WARNING,
                location=f"alliance.repairs[{index}].strategies",
                message="the repair is marked resolved but names no 3RS resolution strategy; "
                "record what resolved it",
            )


def _trust_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    alliance = note.alliance
    if alliance.trust.state is not TrustState.STRENGTHENING or alliance.trust.strained_by:
        return
    for index, rupture in enumerate(alliance.ruptures):
        repairs = alliance.repairs_of(rupture.id)
        resolved = any(repair.outcome is RepairOutcome.RESOLVED for repair in repairs)
        if rupture.significance >= SIGNIFICANT and not resolved:
            yield CheckFinding(
                check=STRENGTHENING_DESPITE_RUPTURE,
                severity=Severity.WARNING,
                location="alliance.trust.state",
                message=f"trust is recorded as strengthening although rupture {rupture.id} "
                f"(significance {rupture.significance}, alliance.ruptures[{index}]) was not resolved, "
                "and nothing is recorded under what strained trust; say how the two fit",
                suggestion="an entry in alliance.trust.strained_by, or a state that fits the session",
            )


def _declined_topics(note: ProgressNote) -> Iterator[tuple[str, str]]:
    consent = note.alliance.autonomy_and_consent
    for index, declined in enumerate(consent.declined):
        yield f"alliance.autonomy_and_consent.declined[{index}].topic", declined.topic
    for index, check in enumerate(consent.consent_checks):
        if check.response is ConsentResponse.DECLINED:
            yield f"alliance.autonomy_and_consent.consent_checks[{index}].topic", check.topic


def _plan_texts(note: ProgressNote) -> Iterator[tuple[str, str, int]]:
    """Each plan sentence: ``(location, sentence, its offset in the field)``."""
    for index, follow_up in enumerate(note.alliance.plan):
        yield f"alliance.plan[{index}].text", follow_up.text, 0
    host_plan = note.section_text("plan") if "plan" in type(note).model_fields else None
    if host_plan is not None:
        for sentence in _SENTENCE.finditer(host_plan):
            yield "plan", sentence.group(), sentence.start()


def _declined_findings(note: ProgressNote) -> Iterator[CheckFinding]:
    for topic_location, topic in _declined_topics(note):
        words = topic_words(topic)
        if not words:
            continue
        for location, text, offset in _plan_texts(note):
            if _shares_topic(words, text) and not CONSENT_WORDING.search(text):
                yield CheckFinding(
                    check=DECLINED_IN_PLAN,
                    severity=Severity.WARNING,
                    location=location,
                    span=(offset, offset + len(text.rstrip())),
                    message=f"the plan takes up a topic the client declined this session "
                    f"({topic_location}) without saying it waits for the client's consent",
                    suggestion="add that the topic is raised only with the client's agreement",
                )


def consistency_findings(note: ProgressNote) -> list[CheckFinding]:
    """The alliance-consistency findings of a note."""
    return [*_rupture_findings(note), *_trust_findings(note), *_declined_findings(note)]


@hookimpl
def alliance_check_note(note: ProgressNote) -> list[CheckFinding]:
    """What a supervisor would query in the alliance section."""
    return consistency_findings(note)
