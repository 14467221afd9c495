"""The demo, end to end through Django's test client: what a reader and an editor see."""

import re

import pytest
from django.core.management import call_command
from wagtail.models import Page

from handbook.models import HandbookPage, OrganisationSettings
from trials.models import Trial, TrialVersion

SEED_IDS = ["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-for-tests")
    call_command("load_demo", verbosity=0)
    return HandbookPage.objects.get(locale__language_code="zh-hans")


def test_root_redirects_to_simplified_chinese(client, demo):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/zh-hans/"


def test_index_links_to_the_msc_page(client, demo):
    response = client.get("/zh-hans/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "实验性治疗方法" in html
    assert demo.url in html


def test_msc_page_shows_cards_repaired_text_disclaimer_and_contacts(client, demo):
    response = client.get(demo.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "<h1>间充质干细胞</h1>" in html
    assert "局部注射间充质干细胞" in html
    for nct_id in SEED_IDS:
        assert f'id="trial-{nct_id}"' in html
        assert f'href="#trial-{nct_id}"' in html
    assert html.count('<article class="trial-card') == 4
    assert "状态不明" in html and "最后核实于2009年8月" in html
    assert "本网站不提供专业医疗建议" in html
    assert "18180768676" in html and "info@sscchina.org" in html and "152267349" in html
    assert "ORGANIZATION" not in html and "扫码关注" not in html
    assert not re.search(
        r'(src|href)="(https?:)?//(?!testserver/|clinicaltrials\.gov|pubmed\.ncbi|www\.sscchina\.org)',
        html,
    )


def test_second_load_duplicates_nothing(demo):
    counts = (Page.objects.count(), Trial.objects.count(), TrialVersion.objects.count())
    revisions = demo.revisions.count()
    call_command("load_demo", verbosity=0)
    assert (Page.objects.count(), Trial.objects.count(), TrialVersion.objects.count()) == counts
    assert HandbookPage.objects.get(pk=demo.pk).revisions.count() == revisions + 1


def test_organisation_settings_come_from_the_brochure(demo):
    org = OrganisationSettings.objects.get()
    assert org.short_name == "紫贝壳公益"
    assert org.qq_group == "152267349"
    assert org.qq_group_rule == "进群需提供诊断证明"
    assert org.disclaimer.startswith("本网站不提供专业医疗建议")


def test_admin_works_in_chinese(client, demo):
    assert client.login(username="admin", password="demo-password-for-tests")
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "控制面板" in html
    edit = client.get(f"/admin/pages/{demo.id}/edit/")
    assert edit.status_code == 200


def test_english_ui_strings_are_available(client, demo):
    client.cookies["django_language"] = "en"
    assert client.get("/")["Location"] == "/en/"
    english = HandbookPage.objects.get(
        translation_key=demo.translation_key, locale__language_code="en"
    )
    response = client.get(english.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Data from ClinicalTrials.gov" in html


def test_demo_pages_go_through_medical_review(demo):
    """Both language roots of the demo carry the review workflow, so an accepted suggestion
    waits for a medical reviewer instead of being published at once."""
    from wagtail.models import WorkflowPage

    from freshness.actions import REVIEW_GROUP
    from handbook.models import HandbookIndexPage, HandbookPage

    roots = HandbookIndexPage.objects.all()
    assert {root.locale.language_code for root in roots} == {"zh-hans", "en"}
    for root in roots:
        assert WorkflowPage.objects.get(page=root).workflow.active
    for page in HandbookPage.objects.all():
        workflow = page.get_workflow()
        assert workflow is not None
        task = workflow.tasks.get().specific
        assert list(task.groups.values_list("name", flat=True)) == [REVIEW_GROUP]


def _finder_links(html: str, path: str) -> list[str]:
    return re.findall(r'<a[^>]*href="(' + re.escape(path) + r'[^"]*)"[^>]*>([^<]*)</a>', html)


@pytest.mark.parametrize(
    ("prefix", "home_label", "page_label"),
    [
        ("/zh-hans/", "查找试验", "查找可能适合我的试验"),
        ("/zh-hant/", "查找試驗", "查找可能適合我的試驗"),
        ("/en/", "Find a trial", "Find trials that may suit me"),
    ],
)
def test_patients_reach_the_finder_from_home_header_page_and_cards(
    client, demo, prefix, home_label, page_label
):
    finder = f"{prefix}finder/"
    home = client.get(prefix).content.decode()
    assert (finder, home_label) in _finder_links(home, finder)  # the header
    assert (finder, page_label) in _finder_links(home, finder)  # the home page's call-out

    page_url = demo.url if prefix == "/zh-hans/" else demo.url.replace("/zh-hans/", prefix, 1)
    if prefix == "/en/":
        page_url = demo.get_translation(demo.locale.__class__.objects.get(language_code="en")).url
    page = client.get(page_url).content.decode()
    links = [href for href, label in _finder_links(page, finder) if label == page_label]
    # the page's call-out and one link per trial card, each naming the page's topic
    assert len(links) == 1 + len(SEED_IDS)
    assert all("?about=" in href for href in links)

    form = client.get(links[0].replace("&amp;", "&")).content.decode()
    topic = re.search(r"<h1>([^<]+)</h1>", page).group(1)
    assert re.search(r'<textarea[^>]*name="text"[^>]*>\s*' + re.escape(topic), form)
