"""Suite-wide test setup.

Tests run with the demo's debug settings unless the caller set DJANGO_DEBUG; the database
comes from DATABASE_URL (SQLite by default, PostgreSQL in CI's second run).
"""

import os
import tempfile

import pytest

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
