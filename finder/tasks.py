"""Background work of the finder (ADR 0014): re-indexing the trials an import or sync stored
runs in a worker, not inside the import that stored them."""

from django_tasks import task

from finder import actions


@task()
def reindex_trials(nct_ids: list[str]) -> int:
    """Refresh these trials' search index entries; the number of entries written."""
    return actions.index_trials(nct_ids=nct_ids)
