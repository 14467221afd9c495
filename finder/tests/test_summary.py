"""The plain-language summary, from real records (fixtures/criteria/records, see README)."""

import datetime as dt
from pathlib import Path

import pytest

from finder.summary import AUTOMATIC_NOTE, Summary, plain_summary
from trials import actions
from trials.models import SyncRun, Trial
from trials.sources.legacy_xml import parse_clinical_study

RECORDS = Path(__file__).parent / "fixtures" / "criteria" / "records"


def unsaved(name: str) -> Trial:
    path = RECORDS / f"{name}.xml"
    fields = parse_clinical_study(path.read_bytes(), source=path.name).record.to_dict()
    fields.pop("locations")
    return Trial(**fields)


def stored(name: str) -> Trial:
    """The record imported the way `import_trials` stores it, sites and checked date included."""
    path = RECORDS / f"{name}.xml"
    document = parse_clinical_study(path.read_bytes(), source=path.name)
    run = actions.start_run(kind=SyncRun.Kind.FILES, parameters={})
    actions.store_document(run=run, document=document, source=path.name)
    return Trial.objects.get(nct_id=document.record.nct_id)


def text_of(summary: Summary) -> str:
    return "\n".join(summary.paragraphs_zh)


def test_summary_of_a_placebo_controlled_cell_therapy_trial():
    summary = plain_summary(unsaved("NCT03211793"), today=dt.date(2026, 8, 1))
    assert summary.automatic is True
    what, who, where, when, phase, source = summary.paragraphs_zh
    assert what.startswith("这项研究测试的是：Mesenchymal stromal cells（药物）、Placebo（其他）。")
    assert "部分参加者会使用安慰剂" in what
    assert "随机" in what and "四盲" in what
    assert "年龄 18 岁及以上" in who and "男女均可" in who
    assert "系统性硬化症" in who and "指端溃疡" in who
    assert "计划招募 20 人" in who
    assert where == "注册信息中没有列出研究地点。"
    # Planned dates that have passed are said to be out of date, not reported as facts.
    assert "研究原计划于2018年11月开始（这个日期已过" in when
    assert "全部研究原计划于2020年11月1日完成" in when
    assert "目前状态：尚未开始招募。" in when
    assert phase.startswith("I/II期研究")
    assert AUTOMATIC_NOTE in source and "NCT03211793" in source


def test_planned_dates_still_ahead_are_plans():
    summary = plain_summary(unsaved("NCT03211793"), today=dt.date(2018, 6, 1))
    when = summary.paragraphs_zh[3]
    assert "研究计划于2018年11月开始。" in when
    assert "全部研究预计于2020年11月1日完成。" in when
    assert "已过" not in when


def test_actual_and_untyped_dates():
    when = plain_summary(unsaved("NCT00005675"), today=dt.date(2026, 8, 1)).paragraphs_zh[3]
    assert "开始时间：2000年4月（注册信息未说明是计划还是实际日期）。" in when
    assert "主要结果数据收集已于2005年5月完成。" in when
    assert "目前状态：已完成。" in when


def test_nothing_is_invented_for_an_empty_record():
    summary = plain_summary(Trial(nct_id="NCT00000000"), today=dt.date(2026, 8, 1))
    text = text_of(summary)
    assert "注册信息中没有列出研究使用的治疗或干预。" in text
    assert "注册信息没有写年龄限制" in text
    assert "注册信息中没有列出研究地点。" in text
    assert "注册信息中没有写研究的起止时间。" in text
    assert "期研究" not in text  # no phase given, no phase explained
    assert "人。" not in text  # no enrolment given, no number
    assert "核对日期" not in text


@pytest.mark.django_db
def test_where_names_countries_in_chinese_and_chinese_cities():
    trial = stored("NCT00962923")
    summary = plain_summary(trial, today=dt.date(2026, 8, 1))
    where = summary.paragraphs_zh[2]
    assert where.startswith("研究地点：共 1 个，分布在中国。")
    assert "在中国的研究地点位于：Nanjing" in where
    assert "Allogeneic Mesenchymal Stem Cells (AlloMSC)（生物制品）" in summary.paragraphs_zh[0]
    assert "核对日期 2020年7月28日" in summary.paragraphs_zh[-1]


@pytest.mark.django_db
def test_where_counts_every_site():
    summary = plain_summary(stored("NCT00005675"), today=dt.date(2026, 8, 1))
    where = summary.paragraphs_zh[2]
    assert where == "研究地点：共 12 个，分布在美国。"
    assert summary.paragraphs_zh[4].startswith("II期研究")
    assert "实际入组 168 人" in summary.paragraphs_zh[1]
