"""The batched bulk path stores exactly what the per-document path stores, and resumes."""

import dataclasses
import io
import json
import os
import random
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from bench.generate_bulk_zip import clone, templates
from core.canonical import content_hash
from trials import actions, bulk
from trials.models import RejectedRecord, SyncRun, Trial, TrialLocation, TrialVersion
from trials.records import inflate_document
from trials.signals import trials_stored
from trials.sources.api_v2 import parse_study

from .test_sync_faults import real_studies

DAY = (2026, 8, 11, 0, 0, 0)
NEXT_DAY = (2026, 8, 12, 0, 0, 0)
EARLIER = (2026, 8, 1, 0, 0, 0)


def nct(number: int) -> str:
    return f"NCT9{number:07d}"


def build_archive(path, count=300):
    """`count` generated studies with, between them, every case the bulk path must hand over
    to the per-document path: duplicates in one batch and across batches (same content,
    conflicting content, newer and older dates), unreadable members and a damaged one."""
    rng = random.Random(7)
    bases = templates()
    studies = {nct(n): clone(bases[n % len(bases)], n, rng) for n in range(count)}

    def body(number, **changes):
        study = json.loads(json.dumps(studies[nct(number)]))
        study["protocolSection"]["designModule"]["enrollmentInfo"].update(changes)
        return json.dumps(study, ensure_ascii=False).encode()

    after = {
        12: [(f"{nct(10)}-again.json", body(10), DAY)],
        14: [(f"{nct(11)}-altered.json", body(11, count=99999), DAY)],
        21: [(f"{nct(20)}-next-day.json", body(20, count=77777), NEXT_DAY)],
        150: [(f"{nct(5)}-next-day.json", body(5, count=55555), NEXT_DAY)],
        160: [(f"{nct(6)}-earlier.json", body(6, count=66666), EARLIER)],
        170: [("NCT99999999.json", b"{not json", DAY), ("extra/", b"", DAY)],
        180: [("NCT99999998.json", body(30), DAY), ("README.txt", b"not a study", DAY)],
    }
    damaged = nct(200)
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(count):
            name = f"{nct(number)}.json"
            info = zipfile.ZipInfo(name, date_time=DAY)
            info.compress_type = zipfile.ZIP_STORED if name.startswith(damaged) else 8
            archive.writestr(info, body(number))
            for extra_name, data, day in after.get(number, []):
                info = zipfile.ZipInfo(extra_name, date_time=day)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{damaged}.json")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    with open(path, "r+b") as handle:
        handle.seek(start)
        handle.write(b"#")
    return studies, body


def seed_existing(path, body):
    """Trials stored before the import: changed by it, unchanged by it, and newer than it."""
    run = actions.start_run(kind=SyncRun.Kind.FILES)
    for number, data, day in (
        (40, body(40, count=4), "2026-08-01"),
        (41, body(41), "2026-08-01"),
        (42, body(42, count=4242), "2026-09-01"),
    ):
        document = parse_study(data, source=f"seed:{number}", snapshot_date=day)
        actions.store_document(run=run, document=document, source=f"seed:{number}")
    actions.finish_run(run=run)


def columns(model, leave_out):
    return [
        connection.ops.quote_name(field.column)
        for field in model._meta.concrete_fields
        if field.column not in leave_out
    ]


def stored_state():
    """Every stored row as the database holds it (JSON as text, dates as stored), without
    row ids and clock times, which the two paths cannot share."""
    trial = ", ".join(
        f"t.{name}" for name in columns(Trial, {"id", "updated_at", "current_version_id"})
    )
    version = ", ".join(
        f"v.{name}" for name in columns(TrialVersion, {"id", "trial_id", "run_id", "fetched_at"})
    )
    site = ", ".join(f"l.{name}" for name in columns(TrialLocation, {"id", "trial_id"}))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {trial}, v.snapshot_date FROM trials_trial t "
            "LEFT JOIN trials_trialversion v ON v.id = t.current_version_id ORDER BY t.nct_id"
        )
        trials = cursor.fetchall()
        cursor.execute(
            f"SELECT t.nct_id, r.kind, {version} FROM trials_trialversion v "
            "JOIN trials_trial t ON t.id = v.trial_id JOIN trials_syncrun r ON r.id = v.run_id "
            "ORDER BY t.nct_id, v.snapshot_date"
        )
        versions = [inflated(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT t.nct_id, {site} FROM trials_triallocation l "
            "JOIN trials_trial t ON t.id = l.trial_id ORDER BY t.nct_id, l.position"
        )
        sites = cursor.fetchall()
    rejected = sorted(RejectedRecord.objects.values_list("source", "nct_id", "reason", "excerpt"))
    run = SyncRun.objects.filter(kind=SyncRun.Kind.BULK).get()
    counts = (run.state, run.seen, run.new, run.changed, run.unchanged, run.rejected)
    return {
        "trials": trials,
        "versions": versions,
        "sites": sites,
        "rejected": rejected,
        "counts": counts,
    }


def inflated(row):
    """A version row with its raw document as text: the bulk path stores the archive's own
    compressed bytes, the per-document path compresses again, so only the text is the same."""
    index = 2 + columns(TrialVersion, {"id", "trial_id", "run_id", "fetched_at"}).index(
        connection.ops.quote_name("raw_deflated")
    )
    return (*row[:index], inflate_document(row[index]), *row[index + 1 :])


def wipe():
    TrialLocation.objects.all().delete()
    Trial.objects.update(current_version=None)
    TrialVersion.objects.all().delete()
    Trial.objects.all().delete()
    SyncRun.objects.all().delete()


def per_document_import(path):
    call_command(
        "import_trials", str(path), "--per-document", stdout=io.StringIO(), stderr=io.StringIO()
    )


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "ctg-studies.json.zip"
    studies, body = build_archive(path)
    return path, studies, body


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [0, 2])
def test_bulk_path_stores_exactly_what_the_per_document_path_stores(archive, workers):
    path, studies, body = archive
    seed_existing(path, body)
    per_document_import(path)
    expected = stored_state()
    # 307 studies: 296 new; changed or history: three existing trials' and three later
    # duplicates' (NCT90000042 and NCT90000006 older than what is stored); unchanged: one
    # seeded trial and one identical duplicate; rejected: the damaged member, the conflicting
    # duplicate, the invalid JSON and the misnamed file.
    assert expected["counts"] == ("ready", 307, 296, 5, 2, 4)
    assert len(expected["trials"]) == 299  # the damaged member's trial is missing
    assert len(expected["sites"]) > 1000

    wipe()
    seed_existing(path, body)
    run, resumed = bulk.start_or_resume(path=path)
    stats = {}
    bulk.import_archive(
        run=run, path=path, workers=workers, batch_size=40, chunk_size=10, stats=stats
    )

    assert not resumed
    assert stored_state() == expected
    assert stats["batched"] >= 280, "the batched path was not used"
    assert stats["batched"] + stats["per_document"] == 307


class Killed(BaseException):
    """Stands for kill -9 in the middle of a batch's transaction."""


@pytest.mark.django_db
def test_an_interrupted_bulk_import_resumes_after_its_last_committed_batch(archive, monkeypatch):
    path, studies, body = archive
    seed_existing(path, body)
    per_document_import(path)
    expected = stored_state()
    wipe()
    seed_existing(path, body)

    run, _ = bulk.start_or_resume(path=path)
    inserts = []
    original = bulk._Writer._insert

    def dies_in_the_third_batch(self, documents):
        inserts.append(len(documents))
        if len(inserts) == 3:
            raise Killed
        return original(self, documents)

    monkeypatch.setattr(bulk._Writer, "_insert", dies_in_the_third_batch)
    with pytest.raises(Killed):
        bulk.import_archive(run=run, path=path, workers=2, batch_size=40, chunk_size=10)
    monkeypatch.undo()
    run.refresh_from_db()
    assert run.state == SyncRun.State.FAILED and "Killed" in run.error
    assert 80 <= run.cursor["members"] < 130
    assert run.seen == run.cursor["members"]
    assert Trial.objects.count() < 100

    with translation.override("en"):
        out = io.StringIO()
        call_command("import_trials", str(path), stdout=out, stderr=io.StringIO())
    assert f"Resuming unfinished import {run.key} after {run.cursor['members']}" in out.getvalue()
    assert SyncRun.objects.filter(kind=SyncRun.Kind.BULK).count() == 1
    assert stored_state() == expected


@pytest.mark.django_db
def test_restart_reads_the_archive_again_without_storing_anything_twice(archive):
    path, studies, body = archive
    run, _ = bulk.start_or_resume(path=path)
    bulk.import_archive(run=run, path=path, workers=0, batch_size=40, chunk_size=10)
    versions = TrialVersion.objects.count()
    finished, resumed = bulk.start_or_resume(path=path)
    assert not resumed and finished.pk != run.pk
    again = bulk.import_archive(run=finished, path=path, workers=0)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 303)
    assert TrialVersion.objects.count() == versions


@pytest.mark.django_db
def test_bulk_path_announces_new_and_changed_trials_after_each_batch(
    archive, heard, django_capture_on_commit_callbacks
):
    path, studies, body = archive
    seed_existing(path, body)
    run, _ = bulk.start_or_resume(path=path)
    with django_capture_on_commit_callbacks(execute=True):
        bulk.import_archive(run=run, path=path, workers=0, batch_size=40, chunk_size=10)
    announced = [nct_id for call in heard for nct_id in call]
    current_from_this_run = set(
        Trial.objects.filter(current_version__run=run).values_list("nct_id", flat=True)
    )
    assert set(announced) == current_from_this_run
    assert nct(40) in announced and nct(5) in announced  # changed by the import
    assert nct(41) not in announced and nct(42) not in announced  # unchanged; older than stored
    assert len(heard) == 8  # one call per batch
    assert max(map(len, heard)) <= 40

    heard.clear()
    again, _ = bulk.start_or_resume(path=path)
    with django_capture_on_commit_callbacks(execute=True):
        bulk.import_archive(run=again, path=path, workers=0, batch_size=40, chunk_size=10)
    assert heard == []


@pytest.mark.django_db
def test_the_announcement_waits_for_the_commit(archive, heard, django_capture_on_commit_callbacks):
    path, studies, body = archive
    run, _ = bulk.start_or_resume(path=path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bulk.import_archive(run=run, path=path, workers=0, batch_size=100, chunk_size=10)
    assert heard == []
    assert len(callbacks) == 4


@pytest.mark.django_db
def test_a_failing_listener_is_logged_and_does_not_stop_the_import(
    archive, heard, caplog, django_capture_on_commit_callbacks
):
    path, studies, body = archive

    def broken(sender, **kwargs):
        raise RuntimeError("index is down")

    trials_stored.connect(broken, weak=False, dispatch_uid="test-broken")
    run, _ = bulk.start_or_resume(path=path)
    with django_capture_on_commit_callbacks(execute=True):
        finished = bulk.import_archive(run=run, path=path, workers=0, batch_size=100, chunk_size=10)
    assert finished.state == SyncRun.State.READY
    assert "index is down" in caplog.text
    assert len(heard) == 4, "the other listener was not told"


def test_to_dict_equals_asdict_for_every_real_study():
    for study in real_studies():
        record = parse_study(study, source="fixture", snapshot_date="2026-08-11").record
        fast, slow = record.to_dict(), dataclasses.asdict(record)
        assert json.dumps(fast) == json.dumps(slow)
        assert content_hash(fast) == content_hash(slow)
        fast["conditions"].append("changed")
        fast["locations"][:0] = [{}]
        assert record.to_dict() == slow


@pytest.mark.django_db
def test_postgres_import_compresses_documents_with_lz4_and_restores_the_setting(archive):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL session setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = %s", [TOAST])
        if not cursor.fetchone()[0]:
            pytest.skip("this server is built without LZ4")
        cursor.execute(f"SHOW {TOAST}")
        before = cursor.fetchone()[0]
    path, studies, body = archive
    run, _ = bulk.start_or_resume(path=path)
    bulk.import_archive(run=run, path=path, workers=0, batch_size=100, chunk_size=10)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_column_compression(fields) FROM trials_trialversion "
            "WHERE octet_length(fields::text) > 4000"
        )
        assert cursor.fetchall() == [("lz4",)]
        cursor.execute(f"SHOW {TOAST}")
        assert cursor.fetchone()[0] == before


TOAST = "default_toast_compression"


@pytest.mark.django_db
def test_each_version_keeps_its_document_exactly_and_compressed(tmp_path):
    """The raw document comes back as the registry's text; a compressed member's own bytes
    are stored as they are, a stored (uncompressed) or BOM-prefixed member is compressed."""
    from trials.sources.zip_members import iter_members, read_member_deflated

    rng = random.Random(3)
    bases = templates()
    texts = {
        nct(number): json.dumps(clone(bases[number], number, rng), ensure_ascii=False)
        for number in range(3)
    }
    path = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for (nct_id, text), (method, prefix) in zip(
            texts.items(),
            [
                (zipfile.ZIP_DEFLATED, ""),
                (zipfile.ZIP_STORED, ""),
                (zipfile.ZIP_DEFLATED, "\ufeff"),
            ],
            strict=True,
        ):
            info = zipfile.ZipInfo(f"{nct_id}.json", date_time=DAY)
            archive.writestr(info, (prefix + text).encode(), compress_type=method, compresslevel=9)
    run, _ = bulk.start_or_resume(path=path)
    bulk.import_archive(run=run, path=path, workers=0)

    versions = {v.trial.nct_id: v for v in TrialVersion.objects.select_related("trial")}
    assert {nct_id: v.raw_document for nct_id, v in versions.items()} == texts
    fd = os.open(path, os.O_RDONLY)
    try:
        as_archived = [read_member_deflated(fd, member)[1] for member in iter_members(path)]
    finally:
        os.close(fd)
    assert bytes(versions[nct(0)].raw_deflated) == as_archived[0]
    assert as_archived[1] is None
    assert bytes(versions[nct(2)].raw_deflated) != as_archived[2]
    assert all(len(v.raw_deflated) < len(texts[nct_id]) / 2 for nct_id, v in versions.items())


@pytest.mark.django_db(transaction=True)
def test_the_migration_compresses_stored_documents_and_can_undo_it():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("trials", "0001_initial")])
    apps = executor.loader.project_state([("trials", "0001_initial")]).apps
    OldTrial = apps.get_model("trials", "Trial")
    OldVersion = apps.get_model("trials", "TrialVersion")
    text = '{"protocolSection": {"identificationModule": {"nctId": "NCT99999990", "briefTitle": "硬皮病"}}}'
    trial = OldTrial.objects.create(nct_id="NCT99999990")
    OldVersion.objects.create(
        trial=trial,
        source_format="api_v2",
        raw_document=text,
        content_hash="0" * 64,
        fields={},
        snapshot_date="2026-08-11",
        last_seen_date="2026-08-11",
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        version = TrialVersion.objects.get(trial__nct_id="NCT99999990")
        assert version.raw_document == text
        assert len(bytes(version.raw_deflated)) < len(text.encode())

        executor = MigrationExecutor(connection)
        executor.migrate([("trials", "0001_initial")])
        apps = executor.loader.project_state([("trials", "0001_initial")]).apps
        old = apps.get_model("trials", "TrialVersion").objects.get(trial__nct_id="NCT99999990")
        assert old.raw_document == text
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
