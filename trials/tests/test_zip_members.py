"""Reading the bulk zip entry by entry gives what `zipfile` gives, and plain reasons when not."""

import io
import os
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from trials.models import RejectedRecord, Trial
from trials.sources.files import iter_legacy_sources
from trials.sources.zip_members import ArchiveError, count_members, iter_members, read_member

from .test_bulk_path import build_archive


def test_members_and_bytes_equal_zipfiles(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("NCT00000001.json", b'{"a": 1}' * 300, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("folder/", b"")
        archive.writestr("stored/NCT00000002.json", b"stored", compress_type=zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("研究.json", date_time=(2026, 2, 3, 4, 5, 6)), "中文")
    members = list(iter_members(path))
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [member.name for member in members] == [info.filename for info in infos]
        fd = os.open(path, os.O_RDONLY)
        try:
            for member, info in zip(members, infos, strict=True):
                assert member.is_dir == info.is_dir()
                year, month, day = info.date_time[:3]
                assert member.date == f"{year:04d}-{month:02d}-{day:02d}"
                assert read_member(fd, member) == archive.read(info)
        finally:
            os.close(fd)
    assert [member.index for member in iter_members(path, start=2)] == [2, 3]
    assert count_members(path) == 4


def test_zip64_archive_with_more_than_65535_members(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(70_000):
            archive.writestr(f"NCT{number:08d}.json", str(number))
    last = list(iter_members(path, start=69_999))
    assert [member.name for member in last] == ["NCT00069999.json"]
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_member(fd, last[0]) == b"69999"
    finally:
        os.close(fd)


def test_not_a_zip_and_a_cut_directory_are_plain_reasons(tmp_path):
    text = tmp_path / "not.zip"
    text.write_text("hello")
    with pytest.raises(ArchiveError, match="no end-of-archive record"):
        list(iter_members(text))

    path = tmp_path / "cut.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(5):
            archive.writestr(f"NCT{number:08d}.json", b"{}")
    data = bytearray(path.read_bytes())
    third = data.find(b"PK\001\002", data.find(b"PK\001\002", data.find(b"PK\001\002") + 1) + 1)
    data[third : third + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    seen = []
    with pytest.raises(ArchiveError, match="breaks off at entry 3 of 5"):
        for member in iter_members(path):
            seen.append(member.name)
    assert seen == ["NCT00000000.json", "NCT00000001.json"]


@pytest.mark.django_db
def test_a_broken_archive_is_one_rejection_in_both_paths(tmp_path):
    path = tmp_path / "ctg-studies.json.zip"
    build_archive(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    reasons = [source.problem for source in iter_legacy_sources([str(path)])]
    assert reasons == ["not a readable zip archive (no end-of-archive record)"]

    with translation.override("en"), pytest.raises(CommandError, match="None of the 1 documents"):
        call_command("import_trials", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Trial.objects.count() == 0
    assert list(RejectedRecord.objects.values_list("source", "reason")) == [
        (str(path), "not a readable zip archive (no end-of-archive record)")
    ]
