"""The offline extractor: its rules are data, and what it suggests on the example session."""

from __future__ import annotations

import json
import re

import pytest

from alliance_notes import Alliance, create_host
from alliance_notes.examples import examples_dir
from alliance_notes.grounding import check_quotes
from alliance_notes.suggestions import suggestion_problems
from alliance_notes.transcript import Transcript, Utterance
from alliance_notes.transcripts import load_transcript
from alliance_notes.vocabulary import Speaker
from alliance_notes_plugins.extractor import (
    LEXICON_PATH,
    RuleExtractor,
    alliance_suggest_alliance,
    detected_findings,
    load_lexicon,
)


@pytest.fixture(scope="module")
def session() -> Transcript:
    return load_transcript(examples_dir() / "soap_transcript.txt")


@pytest.fixture(scope="module")
def suggested(session: Transcript) -> Alliance:
    alliance = alliance_suggest_alliance(session, None)
    assert alliance is not None
    return alliance


def test_every_rule_is_data_with_an_id_a_comment_and_patterns() -> None:
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    ids = [rule["id"] for rule in data["rules"]]
    assert len(ids) == len(set(ids))
    for rule in data["rules"]:
        assert len(rule["comment"]) > 20, rule["id"]
        assert rule["speaker"] in ("clinician", "client")
        assert 0 < rule["confidence"] <= 1
        assert rule.get("patterns") or rule.get("utterance_patterns"), rule["id"]
        if rule["finding"] in ("withdrawal", "confrontation"):
            assert rule["marker"] and rule["strength"] in ("weak", "strong")
        if rule["finding"] == "resolution":
            assert rule["strategy"]
    assert len(load_lexicon().rules) == len(ids)


def test_a_lexicon_with_an_upper_case_pattern_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    data["rules"][0]["patterns"] = ["\\bTake your time\\b"]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="lower case"):
        load_lexicon(path)


def test_the_example_session_gives_the_findings_a_clinician_would_expect(session: Transcript) -> None:
    found = set(detected_findings(session))
    expected = {
        (11, "remembers"),
        (20, "validation"),
        (28, "consent_check"),
        (42, "withdrawal"),
        (44, "withdrawal"),
        (46, "withdrawal"),
        (47, "resolution"),
        (49, "resolution"),
        (51, "pace"),
        (53, "consent_check"),
        (59, "choice_offered"),
        (90, "feedback_request"),
        (92, "feedback_request"),
        (98, "boundary"),
    }
    assert expected <= found


def test_the_rupture_and_its_repair(suggested: Alliance) -> None:
    [rupture] = suggested.ruptures
    assert rupture.type.value == "withdrawal"
    assert [marker.value for marker in rupture.withdrawal_markers] == [
        "minimal_response",
        "avoidant_storytelling_or_shifting_topic",
        "deferential_and_appeasing",
    ]
    assert [e.utterance_index for e in rupture.evidence] == [41, 42, 44, 46]
    assert suggested.rupture_screening.value == "observed"
    [repair] = suggested.repairs
    assert repair.rupture == rupture.id
    assert "acknowledges_own_contribution" in [s.value for s in repair.strategies]


def test_consent_checks_carry_the_clients_answer(suggested: Alliance) -> None:
    checks = {
        check.evidence[0].utterance_index: check for check in suggested.autonomy_and_consent.consent_checks
    }
    assert checks[28].response.value == "agreed"
    assert checks[53].response.value == "deferred"
    assert checks[28].topic == "what your nights have been like"
    assert [e.speaker.value for e in checks[53].evidence] == ["clinician", "client"]


def test_every_suggestion_is_quoted_timed_attributed_and_unconfirmed(
    suggested: Alliance, session: Transcript
) -> None:
    assert suggestion_problems(suggested) == []
    assert check_quotes(suggested, session) == []
    items = [
        *suggested.trust.built_by,
        *suggested.autonomy_and_consent.consent_checks,
        *suggested.autonomy_and_consent.choices_offered,
        *suggested.boundaries.events,
        *suggested.client_feedback,
        *suggested.ruptures,
        *suggested.repairs,
    ]
    assert items
    for item in items:
        assert item.provenance.author.value == "extractor"
        assert item.provenance.suggested_by == "alliance-rules 0.3"
        assert item.provenance.confirmed is False
        assert item.provenance.rule
        assert item.provenance.confidence is not None and 0 < item.provenance.confidence <= 1
        assert item.belongs is not None and item.belongs.value == "progress_note"  # summary-level
        for evidence in item.evidence:
            assert evidence.utterance_index is not None
            assert evidence.quote in session.utterances[evidence.utterance_index].text
            assert evidence.timestamp == session.utterances[evidence.utterance_index].timestamp


def test_nothing_detected_means_nothing_suggested_never_an_absence() -> None:
    small_talk = Transcript(
        utterances=[
            Utterance(speaker="T", role=Speaker.CLINICIAN, text="Did you find parking?"),
            Utterance(speaker="C", role=Speaker.CLIENT, text="Yes, right outside."),
        ]
    )
    assert alliance_suggest_alliance(small_talk, None) is None


def test_the_parts_it_did_not_detect_stay_not_assessed(suggested: Alliance) -> None:
    assert suggested.respect.status.value == "not_assessed"
    assert suggested.measures.srs is None
    assert suggested.boundaries.ended_on_time is None


def test_a_clinics_own_lexicon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = {
        "name": "clinic-rules",
        "version": "1",
        "rules": [
            {
                "id": "clinic.checks_in",
                "finding": "feedback_request",
                "speaker": "clinician",
                "comment": "Our clinic's standard check-in question.",
                "confidence": 0.9,
                "patterns": [r"\bhow are we doing\b"],
                "text": "Clinic check-in.",
            }
        ],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    transcript = Transcript(
        utterances=[
            Utterance(speaker="T", role=Speaker.CLINICIAN, text="How are we doing, you and me?"),
            Utterance(speaker="C", role=Speaker.CLIENT, text="Better than last month."),
        ]
    )
    alliance = RuleExtractor(load_lexicon(path)).suggest(transcript)
    assert alliance is not None
    [answer] = alliance.client_feedback
    assert answer.provenance.suggested_by == "clinic-rules 1"
    assert answer.answer == "Better than last month."


def test_the_extractor_is_an_installed_plugin(session: Transcript) -> None:
    host = create_host()
    assert "extractor" in [status.name for status in host.plugins if status.loaded]
    assert re.search(
        "alliance_suggest_alliance", " ".join(next(s for s in host.plugins if s.name == "extractor").hooks)
    )
    assert host.suggest(session).ruptures


# -- the false positives seen on corpora the rules were not tuned on (issue 13) ------------------


def _rules_on(*turns: tuple[str, str]) -> list[str]:
    from alliance_notes.transcript import Transcript, Utterance
    from alliance_notes_plugins.extractor import default_extractor

    transcript = Transcript(
        utterances=[
            Utterance(speaker=role, role=role, text=text, start=float(index))
            for index, (role, text) in enumerate(turns)
        ]
    )
    return [detection.rule.id for detection in default_extractor().detect(transcript)]


@pytest.mark.parametrize(
    ("turns", "not_found"),
    [
        (
            [
                ("clinician", "How was work this week?"),
                ("client", "Long. I lift two boxes and I'm done for the day."),
            ],
            "rupture.confrontation.demands_of_therapist",
        ),
        (
            [("clinician", "How are you doing?"), ("client", "I'm done with chemo, finally!")],
            "rupture.confrontation.demands_of_therapist",
        ),
        (
            [
                ("client", "I feel so stuck."),
                ("clinician", "Your feelings are valid, but I would advise you to call her."),
            ],
            "trust.validates",
        ),
        (
            [
                ("client", "I can't sleep."),
                ("clinician", "That's understandable but maybe you could try a routine."),
            ],
            "trust.validates",
        ),
        (
            [("client", "I might smoke again."), ("clinician", "Well, you can choose to never start again.")],
            "autonomy.offers_choice",
        ),
        (
            [
                ("client", "I'm exhausted all the time."),
                ("clinician", "That sounds exhausting. You should see a doctor."),
            ],
            "trust.validates",
        ),
        (
            [("other_participant", "Sorry, I need to find my glasses."), ("clinician", "Take your time.")],
            "autonomy.client_sets_pace",
        ),
        (
            [
                ("client", "I have surgery soon."),
                ("clinician", "Have you discussed surgery with anyone before?"),
            ],
            "trust.recalls_earlier_content",
        ),
        (
            [
                ("client", "My brother keeps offering me pills at the weekend."),
                (
                    "clinician",
                    "Given what you said earlier about your brother, how do you want to handle it?",
                ),
            ],
            "trust.recalls_earlier_content",
        ),
        (
            [
                ("clinician", "If you don't mind me asking, which friends were those?"),
                ("client", "Yes, the ones from work."),
            ],
            "consent.asks_permission",
        ),
        (
            [
                ("client", "What should I do?"),
                ("clinician", "It's up to you. You should do whatever is best."),
            ],
            "autonomy.offers_choice",
        ),
        (
            [
                ("client", "I don't know how to tell my daughters."),
                ("clinician", "Take your own time and tell them about it casually."),
            ],
            "autonomy.client_sets_pace",
        ),
    ],
    ids=[
        "done-for-the-day",
        "done-with-chemo",
        "valid-but-advice",
        "understandable-but",
        "choose-to-never",
        "validation-then-advice",
        "take-your-time-to-a-relative",
        "discussed-with-anyone",
        "earlier-in-the-same-session",
        "hedge-run-into-the-question",
        "empty-hand-off",
        "take-your-time-as-advice",
    ],
)
def test_words_that_only_look_like_a_finding_are_not_one(
    turns: list[tuple[str, str]], not_found: str
) -> None:
    assert not_found not in _rules_on(*turns)


@pytest.mark.parametrize(
    ("turns", "found"),
    [
        (
            [("clinician", "Let's try the worksheet."), ("client", "I'm done.")],
            "rupture.confrontation.demands_of_therapist",
        ),
        (
            [("clinician", "Let's try the worksheet."), ("client", "Honestly, I'm done with this.")],
            "rupture.confrontation.demands_of_therapist",
        ),
        (
            [("client", "I can't sleep."), ("clinician", "That's completely understandable.")],
            "trust.validates",
        ),
        (
            [("client", "I don't know."), ("clinician", "You can choose which one we start with.")],
            "autonomy.offers_choice",
        ),
        ([("client", "Sorry, this is hard."), ("clinician", "Take your time.")], "autonomy.client_sets_pace"),
        (
            [("client", "Hi."), ("clinician", "Last week you mentioned your sister's wedding.")],
            "trust.recalls_earlier_content",
        ),
    ],
    ids=[
        "done",
        "done-with-this",
        "understandable",
        "choose-which",
        "take-your-time",
        "last-week-you-mentioned",
    ],
)
def test_the_same_rules_still_find_the_real_thing(turns: list[tuple[str, str]], found: str) -> None:
    assert found in _rules_on(*turns)


def test_a_boundary_the_client_raised_first_is_the_clients() -> None:
    """In the example session the client asks to run over and the clinician holds the end:
    the client raised it."""
    from alliance_notes import load_transcript
    from alliance_notes.examples import examples_dir
    from alliance_notes_plugins.extractor import default_extractor

    alliance = default_extractor().suggest(load_transcript(examples_dir() / "soap_transcript.txt"))
    assert alliance is not None
    (event,) = alliance.boundaries.events
    assert event.initiated_by.value == "client"
    assert [quote.speaker.value for quote in event.evidence] == ["client", "clinician"]
    held = [("client", "Thanks, see you then."), ("clinician", "We need to stop here for today.")]
    assert "boundary.ends_on_time" in _rules_on(*held)


def _repair_outcome(*turns: tuple[str, str]) -> str | None:
    from alliance_notes.transcript import Transcript, Utterance
    from alliance_notes_plugins.extractor import default_extractor

    transcript = Transcript(
        utterances=[
            Utterance(speaker=role, role=role, text=text, start=float(index))
            for index, (role, text) in enumerate(turns)
        ]
    )
    alliance = default_extractor().suggest(transcript)
    assert alliance is not None and len(alliance.repairs) == 1
    outcome = alliance.repairs[0].outcome
    return None if outcome is None else outcome.value


_RUPTURE = [
    ("clinician", "Can you tell me what you remember right before the fall?"),
    ("client", "I don't know."),
    ("clinician", "Take a moment."),
    ("client", "It's fine, whatever you think."),
    (
        "clinician",
        "I notice I jumped straight into the details without asking you first, "
        "and I think that was too fast.",
    ),
]


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ("Thanks for asking. It felt like you had already decided what we'd do.", "resolved"),
        ("Okay.", "partly_resolved"),
        ("No. You still don't get it.", "unresolved"),
        ("Hmm.", None),
    ],
    ids=["thanks-and-re-engages", "agrees-only", "renewed-disagreement", "unclear"],
)
def test_a_repairs_outcome_comes_from_the_clients_response_or_is_left_unassessed(
    response: str, outcome: str | None
) -> None:
    assert _repair_outcome(*_RUPTURE, ("client", response)) == outcome


def test_a_repair_with_no_response_leaves_its_outcome_unassessed() -> None:
    assert _repair_outcome(*_RUPTURE) is None


def test_each_finding_says_what_was_seen_not_a_stock_sentence() -> None:
    """Four validations in the example session read as four different findings."""
    from alliance_notes import load_transcript
    from alliance_notes.examples import examples_dir
    from alliance_notes_plugins.extractor import default_extractor

    alliance = default_extractor().suggest(load_transcript(examples_dir() / "soap_transcript.txt"))
    assert alliance is not None
    texts = [finding.text for finding in alliance.trust.built_by]
    assert len(texts) >= 4 and len(set(texts)) == len(texts)
    for finding in alliance.trust.built_by:
        said = " ".join(finding.evidence[0].quote.split())
        assert said[:40] in finding.text  # the words that showed it


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("I think so.", "agreed"),
        ("I suppose so.", "agreed"),
        ("Let's do it.", "agreed"),
        ("Sure, go ahead.", "agreed"),
        ("Mm, not today.", "declined"),
        ("I'd prefer not to.", "declined"),
        ("I'm not ready.", "declined"),
        ("Maybe later.", "deferred"),
    ],
)
def test_common_short_answers_to_a_consent_question_keep_the_consent_check(reply: str, answer: str) -> None:
    from alliance_notes.transcript import Transcript, Utterance
    from alliance_notes_plugins.extractor import default_extractor

    turns = [("clinician", "Would it be okay if we talked about your father today?"), ("client", reply)]
    transcript = Transcript(
        utterances=[
            Utterance(speaker=role, role=role, text=text, start=float(index))
            for index, (role, text) in enumerate(turns)
        ]
    )
    alliance = default_extractor().suggest(transcript)
    assert alliance is not None
    (check,) = alliance.autonomy_and_consent.consent_checks
    assert check.response.value == answer


def test_a_laugh_over_painful_content_and_generalities_are_withdrawal_markers() -> None:
    from alliance_notes.transcript import Transcript, Utterance
    from alliance_notes_plugins.extractor import default_extractor

    def ruptures(*turns: tuple[str, str]) -> list[list[str]]:
        transcript = Transcript(
            utterances=[
                Utterance(speaker=role, role=role, text=text, start=float(index))
                for index, (role, text) in enumerate(turns)
            ]
        )
        alliance = default_extractor().suggest(transcript)
        return (
            [] if alliance is None else [[m.value for m in r.withdrawal_markers] for r in alliance.ruptures]
        )

    both = ruptures(
        ("clinician", "What was the hardest part of the week?"),
        ("client", "[laughs] Oh, you know, my brother was in the hospital again."),
        ("clinician", "How was that for you?"),
        ("client", "It is what it is."),
    )
    assert both == [["content_affect_split", "abstract_communication"]]
    alone = ruptures(
        ("clinician", "How did the visit go?"), ("client", "Well, that's life. We still had lunch.")
    )
    assert alone == []  # one weak marker is not a rupture


def _suggest(*turns: tuple[str, str]) -> Alliance | None:
    from alliance_notes_plugins.extractor import default_extractor

    transcript = Transcript(
        utterances=[
            Utterance(speaker=role, role=role, text=text, start=float(index))
            for index, (role, text) in enumerate(turns)
        ]
    )
    return default_extractor().suggest(transcript)


def test_a_strategy_whose_words_carry_a_repair_is_suggested_with_no_rupture_recorded() -> None:
    """No rupture marker came before it, so no rupture is invented: the repair stands alone,
    and the note says so."""
    alliance = _suggest(
        ("clinician", "Let's go through the week."),
        ("client", "Sure."),
        ("clinician", "Actually, I think I moved on too fast there, before you had finished."),
        ("client", "Thank you, yes. I wanted to say more about my sister and what happened."),
    )
    assert alliance is not None
    assert alliance.ruptures == []
    (repair,) = alliance.repairs
    assert repair.rupture is None
    assert [s.value for s in repair.strategies] == ["acknowledges_own_contribution"]
    assert repair.outcome is not None and repair.outcome.value == "resolved"
    assert "no rupture detected" in (repair.description or "")
    assert repair.provenance is not None and repair.provenance.confirmed is False


def test_a_strategy_that_needs_a_rupture_is_not_suggested_alone() -> None:
    """Refocusing or giving a rationale is ordinary work unless a rupture came before it."""
    turn = ("clinician", "We can come back to your mother later. Let's focus on the plan for this week.")
    assert _rules_on(turn) == ["repair.changes_tasks_or_goals"]
    alliance = _suggest(("client", "Okay."), turn, ("client", "Fine, the plan."))
    assert alliance is None or alliance.repairs == []


def _rules_with_speakers(*turns: tuple[str, str, str]) -> list[str]:
    from alliance_notes_plugins.extractor import default_extractor

    transcript = Transcript(
        utterances=[
            Utterance(speaker=speaker, role=role, text=text, start=float(index))
            for index, (speaker, role, text) in enumerate(turns)
        ]
    )
    return [detection.rule.id for detection in default_extractor().detect(transcript)]


@pytest.mark.parametrize(
    "turns",
    [
        [
            ("Therapist", "clinician", "Mum, take your time, there's no rush at all."),
            ("Client", "client", "She always does this."),
        ],
        [
            ("Maria", "other_participant", "I just think he needs to try harder at school."),
            ("Therapist", "clinician", "Maria, that makes sense given how worried you have been about him."),
        ],
        [
            ("Mother", "other_participant", "You never tell me anything about what goes on in here."),
            ("Client", "client", "Because you don't listen! This is pointless, you're not helping me."),
        ],
    ],
    ids=["vocative-relative", "vocative-name-of-participant", "client-answers-parent"],
)
def test_words_said_to_someone_else_in_the_room_are_not_about_the_therapy(
    turns: list[tuple[str, str, str]],
) -> None:
    assert _rules_with_speakers(*turns) == []


def test_the_same_words_said_to_the_client_still_count() -> None:
    """The addressing checks take out only what was said to someone else."""
    assert (
        _rules_with_speakers(
            ("Client", "client", "I don't know how to start."),
            ("Therapist", "clinician", "Take your time, there's no rush at all."),
        )
        != []
    )
    assert (
        _rules_with_speakers(
            ("Therapist", "clinician", "How was this week?"),
            ("Client", "client", "This is pointless, you're not helping me."),
        )
        != []
    )
