"""The normalised shape of one registry record, whatever format it came in.

Every parser (legacy `clinical_study` XML, API v2 JSON) produces a `TrialRecord`. Its
`to_dict()` is what a `TrialVersion` stores, what its content hash is computed over and
what field-level diffs compare, so the same registry record read from two formats or two
paths is recognised as the same version.

Enumerations use the API v2 names (`RECRUITING`, `PHASE1`, `ESTIMATED`…); dates are ISO
partial dates at the registry's own precision ("2011-12", never "2011-12-01").
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from core.canonical import content_hash

FORMAT_LEGACY_XML = "legacy_xml"
FORMAT_API_V2 = "api_v2"


class RecordError(ValueError):
    """A document that cannot become a TrialRecord; the message says why, in plain words."""


@dataclass
class Location:
    facility: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    status: str = ""  # site recruitment status, API v2 enum, "" when not given


@dataclass
class Intervention:
    type: str = ""  # API v2 enum: DRUG, BIOLOGICAL, DEVICE, PROCEDURE, …
    name: str = ""
    description: str = ""


@dataclass
class Reference:
    pmid: str = ""
    citation: str = ""
    type: str = ""  # RESULT, BACKGROUND or DERIVED


@dataclass
class TrialRecord:
    nct_id: str
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    brief_summary: str = ""
    overall_status: str = ""
    last_known_status: str = ""
    why_stopped: str = ""
    phases: list[str] = field(default_factory=list)
    study_type: str = ""
    allocation: str = ""
    intervention_model: str = ""
    primary_purpose: str = ""
    masking: str = ""
    who_masked: list[str] = field(default_factory=list)
    enrollment: int | None = None
    enrollment_type: str = ""  # ESTIMATED or ACTUAL, "" when not given
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    lead_sponsor: str = ""
    lead_sponsor_class: str = ""
    collaborators: list[str] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    start_date: str = ""
    start_date_type: str = ""
    primary_completion_date: str = ""
    primary_completion_date_type: str = ""
    completion_date: str = ""
    completion_date_type: str = ""
    results_posted: bool = False
    results_first_posted: str = ""
    references: list[Reference] = field(default_factory=list)
    verification_date: str = ""
    first_posted: str = ""
    last_update_posted: str = ""
    eligibility_criteria: str = ""
    sex: str = ""  # ALL, FEMALE, MALE
    minimum_age: str = ""  # as the registry writes it: "15 Years"
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    secondary_ids: list[str] = field(default_factory=list)
    nct_aliases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The record as plain data: what a version stores and its content hash is taken over.

        Equal to `dataclasses.asdict(self)` (a test holds them equal on every real record),
        written out because asdict's generic deep copy was a third of the bulk import's
        parsing time.
        """
        data = {}
        for name in RECORD_FIELDS:
            value = getattr(self, name)
            if name in _NESTED:
                value = [{key: getattr(item, key) for key in _NESTED[name]} for item in value]
            elif type(value) is list:
                value = list(value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrialRecord:
        data = dict(data)
        data["interventions"] = [Intervention(**item) for item in data.get("interventions", [])]
        data["locations"] = [Location(**item) for item in data.get("locations", [])]
        data["references"] = [Reference(**item) for item in data.get("references", [])]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})

    def content_hash(self) -> str:
        return content_hash(self.to_dict())


RECORD_FIELDS = tuple(item.name for item in dataclass_fields(TrialRecord))
LOCATION_FIELDS = tuple(item.name for item in dataclass_fields(Location))
_NESTED = {
    "interventions": tuple(item.name for item in dataclass_fields(Intervention)),
    "locations": LOCATION_FIELDS,
    "references": tuple(item.name for item in dataclass_fields(Reference)),
}


@dataclass
class ParsedDocument:
    """A record plus what the document says about itself (when it was taken, and from where)."""

    record: TrialRecord
    source_format: str
    raw: str
    snapshot_date: str = ""  # ISO day the registry produced this document ("download_date")
    data_timestamp: str = ""  # API v2 /version dataTimestamp, when known


def decode_document(raw: bytes | str) -> str:
    """A registry document as text: UTF-8 only, with a plain reason when it is not."""
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise RecordError("not UTF-8 text: it contains NUL bytes (UTF-16 or a binary file?)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end == len(raw) and exc.reason == "unexpected end of data":
                raise RecordError(
                    "not UTF-8 text: the document ends inside a character (cut short?)"
                ) from None
            raise RecordError(
                f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8"
            ) from None
    elif isinstance(raw, str):
        text = raw
        if "\x00" in text:
            raise RecordError("not UTF-8 text: it contains NUL characters")
    else:
        raise RecordError(f"cannot read a {type(raw).__name__} as a study: give bytes, str or dict")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise RecordError("empty document")
    return text


def deflate_document(text: str) -> bytes:
    """A raw document as stored: its UTF-8 bytes as a raw DEFLATE stream (RFC 1951).

    Raw documents are kept for history but never read on a page; stored as text they were
    three quarters of the database (ADR 0005). Raw DEFLATE is what a zip archive holds, so
    the bulk import stores an archive member's own compressed bytes without compressing
    again; level 1 because the sync compresses on the writer's path.
    """
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(text.encode("utf-8")) + packer.flush()


def inflate_document(data: bytes | memoryview) -> str:
    """The stored raw document's text again (`deflate_document` undone)."""
    unpacker = zlib.decompressobj(-15)
    return (unpacker.decompress(bytes(data)) + unpacker.flush()).decode("utf-8")
