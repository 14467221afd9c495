"""Shape stored trial records for templates: the trial card.

The card reads stored records only (never the network) and carries the source and the date
the facts were checked, as the medical content rules require. It lives in the handbook, the
first layer above all it shows: trials' records and timeline, literature's papers and the
freshness flags (ADR 0013).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from literature.presenters import PublicationRow, publications_from_links
from literature.queries import links_by_trial
from trials.dates import PartialDate
from trials.labels import (
    REGISTRY_URL,
    country_name,
    date_type_label,
    enrollment_label,
    phase_label,
    status_label,
)
from trials.models import OverallStatus, Trial
from trials.queries import current_trials, read_trials
from trials.timeline import trial_timeline

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
MAX_SITES_LISTED = 5


@dataclass
class DateRow:
    label: str
    value: str
    kind: str  # the date type label ("实际" / "计划"), "" when the registry did not say


@dataclass
class ReferenceRow:
    citation: str
    pmid: str
    url: str
    is_result: bool


@dataclass
class TrialCard:
    nct_id: str
    registry_url: str
    found: bool = False
    title: str = ""
    status: str = ""
    status_label: str = ""
    status_note: str = ""
    phase: str = ""
    enrollment: str = ""
    where: str = ""
    sites: list[str] = field(default_factory=list)
    more_sites: int = 0
    dates: list[DateRow] = field(default_factory=list)
    results_posted: bool = False
    references: list[ReferenceRow] = field(default_factory=list)
    # Papers linked to the trial (literature app): results, and background references apart.
    publications: list[PublicationRow] = field(default_factory=list)
    background_publications: list[PublicationRow] = field(default_factory=list)
    record_date: str = ""
    anchor: str = ""
    timeline: object = None  # trials.timeline.TimelineView: planned vs actual, status history
    # The rows the card was built from (a StoredTrial), so the freshness flags read the same
    # record instead of querying it again.
    stored: object = field(default=None, repr=False, compare=False)


@dataclass
class StoredTrial:
    """Everything a card shows about one trial, read once: the trial, its sites, its stored
    versions (oldest first) and its publication links (with their publications)."""

    trial: Trial
    locations: list
    versions: list
    links: list


def load_stored_trials(nct_ids: Iterable[str]) -> dict[str, StoredTrial]:
    """The stored trials among `nct_ids` that have a current version, keyed by NCT number:
    four queries however many there are."""
    wanted = {nct_id.strip().upper() for nct_id in nct_ids} - {""}
    if not wanted:
        return {}
    return stored_trials(current_trials(wanted))


def stored_trials(trials: Iterable[Trial]) -> dict[str, StoredTrial]:
    """What the cards of `trials` show: trials' own read (sites, versions) and the
    literature's links, three queries."""
    rows = read_trials(trials)
    links = links_by_trial(rows)
    return {
        nct_id: StoredTrial(
            trial=row.trial,
            locations=row.locations,
            versions=row.versions,
            links=links.get(nct_id, []),
        )
        for nct_id, row in rows.items()
    }


class StoredTrials:
    """A memo for one render (one request): each trial read at most once, and the trials the
    page cites read together on the first card. Never shared between requests, so every
    fact shown comes from the record stored when the page is rendered."""

    def __init__(self, cited: Iterable[str] = ()):
        self._cited = {nct_id.strip().upper() for nct_id in cited}
        self._read: dict[str, StoredTrial | None] = {}

    def get(self, nct_id: str) -> StoredTrial | None:
        nct_id = nct_id.strip().upper()
        if nct_id not in self._read:
            batch = (self._cited - self._read.keys()) | {nct_id}
            found = load_stored_trials(batch)
            for wanted in batch:
                self._read[wanted] = found.get(wanted)
        return self._read[nct_id]


def _format_partial(value: str) -> str:
    partial = PartialDate.from_iso(value) if value else None
    return partial.format() if partial else ""


def trial_card(nct_id: str, *, memo: StoredTrials | None = None) -> TrialCard:
    """The card of one trial; `memo` shares one read of the trials between a page's cards."""
    nct_id = nct_id.strip().upper()
    card = TrialCard(
        nct_id=nct_id, registry_url=REGISTRY_URL.format(nct_id=nct_id), anchor=f"trial-{nct_id}"
    )
    stored = (memo or StoredTrials()).get(nct_id)
    if stored is None:
        return card
    return present_trial(stored.trial, card, stored=stored)


def present_trial(trial: Trial, card: TrialCard, *, stored: StoredTrial | None = None) -> TrialCard:
    if stored is None:
        stored = stored_trials([trial])[trial.nct_id]
    card.stored = stored
    card.found = True
    card.title = trial.brief_title or trial.official_title
    card.status = trial.overall_status
    card.status_label = status_label(trial.overall_status)
    if trial.overall_status == OverallStatus.UNKNOWN:
        notes = []
        if trial.verification_date:
            notes.append(
                _("last verified %(date)s") % {"date": _format_partial(trial.verification_date)}
            )
        if trial.last_known_status:
            notes.append(
                _("last known status: %(status)s")
                % {"status": status_label(trial.last_known_status)}
            )
        card.status_note = _("; ").join(notes)
    card.phase = phase_label(trial.phases)
    card.enrollment = enrollment_label(trial.enrollment, trial.enrollment_type)

    locations = stored.locations
    countries = list(dict.fromkeys(country_name(loc.country) for loc in locations if loc.country))
    if locations:
        card.where = ngettext(
            "%(countries)s · %(count)d site", "%(countries)s · %(count)d sites", len(locations)
        ) % {"countries": _(", ").join(countries), "count": len(locations)}
    for location in locations[:MAX_SITES_LISTED]:
        parts = [location.facility, location.city, country_name(location.country)]
        card.sites.append(", ".join(part for part in parts if part))
    card.more_sites = max(0, len(locations) - MAX_SITES_LISTED)

    for label, value_field, type_field in (
        (_("Start"), "start_date", "start_date_type"),
        (_("Primary completion"), "primary_completion_date", "primary_completion_date_type"),
        (_("Completion"), "completion_date", "completion_date_type"),
    ):
        value = getattr(trial, value_field)
        if value:
            card.dates.append(
                DateRow(
                    label=label,
                    value=_format_partial(value),
                    kind=date_type_label(getattr(trial, type_field)),
                )
            )
    card.results_posted = trial.results_posted
    for reference in trial.references:
        pmid = reference.get("pmid", "")
        card.references.append(
            ReferenceRow(
                citation=reference.get("citation", ""),
                pmid=pmid,
                url=PUBMED_URL.format(pmid=pmid) if pmid else "",
                is_result=reference.get("type") in ("RESULT", "DERIVED"),
            )
        )
    card.references.sort(key=lambda row: not row.is_result)
    linked = publications_from_links(stored.links)
    card.publications = linked.results
    card.background_publications = linked.background
    card.timeline = trial_timeline(
        trial, publications=linked.results, today=timezone.localdate(), versions=stored.versions
    )
    if trial.record_date:
        card.record_date = PartialDate(
            trial.record_date.year, trial.record_date.month, trial.record_date.day
        ).format()
    return card
