"""Reads of stored trials that other apps share, so there is one reader and one column list.

The trial card (handbook), the freshness checks and the flags all need a trial's stored
versions; reading them here, with the columns named once, keeps a page render to one query
per table and keeps what the checks see identical to what the card shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, prefetch_related_objects

from trials.models import Trial, TrialVersion

# Trial columns no card, timeline or flag shows: not read (long texts, JSON lists to decode).
UNSHOWN_FIELDS = (
    "brief_summary",
    "eligibility_criteria",
    "conditions",
    "keywords",
    "interventions",
    "collaborators",
    "who_masked",
    "secondary_ids",
    "nct_aliases",
)
# Only these columns of a version are read (never the raw document, the largest one).
VERSION_FIELDS = ("id", "trial_id", "snapshot_date", "last_seen_date", "fields")


@dataclass
class TrialRows:
    """One trial's stored rows, read once: the trial, its sites and its versions (oldest
    first). Publications are the literature app's, read beside these by whoever needs them."""

    trial: Trial
    locations: list
    versions: list


def current_trials(nct_ids: Iterable[str]) -> QuerySet[Trial]:
    """The stored trials among `nct_ids` that have a current version, without the columns
    nothing shows."""
    wanted = sorted({nct_id.strip().upper() for nct_id in nct_ids})
    return Trial.objects.filter(nct_id__in=wanted, current_version__isnull=False).defer(
        *UNSHOWN_FIELDS
    )


def read_trials(trials: Iterable[Trial], *, locations: bool = True) -> dict[str, TrialRows]:
    """The rows of `trials` keyed by NCT number: one query for the versions, one more for the
    sites unless `locations` is false (the checks compare versions, not sites)."""
    trials = list(trials)
    if not trials:
        return {}
    if locations:
        prefetch_related_objects(trials, "locations")
    versions: dict[int, list] = defaultdict(list)
    for version in (
        TrialVersion.objects.filter(trial_id__in=[trial.pk for trial in trials])
        .only(*VERSION_FIELDS)
        .order_by("trial_id", "snapshot_date", "pk")
    ):
        versions[version.trial_id].append(version)
    return {
        trial.nct_id: TrialRows(
            trial=trial,
            locations=list(trial.locations.all()) if locations else [],
            versions=versions[trial.pk],
        )
        for trial in trials
    }
