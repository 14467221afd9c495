"""Bilingual pages: translations from a catalogue, the out-of-date mark on the page and in
the admin, the language switch, hreflang, and the handbook index order."""

import json
import re
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from handbook import actions
from handbook.models import HandbookIndexPage, HandbookPage, SectionPage
from publishing.translation.actions import load_catalogue, translate_page_from_catalogue
from publishing.translation.state import content_signature, translation_state

CATALOGUE = {
    "硬皮病手册": "Scleroderma handbook",
    "实验性治疗方法": "Experimental treatments",
    "间充质干细胞": "Mesenchymal stem cells",
    "jian-chong-zhi-gan-xi-bao": "mesenchymal-stem-cells",
    "作用机理": "How it works",
    "一项I/II期临床试验（NCT00962923）招募20例患者。": (
        "A phase I/II clinical trial (NCT00962923) recruits 20 patients."
    ),
}
STALE = "The Chinese original has changed since this translation was last updated."


def _translate_all(locale_code="en", catalogue=CATALOGUE):
    index = HandbookIndexPage.objects.get(locale__language_code="zh-hans")
    results = []
    for page in index.get_descendants(inclusive=True).specific().order_by("path"):
        results.append(
            translate_page_from_catalogue(page=page, locale_code=locale_code, catalogue=catalogue)
        )
    return results


@pytest.fixture
def site(db):
    """A small Chinese handbook (index, one section, one page) and its English translation."""
    for code in ("zh-hans", "en"):
        Locale.objects.get_or_create(language_code=code)
    index = actions.ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    section = actions.ensure_section(index=index, title="实验性治疗方法", slug="experimental")
    page = HandbookPage(title="间充质干细胞", slug="jian-chong-zhi-gan-xi-bao")
    page.body = [
        ("heading", {"text": "作用机理", "level": "h2"}),
        ("paragraph", "<p>一项I/II期临床试验（NCT00962923）招募20例患者。</p>"),
        ("trial", {"nct_id": "NCT00962923"}),
    ]
    section.add_child(instance=page)
    page.save_revision().publish()
    _translate_all()
    english = HandbookPage.objects.get(locale__language_code="en")
    return {"index": index, "section": section, "page": page, "english": english}


def _edit_and_publish(page, new_text):
    draft = page.get_latest_revision_as_object()
    draft.body = [
        ("heading", {"text": "作用机理", "level": "h2"}),
        ("paragraph", f"<p>{new_text}</p>"),
        ("trial", {"nct_id": "NCT00962923"}),
    ]
    draft.save_revision().publish()
    return HandbookPage.objects.get(pk=page.pk)


def test_translation_is_published_from_the_catalogue(site, client):
    english = site["english"]
    assert english.live and english.title == "Mesenchymal stem cells"
    assert english.url == "/en/experimental/mesenchymal-stem-cells/"
    html = client.get(english.url).content.decode()
    assert '<html lang="en">' in html
    assert "A phase I/II clinical trial" in html and 'id="trial-NCT00962923"' in html
    assert "notice--translation" not in html
    state = translation_state(english)
    assert state is not None and not state.out_of_date
    assert translation_state(site["page"]) is None  # the original is no translation


def test_running_the_translation_again_changes_nothing(site):
    english = site["english"]
    revisions = english.revisions.count()
    results = _translate_all()
    assert not any(result.published for result in results)
    assert english.revisions.count() == revisions


def test_edited_original_marks_the_translation_out_of_date_until_it_is_synced(site, client):
    english = site["english"]
    _edit_and_publish(site["page"], "一项I/II期临床试验（NCT00962923）招募24例患者。")
    state = translation_state(english)
    assert state.source_changed and state.out_of_date
    html = client.get(english.url).content.decode()
    assert STALE in html
    assert f'href="{site["page"].url}"' in html  # a link to the original

    catalogue = dict(CATALOGUE)
    catalogue["一项I/II期临床试验（NCT00962923）招募24例患者。"] = (
        "A phase I/II clinical trial (NCT00962923) recruits 24 patients."
    )
    _translate_all(catalogue=catalogue)
    assert not translation_state(english).out_of_date
    html = client.get(english.url).content.decode()
    assert STALE not in html and "recruits 24 patients" in html


def test_sync_without_translating_the_new_text_says_what_is_missing(site, client):
    _edit_and_publish(site["page"], "新的段落。")
    results = _translate_all()
    assert results[-1].untranslated == ["新的段落。"]
    state = translation_state(site["english"])
    assert not state.source_changed and state.untranslated == 1
    html = client.get(site["english"].url).content.decode()
    assert "Parts of this page are not translated yet and are shown in Chinese." in html
    assert "新的段落。" in html  # wagtail-localize falls back to the source text


def test_republishing_the_same_text_is_not_a_change(site, client):
    page = site["page"]
    page.get_latest_revision_as_object().save_revision().publish()
    state = translation_state(site["english"])
    assert not state.out_of_date
    assert STALE not in client.get(site["english"].url).content.decode()


def test_content_signature_ignores_block_ids_and_slug(site):
    page = site["page"]
    before = content_signature(page)
    copy = page.get_latest_revision_as_object()
    copy.slug = "another-slug"
    copy.body = json.dumps(  # the same blocks under new ids, as a re-import makes them
        [
            {
                "type": block.block_type,
                "value": block.block.get_prep_value(block.value),
                "id": str(uuid4()),
            }
            for block in page.body
        ]
    )
    assert [block.id for block in copy.body] != [block.id for block in page.body]
    assert content_signature(copy) == before


def test_admin_marks_out_of_date_translations(site, client):
    user = get_user_model().objects.create_superuser("editor", password="pw-for-tests-1")
    client.force_login(user)
    dashboard = client.get("/admin/").content.decode()
    assert "Translations out of date" not in dashboard and "过时" not in dashboard

    _edit_and_publish(site["page"], "改过的段落。")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    dashboard = client.get("/admin/").content.decode()
    assert "Translations out of date" in dashboard
    assert "Mesenchymal stem cells" in dashboard and "The original changed" in dashboard
    english = site["english"]
    explorer = client.get(f"/admin/pages/{english.get_parent().pk}/").content.decode()
    assert "Translation out of date: update it" in explorer
    source_listing = client.get(f"/admin/pages/{site['section'].pk}/").content.decode()
    assert "English translation out of date: update it" in source_listing


def test_hreflang_and_language_switch(site, client):
    html = client.get(site["page"].url).content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))
    assert alternates == {
        "zh-Hans": "http://testserver/zh-hans/experimental/jian-chong-zhi-gan-xi-bao/",
        "x-default": "http://testserver/zh-hans/experimental/jian-chong-zhi-gan-xi-bao/",
        "en": "http://testserver/en/experimental/mesenchymal-stem-cells/",
        "zh-Hant": "http://testserver/zh-hant/experimental/jian-chong-zhi-gan-xi-bao/",
    }
    nav = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group(0)
    assert 'aria-current="page"' in nav and ">简体中文<" in nav
    assert (
        'href="/i18n/choose/?language=en&amp;next=/en/experimental/mesenchymal-stem-cells/"' in nav
    )
    assert 'href="/zh-hant/experimental/jian-chong-zhi-gan-xi-bao/"' in nav
    assert "（自动）" in nav


def test_page_without_translation_offers_only_its_own_language(site, client):
    lonely = HandbookPage(title="只有中文", slug="only-chinese")
    site["section"].add_child(instance=lonely)
    lonely.save_revision().publish()
    html = client.get(lonely.url).content.decode()
    assert 'hreflang="en"' not in html
    assert 'hreflang="zh-Hant"' in html


def test_choose_language_sets_the_cookie_that_the_front_door_follows(client):
    response = client.get("/i18n/choose/?language=en&next=/en/experimental/")
    assert response.status_code == 302 and response["Location"] == "/en/experimental/"
    assert response.cookies["django_language"].value == "en"
    assert client.get("/")["Location"] == "/en/"


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("language=en&next=https://evil.example/", "/en/"),
        ("language=en&next=/zh-hans/page/", "/en/"),
        ("language=xx&next=/en/", "/zh-hans/"),
    ],
)
def test_choose_language_refuses_other_hosts_and_languages(client, query, location):
    assert client.get(f"/i18n/choose/?{query}")["Location"] == location


def test_index_lists_sections_by_their_order(site, client):
    index = site["index"]
    later = actions.ensure_section(index=index, title="日常护理", slug="care", sort_order=5)
    SectionPage.objects.filter(pk=later.pk).update(sort_order=5)
    first = SectionPage.objects.get(pk=site["section"].pk)
    first.sort_order = 10
    first.save_revision().publish()
    html = client.get("/zh-hans/").content.decode()
    assert html.index("日常护理") < html.index("实验性治疗方法")
    first.sort_order = 0
    first.save_revision().publish()
    html = client.get("/zh-hans/").content.decode()
    assert html.index("实验性治疗方法") < html.index("日常护理")
    assert "间充质干细胞" in html


def test_demo_index_starts_with_experimental_treatments(demo, client):
    html = client.get("/zh-hans/").content.decode()
    nav = re.search(r'<nav class="handbook-contents".*?</nav>', html, re.S).group(0)
    headings = re.findall(r"<h2[^>]*><a [^>]*>([^<]+)</a></h2>", nav)
    assert headings[0] == "实验性治疗方法"
    assert demo.url in nav
    english = client.get("/en/").content.decode()
    assert "Experimental treatments" in english
    assert "/en/experimental-treatment/mesenchymal-stem-cells/" in english


def test_catalogue_errors_are_plain(tmp_path):
    from publishing.translation.actions import TranslationCatalogueError

    with translation.override("en"):
        with pytest.raises(TranslationCatalogueError, match="does not exist"):
            load_catalogue(tmp_path / "missing.po")
        broken = tmp_path / "broken.po"
        broken.write_text("garbage here\n", encoding="utf-8")
        with pytest.raises(TranslationCatalogueError, match="Cannot read"):
            load_catalogue(broken)


def test_demo_catalogue_has_no_fuzzy_or_empty_entries():
    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / "demo" / "data" / "translations" / "en.po"))
    assert po.percent_translated() == 100
    assert not [entry for entry in po if "fuzzy" in entry.flags]


def test_root_page_is_not_translated(site):
    assert not Page.objects.filter(depth=1, locale__language_code="en").exists()


def test_page_written_in_english_gets_a_chinese_translation_marked_out_of_date(site, client):
    """The reverse direction: an English original, its Chinese translation, the mark in Chinese."""
    english_section = site["section"].get_translation(Locale.objects.get(language_code="en"))
    original = HandbookPage(title="Plasma exchange", slug="plasma-exchange")
    original.body = [
        ("paragraph", "<p>A trial (NCT02213705) enrolled 30 patients.</p>"),
        ("paragraph", "<p>NCT02213705</p>"),
        ("trial", {"nct_id": "NCT02213705"}),
    ]
    english_section.add_child(instance=original)
    original.save_revision().publish()
    catalogue = {
        "Plasma exchange": "血浆置换",
        "A trial (NCT02213705) enrolled 30 patients.": "一项试验（NCT02213705）纳入30例患者。",
    }
    result = translate_page_from_catalogue(
        page=original, locale_code="zh-hans", catalogue=catalogue
    )
    chinese = result.page.specific
    assert result.untranslated == [] and result.published
    assert (
        chinese.locale.language_code == "zh-hans" and chinese.get_parent().pk == site["section"].pk
    )
    assert chinese.url == "/zh-hans/experimental/plasma-exchange/"  # an ASCII slug serves both
    html = client.get(chinese.url).content.decode()
    assert '<html lang="zh-hans">' in html and "纳入30例患者" in html
    assert 'hreflang="en" href="http://testserver/en/experimental/plasma-exchange/"' in html
    assert "notice--translation" not in html
    assert translation_state(original) is None

    draft = original.get_latest_revision_as_object()
    draft.body = [
        ("paragraph", "<p>A trial (NCT02213705) enrolled 36 patients.</p>"),
        ("paragraph", "<p>NCT02213705</p>"),
        ("trial", {"nct_id": "NCT02213705"}),
    ]
    draft.save_revision().publish()
    state = translation_state(chinese)
    assert state.source_changed and state.source_language == "en"
    with translation.override("zh-hans"):
        html = client.get(chinese.url).content.decode()
    notice = re.search(r'<div class="notice notice--translation".*?</div>', html, re.S).group(0)
    assert "英文原文在此译文上次更新后已有改动。" in notice
    assert f'href="{original.url}"' in notice

    synced = translate_page_from_catalogue(
        page=HandbookPage.objects.get(pk=original.pk), locale_code="zh-hans", catalogue=catalogue
    )
    assert synced.untranslated == ["A trial (NCT02213705) enrolled 36 patients."]
    state = translation_state(chinese)
    assert not state.source_changed and state.untranslated == 1
    html = client.get(chinese.url).content.decode()
    assert "本页部分内容尚未翻译，暂以英文显示。" in html
