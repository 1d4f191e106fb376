"""Building the FHIR document Bundle of a note, for R4B or R5, as plain JSON data.

What goes where (domain reference §6):

* ``Bundle`` of type ``document``; its ``identifier`` and every ``fullUrl`` are
  ``urn:uuid:`` values derived from the note itself (and the FHIR version), so the same
  note always gives the same entries.  A note records a session date but no time:
  ``timestamp`` and the Provenance ``recorded`` instants (FHIR requires instants there)
  are the instant the Bundle is assembled, given by the caller
  (:mod:`alliance_notes_plugins.fhir`: now, or option ``timestamp``); every ``dateTime``
  holds the session date alone, never an invented time of day.
* ``Composition`` first: LOINC 34904-3 *Mental health Progress note* (the note kind's
  title in ``type.text``), an identifier of its own (system ``.../sid/document``: the
  document, the same in R4B and R5, unlike the Bundle's), ``status`` ``final`` only when a
  clinician wrote or reviewed everything (``preliminary`` for an unreviewed AI draft or a
  note holding suggestions nobody confirmed), the session date, the author (the clinician
  as a pseudonymous ``Practitioner`` and/or the AI scribe as a ``Device``), the title,
  R4B ``confidentiality`` ``R``, and the client as a ``Patient`` that carries only the
  pseudonymous code.  One section per host section, with its LOINC code and LOINC's own
  display where one exists (Subjective 61150-9 *Subjective Narrative*, Objective 61149-1
  *Objective Narrative*, Assessment 51848-0 *Evaluation note*, Plan 18776-5 *Plan of care
  note*; the note's heading in ``code.text``) and otherwise a code from the project's
  CodeSystem; then the alliance section (code ``alliance``) with a sub-section per part.
  With inline placement the parts are sub-sections of the host sections they belong in.
  Empty sections say why in ``emptyReason`` with the list-empty-reason display
  (``notasked`` *Not Asked* for a part not assessed or a host section with nothing
  recorded, ``nilknown`` *Nil Known* for a part assessed with nothing found, ``withheld``
  for one kept in the psychotherapy note) and the note's own wording in ``text``.
* Narratives: every resource but the ``Binary`` (every DomainResource) has one, in the
  note's language (``lang`` and ``xml:lang``) when the note records it.  Its status says
  what it shows: ``generated`` for only what the resource's elements hold, ``extensions``
  when it also shows an extension (the client's pronouns), ``additional`` for the
  Composition (its facts: session number, duration, modality …) and for sections.
* Measures: a ``QuestionnaireResponse`` per instrument given (SRS, WAI-SR, ORS) and an
  ``Observation`` of its total, ``derivedFrom`` the response, with the computed values
  (below the cutoff; WAI-SR subscales) as components; both referenced from the measures
  sub-section's entries.  Both are ``final`` / ``completed`` only when a clinician wrote
  or confirmed the measure: a suggestion, or anything in an unreviewed AI draft, is
  ``preliminary`` / ``in-progress`` and labelled ``AIAST``.
* Pronouns: an ``Observation`` of LOINC 90778-2 *Personal pronouns – Reported* with the
  LOINC answer (LA29518-0 he/him, LA29519-8 she/her, LA29520-6 they/them) where the
  recorded pronouns are one of those, and the client's own words as text; and the
  ``individual-pronouns`` extension on the ``Patient`` — unless the pronouns are an AI
  suggestion not yet confirmed, which stays out of the patient's demographics.
* AI transparency (AI Transparency on FHIR IG, STU1 ballot): a section holding content
  an extractor or language model suggested and no clinician confirmed carries the inline
  security label ``AIAST`` (DS4P ``extension-inline-sec-label``; the Composition is then
  labelled ``PROCESSINLINELABEL``), a measure or pronoun resource so suggested carries
  ``AIAST`` in ``meta.security``, and an unreviewed AI draft labels the whole
  Composition and each of its entries ``AIAST``.  The same in R4B and R5: the label is on
  what the AI wrote, never in ``Provenance.reason`` (a purpose of use).  Each program is
  one ``Device`` (its name trimmed), and a ``Provenance`` per program names it as author
  of what it suggested (``targetElement`` naming the sections); confirmed suggestions get
  a ``Provenance`` that also names the clinician as verifier.
* Sections holding items that belong in the psychotherapy note kept separate from the
  record carry the inline label ``PSYTHPN``; every Composition is labelled ``R``
  (restricted), as mental-health notes are.
* The note itself, as canonical JSON, in a ``Binary`` referenced from the Composition's
  ``canonical-note`` extension: the lossless copy the plugin reads back.

Every narrative is checked with :mod:`alliance_notes_plugins.xhtml_check` by the caller.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from alliance_notes.outline import part_outline
from alliance_notes.plugin_api import (
    Audience,
    Block,
    NoteDocument,
    Observation,
    OutcomeRatingScale,
    PartStatus,
    ProgressNote,
    SessionRatingScale,
    WorkingAllianceInventory,
    instances_in,
    ors_clinical_cutoff,
)
from alliance_notes_plugins import fhir_narrative as narrative
from alliance_notes_plugins.fhir import VERSIONS
from alliance_notes_plugins.json_format import canonical_json

Resource = dict[str, Any]

#: The project's own FHIR artefacts live under this base.
BASE = "https://alliance-notes.dev/fhir"
#: Codes for the alliance section, its parts, host sections without a LOINC code, measures.
CODE_SYSTEM = f"{BASE}/CodeSystem/alliance-notes"
#: The client summary's document type, in the project's CodeSystem (no LOINC document type
#: says "a session summary written for the client").
CLIENT_SUMMARY = ("client-summary", "Session summary for the client")
CLIENT_SYSTEM = f"{BASE}/sid/client"
CLINICIAN_SYSTEM = f"{BASE}/sid/clinician"
#: The Composition's identifier system: the document (note, audience, placement) it is.
DOCUMENT_SYSTEM = f"{BASE}/sid/document"
#: The Composition extension whose ``valueReference`` is the Binary with the note's JSON.
CANONICAL_NOTE_EXTENSION = f"{BASE}/StructureDefinition/canonical-note"
CANONICAL_NOTE_MEDIA_TYPE = "application/json"

LOINC = "http://loinc.org"
#: The document type: LOINC's most specific code for a psychotherapy progress note.
PROGRESS_NOTE = ("34904-3", "Mental health Progress note")
#: LOINC's own display of each section code a host section may carry (HostSection.loinc);
#: the note's heading goes in ``CodeableConcept.text``.
LOINC_SECTION_DISPLAYS = {
    "61150-9": "Subjective Narrative",
    "61149-1": "Objective Narrative",
    "51848-0": "Evaluation note",
    "18776-5": "Plan of care note",
}
PRONOUNS = ("90778-2", "Personal pronouns - Reported")
PRONOUN_ANSWERS = {
    "he/him": ("LA29518-0", "he/him/his/his/himself"),
    "she/her": ("LA29519-8", "she/her/her/hers/herself"),
    "they/them": ("LA29520-6", "they/them/their/theirs/themselves"),
}
PRONOUNS_EXTENSION = "http://hl7.org/fhir/StructureDefinition/individual-pronouns"
TARGET_ELEMENT_EXTENSION = "http://hl7.org/fhir/StructureDefinition/targetElement"
INLINE_LABEL_EXTENSION = (
    "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label"
)
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ATTESTATION_MODE = "http://hl7.org/fhir/composition-attestation-mode"
UCUM = "http://unitsofmeasure.org"

AI_ASSERTED = {"system": OBSERVATION_VALUE, "code": "AIAST", "display": "Artificial Intelligence asserted"}
INLINE_LABELS = {"system": ACT_CODE, "code": "PROCESSINLINELABEL", "display": "process inline security label"}
PSYCHOTHERAPY_NOTE = {
    "system": ACT_CODE,
    "code": "PSYTHPN",
    "display": "psychotherapy note information sensitivity",
}
RESTRICTED = {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}
#: The measures, by their key in the project's CodeSystem (codes ``<key>-total``,
#: ``<key>-below-cutoff``, ``wai-sr-<subscale>``) and Questionnaire URL
#: (``{BASE}/Questionnaire/<key>``), with their titles.
MEASURE_TITLES = {
    "srs": "Session Rating Scale",
    "wai-sr": "Working Alliance Inventory, short revised",
    "ors": "Outcome Rating Scale",
}
WAI_SR_SUBSCALES = ("task", "bond", "goal")
PRONOUNS_USED_CORRECTLY = ("pronouns-used-correctly", "Pronouns used correctly this session")

#: Every note is restricted (mental-health content): R4B ``Composition.confidentiality``.
CONFIDENTIALITY_CODE = RESTRICTED["code"]

#: Statuses: content a clinician wrote or confirmed is final; an unconfirmed suggestion, and
#: everything in an AI draft nobody has reviewed, is not (FHIR's "preliminary" /
#: QuestionnaireResponse "in-progress").
FINAL, PRELIMINARY = "final", "preliminary"
RESPONSE_COMPLETED, RESPONSE_IN_PROGRESS = "completed", "in-progress"

#: Why an alliance part's sub-section is empty, by the part's status in the document.
#: Not assessed is "Not Asked"; a recorded absence is "Nil Known" (the code system's displays).
EMPTY_REASONS: dict[PartStatus, tuple[str, str]] = {
    **{
        status: ("nilknown", "Nil Known") if status.records_absence else ("notasked", "Not Asked")
        for status in PartStatus
    },
    # Kept in the psychotherapy note: withheld for privacy, not unknown.
    PartStatus.WITHHELD: ("withheld", "Information Withheld"),
}
#: Why a host section with no text is empty: nothing was recorded (nobody asked), in the code
#: system's display; the note's own wording goes in ``text``.
NOT_RECORDED = ("notasked", "Not Asked")
NOT_RECORDED_TEXT = "Not recorded"

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    return (
        {"system": system, "code": code}
        if display is None
        else {"system": system, "code": code, "display": display}
    )


def _concept(system: str, code: str, display: str | None, text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept: the code with its code system's display, and the local wording
    (``text``, by default the display)."""
    wording = text or display
    concept: dict[str, Any] = {"coding": [_coding(system, code, display)]}
    if wording is not None:
        concept["text"] = wording
    return concept


def pronoun_answer(recorded: str) -> tuple[str, str] | None:
    """The LOINC answer for recorded pronouns that are he/him, she/her or they/them.

    "He/Him", "she / her / hers" and "they/them/theirs" match; "he/they", "xe/xem" or
    anything with other words does not, and is recorded as the client's text alone.
    """
    words = [word.strip() for word in recorded.lower().split("/") if word.strip()]
    answer = PRONOUN_ANSWERS.get("/".join(words[:2]))
    if answer is None or not set(words) <= set(answer[1].split("/")):
        return None
    return answer


@dataclass
class _Extractor:
    """An extractor or model that suggested content, and what it suggested where."""

    device_url: str
    name: str
    kinds: list[str]
    unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    confirmed: list[dict[str, Any]] = field(default_factory=list)


class BundleBuilder:
    """Builds one note's document Bundle for one FHIR version."""

    def __init__(self, note: ProgressNote, document: NoteDocument, version: str, timestamp: str) -> None:
        if version not in VERSIONS:
            raise ValueError(f"FHIR version must be one of {', '.join(VERSIONS)}")
        self.note = note
        self.document = document
        self.version = version
        self.canonical = canonical_json(note)
        #: The document the Composition is: the same note, audience and placement in R4B and R5.
        self.document_id = uuid.uuid5(
            _NAMESPACE, f"{document.placement}|{document.audience.value}|{self.canonical}"
        )
        #: This Bundle of it, in this FHIR version.
        self.identity = uuid.uuid5(self.document_id, version)
        self.date = note.session.date.isoformat()
        self.instant = timestamp
        self.language = note.session.language
        self.unreviewed_draft = note.authorship.written_by.value == "ai_draft"
        #: The entries an unreviewed AI draft's scribe wrote (its Provenance names them).
        self.drafted: list[dict[str, str]] = []
        self.composition_url = self.url("composition")
        self.patient_url = self.url("patient")
        self.entries: list[Resource] = []
        self.extractors: dict[str, _Extractor] = {}
        self.labels: list[dict[str, str]] = []
        #: Every observation of each alliance part (``"ruptures"``: those of every rupture).
        self.part_observations: dict[str, list[Observation]] = {}
        for path, observation in instances_in(note.alliance, Observation):
            part = path.split(".", 1)[0].split("[", 1)[0]
            self.part_observations.setdefault(part, []).append(observation)

    def url(self, role: str) -> str:
        """A stable ``urn:uuid:`` for one resource of this Bundle."""
        return f"urn:uuid:{uuid.uuid5(self.identity, role)}"

    def add(self, url: str, resource: Resource) -> dict[str, str]:
        """Add a resource to the Bundle; return a reference to it."""
        self.entries.append({"fullUrl": url, "resource": resource})
        return {"reference": url}

    def narrative(
        self, title: str, facts: list[tuple[str, str]], status: str = "generated"
    ) -> dict[str, str]:
        """A resource's narrative: its title and what its elements hold, in the note's language.

        ``generated`` when it shows only what the resource's core elements hold,
        ``extensions`` when it also shows an extension's value, ``additional`` when it shows
        more than the structured elements say (FHIR Narrative status).
        """
        return {"status": status, "div": narrative.facts_narrative(title, facts, self.language)}

    def _status(self, observation: Observation, final: str, open_: str) -> str:
        """``open_`` for an unconfirmed suggestion or anything in an unreviewed AI draft, else ``final``."""
        if self.unreviewed_draft or observation.provenance.is_unconfirmed_suggestion:
            return open_
        return final

    # -- people and devices ---------------------------------------------------------

    def _subject(self) -> dict[str, Any]:
        return {
            "reference": self.patient_url,
            "identifier": {"system": CLIENT_SYSTEM, "value": self.note.session.client},
        }

    def _clinician(self) -> dict[str, Any] | None:
        code = self.note.authorship.clinician
        if code is None:
            return None
        return {
            "reference": self.url("practitioner"),
            "identifier": {"system": CLINICIAN_SYSTEM, "value": code},
        }

    def _verifier(self) -> dict[str, Any]:
        return self._clinician() or {"type": "Practitioner", "display": "the treating clinician"}

    def _device(self, name: str, kind: str) -> _Extractor:
        # One program is one device, whatever it did (drafted the note, suggested items) and
        # however its name was spaced: " scribe-llm" and "scribe-llm" are the same.
        name = name.strip()
        extractor = self.extractors.get(name)
        if extractor is None:
            extractor = _Extractor(self.url(f"device|{name}"), name, [kind])
            self.extractors[name] = extractor
        elif kind not in extractor.kinds:
            extractor.kinds.append(kind)
        return extractor

    def _device_resource(self, extractor: _Extractor) -> Resource:
        resource: Resource = {"resourceType": "Device"}
        if self.version == "R4B":
            resource["deviceName"] = [{"name": extractor.name, "type": "user-friendly-name"}]
        else:
            resource["displayName"] = extractor.name
            resource["name"] = [{"value": extractor.name, "type": "user-friendly-name"}]
        kinds = extractor.kinds
        resource["type"] = (
            [{"text": kind} for kind in kinds] if self.version == "R5" else {"text": ", ".join(kinds)}
        )
        resource["text"] = self.narrative(extractor.name, [("Device", ", ".join(kinds))])
        return resource

    # -- labels and provenance ------------------------------------------------------

    def _track(self, observation: Observation, target: dict[str, Any]) -> bool:
        """Remember who suggested an observation; True when it is an unconfirmed suggestion."""
        provenance = observation.provenance
        if provenance.suggested_by is None:
            return False
        extractor = self._device(provenance.suggested_by, provenance.author.label)
        bucket = extractor.confirmed if provenance.confirmed else extractor.unconfirmed
        if target not in bucket:
            bucket.append(target)
        return provenance.is_unconfirmed_suggestion

    def _section_target(self, element_id: str) -> dict[str, Any]:
        return {
            "reference": self.composition_url,
            "extension": [{"url": TARGET_ELEMENT_EXTENSION, "valueUri": element_id}],
        }

    def _provenance(self, targets: list[dict[str, Any]], agents: list[dict[str, Any]]) -> Resource:
        """Who wrote (and who verified) the targets.  What is AI-asserted is labelled on the
        targets themselves (``AIAST``, in R4B as in R5), not in ``Provenance.reason``: that is
        the purpose of use, which an AI's authorship is not."""
        facts = [(agent["type"]["text"], self._who(agent["who"])) for agent in agents]
        facts.extend(("Target", _target(target)) for target in targets)
        return {
            "resourceType": "Provenance",
            "text": self.narrative("Provenance", facts),
            "target": targets,
            "occurredDateTime": self.date,
            "recorded": self.instant,
            "agent": agents,
        }

    def _who(self, who: dict[str, Any]) -> str:
        """How a Provenance agent reads in its narrative: the device's name or the clinician's code."""
        for extractor in self.extractors.values():
            if who.get("reference") == extractor.device_url:
                return extractor.name
        identifier = who.get("identifier")
        return str(identifier["value"] if identifier else who.get("display", who.get("reference")))

    def _agent(self, role: str, who: dict[str, Any]) -> dict[str, Any]:
        display = {"author": "Author", "verifier": "Verifier"}[role]
        return {"type": _concept(PARTICIPANT_TYPE, role, display), "who": who}

    # -- measures and pronouns ------------------------------------------------------

    def _security(self, resource: Resource, observation: Observation, target_url: str) -> None:
        """Label a measure's or the pronouns' own resource: AI-asserted while a suggestion,
        and a psychotherapy-note item as such and restricted wherever it appears."""
        labels = []
        if self._track(observation, {"reference": target_url}) or self.unreviewed_draft:
            labels.append(AI_ASSERTED)
        if self.unreviewed_draft:
            self.drafted.append({"reference": target_url})
        if observation.kept_out_of_record:
            labels.extend([PSYCHOTHERAPY_NOTE, RESTRICTED])
        if labels:
            resource["meta"] = {"security": labels}

    def _measure(
        self,
        key: str,
        title: str,
        measure: SessionRatingScale | OutcomeRatingScale | WorkingAllianceInventory,
    ) -> list[dict[str, str]]:
        response_url, total_url = self.url(f"questionnaire-response|{key}"), self.url(f"total|{key}")
        answers: list[tuple[str, dict[str, Any]]]
        if isinstance(measure, WorkingAllianceInventory):
            answers = [
                (str(number), {"valueInteger": score}) for number, score in enumerate(measure.items, start=1)
            ]
        else:
            answers = [
                (name, {"valueDecimal": getattr(measure, name)})
                for name in type(measure).model_fields
                if name not in ("evidence", "provenance", "belongs", "administered")
            ]
        items = [{"linkId": link_id, "answer": [answer]} for link_id, answer in answers]
        response: Resource = {
            "resourceType": "QuestionnaireResponse",
            "text": self.narrative(
                f"{title}: answers", [(link_id, _answer(answer)) for link_id, answer in answers]
            ),
            "questionnaire": f"{BASE}/Questionnaire/{key}",
            "status": self._status(measure, RESPONSE_COMPLETED, RESPONSE_IN_PROGRESS),
            "subject": self._subject(),
            "authored": self.date,
            "source": {"reference": self.patient_url},
            "item": items,
        }
        self._security(response, measure, response_url)
        components: list[dict[str, Any]] = []
        if isinstance(measure, WorkingAllianceInventory):
            components = [
                {
                    "code": _concept(CODE_SYSTEM, f"{key}-{name}", f"{title} {name} subscale"),
                    "valueQuantity": _score(getattr(measure, name)),
                }
                for name in WAI_SR_SUBSCALES
            ]
        elif isinstance(measure, OutcomeRatingScale):
            # The cutoff of the client's age band (adult when none is recorded, and then
            # said to be the adult one), as the rendered note compares it.
            band = self.note.session.client_age_band
            cutoff = ors_clinical_cutoff(band)
            wording = (
                f"{title} total below the {band.value if band else 'adult'} clinical cutoff of {cutoff:g}"
            )
            components = [
                {
                    "code": _concept(
                        CODE_SYSTEM, f"{key}-below-cutoff", f"{title} total below the cutoff", wording
                    ),
                    "valueBoolean": measure.total < cutoff,
                }
            ]
        else:
            components = [
                {
                    "code": _concept(CODE_SYSTEM, f"{key}-below-cutoff", f"{title} total below the cutoff"),
                    "valueBoolean": measure.below_cutoff,
                }
            ]
        status = self._status(measure, FINAL, PRELIMINARY)
        facts = [("Status", status), (f"{title} total", _number(measure.total))]
        facts.extend((component["code"]["text"], _answer(component)) for component in components)
        total: Resource = {
            "resourceType": "Observation",
            "text": self.narrative(f"{title} total", facts),
            "status": status,
            "category": [_concept(OBSERVATION_CATEGORY, "survey", "Survey")],
            "code": _concept(CODE_SYSTEM, f"{key}-total", f"{title} total"),
            "subject": self._subject(),
            "effectiveDateTime": self.date,
            "valueQuantity": _score(measure.total),
            "derivedFrom": [{"reference": response_url}],
            "component": components,
        }
        self._security(total, measure, total_url)
        return [self.add(response_url, response), self.add(total_url, total)]

    def _measures(self) -> list[dict[str, str]]:
        measures = self.note.alliance.measures
        references: list[dict[str, str]] = []
        if measures.srs is not None:
            references += self._measure("srs", MEASURE_TITLES["srs"], measures.srs)
        if measures.wai_sr is not None:
            references += self._measure("wai-sr", MEASURE_TITLES["wai-sr"], measures.wai_sr)
        if measures.ors is not None:
            references += self._measure("ors", MEASURE_TITLES["ors"], measures.ors)
        return references

    def _pronouns(self) -> tuple[list[dict[str, str]], dict[str, Any] | None]:
        """The pronoun Observation's reference, and the Patient extension when it applies."""
        pronouns = self.note.alliance.respect.pronouns
        if pronouns is None:
            return [], None
        recorded = pronouns.recorded.strip()
        answer = pronoun_answer(recorded)
        value: dict[str, Any] = {"text": recorded}
        if answer is not None:
            value = {"coding": [_coding(LOINC, *answer)], "text": recorded}
        url = self.url("pronouns")
        status = self._status(pronouns, FINAL, PRELIMINARY)
        facts = [("Status", status), (PRONOUNS[1], recorded)]
        if pronouns.used_correctly is not None:
            facts.append((PRONOUNS_USED_CORRECTLY[1], _yes_no(pronouns.used_correctly)))
        observation: Resource = {
            "resourceType": "Observation",
            "text": self.narrative(PRONOUNS[1], facts),
            "status": status,
            "category": [_concept(OBSERVATION_CATEGORY, "social-history", "Social History")],
            "code": _concept(LOINC, *PRONOUNS),
            "subject": self._subject(),
            "effectiveDateTime": self.date,
            "valueCodeableConcept": value,
        }
        if pronouns.used_correctly is not None:
            observation["component"] = [
                {
                    "code": _concept(CODE_SYSTEM, *PRONOUNS_USED_CORRECTLY),
                    "valueBoolean": pronouns.used_correctly,
                }
            ]
        self._security(observation, pronouns, url)
        extension = None
        # Only confirmed pronouns that belong in the record become part of the Patient.
        private = pronouns.kept_out_of_record
        if not pronouns.provenance.is_unconfirmed_suggestion and not private:
            extension = {
                "url": PRONOUNS_EXTENSION,
                "extension": [{"url": "value", "valueCodeableConcept": value}],
            }
        return [self.add(url, observation)], extension

    # -- sections -------------------------------------------------------------------

    def _part_section(self, block: Block, entries: list[dict[str, str]]) -> dict[str, Any]:
        element_id = f"alliance-{block.key.replace('_', '-')}"
        section: dict[str, Any] = {
            "id": element_id,
            "title": block.title,
            # The code's display is the part's own title (the CodeSystem's); the block's title
            # ("Alliance — Trust" when placed inline) is the local wording, in ``text``.
            "code": _concept(
                CODE_SYSTEM,
                block.code or block.key.replace("_", "-"),
                part_outline(type(self.note.alliance), block.key).title,
                block.title,
            ),
            "text": {"status": "additional", "div": narrative.block_narrative(block, self.language)},
        }
        labels = self._part_labels(block.key, element_id)
        if labels:
            section["extension"] = [{"url": INLINE_LABEL_EXTENSION, "valueCoding": label} for label in labels]
        if entries:
            section["entry"] = entries
        elif block.status is not None:
            section["emptyReason"] = _concept(EMPTY_REASON, *EMPTY_REASONS[block.status], block.status_label)
        return section

    def _part_labels(self, part: str, element_id: str) -> list[dict[str, str]]:
        target = self._section_target(element_id)
        found = self.part_observations.get(part, [])
        labels = []
        if any([self._track(observation, target) for observation in found]):  # track every one
            labels.append(AI_ASSERTED)
        if any(observation.kept_out_of_record for observation in found):
            labels.append(PSYCHOTHERAPY_NOTE)
        if labels and INLINE_LABELS not in self.labels:
            self.labels.append(INLINE_LABELS)
        return labels

    def _sections(self, part_entries: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
        sections = []
        codes = {host.key: host.loinc for host in self.note.host_sections}
        for document_section in self.document.sections:
            key = document_section.key
            loinc = codes.get(key)
            if loinc is not None:
                code = _concept(LOINC, loinc, LOINC_SECTION_DISPLAYS.get(loinc), document_section.title)
            else:
                code = _concept(CODE_SYSTEM, key, document_section.title)
            section: dict[str, Any] = {
                "id": f"section-{key.replace('_', '-')}",
                "title": document_section.title,
                "code": code,
            }
            if document_section.text is not None:
                section["text"] = {
                    "status": "additional",
                    "div": narrative.text_narrative(document_section.text, self.language),
                }
            elif not document_section.blocks:
                section["text"] = {
                    "status": "empty",
                    "div": narrative.status_narrative(f"{NOT_RECORDED_TEXT}.", self.language),
                }
                section["emptyReason"] = _concept(EMPTY_REASON, *NOT_RECORDED, NOT_RECORDED_TEXT)
            if document_section.blocks:
                section["section"] = [
                    self._part_section(block, part_entries.get(block.key, []))
                    for block in document_section.blocks
                ]
            sections.append(section)
        return sections

    # -- the Bundle -----------------------------------------------------------------

    def _authors(self) -> list[dict[str, Any]]:
        authorship = self.note.authorship
        authors = []
        clinician = self._clinician()
        if clinician is not None:
            authors.append(clinician)
        if authorship.drafted_by is not None:
            scribe = self._device(authorship.drafted_by, "AI scribe")
            authors.append({"reference": scribe.device_url})
        if not authors:
            authors.append({"type": "Practitioner", "display": "the treating clinician"})
        return authors

    def _composition_status(self) -> str:
        """``final`` only when a clinician wrote or reviewed everything in the note: an
        unreviewed AI draft, or a note still holding unconfirmed suggestions, is preliminary."""
        # Alliance.unconfirmed_suggestions() counts these, from a walk of the section this
        # builder has already made (part_observations): not walked a second time.
        observations = (item for found in self.part_observations.values() for item in found)
        answers = self.note.alliance.set_by.values()
        if (
            self.unreviewed_draft
            or any(observation.provenance.is_unconfirmed_suggestion for observation in observations)
            or any(provenance.is_unconfirmed_suggestion for provenance in answers)
        ):
            return PRELIMINARY
        return FINAL

    def _identifier(self) -> dict[str, str]:
        """The Composition's identifier: the document, the same in R4B and R5 (the Bundle's
        identifier is another, naming this Bundle of it)."""
        return {"system": DOCUMENT_SYSTEM, "value": str(self.document_id)}

    def _confidentiality(self, composition: Resource) -> None:
        if self.version == "R4B":  # R5 has only meta.security for it
            composition["confidentiality"] = CONFIDENTIALITY_CODE

    def _composition(self, sections: list[dict[str, Any]]) -> Resource:
        unreviewed_draft = self.unreviewed_draft
        security = [RESTRICTED, *self.labels]
        if unreviewed_draft:
            security.append(AI_ASSERTED)
        identifier = self._identifier()
        subject = self._subject()
        composition: Resource = {
            "resourceType": "Composition",
            "meta": {"security": security},
            # The facts (session number, duration, modality, setting, who wrote it) are more
            # than the Composition's elements hold.
            "text": {
                "status": "additional",
                "div": narrative.facts_narrative(self.document.title, self.document.facts, self.language),
            },
            "extension": [
                {"url": CANONICAL_NOTE_EXTENSION, "valueReference": {"reference": self.url("canonical-note")}}
            ],
            "identifier": [identifier] if self.version == "R5" else identifier,
            "status": self._composition_status(),
            "type": _concept(LOINC, *PROGRESS_NOTE, self.note.title),
            "subject": [subject] if self.version == "R5" else subject,
            "date": self.date,
            "author": self._authors(),
            "title": self.document.title,
        }
        self._confidentiality(composition)
        clinician = self._clinician()
        if clinician is not None and not unreviewed_draft:
            mode: Any = "professional"
            if self.version == "R5":
                mode = {"coding": [_coding(ATTESTATION_MODE, "professional", "Professional")]}
            composition["attester"] = [{"mode": mode, "party": clinician}]
        if self.note.session.language is not None:
            composition["language"] = self.note.session.language
        composition["section"] = sections
        return composition

    def _client_summary(self) -> Resource:
        """The client summary's own document: a Composition of its sentences, the client and
        the clinician.  Nothing else is handed over: no measure, no observation, no
        provenance of suggestions (the summary holds only what a clinician wrote or
        confirmed), and no embedded note."""
        identifier = self._identifier()
        subject = self._subject()
        blocks = [block for section in self.document.sections for block in section.blocks]
        composition: Resource = {
            "resourceType": "Composition",
            "meta": {"security": [RESTRICTED]},
            # Only the title, which Composition.title holds.
            "text": self.narrative(self.document.title, []),
            "identifier": [identifier] if self.version == "R5" else identifier,
            "status": self._composition_status(),
            "type": _concept(CODE_SYSTEM, *CLIENT_SUMMARY),
            "subject": [subject] if self.version == "R5" else subject,
            "date": self.date,
            "author": [self._verifier()],
            "title": self.document.title,
        }
        self._confidentiality(composition)
        if self.note.session.language is not None:
            composition["language"] = self.note.session.language
        if blocks:
            composition["section"] = [
                {
                    "id": f"client-{block.key}",
                    "title": block.title,
                    "code": _concept(CODE_SYSTEM, f"client-{block.key}", block.title),
                    # The sentences are the section's content: no entry holds them.
                    "text": {"status": "additional", "div": narrative.block_narrative(block, self.language)},
                }
                for block in blocks
            ]
        return self._bundle([{"fullUrl": self.composition_url, "resource": composition}, *self._people()])

    def _people(self, pronouns: dict[str, Any] | None = None) -> list[Resource]:
        """The entries of the client (a Patient known by code only, with the pronouns
        extension when given) and the clinician (a Practitioner, when named)."""
        client = self.note.session.client
        patient: Resource = {
            "resourceType": "Patient",
            "text": self.narrative("Client", [("Client code", client)]),
        }
        if pronouns is not None:
            pronoun_text = pronouns["extension"][0]["valueCodeableConcept"]["text"]
            patient["text"] = self.narrative(
                "Client", [("Client code", client), ("Pronouns", pronoun_text)], "extensions"
            )
            patient["extension"] = [pronouns]
        patient["identifier"] = [{"system": CLIENT_SYSTEM, "value": client}]
        people = [{"fullUrl": self.patient_url, "resource": patient}]
        clinician = self._clinician()
        if clinician is not None:
            code = clinician["identifier"]["value"]
            practitioner = {
                "resourceType": "Practitioner",
                "text": self.narrative("Clinician", [("Clinician code", code)]),
                "identifier": [clinician["identifier"]],
            }
            people.append({"fullUrl": clinician["reference"], "resource": practitioner})
        return people

    def _bundle(self, entries: list[Resource]) -> Resource:
        return {
            "resourceType": "Bundle",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{self.identity}"},
            # The instant the Bundle was assembled (a note records no time of its own).
            "type": "document",
            "timestamp": self.instant,
            "entry": entries,
        }

    def build(self) -> Resource:
        """The document Bundle (for the client, the summary's own small document)."""
        if self.document.audience is Audience.CLIENT:
            return self._client_summary()
        pronoun_entries, pronoun_extension = self._pronouns()
        part_entries = {"measures": self._measures(), "respect": pronoun_entries}
        sections = self._sections(part_entries)
        composition = self._composition(sections)
        head = [{"fullUrl": self.composition_url, "resource": composition}, *self._people(pronoun_extension)]
        head.extend(
            {"fullUrl": extractor.device_url, "resource": self._device_resource(extractor)}
            for extractor in self.extractors.values()
        )
        tail = [*self._provenances()]
        tail.append(
            {
                "fullUrl": self.url("canonical-note"),
                "resource": {
                    "resourceType": "Binary",
                    "contentType": CANONICAL_NOTE_MEDIA_TYPE,
                    "data": base64.b64encode(self.canonical.encode("utf-8")).decode("ascii"),
                },
            }
        )
        bundle = self._bundle([*head, *self.entries, *tail])
        if self.document.audience is Audience.PRIVATE:
            _label_private(bundle)
        return bundle

    def _provenances(self) -> Iterator[dict[str, Any]]:
        authorship = self.note.authorship
        if authorship.drafted_by is not None and authorship.written_by.value != "clinician":
            scribe = self._device(authorship.drafted_by, "AI scribe")
            agents = [self._agent("author", {"reference": scribe.device_url})]
            reviewed = authorship.written_by.reviewed
            if reviewed:
                agents.append(self._agent("verifier", self._verifier()))
            targets = [{"reference": self.composition_url}, *self.drafted]
            yield {"fullUrl": self.url("provenance|draft"), "resource": self._provenance(targets, agents)}
        for extractor in self.extractors.values():
            author = self._agent("author", {"reference": extractor.device_url})
            if extractor.unconfirmed:
                yield {
                    "fullUrl": self.url(f"provenance|{extractor.device_url}|unconfirmed"),
                    "resource": self._provenance(extractor.unconfirmed, [author]),
                }
            if extractor.confirmed:
                verifier = self._agent("verifier", self._verifier())
                yield {
                    "fullUrl": self.url(f"provenance|{extractor.device_url}|confirmed"),
                    "resource": self._provenance(extractor.confirmed, [author, verifier]),
                }


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _answer(element: dict[str, Any]) -> str:
    """How an answer or component value reads in a narrative: the number or yes/no it holds."""
    for key in ("valueInteger", "valueDecimal", "valueBoolean"):
        if key in element:
            value = element[key]
            return _yes_no(value) if isinstance(value, bool) else _number(value)
    return _number(element["valueQuantity"]["value"])


def _number(value: float) -> str:
    """A number as its JSON holds it (``9`` for 9.0): a generated narrative shows the value itself."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _target(target: dict[str, Any]) -> str:
    """A Provenance target as its narrative names it: the reference, and the section it names."""
    for extension in target.get("extension", ()):
        return f"{target['reference']} (section {extension['valueUri']})"
    return str(target["reference"])


def _score(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "score", "system": UCUM, "code": "{score}"}


def _label_private(bundle: Resource) -> None:
    """Label the psychotherapy note, the Bundle and every resource in it, as such and as
    restricted (domain reference §6): nothing in it may be read as part of the record."""
    for resource in [bundle, *(entry["resource"] for entry in bundle["entry"])]:
        security = resource.setdefault("meta", {}).setdefault("security", [])
        security.extend(label for label in (PSYCHOTHERAPY_NOTE, RESTRICTED) if label not in security)


def build_bundle(note: ProgressNote, document: NoteDocument, version: str, timestamp: str) -> Resource:
    """The note's document Bundle for FHIR ``version`` (``"R4B"`` or ``"R5"``), as JSON data.

    :param timestamp: the FHIR instant the Bundle is assembled (``Bundle.timestamp``, and
        ``Provenance.recorded``), e.g. ``"2026-03-10T17:05:00Z"``.
    """
    return BundleBuilder(note, document, version, timestamp).build()
