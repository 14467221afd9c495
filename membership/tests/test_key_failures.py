"""Issue 18, item 3: an application no configured key opens is one marked row, not a 500, for
the reviewers and for the applicant, and the operator gets an error report."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.utils import timezone

from membership import actions
from membership.uploads import clean_proof

from . import samples
from .conftest import KEY, sample_details
from .test_review import login

STATUS = "/zh-hans/join/status/"


@pytest.fixture
def lost_key_application(db, settings):
    """An application sealed with a key that was later removed from the settings."""
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    application, code = actions.submit_application(
        details=sample_details(nickname="丢失的钥匙", contact="lost_key_1"),
        proof=clean_proof(samples.jpeg_bytes()),
        language="zh-hans",
        now=timezone.now(),
    )
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [KEY]
    return application, code


def test_queue_shows_the_unreadable_row_and_the_rest(
    db, submitted, lost_key_application, reviewer, caplog
):
    lost, _ = lost_key_application
    with caplog.at_level(logging.ERROR, logger="membership"):
        response = login(reviewer).get("/admin/membership/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "小贝壳" in html
    assert html.count("无法解密（密钥问题）") == 1
    assert "rotate_membership_key" in html and f"/admin/membership/{lost.pk}/" in html
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and str(lost.pk) in errors[0].getMessage()
    assert "MEMBERSHIP_ENCRYPTION_KEYS" in errors[0].getMessage()
    assert "丢失的钥匙" not in errors[0].getMessage() and "lost_key_1" not in caplog.text


def test_unreadable_application_detail_explains_and_offers_no_decision(
    db, lost_key_application, reviewer, caplog
):
    lost, _ = lost_key_application
    client = login(reviewer)
    with caplog.at_level(logging.ERROR, logger="membership"):
        response = client.get(f"/admin/membership/{lost.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and "无法解密（密钥问题）" in html
    assert 'name="decision"' not in html
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    posted = client.post(f"/admin/membership/{lost.pk}/", {"decision": "approve", "message": ""})
    assert posted.status_code == 200
    lost.refresh_from_db()
    assert lost.status == "pending"


def test_applicant_status_page_still_works_without_the_key(db, lost_key_application, caplog):
    _, code = lost_key_application
    with caplog.at_level(logging.ERROR, logger="membership"):
        response = Client().post(STATUS, {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "等待审核" in html and "技术问题" in html
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_unreadable_proof_is_reported_to_the_operator(db, lost_key_application, reviewer, caplog):
    lost, _ = lost_key_application
    with caplog.at_level(logging.ERROR, logger="membership"):
        response = login(reviewer).get(f"/admin/membership/{lost.pk}/proof/")
    assert response.status_code == 500 and b"MEMBERSHIP_ENCRYPTION_KEYS" in response.content
    errors = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.ERROR and record.name.startswith("membership")
    ]
    assert len(errors) == 1 and str(lost.pk) in errors[0]
