"""One cache for every process (ADR 0016): CACHE_URL, the table `migrate` makes, and a rate
limit counted by separate processes, as gunicorn's workers are."""

import importlib.util
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.env import cache_from_url

COUNT_ONE_ATTEMPT = """
import django
django.setup()
from membership import ratelimit
print(ratelimit.hit("apply-ip", "203.0.113.7", limit=2, window=3600))
"""


def test_without_cache_url_the_cache_is_the_database_table():
    config = cache_from_url("", table="lh_cache")
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["LOCATION"] == "lh_cache"


@pytest.mark.parametrize(
    ("url", "client"),
    [("memcached://127.0.0.1:11211", "pymemcache"), ("redis://127.0.0.1:6379/1", "redis")],
)
def test_a_cache_server_needs_its_client_installed(url, client, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == client else real(name)
    )
    with pytest.raises(ImproperlyConfigured, match=client):
        cache_from_url(url, table="lh_cache")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    configured = cache_from_url(url, table="lh_cache")
    assert configured["BACKEND"].rsplit(".", 1)[-1] in ("PyMemcacheCache", "RedisCache")


def test_an_unknown_cache_url_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url("locmem://", table="lh_cache")


def test_migrate_makes_the_cache_table(db):
    assert settings.CACHE_TABLE in connection.introspection.table_names()


def test_a_rate_limit_counts_across_processes(tmp_path):
    database = tmp_path / "shared.sqlite3"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "",
    }
    run = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True}
    manage = [sys.executable, "manage.py", "createcachetable"]
    subprocess.run(manage, check=True, **run)  # noqa: S603 (this checkout's manage.py)
    answers = [
        subprocess.run(  # noqa: S603 (a fixed script)
            [sys.executable, "-c", COUNT_ONE_ATTEMPT], check=True, **run
        ).stdout.strip()
        for _ in range(3)
    ]
    assert answers == ["True", "True", "False"]
