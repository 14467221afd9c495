"""Suite-wide test setup.

Tests run with the demo's debug settings unless the caller set DJANGO_DEBUG; the database
comes from DATABASE_URL (SQLite by default, PostgreSQL in CI's second run); tasks always run
immediately unless a test configures the database backend itself.
"""

import os
import tempfile

import pytest
from django.conf import settings
from django.test import override_settings

from tests.network import block_network

os.environ.setdefault("DJANGO_DEBUG", "true")
# Built PDFs go to a throwaway folder, also for fixtures that publish outside a test.
os.environ.setdefault("PUBLISHING_CACHE_DIR", tempfile.mkdtemp(prefix="lh-publishing-"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse every connection and name lookup that would leave this machine.

    Tests replay recorded responses (respx, or the local replay server); a test that reaches
    for the real registry, PubMed or a font server fails here instead of passing by luck.
    """
    block_network(monkeypatch)


@pytest.fixture(autouse=True, scope="session")
def cache_in_memory():
    """Keep the tests' cache in this process's memory instead of the shared database table.

    The database cache's table outlives a test's transaction and is not flushed between the
    live-server tests, so entries would leak from one test to the next, and tests without the
    database could not touch the cache at all. The tests of the shared cache itself
    (config/tests/test_shared_cache.py) configure the database cache and run processes.
    """
    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=memory):
        yield


@pytest.fixture(autouse=True, scope="session")
def tasks_run_immediately():
    """Run every task at once, inside the code that enqueues it, whatever TASKS_BACKEND says.

    The settings are loaded before this file, so the backend is switched here rather than
    through the environment. Tests of the background work itself configure the database
    backend with the `settings` fixture and run the worker (`tests/tasks.py`, ADR 0014).
    """
    immediate = {"default": {"BACKEND": settings.TASKS_BACKENDS["immediate"]}}
    with override_settings(TASKS=immediate):
        yield
