"""How the background tasks stand (ADR 0014): what waits for a worker, what runs, what failed.

Read by `manage.py tasks_status` (and meant for a health check). The counts are of the task
rows the database holds; the "immediate" backend writes none, so under it nothing ever waits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

RECENT_FAILURES = dt.timedelta(days=1)


@dataclass(frozen=True)
class TaskStatus:
    backend: str
    waiting: int
    running: int
    failed: int
    failed_last_day: int
    successful: int
    oldest_waiting: dt.datetime | None

    def as_json(self) -> dict:
        data = asdict(self)
        data["oldest_waiting"] = self.oldest_waiting.isoformat() if self.oldest_waiting else None
        return data


def backend_name() -> str:
    """The word of TASKS_BACKEND that chose the default backend (its class path otherwise)."""
    path = settings.TASKS["default"]["BACKEND"]
    words = {value: key for key, value in settings.TASKS_BACKENDS.items()}
    return words.get(path, path)


def task_status(*, now: dt.datetime | None = None) -> TaskStatus:
    """Counts of the stored task results by status; a task "waits" from enqueue until a worker
    claims it, including one whose `run_after` lies in the future."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    by_status = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
    recent = DBTaskResult.objects.failed().filter(finished_at__gte=now - RECENT_FAILURES).count()
    oldest = DBTaskResult.objects.filter(status="READY").aggregate(first=Min("enqueued_at"))
    return TaskStatus(
        backend=backend_name(),
        waiting=by_status.get("READY", 0),
        running=by_status.get("RUNNING", 0),
        failed=by_status.get("FAILED", 0),
        failed_last_day=recent,
        successful=by_status.get("SUCCESSFUL", 0),
        oldest_waiting=oldest["first"],
    )
