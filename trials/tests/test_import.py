import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from trials.models import RejectedRecord, SyncRun, Trial, TrialLocation, TrialVersion
from trials.records import TrialRecord

from .conftest import FIXTURES, SEED_2018, SEED_2020, SEED_IDS, import_paths

AACT = FIXTURES / "aact-fixtures"


def test_every_record_field_is_a_trial_column():
    columns = {field.name for field in Trial._meta.get_fields()}
    record_fields = set(TrialRecord.__dataclass_fields__) - {"locations"}
    assert record_fields <= columns


@pytest.mark.django_db
def test_oldest_first_builds_history_and_current_state():
    first, _ = import_paths(SEED_2018)
    second, outcomes = import_paths(SEED_2020)

    assert (first.new, first.changed, first.rejected) == (4, 0, 0)
    # NCT00962923 only lost an XML comment and reordered MeSH terms between the two dates:
    # no normalised field changed, so its 2020 snapshot is "unchanged" (last seen moves on).
    assert (second.new, second.changed, second.unchanged) == (0, 3, 1)
    assert second.state == SyncRun.State.READY
    assert sorted(Trial.objects.values_list("nct_id", flat=True)) == SEED_IDS
    assert TrialVersion.objects.count() == 7
    unchanged = Trial.objects.get(nct_id="NCT00962923")
    assert unchanged.versions.count() == 1
    assert unchanged.record_date == dt.date(2020, 7, 28)

    manus = Trial.objects.get(nct_id="NCT03211793")
    assert manus.overall_status == "NOT_YET_RECRUITING"
    assert manus.start_date == "2018-11"
    assert manus.completion_date == "2020-11-01"
    assert manus.record_date == dt.date(2020, 7, 28)
    assert [v.snapshot_date for v in manus.versions.order_by("snapshot_date")] == [
        dt.date(2018, 5, 29),
        dt.date(2020, 7, 28),
    ]
    changed = {o.nct_id: {c.field for c in o.changes} for o in outcomes}
    assert {"overall_status", "start_date", "completion_date"} <= changed["NCT03211793"]
    assert "overall_status" in changed["NCT02213705"]


@pytest.mark.django_db
def test_reimporting_the_same_documents_adds_nothing():
    import_paths(SEED_2018, SEED_2020)
    versions_before = TrialVersion.objects.count()
    again, _ = import_paths(SEED_2018, SEED_2020)
    assert (again.seen, again.new, again.changed, again.unchanged) == (8, 0, 0, 8)
    assert TrialVersion.objects.count() == versions_before
    assert Trial.objects.count() == 4


@pytest.mark.django_db
def test_snapshots_in_reverse_order_give_the_same_current_state():
    import_paths(SEED_2020)
    late, outcomes = import_paths(SEED_2018)
    assert (late.changed, late.unchanged) == (3, 1)
    assert {o.status for o in outcomes} == {"history", "unchanged"}
    manus = Trial.objects.get(nct_id="NCT03211793")
    assert manus.overall_status == "NOT_YET_RECRUITING"
    assert manus.current_version.snapshot_date == dt.date(2020, 7, 28)
    assert manus.versions.count() == 2


@pytest.mark.django_db
def test_locations_follow_the_current_version():
    import_paths(SEED_2018, SEED_2020)
    sites = TrialLocation.objects.filter(trial__nct_id="NCT00962923")
    assert [(s.city, s.country) for s in sites] == [("Nanjing", "China")]
    assert Trial.objects.in_country("china").count() >= 1
    assert not Trial.objects.recruiting().filter(nct_id="NCT00962923").exists()


@pytest.mark.django_db
def test_altered_copy_with_same_registry_date_is_rejected_with_both_names():
    run, outcomes = import_paths(
        AACT / "NCT00513591_redownloaded.xml", AACT / "NCT00513591_mod.xml"
    )
    assert (run.new, run.rejected) == (1, 1)
    rejection = RejectedRecord.objects.get()
    assert rejection.source.endswith("NCT00513591_mod.xml")
    assert "NCT00513591_redownloaded.xml" in rejection.reason
    assert "2016-06-29" in rejection.reason
    assert Trial.objects.get(nct_id="NCT00513591").versions.count() == 1


@pytest.mark.django_db
def test_file_named_for_an_alias_is_rejected_and_kept_in_quarantine():
    run, _ = import_paths(AACT / "NCT00980226-id-mismatch.xml")
    assert run.rejected == 1 and run.new == 0
    rejection = RejectedRecord.objects.get()
    assert "NCT00980226" in rejection.reason and "NCT00081588" in rejection.reason
    assert rejection.excerpt.lstrip().startswith("<")
    assert not Trial.objects.exists()


@pytest.mark.django_db
def test_import_trials_command_summary_and_rejections(capsys):
    call_command("import_trials", str(SEED_2018), str(AACT / "covid_search.xml"))
    out, err = capsys.readouterr()
    assert "covid_search.xml" in err
    assert "4" in out and "1" in out
    run = SyncRun.objects.get()
    assert (run.seen, run.new, run.rejected, run.state) == (5, 4, 1, "ready")


@pytest.mark.django_db
def test_import_trials_fails_only_when_nothing_could_be_read():
    with pytest.raises(CommandError):
        call_command(
            "import_trials", str(AACT / "covid_search.xml"), str(AACT / "empty_search.xml")
        )
    with pytest.raises(CommandError, match="does-not-exist"):
        call_command("import_trials", "does-not-exist.xml")
    assert not Trial.objects.exists()


@pytest.mark.django_db
def test_all_bundled_seed_and_ssc_records_import():
    run, _ = import_paths(SEED_2018, SEED_2020, FIXTURES / "ssc-trials")
    assert run.rejected == 0
    assert run.seen == 22
    assert Trial.objects.count() == 18
    with_results = set(Trial.objects.filter(results_posted=True).values_list("nct_id", flat=True))
    assert {"NCT00004563", "NCT00498615"} <= with_results


@pytest.mark.django_db
def test_site_rows_are_rebuilt_only_when_the_current_sites_change():
    import copy

    from trials import actions
    from trials.sources.api_v2 import parse_study

    from .test_sync_faults import real_studies

    base = next(
        s
        for s in real_studies()
        if len(s["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])) > 5
    )
    nct_id = base["protocolSection"]["identificationModule"]["nctId"]
    run = actions.start_run(kind=SyncRun.Kind.FILES)

    def store(day, *, status="RECRUITING", site_status=None):
        study = copy.deepcopy(base)
        study["protocolSection"]["statusModule"]["overallStatus"] = status
        if site_status:
            study["protocolSection"]["contactsLocationsModule"]["locations"][1]["status"] = (
                site_status
            )
        document = parse_study(study, source=f"day {day}", snapshot_date=f"2026-08-{day:02d}")
        return actions.store_document(run=run, document=document, source=f"day {day}")

    def sites():
        rows = TrialLocation.objects.filter(trial__nct_id=nct_id).order_by("position")
        return [(row.id, row.facility, row.status) for row in rows]

    def current_sites():
        trial = Trial.objects.get(nct_id=nct_id)
        return [(s["facility"], s["status"]) for s in trial.current_version.fields["locations"]]

    assert store(10).status == "new"
    first = sites()
    assert [site[1:] for site in first] == current_sites()

    changed = store(11, status="COMPLETED")
    assert changed.status == "changed"
    assert [change.field for change in changed.changes] == ["overall_status"]
    assert sites() == first, "unchanged sites were deleted and inserted again"
    assert Trial.objects.get(nct_id=nct_id).overall_status == "COMPLETED"

    moved = store(12, status="COMPLETED", site_status="WITHDRAWN")
    assert [change.field for change in moved.changes] == ["locations"]
    rebuilt = sites()
    assert [site[1:] for site in rebuilt] == current_sites()
    assert rebuilt[1][2] == "WITHDRAWN" and rebuilt[0][0] != first[0][0]

    assert store(9, status="TERMINATED").status == "history"
    assert sites() == rebuilt
    trial = Trial.objects.get(nct_id=nct_id)
    assert (trial.overall_status, trial.record_date) == ("COMPLETED", dt.date(2026, 8, 12))


@pytest.mark.django_db
def test_a_changed_document_costs_four_statements():
    """Read the trial, read its versions (with the current one's fields), insert the new
    version, update the trial: a sync of thousands of changed studies is bound by these."""
    import copy

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trials import actions
    from trials.sources.api_v2 import parse_study

    from .test_sync_faults import real_studies

    study = next(
        s
        for s in real_studies()
        if s["protocolSection"]["identificationModule"]["nctId"] == "NCT02513394"
    )
    run = actions.start_run(kind=SyncRun.Kind.FILES)

    def document(day, status):
        changed = copy.deepcopy(study)
        changed["protocolSection"]["statusModule"]["overallStatus"] = status
        return parse_study(changed, source="x", snapshot_date=f"2026-08-{day:02d}")

    actions.store_document(run=run, document=document(10, "RECRUITING"), source="x")
    later = document(11, "COMPLETED")
    with CaptureQueriesContext(connection) as queries:
        outcome = actions.store_document(run=run, document=later, source="x")
    statements = [
        query["sql"].split()[0] + " " + query["sql"].split('"')[1]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert outcome.status == "changed"
    assert statements == [
        "SELECT trials_trial",
        "SELECT trials_trialversion",
        "INSERT trials_trialversion",
        "UPDATE trials_trial",
    ]
