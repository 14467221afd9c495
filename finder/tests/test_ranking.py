"""Ranking properties, checked over many generated candidates and over real searches."""

import dataclasses
import random

import pytest

from finder.models import FINISHED, ONGOING, OPEN
from finder.patient import Patient
from finder.ranking import Features, age_excludes, find, order, sex_excludes
from finder.search import SearchRequest

CASES = 500


def _random_features(rng: random.Random, number: int) -> Features:
    age_excluded = rng.random() < 0.25
    return Features(
        nct_id=f"NCT{number:08d}",
        status_group=rng.choice([OPEN, ONGOING, FINISHED]),
        age_excluded=age_excluded,
        excluded=age_excluded or rng.random() < 0.2,
        beyond_travel=rng.random() < 0.2,
        relevance=rng.random(),
        distance_km=rng.choice([None, rng.uniform(0, 12000)]),
        met=rng.randint(0, 10),
        unknown=rng.randint(0, 30),
        not_met=rng.randint(0, 3),
    )


def _lists(seed):
    rng = random.Random(seed)
    for _ in range(CASES):
        size = rng.randint(2, 25)
        yield rng, [_random_features(rng, number) for number in range(size)]


def test_age_excluded_never_ranks_above_age_included():
    for _rng, items in _lists(1):
        ranked = order(items)
        seen_excluded = False
        for features in ranked:
            if features.age_excluded:
                seen_excluded = True
            else:
                assert not seen_excluded, ranked


def test_definite_exclusions_come_after_every_possible_trial():
    for _rng, items in _lists(2):
        flags = [features.excluded for features in order(items)]
        assert flags == sorted(flags)


def test_open_before_ongoing_before_finished_within_each_list():
    for _rng, items in _lists(3):
        ranked = order(items)
        for excluded in (False, True):
            groups = [
                f.status_group for f in ranked if f.excluded == excluded and not f.age_excluded
            ]
            assert groups == sorted(groups)


def test_recruiting_before_completed_when_all_else_equal():
    for rng, items in _lists(4):
        base = rng.choice(items)
        recruiting = dataclasses.replace(base, nct_id="NCT99999998", status_group=OPEN)
        completed = dataclasses.replace(
            base, nct_id="NCT00000001", status_group=FINISHED, relevance=1.0, distance_km=0.0
        )
        ranked = order([completed, recruiting])
        assert ranked[0] is recruiting


def test_nearer_before_farther_when_all_else_equal():
    for rng, items in _lists(5):
        base = rng.choice(items)
        near_km = rng.uniform(0, 5000)
        far_km = near_km + rng.uniform(0.5, 5000)
        near = dataclasses.replace(base, nct_id="NCT99999999", distance_km=near_km)
        far = dataclasses.replace(base, nct_id="NCT00000001", distance_km=far_km)
        pool = [*items, far, near]
        rng.shuffle(pool)
        ranked = order(pool)
        assert ranked.index(near) < ranked.index(far)


def test_unknown_distance_never_beats_a_known_one_all_else_equal():
    for rng, items in _lists(6):
        base = rng.choice(items)
        known = dataclasses.replace(base, nct_id="NCT99999999", distance_km=rng.uniform(0, 20000))
        unknown = dataclasses.replace(base, nct_id="NCT00000001", distance_km=None)
        assert order([unknown, known])[0] is known


@pytest.mark.parametrize(
    ("age", "minimum", "maximum", "excluded"),
    [
        (17, "18 Years", "", True),
        (18, "18 Years", "", False),
        (65, "18 Years", "65 Years", False),
        (66, "18 Years", "65 Years", True),
        (0, "", "6 Months", False),
        (1, "", "6 Months", True),
        (None, "18 Years", "65 Years", False),
    ],
)
def test_age_range_boundaries(age, minimum, maximum, excluded):
    from finder.actions import age_in_days

    assert age_excludes(age, age_in_days(minimum), age_in_days(maximum)) is excluded


def test_sex_rule():
    assert sex_excludes("MALE", "FEMALE") and sex_excludes("FEMALE", "MALE")
    assert not sex_excludes("FEMALE", "ALL") and not sex_excludes(None, "MALE")


def test_properties_hold_on_real_searches(registry):
    """Random patients over the real records: age-excluded trials never above included ones."""
    rng = random.Random(7)
    cities = ["", "成都", "北京", "上海", "Paris", "Seoul", "南京"]
    texts = ["", "硬皮病", "干细胞", "雷诺现象 指端溃疡", "lung fibrosis", "肺动脉高压"]
    for _ in range(25):
        patient = Patient(
            age=rng.randint(5, 90),
            sex=rng.choice([None, "FEMALE", "MALE"]),
            city=rng.choice(cities),
            text=rng.choice(texts),
        )
        outcome = find(SearchRequest(patient=patient, include_finished=True, top=40))
        ranked = [result.features for result in outcome.ranked()]
        flags = [features.age_excluded for features in ranked]
        assert flags == sorted(flags), (patient, flags)
        for result in outcome.results:
            assert not result.features.excluded
            assert not age_excludes(
                patient.age, result.entry.min_age_days, result.entry.max_age_days
            )
        for result in outcome.not_eligible:
            assert result.exclusion_reasons
        for listed in (outcome.results, outcome.not_eligible):
            groups = [r.features.status_group for r in listed if not r.features.age_excluded]
            assert groups == sorted(groups)
