"""Publishing returns without printing: the booklet is a task that a worker builds (ADR 0014)."""

import json
from io import StringIO

from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from publishing import pdf
from publishing.models import BuiltFile
from tests.tasks import database_tasks, run_worker  # noqa: F401 (fixture)

REBUILD = "publishing.tasks.rebuild_booklet"


def _status() -> dict:
    out = StringIO()
    call_command("tasks_status", format="json", stdout=out)
    return json.loads(out.getvalue())


def test_publishing_enqueues_the_booklet_and_the_worker_builds_it(
    database_tasks,  # noqa: F811
    demo,
    cache_dir,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    builds = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: builds.append(html) or real(html))

    with django_capture_on_commit_callbacks(execute=True):
        demo.save_revision().publish()

    assert builds == [] and not BuiltFile.objects.exists()
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.pdf"))
    queued = DBTaskResult.objects.filter(task_path=REBUILD)
    assert [(task.args_kwargs, task.status) for task in queued] == [
        ({"args": [demo.pk], "kwargs": {}}, "READY")
    ]
    status = _status()
    assert status["backend"] == "database"
    assert status["waiting"] == DBTaskResult.objects.ready().count() >= 1
    assert status["oldest_waiting"] is not None

    run_worker()

    assert len(builds) == 1 and "间充质干细胞" in builds[0]
    record = BuiltFile.objects.get(page=demo)
    path = pdf.Path(pdf.settings.PUBLISHING_CACHE_DIR) / record.path
    assert path.read_bytes().startswith(b"%PDF-") and record.size == path.stat().st_size
    assert queued.get().status == "SUCCESSFUL"
    assert _status()["waiting"] == 0


def test_a_failed_build_is_recorded_and_counted(
    database_tasks,  # noqa: F811
    demo,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broken(html):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        demo.save_revision().publish()

    run_worker()

    failed = DBTaskResult.objects.get(task_path=REBUILD)
    assert failed.status == "FAILED" and failed.exception_class_path == "builtins.OSError"
    assert "disk full" in failed.traceback
    status = _status()
    assert (status["failed"], status["failed_last_day"], status["waiting"]) == (1, 1, 0)
    text = StringIO()
    with translation.override("en"):
        call_command("tasks_status", stdout=text)
    assert "Failed: 1 (in the last 24 hours: 1)" in text.getvalue()


def test_with_the_immediate_backend_a_task_runs_at_once_and_nothing_waits(db):
    from publishing.tasks import rebuild_booklet

    result = rebuild_booklet.enqueue(10**9)
    assert result.status == "SUCCESSFUL" and not DBTaskResult.objects.exists()
    status = _status()
    assert status["backend"] == "immediate"
    assert (status["waiting"], status["running"], status["failed"]) == (0, 0, 0)
