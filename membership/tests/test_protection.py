"""Protection at rest, retention and deletion: what is on disk and in the database, and for how long."""

import io
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from PIL import Image

from membership import actions, crypto, storage
from membership.models import Application, ApplicationTally, AuditEntry, Status
from membership.uploads import clean_proof

from . import samples
from .conftest import sample_details

START = timezone.make_aware(timezone.datetime(2025, 3, 3, 10, 0))


def submit(now=START, proof_bytes=None, **details):
    proof = clean_proof(proof_bytes or samples.jpeg_bytes())
    return actions.submit_application(
        details=sample_details(**details), proof=proof, language="zh-hans", now=now
    )


def test_bytes_on_disk_are_neither_the_upload_nor_the_cleaned_proof(db, settings):
    upload = samples.certificate_pdf()
    cleaned = clean_proof(upload)
    application, _ = actions.submit_application(
        details=sample_details(), proof=cleaned, language="zh-hans", now=START
    )
    path = Path(settings.MEMBERSHIP_STORAGE_DIR) / application.proof_name
    on_disk = path.read_bytes()
    assert on_disk != upload and on_disk != cleaned.content
    assert samples.MARKER not in on_disk and b"%PDF" not in on_disk
    assert b"\xe8\xaf\x8a\xe6\x96\xad" not in on_disk  # 诊断 in UTF-8
    assert storage.read(application.proof_name) == cleaned.content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # Nothing else was written: no plaintext temporary copy anywhere in the store.
    assert [entry.name for entry in path.parent.iterdir()] == [application.proof_name]


def test_personal_data_is_encrypted_in_the_database(db):
    application, code = submit(nickname="硬皮病小组长", contact="13812345678", contact_kind="phone")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM membership_application WHERE id = %s", [application.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    for secret in ("硬皮病小组长", "13812345678", "成都", "华西", code, code.replace("-", "")):
        assert secret not in row
    assert Application.objects.get().details.contact == "13812345678"


def test_a_wrong_key_cannot_read_anything(db, settings):
    application, _ = submit()
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        storage.read(application.proof_name)
    with pytest.raises(crypto.InvalidToken):
        Application.objects.get().details  # noqa: B018


def test_key_rotation_reencrypts_files_and_records(db, settings):
    application, _ = submit()
    old_key = settings.MEMBERSHIP_ENCRYPTION_KEYS[0]
    path = Path(settings.MEMBERSHIP_STORAGE_DIR) / application.proof_name
    before_file, before_row = path.read_bytes(), application.sealed
    proof = storage.read(application.proof_name)

    new_key = Fernet.generate_key().decode()
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_membership_key", stdout=out)
    assert "1" in out.getvalue()

    settings.MEMBERSHIP_ENCRYPTION_KEYS = [new_key]
    refreshed = Application.objects.get()
    assert path.read_bytes() != before_file and refreshed.sealed != before_row
    assert storage.read(application.proof_name) == proof
    assert refreshed.details.nickname == "小贝壳"
    assert AuditEntry.objects.filter(action="keys_rotated").count() == 1


def test_rotation_without_the_old_key_fails_plainly(db, settings):
    submit()
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="无法用 MEMBERSHIP_ENCRYPTION_KEYS 中的任何密钥解密"):
        call_command("rotate_membership_key", stdout=io.StringIO())


def test_development_key_only_in_debug_and_loudly(db, settings, caplog):
    settings.MEMBERSHIP_ENCRYPTION_KEYS = []
    settings.DEBUG = True
    crypto._warned_about_development_key = False
    with caplog.at_level("WARNING", logger="membership.crypto"):
        token = crypto.encrypt(b"demo")
    assert "DEVELOPMENT encryption key" in caplog.text
    assert crypto.decrypt(token) == b"demo"
    from membership.checks import check_development_key

    assert [warning.id for warning in check_development_key()] == ["membership.W001"]
    settings.DEBUG = False
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="MEMBERSHIP_ENCRYPTION_KEYS"):
        crypto.cipher()


def test_malformed_key_stops_with_the_variable_name(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MEMBERSHIP_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="MEMBERSHIP_ENCRYPTION_KEYS: key number 2"):
        crypto.validate_keys()


def test_purge_deletes_decided_applications_after_the_retention_days(
    db, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.MEMBERSHIP_RETENTION_DAYS = 10
    approved, _ = submit()
    rejected, _ = submit(nickname="二号")
    waiting, _ = submit(nickname="三号")
    decided_at = START + timedelta(days=2)
    actions.decide(
        application=approved, user=reviewer, decision="approve", message="", now=decided_at
    )
    actions.decide(
        application=rejected, user=reviewer, decision="reject", message="看不清", now=decided_at
    )
    names = {app.pk: app.proof_name for app in (approved, rejected, waiting)}

    with django_capture_on_commit_callbacks(execute=True):
        early = actions.purge_due(today=(decided_at + timedelta(days=9)).date())
    assert early.deleted == 0 and Application.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        report = actions.purge_due(today=(decided_at + timedelta(days=10)).date())
    assert report.deleted == 2
    assert list(Application.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not storage.exists(names[approved.pk]) and not storage.exists(names[rejected.pk])
    assert storage.exists(names[waiting.pk])
    tallies = {(t.month.isoformat(), t.outcome): t.count for t in ApplicationTally.objects.all()}
    assert tallies == {("2025-03-01", "approved"): 1, ("2025-03-01", "rejected"): 1}
    purged = AuditEntry.objects.filter(action="purged")
    assert sorted(purged.values_list("application_number", flat=True)) == sorted(
        [approved.pk, rejected.pk]
    )


def test_undecided_applications_expire_too(db, settings, django_capture_on_commit_callbacks):
    settings.MEMBERSHIP_UNDECIDED_RETENTION_DAYS = 90
    application, _ = submit()
    assert application.purge_after == (START + timedelta(days=90)).date()
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.purge_due(today=application.purge_after)
    assert report.outcomes == {"expired": 1}
    assert not Application.objects.exists() and not list(storage.stored_names())


def test_after_purge_only_anonymous_counts_remain(db, reviewer, django_capture_on_commit_callbacks):
    application, code = submit(nickname="独一无二的昵称", contact="unique_wechat_id")
    actions.decide(
        application=application, user=reviewer, decision="approve", message="", now=START
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.purge_due(today=(START + timedelta(days=30)).date())
    assert actions.find_by_code(code) is None
    dump = io.StringIO()
    call_command("dumpdata", "membership", stdout=dump)
    text = dump.getvalue()
    assert "独一无二的昵称" not in text and "unique_wechat_id" not in text
    assert '"outcome": "approved"' in text and '"count": 1' in text
    assert not list(storage.stored_names())


def test_purge_command_is_daily_safe_and_reports(db, reviewer, django_capture_on_commit_callbacks):
    application, _ = submit()
    actions.decide(
        application=application, user=reviewer, decision="reject", message="x", now=START
    )
    out = io.StringIO()
    with (
        time_machine.travel(START + timedelta(days=31)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("purge_applications", stdout=out)
        call_command("purge_applications", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert not Application.objects.exists()
    assert lines[-1].startswith("已删除 0 份申请")
    assert any("已删除 1 份申请" in line for line in lines)


def test_purge_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="31/03/2025"):
        call_command("purge_applications", today="31/03/2025", stdout=io.StringIO())


def test_purge_removes_stray_files_left_by_a_crash(db, settings):
    orphan = storage.save(b"left behind")
    old = timezone.now().timestamp() - 2 * 3600
    os.utime(Path(settings.MEMBERSHIP_STORAGE_DIR) / orphan, (old, old))
    fresh = storage.save(b"being written right now")
    report = actions.purge_due(today=timezone.localdate())
    assert report.stray_files == 1
    assert not storage.exists(orphan) and storage.exists(fresh)


def test_failed_database_write_removes_the_file(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "_create_application", broken)
    with pytest.raises(RuntimeError):
        submit()
    assert not list(storage.stored_names())


def test_withdrawal_counts_as_withdrawn_and_leaves_nothing(db, django_capture_on_commit_callbacks):
    application, code = submit()
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(application=application, now=START)
    assert actions.find_by_code(code) is None
    assert not list(storage.stored_names())
    assert ApplicationTally.objects.get().outcome == "withdrawn"


def test_decisions_are_audited_with_who_when_what(db, reviewer, superuser):
    application, _ = submit()
    later = START + timedelta(hours=5)
    actions.decide(
        application=application, user=reviewer, decision="ask", message="缺盖章", now=START
    )
    actions.reply(application=application, message="补好了", proof=None, now=later)
    actions.decide(
        application=application, user=superuser, decision="approve", message="", now=later
    )
    entries = list(
        AuditEntry.objects.filter(application_number=application.pk)
        .order_by("at", "pk")
        .values_list("action", "actor_name", "at")
    )
    assert [(action, who) for action, who, _ in entries] == [
        ("submitted", ""),
        ("asked_for_info", "reviewer"),
        ("applicant_replied", ""),
        ("approved", "boss"),
    ]
    assert entries[1][2] == START and entries[3][2] == later
    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.decided_by == superuser
    with pytest.raises(actions.NotAllowed):
        actions.decide(
            application=application, user=reviewer, decision="reject", message="x", now=later
        )


def test_large_upload_never_becomes_a_temporary_file(client, db, monkeypatch):
    from django.core.files import uploadedfile

    def refuse(*args, **kwargs):
        raise AssertionError("a plaintext temporary upload file was created")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refuse)
    noise = Image.frombytes("RGB", (1800, 1400), os.urandom(1800 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=97)
    assert len(buffer.getvalue()) > 3 * 1024 * 1024
    from .conftest import form_data, upload

    response = client.post(
        "/zh-hans/join/", form_data(proof=upload("big.jpg", buffer.getvalue(), "image/jpeg"))
    )
    assert response.status_code == 302
    assert Application.objects.count() == 1
