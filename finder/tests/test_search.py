"""Index and search over real registry records."""

import pytest
from django.utils import translation

from finder import actions
from finder.models import TrialIndexEntry
from finder.patient import Patient
from finder.ranking import find
from finder.search import SearchRequest, UnknownPlace
from finder.tests.conftest import MSC_TRIALS
from trials.models import Trial
from trials.signals import trials_stored


def _ids(outcome):
    return [result.nct_id for result in outcome.ranked()]


def test_every_stored_trial_is_indexed(registry):
    assert TrialIndexEntry.objects.count() == Trial.objects.count() > 150
    nanjing = TrialIndexEntry.objects.get(nct_id="NCT00962923")
    assert nanjing.countries == "CN"
    assert nanjing.min_age_days == round(15 * 365.25) and nanjing.max_age_days == round(65 * 365.25)
    assert len(nanjing.sites) == 1 and abs(nanjing.sites[0][0] - 32.06) < 0.1
    assert "xxssc" in nanjing.title_tokens.split() and "xxmsc" in nanjing.title_tokens.split()


def test_chinese_query_finds_the_msc_trials(registry):
    outcome = find(
        SearchRequest(patient=Patient(text="硬皮病 干细胞"), include_finished=True, top=10)
    )
    ranked = outcome.ranked()
    assert ranked[0].nct_id == "NCT03211793"  # the only open one: status comes first
    finished = [result.nct_id for result in ranked if result.features.status_group == 2]
    assert set(finished[:3]) == MSC_TRIALS - {"NCT03211793"}, finished
    assert MSC_TRIALS <= set(_ids(outcome)[:6])
    with translation.override("zh-hans"):
        first = find(SearchRequest(patient=Patient(text="硬皮病 干细胞"))).ranked()[0]
    assert any("系统性硬化症" in reason and "干细胞" in reason for reason in first.reasons)


def test_english_query_finds_the_same_trials(registry):
    outcome = find(
        SearchRequest(
            patient=Patient(text="mesenchymal stem cells for scleroderma"),
            include_finished=True,
            top=10,
        )
    )
    assert MSC_TRIALS <= set(_ids(outcome)[:6])


def test_raynaud_query_in_chinese(registry):
    outcome = find(SearchRequest(patient=Patient(text="雷诺现象"), include_finished=True, top=5))
    ids = _ids(outcome)
    assert {"NCT00000530", "NCT00498615", "NCT00004786"} <= set(ids), ids


def test_without_finished_only_open_trials(registry):
    outcome = find(SearchRequest(patient=Patient(text="硬皮病"), top=50))
    statuses = {result.trial.overall_status for result in outcome.ranked()}
    assert statuses <= {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
    assert "NCT03211793" in _ids(outcome)


def test_distance_from_chengdu_to_nanjing(registry):
    outcome = find(
        SearchRequest(
            patient=Patient(text="硬皮病 干细胞", city="四川成都"), include_finished=True, top=10
        )
    )
    nanjing = next(result for result in outcome.ranked() if result.nct_id == "NCT00962923")
    assert 1100 < nanjing.features.distance_km < 1500
    assert nanjing.nearest_site.city == "Nanjing"
    assert outcome.place.label == "成都市"


def test_unknown_city_is_reported_with_close_matches(registry):
    with pytest.raises(UnknownPlace) as error:
        find(SearchRequest(patient=Patient(city="Chengdou")))
    assert any("成都" in name for name in error.value.suggestions)


def test_signal_reindexes_stored_trials(registry, django_capture_on_commit_callbacks):
    trial = Trial.objects.get(nct_id="NCT03211793")
    Trial.objects.filter(pk=trial.pk).update(overall_status="COMPLETED")
    assert TrialIndexEntry.objects.get(nct_id="NCT03211793").status_group == 0
    with django_capture_on_commit_callbacks(execute=True):
        trials_stored.send(sender=None, nct_ids=["NCT03211793"])
    entry = TrialIndexEntry.objects.get(nct_id="NCT03211793")
    assert entry.status_group == 2
    open_only = find(SearchRequest(patient=Patient(text="硬皮病"), top=50))
    assert "NCT03211793" not in _ids(open_only)


def test_rebuild_is_idempotent(registry):
    before = dict(TrialIndexEntry.objects.values_list("nct_id", "title_tokens"))
    assert actions.rebuild_index(batch_size=37) == Trial.objects.count()
    after = dict(TrialIndexEntry.objects.values_list("nct_id", "title_tokens"))
    assert before == after
    assert (
        set(_ids(find(SearchRequest(patient=Patient(text="硬皮病 干细胞"), include_finished=True))))
        >= MSC_TRIALS
    )


def test_text_score_weighs_title_over_summary_and_saturates():
    from finder.search import text_score

    asked = ["xxssc", "lung"]
    in_title = text_score(asked, "xxssc lung", "")
    in_summary = text_score(asked, "", "xxssc lung")
    assert in_title > in_summary > 0
    assert text_score(asked, "xxssc", "") < in_title  # more of what was asked, higher
    assert text_score(asked, "other words", "more words") == 0
    assert text_score(asked, "lungs", "") == 0  # whole tokens only
    once, twice, often = (text_score(["lung"], " ".join(["lung"] * n), "") for n in (1, 2, 10))
    assert once < twice < often < 2 * once  # repeats help, but never as much as a new word


def test_later_status_groups_are_not_read_once_the_shortlist_is_settled(registry):
    from finder.models import FINISHED, ONGOING, OPEN
    from finder.search import candidates, plan_query

    plan = plan_query(SearchRequest(patient=Patient(text="硬皮病")))
    groups = [OPEN, ONGOING, FINISHED]
    every = candidates(plan, groups)
    assert {c.status_group for c in every} == {OPEN, ONGOING, FINISHED}
    asked = []

    def settled(found):
        asked.append(len(found))
        return True

    first = candidates(plan, groups, settled=settled)
    assert first and {c.status_group for c in first} == {OPEN}
    assert asked == [len(first)]
    assert candidates(plan, groups, settled=lambda found: False) == every
