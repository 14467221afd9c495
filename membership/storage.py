"""The private store for proofs: encrypted files in a directory no web server serves.

MEMBERSHIP_STORAGE_DIR (default var/private/membership) must lie outside MEDIA_ROOT and
STATIC_ROOT (a system check enforces it). Files get random names, are written atomically with
mode 0600 in a 0700 directory, and hold only ciphertext: the plaintext proof never touches the
disk, not even as an upload temporary file (see `uploads.BoundedMemoryUploadHandler`).
"""

import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from membership import crypto

NAME_RE = re.compile(r"^[0-9a-f]{32}\.bin$")


def storage_dir() -> Path:
    return Path(settings.MEMBERSHIP_STORAGE_DIR)


def _ensure_dir() -> Path:
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    return directory


def _path(name: str) -> Path:
    if not NAME_RE.match(name):
        raise ValueError(f"not a proof file name: {name!r}")
    return storage_dir() / name


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(content: bytes) -> str:
    """Encrypt and store `content`; returns the new file's name."""
    directory = _ensure_dir()
    name = f"{secrets.token_hex(16)}.bin"
    _write_atomically(directory / name, crypto.encrypt(content))
    return name


def read(name: str) -> bytes:
    return crypto.decrypt(_path(name).read_bytes())


def delete(name: str) -> bool:
    """Remove a proof file; True if there was one."""
    if not name:
        return False
    path = _path(name)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def exists(name: str) -> bool:
    return bool(name) and _path(name).exists()


def rotate(name: str) -> None:
    """Re-encrypt one file with the first key, atomically."""
    path = _path(name)
    _write_atomically(path, crypto.rotate(path.read_bytes()))


def stored_names() -> Iterator[tuple[str, float]]:
    """(name, modification time) of every proof file, and of leftover temporary files."""
    directory = storage_dir()
    if not directory.is_dir():
        return
    for entry in os.scandir(directory):
        if entry.is_file() and (NAME_RE.match(entry.name) or entry.name.startswith(".tmp-")):
            yield entry.name, entry.stat().st_mtime


def delete_stray(name: str) -> None:
    """Delete a file the database does not know (a crash between writing and committing)."""
    if name.startswith(".tmp-") and "/" not in name:
        (storage_dir() / name).unlink(missing_ok=True)
    else:
        delete(name)


def age_seconds(mtime: float) -> float:
    return time.time() - mtime
