"""The rendered-page cache for anonymous readers (publishing/page_cache.py)."""

import contextlib
import copy
import types

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from wagtail.models import Site

from handbook.models import HandbookPage, OrganisationSettings
from publishing import page_cache
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


class Workers:
    """Gunicorn workers simulated in one test process: each keeps its own copy of the page
    cache module's process-local state (its private module globals) and has it swapped in
    while it serves; what they share is the database and Django's cache, as real workers do."""

    def __init__(self):
        self.fresh = self._state()
        self.states: dict[str, dict] = {}

    @staticmethod
    def _state() -> dict:
        return {
            name: copy.copy(value)
            for name, value in vars(page_cache).items()
            if name.startswith("_")
            and not name.startswith("__")
            and not callable(value)
            and not isinstance(value, types.ModuleType)
        }

    @contextlib.contextmanager
    def worker(self, name: str):
        state = self.states.get(name) or {k: copy.copy(v) for k, v in self.fresh.items()}
        vars(page_cache).update(state)
        try:
            yield
        finally:
            self.states[name] = self._state()


@pytest.fixture
def workers(cached, monkeypatch):
    monkeypatch.setattr(page_cache, "STAMP_SECONDS", 0)
    return Workers()


def _save_organisation_settings():
    organisation = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    organisation.slogan = "新的口号"
    organisation.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: trials_stored.send(sender=None, nct_ids=["NCT02213705"]), id="sync"),
        pytest.param(_save_organisation_settings, id="organisation"),
    ],
)
def test_a_change_in_one_worker_empties_every_workers_cache(demo, client, workers, change):
    with workers.worker("a"):
        assert client.get(demo.url)["X-Page-Cache"] == "miss"
        assert client.get(demo.url)["X-Page-Cache"] == "hit"
    with workers.worker("b"):
        change()
    with workers.worker("a"):
        assert client.get(demo.url)["X-Page-Cache"] == "miss"


def test_workers_share_the_generation_after_a_publish(demo, client, workers):
    with workers.worker("a"):
        client.get(demo.url)
        before = page_cache.current_generation()
    with workers.worker("b"):
        draft = HandbookPage.objects.get(pk=demo.pk)
        draft.title = "间充质干细胞（另一个进程）"
        draft.save_revision().publish()
        after = page_cache.current_generation()
    with workers.worker("a"):
        assert page_cache.current_generation() == after != before
        response = client.get(demo.url)
    assert response["X-Page-Cache"] == "miss"
    assert "间充质干细胞（另一个进程）" in response.content.decode()


def test_a_lost_generation_never_brings_back_older_pages(demo, client, workers):
    assert client.get(demo.url)["X-Page-Cache"] == "miss"
    assert client.get(demo.url)["X-Page-Cache"] == "hit"
    cache.delete(page_cache.GENERATION_KEY)
    assert client.get(demo.url)["X-Page-Cache"] == "miss"


def test_a_page_rendered_by_one_worker_is_a_hit_in_another(demo, client, workers):
    with workers.worker("a"):
        assert client.get(demo.url)["X-Page-Cache"] == "miss"
    with workers.worker("b"):
        assert client.get(demo.url)["X-Page-Cache"] == "hit"


def test_a_hit_in_the_same_process_costs_no_query(
    demo, client, settings, monkeypatch, django_assert_num_queries
):
    """With the database cache of production, a page this process already has is served
    without a query (the stamp is read once a second)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.CACHE_TABLE,
        }
    }
    settings.PAGE_CACHE_SECONDS = 60
    monkeypatch.setattr(page_cache, "STAMP_SECONDS", 60)
    assert client.get(demo.url)["X-Page-Cache"] == "miss"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {settings.CACHE_TABLE}")
        assert cursor.fetchone()[0] >= 2
    with django_assert_num_queries(0):
        assert client.get(demo.url)["X-Page-Cache"] == "hit"
