"""Throwaway sites in subprocesses: their own database, media folder, proof store and key.

The operations tests run `manage.py` as an operator would, in a child process, against a
database of their own: a SQLite file, or a new database on the PostgreSQL server of
DATABASE_URL when the suite runs under `scripts/with-postgres.sh`. The schema is migrated once
per session into a template, and each test gets a copy (or an empty database to restore into).
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
KEY = Fernet.generate_key().decode()


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Databases:
    """Makes databases for child processes; SQLite files under `folder` or PostgreSQL ones."""

    folder: Path
    made: list[str] = field(default_factory=list)

    def new(self, *, template: str | None = None) -> str:
        name = f"lh_ops_{secrets.token_hex(4)}"
        if on_postgres():
            clause = f' TEMPLATE "{template}"' if template else ""
            _admin(f'CREATE DATABASE "{name}"{clause}')
            self.made.append(name)
            return _with_name(os.environ["DATABASE_URL"], name)
        path = self.folder / f"{name}.sqlite3"
        if template:
            source = sqlite3.connect(self.folder / f"{template}.sqlite3")
            target = sqlite3.connect(path)
            source.backup(target)
            source.close()
            target.close()
        return f"sqlite:///{path}"

    @staticmethod
    def name_of(url: str) -> str:
        return Path(urlsplit(url).path).stem if url.startswith("sqlite") else urlsplit(url).path[1:]

    def drop_all(self) -> None:
        for name in self.made:
            try:
                _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001 -- the throwaway server goes anyway
                pass


@dataclass
class Site:
    """One site's settings for child processes: database, folders, key, and extra variables."""

    database_url: str
    folder: Path
    extra: dict = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "DJANGO_DEBUG": "true",
                "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
                "MEMBERSHIP_STORAGE_DIR": str(self.folder / "private"),
                "MEMBERSHIP_ENCRYPTION_KEYS": KEY,
                "PUBLISHING_CACHE_DIR": str(self.folder / "pdf-cache"),
                "TASKS_BACKEND": "database",
                "DJANGO_LOG_LEVEL": "ERROR",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *args]

    def manage(self, *args: str, check: bool = True, timeout: float = 300):
        completed = subprocess.run(  # noqa: S603
            self.command(*args),
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and completed.returncode:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {completed.returncode}:\n"
                f"{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603
            self.command(*args),
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def probe(self, function: str) -> dict:
        """Run `operations.tests.probes.<function>()` in the site and return its JSON."""
        code = f"from operations.tests import probes; probes.{function}()"
        out = self.manage("shell", "-c", code).stdout
        return json.loads(out.strip().splitlines()[-1])
