"""Suite-wide test setup.

Tests run with the demo's debug settings unless the caller set DJANGO_DEBUG; the database
comes from DATABASE_URL (SQLite by default, PostgreSQL in CI's second run).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
