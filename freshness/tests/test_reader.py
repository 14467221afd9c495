"""Readers see when a page's trial facts were checked, overdue results, and the editors' notice."""

import io

import pytest
import time_machine
from django.core.management import call_command

from freshness.models import PageFreshness
from handbook.models import HandbookPage


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-for-tests")
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    call_command("check_freshness", today="2026-11-25", stdout=io.StringIO())
    return HandbookPage.objects.get(locale__language_code="zh-hans")


@time_machine.travel("2026-11-25 12:00 +0800", tick=False)
def test_page_shows_checked_date_and_overdue_results(client, demo):
    html = client.get(demo.url).content.decode()
    assert "本页试验信息核对于2026年11月25日" in html.replace(" ", "")
    # NCT02975960: primary completion 2017-10-30, no results: due 395 days later, 2018-11-29.
    card = html.split('id="trial-NCT02975960"')[1].split("</article>")[0]
    assert "结果逾期未报" in card and "2018年11月29日" in card
    assert html.count("trial-card__flag--overdue") == 4
    assert "freshness-notice" not in html


@time_machine.travel("2026-11-25 12:00 +0800", tick=False)
def test_editors_notice_shows_only_while_findings_are_open(client, demo):
    info = PageFreshness.objects.get(page=demo)
    assert info.open_findings > 0
    info.show_notice = True
    info.save()
    assert "freshness-notice" in client.get(demo.url).content.decode()
    info.open_findings = 0
    info.save()
    assert "freshness-notice" not in client.get(demo.url).content.decode()


@time_machine.travel("2017-06-01 12:00 +0800", tick=False)
def test_no_overdue_flag_before_results_are_due(client, demo):
    html = client.get(demo.url).content.decode()
    card = html.split('id="trial-NCT02975960"')[1].split("</article>")[0]
    assert "trial-card__flag--overdue" not in card
