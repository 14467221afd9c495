"""The parsing half of the bulk import, run in worker processes (no database, no Django setup).

A worker reads a chunk of archive members by their directory entries, parses each with the
same `parse_study` the per-document path uses, and returns what the writer needs ready to
insert: the raw document compressed (the member's own DEFLATE bytes when it has them), the
normalised fields as the canonical JSON a version stores, their content hash and the trial's
column values. Parsing, hashing and JSON encoding are most of an import's CPU time; doing
them here lets the writer spend its core on the database.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import PurePosixPath
from typing import NamedTuple

from core.canonical import canonical_json, hash_bytes
from trials.records import (
    ParsedDocument,
    RecordError,
    TrialRecord,
    deflate_document,
    inflate_document,
)
from trials.sources.api_v2 import parse_study
from trials.sources.legacy_xml import nct_id_from_name
from trials.sources.zip_members import ArchiveError, Member, read_member_deflated

EXCERPT_BYTES = 2000
_BOM = "\ufeff".encode()


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
    source_format: str
    raw_deflated: bytes
    content_hash: str
    fields_json: str
    snapshot_date: str
    data_timestamp: str
    registry_last_update: str
    trial_values: tuple  # in the order of the `columns` the parser was given

    @property
    def excerpt(self) -> bytes:
        """The document's first bytes, kept with a rejection (only computed for one)."""
        return zlib.decompressobj(-15).decompress(self.raw_deflated, EXCERPT_BYTES)

    def document(self) -> ParsedDocument:
        """The ParsedDocument again, for the per-document path (`actions.store_document`)."""
        return ParsedDocument(
            record=TrialRecord.from_dict(json.loads(self.fields_json)),
            source_format=self.source_format,
            raw=inflate_document(self.raw_deflated),
            snapshot_date=self.snapshot_date,
            data_timestamp=self.data_timestamp,
        )


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
            raw, deflated = read_member_deflated(self.fd, member)
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
        data = record.to_dict()
        canonical = canonical_json(data)
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
            source_format=document.source_format,
            raw_deflated=(
                deflated
                if deflated is not None and not raw.startswith(_BOM)
                else deflate_document(document.raw)
            ),
            content_hash=hash_bytes(canonical),
            fields_json=canonical.decode("utf-8"),
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
