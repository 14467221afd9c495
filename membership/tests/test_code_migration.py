"""Migration 0003 re-keys the plain SHA-256 code digests stored before, so codes keep working."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from membership import actions, codes
from membership.models import Application

BEFORE = [("membership", "0002_reviewer_group")]
AFTER = [("membership", "0003_key_code_digests")]


@pytest.mark.django_db(transaction=True)
def test_plain_digests_are_rekeyed_and_the_code_still_finds_its_application():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    code = codes.new_code()
    plain = hashlib.sha256(codes.normalise(code).encode()).hexdigest()
    now = timezone.now()
    old_apps.get_model("membership", "Application").objects.create(
        code_digest=plain,
        status="pending",
        sealed="x",
        proof_name="",
        proof_type="image/jpeg",
        consent_version="2025-1",
        consented_at=now,
        submitted_at=now,
        updated_at=now,
        purge_after=now.date(),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    stored = Application.objects.get()
    assert stored.code_digest != plain and stored.code_digest == codes.digest(code)
    assert actions.find_by_code(code) == stored
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
