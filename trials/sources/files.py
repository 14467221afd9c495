"""Find legacy `clinical_study` documents in files, folders and bulk `.jsonl.gz` archives.

Iteration never parses: it only hands out raw documents with a name to report them by and the
NCT ID their name claims, so that one unreadable document becomes one rejection instead of
stopping an import of thousands.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trials.records import FORMAT_API_V2, FORMAT_LEGACY_XML
from trials.sources.legacy_xml import nct_id_from_name
from trials.sources.zip_members import (
    ArchiveError,
    Member,
    count_members,
    iter_members,
    read_member,
)

BULK_SUFFIXES = (".jsonl.gz", ".jsonl")
ZIP_SUFFIX = ".zip"


@dataclass(frozen=True)
class SourceDocument:
    """One document to parse, named for messages.

    `problem` is set when the document could not even be taken out of its container (a bulk
    line that is not JSON, a damaged archive); the caller records it as a rejection of `name`.
    """

    name: str
    raw: bytes
    expected_nct_id: str | None = None
    problem: str = ""
    format: str = FORMAT_LEGACY_XML
    snapshot_date: str = ""  # for formats that do not date themselves (API v2 JSON)


def iter_legacy_sources(paths: list[str]) -> Iterator[SourceDocument]:
    """Documents from XML files, folders (every *.xml below, by path) and bulk .jsonl.gz files.

    Every path is checked before anything is yielded, so a typo fails at once with
    FileNotFoundError rather than after part of an import.
    """
    resolved = [Path(path) for path in paths]
    missing = [str(path) for path in resolved if not path.exists()]
    if missing:
        raise FileNotFoundError(errno.ENOENT, "No such file or folder", ", ".join(missing))
    return _iterate(resolved)


def _iterate(paths: list[Path]) -> Iterator[SourceDocument]:
    for path in paths:
        if path.is_dir():
            files = sorted(
                item for item in path.rglob("*") if item.suffix.lower() == ".xml" and item.is_file()
            )
            for item in files:
                yield _file_document(item)
        elif path.name.lower().endswith(BULK_SUFFIXES):
            yield from _bulk_documents(path)
        elif path.name.lower().endswith(ZIP_SUFFIX):
            yield from _zip_documents(path)
        else:
            yield _file_document(path)


def _file_document(path: Path) -> SourceDocument:
    name = str(path)
    expected = nct_id_from_name(path.name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return SourceDocument(name, b"", expected, problem=f"cannot read the file: {exc.strerror}")
    return SourceDocument(name, raw, expected)


def _bulk_documents(path: Path) -> Iterator[SourceDocument]:
    """One document per line of `{"nct_id", "path", "xml"}`, read line by line."""
    number = 0
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield _bulk_line(path, number, line)
    except (OSError, EOFError, zlib.error) as exc:
        yield SourceDocument(
            f"{path}:line {number + 1}",
            b"",
            problem=f"line {number + 1}: the archive cannot be read any further ({exc})",
        )


def _bulk_line(path: Path, number: int, line: bytes) -> SourceDocument:
    fallback = f"{path}:line {number}"
    try:
        item = json.loads(line)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            reason = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        else:
            reason = "not UTF-8"
        return SourceDocument(fallback, line, problem=f"line {number}: not valid JSON ({reason})")
    if not isinstance(item, dict) or not isinstance(item.get("xml"), str):
        return SourceDocument(
            fallback, line, problem=f'line {number}: no "xml" text in the JSON object'
        )
    inner = item.get("path") if isinstance(item.get("path"), str) else ""
    claimed = item.get("nct_id")
    expected = claimed.strip().upper() if isinstance(claimed, str) and claimed.strip() else None
    return SourceDocument(
        name=f"{path}:{inner}" if inner else fallback,
        raw=item["xml"].encode("utf-8", "surrogatepass"),
        expected_nct_id=expected or nct_id_from_name(inner),
    )


def count_sources(paths: list[str]) -> int | None:
    """How many documents the paths hold, when that is cheap to know (else None).

    A zip's central directory lists its members, so the registry's bulk download can show a
    progress bar with an ETA without reading 10 GB first (about a second for 600,000).
    """
    total = 0
    for path in map(Path, paths):
        if path.is_dir():
            total += sum(1 for item in path.rglob("*.xml") if item.is_file())
        elif path.name.lower().endswith(ZIP_SUFFIX):
            try:
                total += count_members(path, predicate=_is_study_member)
            except (OSError, ArchiveError):
                return None
        elif path.name.lower().endswith(BULK_SUFFIXES):
            return None
        else:
            total += 1
    return total


def _is_study_member(member: Member) -> bool:
    return not member.is_dir and member.name.lower().endswith(".json")


def _zip_documents(path: Path) -> Iterator[SourceDocument]:
    """The registry's bulk download (`ctg-studies.json.zip`): one API v2 JSON file per study.

    Members are read one at a time and the archive's directory is walked entry by entry
    (`zip_members`), so memory stays flat whatever the archive's size. The registry gives no
    date inside a study's JSON; the member's timestamp (when the registry wrote the archive)
    is the record's date. The bulk path (`trials.bulk`) reads members the same way, with the
    same reasons for the ones it cannot read.
    """
    try:
        members = iter_members(path)
        fd = os.open(path, os.O_RDONLY)
    except (OSError, ArchiveError) as exc:
        yield unreadable_archive(path, exc)
        return
    try:
        while True:
            try:
                member = next(members)
            except StopIteration:
                return
            except (OSError, ArchiveError) as exc:
                yield unreadable_archive(path, exc)
                return
            if not _is_study_member(member):
                continue
            name = f"{path}:{member.name}"
            expected = nct_id_from_name(Path(member.name).name)
            try:
                raw = read_member(fd, member)
            except (OSError, ArchiveError) as exc:
                yield SourceDocument(
                    name,
                    b"",
                    expected,
                    problem=f"cannot be read from the archive ({exc})",
                    format=FORMAT_API_V2,
                )
                continue
            yield SourceDocument(
                name, raw, expected, format=FORMAT_API_V2, snapshot_date=member.date
            )
    finally:
        os.close(fd)


def unreadable_archive(path: Path, exc: Exception) -> SourceDocument:
    """The rejection for an archive (or the rest of one) whose directory cannot be read."""
    return SourceDocument(
        str(path), b"", problem=f"not a readable zip archive ({exc})", format=FORMAT_API_V2
    )
