"""Search over handbook pages and trials, Chinese (jieba) and English, on the real demo."""

import re

import pytest
from django.utils import translation

from finder import actions as finder_actions
from handbook.models import HandbookPage
from publishing import search
from trials.models import Trial
from trials.signals import trials_stored


@pytest.fixture
def demo(demo):
    """The demo with the finder's index, which site search reads for trials: outside a test's
    transaction, the import's on-commit `trials_stored` signal builds it."""
    finder_actions.rebuild_index()
    return demo


@pytest.fixture(autouse=True)
def fresh_index():
    search.reset_index()
    yield
    search.reset_index()


def _titles(results):
    return [hit.document.title for hit in results.pages]


def test_tokenize_segments_chinese_and_stems_english():
    tokens = search.tokenize("间充质干细胞 stem cells NCT02213705 的")
    assert "干细胞" in tokens and "间充质干细胞" in tokens
    assert "cell" in tokens and "stem" in tokens
    assert "nct02213705" in tokens
    assert "的" not in tokens


def test_traditional_query_is_read_as_simplified():
    assert search.normalise_query("  幹細胞   治療 ") == "干细胞 治疗"


def test_chinese_word_finds_the_msc_page(demo):
    results = search.search("干细胞", locale="zh-hans")
    assert _titles(results) == ["间充质干细胞"]
    assert results.pages[0].document.url == demo.url
    assert "<mark>干细胞</mark>" in results.pages[0].snippet
    assert search.search("幹細胞", locale="zh-hans").pages[0].document.title == "间充质干细胞"


def test_nct_number_finds_the_trial_and_its_card(demo):
    results = search.search("NCT02213705", locale="zh-hans")
    assert [hit.document.nct_id for hit in results.trials] == ["NCT02213705"]
    assert results.trials[0].document.cited_on["zh-hans"] == (
        "间充质干细胞",
        f"{demo.url}#trial-NCT02213705",
    )
    assert _titles(results) == ["间充质干细胞"]  # the page mentions it too


def test_english_words_find_the_english_page_only_in_english(demo):
    results = search.search("stem cell", locale="en")
    assert _titles(results) == ["Mesenchymal stem cells"]
    assert results.pages[0].document.url == "/en/experimental-treatment/mesenchymal-stem-cells/"
    assert search.search("stem cell", locale="zh-hans").pages == []
    assert search.search("干细胞", locale="en").pages == []


def test_trials_are_found_by_title_and_condition(demo):
    found = {hit.document.nct_id for hit in search.search("digital ulcers", locale="en").trials}
    assert {"NCT03211793", "NCT02975960"} <= found
    scleroderma = search.search("systemic scleroderma", locale="en").trials
    assert "NCT02213705" in {hit.document.nct_id for hit in scleroderma}


def test_search_page(demo, client):
    html = client.get("/zh-hans/search/", {"q": "NCT02213705"}).content.decode()
    assert f'href="{demo.url}#trial-NCT02213705"' in html
    assert "状态不明" in html
    with translation.override("en"):
        html = client.get("/en/search/", {"q": "stem cell"}).content.decode()
    assert 'href="/en/experimental-treatment/mesenchymal-stem-cells/"' in html
    assert '<html lang="en">' in html


def test_trial_not_in_the_handbook_links_to_the_registry(demo, client):
    trial = Trial.objects.exclude(
        nct_id__in=["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]
    ).first()
    html = client.get("/en/search/", {"q": trial.nct_id}).content.decode()
    assert f'href="https://clinicaltrials.gov/study/{trial.nct_id}"' in html


def test_nothing_found_and_empty_query(demo, client):
    html = client.get("/zh-hans/search/", {"q": "zzzzqqq"}).content.decode()
    assert "没有找到与“zzzzqqq”相关的内容" in html
    empty = client.get("/zh-hans/search/")
    assert empty.status_code == 200 and "search-results" not in empty.content.decode()


@pytest.mark.parametrize(
    ("query", "escaped", "found"),
    [
        ("<b>干细胞</b>", "&lt;b&gt;干细胞&lt;/b&gt;", True),
        (
            '<script>alert("zzzzqqq")</script>',
            "&lt;script&gt;alert(&quot;zzzzqqq&quot;)&lt;/script&gt;",
            False,
        ),
    ],
    ids=["found", "nothing-found"],
)
def test_query_is_escaped(demo, client, query, escaped, found):
    response = client.get("/zh-hans/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<input id="search-page-q" type="search" name="q" value="{escaped}"' in html
    assert f'<input id="site-search-q" type="search" name="q" value="{escaped}"' in html
    assert f"“{escaped}”" in html
    assert ("<mark>干细胞</mark>" in html) is found
    assert ("没有找到与" in html) is not found
    assert query not in html


def test_snippet_escapes_the_text_and_the_marked_match():
    text = "在 <script>alert(1)</script> 之后 <b>干细胞</b> & 其他"
    query = "<b>干细胞"
    marked = search.snippet(text, query, search.tokenize(query))
    assert marked == (
        "在 &lt;script&gt;alert(1)&lt;/script&gt; 之后 <mark>&lt;b&gt;干细胞</mark>&lt;/b&gt; &amp; 其他"
    )


def test_index_follows_publishing_and_unpublishing(demo):
    assert _titles(search.search("干细胞", locale="zh-hans")) == ["间充质干细胞"]
    demo.unpublish()
    assert search.search("干细胞", locale="zh-hans").pages == []
    draft = HandbookPage.objects.get(pk=demo.pk)
    draft.title = "间充质干细胞（修订）"
    draft.save_revision().publish()
    assert _titles(search.search("干细胞", locale="zh-hans")) == ["间充质干细胞（修订）"]


def test_trial_index_follows_a_sync(demo, django_capture_on_commit_callbacks):
    assert search.search("zebrafish", locale="en").trials == []
    Trial.objects.filter(nct_id="NCT02213705").update(brief_title="Zebrafish cells")
    with django_capture_on_commit_callbacks(execute=True):
        trials_stored.send(sender=None, nct_ids=["NCT02213705"])
    found = search.search("zebrafish", locale="en").trials
    assert [hit.document.nct_id for hit in found] == ["NCT02213705"]


def test_header_search_box_on_every_page(demo, client):
    html = client.get(demo.url).content.decode()
    form = re.search(r'<form class="site-search".*?</form>', html, re.S).group(0)
    assert 'action="/zh-hans/search/"' in form and 'role="search"' in form
    assert re.search(r'<label[^>]*for="site-search-q"', form)
