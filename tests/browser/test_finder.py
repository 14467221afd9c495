"""The finder on a phone: fill the form at 360×740 in Chromium and read the results.

Uses the browser fixtures of `tests/browser/conftest.py`: the demo on a live server,
Debian's chromium, a 360×740 page that fails on any request to another host, and
screenshots in `test-artifacts/`.
"""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def indexed_site(site):
    from finder.actions import rebuild_index

    rebuild_index()
    return site


def test_finder_form_on_a_phone(indexed_site, page, shot, axe_violations):
    page.goto(indexed_site.url("/zh-hans/finder/"))
    assert page.locator("h1").inner_text() == "找临床试验"
    shot("form")
    assert axe_violations(page) == []

    page.fill("#id_age", "45")
    page.select_option("#id_sex", "FEMALE")
    page.fill("#id_city", "四川成都")
    page.select_option("#id_diagnosis", "diffuse")
    page.get_by_label("手指溃疡（指端溃疡）").check()
    page.fill("#id_text", "想了解干细胞治疗")
    page.get_by_label("也显示已停止招募的试验").check()
    page.get_by_role("button", name="查看试验").click()
    page.wait_for_selector("#finder-fit")

    assert page.url == indexed_site.url("/zh-hans/finder/results/")  # answers are not in it
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first = page.locator("article.finder-result").first
    assert first.get_attribute("id") == "result-NCT03211793"
    assert "尚未开始招募" in first.inner_text()
    nanjing = page.locator("#result-NCT00962923")
    assert "公里" in nanjing.inner_text() and "Nanjing" in nanjing.inner_text()
    nanjing.locator("summary").click()
    assert nanjing.locator(".finder-fit-label").count() > 3
    assert "需要医生确认" in nanjing.inner_text()
    assert "数据来自 ClinicalTrials.gov" in nanjing.inner_text()
    shot("results", full_page=False)
    assert axe_violations(page) == []
