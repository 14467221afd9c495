"""Production settings: `check --deploy` passes, missing secrets stop start-up, headers are set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "x" * 20 + "-production-secret-for-the-deploy-check-" + "y" * 20


def manage(*args, tmp_path, **env_overrides):
    """manage.py in production mode; every setting the check looks at is given explicitly, so
    that a developer's .env (read for unset variables only) cannot change the outcome."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MEMBERSHIP_"))
    }
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "handbook.example.org",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://handbook.example.org",
            "DJANGO_SECURE_SSL_REDIRECT": "true",
            "DJANGO_SECURE_HSTS_SECONDS": "31536000",
            "DJANGO_SECURE_HSTS_PRELOAD": "false",
            "DJANGO_CONTENT_SECURITY_POLICY": "",
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "MEMBERSHIP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "MEMBERSHIP_STORAGE_DIR": str(tmp_path / "private"),
        }
    )
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_encryption_key_stops_production_start_up(tmp_path):
    result = manage("check", tmp_path=tmp_path, MEMBERSHIP_ENCRYPTION_KEYS="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MEMBERSHIP_ENCRYPTION_KEYS must be set" in result.stderr


def test_malformed_encryption_key_stops_start_up(tmp_path):
    result = manage("check", tmp_path=tmp_path, MEMBERSHIP_ENCRYPTION_KEYS="too-short")
    assert result.returncode != 0
    assert "MEMBERSHIP_ENCRYPTION_KEYS: key number 1 is not a valid Fernet key" in result.stderr
    assert "too-short" not in result.stderr


def test_storage_inside_media_root_is_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEMBERSHIP_STORAGE_DIR = tmp_path / "media" / "proofs"
    errors = [message.id for message in run_checks()]
    assert "membership.E001" in errors


def test_world_readable_storage_is_a_deploy_warning(settings, tmp_path):
    directory = tmp_path / "store"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    settings.MEMBERSHIP_STORAGE_DIR = directory
    assert "membership.W002" in [
        message.id for message in run_checks(include_deployment_checks=True)
    ]
    directory.chmod(0o700)
    assert "membership.W002" not in [
        message.id for message in run_checks(include_deployment_checks=True)
    ]


@pytest.mark.django_db
def test_security_headers_on_public_pages(client):
    policy = "default-src 'self'; script-src 'self'"
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        root = client.get("/zh-hans/join/privacy/")
        admin_login = client.get("/admin/login/")
    # Membership pages keep their own stricter policy; the admin gets none from the middleware.
    assert root["Content-Security-Policy"].startswith("default-src 'self'; img-src")
    assert "Content-Security-Policy" not in admin_login
    assert root["X-Frame-Options"] == "DENY"
    assert root["X-Content-Type-Options"] == "nosniff"
    assert root["Referrer-Policy"] == "same-origin"
    assert root["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in root["Permissions-Policy"]
    assert root["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.django_db
def test_middleware_adds_the_policy_to_other_pages(client):
    with override_settings(CONTENT_SECURITY_POLICY="default-src 'self'"):
        response = client.get("/")
    assert response["Content-Security-Policy"] == "default-src 'self'"
