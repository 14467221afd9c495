"""What an uptime monitor needs to know, and nothing more (ADR 0017).

The report says whether the database answers, how long ago the last registry sync, PubMed sync
and freshness check finished (`ready`), and how the background tasks stand. It names no
person, no secret and no error text (which could hold a host or a password), only counts,
ages and fixed reasons. It is unhealthy when the database does not answer, or when the last
registry sync or freshness check finished longer ago than HEALTHZ_MAX_RUN_AGE_HOURS (or never):
then the daily job has stopped working and the handbook is going stale unseen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from freshness.models import CheckRun
from literature.models import PublicationSyncRun
from publishing.task_status import task_status
from trials.models import SyncRun

RUNS = {"registry_sync": SyncRun, "publication_sync": PublicationSyncRun, "check": CheckRun}
JUDGED_RUNS = ("registry_sync", "check")


@dataclass
class Health:
    healthy: bool
    report: dict = field(default_factory=dict)


def _age_seconds(when: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if when is None else max(0, int((now - when).total_seconds()))


def check_health(*, now: dt.datetime | None = None) -> Health:
    """The report; a database error at any point (down, or tables missing) makes it 'unreachable'."""
    try:
        return _check(now or timezone.now())
    except DatabaseError:
        return Health(
            False,
            {"status": "fail", "database": "unreachable", "reasons": ["database unreachable"]},
        )


def _check(now: dt.datetime) -> Health:
    limit = dt.timedelta(hours=settings.HEALTHZ_MAX_RUN_AGE_HOURS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    reasons = []
    runs = {}
    for name, model in RUNS.items():
        last = model.objects.latest_ready()
        finished = (last.finished_at or last.started_at) if last else None
        age = _age_seconds(finished, now)
        runs[name] = {
            "last_ready": finished.isoformat() if finished else None,
            "age_seconds": age,
        }
        if name in JUDGED_RUNS:
            if finished is None:
                reasons.append(f"no {name} has finished")
            elif now - finished > limit:
                reasons.append(f"last {name} older than {settings.HEALTHZ_MAX_RUN_AGE_HOURS} h")
    tasks = task_status(now=now)
    report = {
        "status": "fail" if reasons else "ok",
        "database": "ok",
        "runs": runs,
        "max_run_age_hours": settings.HEALTHZ_MAX_RUN_AGE_HOURS,
        "tasks": {
            "backend": tasks.backend,
            "waiting": tasks.waiting,
            "running": tasks.running,
            "failed": tasks.failed,
            "failed_last_day": tasks.failed_last_day,
            "oldest_waiting_age_seconds": _age_seconds(tasks.oldest_waiting, now),
        },
        "reasons": reasons,
    }
    return Health(not reasons, report)
