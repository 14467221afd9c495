"""The seed page against its real registry records, through `manage.py check_freshness`.

The MSC brochure was written around 2019. Checked with only the 2018 snapshot on a day in
2018, its planned dates are still plans; checked with both bundled snapshots in 2026, the
plans have lapsed and NCT03211793's record has moved to the dates the brochure gives.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from freshness.actions import extract_page
from freshness.models import Finding, Statement
from handbook.models import HandbookPage

DEMO = Path(settings.BASE_DIR) / "demo" / "data"
SNAPSHOTS = DEMO / "trials" / "seed-trials"
BROCHURE = DEMO / "brochures" / "mesenchymal-stem-cells.zh-hans.txt"

C, OUT, X, U = "current", "outdated", "contradicts_registry", "cannot_verify"

# (nct_id, kind, claim_text) → verdict, checked on 2026-11-25 with both snapshots.
EXPECTED_2026 = {
    ("NCT00962923", "design", "开放标签"): C,
    ("NCT00962923", "phase", "I/II期"): C,
    ("NCT00962923", "status", "正在评估"): U,  # the registry says "unknown status"
    ("NCT00962923", "intervention", "同种异体"): C,
    ("NCT00962923", "enrollment", "在20例系统性硬皮病患者中"): C,
    ("NCT00962923", "status", "在中国进行招募"): U,
    ("NCT00962923", "location", "在中国进行"): C,
    ("NCT00962923", "completion_date", "原计划2011年12月完成"): OUT,  # plan lapsed, no actual date
    ("NCT00962923", "results", "目前无试验结果公布"): C,  # still none (and overdue)
    ("NCT00962923", "intervention", "从脐带获得"): U,  # the record never names the source
    ("NCT00962923", "enrollment", "计划招募的20位患者"): C,
    ("NCT02213705", "location", "法国一项"): C,
    ("NCT02213705", "design", "开放标签"): C,
    ("NCT02213705", "phase", "I/II期"): C,
    ("NCT02213705", "enrollment", "正在招募20例"): C,
    ("NCT02213705", "status", "正在招募"): U,  # RECRUITING in 2018, unknown by 2020
    ("NCT02213705", "intervention", "同种异体"): C,
    ("NCT02213705", "completion_date", "预计将于2022年1月完成"): X,  # registry: 2019-06
    ("NCT03211793", "design", "随机、双盲"): C,  # quadruple masking is double-blind
    ("NCT03211793", "phase", "I/II期"): C,
    ("NCT03211793", "start_date", "预计将于2018年11月在荷兰一地开始招募"): OUT,
    ("NCT03211793", "status", "预计将于2018年11月在荷兰一地开始招募"): C,
    ("NCT03211793", "location", "在荷兰一地"): C,
    ("NCT03211793", "enrollment", "招募多达20名志愿者"): C,
    ("NCT03211793", "completion_date", "原计划预计于2020年11月结束"): OUT,
    ("NCT03211793", "results", "目前尚未公布实验结果"): C,
    ("NCT02975960", "location", "在韩国的一个地点"): C,
    ("NCT02975960", "enrollment", "招募了多达7名患者"): C,
    ("NCT02975960", "intervention", "取自患者自身的脂肪组织"): C,
    ("NCT02975960", "results", "目前研究结果尚未公布"): C,
}

# With only the 2018-05-29 records, checked on 2018-06-01.
CHANGED_IN_2018 = {
    ("NCT02213705", "status", "正在招募"): C,  # it was recruiting then
    ("NCT03211793", "start_date", "预计将于2018年11月在荷兰一地开始招募"): X,  # 2018-01
    ("NCT03211793", "status", "预计将于2018年11月在荷兰一地开始招募"): X,  # RECRUITING
    ("NCT03211793", "completion_date", "原计划预计于2020年11月结束"): X,  # 2019-09-01
}
EXPECTED_2018 = {**EXPECTED_2026, **CHANGED_IN_2018}


def _load(snapshots: list[str]):
    from wagtail.models import Locale

    from handbook.actions import ensure_handbook_root

    for code in ("zh-hans", "en"):
        Locale.objects.get_or_create(language_code=code)
    ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    call_command("import_trials", *[str(SNAPSHOTS / s) for s in snapshots], verbosity=0)
    call_command(
        "import_brochure", str(BROCHURE), locale="zh-hans", publish=True, stdout=io.StringIO()
    )


def _check(today: str) -> list[dict]:
    out = io.StringIO()
    call_command("check_freshness", today=today, format="json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def seed_both(db):
    _load(["2018-05-29", "2020-07-28"])


def _verdicts(rows):
    return {(r["nct_id"], r["kind"], r["claim_text"]): r["verdict"] for r in rows}


def test_seed_page_with_both_snapshots_in_2026(seed_both):
    rows = _check("2026-11-25")
    assert _verdicts(rows) == EXPECTED_2026
    assert len(rows) == len(EXPECTED_2026)


def test_seed_page_with_the_2018_snapshot_in_2018(db):
    _load(["2018-05-29"])
    assert _verdicts(_check("2018-06-01")) == EXPECTED_2018


def test_json_rows_carry_evidence_suggestions_and_trial_flags(seed_both):
    rows = {(r["nct_id"], r["kind"], r["claim_text"]): r for r in _check("2026-11-25")}
    required = {
        "page",
        "nct_id",
        "kind",
        "claim_text",
        "verdict",
        "evidence",
        "suggestion_zh",
        "suggestion_en",
        "results_overdue",
    }
    for row in rows.values():
        assert required <= set(row)
        assert row["page"] == "/zh-hans/experimental-treatment/jian-chong-zhi-gan-xi-bao/"
        assert bool(row["suggestion_zh"]) == (row["verdict"] != C)
    lapsed = rows[("NCT00962923", "completion_date", "原计划2011年12月完成")]
    assert (
        lapsed["suggestion_zh"]
        == "该试验原计划2011年12月完成，注册库未更新实际完成日期，也未发布结果。"
    )
    assert "December 2011" in lapsed["suggestion_en"]
    assert lapsed["evidence"][0] == {
        "field": "completion_date",
        "registry_value": "2011-12",
        "version_id": lapsed["evidence"][0]["version_id"],
        "version_date": "2018-05-29",
        "last_seen_date": "2020-07-28",
    }
    unknown = rows[("NCT02213705", "status", "正在招募")]
    assert unknown["suggestion_zh"].startswith(
        "该试验在注册库中的状态为“状态不明”（最后核实于2016年4月）"
    )
    # Completed in January 2018, no results posted, none linked: overdue since 2019.
    assert rows[("NCT02975960", "results", "目前研究结果尚未公布")]["results_overdue"] is True
    wrong = rows[("NCT02213705", "completion_date", "预计将于2022年1月完成")]
    assert "2019年6月" in wrong["suggestion_zh"]


def test_outdated_start_date_cites_the_version_that_supported_it(seed_both):
    rows = _check("2020-08-01")
    start = next(r for r in rows if r["nct_id"] == "NCT03211793" and r["kind"] == "start_date")
    # The 2020 record plans November 2018, a date already past on 2020-08-01.
    assert start["verdict"] == OUT
    assert start["evidence"][0]["registry_value"] == "2018-11"


def test_text_report_and_bad_date(seed_both):
    out = io.StringIO()
    call_command("check_freshness", today="2026-11-25", stdout=out)
    assert "30" in out.getvalue().splitlines()[0]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("check_freshness", today="25/11/2026")


def test_reextraction_keeps_identity_and_honours_deleted_statements(seed_both):
    import datetime as dt

    page = HandbookPage.objects.get(locale__language_code="zh-hans")
    _check("2026-11-25")
    before = {s.pk for s in Statement.objects.filter(page=page)}
    deleted = Statement.objects.get(claim_text="从脐带获得")
    deleted.state = Statement.State.DELETED
    deleted.save()
    extract_page(page=page, today=dt.date(2026, 11, 26))
    after = Statement.objects.filter(page=page)
    assert {s.pk for s in after} == before
    assert after.get(pk=deleted.pk).state == Statement.State.DELETED
    rows = _check("2026-11-26")
    assert ("NCT00962923", "intervention", "从脐带获得") not in _verdicts(rows)
    assert Finding.objects.count() == len(before)
