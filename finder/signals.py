"""Keeps the search index current: every batch of stored trials is re-indexed by a task
(`finder.tasks.reindex_trials`), enqueued once the batch has committed."""

from __future__ import annotations

from django.db import transaction

from finder.tasks import reindex_trials


def reindex_stored_trials(sender, nct_ids=(), **kwargs):
    """Receiver of `trials.signals.trials_stored` (connected in `FinderConfig.ready`)."""
    nct_ids = sorted({nct_id.upper() for nct_id in nct_ids})
    if nct_ids:
        transaction.on_commit(lambda: reindex_trials.enqueue(nct_ids), robust=True)
