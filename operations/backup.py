"""One consistent backup of the site, and its restore (ADR 0017).

A backup is one folder, `backup-<UTC time>/`, holding the database (SQLite: a copy made with
the online backup API, consistent even while the site writes; PostgreSQL: `pg_dump` in custom
format), the media folder and the private store of the applicants' proofs as tar archives, and
`manifest.json` (what, when, sizes, SHA-256, database vendor, applied migrations). It is written
under a `.partial` name and renamed when complete, so a folder without that suffix is whole.

The proofs and the applicants' details are stored encrypted; the keys
(`MEMBERSHIP_ENCRYPTION_KEYS`) are deliberately not in the backup, which is useless for
reading them without the keys kept off the server, and the manifest says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
KEYS_NOTE = (
    "MEMBERSHIP_ENCRYPTION_KEYS are NOT in this backup. Proofs and applicants' details are "
    "encrypted with them: keep a copy of the keys off the server, apart from the backups."
)
ARCHIVES = {"media": "media.tar.gz", "proofs": "private-proofs.tar.gz"}


class BackupError(Exception):
    """The backup or restore cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    pending_migrations: list[str]


def vendor() -> str:
    return connection.vendor


def _folders() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "proofs": Path(settings.MEMBERSHIP_STORAGE_DIR)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """The PostgreSQL client named `name`: PG_BINDIR's, else the newest Debian one, else PATH's."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / name)
    candidates += sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(_("%(tool)s not found: install the PostgreSQL client.") % {"tool": name})
    return found


def _pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options from DATABASES; the password goes in the environment, not argv."""
    db = settings.DATABASES["default"]
    arguments = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        arguments.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        arguments.append(f"--port={db['PORT']}")
    if db.get("USER"):
        arguments.append(f"--username={db['USER']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return arguments, env


def _dump_database(folder: Path) -> Path:
    if vendor() == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target
    if vendor() == "postgresql":
        target = folder / "database.pgdump"
        arguments, env = _pg_arguments()
        completed = subprocess.run(  # noqa: S603
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", *arguments],
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": completed.stderr.strip()})
        return target
    raise BackupError(_("No backup for the %(vendor)s database.") % {"vendor": vendor()})


def _archive(source: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        if source.is_dir():
            for child in sorted(source.iterdir()):
                archive.add(child, arcname=child.name)


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def create_backup(output: Path, *, now: dt.datetime | None = None) -> Path:
    """Write one complete backup folder under `output` and return its path."""
    now = now or dt.datetime.now(dt.UTC)
    output.mkdir(parents=True, exist_ok=True)
    name = f"backup-{now.strftime('%Y%m%dT%H%M%SZ')}"
    final = output / name
    partial = output / f"{name}.partial"
    if final.exists():
        raise BackupError(_("%(path)s exists already.") % {"path": final})
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        database = _dump_database(partial)
        files = {"database": database}
        for key, source in _folders().items():
            target = partial / ARCHIVES[key]
            _archive(source, target)
            files[key] = target
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "database_vendor": vendor(),
            "files": {
                key: {"name": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}
                for key, path in files.items()
            },
            "migrations": applied_migrations(),
            "encryption_keys": KEYS_NOTE,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)
    return final


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if folder.name.endswith(".partial") or not path.is_file():
        raise BackupError(_("%(path)s is not a complete backup.") % {"path": folder})
    manifest = json.loads(path.read_text())
    for entry in manifest["files"].values():
        file = folder / entry["name"]
        if not file.is_file() or _sha256(file) != entry["sha256"]:
            raise BackupError(_("%(file)s is missing or damaged.") % {"file": file})
    return manifest


def database_is_empty() -> bool:
    """No table at all: nothing a restore could overwrite."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(file: Path, *, clean: bool) -> None:
    if vendor() == "sqlite":
        connection.close()
        target = settings.DATABASES["default"]["NAME"]
        source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        return
    connection.close()
    arguments, env = _pg_arguments()
    options = ["--no-owner", "--no-privileges", "--exit-on-error"]
    if clean:
        options += ["--clean", "--if-exists"]
    completed = subprocess.run(  # noqa: S603
        [_pg_tool("pg_restore"), *options, *arguments, str(file)],
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": completed.stderr.strip()})


def _restore_folder(archive: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(target, filter="data")


def restore_backup(folder: Path, *, force: bool = False) -> Restored:
    """Put a backup back into the configured database and folders.

    Refuses a database that holds any table unless `force`: a restore replaces everything in
    it, and an operator pointing DATABASE_URL at the live site by mistake must be stopped.
    """
    manifest = read_manifest(folder)
    if manifest["database_vendor"] != vendor():
        raise BackupError(
            _("The backup is of a %(backup)s database; this site uses %(site)s.")
            % {"backup": manifest["database_vendor"], "site": vendor()}
        )
    empty = database_is_empty()
    if not empty and not force:
        raise BackupError(
            _("The database is not empty: restoring would replace it. Use --force to do so.")
        )
    _restore_database(folder / manifest["files"]["database"]["name"], clean=not empty)
    for key, target in _folders().items():
        _restore_folder(folder / manifest["files"][key]["name"], target)
    os.chmod(_folders()["proofs"], 0o700)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return Restored(
        manifest=manifest, pending_migrations=[str(migration) for migration, _backwards in plan]
    )
