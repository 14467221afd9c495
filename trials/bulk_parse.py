"""The parsing half of the bulk import, run in worker processes (no database, no Django setup).

A worker reads a chunk of archive members by their directory entries, parses each with the
same `parse_study` the per-document path uses, and returns what the writer needs ready to
insert: the normalised fields as the JSON text Django would store, their content hash, the
trial's column values and its site rows. Parsing, hashing and JSON encoding are most of an
import's CPU time; doing them here lets the writer spend its core on the database.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields as dataclass_fields
from pathlib import PurePosixPath
from typing import NamedTuple

from trials.records import (
    Intervention,
    Location,
    ParsedDocument,
    RecordError,
    Reference,
    TrialRecord,
    hash_fields,
)
from trials.sources.api_v2 import parse_study
from trials.sources.legacy_xml import nct_id_from_name
from trials.sources.zip_members import ArchiveError, Member, read_member

EXCERPT_BYTES = 2000
RECORD_FIELDS = tuple(item.name for item in dataclass_fields(TrialRecord))
LOCATION_FIELDS = tuple(item.name for item in dataclass_fields(Location))
_NESTED = {
    name: tuple(item.name for item in dataclass_fields(kind))
    for name, kind in (
        ("interventions", Intervention),
        ("locations", Location),
        ("references", Reference),
    )
}


class Rejected(NamedTuple):
    """A member that cannot be stored: quarantined with the reason by the writer."""

    index: int
    source: str
    reason: str
    nct_hint: str
    excerpt: bytes


class Parsed(NamedTuple):
    """A parsed study, with every value the writer inserts already computed."""

    index: int
    source: str
    nct_id: str
    nct_hint: str
    excerpt: bytes
    source_format: str
    raw: str
    content_hash: str
    fields_json: str
    snapshot_date: str
    data_timestamp: str
    registry_last_update: str
    trial_values: tuple  # in the order of the `columns` the parser was given

    def document(self) -> ParsedDocument:
        """The ParsedDocument again, for the per-document path (`actions.store_document`)."""
        return ParsedDocument(
            record=TrialRecord.from_dict(json.loads(self.fields_json)),
            source_format=self.source_format,
            raw=self.raw,
            snapshot_date=self.snapshot_date,
            data_timestamp=self.data_timestamp,
        )


def record_fields(record: TrialRecord) -> dict:
    """`record.to_dict()` without `dataclasses.asdict`'s deep copy (a third of the parse time).

    Same keys in the same order and equal values, so the JSON text and content hash are the
    same as the per-document path's (a test holds the two equal).
    """
    data = {name: getattr(record, name) for name in RECORD_FIELDS}
    for name, keys in _NESTED.items():
        data[name] = [{key: getattr(item, key) for key in keys} for item in data[name]]
    return data


def is_study_member(member: Member) -> bool:
    return not member.is_dir and member.name.lower().endswith(".json")


class ChunkParser:
    """Parses members of one archive; `columns` are (record field, is JSON, keeps None)."""

    def __init__(self, path: str, columns: list[tuple[str, bool, bool]]):
        self.path = path
        self.columns = columns
        self.fd = os.open(path, os.O_RDONLY)

    def close(self) -> None:
        os.close(self.fd)

    def __call__(self, members: list[Member]) -> list[Parsed | Rejected]:
        return [self.parse(member) for member in members]

    def parse(self, member: Member) -> Parsed | Rejected:
        source = f"{self.path}:{member.name}"
        expected = nct_id_from_name(PurePosixPath(member.name).name)
        try:
            raw = read_member(self.fd, member)
        except ArchiveError as exc:
            return Rejected(
                member.index,
                source,
                f"cannot be read from the archive ({exc})",
                expected or "",
                b"",
            )
        try:
            document = parse_study(
                raw, source=source, expected_nct_id=expected, snapshot_date=member.date
            )
        except RecordError as exc:
            return Rejected(member.index, source, str(exc), expected or "", raw[:EXCERPT_BYTES])
        record = document.record
        data = record_fields(record)
        values = []
        for name, is_json, keeps_none in self.columns:
            value = data[name]
            if value is None and not keeps_none:
                value = ""
            values.append(json.dumps(value) if is_json else value)
        return Parsed(
            index=member.index,
            source=source,
            nct_id=record.nct_id,
            nct_hint=expected or "",
            excerpt=raw[:EXCERPT_BYTES],
            source_format=document.source_format,
            raw=document.raw,
            content_hash=hash_fields(data),
            fields_json=json.dumps(data),
            snapshot_date=document.snapshot_date,
            data_timestamp=document.data_timestamp,
            registry_last_update=record.last_update_posted,
            trial_values=tuple(values),
        )


_parser: ChunkParser | None = None


def init_worker(path: str, columns: list[tuple[str, bool, bool]]) -> None:
    global _parser
    _parser = ChunkParser(path, columns)


def parse_chunk(members: list[Member]) -> list[Parsed | Rejected]:
    return _parser(members)
