"""The one listing of every recorded run, whatever app it belongs to."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from freshness.models import CheckRun
from handbook import admin_runs
from literature.models import PublicationSyncRun
from trials.models import SyncRun

DAY = dt.datetime(2026, 8, 1, 5, 30, tzinfo=dt.UTC)


def at(run, hours):
    type(run).objects.filter(pk=run.pk).update(started_at=DAY + dt.timedelta(hours=hours))


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", password="pw-123456789")
    client.force_login(user)
    return client


def test_every_concrete_run_model_is_listed():
    assert admin_runs.run_models() == [CheckRun, PublicationSyncRun, SyncRun]


@pytest.mark.django_db
def test_runs_of_every_kind_newest_first_with_state_counts_and_error(admin_client):
    sync = SyncRun.objects.create(key="api-1", kind=SyncRun.Kind.API, seen=12, new=3)
    sync.fail("RetriesExhausted: gave up on https://clinicaltrials.gov/api/v2/studies")
    papers = PublicationSyncRun.objects.create(key="pub-1", scope="all", trials_checked=4)
    papers.finish()
    check = CheckRun.objects.create(key="check-1", today=dt.date(2026, 8, 1), flagged=2)
    at(sync, 0), at(papers, 2), at(check, 1)

    with translation.override("en"):
        response = admin_client.get("/admin/runs/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    rows = [html.index(marker) for marker in ("trials checked 4", "flagged 2", "read 12")]
    assert rows == sorted(rows), "not newest first"
    assert "registry sync" in html and "publication sync run" in html
    assert "freshness check" in html
    assert "RetriesExhausted: gave up on https://clinicaltrials.gov/api/v2/studies" in html
    assert html.count('class="run-failed"') == 1 and html.count('class="run-ready"') == 1
    assert html.count('class="run-importing"') == 1


@pytest.mark.django_db
def test_pages_merge_the_kinds_by_start_time(admin_client, monkeypatch):
    monkeypatch.setattr(admin_runs, "PAGE_SIZE", 2)
    for hour in range(3):
        at(SyncRun.objects.create(key=f"key-s{hour}", kind=SyncRun.Kind.FILES), hour * 2)
        at(CheckRun.objects.create(key=f"key-c{hour}", today=dt.date(2026, 8, 1)), hour * 2 + 1)
    newest = admin_runs._Newest(admin_runs.run_models())
    assert newest.count() == 6
    keys = [run.key for run in newest[slice(0, 6)]]
    assert keys == ["key-c2", "key-s2", "key-c1", "key-s1", "key-c0", "key-s0"]
    second = admin_client.get("/admin/runs/?p=2").content.decode()
    shown = [key for key in keys if f">{key}<" in second]
    assert shown == ["key-c1", "key-s1"]


def test_the_listing_needs_an_admin_login(client, db):
    response = client.get("/admin/runs/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
