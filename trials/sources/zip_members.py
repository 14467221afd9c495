"""Read a zip archive member by member, with memory that does not grow with the archive.

`zipfile.ZipFile` reads the whole central directory into `ZipInfo` objects before the first
member can be read: for the registry's bulk download (about 560,000 studies) that is a few
hundred megabytes held for the whole import, and again in every worker process. Here the
directory is walked entry by entry from disk, an entry is a small tuple that can be sent to
another process, and a member is read by its offset with one `pread`, so any number of
processes can read the same archive at once.

Only what the registry's archive needs is supported (stored and deflated members, Zip64);
anything else becomes a plain reason for that one member, never a crash of the whole import.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from typing import NamedTuple

_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\005\006"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_ENTRY = struct.Struct("<4s4B4HL2L5H2L")
_ENTRY_SIGNATURE = b"PK\001\002"
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\003\004"
_MAX_COMMENT = 1 << 16
_UTF8_NAME = 0x800
_ENCRYPTED = 0x1
STORED = 0
DEFLATED = 8


class ArchiveError(Exception):
    """The archive, or its list of members, cannot be read; the message says why."""


class Member(NamedTuple):
    """One entry of the archive's central directory, small enough to send to a worker."""

    index: int  # position in the directory: a resume point
    name: str
    offset: int  # of the member's local header, in the file
    compressed_size: int
    size: int
    crc: int
    method: int
    flags: int
    date: str  # ISO day of the member's timestamp

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


class Directory(NamedTuple):
    count: int
    offset: int  # of the first directory entry, in the file
    size: int
    concat: int  # bytes in front of the archive (a self-extractor's stub)


def read_directory(path) -> Directory:
    """Where the central directory is, from the end-of-central-directory record(s)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        file_size = handle.tell()
        tail_size = min(file_size, _EOCD.size + _MAX_COMMENT)
        handle.seek(file_size - tail_size)
        tail = handle.read(tail_size)
        start = tail.rfind(_EOCD_SIGNATURE)
        if start < 0 or len(tail) - start < _EOCD.size:
            raise ArchiveError("no end-of-archive record")
        eocd_at = file_size - tail_size + start
        (_, _, _, _, count, dir_size, dir_offset, _) = _EOCD.unpack_from(tail, start)
        concat = eocd_at - dir_size - dir_offset
        if eocd_at >= _ZIP64_LOCATOR.size:
            handle.seek(eocd_at - _ZIP64_LOCATOR.size)
            locator = handle.read(_ZIP64_LOCATOR.size)
            if locator[:4] == _ZIP64_LOCATOR_SIGNATURE:
                record_at = eocd_at - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
                if record_at < 0:
                    raise ArchiveError("its Zip64 record is missing")
                handle.seek(record_at)
                record = handle.read(_ZIP64_EOCD.size)
                if record[:4] != _ZIP64_EOCD_SIGNATURE:
                    raise ArchiveError("its Zip64 record is damaged")
                fields = _ZIP64_EOCD.unpack(record)
                count, dir_size, dir_offset = fields[7], fields[8], fields[9]
                concat = record_at - dir_size - dir_offset
    if concat < 0 or dir_offset + concat + dir_size > file_size:
        raise ArchiveError("its directory lies outside the file (cut short?)")
    return Directory(count=count, offset=dir_offset + concat, size=dir_size, concat=concat)


def iter_members(path, *, start: int = 0) -> Iterator[Member]:
    """Every directory entry from `start` on, in the archive's order, read as it is needed.

    Raises ArchiveError when the archive cannot be opened or its directory breaks off; the
    entries before the break have been yielded by then.
    """
    directory = read_directory(path)
    with open(path, "rb", buffering=1 << 20) as handle:
        handle.seek(directory.offset)
        for index in range(directory.count):
            fixed = handle.read(_ENTRY.size)
            if len(fixed) < _ENTRY.size or fixed[:4] != _ENTRY_SIGNATURE:
                raise ArchiveError(
                    f"the archive's list of members breaks off at entry {index + 1} "
                    f"of {directory.count}"
                )
            (
                _,
                _,
                _,
                _,
                _,
                flags,
                method,
                _,
                date,
                crc,
                compressed_size,
                size,
                name_length,
                extra_length,
                comment_length,
                _,
                _,
                _,
                offset,
            ) = _ENTRY.unpack(fixed)
            variable = handle.read(name_length + extra_length + comment_length)
            if len(variable) < name_length + extra_length + comment_length:
                raise ArchiveError(
                    f"the archive's list of members breaks off at entry {index + 1} "
                    f"of {directory.count}"
                )
            if index < start:
                continue
            raw_name = variable[:name_length]
            name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
            name = name.split("\x00", 1)[0]
            if 0xFFFFFFFF in (size, compressed_size, offset):
                size, compressed_size, offset = _zip64_sizes(
                    variable[name_length : name_length + extra_length],
                    size,
                    compressed_size,
                    offset,
                )
            yield Member(
                index=index,
                name=name,
                offset=offset + directory.concat,
                compressed_size=compressed_size,
                size=size,
                crc=crc,
                method=method,
                flags=flags,
                date=f"{(date >> 9) + 1980:04d}-{(date >> 5) & 0xF:02d}-{date & 0x1F:02d}",
            )


def _zip64_sizes(extra: bytes, size: int, compressed_size: int, offset: int):
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, position)
        if kind == 1:
            values = list(struct.unpack_from(f"<{length // 8}Q", extra, position + 4))
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if compressed_size == 0xFFFFFFFF and values:
                compressed_size = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
            break
        position += 4 + length
    return size, compressed_size, offset


def count_members(path, *, predicate=None) -> int:
    """How many entries (that satisfy `predicate`) the directory lists; reads no member."""
    if predicate is None:
        return read_directory(path).count
    return sum(1 for member in iter_members(path) if predicate(member))


def read_member(fd: int, member: Member) -> bytes:
    """The member's bytes, checked against its CRC; ArchiveError with a plain reason if not.

    `fd` is an open file descriptor of the archive: `os.pread` does not move a shared file
    position, so one descriptor serves any order of reads.
    """
    return read_member_deflated(fd, member)[0]


def read_member_deflated(fd: int, member: Member) -> tuple[bytes, bytes | None]:
    """The member's bytes (as `read_member`) and, for a compressed member, its raw DEFLATE
    stream as the archive holds it: the bulk import stores that as the raw document instead
    of compressing the same bytes again."""
    if member.flags & _ENCRYPTED:
        raise ArchiveError("the member is encrypted")
    if member.method not in (STORED, DEFLATED):
        raise ArchiveError(f"compression method {member.method} is not supported")
    header = os.pread(fd, _LOCAL.size, member.offset)
    if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIGNATURE:
        raise ArchiveError("bad magic number for the member's header")
    fields = _LOCAL.unpack(header)
    start = member.offset + _LOCAL.size + fields[10] + fields[11]
    data = os.pread(fd, member.compressed_size, start)
    if len(data) < member.compressed_size:
        raise ArchiveError("the archive ends inside the member (truncated download?)")
    deflated = None
    if member.method == DEFLATED:
        deflated = data
        try:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(data) + inflater.flush()
        except zlib.error as exc:
            raise ArchiveError(f"the compressed data is damaged ({exc})") from None
        if not inflater.eof or inflater.unused_data:
            deflated = None
    if len(data) != member.size or zlib.crc32(data) != member.crc:
        raise ArchiveError("bad CRC-32: the member is damaged")
    return data, deflated
