"""Issue 3's property: once the faults clear, the stored state equals a fault-free run's."""

import gzip
import json
from pathlib import Path

import pytest

from trials import sync
from trials.models import RejectedRecord, SyncRun, Trial, TrialVersion
from trials.sources.clinicaltrials_gov import ClinicalTrialsGovClient, ClinicalTrialsGovError

from .replay import ReplayServer

STUDIES = Path(__file__).parent / "fixtures" / "api-v2" / "studies"
SKIP = {"NCT02278341.json", "study_data_initialize.json"}


def real_studies() -> list[dict]:
    studies = []
    for path in sorted(STUDIES.iterdir()):
        if path.name in SKIP:
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            studies.append(json.load(handle))
    return studies


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs in the process."""


def make_client(server, sleeps):
    return ClinicalTrialsGovClient(
        server.base_url,
        timeout=0.5,
        min_interval=0,
        max_retries=6,
        backoff_base=0.01,
        sleep=sleeps.append,
    )


def stored_state():
    versions = sorted(
        TrialVersion.objects.values_list("trial__nct_id", "content_hash", "snapshot_date")
    )
    trials = sorted(
        Trial.objects.values_list("nct_id", "overall_status", "completion_date", "enrollment")
    )
    return versions, trials, sorted(RejectedRecord.objects.values_list("nct_id", "reason"))


def full_sync(client, **hooks):
    run, _ = sync.start_or_resume(client=client, ids=[], condition="systemic sclerosis", since=None)
    return sync.run_sync(run=run, client=client, **hooks)


def wipe():
    Trial.objects.update(current_version=None)
    TrialVersion.objects.all().delete()
    Trial.objects.all().delete()
    SyncRun.objects.all().delete()


@pytest.fixture
def studies():
    studies = real_studies()
    broken = {"protocolSection": {"identificationModule": {"briefTitle": "no NCT number"}}}
    return studies[:5] + [broken] + studies[5:]


@pytest.mark.django_db
def test_faults_and_a_kill_between_pages_end_in_the_fault_free_state(studies):
    with ReplayServer(studies, page_size=3) as server:
        sleeps = []
        clean = full_sync(make_client(server, sleeps))
        assert clean.state == SyncRun.State.READY
        assert clean.rejected == 1 and clean.seen == len(studies)
        expected = stored_state()
        assert len(expected[0]) == len(studies) - 1

        wipe()
        pages = []

        def kill_after_two_pages(run):
            pages.append(run.cursor["pages"])
            if len(pages) == 2:
                raise Killed

        server.inject("429", "500", "reset")
        with pytest.raises(Killed):
            full_sync(make_client(server, sleeps), on_page=kill_after_two_pages)
        interrupted = SyncRun.objects.get()
        assert interrupted.cursor["pages"] == 2

        server.inject("502", "timeout", "truncate", "badjson", "503", "expire")
        resumed = full_sync(make_client(server, sleeps))
        assert resumed.pk == interrupted.pk
        assert resumed.state == SyncRun.State.READY
        assert resumed.cursor.get("restarts") == 1

    assert stored_state() == expected
    assert TrialVersion.objects.count() == len(studies) - 1
    assert 2 in sleeps, "the 429's Retry-After: 2 was not honoured"


@pytest.mark.django_db
def test_network_gone_fails_the_run_and_the_next_invocation_resumes_it(studies):
    with ReplayServer(studies, page_size=3) as server:
        client = make_client(server, [])
        run, _ = sync.start_or_resume(
            client=client, ids=[], condition="systemic sclerosis", since=None
        )
        server.inject(*["503"] * 7)
        with pytest.raises(ClinicalTrialsGovError):
            sync.run_sync(run=run, client=client)
        run.refresh_from_db()
        assert run.state == SyncRun.State.FAILED and "503" in run.error

        again, resumed = sync.start_or_resume(client=client, ids=[], condition="x", since=None)
        assert resumed and again.pk == run.pk
        finished = sync.run_sync(run=again, client=client)
    assert finished.state == SyncRun.State.READY
    assert Trial.objects.count() == len(studies) - 1


@pytest.mark.django_db
def test_second_sync_with_nothing_changed_adds_no_version(studies):
    with ReplayServer(studies, page_size=4) as server:
        first = full_sync(make_client(server, []))
        versions = TrialVersion.objects.count()
        second = full_sync(make_client(server, []))
    assert first.pk != second.pk
    assert (second.new, second.changed) == (0, 0)
    assert second.unchanged == len(studies) - 1
    assert TrialVersion.objects.count() == versions


@pytest.mark.django_db
def test_incremental_query_and_cited_ids_are_requested(studies):
    import datetime as dt

    with ReplayServer(studies, page_size=50) as server:
        client = make_client(server, [])
        wanted = ["NCT00465816", "NCT03418623"]
        run, _ = sync.start_or_resume(
            client=client, ids=wanted, condition="systemic sclerosis", since=dt.date(2026, 1, 1)
        )
        sync.run_sync(run=run, client=client)
        requests = "\n".join(server.requests)
    assert "filter.ids=NCT00465816" in requests
    assert "AREA%5BLastUpdatePostDate%5DRANGE%5B2026-01-01%2CMAX%5D" in requests
    assert run.parameters["snapshot_date"] == "2026-08-11"
