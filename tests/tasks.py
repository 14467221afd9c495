"""Test helpers for the background tasks (ADR 0014): the database backend, and its worker run
once over whatever waits, as `manage.py db_worker --batch` runs in production.

Tests using them need a transactional database (`django_db(transaction=True)`): the worker
claims each task in a transaction of its own and checks its connection between tasks, which a
test wrapped in one transaction would not allow on PostgreSQL.
"""

import signal

import pytest
from django.core.management import call_command

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored for a worker instead of running at once."""
    settings.TASKS = DATABASE_BACKEND


def run_worker() -> None:
    """Run every waiting task, then return; the signal handlers the worker installs are put
    back, so Ctrl+C still stops the test run afterwards."""
    handlers = {number: signal.getsignal(number) for number in WORKER_SIGNALS}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
