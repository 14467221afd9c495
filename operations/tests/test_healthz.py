"""/healthz: what an uptime monitor reads (ADR 0017)."""

import datetime as dt
import json

import pytest
from django.db import DatabaseError
from django.utils import timezone

from freshness.models import CheckRun
from literature.models import PublicationSyncRun
from trials.models import SyncRun


def ready_run(model, *, key, hours_ago, **fields):
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    run = model.objects.create(key=key, state="ready", **fields)
    model.objects.filter(pk=run.pk).update(started_at=finished, finished_at=finished)
    return run


@pytest.fixture
def recent_runs(db):
    ready_run(SyncRun, key="api-1", kind=SyncRun.Kind.API, hours_ago=3)
    ready_run(PublicationSyncRun, key="pubmed-1", hours_ago=5)
    ready_run(CheckRun, key="check-1", today=timezone.localdate(), hours_ago=2)


def get(client):
    response = client.get("/healthz")
    return response, json.loads(response.content)


@pytest.mark.django_db
def test_healthy_site_answers_200_with_ages_and_tasks(client, recent_runs, settings):
    settings.HEALTHZ_MAX_RUN_AGE_HOURS = 48
    response, body = get(client)
    assert response.status_code == 200
    assert body["status"] == "ok" and body["database"] == "ok" and body["reasons"] == []
    assert 3 * 3600 - 60 <= body["runs"]["registry_sync"]["age_seconds"] <= 3 * 3600 + 60
    assert 5 * 3600 - 60 <= body["runs"]["publication_sync"]["age_seconds"] <= 5 * 3600 + 60
    assert 2 * 3600 - 60 <= body["runs"]["check"]["age_seconds"] <= 2 * 3600 + 60
    assert body["tasks"]["waiting"] == 0 and body["tasks"]["failed"] == 0
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_stale_sync_gives_503_with_the_reason(client, recent_runs, settings):
    settings.HEALTHZ_MAX_RUN_AGE_HOURS = 48
    ready_run(SyncRun, key="api-old", kind=SyncRun.Kind.API, hours_ago=60)
    SyncRun.objects.filter(key="api-1").update(state="failed")
    response, body = get(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["reasons"] == ["last registry_sync older than 48 h"]


@pytest.mark.django_db
def test_no_finished_sync_at_all_is_unhealthy(client):
    response, body = get(client)
    assert response.status_code == 503
    assert body["reasons"] == ["no registry_sync has finished", "no check has finished"]


@pytest.mark.django_db
def test_database_down_gives_503_without_error_text(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError('could not connect to server at "db.internal" password=hunter2')

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response, body = get(client)
    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "database": "unreachable",
        "reasons": ["database unreachable"],
    }
    assert b"hunter2" not in response.content and b"db.internal" not in response.content


@pytest.mark.django_db
def test_waiting_and_failed_tasks_are_counted(client, recent_runs, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": settings.TASKS_BACKENDS["database"]}}
    now = timezone.now()
    common = {
        "task_path": "publishing.tasks.rebuild_booklet",
        "args_kwargs": {"args": [], "kwargs": {}},
        "queue_name": "default",
        "backend_name": "default",
        "priority": 0,
    }
    DBTaskResult.objects.create(status="READY", **common)
    DBTaskResult.objects.create(status="FAILED", finished_at=now, **common)
    response, body = get(client)
    assert response.status_code == 200
    assert (body["tasks"]["waiting"], body["tasks"]["failed"]) == (1, 1)
    assert body["tasks"]["failed_last_day"] == 1


@pytest.mark.django_db
def test_not_served_from_the_page_cache(client, recent_runs, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first, _ = get(client)
    SyncRun.objects.all().delete()
    second, body = get(client)
    assert first.status_code == 200
    assert second.status_code == 503 and "X-Page-Cache" not in second


@pytest.mark.django_db
def test_a_database_error_after_connecting_is_a_503_not_a_500(client, monkeypatch):
    def broken(self):
        raise DatabaseError('relation "trials_syncrun" does not exist')

    monkeypatch.setattr(type(SyncRun.objects.all()), "latest_ready", broken)
    response, body = get(client)
    assert response.status_code == 503
    assert body["database"] == "unreachable" and b"trials_syncrun" not in response.content
