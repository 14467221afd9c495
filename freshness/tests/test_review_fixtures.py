"""Shared set-up for the review-queue tests: the demo site, checked once per test module.

`load_demo` (both snapshots, the MSC page in Chinese and English) takes a while, so each module
loads it once inside a transaction that is rolled back when the module ends; every test runs
in a savepoint inside it (pytest-django's `db`), so tests cannot see each other's changes.
The users cover every kind of access the queue distinguishes.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from freshness.actions import REVIEW_GROUP, ensure_review_workflow
from freshness.models import Finding
from handbook.models import HandbookPage

TODAY = "2026-11-25"
PASSWORD = "review-test-password"


def _user(username, *, groups=(), email="", **extra):
    user = get_user_model().objects.create_user(username, email=email, password=PASSWORD, **extra)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def _load():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_ADMIN_PASSWORD", PASSWORD)
        call_command("load_demo", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    ensure_review_workflow()
    call_command("check_freshness", today=TODAY, no_email=True, stdout=io.StringIO())
    viewers = Group.objects.create(name="Admin viewers")
    viewers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    _user("editor", groups=["Editors"], email="editor@example.org")
    _user("moderator", groups=["Moderators"], email="moderator@example.org")
    _user("reviewer", groups=[REVIEW_GROUP], email="reviewer@example.org")
    _user("viewer", groups=["Admin viewers"], email="viewer@example.org")
    _user("reader", email="reader@example.org")
    _user("gone", groups=["Editors"], email="gone@example.org", is_active=False)
    get_user_model().objects.filter(username="admin").update(email="admin@example.org")


@pytest.fixture(scope="module", name="review_site")
def review_site_fixture(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            _load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture(name="site")
def site_fixture(review_site, db):
    """Fresh objects for one test: the two pages and the users by name."""
    users = {u.username: u for u in get_user_model().objects.all()}
    return SimpleNamespace(
        zh=HandbookPage.objects.get(locale__language_code="zh-hans"),
        en=HandbookPage.objects.get(locale__language_code="en"),
        users=users,
        password=PASSWORD,
    )


def finding_for(claim_text: str, *, language: str = "zh-hans", kind: str | None = None):
    findings = Finding.objects.select_related("statement__page").filter(
        statement__claim_text=claim_text, statement__language=language
    )
    if kind:
        findings = findings.filter(statement__kind=kind)
    return findings.get()
