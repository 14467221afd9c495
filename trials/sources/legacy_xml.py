"""Read ClinicalTrials.gov legacy `clinical_study` XML (the AllPublicXML format) into a TrialRecord.

Registry history before 2023 exists only in this format, and it changed over the years: old
records describe their design in one `<study_design>` sentence and use `firstreceived_date` /
`lastchanged_date`, newer ones use `<study_design_info>` and `study_first_posted` /
`last_update_posted`. Both are read into the same API v2 vocabulary so that two snapshots of a
trial can be compared field by field.

Input is untrusted (files from disk, archives, other people's copies), so it is parsed with
defusedxml and every way a document can be unusable ends in a `RecordError` with a plain reason.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from core.identifiers import find_all, is_nct_id
from trials.dates import DateParseError, PartialDate
from trials.records import (
    FORMAT_LEGACY_XML,
    Intervention,
    Location,
    ParsedDocument,
    RecordError,
    Reference,
    TrialRecord,
    decode_document,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_DOWNLOAD_DATE = re.compile(r"processed this data on\s+(.+?)\s*$", re.IGNORECASE)
_DESIGN_PART = re.compile(r",\s*(?=[A-Z][A-Za-z /]*:)")
_MASKING = re.compile(r"^(?P<level>[^(]*?)\s*(?:\((?P<who>[^)]*)\))?$")

STATUSES = {
    "not yet recruiting": "NOT_YET_RECRUITING",
    "recruiting": "RECRUITING",
    "enrolling by invitation": "ENROLLING_BY_INVITATION",
    "active, not recruiting": "ACTIVE_NOT_RECRUITING",
    "suspended": "SUSPENDED",
    "terminated": "TERMINATED",
    "completed": "COMPLETED",
    "withdrawn": "WITHDRAWN",
    "unknown status": "UNKNOWN",
    "available": "AVAILABLE",
    "no longer available": "NO_LONGER_AVAILABLE",
    "temporarily not available": "TEMPORARILY_NOT_AVAILABLE",
    "approved for marketing": "APPROVED_FOR_MARKETING",
    "withheld": "WITHHELD",
}
PHASES = {
    "n/a": "NA",
    "early phase 1": "EARLY_PHASE1",
    "phase 0": "EARLY_PHASE1",
    "phase 1": "PHASE1",
    "phase 2": "PHASE2",
    "phase 3": "PHASE3",
    "phase 4": "PHASE4",
}
STUDY_TYPES = {
    "interventional": "INTERVENTIONAL",
    "observational": "OBSERVATIONAL",
    "observational [patient registry]": "OBSERVATIONAL",
    "expanded access": "EXPANDED_ACCESS",
}
ALLOCATIONS = {"randomized": "RANDOMIZED", "non-randomized": "NON_RANDOMIZED", "n/a": "NA"}
INTERVENTION_MODELS = {
    "single group": "SINGLE_GROUP",
    "parallel": "PARALLEL",
    "crossover": "CROSSOVER",
    "factorial": "FACTORIAL",
    "sequential": "SEQUENTIAL",
}
PRIMARY_PURPOSES = {
    "treatment": "TREATMENT",
    "prevention": "PREVENTION",
    "diagnostic": "DIAGNOSTIC",
    "supportive care": "SUPPORTIVE_CARE",
    "screening": "SCREENING",
    "health services research": "HEALTH_SERVICES_RESEARCH",
    "basic science": "BASIC_SCIENCE",
    "device feasibility": "DEVICE_FEASIBILITY",
    "educational/counseling/training": "ECT",
    "other": "OTHER",
}
MASKINGS = {
    "none": "NONE",
    "open label": "NONE",
    "single": "SINGLE",
    "single blind": "SINGLE",
    "double": "DOUBLE",
    "double blind": "DOUBLE",
    "triple": "TRIPLE",
    "triple blind": "TRIPLE",
    "quadruple": "QUADRUPLE",
    "quadruple blind": "QUADRUPLE",
}
WHO_MASKED = {
    "participant": "PARTICIPANT",
    "subject": "PARTICIPANT",
    "care provider": "CARE_PROVIDER",
    "caregiver": "CARE_PROVIDER",
    "investigator": "INVESTIGATOR",
    "outcomes assessor": "OUTCOMES_ASSESSOR",
}
DATE_TYPES = {
    "anticipated": "ESTIMATED",
    "estimate": "ESTIMATED",
    "estimated": "ESTIMATED",
    "actual": "ACTUAL",
}
INTERVENTION_TYPES = {
    "drug": "DRUG",
    "biological": "BIOLOGICAL",
    "device": "DEVICE",
    "procedure": "PROCEDURE",
    "procedure/surgery": "PROCEDURE",
    "radiation": "RADIATION",
    "behavioral": "BEHAVIORAL",
    "genetic": "GENETIC",
    "dietary supplement": "DIETARY_SUPPLEMENT",
    "combination product": "COMBINATION_PRODUCT",
    "diagnostic test": "DIAGNOSTIC_TEST",
    "other": "OTHER",
}
AGENCY_CLASSES = {
    "industry": "INDUSTRY",
    "nih": "NIH",
    "u.s. fed": "FED",
    "other u.s. federal agency": "FED",
    "other government": "OTHER_GOV",
    "individual": "INDIV",
    "network": "NETWORK",
    "ambiguous": "AMBIG",
    "unknown": "UNKNOWN",
    "other": "OTHER",
}
SEXES = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}
_EXPAT_REASONS = {
    "no element found": "the document ends before its elements are closed (cut short?)",
    "unclosed token": "the document ends inside a tag (cut short?)",
}
_FORBIDDEN = {
    "EntitiesForbidden": "XML entities",
    "DTDForbidden": "a DTD",
    "ExternalReferenceForbidden": "an external reference",
}
HEALTHY_VOLUNTEERS = {"accepts healthy volunteers": True, "yes": True, "no": False}


def nct_id_from_name(name: str) -> str | None:
    """The NCT ID a file name claims: `NCT` and eight digits at the start of its stem.

    Accepts a bare name or a path ("NCT0000xxxx/NCT00000102.xml"); folders are ignored.
    """
    base = re.split(r"[\\/]", name)[-1]
    found = find_all(base, registries=("NCT",))
    return found[0].trial_id.value if found and found[0].start == 0 else None


def parse_clinical_study(
    raw: bytes | str, *, source: str, expected_nct_id: str | None = None
) -> ParsedDocument:
    """Turn one `clinical_study` document into a ParsedDocument, or raise RecordError.

    `source` names the document (a path, or "bulk.jsonl.gz:NCT…/NCT….xml"); it is used to say
    "file is named for" when the expected ID is the one its name claims. `expected_nct_id`,
    when given, must be the record's own NCT ID: the registry redirects retired IDs (aliases)
    to the trial that absorbed them, so a file saved under an alias holds another trial.
    """
    text = decode_document(raw)
    root = _parse_xml(text)
    if root.tag == "rss":
        raise RecordError("this is an RSS search result, not a clinical_study record")
    if root.tag != "clinical_study":
        raise RecordError(
            f"root element is <{root.tag}>, not <clinical_study>: not a registry record"
        )

    nct_id = _nct_id(root)
    aliases = _lines(root, "id_info/nct_alias")
    if expected_nct_id:
        _check_expected(nct_id, expected_nct_id.strip().upper(), aliases, source)

    record = TrialRecord(nct_id=nct_id, nct_aliases=aliases)
    record.secondary_ids = _lines(root, "id_info/secondary_id")
    record.brief_title = _line(root, "brief_title")
    record.official_title = _line(root, "official_title")
    record.acronym = _line(root, "acronym")
    record.brief_summary = _block(root, "brief_summary")

    record.overall_status = _enum(_line(root, "overall_status"), STATUSES)
    record.last_known_status = _enum(_line(root, "last_known_status"), STATUSES)
    record.why_stopped = _line(root, "why_stopped")
    record.phases = _phases(_line(root, "phase"))
    record.study_type = _enum(_line(root, "study_type"), STUDY_TYPES)
    _read_design(root, record)

    enrollment = root.find("enrollment")
    if enrollment is not None:
        record.enrollment = _whole_number(enrollment)
        record.enrollment_type = _enum(enrollment.get("type") or "", DATE_TYPES)
    record.conditions = _lines(root, "condition")
    record.keywords = _lines(root, "keyword")
    record.interventions = [
        Intervention(
            type=_enum(_line(item, "intervention_type"), INTERVENTION_TYPES),
            name=_line(item, "intervention_name"),
            description=_line(item, "description"),
        )
        for item in root.findall("intervention")
    ]

    record.lead_sponsor = _line(root, "sponsors/lead_sponsor/agency")
    record.lead_sponsor_class = _enum(
        _line(root, "sponsors/lead_sponsor/agency_class"), AGENCY_CLASSES
    )
    record.collaborators = _lines(root, "sponsors/collaborator/agency")
    record.locations = [
        Location(
            facility=_line(site, "facility/name"),
            city=_line(site, "facility/address/city"),
            state=_line(site, "facility/address/state"),
            country=_line(site, "facility/address/country"),
            status=_enum(_line(site, "status"), STATUSES),
        )
        for site in root.findall("location")
    ]

    record.start_date, record.start_date_type = _typed_date(root, "start_date")
    record.primary_completion_date, record.primary_completion_date_type = _typed_date(
        root, "primary_completion_date"
    )
    record.completion_date, record.completion_date_type = _typed_date(root, "completion_date")
    record.verification_date = _date(root, "verification_date")
    record.first_posted = _date(root, "study_first_posted", "firstreceived_date")
    record.last_update_posted = _date(root, "last_update_posted", "lastchanged_date")
    record.results_first_posted = _date(root, "results_first_posted", "firstreceived_results_date")
    record.results_posted = root.find("clinical_results") is not None
    record.references = [
        Reference(
            pmid=_line(child, "PMID"),
            citation=_line(child, "citation"),
            type="RESULT" if child.tag == "results_reference" else "BACKGROUND",
        )
        for child in root
        if child.tag in ("reference", "results_reference")
    ]

    record.eligibility_criteria = _block(root, "eligibility/criteria")
    record.sex = _enum(_line(root, "eligibility/gender"), SEXES)
    record.minimum_age = _age(_line(root, "eligibility/minimum_age"))
    record.maximum_age = _age(_line(root, "eligibility/maximum_age"))
    record.healthy_volunteers = HEALTHY_VOLUNTEERS.get(
        _line(root, "eligibility/healthy_volunteers").lower()
    )

    return ParsedDocument(
        record=record,
        source_format=FORMAT_LEGACY_XML,
        raw=text,
        snapshot_date=_snapshot_date(root),
    )


def _parse_xml(text: str) -> Element:
    try:
        return SafeET.fromstring(text)
    except SafeET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc))
        reason = _EXPAT_REASONS.get(reason, reason)
        raise RecordError(
            f"not well-formed XML at line {line}, column {column + 1}: {reason}"
        ) from None
    except DefusedXmlException as exc:
        what = _FORBIDDEN.get(type(exc).__name__, "XML features")
        raise RecordError(
            f"refused: the document declares {what}, which registry records never do"
        ) from None


def _nct_id(root: Element) -> str:
    element = root.find("id_info/nct_id")
    if element is None:
        raise RecordError("no <nct_id> in <id_info>")
    value = _text(element)
    if not is_nct_id(value):
        raise RecordError(f"<nct_id> {value!r} is not an NCT number (NCT and eight digits)")
    return value


def _check_expected(nct_id: str, expected: str, aliases: list[str], source: str) -> None:
    if expected == nct_id:
        return
    claim = "file is named for" if nct_id_from_name(source) == expected else "expected"
    message = f"{claim} {expected} but holds {nct_id}"
    if expected in aliases:
        message += f" ({expected} is an alias of {nct_id})"
    raise RecordError(message)


def _snapshot_date(root: Element) -> str:
    element = root.find("required_header/download_date")
    if element is None or not _text(element):
        raise RecordError(
            "no <download_date> in <required_header>: cannot tell which day's registry this is"
        )
    value = _text(element)
    match = _DOWNLOAD_DATE.search(value)
    try:
        day = PartialDate.parse(match.group(1) if match else value)
    except DateParseError:
        day = None
    if day is None or day.precision != "day":
        raise RecordError(f"<download_date> does not give a day: {value!r}")
    return day.iso


def _read_design(root: Element, record: TrialRecord) -> None:
    """Design fields from `<study_design_info>`, or from the pre-2017 `<study_design>` sentence."""
    old = _old_design(_line(root, "study_design"))
    info = root.find("study_design_info")

    def pick(tag: str, label: str) -> str:
        value = _line(info, tag) if info is not None else ""
        return value or old.get(label, "")

    record.allocation = _enum(pick("allocation", "allocation"), ALLOCATIONS)
    model = re.sub(
        r"\s+assignment$", "", pick("intervention_model", "intervention model"), flags=re.I
    )
    record.intervention_model = _enum(model, INTERVENTION_MODELS)
    record.primary_purpose = _enum(pick("primary_purpose", "primary purpose"), PRIMARY_PURPOSES)
    record.masking, record.who_masked = _masking(pick("masking", "masking"))


def _old_design(text: str) -> dict[str, str]:
    """'Allocation: Randomized, Masking: Double Blind (Subject, Investigator), …' as a dict."""
    parts = {}
    for part in _DESIGN_PART.split(text):
        label, sep, value = part.partition(":")
        if sep:
            parts[label.strip().lower()] = value.strip()
    return parts


def _masking(text: str) -> tuple[str, list[str]]:
    if not text:
        return "", []
    match = _MASKING.match(text)
    level = match.group("level").replace("-", " ") if match else text
    masking = _enum(level, MASKINGS) if level else _enum(text, MASKINGS)
    who = []
    if match and match.group("who") and masking != "NONE":
        who = [_enum(name, WHO_MASKED) for name in match.group("who").split(",") if name.strip()]
    return masking, who


def _phases(text: str) -> list[str]:
    if not text:
        return []
    if text.lower() in PHASES:
        return [PHASES[text.lower()]]
    phases = []
    for part in text.split("/"):
        phase = _enum(part, PHASES)
        if phase and phase not in phases:
            phases.append(phase)
    return phases


def _typed_date(root: Element, tag: str) -> tuple[str, str]:
    element = root.find(tag)
    if element is None:
        return "", ""
    return _parse_date(element), _enum(element.get("type") or "", DATE_TYPES)


def _date(root: Element, tag: str, old_tag: str | None = None) -> str:
    element = root.find(tag)
    if element is None and old_tag:
        element = root.find(old_tag)
    return _parse_date(element) if element is not None else ""


def _parse_date(element: Element) -> str:
    value = _text(element)
    try:
        date = PartialDate.parse(value)
    except DateParseError:
        raise RecordError(f"<{element.tag}> is not a date: {value!r}") from None
    return date.iso if date else ""


def _whole_number(element: Element) -> int | None:
    value = _text(element)
    if not value:
        return None
    if not re.fullmatch(r"\d+", value):
        raise RecordError(f"<{element.tag}> is not a whole number: {value!r}")
    return int(value)


def _age(text: str) -> str:
    return "" if text.upper() == "N/A" else text


def _enum(text: str, table: dict[str, str]) -> str:
    """The API v2 name for a registry phrase; unknown phrases become UPPER_SNAKE, never vanish."""
    value = " ".join(text.split())
    if not value:
        return ""
    known = table.get(value.lower())
    if known:
        return known
    if value.upper() == "N/A":
        return "NA"
    return re.sub(r"[\W_]+", "_", value).strip("_").upper() or value


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _line(parent: Element, path: str) -> str:
    element = parent.find(path)
    return _text(element) if element is not None else ""


def _lines(parent: Element, path: str) -> list[str]:
    return [value for value in (_text(element) for element in parent.findall(path)) if value]


def _block(parent: Element, path: str) -> str:
    """A `<textblock>` as its author laid it out, without the XML's indentation.

    Exports from 2023 carry carriage returns as `&#xD;`, which survive XML line-end
    normalisation; they are turned into plain newlines so that line endings never count as
    a change.
    """
    element = parent.find(f"{path}/textblock")
    if element is None:
        element = parent.find(path)
    if element is None:
        return ""
    text = "".join(element.itertext()).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in textwrap.dedent(text.expandtabs(8)).split("\n")]
    return "\n".join(lines).strip("\n")
