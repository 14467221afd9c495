"""Reads of stored publication links that other apps share (the card, the checks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from literature.models import TrialPublication


def links_by_trial(nct_ids: Iterable[str]) -> dict[str, list[TrialPublication]]:
    """Each trial's links with their publications, in `TrialPublication`'s order, read in one
    query; a trial without links is absent."""
    wanted = sorted({nct_id.strip().upper() for nct_id in nct_ids})
    links: dict[str, list[TrialPublication]] = defaultdict(list)
    if wanted:
        for link in TrialPublication.objects.filter(nct_id__in=wanted).select_related(
            "publication"
        ):
            links[link.nct_id].append(link)
    return dict(links)
