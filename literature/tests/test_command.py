"""manage.py sync_publications: progress per trial, a summary, resumable, non-zero on failure."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from literature.models import PublicationSyncRun, TrialPublication
from literature.sources.pubmed import PubMedClient
from trials.models import Trial

from .conftest import BASE_URL

SYGMA = "NCT02149199"
COMBI = "NCT01245062"


@pytest.fixture(autouse=True)
def recorded_server(monkeypatch, clock):
    """The command's client talks to the recorded server and waits on the fake clock."""
    original = PubMedClient.from_settings.__func__

    def from_settings(cls, **overrides):
        return original(cls, sleep=clock.sleep, clock=clock, **overrides)

    monkeypatch.setattr(PubMedClient, "from_settings", classmethod(from_settings))
    with override_settings(ENTREZ_BASE_URL=BASE_URL, ENTREZ_EMAIL="ops@example.org"):
        yield


def sync_publications(*args, language="en"):
    out, err = StringIO(), StringIO()
    with translation.override(language):
        call_command("sync_publications", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_ids_progress_lines_and_summary(eutils):
    Trial.objects.create(
        nct_id=COMBI,
        references=[
            {"pmid": "22663011", "citation": "", "type": "RESULT"},
            {"pmid": "9997", "citation": "", "type": "BACKGROUND"},
        ],
    )
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    out, err = sync_publications("--ids", SYGMA, COMBI.lower())
    assert out.splitlines() == [
        f"{COMBI}: result publications 1, background 1, new links 3",
        f"{SYGMA}: result publications 1, background 0, new links 1 "
        "(no registry record stored yet)",
        "Trials checked 2, publications new 3, updated 0, links new 4, removed 0, errors 0, "
        "requests to PubMed 2.",
    ]
    assert err == ""
    assert PublicationSyncRun.objects.get().state == PublicationSyncRun.State.READY


@pytest.mark.django_db
def test_all_trials_when_no_ids_are_given(eutils):
    Trial.objects.create(nct_id=SYGMA)
    eutils.si = {SYGMA: ["29768149"]}
    out, _ = sync_publications()
    assert out.startswith(f"{SYGMA}: result publications 1")
    assert TrialPublication.objects.get().nct_id == SYGMA


@pytest.mark.django_db
def test_a_failure_exits_non_zero_and_the_next_run_resumes(eutils):
    Trial.objects.create(nct_id=SYGMA)
    eutils.si = {SYGMA: ["29768149"]}
    eutils.down = {SYGMA}
    with pytest.raises(
        CommandError, match=r"Publication sync failed \(the next run resumes here\)"
    ):
        sync_publications("--ids", SYGMA)
    run = PublicationSyncRun.objects.get()
    assert run.state == PublicationSyncRun.State.FAILED and "HTTP 502" in run.error

    eutils.down = set()
    out, _ = sync_publications("--ids", SYGMA)
    assert out.splitlines()[0] == f"Resuming unfinished run {run.key} after 0 of 1 trials."
    run.refresh_from_db()
    assert run.state == PublicationSyncRun.State.READY
    assert PublicationSyncRun.objects.count() == 1


@pytest.mark.django_db
def test_problems_go_to_stderr_and_the_run_still_finishes(eutils):
    Trial.objects.create(nct_id=SYGMA, references=[{"pmid": "1", "citation": "", "type": "RESULT"}])
    out, err = sync_publications("--ids", SYGMA)
    assert "  problem: PubMed returned no record for PMID 1" in err
    assert out.splitlines()[-1].endswith("errors 1, requests to PubMed 2.")


@pytest.mark.django_db
def test_numbers_that_are_not_nct_ids_are_refused(eutils):
    with pytest.raises(CommandError, match="Not NCT numbers .*: NCT1"):
        sync_publications("--ids", "NCT1")
    assert eutils.calls == []


@pytest.mark.django_db
def test_a_missing_contact_address_is_warned_about(eutils):
    with override_settings(ENTREZ_EMAIL=""):
        out, err = sync_publications()
    assert "ENTREZ_EMAIL is not set" in err
    assert "No trials to check." in out


@pytest.mark.django_db
def test_output_follows_the_language(eutils):
    Trial.objects.create(nct_id=SYGMA)
    eutils.si = {SYGMA: ["29768149"]}
    out, _ = sync_publications(language="zh-hans")
    assert out.splitlines() == [
        f"{SYGMA}：结果文献 1 篇，背景文献 0 篇，新关联 1 条",
        "已检查试验 1 项，新文献 1 篇，更新 0 篇，新关联 1 条，移除 0 条，错误 0 个，PubMed 请求 2 次。",
    ]
