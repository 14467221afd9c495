"""Writes for publishing outputs: the cached files and their records."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from publishing.models import BuiltFile


def cache_dir() -> Path:
    return Path(settings.PUBLISHING_CACHE_DIR)


def cached_path(record: BuiltFile) -> Path:
    return cache_dir() / record.path


@transaction.atomic
def store_built_file(
    *, key: str, page, locale_code: str, source_hash: str, content: bytes, suffix: str = ".pdf"
) -> BuiltFile:
    """Write `content` into the cache (atomically: readers never see half a file) and record it.

    The file name carries the hash, so a reader streaming the previous file keeps it whole; the
    previous file is removed once the new record is committed.
    """
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{key.replace(':', '-')}-{source_hash[:16]}{suffix}"
    temporary = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    temporary.write_bytes(content)
    os.replace(temporary, directory / name)
    fields = {
        "page": page,
        "locale_code": locale_code,
        "path": name,
        "source_hash": source_hash,
        "size": len(content),
        "built_at": timezone.now(),
    }
    previous = BuiltFile.objects.select_for_update().filter(key=key).first()
    if previous is None:
        try:
            with transaction.atomic():
                return BuiltFile.objects.create(key=key, **fields)
        except IntegrityError:
            previous = BuiltFile.objects.select_for_update().get(key=key)
    old_name = previous.path
    for field, value in fields.items():
        setattr(previous, field, value)
    previous.save()
    if old_name and old_name != name:
        transaction.on_commit(lambda: (directory / old_name).unlink(missing_ok=True))
    return previous


@transaction.atomic
def forget_built_files(*, page) -> int:
    """Remove a page's cached outputs (it was unpublished or deleted)."""
    records = list(BuiltFile.objects.select_for_update().filter(page=page))
    names = [record.path for record in records]
    BuiltFile.objects.filter(pk__in=[record.pk for record in records]).delete()
    directory = cache_dir()
    transaction.on_commit(lambda: [(directory / name).unlink(missing_ok=True) for name in names])
    return len(records)
