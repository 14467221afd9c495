"""The recorded-run contract (`core.runs.RecordedRun`) as a registry sync run lives it."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from trials import actions
from trials.models import SyncRun


def make_run(key, *, state, started):
    run = actions.start_run(kind=SyncRun.Kind.API, key=key)
    SyncRun.objects.filter(pk=run.pk).update(state=state, started_at=started)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_start_finish_and_fail_move_the_state_and_save_the_named_counts():
    run = actions.start_run(kind=SyncRun.Kind.FILES, key="files-1")
    assert (run.state, run.finished_at, run.error) == ("importing", None, "")
    run.seen, run.new = 5, 2
    run.fail("ConnectError: reset", fields=["seen"])
    stored = SyncRun.objects.get(pk=run.pk)
    assert (stored.state, stored.error, stored.seen, stored.new) == (
        "failed",
        "ConnectError: reset",
        5,
        0,
    )
    assert stored.finished_at is not None

    actions.resume_run(run=stored)
    stored.refresh_from_db()
    assert (stored.state, stored.error, stored.finished_at) == ("importing", "", None)

    before = timezone.now()
    actions.finish_run(run=stored)
    stored.refresh_from_db()
    assert stored.state == SyncRun.State.READY == "ready"
    assert stored.finished_at >= before and stored.error == ""


@pytest.mark.django_db
def test_the_queryset_names_each_state_and_the_latest_ready_run():
    day = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
    old_ready = make_run("a", state="ready", started=day)
    new_ready = make_run("b", state="ready", started=day + dt.timedelta(days=1))
    failed = make_run("c", state="failed", started=day + dt.timedelta(days=2))
    importing = make_run("d", state="importing", started=day + dt.timedelta(days=3))
    assert list(SyncRun.objects.ready()) == [new_ready, old_ready]
    assert list(SyncRun.objects.failed()) == [failed]
    assert list(SyncRun.objects.importing()) == [importing]
    assert SyncRun.objects.latest_ready() == new_ready
    assert SyncRun.objects.filter(kind=SyncRun.Kind.BULK).latest_ready() is None


@pytest.mark.django_db
def test_counts_are_labelled_by_the_field_names():
    run = actions.start_run(kind=SyncRun.Kind.BULK, key="bulk-1")
    run.seen, run.rejected = 7, 1
    with translation.override("en"):
        assert run.counts() == [
            ("read", 7),
            ("new", 0),
            ("changed", 0),
            ("unchanged", 0),
            ("rejected", 1),
        ]
        assert run.kind_label() == "bulk import"
