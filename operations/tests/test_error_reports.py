"""Error reports: the applicants' data never reaches Sentry; 500s mail ADMINS in production."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from operations.error_reports import scrub_event

ROOT = Path(__file__).resolve().parents[2]


def event(url, **request):
    return {
        "request": {
            "url": url,
            "method": "POST",
            "data": {"nickname": "小贝壳", "contact": "shell_2024"},
            "query_string": "code=ABCD-EFGH",
            "cookies": {"sessionid": "s3cret"},
            "headers": {
                "Cookie": "sessionid=s3cret",
                "User-Agent": "Mozilla/5.0",
                "X-Real-Ip": "10.1.2.3",
            },
            **request,
        },
        "user": {"ip_address": "10.1.2.3"},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "stacktrace": {
                        "frames": [{"function": "apply", "vars": {"contact": "shell_2024"}}]
                    },
                }
            ]
        },
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://handbook.example/zh-hans/join/",
        "https://handbook.example/en/join/status/?x=1",
        "https://handbook.example/join/withdraw/",
        "https://handbook.example/admin/membership/12/proof/",
        "/admin/membership/",
    ],
)
def test_private_pages_lose_body_query_cookies_and_headers(url):
    scrubbed = scrub_event(event(url))
    text = repr(scrubbed)
    for secret in ("小贝壳", "shell_2024", "ABCD-EFGH", "s3cret", "10.1.2.3"):
        assert secret not in text
    assert scrubbed["request"]["headers"] == {"User-Agent": "Mozilla/5.0"}
    assert scrubbed["request"]["url"] == url


def test_other_pages_keep_their_body_but_lose_cookies_user_and_locals():
    original = event("https://handbook.example/zh-hans/finder/")
    scrubbed = scrub_event(copy.deepcopy(original))
    assert scrubbed["request"]["data"] == original["request"]["data"]
    assert scrubbed["request"]["query_string"] == "code=ABCD-EFGH"
    assert "cookies" not in scrubbed["request"]
    assert "Cookie" not in scrubbed["request"]["headers"]
    assert "user" not in scrubbed
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]


def test_a_page_whose_name_only_contains_join_is_not_private():
    scrubbed = scrub_event(event("https://handbook.example/zh-hans/joining-a-trial/"))
    assert scrubbed["request"]["data"] == {"nickname": "小贝壳", "contact": "shell_2024"}


def test_production_settings_mail_500s_to_admins_and_configure_sentry_safely():
    """DJANGO_ADMINS and SENTRY_DSN read in production settings (a subprocess: DEBUG=false)."""
    from cryptography.fernet import Fernet

    probe = (
        "import django, json; django.setup();"
        "from django.conf import settings; import sentry_sdk;"
        "client = sentry_sdk.get_client(); o = client.options;"
        "print(json.dumps({'admins': settings.ADMINS,"
        " 'handlers': settings.LOGGING['loggers']['django.request']['handlers'],"
        " 'pii': o['send_default_pii'], 'locals': o['include_local_variables'],"
        " 'scrub': o['before_send'].__name__, 'active': client.is_active()}))"
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 64,
        DJANGO_ALLOWED_HOSTS="handbook.example",
        MEMBERSHIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ADMINS="值班 <ops@example.org>, Second <second@example.org>",
        SENTRY_DSN="https://public@127.0.0.1/1",
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    probed = json.loads(out.stdout.strip().splitlines()[-1])
    assert probed == {
        "admins": [["值班", "ops@example.org"], ["Second", "second@example.org"]],
        "handlers": ["console", "mail_admins"],
        "pii": False,
        "locals": False,
        "scrub": "scrub_event",
        "active": True,
    }


@pytest.mark.django_db
def test_a_500_in_production_mails_admins(settings, mailoutbox):
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.ROOT_URLCONF = "operations.tests.broken_urls"
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert [message.to for message in mailoutbox] == [["ops@example.org"]]
    assert "broken page" in mailoutbox[0].body
