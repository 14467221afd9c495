"""The admin login's lock-out (django-axes, ADR 0016) and the Django admin's mount."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.urls import clear_url_caches

LOGIN = "/admin/login/"
PASSWORD = "the-right-password-7"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", password=PASSWORD)


def attempt(client, password, *, username="editor", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_lock_the_login_and_the_right_one_then_fails(client, editor):
    answers = [attempt(client, f"guess-{n}").status_code for n in range(50)]
    assert answers[:4] == [200] * 4
    assert answers[4:] == [429] * 46
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert "请在" in page and "约 30 分钟后" in page
    assert 'href="/admin/login/"' in page


def test_the_lock_is_per_user_name_and_address(client, editor, settings):
    for n in range(5):
        attempt(client, f"guess-{n}", REMOTE_ADDR="203.0.113.5")
    assert attempt(client, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    other_name = attempt(client, "x", username="someone", REMOTE_ADDR="203.0.113.5")
    assert other_name.status_code == 200
    elsewhere = attempt(client, PASSWORD, REMOTE_ADDR="198.51.100.8")
    assert elsewhere.status_code == 302 and logged_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, editor):
    for n in range(4):
        attempt(client, f"guess-{n}")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        assert attempt(client, f"again-{n}").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, editor, settings):
    for n in range(5):
        attempt(client, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    # No proxy configured: the header is the client's own claim, and all came from one address.
    assert attempt(client, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for n in range(5):
        attempt(client, f"guess-{n}", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.3")
    assert attempt(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 429
    # Behind the proxy, the address it appended is the client's: another one is not locked.
    other = attempt(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.3, 198.51.100.4")
    assert other.status_code == 302 and logged_in(client)


@pytest.fixture
def reload_urls():
    import config.urls

    def reload():
        clear_url_caches()
        importlib.reload(config.urls)

    yield reload
    reload()


def test_django_admin_is_not_mounted_by_default(client, db, reload_urls, settings):
    settings.DJANGO_ADMIN_ENABLED = False
    reload_urls()
    for path in ("/django-admin/", "/django-admin/login/"):
        response = client.get(path, follow=True)
        assert response.status_code == 404


def test_django_admin_is_mounted_when_the_setting_says_so(client, db, reload_urls, settings):
    settings.DJANGO_ADMIN_ENABLED = True
    reload_urls()
    response = client.get("/django-admin/login/")
    assert response.status_code == 200


def test_nothing_links_to_the_django_admin():
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    linking = [
        str(path.relative_to(base))
        for app in ("templates", *settings.INSTALLED_APPS)
        if (base / app).is_dir()
        for path in (base / app).rglob("*.html")
        if "django-admin" in path.read_text(encoding="utf-8")
    ]
    assert linking == []
