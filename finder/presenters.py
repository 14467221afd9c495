"""Shape ranked trials for the results page and for `find_trials --format json`.

Every fact shown comes from the stored registry record, with its source and checked date;
the plain summary is marked as automatic. The registry's contact people are not kept in our
records (`trials.records.TrialRecord` has no contact fields), so the contact to ask is the
nearest site's facility plus the registry page, which lists the current contacts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.identifiers import nct_url
from finder.ranking import Result, age_range_label
from trials.dates import PartialDate
from trials.labels import country_name, is_chinese, phase_label, status_label

FIT_LABELS = {
    "met": pgettext_lazy("eligibility criterion", "Met"),
    "not_met": pgettext_lazy("eligibility criterion", "Not met"),
    "unknown": pgettext_lazy("eligibility criterion", "Needs a doctor to check"),
}


@dataclass
class CriterionRow:
    text: str
    section: str
    fit: str
    fit_label: str
    reason: str


@dataclass
class ResultCard:
    nct_id: str
    title: str
    status: str
    status_label: str
    status_group: int
    phase: str
    registry_url: str
    reasons: list[str]
    exclusion_reasons: list[str]
    ages: str
    nearest_site: str = ""
    distance: str = ""
    other_sites: int = 0
    criteria: list[CriterionRow] = field(default_factory=list)
    met: int = 0
    not_met: int = 0
    unknown: int = 0
    summary: list[str] = field(default_factory=list)
    summary_automatic: bool = True
    record_date: str = ""


def _site_words(location) -> str:
    parts = [location.facility, location.city, country_name(location.country)]
    return ", ".join(part for part in parts if part)


def _fit_label(fit: str) -> str:
    return str(FIT_LABELS.get(fit, fit))


def result_card(result: Result, *, today: dt.date) -> ResultCard:
    from finder.summary import plain_summary

    trial = result.trial
    card = ResultCard(
        nct_id=trial.nct_id,
        title=trial.brief_title or trial.official_title,
        status=trial.overall_status,
        status_label=status_label(trial.overall_status),
        status_group=result.features.status_group,
        phase=phase_label(trial.phases),
        registry_url=nct_url(trial.nct_id),
        reasons=result.reasons,
        exclusion_reasons=result.exclusion_reasons,
        ages=age_range_label(trial.minimum_age, trial.maximum_age),
    )
    locations = list(trial.locations.all())
    if result.nearest_site is not None:
        card.nearest_site = _site_words(result.nearest_site)
        card.other_sites = len(locations) - 1
    elif locations:
        card.nearest_site = _site_words(locations[0])
        card.other_sites = len(locations) - 1
    if result.features.distance_km is not None:
        card.distance = _("about %(km)s km") % {"km": f"{result.features.distance_km:,.0f}"}
    eligibility = result.eligibility
    if eligibility is not None:
        chinese = is_chinese()
        for assessment in eligibility.assessments:
            fit = str(assessment.fit)
            card.criteria.append(
                CriterionRow(
                    text=assessment.criterion.text,
                    section=assessment.criterion.section,
                    fit=fit,
                    fit_label=_fit_label(fit),
                    reason=assessment.reason_zh if chinese else assessment.reason_en,
                )
            )
        card.met, card.not_met, card.unknown = (
            eligibility.met,
            eligibility.not_met,
            eligibility.unknown,
        )
    summary = plain_summary(trial, today=today)
    card.summary = list(summary.paragraphs_zh)
    card.summary_automatic = summary.automatic
    if trial.record_date:
        day = trial.record_date
        card.record_date = PartialDate(day.year, day.month, day.day).format()
    return card


def result_json(result: Result, *, rank: int) -> dict:
    """One line of `find_trials --format json`: the ranking and the plain-words reasons."""
    trial = result.trial
    site = result.nearest_site
    eligibility = result.eligibility
    return {
        "rank": rank,
        "nct_id": trial.nct_id,
        "score": result.score,
        "list": "probably_not_eligible" if result.features.excluded else "eligible",
        "title": trial.brief_title or trial.official_title,
        "status": trial.overall_status,
        "status_group": result.features.status_group,
        "distance_km": (
            round(result.features.distance_km, 1)
            if result.features.distance_km is not None
            else None
        ),
        "nearest_site": (
            {
                "facility": site.facility,
                "city": site.city,
                "state": site.state,
                "country": site.country,
            }
            if site is not None
            else None
        ),
        "criteria": (
            {
                "met": eligibility.met,
                "not_met": eligibility.not_met,
                "unknown": eligibility.unknown,
            }
            if eligibility is not None
            else None
        ),
        "reasons": result.reasons,
        "exclusion_reasons": result.exclusion_reasons,
        "registry_url": nct_url(trial.nct_id),
        "record_date": trial.record_date.isoformat() if trial.record_date else None,
    }
