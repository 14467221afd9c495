"""Nothing a patient enters is stored or logged, and no page asks another host for anything."""

import io
import logging
import re

from django.apps import apps
from django.core.management import call_command

from finder.tests.conftest import MSC_TRIALS

SECRET_WORDS = "ZZ唯一标记 我58岁 硬皮病"


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_search_writes_no_row_sets_no_cookie_and_logs_nothing(client, registry, caplog):
    client.get("/zh-hans/finder/")  # the site footer's settings row is created on first view
    before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/zh-hans/finder/results/",
            {"age": "58", "city": "成都", "text": SECRET_WORDS, "include_finished": "on"},
        )
    assert response.status_code == 200
    assert _row_counts() == before
    assert not response.cookies
    assert "ZZ唯一标记" not in caplog.text and "成都" not in caplog.text


def test_find_trials_writes_no_row(registry, caplog):
    before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        call_command(
            "find_trials", "--text", "-", stdin=io.StringIO(SECRET_WORDS), stdout=io.StringIO()
        )
    assert _row_counts() == before
    assert "ZZ唯一标记" not in caplog.text


def test_results_page_loads_nothing_from_another_host(client, registry):
    html = client.post(
        "/zh-hans/finder/results/", {"text": "干细胞", "include_finished": "on"}
    ).content.decode()
    for url in re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', html):
        assert url.startswith(("http://testserver/", "https://clinicaltrials.gov/")), url
    registry_links = re.findall(
        r'<a [^>]*href="https://clinicaltrials.gov/study/(NCT\d{8})"[^>]*>', html
    )
    assert set(registry_links) >= MSC_TRIALS  # every card links to its record
    for link in re.findall(r'<a [^>]*href="https://clinicaltrials.gov[^>]*>', html):
        assert "noreferrer" in link
