"""Writes of the finder: keeping the search index in step with stored trials.

The index is derived data. `index_trials` refreshes the entries of some trials (called by the
`trials_stored` signal after every import or sync batch); `rebuild_index` recreates all of
them in batches, each in its own transaction, reading a bounded number of trials at a time so
memory stays flat however large the registry is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import connection, transaction

from finder.geo import country_code_for, locate_site
from finder.index_tokens import analyse_many
from finder.models import GROUP_SPAN, TrialIndexEntry, status_group
from trials.models import Trial, TrialLocation

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)", re.I)
_DAYS_PER = {"year": 365.25, "month": 30.4375, "week": 7, "day": 1, "hour": 0, "minute": 0}
_TRIAL_FIELDS = (
    "id",
    "nct_id",
    "brief_title",
    "official_title",
    "acronym",
    "brief_summary",
    "overall_status",
    "conditions",
    "keywords",
    "interventions",
    "sex",
    "minimum_age",
    "maximum_age",
)


def age_in_days(text: str) -> int | None:
    """ "18 Years" → 6574; "N/A" or "" → None (no limit)."""
    match = _AGE.search(text or "")
    if not match:
        return None
    return int(round(float(match.group(1)) * _DAYS_PER[match.group(2).lower()]))


def fts_rowid(group: int, trial_id: int) -> int:
    """Row ids grouped by status, so a search can read the open trials' rows first."""
    return group * GROUP_SPAN + trial_id


class _Site(NamedTuple):
    """What the index reads of a trial site: plain tuples, not model instances (building
    forty-odd `TrialLocation` objects per trial was half of the indexing time)."""

    position: int
    city: str
    state: str
    country: str


def build_entry(trial: Trial, locations: Iterable[_Site]) -> TrialIndexEntry:
    interventions = trial.interventions or []
    title = analyse_many(
        [
            trial.brief_title,
            trial.official_title,
            trial.acronym,
            *(trial.conditions or []),
            *(trial.keywords or []),
            *(item.get("name", "") for item in interventions),
        ]
    )
    body = analyse_many(
        [trial.brief_summary, *(item.get("description", "") for item in interventions)]
    )
    sites: list[list] = []
    seen: set[tuple[float, float]] = set()
    countries: list[str] = []
    for location in locations:
        code = country_code_for(location.country) if location.country else ""
        if code and code not in countries:
            countries.append(code)
        point = locate_site(location.city, location.state, location.country)
        if point and point not in seen:
            seen.add(point)
            sites.append([point[0], point[1], location.position])
    group = status_group(trial.overall_status)
    return TrialIndexEntry(
        trial_id=trial.pk,
        nct_id=trial.nct_id,
        status=trial.overall_status,
        status_group=group,
        min_age_days=age_in_days(trial.minimum_age),
        max_age_days=age_in_days(trial.maximum_age),
        sex=trial.sex or "",
        countries=" ".join(countries)[:400],
        sites=sites,
        title_tokens=title.text(),
        body_tokens=body.text(),
        fts_rowid=fts_rowid(group, trial.pk),
    )


def _trials_with_sites(queryset) -> list[tuple[Trial, list[_Site]]]:
    trials = list(queryset.only(*_TRIAL_FIELDS))
    ids = [trial.pk for trial in trials]
    sites: dict[int, list[_Site]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        rows = (
            TrialLocation.objects.filter(trial_id__in=ids[start : start + 500])
            .order_by("trial_id", "position")
            .values_list("trial_id", "position", "city", "state", "country")
        )
        for trial_id, *values in rows:
            sites[trial_id].append(_Site(*values))
    return [(trial, sites.get(trial.pk, [])) for trial in trials]


@transaction.atomic
def index_trials(*, nct_ids: Iterable[str]) -> int:
    """Refresh the index entries of these trials; entries of trials no longer stored go."""
    nct_ids = sorted({nct_id.strip().upper() for nct_id in nct_ids if nct_id})
    if not nct_ids:
        return 0
    entries = [
        build_entry(trial, sites)
        for trial, sites in _trials_with_sites(Trial.objects.filter(nct_id__in=nct_ids))
    ]
    TrialIndexEntry.objects.filter(nct_id__in=nct_ids).delete()
    TrialIndexEntry.objects.bulk_create(entries, batch_size=200)
    return len(entries)


def rebuild_index(
    *, batch_size: int = 500, on_batch: Callable[[int, int], None] | None = None
) -> int:
    """Recreate every entry from the stored trials; returns how many were indexed.

    `on_batch(done, total)` is called after each committed batch, for progress output.
    """
    total = Trial.objects.count()
    done = 0
    last_id = 0
    while True:
        batch = _trials_with_sites(Trial.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        last_id = batch[-1][0].pk
        with transaction.atomic():
            ids = [trial.pk for trial, _ in batch]
            TrialIndexEntry.objects.filter(trial_id__in=ids).delete()
            TrialIndexEntry.objects.bulk_create(
                [build_entry(trial, sites) for trial, sites in batch],
                batch_size=200,
            )
        done += len(batch)
        if on_batch:
            on_batch(done, total)
    with transaction.atomic():
        TrialIndexEntry.objects.exclude(trial_id__in=Trial.objects.values("pk")).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO finder_trial_fts(finder_trial_fts) VALUES ('optimize')")
    return done
