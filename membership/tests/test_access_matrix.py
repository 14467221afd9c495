"""Who may reach what: every role against every endpoint.

Roles: anonymous, an applicant holding a code (also anonymous to Django), a Wagtail editor, a
reviewer (入群审核员) and a superuser. Reviewer screens live in the Wagtail admin: outsiders are
sent to the login page, editors are turned away, and the proof endpoint answers 403 to anyone
who is not a reviewer, so a proof is never reachable without the review permission.
"""

import pytest
from django.test import Client

from membership import storage
from membership.models import AuditEntry

ROLES = ["anonymous", "applicant", "editor", "reviewer", "admin"]


@pytest.fixture
def clients(db, submitted, editor, reviewer, superuser):
    application, code = submitted
    result = {}
    for role in ROLES:
        client = Client()
        if role == "editor":
            client.force_login(editor)
        elif role == "reviewer":
            client.force_login(reviewer)
        elif role == "admin":
            client.force_login(superuser)
        result[role] = client
    return result, application, code


PUBLIC_GET = [
    "/zh-hans/join/",
    "/zh-hans/join/status/",
    "/zh-hans/join/withdraw/",
    "/zh-hans/join/privacy/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PUBLIC_GET)
def test_public_pages_open_to_everyone_and_show_no_application(clients, role, path):
    by_role, application, _ = clients
    response = by_role[role].get(path)
    assert response.status_code == 200
    assert application.details.contact not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_status_shows_the_application_only_to_whoever_has_the_code(clients, role):
    by_role, application, code = clients
    client = by_role[role]
    without = client.post("/zh-hans/join/status/", {"code": "0000-0000-0000-0000-0000"})
    assert "小贝壳" not in without.content.decode()
    if role == "applicant":
        with_code = client.post("/zh-hans/join/status/", {"code": code})
        assert "小贝壳" in with_code.content.decode()


# Expected answer per endpoint and role. "login": redirect to the admin login;
# "denied": Wagtail's permission-denied redirect to the dashboard; numbers are status codes.
ADMIN_EXPECTATIONS = {
    "queue": {
        "anonymous": "login",
        "applicant": "login",
        "editor": "denied",
        "reviewer": 200,
        "admin": 200,
    },
    "detail": {
        "anonymous": "login",
        "applicant": "login",
        "editor": "denied",
        "reviewer": 200,
        "admin": 200,
    },
    "decide": {
        "anonymous": "login",
        "applicant": "login",
        "editor": "denied",
        "reviewer": 302,
        "admin": 302,
    },
    "proof": {
        "anonymous": "login",
        "applicant": "login",
        "editor": 403,
        "reviewer": 200,
        "admin": 200,
    },
    "audit": {
        "anonymous": "login",
        "applicant": "login",
        "editor": "denied",
        "reviewer": 200,
        "admin": 200,
    },
}


def _request(client, endpoint, number):
    if endpoint == "queue":
        return client.get("/admin/membership/")
    if endpoint == "detail":
        return client.get(f"/admin/membership/{number}/")
    if endpoint == "decide":
        return client.post(f"/admin/membership/{number}/", {"decision": "approve", "message": ""})
    if endpoint == "proof":
        return client.get(f"/admin/membership/{number}/proof/")
    return client.get("/admin/membership/audit/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ADMIN_EXPECTATIONS))
def test_reviewer_screens(clients, role, endpoint):
    by_role, application, _ = clients
    expected = ADMIN_EXPECTATIONS[endpoint][role]
    response = _request(by_role[role], endpoint, application.pk)
    body = response.content
    if expected == "login":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    elif expected == "denied":
        assert response.status_code == 302 and response["Location"] == "/admin/"
    else:
        assert response.status_code == expected
    if expected in ("login", "denied", 403):
        assert "小贝壳".encode() not in body and b"shell_2024" not in body
        assert storage.read(application.proof_name) not in body
        application.refresh_from_db()
        assert application.status == "pending"


def test_proof_response_is_the_decrypted_proof_with_protective_headers(clients):
    by_role, application, _ = clients
    response = by_role["reviewer"].get(f"/admin/membership/{application.pk}/proof/")
    assert response.content == storage.read(application.proof_name)
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline;")


def test_editors_do_not_see_the_menu_item_reviewers_do(clients):
    by_role, _, _ = clients
    assert "/admin/membership/" not in by_role["editor"].get("/admin/").content.decode()
    assert "/admin/membership/" in by_role["reviewer"].get("/admin/").content.decode()


def test_proofs_are_not_under_any_public_path(clients, settings):
    from pathlib import Path

    by_role, application, _ = clients
    stored = Path(settings.MEMBERSHIP_STORAGE_DIR) / application.proof_name
    assert stored.exists()
    for public_root in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not stored.resolve().is_relative_to(Path(public_root).resolve())
    for role in ROLES:
        response = by_role[role].get(f"/media/{application.proof_name}")
        assert response.status_code == 404


def test_every_view_of_a_proof_is_logged_with_who(clients, reviewer, superuser):
    by_role, application, _ = clients
    by_role["reviewer"].get(f"/admin/membership/{application.pk}/proof/")
    by_role["admin"].get(f"/admin/membership/{application.pk}/proof/")
    by_role["editor"].get(f"/admin/membership/{application.pk}/proof/")
    entries = AuditEntry.objects.filter(action="viewed_proof", application_number=application.pk)
    assert sorted(entries.values_list("actor_name", flat=True)) == ["boss", "reviewer"]
