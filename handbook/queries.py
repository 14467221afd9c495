"""Read-only questions other apps ask about the handbook."""

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
