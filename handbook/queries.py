"""Read-only questions other apps ask about the handbook."""

from django.db import connection
from wagtail.models import Page, PageLogEntry

from handbook.models import HandbookPage


def cited_nct_ids() -> list[str]:
    """Every NCT number the handbook mentions, drafts included, so their records are synced
    before an editor publishes them."""
    seen: dict[str, None] = {}
    for page in HandbookPage.objects.all():
        latest = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
        for nct_id in latest.mentioned_nct_ids():
            seen.setdefault(nct_id, None)
    return list(seen)


def newest_page_change() -> tuple:
    """A value that changes whenever a page is published, unpublished, moved or deleted.

    The newest page log entry covers what editors do in the admin; the number of live pages and
    the newest publication also catch pages deleted or published in code, which Wagtail does
    not log. One statement, cheap enough for the page cache to ask once a second, and the one
    definition the page cache and site search share so they never disagree about a change.
    """
    log_table = PageLogEntry._meta.db_table
    page_table = Page._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {log_table}), COUNT(*), MAX(last_published_at) "  # noqa: S608
            f"FROM {page_table} WHERE live = %s",
            [True],
        )
        return tuple(cursor.fetchone())
