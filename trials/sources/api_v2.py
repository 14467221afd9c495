"""Read one ClinicalTrials.gov API v2 study (JSON) into the same TrialRecord as the legacy XML.

The daily sync reads this format; history before 2023 exists only as legacy XML. A trial's
versions are compared field by field across both, so every value is normalised exactly as
`legacy_xml` normalises it: single-line text has its whitespace collapsed, text blocks keep
their lines without indentation or trailing blanks, dates stay ISO partial dates at the
registry's precision. The enumerations are already the API v2 names, so they pass through
unchanged (an unknown value is kept, never dropped, as the XML parser keeps unknown phrases).

What this parser deliberately does *not* do is make the two formats' text identical. The
registry itself writes some fields differently in each, and those differences are real:

- `eligibility_criteria` and `brief_summary` are "markup" fields in API v2. The XML layout
  ("  -  " bullets, hard-wrapped lines with a five-space hanging indent) became Markdown
  ("* " bullets, one line per paragraph or item). The only thing
  undone here is Markdown's backslash escaping (`\\<126 mg/dl` is the text `<126 mg/dl`), which
  is how the format spells a character, as `&lt;` is in XML; bullets and line breaks are the
  registry's text and are kept.
- `references`: XML knew only `<reference>` (read as BACKGROUND) and `<results_reference>`
  (RESULT); API v2 also says DERIVED for citations the registry found itself, and lists
  references in its own order.
- Values the XML left out (no `agency_class`, no date `type`) may be present in API v2.

So the first API v2 version of a trial whose history came from XML records these as changes.

Input is untrusted: a file, a page of search results, or a response that may have been cut
short. Everything that keeps a document from being a study ends in a RecordError with a plain
reason, naming the field path where there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from typing import Any

import orjson

from core.identifiers import is_nct_id
from trials.dates import DateParseError, PartialDate
from trials.records import (
    FORMAT_API_V2,
    LOCATION_FIELDS,
    Intervention,
    Location,
    ParsedDocument,
    RecordError,
    Reference,
    TrialRecord,
    decode_document,
)
from trials.sources.legacy_xml import nct_id_from_name

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATA_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$")
_PARTIAL_TOKEN = re.compile(r"t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?|[-+.\deE]*")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def parse_study(
    raw: bytes | str | dict,
    *,
    source: str,
    expected_nct_id: str | None = None,
    snapshot_date: str = "",
    data_timestamp: str = "",
) -> ParsedDocument:
    """Turn one API v2 study into a ParsedDocument, or raise RecordError.

    `raw` is the body of `GET /studies/{nctId}` (bytes or text), or one element of a search
    page's `studies` list (already a dict). `source` names it in messages ("NCT….json",
    "GET /studies page 3"). `expected_nct_id`, when given, must be the study's own NCT ID: the
    registry answers for an alias with the trial that absorbed it, and files get misnamed.
    Leave it None to key the record by its content, so the same study read from two paths is
    stored once under its real ID.

    The record's date is the registry's, never the day we happened to read it: `snapshot_date`
    (ISO day) if the caller knows it, else the day of `data_timestamp` (`GET /version`
    `dataTimestamp`), else the document's own `derivedSection.miscInfoModule.versionHolder`,
    the registry's data version it was cut from. Without any of them there is no safe place
    for the record in the trial's history, so it is refused.
    """
    study, text = _load(raw)
    protocol = _object(study, "protocolSection", "", required=True)
    identification = _object(protocol, "identificationModule", "protocolSection", required=True)
    nct_id = _nct_id(identification)
    aliases = _Reader(identification, "protocolSection.identificationModule").lines("nctIdAliases")
    if expected_nct_id:
        _check_expected(nct_id, expected_nct_id.strip().upper(), aliases, source)
    snapshot = _snapshot_date(study, snapshot_date, data_timestamp)

    record = TrialRecord(nct_id=nct_id, nct_aliases=aliases)
    reader = _Reader(protocol)
    ident = reader.child("identificationModule")
    record.brief_title = ident.line("briefTitle")
    record.official_title = ident.line("officialTitle")
    record.acronym = ident.line("acronym")
    record.secondary_ids = [
        value for item in ident.objects("secondaryIdInfos") if (value := item.line("id"))
    ]

    status = reader.child("statusModule")
    record.overall_status = status.enum("overallStatus")
    record.last_known_status = status.enum("lastKnownStatus")
    record.why_stopped = status.line("whyStopped")
    record.start_date, record.start_date_type = status.dated("startDateStruct")
    record.primary_completion_date, record.primary_completion_date_type = status.dated(
        "primaryCompletionDateStruct"
    )
    record.completion_date, record.completion_date_type = status.dated("completionDateStruct")
    record.verification_date = status.date("statusVerifiedDate")
    record.first_posted = status.dated("studyFirstPostDateStruct")[0]
    record.last_update_posted = status.dated("lastUpdatePostDateStruct")[0]
    record.results_first_posted = status.dated("resultsFirstPostDateStruct")[0]

    design = reader.child("designModule")
    record.study_type = design.enum("studyType")
    record.phases = _unique(design.enums("phases"))
    info = design.child("designInfo")
    record.allocation = info.enum("allocation")
    record.intervention_model = info.enum("interventionModel")
    record.primary_purpose = info.enum("primaryPurpose")
    masking = info.child("maskingInfo")
    record.masking = masking.enum("masking")
    record.who_masked = masking.enums("whoMasked") if record.masking != "NONE" else []
    enrollment = design.child("enrollmentInfo")
    record.enrollment = enrollment.whole_number("count")
    record.enrollment_type = enrollment.enum("type")

    conditions = reader.child("conditionsModule")
    record.conditions = conditions.lines("conditions")
    record.keywords = conditions.lines("keywords")

    record.interventions = [
        Intervention(
            type=item.enum("type"), name=item.line("name"), description=item.line("description")
        )
        for item in reader.child("armsInterventionsModule").objects("interventions")
    ]

    sponsors = reader.child("sponsorCollaboratorsModule")
    lead = sponsors.child("leadSponsor")
    record.lead_sponsor = lead.line("name")
    record.lead_sponsor_class = lead.enum("class")
    record.collaborators = [
        name for item in sponsors.objects("collaborators") if (name := item.line("name"))
    ]

    record.locations = _locations(reader.child("contactsLocationsModule"))
    record.references = [
        Reference(pmid=item.line("pmid"), citation=item.line("citation"), type=item.enum("type"))
        for item in reader.child("referencesModule").objects("references")
    ]

    eligibility = reader.child("eligibilityModule")
    record.eligibility_criteria = eligibility.block("eligibilityCriteria")
    record.sex = eligibility.enum("sex")
    record.minimum_age = _age(eligibility.line("minimumAge"))
    record.maximum_age = _age(eligibility.line("maximumAge"))
    record.healthy_volunteers = eligibility.flag("healthyVolunteers")
    record.brief_summary = reader.child("descriptionModule").block("briefSummary")
    record.results_posted = bool(_Reader(study, "").flag("hasResults"))

    return ParsedDocument(
        record=record,
        source_format=FORMAT_API_V2,
        raw=text,
        snapshot_date=snapshot,
        data_timestamp=data_timestamp.strip(),
    )


def _load(raw: bytes | str | dict) -> tuple[dict, str]:
    """The study object and the text to keep as the raw document."""
    if isinstance(raw, dict):
        data: Any = raw
        text = json.dumps(raw, ensure_ascii=False)
    else:
        text = decode_document(raw)
        data = _parse_json(text, raw if isinstance(raw, bytes) else text)
    if isinstance(data, list):
        raise RecordError(f"the JSON is a list of {len(data)} items, not a study object")
    if not isinstance(data, dict):
        raise RecordError(f"the JSON is {_kind(data)}, not a study object")
    if "protocolSection" not in data:
        if isinstance(data.get("studies"), list):
            raise RecordError(
                "this is a page of search results (a `studies` list), not one study: "
                "parse each element of `studies`"
            )
        keys = ", ".join(sorted(data)[:6]) or "none"
        raise RecordError(f"the JSON object is not a study: no protocolSection (its keys: {keys})")
    return data, text


def _parse_json(text: str, raw: bytes | str) -> Any:
    """The parsed JSON of `text` (whose bytes, when we have them, are `raw`).

    orjson reads it first, about twice as fast; whatever orjson refuses (invalid JSON, but
    also integers beyond 64 bits, lone surrogates, a leading byte-order mark) is read again
    by the standard library, which gives the result or the exact complaint. Both refuse NaN
    and Infinity, which are not JSON.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Unterminated string") or _PARTIAL_TOKEN.fullmatch(
            text[exc.pos :].rstrip()
        ):
            reason = "the document ends before its JSON is complete (cut short?)"
        else:
            reason = exc.msg
        raise RecordError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {reason}"
        ) from None
    except RecursionError:
        raise RecordError("refused: the JSON is nested too deeply to be a study") from None


def _refuse_constant(name: str) -> Any:
    raise RecordError(f"not valid JSON: {name} is not a JSON value")


def _nct_id(identification: dict) -> str:
    value = identification.get("nctId")
    if value is None or value == "":
        raise RecordError("no nctId in protocolSection.identificationModule")
    if not isinstance(value, str):
        raise RecordError(f"nctId is {_kind(value)}, not text")
    value = value.strip()
    if not is_nct_id(value):
        raise RecordError(f"nctId {value!r} is not an NCT number (NCT and eight digits)")
    return value


def _check_expected(nct_id: str, expected: str, aliases: list[str], source: str) -> None:
    if expected == nct_id:
        return
    base = re.split(r"[\\/:]", source)[-1]
    named = "." in base and nct_id_from_name(base) == expected
    claim = "file is named for" if named else "expected"
    message = f"{claim} {expected} but holds {nct_id}"
    if expected in aliases:
        message += f" ({expected} is an alias of {nct_id})"
    raise RecordError(message)


def _snapshot_date(study: dict, snapshot_date: str, data_timestamp: str) -> str:
    snapshot_date = (snapshot_date or "").strip()
    data_timestamp = (data_timestamp or "").strip()
    if snapshot_date:
        return _iso_day(snapshot_date, "snapshot_date")
    if data_timestamp:
        match = _DATA_TIMESTAMP.match(data_timestamp)
        if not match:
            raise RecordError(f"data_timestamp {data_timestamp!r} is not a registry timestamp")
        return _iso_day(match.group(1), "data_timestamp")
    misc = _Reader(study, "").child("derivedSection").child("miscInfoModule")
    version_holder = misc.line("versionHolder")
    if version_holder:
        return _iso_day(version_holder, "derivedSection.miscInfoModule.versionHolder")
    raise RecordError(
        "no snapshot date: the document does not say which day's registry it is "
        "(no derivedSection.miscInfoModule.versionHolder); pass the day of the "
        "registry's dataTimestamp (GET /version)"
    )


def _iso_day(value: str, what: str) -> str:
    try:
        if not _ISO_DAY.match(value):
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RecordError(f"{what} {value!r} is not a day (YYYY-MM-DD)") from None


class _Reader:
    """Typed access to one JSON object; every complaint names the path of the value."""

    def __init__(self, data: dict, path: str = "protocolSection"):
        self.data = data
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def child(self, key: str) -> _Reader:
        return _Reader(_object(self.data, key, self.path), self._where(key))

    def objects(self, key: str) -> list[_Reader]:
        items = _list(self.data, key, self.path)
        readers = []
        for index, item in enumerate(items):
            where = f"{self._where(key)}[{index}]"
            if not isinstance(item, dict):
                raise RecordError(f"{where} is {_kind(item)}, not an object")
            readers.append(_Reader(item, where))
        return readers

    def raw_text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise RecordError(f"{self._where(key)} is {_kind(value)}, not text")
        return value

    def line(self, key: str) -> str:
        return _collapse(self.raw_text(key))

    def lines(self, key: str) -> list[str]:
        values = []
        for index, value in enumerate(_list(self.data, key, self.path)):
            if not isinstance(value, str):
                raise RecordError(f"{self._where(key)}[{index}] is {_kind(value)}, not text")
            if value := _collapse(value):
                values.append(value)
        return values

    def enum(self, key: str) -> str:
        return self.line(key)

    def enums(self, key: str) -> list[str]:
        return self.lines(key)

    def block(self, key: str) -> str:
        return _block(self.raw_text(key))

    def date(self, key: str) -> str:
        return _partial_date(self.line(key), self._where(key))

    def dated(self, key: str) -> tuple[str, str]:
        struct = self.child(key)
        return struct.date("date"), struct.enum("type")

    def whole_number(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RecordError(f"{self._where(key)} is not a whole number: {value!r}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise RecordError(f"{self._where(key)} is not true or false: {value!r}")


def _object(parent: dict, key: str, path: str, *, required: bool = False) -> dict:
    where = f"{path}.{key}" if path else key
    value = parent.get(key)
    if value is None:
        if required:
            raise RecordError(f"no {where}: not a registry study record")
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"{where} is {_kind(value)}, not an object")
    return value


def _list(parent: dict, key: str, path: str) -> list:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        where = f"{path}.{key}" if path else key
        raise RecordError(f"{where} is {_kind(value)}, not a list")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _partial_date(value: str, where: str) -> str:
    if not value:
        return ""
    try:
        date = PartialDate.from_iso(value)
    except DateParseError:
        raise RecordError(f"{where} is not a date: {value!r}") from None
    return date.iso if date else ""


def _locations(module: _Reader) -> list[Location]:
    """The study's sites: what `_Reader.objects` and `line` would give, read directly.

    A multi-site study lists hundreds of sites, five values each; through a `_Reader` per
    site and a call per value this was over half of the bulk import's parsing time. Any
    value that is not plain text is handed back to the `_Reader` for its exact complaint.
    """
    sites = []
    for index, site in enumerate(_list(module.data, "locations", module.path)):
        if type(site) is not dict:
            module.objects("locations")
        values = []
        for key in LOCATION_FIELDS:
            value = site.get(key)
            if value is None:
                values.append("")
            elif type(value) is str:
                values.append(_collapse(value))
            else:
                _Reader(site, f"{module._where('locations')}[{index}]").line(key)
        sites.append(Location(*values))
    return sites


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _block(text: str) -> str:
    """A Markdown text field as plain lines, laid out the way `legacy_xml._block` lays out XML."""
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in textwrap.dedent(text.expandtabs(8)).split("\n")]
    return "\n".join(lines).strip("\n")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _age(text: str) -> str:
    return "" if text.upper() == "N/A" else text
