"""The worker warm-up parses open trials' criteria, so a patient's first search finds them ready."""

from finder.eligibility import _parse_cached, eligibility_for
from finder.models import OPEN, TrialIndexEntry
from finder.patient import Patient
from finder.warmup import warm_criteria_cache
from trials.models import Trial


def test_open_trials_are_parsed_before_the_first_search(registry):
    open_ids = list(
        TrialIndexEntry.objects.filter(status_group=OPEN).values_list("trial_id", flat=True)
    )
    assert open_ids, "the test records include open trials"
    finished = Trial.objects.exclude(pk__in=open_ids).exclude(eligibility_criteria="").first()
    _parse_cached.cache_clear()

    assert warm_criteria_cache() == len(open_ids)

    after_warm_up = _parse_cached.cache_info()
    for trial in Trial.objects.filter(pk__in=open_ids):
        eligibility_for(trial, Patient(age=50))
    assert _parse_cached.cache_info().misses == after_warm_up.misses  # nothing parsed again
    eligibility_for(finished, Patient(age=50))
    assert _parse_cached.cache_info().misses == after_warm_up.misses + 1  # only open ones warmed


def test_limit_bounds_the_work(registry):
    _parse_cached.cache_clear()
    assert warm_criteria_cache(limit=1) == 1
    assert _parse_cached.cache_info().currsize == 1
