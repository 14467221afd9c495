"""Stored trials reach the finder's index and the freshness checks through tasks that a worker
runs, not inside the import that stored them (ADR 0014)."""

import io
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from wagtail.models import Locale

from finder.models import TrialIndexEntry
from freshness.models import Finding
from handbook.actions import ensure_handbook_root
from handbook.models import HandbookPage
from tests.tasks import database_tasks, run_worker  # noqa: F401 (fixture)

DEMO = Path(settings.BASE_DIR) / "demo" / "data"
SEED_IDS = ["NCT00962923", "NCT02213705", "NCT02975960", "NCT03211793"]
REINDEX = "finder.tasks.reindex_trials"
RECHECK = "freshness.tasks.recheck_trials"


def _published_brochure_page() -> HandbookPage:
    Locale.objects.get_or_create(language_code="zh-hans")
    ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    call_command(
        "import_brochure",
        str(DEMO / "brochures" / "mesenchymal-stem-cells.zh-hans.txt"),
        locale="zh-hans",
        publish=True,
        stdout=io.StringIO(),
    )
    return HandbookPage.objects.get()


def _verdict(page, claim: str) -> str:
    return Finding.objects.get(
        statement__page=page, statement__nct_id="NCT02213705", statement__claim_text=claim
    ).verdict


def test_the_import_enqueues_the_index_and_the_recheck_and_the_worker_runs_them(
    db,
    database_tasks,  # noqa: F811
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "x-long-password")
    with django_capture_on_commit_callbacks(execute=True):
        page = _published_brochure_page()
    assert _verdict(page, "预计将于2022年1月完成") == "cannot_verify"
    DBTaskResult.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_trials", str(DEMO / "trials" / "seed-trials" / "2020-07-28"), verbosity=0
        )

    assert not TrialIndexEntry.objects.exists()
    assert mailoutbox == []
    assert _verdict(page, "预计将于2022年1月完成") == "cannot_verify"
    queued = {
        task.task_path: (task.args_kwargs, task.status)
        for task in DBTaskResult.objects.filter(task_path__in=[REINDEX, RECHECK])
    }
    assert queued == {
        REINDEX: ({"args": [SEED_IDS], "kwargs": {}}, "READY"),
        RECHECK: ({"args": [SEED_IDS], "kwargs": {}}, "READY"),
    }

    run_worker()

    assert sorted(TrialIndexEntry.objects.values_list("nct_id", flat=True)) == SEED_IDS
    assert _verdict(page, "预计将于2022年1月完成") == "contradicts_registry"
    assert _verdict(page, "开放标签") == "current"
    finished = DBTaskResult.objects.filter(task_path__in=[REINDEX, RECHECK])
    assert {(task.task_path, task.status, task.return_value) for task in finished} == {
        (REINDEX, "SUCCESSFUL", 4),
        (RECHECK, "SUCCESSFUL", 1),
    }
    assert [message.to for message in mailoutbox] == [["editor@example.org"]]
