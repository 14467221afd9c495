"""Shape stored trial records for templates: the trial card.

The card reads stored records only (never the network) and carries the source and the date
the facts were checked, as the medical content rules require.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from literature.presenters import PublicationRow, publications_for_trial
from trials.dates import PartialDate
from trials.labels import (
    country_name,
    date_type_label,
    enrollment_label,
    phase_label,
    status_label,
)
from trials.models import OverallStatus, Trial
from trials.timeline import trial_timeline

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
REGISTRY_URL = "https://clinicaltrials.gov/study/{nct_id}"
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


def _format_partial(value: str) -> str:
    partial = PartialDate.from_iso(value) if value else None
    return partial.format() if partial else ""


def trial_card(nct_id: str) -> TrialCard:
    nct_id = nct_id.strip().upper()
    card = TrialCard(
        nct_id=nct_id, registry_url=REGISTRY_URL.format(nct_id=nct_id), anchor=f"trial-{nct_id}"
    )
    trial = Trial.objects.filter(nct_id=nct_id, current_version__isnull=False).first()
    if trial is None:
        return card
    return present_trial(trial, card)


def present_trial(trial: Trial, card: TrialCard) -> TrialCard:
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

    locations = list(trial.locations.all())
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
    linked = publications_for_trial(trial.nct_id)
    card.publications = linked.results
    card.background_publications = linked.background
    card.timeline = trial_timeline(trial, publications=linked.results, today=timezone.localdate())
    if trial.record_date:
        card.record_date = PartialDate(
            trial.record_date.year, trial.record_date.month, trial.record_date.day
        ).format()
    return card
