"""The rendered-page cache for anonymous readers (publishing/page_cache.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from handbook.models import HandbookPage
from trials.signals import trials_stored


@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_second_view_is_served_from_the_cache(demo, client, cached):
    first = client.get(demo.url)
    second = client.get(demo.url)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second.get("X-Frame-Options") == first.get("X-Frame-Options")


def test_publishing_shows_at_once(demo, client, cached):
    client.get(demo.url)
    draft = HandbookPage.objects.get(pk=demo.pk)
    draft.title = "间充质干细胞（更新）"
    draft.save_revision().publish()
    response = client.get(demo.url)
    assert response["X-Page-Cache"] == "miss"
    assert "间充质干细胞（更新）" in response.content.decode()


def test_a_registry_sync_in_this_process_empties_the_cache(demo, client, cached):
    client.get(demo.url)
    trials_stored.send(sender=None, nct_ids=["NCT02213705"])
    assert client.get(demo.url)["X-Page-Cache"] == "miss"


def test_zh_hant_and_languages_are_cached_apart(demo, client, cached):
    zh = client.get(demo.url).content.decode()
    hant = client.get(demo.url.replace("/zh-hans/", "/zh-hant/", 1))
    assert hant["X-Page-Cache"] == "miss" and "間充質幹細胞" in hant.content.decode()
    assert "间充质干细胞" in zh
    assert client.get(demo.url.replace("/zh-hans/", "/zh-hant/", 1))["X-Page-Cache"] == "hit"


def test_editors_queries_and_other_views_are_not_cached(demo, client, cached):
    assert "X-Page-Cache" not in client.get("/zh-hans/search/", {"q": "干细胞"})
    assert "X-Page-Cache" not in client.get(demo.url + "?utm=1")
    user = get_user_model().objects.create_superuser("editor", password="pw-for-tests-1")
    client.force_login(user)
    assert "X-Page-Cache" not in client.get(demo.url)


def test_off_by_default_in_debug(demo, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in client.get(demo.url)
