"""Background work of the publishing app (ADR 0014): printing a page's booklet takes WeasyPrint
seconds, so publishing only enqueues it and a worker builds it. A failed build raises, so the
task is recorded as failed (`manage.py tasks_status`, the Django admin) instead of vanishing;
the download view still builds a missing booklet on request."""

from django_tasks import task


@task()
def rebuild_booklet(page_id: int) -> None:
    """Build (or keep, when its HTML is unchanged) the booklet of one live handbook page.

    A page unpublished or deleted since the task was enqueued has no booklet to build.
    """
    from handbook.models import HandbookPage
    from publishing.pdf import cached_pdf

    page = HandbookPage.objects.live().filter(pk=page_id).select_related("locale").first()
    if page is not None:
        cached_pdf(page=page, locale_code=page.locale.language_code)
