"""The A5 PDF booklet, built from the real demo page with WeasyPrint (a few seconds each)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from wagtail.models import Locale

from handbook.models import HandbookPage, OrganisationSettings
from publishing import pdf
from publishing.models import BuiltFile
from publishing.tests.conftest import embedded_fonts, pdf_text

SEED_IDS = ["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]
A5_POINTS = (419.5, 595.3)


def test_page_booklet_is_a5_with_cjk_font_contents_cards_disclaimer_and_contacts(demo, tmp_path):
    out = tmp_path / "msc.pdf"
    stdout = io.StringIO()
    call_command("build_pdf", str(out), page=demo.slug, locale="zh-hans", stdout=stdout)
    assert "已收集 1 个页面，引用了 4 项试验" in stdout.getvalue()
    assert f"已写入 {out}" in stdout.getvalue()

    reader = PdfReader(out)
    count = len(reader.pages)
    assert count >= 5
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == A5_POINTS
    assert "Noto-Sans-CJK-SC" in embedded_fonts(out)

    cover = pdf_text(out, 1)
    assert "成都紫贝壳公益服务中心" in cover and "间充质干细胞" in cover
    assert "试验信息截至2020年7月28日" in cover
    contents = pdf_text(out, 2)
    assert "目录" in contents
    toc = dict(re.findall(r"(间充质干细胞[^\s.]*)[ .]+(\d+)\s*$", contents, re.MULTILINE))
    assert toc["间充质干细胞"] == "3"
    assert int(re.search(r"免责声明与联系方式[ .]+(\d+)", contents).group(1)) == count

    text = pdf_text(out)
    for nct_id in SEED_IDS:
        assert nct_id in text
    assert "局部注射间充质干细胞" in text
    assert "数据来自 ClinicalTrials.gov，记录日期 2020年7月28日" in text
    assert "用文字看时间线" in text and "注册记录中的状态：状态不明" in text
    # The timeline charts themselves (SVG drawn by WeasyPrint): their year axes, one per card.
    assert len(re.findall(r"\b20\d\d {3,}20\d\d {3,}20\d\d\b", text)) >= len(SEED_IDS)
    for number in range(2, count + 1):
        lines = [line.strip() for line in pdf_text(out, number).splitlines() if line.strip()]
        assert lines[-1] == str(number)

    last = pdf_text(out, count)
    assert "免责声明" in last and "本网站不提供专业医疗建议" in last
    assert "联系我们" in last and "18180768676" in last and "info@sscchina.org" in last
    assert "152267349" in last


def test_whole_handbook_in_english(demo, tmp_path):
    """The English translation, published (or, while there is none, a copy for translation)."""
    english = Locale.objects.get(language_code="en")
    page = HandbookPage.objects.filter(locale=english).first() or demo.copy_for_translation(
        english, copy_parents=True
    )
    for item in [*page.get_ancestors().filter(depth__gt=1).specific(), page]:
        item.save_revision().publish()
    out = tmp_path / "handbook-en.pdf"
    call_command("build_pdf", str(out), locale="en", stdout=io.StringIO())
    text = pdf_text(out)
    assert "Contents" in text and "Disclaimer and contacts" in text
    assert "Trial facts as of 28 July 2020" in text
    assert "Data from ClinicalTrials.gov, record dated 28 July 2020" in text
    assert "Timeline in words" in text


def test_build_pdf_says_plainly_what_is_wrong(demo, tmp_path):
    with pytest.raises(CommandError, match="no-such-page"):
        call_command("build_pdf", str(tmp_path / "x.pdf"), page="no-such-page")
    with translation.override("en"):
        with pytest.raises(CommandError, match="Unknown language fr; use one of: zh-hans, en"):
            call_command("build_pdf", str(tmp_path / "x.pdf"), locale="fr")
        with pytest.raises(CommandError, match="does not exist"):
            call_command("build_pdf", str(tmp_path / "missing" / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_fetcher_reads_only_local_files():
    fetcher = pdf._url_fetcher_class()(allowed_protocols=["data", "file"])
    for url in ("https://fonts.googleapis.com/css?family=Noto", "http://127.0.0.1/x.png"):
        with pytest.raises(ValueError, match="refusing"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="refusing"):
        fetcher.fetch("file:///etc/passwd")
    css = (pdf.Path(pdf.settings.BASE_DIR) / "static" / "css" / "site.css").as_uri()
    response = fetcher.fetch(css)
    assert b".trial-card" in response.read()
    response.close()


def test_download_is_cached_and_rebuilt_when_the_content_changes(
    demo, client, monkeypatch, django_capture_on_commit_callbacks
):
    builds = []
    real = pdf.html_to_pdf

    def counting(html):
        builds.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    url = reverse("publishing:page_pdf", args=[demo.pk])
    assert url == f"/zh-hans/publishing/pdf/page-{demo.pk}.pdf"
    assert url in client.get(demo.url).content.decode()

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="{demo.slug}.pdf"'
    body = b"".join(first.streaming_content)
    assert body.startswith(b"%PDF-")
    record = BuiltFile.objects.get(page=demo, locale_code="zh-hans")
    old_file = pdf.Path(pdf.settings.PUBLISHING_CACHE_DIR) / record.path
    assert old_file.read_bytes() == body

    again = client.get(url)
    assert b"".join(again.streaming_content) == body
    assert len(builds) == 1

    org = OrganisationSettings.objects.get()
    org.disclaimer = "新的免责声明：请咨询您的医生。"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.get(url)
    assert b"".join(changed.streaming_content) != body
    assert len(builds) == 2 and "新的免责声明" in builds[1]
    assert not old_file.exists()


def test_whole_handbook_download(demo, client, monkeypatch):
    printed = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: printed.append(html) or b"%PDF-1.7 x")
    index = client.get("/zh-hans/").content.decode()
    assert f'<a href="{reverse("publishing:handbook_pdf")}" download' in index
    assert "下载整本手册的 PDF 小册子（A5，适合打印）" in index
    response = client.get(reverse("publishing:handbook_pdf"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="handbook-zh-hans.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 x"
    assert "实验性治疗方法" in printed[0] and "间充质干细胞" in printed[0]
    assert BuiltFile.objects.get(page=None).key == "pdf:handbook:zh-hans"


def test_unpublished_page_has_no_download(demo, client):
    url = reverse("publishing:page_pdf", args=[demo.pk])
    demo.unpublish()
    assert client.get(url).status_code == 404


def test_publishing_a_page_rebuilds_its_booklet(demo, django_capture_on_commit_callbacks):
    assert not BuiltFile.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        demo.save_revision().publish()
    record = BuiltFile.objects.get(page=demo)
    path = pdf.Path(pdf.settings.PUBLISHING_CACHE_DIR) / record.path
    assert path.read_bytes().startswith(b"%PDF-") and record.size == path.stat().st_size


def test_traditional_booklet_is_converted_marked_and_uses_the_traditional_font(demo, tmp_path):
    out = tmp_path / "msc-hant.pdf"
    call_command("build_pdf", str(out), page=demo.slug, locale="zh-hant", stdout=io.StringIO())
    cover = pdf_text(out, 1)
    assert "成都紫貝殼公益服務中心" in cover and "間充質幹細胞" in cover
    assert "本小冊子由簡體中文自動轉換" in cover
    text = pdf_text(out)
    assert "局部注射間充質幹細胞" in text and "间充质干细胞" not in text
    assert "免責聲明" in text and "18180768676" in text
    assert "Noto-Sans-CJK-TC" in embedded_fonts(out)


def test_traditional_download_is_cached_apart(demo, client, monkeypatch):
    printed = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: printed.append(html) or b"%PDF-1.7 t")
    page_html = client.get(demo.url.replace("/zh-hans/", "/zh-hant/", 1)).content.decode()
    url = f"/zh-hant/publishing/pdf/page-{demo.pk}.pdf"
    assert f'href="{url}"' in page_html
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="{demo.slug}-zh-hant.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 t"
    assert '<html lang="zh-Hant">' in printed[0] and "間充質幹細胞" in printed[0]
    simplified = client.get(reverse("publishing:page_pdf", args=[demo.pk]))
    assert b"".join(simplified.streaming_content) == b"%PDF-1.7 t"
    assert "间充质干细胞" in printed[1] and '<html lang="zh-hans">' in printed[1]
    keys = set(BuiltFile.objects.values_list("key", "locale_code"))
    assert keys == {
        (f"pdf:page-{demo.pk}:zh-hant", "zh-hant"),
        (f"pdf:page-{demo.pk}:zh-hans", "zh-hans"),
    }
