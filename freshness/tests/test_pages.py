"""Freshness works on the page types the site names in settings, not on types it imports.

A missing or misspelt setting stops with its name instead of checking no page at all.
"""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import translation
from wagtail.models import Page, WorkflowPage

from freshness.actions import ensure_review_workflow
from freshness.models import Statement
from freshness.pages import checked_pages, is_checked_page, review_roots

from .test_signals import _import


def test_only_pages_of_the_named_types_are_extracted(
    db, settings, django_capture_on_commit_callbacks
):
    settings.FRESHNESS_PAGE_MODELS = ["handbook.SectionPage"]
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(publish=True)
    assert not is_checked_page(page)
    assert not Statement.objects.exists()
    assert [p.pk for p in checked_pages()] == [page.get_parent().pk]

    settings.FRESHNESS_PAGE_MODELS = ["handbook.HandbookPage"]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert is_checked_page(page)
    assert Statement.objects.filter(page=page).count() == 30
    assert [p.pk for p in checked_pages()] == [page.pk]


def test_the_review_workflow_goes_to_the_named_roots(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(publish=False)
    root = page.get_parent().get_parent()
    assert [p.pk for p in review_roots()] == [root.pk]
    workflow = ensure_review_workflow()
    assert list(
        WorkflowPage.objects.filter(workflow=workflow).values_list("page_id", flat=True)
    ) == [root.pk]


def test_check_freshness_counts_the_named_pages(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import(publish=True)
    out = io.StringIO()
    with translation.override("en"):
        call_command("check_freshness", "--no-email", "--today", "2026-11-25", stdout=out)
    assert "statements on 1 pages as of 2026-11-25" in out.getvalue()


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (None, "FRESHNESS_PAGE_MODELS is not set"),
        ([], "FRESHNESS_PAGE_MODELS is not set"),
        (["handbook.NoSuchPage"], "handbook.NoSuchPage"),
        (["handbook"], "handbook"),
        (["auth.User"], "auth.User is not a Wagtail page model"),
    ],
)
def test_a_bad_setting_fails_with_its_name(db, settings, value, named):
    if value is None:
        del settings.FRESHNESS_PAGE_MODELS
    else:
        settings.FRESHNESS_PAGE_MODELS = value
    with translation.override("en"):
        with pytest.raises(ImproperlyConfigured, match=named):
            checked_pages()
        with pytest.raises(ImproperlyConfigured, match=named):
            is_checked_page(Page.objects.first())


def test_a_bad_setting_is_explained_in_the_operators_language(db, settings):
    settings.FRESHNESS_PAGE_MODELS = ["auth.User"]
    with translation.override("zh-hans"), pytest.raises(ImproperlyConfigured) as raised:
        checked_pages()
    assert str(raised.value) == "FRESHNESS_PAGE_MODELS：auth.User 不是 Wagtail 页面模型。"
