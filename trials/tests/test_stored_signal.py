"""`trials_stored` from the file import and the registry sync: new and changed trials only."""

import pytest

from trials import sync

from .conftest import SEED_2018, SEED_2020, SEED_IDS, import_paths
from .replay import ReplayServer
from .test_sync_faults import make_client, real_studies


@pytest.mark.django_db
def test_file_import_announces_new_then_only_changed_trials(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_paths(SEED_2018)
    assert heard == [SEED_IDS]

    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run, outcomes = import_paths(SEED_2020)
    # NCT00962923's 2020 snapshot is unchanged (see test_import): it is not announced.
    assert (run.changed, run.unchanged) == (3, 1)
    assert heard == [["NCT02213705", "NCT02975960", "NCT03211793"]]

    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        import_paths(SEED_2018, SEED_2020)
    assert heard == []


@pytest.mark.django_db
def test_sync_announces_each_page_after_it_commits(heard, django_capture_on_commit_callbacks):
    studies = real_studies()
    with ReplayServer(studies, page_size=5) as server:
        client = make_client(server, [])
        run, _ = sync.start_or_resume(client=client, ids=[], condition="x", since=None)
        with django_capture_on_commit_callbacks(execute=False) as waiting:
            sync.run_sync(run=run, client=client)
        assert heard == []
        for callback in waiting:
            callback()
        pages = [len(call) for call in heard]
        assert pages == [5, 5, len(studies) - 10]
        expected = sorted(
            study["protocolSection"]["identificationModule"]["nctId"] for study in studies
        )
        assert sorted(nct_id for call in heard for nct_id in call) == expected

        heard.clear()
        again, _ = sync.start_or_resume(client=client, ids=[], condition="x", since=None)
        with django_capture_on_commit_callbacks(execute=True):
            sync.run_sync(run=again, client=client)
    assert again.unchanged == len(studies)
    assert heard == []
