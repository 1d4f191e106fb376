"""The client summary: what a clinician can hand to the client after a session.

Written to the client ("you"), in short plain sentences, from the structured answers rather
than the clinician's own wording (which is written for colleagues): what the client chose,
what they said helps, and what happens next.  It holds no psychotherapy-note item (the note
is cut down to the record first), no suggestion a clinician has not confirmed, no 3RS term
and no score.
"""

from __future__ import annotations

from collections.abc import Iterator

from alliance_notes.alliance import Alliance, ConsentCheck, DeclinedTopic, FeedbackAnswer
from alliance_notes.document import Block, Item, NoteDocument, Section
from alliance_notes.evidence import Observation
from alliance_notes.note import ProgressNote
from alliance_notes.vocabulary import Audience, ConsentResponse, Speaker

#: How the client's answer reads, when asked before a topic.
_ANSWERS = {
    ConsentResponse.AGREED: "You said yes.",
    ConsentResponse.DEFERRED: "You chose to wait.",
    ConsentResponse.DECLINED: "You said no.",
}


def _handed_over(item: Observation) -> bool:
    """Only what a clinician wrote or confirmed reaches the client."""
    return not item.provenance.is_unconfirmed_suggestion


def _topic(topic: str) -> str:
    """A topic as it reads inside a sentence: "Sleep and nightmares" → "sleep and nightmares"."""
    topic = topic.strip()
    first = topic.split(maxsplit=1)[0] if topic else ""
    if first[:1].isupper() and (len(first) == 1 or first[1:].islower()) and first != "I":
        topic = topic[0].lower() + topic[1:]
    return topic.rstrip(" .")


def _choices(alliance: Alliance) -> Iterator[str]:
    autonomy = alliance.autonomy_and_consent
    checks: list[ConsentCheck] = [check for check in autonomy.consent_checks if _handed_over(check)]
    for check in checks:
        yield f"We checked with you before talking about {_topic(check.topic)}. {_ANSWERS[check.response]}"
    declined: list[DeclinedTopic] = [topic for topic in autonomy.declined if _handed_over(topic)]
    for topic in declined:
        if topic.honoured:
            yield f"You chose not to talk about {_topic(topic.topic)}. We respected that."
    if any(_handed_over(choice) for choice in autonomy.choices_offered):
        yield "You had a say in what we worked on."


def _what_helps(alliance: Alliance) -> Iterator[str]:
    answers: list[FeedbackAnswer] = [answer for answer in alliance.client_feedback if _handed_over(answer)]
    for answer in answers:
        own_words = [quote.quote for quote in answer.evidence if quote.speaker is Speaker.CLIENT]
        yield f"“{own_words[0]}”" if own_words else answer.answer


def _next(alliance: Alliance) -> Iterator[str]:
    autonomy = alliance.autonomy_and_consent
    for check in autonomy.consent_checks:
        if _handed_over(check) and check.response is ConsentResponse.DEFERRED:
            topic = _topic(check.topic)
            yield f"We will come back to {topic} only when you are ready. We will ask you first."
    if any(_handed_over(answer) for answer in alliance.client_feedback):
        yield "Please tell us any time something could work better for you."


def _block(key: str, title: str, sentences: Iterator[str]) -> Block | None:
    items = tuple(Item(None, sentence) for sentence in dict.fromkeys(sentences))
    return Block(key, title, items) if items else None


def client_document(note: ProgressNote) -> NoteDocument:
    """The client summary of a note already cut down to the record (see the module docs)."""
    alliance = note.alliance
    blocks = [
        _block("your-choices", "Your choices", _choices(alliance)),
        _block("what-helps", "What you told us helps", _what_helps(alliance)),
        _block("next-steps", "What happens next", _next(alliance)),
    ]
    date = f"{note.session.date.day} {note.session.date:%B %Y}"
    return NoteDocument(
        kind=note.kind,
        title=f"Your session on {date}",
        facts=(),
        sections=(Section("your-session", "Your session", None, tuple(b for b in blocks if b)),),
        placement="section",
        audience=Audience.CLIENT,
    )
