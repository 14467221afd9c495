"""The index follows imports and syncs by itself (`trials_stored`), with no rebuild."""

import pytest

from finder.models import TrialIndexEntry
from finder.patient import Patient
from finder.ranking import find
from finder.search import SearchRequest
from finder.tests.conftest import DEMO_TRIALS, import_files
from trials import sync
from trials.models import Trial, TrialVersion
from trials.tests.replay import ReplayServer
from trials.tests.test_sync_faults import make_client, real_studies

SEED_2020 = DEMO_TRIALS / "seed-trials" / "2020-07-28"


def _forget(nct_ids) -> None:
    """Remove trials from the store (their history first: trial and version protect each other)."""
    Trial.objects.filter(nct_id__in=nct_ids).update(current_version=None)
    TrialVersion.objects.filter(trial__nct_id__in=nct_ids).delete()
    Trial.objects.filter(nct_id__in=nct_ids).delete()


def _found(text: str) -> list[str]:
    outcome = find(SearchRequest(patient=Patient(text=text), include_finished=True, top=30))
    return [result.nct_id for result in outcome.ranked()]


def test_file_import_indexes_the_trials_it_stores(registry, django_capture_on_commit_callbacks):
    _forget(["NCT03211793", "NCT02975960"])
    assert not TrialIndexEntry.objects.filter(nct_id="NCT03211793").exists()
    assert "NCT03211793" not in _found("硬皮病 干细胞")

    with django_capture_on_commit_callbacks(execute=True):
        import_files([SEED_2020])

    entry = TrialIndexEntry.objects.get(nct_id="NCT03211793")
    assert entry.status_group == 0 and "xxssc" in entry.title_tokens.split()
    assert {"NCT03211793", "NCT02975960"} <= set(_found("硬皮病 干细胞"))
    assert TrialIndexEntry.objects.count() == Trial.objects.count()


@pytest.mark.django_db
def test_sync_indexes_each_page_it_commits(registry, django_capture_on_commit_callbacks):
    studies = real_studies()
    ids = sorted(study["protocolSection"]["identificationModule"]["nctId"] for study in studies)
    _forget(ids)
    with ReplayServer(studies, page_size=4) as server:
        client = make_client(server, [])
        run, _ = sync.start_or_resume(client=client, ids=[], condition="x", since=None)
        with django_capture_on_commit_callbacks(execute=True):
            sync.run_sync(run=run, client=client)
    stored = sorted(Trial.objects.filter(nct_id__in=ids).values_list("nct_id", flat=True))
    assert stored and stored == sorted(
        TrialIndexEntry.objects.filter(nct_id__in=ids).values_list("nct_id", flat=True)
    )
    # A synced trial is found by a word of its own title.
    trial = Trial.objects.get(nct_id=stored[0])
    word = max(trial.brief_title.split(), key=len).strip(",.():")
    assert trial.nct_id in _found(word), (word, trial.brief_title)
