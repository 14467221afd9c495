"""Re-check what a page says whenever its text or its trials' records change.

Registered in `FreshnessConfig.ready()`. Work runs after the surrounding transaction
commits, so a rolled-back import or edit never leaves statements behind.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from freshness.pages import is_checked_page


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def revision_saved(sender, instance, created, **kwargs):
    """A new revision (import, editor draft, accepted suggestion): find its claims again."""
    if not created:
        return
    obj = instance.content_object
    from wagtail.models import Page

    if not isinstance(obj, Page) or not is_checked_page(obj):
        return
    page_id = obj.pk
    transaction.on_commit(lambda: _refresh(page_id))


def page_published(sender, instance, **kwargs):
    if not is_checked_page(instance):
        return
    page_id = instance.pk
    transaction.on_commit(lambda: _refresh(page_id))


def trials_stored(sender, nct_ids=(), **kwargs):
    """New registry records: re-check the pages that make claims about those trials."""
    from wagtail.models import Page

    from freshness.actions import notify_editors, run_checks
    from freshness.models import Statement

    page_ids = set(
        Statement.objects.active()
        .filter(nct_id__in=[n.upper() for n in nct_ids])
        .values_list("page_id", flat=True)
    )
    if page_ids:
        run, report = run_checks(today=_today(), pages=list(Page.objects.filter(pk__in=page_ids)))
        notify_editors(run=run, report=report)


def _refresh(page_id: int) -> None:
    from wagtail.models import Page

    from freshness.actions import refresh_page

    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        refresh_page(page=page, today=_today())
