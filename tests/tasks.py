"""Test helpers for the background tasks (ADR 0014): the database backend, and its worker run
once over whatever waits, as `manage.py db_worker --batch` runs in production.

The tests stay inside pytest-django's transaction (no flush, so no other test loses the demo
or the migrations' rows): their enqueues happen when `django_capture_on_commit_callbacks`
runs the after-commit callbacks, and the worker's claim and result writes are savepoints.
"""

import signal
from unittest import mock

import pytest
from django.core.management import call_command

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored for a worker instead of running at once."""
    settings.TASKS = DATABASE_BACKEND


def run_worker() -> None:
    """Run every waiting task with the real worker command, then return.

    Between tasks the worker closes connections that are too old or not in autocommit mode;
    inside the test's transaction that would close the test's own connection (PostgreSQL), so
    that check alone is left out. The signal handlers the worker installs are put back, so
    Ctrl+C still stops the test run afterwards.
    """
    handlers = {number: signal.getsignal(number) for number in WORKER_SIGNALS}
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(
                "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
            )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
