"""Keeps the search index current: every batch of stored trials is re-indexed at once."""

from __future__ import annotations

from finder import actions


def reindex_stored_trials(sender, nct_ids=(), **kwargs):
    """Receiver of `trials.signals.trials_stored` (connected in `FinderConfig.ready`)."""
    actions.index_trials(nct_ids=nct_ids)
