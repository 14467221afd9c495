"""Keep PDF booklets current: rebuild a page's booklet when it is published, drop it when the
page is unpublished. Runs after the publishing transaction commits, and a failed build is
logged, never raised: publishing a page must not fail because of its PDF (the download view
builds it again on the next request)."""

import logging

from django.db import transaction

from handbook.models import HandbookPage

logger = logging.getLogger(__name__)


def rebuild_booklet(page_id: int) -> None:
    from publishing.pdf import cached_pdf

    page = HandbookPage.objects.live().filter(pk=page_id).select_related("locale").first()
    if page is None:
        return
    try:
        cached_pdf(page=page, locale_code=page.locale.language_code)
    except Exception:
        logger.exception("publishing: could not build the PDF booklet of page %s", page_id)


def on_page_published(sender, instance, **kwargs):
    if issubclass(instance.specific_class or type(instance), HandbookPage):
        transaction.on_commit(lambda: rebuild_booklet(instance.pk))


def on_page_unpublished(sender, instance, **kwargs):
    from publishing import actions

    actions.forget_built_files(page=instance)


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(on_page_published, dispatch_uid="publishing_rebuild_booklet")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="publishing_forget_booklet")
