"""Background work of the freshness checks (ADR 0014): re-checking the pages that cite newly
stored trials, and e-mailing editors what is newly flagged, runs in a worker rather than inside
the import or sync that stored the records."""

from __future__ import annotations

from django_tasks import task


@task()
def recheck_trials(nct_ids: list[str]) -> int:
    """Re-check the pages that make claims about these trials; the number of pages checked.

    Editors are e-mailed only about what is newly flagged (`notify_editors`), so a task that
    runs twice does not send the same digest twice.
    """
    from django.utils import timezone
    from wagtail.models import Page

    from freshness.actions import notify_editors, run_checks
    from freshness.models import Statement

    page_ids = set(
        Statement.objects.active()
        .filter(nct_id__in=[nct_id.upper() for nct_id in nct_ids])
        .values_list("page_id", flat=True)
    )
    if not page_ids:
        return 0
    pages = list(Page.objects.filter(pk__in=page_ids))
    run, report = run_checks(today=timezone.localdate(), pages=pages)
    notify_editors(run=run, report=report)
    return len(pages)
