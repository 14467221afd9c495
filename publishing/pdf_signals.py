"""Keep PDF booklets current: enqueue a rebuild of a page's booklet when it is published, drop
it when the page is unpublished. The rebuild is a task (`publishing.tasks.rebuild_booklet`,
ADR 0014) enqueued after the publishing transaction commits, so the editor's request never
waits for WeasyPrint and a worker never looks for a revision that is not committed yet. A
failure to enqueue is logged, never raised: publishing must not fail because of its PDF (the
download view builds a missing booklet on request)."""

from django.db import transaction

from handbook.models import HandbookPage


def on_page_published(sender, instance, **kwargs):
    if issubclass(instance.specific_class or type(instance), HandbookPage):
        from publishing.tasks import rebuild_booklet

        page_id = instance.pk
        transaction.on_commit(lambda: rebuild_booklet.enqueue(page_id), robust=True)


def on_page_unpublished(sender, instance, **kwargs):
    from publishing import actions

    actions.forget_built_files(page=instance)


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(on_page_published, dispatch_uid="publishing_rebuild_booklet")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="publishing_forget_booklet")
