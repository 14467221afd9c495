import pytest
from django.template.loader import render_to_string
from django.utils import translation

from handbook.cards import trial_card


@pytest.mark.django_db
def test_card_for_unknown_status_trial_in_chinese(seed_trials):
    with translation.override("zh-hans"):
        card = trial_card("NCT00962923")
        html = render_to_string("handbook/_trial_card.html", {"card": card})
    assert card.found
    assert card.status_label == "状态不明"
    assert "最后核实于2009年8月" in card.status_note
    assert card.phase == "I/II期"
    assert card.enrollment == "计划招募20人"
    assert card.where == "中国 · 1 个研究地点"
    assert [(row.label, row.value, row.kind) for row in card.dates] == [
        ("开始", "2009年8月", ""),
        ("主要完成", "2010年12月", "计划"),
        ("完成", "2011年12月", "计划"),
    ]
    assert not card.results_posted
    assert len(card.references) == 4 and card.references[0].url.endswith("/19489103/")
    assert card.record_date == "2020年7月28日"
    assert "数据来自 ClinicalTrials.gov，记录日期 2020年7月28日" in html
    assert 'href="https://clinicaltrials.gov/study/NCT00962923"' in html
    assert 'id="trial-NCT00962923"' in html
    assert "注册库未发布结果" in html


@pytest.mark.django_db
def test_card_keeps_day_precision_and_translates_korea(seed_trials):
    with translation.override("zh-hans"):
        manus = trial_card("NCT03211793")
        korean = trial_card("NCT02975960")
    assert ("完成", "2020年11月1日", "计划") in [(r.label, r.value, r.kind) for r in manus.dates]
    assert manus.status_label == "尚未开始招募"
    assert "韩国" in korean.where


@pytest.mark.django_db
def test_card_in_english(seed_trials):
    with translation.override("en"):
        card = trial_card("NCT00962923")
    assert card.status_label == "Unknown status"
    assert card.phase == "Phase 1/2"
    assert card.where == "China · 1 site"
    assert card.dates[-1].value == "December 2011"


@pytest.mark.django_db
def test_card_without_a_stored_record_says_so_and_links_the_registry():
    with translation.override("zh-hans"):
        card = trial_card("NCT09999999")
        html = render_to_string("handbook/_trial_card.html", {"card": card})
    assert not card.found
    assert "https://clinicaltrials.gov/study/NCT09999999" in html
    assert "尚未存储" in html
