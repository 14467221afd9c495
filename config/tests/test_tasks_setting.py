"""TASKS_BACKEND picks the task backend by name; an unknown name stops start-up (ADR 0014)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_choice

CHOICES = {"database": "db.Backend", "immediate": "immediate.Backend"}


def test_the_word_chooses_the_backend_and_empty_means_the_default(monkeypatch):
    monkeypatch.setenv("TASKS_BACKEND", " Immediate ")
    assert env_choice("TASKS_BACKEND", CHOICES, default="database") == "immediate.Backend"
    monkeypatch.setenv("TASKS_BACKEND", "")
    assert env_choice("TASKS_BACKEND", CHOICES, default="database") == "db.Backend"
    monkeypatch.delenv("TASKS_BACKEND")
    assert env_choice("TASKS_BACKEND", CHOICES, default="database") == "db.Backend"


def test_an_unknown_word_is_an_error_naming_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("TASKS_BACKEND", "redis")
    with pytest.raises(ImproperlyConfigured) as error:
        env_choice("TASKS_BACKEND", CHOICES, default="database")
    assert str(error.value) == "TASKS_BACKEND must be one of database, immediate, got 'redis'."


def test_the_settings_map_both_words_to_installed_backends():
    from django.utils.module_loading import import_string

    assert set(settings.TASKS_BACKENDS) == {"database", "immediate"}
    for path in settings.TASKS_BACKENDS.values():
        import_string(path)
    assert "django_tasks_db" in settings.INSTALLED_APPS


def test_start_up_stops_on_an_unknown_backend():
    env = {**os.environ, "DJANGO_DEBUG": "true", "TASKS_BACKEND": "celery"}
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of database, immediate, got 'celery'." in result.stderr
