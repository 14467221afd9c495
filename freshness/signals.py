"""Re-check what a page says whenever its text or its trials' records change.

Registered in `FreshnessConfig.ready()`. Work runs after the surrounding transaction
commits, so a rolled-back import or edit never leaves statements behind; the re-check after
new registry records is a background task (ADR 0014).
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
    """New registry records: enqueue the re-check of the pages that make claims about them
    (`freshness.tasks.recheck_trials`, ADR 0014), so an import never waits for the checks."""
    from freshness.tasks import recheck_trials

    nct_ids = sorted({nct_id.upper() for nct_id in nct_ids})
    if nct_ids:
        transaction.on_commit(lambda: recheck_trials.enqueue(nct_ids), robust=True)


def _refresh(page_id: int) -> None:
    from wagtail.models import Page

    from freshness.actions import refresh_page

    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        refresh_page(page=page, today=_today())
