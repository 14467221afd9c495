"""Order candidate trials for a patient, and say why each one is where it is.

The order is lexicographic, so the promises made to patients hold by construction:

1. a trial whose age range excludes the patient never ranks above one whose range includes
   them (key 1);
2. trials with a definite exclusion (an eligibility rule, the age range or the sex) form the
   separate "probably not eligible" list, after every other trial (key 2);
3. within each list, open trials (recruiting, not yet recruiting, by invitation) come before
   ongoing ones, which come before finished ones (key 3);
4. trials with no site within the distance the patient can travel come after those with one
   (key 4);
5. then a score that only grows with text relevance, with nearness and with the share of
   criteria met (key 5), so with all else equal the nearer trial ranks first;
6. the NCT number, so equal trials always come out in the same order.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from finder.geo import Place, haversine_km
from finder.models import FINISHED, ONGOING, OPEN, TrialIndexEntry
from finder.patient import Patient
from finder.search import (
    Candidate,
    Plan,
    SearchRequest,
    candidates,
    groups_for,
    locate_patient,
    plan_query,
)
from finder.synonyms import BY_TOKEN
from trials.labels import country_name, is_chinese, status_label
from trials.models import Trial, TrialLocation

logger = logging.getLogger(__name__)

DAYS_PER_YEAR = 365.25
TEXT_WEIGHT, NEAR_WEIGHT, CRITERIA_WEIGHT = 0.6, 0.3, 0.1
NEAR_SCALE_KM = 500.0
MIN_DETAILED = 30


@dataclass
class Features:
    """Everything the order depends on, for one trial."""

    nct_id: str
    status_group: int
    age_excluded: bool = False
    excluded: bool = False
    beyond_travel: bool = False
    relevance: float = 0.0  # 0–1, relative to the best candidate
    distance_km: float | None = None
    met: int = 0
    unknown: int = 0
    not_met: int = 0

    @property
    def nearness(self) -> float:
        if self.distance_km is None:
            return 0.0
        return 1.0 / (1.0 + self.distance_km / NEAR_SCALE_KM)

    @property
    def criteria_share(self) -> float:
        total = self.met + self.unknown + self.not_met
        return self.met / total if total else 0.0

    @property
    def score(self) -> float:
        return (
            TEXT_WEIGHT * self.relevance
            + NEAR_WEIGHT * self.nearness
            + CRITERIA_WEIGHT * self.criteria_share
        )


def sort_key(features: Features) -> tuple:
    return (
        features.age_excluded,
        features.excluded,
        features.status_group,
        features.beyond_travel,
        -features.score,
        features.nct_id,
    )


def order(items: list, key=lambda item: item) -> list:
    """Items sorted by the finder's order; `key` gives each item's Features."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def age_excludes(patient_age: int | None, min_days: int | None, max_days: int | None) -> bool:
    """True only when the whole year of age the patient gave lies outside the trial's range.

    A registry maximum of "65 Years" takes people until their 66th birthday.
    """
    if patient_age is None:
        return False
    oldest = (patient_age + 1) * DAYS_PER_YEAR - 1
    if min_days is not None and oldest < min_days:
        return True
    if max_days is not None and patient_age > int(max_days / DAYS_PER_YEAR + 0.01):
        return True
    return False


def sex_excludes(patient_sex: str | None, trial_sex: str) -> bool:
    return bool(patient_sex and trial_sex in ("FEMALE", "MALE") and patient_sex != trial_sex)


# Results ---------------------------------------------------------------------------------


@dataclass
class Result:
    """One trial in the answer: its features, its record, and the plain-words reasons."""

    features: Features
    trial: Trial
    entry: TrialIndexEntry
    eligibility: object | None = None  # finder.eligibility.EligibilityResult
    nearest_site: TrialLocation | None = None
    reasons: list[str] = field(default_factory=list)
    exclusion_reasons: list[str] = field(default_factory=list)
    site_position: int | None = None  # position of the nearest located site
    sex_excluded: bool = False

    @property
    def nct_id(self) -> str:
        return self.features.nct_id

    @property
    def score(self) -> float:
        return round(self.features.score, 4)


@dataclass
class Outcome:
    """The two lists the patient sees, and the place distances were measured from."""

    results: list[Result]
    not_eligible: list[Result]
    place: Place | None
    considered: int

    def ranked(self) -> list[Result]:
        return self.results + self.not_eligible


def find(request: SearchRequest, *, today: dt.date | None = None) -> Outcome:
    """Search the index and rank the best candidates for this request.

    Raises `finder.search.UnknownPlace` when the patient's city is not in the gazetteer.
    """
    patient = request.patient
    place = locate_patient(patient)
    plan = plan_query(request)
    detailed = max(MIN_DETAILED, request.top * 3)

    def fits(candidate: Candidate) -> bool:
        return not (
            age_excludes(patient.age, candidate.min_age_days, candidate.max_age_days)
            or sex_excludes(patient.sex, candidate.sex)
        )

    def settled(found: list[Candidate]) -> bool:
        # The shortlist below is the first `detailed` in coarse order, which puts every
        # fitting candidate of a status group before any of a later group: once that many
        # fit, no trial of a later group could enter it.
        return sum(1 for candidate in found if fits(candidate)) >= detailed

    found = candidates(plan, groups_for(request), enough=request.top, settled=settled)
    best = max((c.relevance for c in found), default=0.0) or 1.0

    def coarse(candidate: Candidate) -> tuple:
        age_out = age_excludes(patient.age, candidate.min_age_days, candidate.max_age_days)
        sex_out = sex_excludes(patient.sex, candidate.sex)
        away = bool(place and place.country_code not in candidate.countries.split())
        return (age_out, sex_out, candidate.status_group, away, -candidate.relevance)

    shortlist = sorted(found, key=coarse)[:detailed]
    results = _detail(shortlist, patient, place, plan, best)
    ranked = order(results, key=lambda result: result.features)
    eligible = [result for result in ranked if not result.features.excluded][: request.top]
    others = [result for result in ranked if result.features.excluded][: request.top]
    _explain(eligible + others, patient, place, plan)
    return Outcome(results=eligible, not_eligible=others, place=place, considered=len(found))


def _explain(results: list[Result], patient: Patient, place: Place | None, plan: Plan) -> None:
    """Sites and plain-words reasons, for the trials that are shown only."""
    prefetch_related_objects([result.trial for result in results], "locations")
    for result in results:
        result.nearest_site = next(
            (loc for loc in result.trial.locations.all() if loc.position == result.site_position),
            None,
        )
        result.exclusion_reasons = _exclusions(result, patient, result.sex_excluded)
        result.reasons = _reasons(result, patient, place, plan)


def _detail(
    shortlist: list[Candidate], patient: Patient, place: Place | None, plan: Plan, best: float
) -> list[Result]:
    from finder.eligibility import eligibility_for

    by_id = {candidate.trial_id: candidate for candidate in shortlist}
    trials = {trial.pk: trial for trial in Trial.objects.filter(pk__in=by_id)}
    entries = TrialIndexEntry.objects.in_bulk(list(by_id))
    results = []
    for trial_id, candidate in by_id.items():
        trial, entry = trials.get(trial_id), entries.get(trial_id)
        if trial is None or entry is None:
            continue
        try:
            eligibility = eligibility_for(trial, patient)
        except Exception:
            # One record the criteria reader cannot handle must not cost the patient the whole
            # answer: that trial is shown with every criterion left to the doctor. The log
            # names the trial only, never what the patient entered.
            logger.exception("eligibility rules failed for %s", trial.nct_id)
            eligibility = None
        distance, position = _nearest(entry.sites, place)
        features = Features(
            nct_id=trial.nct_id,
            status_group=entry.status_group,
            age_excluded=age_excludes(patient.age, entry.min_age_days, entry.max_age_days),
            relevance=_relevance(candidate.relevance / best, entry, plan),
            distance_km=distance,
            met=eligibility.met if eligibility else 0,
            unknown=eligibility.unknown if eligibility else 0,
            not_met=eligibility.not_met if eligibility else 0,
        )
        sex_out = sex_excludes(patient.sex, entry.sex)
        features.excluded = bool(
            (eligibility and eligibility.definitely_excluded) or features.age_excluded or sex_out
        )
        features.beyond_travel = bool(
            patient.max_distance_km is not None
            and distance is not None
            and distance > patient.max_distance_km
        )
        results.append(
            Result(
                features=features,
                trial=trial,
                entry=entry,
                eligibility=eligibility,
                site_position=position,
                sex_excluded=sex_out,
            )
        )
    return results


def _relevance(text_score: float, entry: TrialIndexEntry, plan: Plan) -> float:
    """Full-text score scaled by how much of what was asked the record covers.

    With concepts in the query (diseases, treatments) coverage counts concepts, otherwise
    words: a trial about both scleroderma and stem cells beats one about only one of them.
    """
    if not text_score:
        return 0.0
    asked = [token for token in plan.boost if token in BY_TOKEN] or plan.boost
    if not asked:
        return text_score
    tokens = set(entry.title_tokens.split()) | set(entry.body_tokens.split())
    coverage = sum(token in tokens for token in asked) / len(asked)
    return text_score * (0.5 + 0.5 * coverage)


def _nearest(sites: list, place: Place | None) -> tuple[float | None, int | None]:
    if place is None or not sites:
        return None, None
    best = min(
        sites, key=lambda site: haversine_km(place.latitude, place.longitude, site[0], site[1])
    )
    return haversine_km(place.latitude, place.longitude, best[0], best[1]), best[2]


def age_range_label(minimum: str, maximum: str) -> str:
    low, high = _age_words(minimum), _age_words(maximum)
    if low and high:
        return _("%(low)s to %(high)s") % {"low": low, "high": high}
    if low:
        return _("%(low)s or older") % {"low": low}
    if high:
        return _("up to %(high)s") % {"high": high}
    return _("any age")


def _age_words(text: str) -> str:
    parts = (text or "").split()
    if len(parts) != 2 or not parts[0].replace(".", "").isdigit():
        return ""
    number, unit = parts[0], parts[1].lower().rstrip("s")
    words = {
        "year": _("%(n)s years"),
        "month": _("%(n)s months"),
        "week": _("%(n)s weeks"),
        "day": _("%(n)s days"),
    }
    return words.get(unit, "%(n)s " + parts[1]) % {"n": number}


def _exclusions(result: Result, patient: Patient, sex_out: bool) -> list[str]:
    reasons = []
    trial = result.trial
    if result.features.age_excluded:
        reasons.append(
            _("Your age (%(age)d) is outside the trial's age range (%(range)s).")
            % {"age": patient.age, "range": age_range_label(trial.minimum_age, trial.maximum_age)}
        )
    if sex_out:
        reasons.append(
            _("The trial takes only women.")
            if result.entry.sex == "FEMALE"
            else _("The trial takes only men.")
        )
    eligibility = result.eligibility
    if eligibility is not None and eligibility.definitely_excluded:
        own = eligibility.exclusion_reasons_zh if is_chinese() else eligibility.exclusion_reasons_en
        reasons.extend(reason for reason in own if reason not in reasons)
    return reasons


def _reasons(result: Result, patient: Patient, place: Place | None, plan: Plan) -> list[str]:
    features, trial, entry = result.features, result.trial, result.entry
    reasons = []
    label = status_label(trial.overall_status)
    if features.status_group == OPEN:
        reasons.append(_("Open to new participants (%(status)s).") % {"status": label})
    elif features.status_group == ONGOING:
        reasons.append(
            _("Still running but not taking new participants (%(status)s).") % {"status": label}
        )
    elif features.status_group == FINISHED:
        reasons.append(
            _("Finished or stopped (%(status)s); shown because you asked.") % {"status": label}
        )

    tokens = set(entry.title_tokens.split()) | set(entry.body_tokens.split())
    matched = []
    for token in plan.required + plan.boost:
        if token in tokens:
            word = plan.words.get(token) or (
                str(BY_TOKEN[token].label) if token in BY_TOKEN else ""
            )
            if word and word not in matched:
                matched.append(word)
    if matched:
        reasons.append(_("Its record mentions: %(terms)s.") % {"terms": _(", ").join(matched[:6])})

    if place is not None:
        site = result.nearest_site
        if features.distance_km is not None and site is not None:
            where = ", ".join(
                part for part in (site.facility, site.city, country_name(site.country)) if part
            )
            reasons.append(
                _("Nearest site: %(site)s, about %(km)s km from %(place)s.")
                % {"site": where, "km": f"{features.distance_km:,.0f}", "place": place.label}
            )
            if features.beyond_travel:
                reasons.append(
                    _("That is farther than the %(km)s km you said you can travel.")
                    % {"km": f"{patient.max_distance_km:,.0f}"}
                )
        else:
            reasons.append(_("The record gives no site we can place on the map."))

    if patient.age is not None and not features.age_excluded:
        reasons.append(
            _("Your age fits the trial's range (%(range)s).")
            % {"range": age_range_label(trial.minimum_age, trial.maximum_age)}
        )
    if features.met or features.unknown or features.not_met:
        reasons.append(
            _(
                "Eligibility criteria: %(met)d met, %(not_met)d not met, "
                "%(unknown)d to check with a doctor."
            )
            % {"met": features.met, "not_met": features.not_met, "unknown": features.unknown}
        )
    return reasons
