"""The PDF booklet from a phone: the download link on the demo page returns an A5 PDF."""

from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

A5_POINTS = (419.5, 595.3)


def test_pdf_download_link_on_a_phone(site, page, shot):
    page.goto(site.msc_url["zh-hans"])
    card = page.locator("#trial-NCT03211793 .timeline")
    card.scroll_into_view_if_needed()
    chart = card.locator("svg[role=img]")
    assert chart.bounding_box()["width"] <= 360
    assert "NCT03211793 时间线" in chart.locator("title").text_content()
    shot("timeline", full_page=False)
    link = page.get_by_role("link", name="下载本页的 PDF 小册子（A5，适合打印）")
    link.scroll_into_view_if_needed()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(download.path())
    assert len(reader.pages) >= 4
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == A5_POINTS
