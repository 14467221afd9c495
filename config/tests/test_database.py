"""The configured database backend is the one in use, and it really works.

Run under `scripts/with-postgres.sh` these tests prove the suite ran on PostgreSQL, not on the
SQLite default: the connection vendor must match the scheme of DATABASE_URL.
"""

import sqlite3
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from trials.models import SyncRun

VENDOR_BY_SCHEME = {
    "sqlite": "sqlite",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
}


def expected_vendor() -> str:
    scheme = urlsplit(settings.DATABASE_URL).scheme.split("+")[0]
    assert scheme in VENDOR_BY_SCHEME, f"unexpected DATABASE_URL scheme {scheme!r}"
    return VENDOR_BY_SCHEME[scheme]


def test_connection_vendor_matches_database_url(db):
    assert connection.vendor == expected_vendor()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version(), current_database()")
            version, database = cursor.fetchone()
            assert version.startswith("PostgreSQL ")
            # pytest-django made its own database next to the configured one.
            assert database.startswith("test_")
        else:
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0] == sqlite3.sqlite_version


def test_json_field_round_trip_and_lookups(db):
    parameters = {
        "source": "ctgov",
        "query": "鼻咽癌 nasopharyngeal",
        "page_size": 100,
        "ratio": 0.25,
        "dry_run": False,
        "since": None,
        "nested": {"ids": ["NCT01", "ChiCTR2000"], "n": 3},
    }
    run = SyncRun.objects.create(key="sync-json", kind=SyncRun.Kind.API, parameters=parameters)

    fresh = SyncRun.objects.get(pk=run.pk)
    assert fresh.parameters == parameters
    assert fresh.kind == "api"
    assert fresh.cursor == {}

    assert SyncRun.objects.filter(parameters__source="ctgov").get() == run
    assert SyncRun.objects.filter(parameters__nested__n=3).get() == run
    assert SyncRun.objects.filter(parameters__has_key="since").get() == run
    assert not SyncRun.objects.filter(parameters__nested__n=4).exists()

    fresh.parameters["nested"]["ids"].append("ISRCTN9")
    fresh.save(update_fields=["parameters"])
    run.refresh_from_db()
    assert run.parameters["nested"]["ids"] == ["NCT01", "ChiCTR2000", "ISRCTN9"]


def test_unique_key_is_enforced_by_the_database(db):
    SyncRun.objects.create(key="import-2024-01", kind=SyncRun.Kind.FILES)

    with pytest.raises(IntegrityError):
        # atomic(): on PostgreSQL a failed statement aborts the surrounding transaction.
        with transaction.atomic():
            SyncRun.objects.create(key="import-2024-01", kind=SyncRun.Kind.BULK)

    # The connection is still usable and only the first row exists (other runs may be in the
    # database: session-wide fixtures of other apps import real records once for the suite).
    assert list(SyncRun.objects.filter(key="import-2024-01").values_list("key", "kind")) == [
        ("import-2024-01", "files")
    ]
