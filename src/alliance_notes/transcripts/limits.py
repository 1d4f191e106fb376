"""How large a transcript may be: a backstop, set far above any real session.

Reading is linear in the size of the transcript (no step joins or rescans what came
before), so these limits are not what keeps the tool fast; they keep a wrong file (a
database dump, a recording's raw bytes, a transcript of a year of sessions) from using
gigabytes of memory before anyone notices.  Each ends in a :class:`TranscriptError`
(exit status 2 on the command line) that says which limit was reached, never what the
transcript says.

* :data:`MAX_TRANSCRIPT_BYTES`: 256 MiB of text, room for a million utterances in any of
  the formats.  A one-hour session is about 60 KB.
* :data:`MAX_UTTERANCES`: 1,000,000 turns of speech.  A one-hour session has about 1,000.
* :data:`MAX_UTTERANCE_CHARACTERS`: 1,000,000 characters in one turn (about 170,000 words,
  a day of one person talking), after its lines or cues are joined.  A long monologue is
  under 20,000; a turn this long means the speaker labels were lost.
"""

from __future__ import annotations

from alliance_notes.transcripts.problems import TranscriptProblem

#: The most bytes a transcript may have (of UTF-8, or of UTF-16 as a file gives it).
MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024
#: The most turns of speech a transcript may have.
MAX_UTTERANCES = 1_000_000
#: The most characters one turn may have, after its lines or cues are joined.
MAX_UTTERANCE_CHARACTERS = 1_000_000


def _size(count: int) -> str:
    """``count`` bytes in MiB when a whole number of them, else in bytes."""
    mebibyte = 1024 * 1024
    return f"{count // mebibyte} MiB" if count % mebibyte == 0 else f"{count:,} bytes"


def too_large(limit: int = MAX_TRANSCRIPT_BYTES) -> TranscriptProblem:
    """The problem of a transcript over ``limit`` bytes (:data:`MAX_TRANSCRIPT_BYTES`)."""
    return TranscriptProblem(
        "",
        f"is larger than {_size(limit)}, the most a transcript may be; give one session at a time",
        "too_large",
    )


def too_many_utterances(where: str = "", limit: int = MAX_UTTERANCES) -> TranscriptProblem:
    """The problem of a transcript with more than ``limit`` turns (:data:`MAX_UTTERANCES`);
    ``where`` is the line or item of the first turn over the limit."""
    return TranscriptProblem(
        where,
        f"the transcript has more than {limit:,} utterances, the most it may have; "
        "give one session at a time",
        "too_many_utterances",
    )


def too_long(where: str, limit: int = MAX_UTTERANCE_CHARACTERS) -> TranscriptProblem:
    """The problem of a turn over ``limit`` characters (:data:`MAX_UTTERANCE_CHARACTERS`),
    at ``where``."""
    return TranscriptProblem(
        where,
        f"this utterance has more than {limit:,} characters, the most one may have; "
        "check that the transcript marks where each speaker's turn starts",
        "utterance_too_long",
    )


def utf8_size_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` takes more than ``limit`` bytes as UTF-8, encoding it only when its
    length alone cannot tell (a character takes one to four bytes)."""
    if len(text) > limit:
        return True
    if len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit
