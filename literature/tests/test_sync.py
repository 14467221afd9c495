"""The publication sync against a recorded E-utilities server holding real PubMed records."""

import httpx
import pytest

from literature import actions, sync
from literature.models import Provenance, Publication, PublicationSyncRun, TrialPublication
from literature.sources.pubmed import PubMedRequestError
from trials.models import Trial

from .conftest import altered_retracted_article, fixture_bytes

SYGMA = "NCT02149199"  # PMID 29768149 lists it in its DataBankList
COMBI = "NCT01245062"  # PMID 22663011 lists it


@pytest.fixture
def trials(db):
    """Two trials as the registry describes them: one with a DERIVED reference, one with a
    RESULT and a BACKGROUND reference (a record without a DataBankList)."""
    Trial.objects.create(
        nct_id=SYGMA,
        brief_title="SYGMA 1",
        references=[{"pmid": "29768149", "citation": "O'Byrne PM, et al.", "type": "DERIVED"}],
    )
    Trial.objects.create(
        nct_id=COMBI,
        brief_title="METRIC",
        references=[
            {"pmid": "22663011", "citation": "Flaherty KT, et al.", "type": "RESULT"},
            {"pmid": "9997", "citation": "Strekas TC, et al.", "type": "BACKGROUND"},
            {"pmid": "", "citation": "A citation without a PMID", "type": "BACKGROUND"},
        ],
    )


def links():
    return sorted(TrialPublication.objects.values_list("nct_id", "publication__pmid", "provenance"))


def run_all(client, **options):
    run, resumed = sync.start_or_resume(**options)
    return sync.run_sync(run=run, client=client), resumed


def test_sync_links_trials_to_their_papers_with_provenance(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    run, resumed = run_all(make_client())

    assert not resumed
    assert run.state == PublicationSyncRun.State.READY
    assert links() == [
        (COMBI, "22663011", Provenance.PUBMED_SI),
        (COMBI, "22663011", Provenance.REGISTRY_RESULT),
        (COMBI, "9997", Provenance.REGISTRY_BACKGROUND),
        (SYGMA, "29768149", Provenance.PUBMED_SI),
        (SYGMA, "29768149", Provenance.REGISTRY_DERIVED),
    ]
    assert (run.trials_checked, run.publications_new, run.publications_updated) == (2, 3, 0)
    assert (run.links_new, run.links_removed, run.errors) == (5, 0, 0)
    # one OR'ed esearch for the group, attributed by DataBankList; one efetch for all papers
    assert eutils.searches() == [f"{COMBI}[si] OR {SYGMA}[si]"]
    assert eutils.fetches() == [["9997", "22663011", "29768149"]]
    assert run.requests == 2
    assert run.cursor == {"done": 2}
    paper = Publication.objects.get(pmid="29768149")
    assert paper.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert paper.fetched_at is not None and "<PubmedArticle>" in paper.raw_xml
    background = TrialPublication.objects.get(publication__pmid="9997")
    assert not background.is_result
    assert all(link.is_result for link in TrialPublication.objects.exclude(pk=background.pk))


def test_a_second_sync_finds_nothing_new(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    first, _ = run_all(make_client())
    second, resumed = run_all(make_client())
    assert not resumed and second.pk != first.pk
    assert (second.publications_new, second.publications_updated, second.links_new) == (0, 0, 0)
    assert TrialPublication.objects.count() == 5
    assert Publication.objects.count() == 3


def test_a_link_found_before_the_trial_attaches_when_the_trial_arrives(db, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"]}
    run, _ = run_all(make_client(), nct_ids=[SYGMA.lower()])
    link = TrialPublication.objects.get()
    assert (link.nct_id, link.provenance) == (SYGMA, Provenance.PUBMED_SI)
    assert link.trial is None
    assert run.scope.startswith("ids:") and run.planned == [SYGMA]

    trial = Trial.objects.create(nct_id=SYGMA, brief_title="SYGMA 1")
    assert link.trial == trial
    assert list(TrialPublication.objects.attached()) == [link]
    assert TrialPublication.objects.with_trial_title().get().trial_title == "SYGMA 1"


def test_a_paper_that_cannot_be_attributed_leads_to_one_search_per_trial(
    trials, eutils, make_client
):
    # PubMed's [si] answer includes a record whose DataBankList names neither trial
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011", "12091962"]}
    run, _ = run_all(make_client())
    assert eutils.searches() == [f"{COMBI}[si] OR {SYGMA}[si]", f"{COMBI}[si]", f"{SYGMA}[si]"]
    assert (COMBI, "12091962", Provenance.PUBMED_SI) in links()
    assert (SYGMA, "12091962", Provenance.PUBMED_SI) not in links()
    assert run.errors == 0


def test_an_unreadable_record_is_narrowed_down_and_recorded(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    eutils.unreadable["22663011"] = fixture_bytes("broken/broken-truncated-pubmed-29768149.xml")
    run, _ = run_all(make_client())

    assert run.state == PublicationSyncRun.State.READY
    assert run.errors == 1
    [problem] = run.problems
    assert (problem["nct_id"], problem["pmid"]) == (COMBI, "22663011")
    assert problem["message"].startswith("efetch of 1 PMID(s) (22663011): the answer")
    # the other records were read; the link to the unreadable one is kept, waiting for its record
    assert Publication.objects.get(pmid="29768149").fetched_at is not None
    placeholder = Publication.objects.get(pmid="22663011")
    assert placeholder.fetched_at is None and placeholder.title == ""
    assert (COMBI, "22663011", Provenance.REGISTRY_RESULT) in links()
    assert ["22663011"] in eutils.fetches()


def test_a_pmid_pubmed_does_not_know_is_a_problem_not_a_loss(db, eutils, make_client):
    Trial.objects.create(
        nct_id=SYGMA, references=[{"pmid": "1", "citation": "Unknown", "type": "RESULT"}]
    )
    run, _ = run_all(make_client())
    assert run.errors == 1
    assert run.problems[0]["message"] == "PubMed returned no record for PMID 1"
    assert links() == [(SYGMA, "1", Provenance.REGISTRY_RESULT)]


def test_a_429_during_sync_is_waited_out(trials, eutils, make_client, clock):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    eutils.overrides["esearch"].append(
        httpx.Response(
            429, content=fixture_bytes("ratelimit-429.json"), headers={"Retry-After": "1"}
        )
    )
    run, _ = run_all(make_client())
    assert run.state == PublicationSyncRun.State.READY
    assert len(links()) == 5
    assert clock.sleeps == pytest.approx([1.0, 1 / 3])  # Retry-After, then NCBI's pace
    assert run.requests == 3


def test_a_failed_run_resumes_where_it_stopped(trials, eutils, make_client, monkeypatch):
    monkeypatch.setattr(sync, "SEARCH_BATCH", 1)
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    eutils.down = {SYGMA}
    run, _ = sync.start_or_resume()
    with pytest.raises(
        PubMedRequestError, match=rf"^esearch {SYGMA}\[si\]: gave up on .* after 2 attempts"
    ):
        sync.run_sync(run=run, client=make_client(max_retries=1))

    run.refresh_from_db()
    assert run.state == PublicationSyncRun.State.FAILED
    assert "HTTP 502" in run.error
    assert run.cursor == {"done": 1} and run.trials_checked == 1
    assert links() == [
        (COMBI, "22663011", Provenance.PUBMED_SI),
        (COMBI, "22663011", Provenance.REGISTRY_RESULT),
        (COMBI, "9997", Provenance.REGISTRY_BACKGROUND),
    ]

    eutils.down = set()
    eutils.calls.clear()
    resumed_run, resumed = run_all(make_client())
    assert resumed and resumed_run.pk == run.pk
    assert resumed_run.state == PublicationSyncRun.State.READY and resumed_run.error == ""
    assert eutils.searches() == [f"{SYGMA}[si]"]  # only the trial not yet done
    assert resumed_run.trials_checked == 2 and resumed_run.cursor == {"done": 2}
    assert len(links()) == 5


def test_a_killed_run_is_taken_up_again(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    run, _ = sync.start_or_resume()
    # killed before finishing anything: still "importing"
    assert PublicationSyncRun.objects.get().state == PublicationSyncRun.State.IMPORTING
    again, resumed = run_all(make_client())
    assert resumed and again.pk == run.pk and again.state == PublicationSyncRun.State.READY
    # --fresh ignores an unfinished run
    PublicationSyncRun.objects.filter(pk=run.pk).update(state=PublicationSyncRun.State.FAILED)
    fresh, resumed = sync.start_or_resume(fresh=True)
    assert not resumed and fresh.pk != run.pk


def test_resuming_keeps_to_the_same_scope(trials, eutils, make_client):
    failed, _ = sync.start_or_resume()
    actions.finish_run(run=failed, error="RuntimeError: test")
    other, resumed = sync.start_or_resume(nct_ids=[SYGMA])
    assert not resumed and other.planned == [SYGMA]


def test_registry_links_follow_the_registry_and_editor_links_stay(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    run_all(make_client())
    editor = actions.add_editor_link(
        nct_id=COMBI, pmid="9997", note="Discussed at the 2024 meeting"
    )
    Trial.objects.filter(nct_id=COMBI).update(
        references=[{"pmid": "22663011", "citation": "Flaherty KT, et al.", "type": "RESULT"}]
    )
    run, _ = run_all(make_client())
    assert run.links_removed == 1
    assert (COMBI, "9997", Provenance.REGISTRY_BACKGROUND) not in links()
    assert TrialPublication.objects.filter(pk=editor.pk).exists()


def test_a_later_retraction_updates_the_paper(db, eutils, make_client):
    Trial.objects.create(
        nct_id=SYGMA, references=[{"pmid": "30108519", "citation": "", "type": "RESULT"}]
    )
    first, _ = run_all(make_client())
    assert not Publication.objects.get(pmid="30108519").is_retracted

    eutils.articles.update(altered_retracted_article())
    second, _ = run_all(make_client())
    paper = Publication.objects.get(pmid="30108519")
    assert (second.publications_new, second.publications_updated) == (0, 1)
    assert paper.is_retracted
    assert paper.retraction_notices[0]["pmid"] == "99999991"


def test_papers_no_sync_has_read_are_filled_in(db, eutils, make_client):
    Publication.objects.create(pmid="9997")
    actions.add_editor_link(nct_id="NCT00000102", pmid="29963580", note="Editor's find")
    run, _ = run_all(make_client())
    assert run.planned == ["NCT00000102"]  # a link is enough to be checked
    assert Publication.objects.get(pmid="9997").title.startswith("Magnetic studies")
    assert Publication.objects.get(pmid="29963580").fetched_at is not None
    assert run.publications_new == 2


def test_bad_numbers_are_refused_before_a_run_starts(db):
    with pytest.raises(sync.PlanError, match="NCT123"):
        sync.start_or_resume(nct_ids=["NCT123", SYGMA])
    assert not PublicationSyncRun.objects.exists()


def test_an_unreadable_group_search_falls_back_to_one_search_per_trial(trials, eutils, make_client):
    eutils.si = {SYGMA: ["29768149"], COMBI: ["22663011"]}
    eutils.overrides["esearch"].append(
        httpx.Response(200, content=fixture_bytes("esearch/esearch-error.xml"))
    )
    run, _ = run_all(make_client())
    assert eutils.searches() == [f"{COMBI}[si] OR {SYGMA}[si]", f"{COMBI}[si]", f"{SYGMA}[si]"]
    assert len(links()) == 5 and run.errors == 0
