"""Statements follow the text: found on import and publish, re-checked when records arrive."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from wagtail.models import Locale

from freshness.models import Finding, PageFreshness, Statement
from handbook.actions import ensure_handbook_root
from handbook.models import HandbookPage
from trials.signals import trials_stored

DEMO = Path(settings.BASE_DIR) / "demo" / "data"


def _import(publish: bool):
    Locale.objects.get_or_create(language_code="zh-hans")
    ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    call_command(
        "import_brochure",
        str(DEMO / "brochures" / "mesenchymal-stem-cells.zh-hans.txt"),
        locale="zh-hans",
        publish=publish,
        stdout=io.StringIO(),
    )
    return HandbookPage.objects.get()


def test_import_as_draft_extracts_and_checks(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(publish=False)
    assert Statement.objects.filter(page=page).count() == 30
    # No trial records yet: every claim is unverifiable, and the page has a checked date.
    assert set(Finding.objects.values_list("verdict", flat=True)) == {"cannot_verify"}
    assert PageFreshness.objects.get(page=page).checked_on is not None


def test_new_records_recheck_the_pages_that_cite_them(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(publish=True)
    call_command("import_trials", str(DEMO / "trials" / "seed-trials" / "2020-07-28"), verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        trials_stored.send(sender=None, nct_ids=["NCT02213705"])
    verdicts = dict(
        Finding.objects.filter(statement__page=page, statement__nct_id="NCT02213705").values_list(
            "statement__claim_text", "verdict"
        )
    )
    assert verdicts["预计将于2022年1月完成"] == "contradicts_registry"
    assert verdicts["开放标签"] == "current"


def test_editing_the_text_moves_statements_with_it(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(publish=True)
    before = Statement.objects.get(claim_text="预计将于2022年1月完成")
    body = page.body
    for block in body:
        if block.block_type == "paragraph" and "预计将于2022年1月完成" in block.value.source:
            from wagtail.rich_text import RichText

            block.value = RichText(
                block.value.source.replace("预计将于2022年1月完成", "预计将于2019年6月完成")
            )
    page.body = body
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    claims = set(Statement.objects.filter(page=page).values_list("claim_text", flat=True))
    assert "预计将于2022年1月完成" not in claims and "预计将于2019年6月完成" in claims
    assert not Statement.objects.filter(pk=before.pk).exists()
