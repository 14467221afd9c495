"""A short-lived cache of rendered public pages for anonymous readers.

A handbook page with four live trial cards takes about 30 ms of CPU to render (cards,
timelines, publications), which a 2-core server cannot afford for every reader who opens a
link shared in a WeChat group. Readers who are not logged in all get the same HTML, so the
rendered response of a Wagtail page is kept for `PAGE_CACHE_SECONDS` (default 60 s in
production, off with DEBUG) in the shared cache (ADR 0016: the database cache, or Redis or
memcached) under a key made of the URL, the host and a content stamp:

* the newest Wagtail page log entry (every publish, unpublish, move, delete and every
  translation publish writes one);
* a generation token kept in the shared cache and replaced on page publish/unpublish,
  organisation settings saves and `trials_stored`, in whichever process they happen (a web
  worker, the task worker, the daily sync), so every worker stops serving what was cached
  before.

Each process reads the stamp at most once a second, and at once after a change it made itself,
so a change reaches every worker within a second. Each process also keeps the pages it stored
or read in memory under the same keys (`LocalPages`, 32 MB), so a hit costs no query. The generation is a fresh random token, not
a counter: if the cache loses it (culled, cleared, a restarted memcached), the next one cannot
coincide with the generation of pages cached before. The date-dependent parts of a card reach
readers within `PAGE_CACHE_SECONDS`. Only GET/HEAD requests without a query string or session
cookie are served from the cache, and only 200 HTML responses of Wagtail pages that set no
cookie and are not marked private are stored. Every response carries a Server-Timing header
with the time Django spent on it (bench/render_load.py reads it).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_save
from django.http import HttpResponse
from wagtail.signals import page_published, page_unpublished

from handbook.queries import newest_page_change

CACHED_VIEW_NAMES = {"wagtail_serve"}
STAMP_SECONDS = 1.0
GENERATION_KEY = "lh:page:generation"
LOCAL_PAGES_BYTES = 32 * 1024 * 1024


def _new_generation() -> str:
    return secrets.token_hex(8)


def current_generation() -> str:
    """The generation every process shares; a missing one (never set, or lost) is started."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump_generation(**kwargs):
    """Forget every page cached by any process (signal receiver)."""
    global _stamp
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    _stamp = None


def connect_signals():
    from handbook.models import OrganisationSettings
    from trials.signals import trials_stored

    page_published.connect(bump_generation, dispatch_uid="page_cache_published")
    page_unpublished.connect(bump_generation, dispatch_uid="page_cache_unpublished")
    post_save.connect(bump_generation, sender=OrganisationSettings, dispatch_uid="page_cache_org")
    trials_stored.connect(bump_generation, dispatch_uid="page_cache_trials")


_stamp: tuple[float, str] | None = None  # this process's last read: (read at, stamp)


def _content_stamp() -> str:
    """The newest page change (`handbook.queries.newest_page_change`) and the shared
    generation; read at most once a second per process."""
    global _stamp
    now = time.monotonic()
    current = _stamp
    if current and now - current[0] < STAMP_SECONDS:
        return current[1]
    stamp = "{}:{}:{}:{}".format(*newest_page_change(), current_generation())
    _stamp = (now, stamp)
    return stamp


class LocalPages:
    """This process's copies of the pages it stored in or read from the shared cache, so that
    a hit costs no query (the database cache would otherwise add one to every request).

    Keyed like the shared entries (URL and content stamp), so a copy is never staler than the
    shared entry, and it expires when that entry does (stored at + PAGE_CACHE_SECONDS). At most
    `budget` bytes of HTML, the least recently used dropped first.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self.entries: OrderedDict[str, tuple[float, tuple]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def __copy__(self):
        other = type(self)(self.budget)
        with self.lock:
            other.entries = OrderedDict(self.entries)
            other.size = self.size
        return other

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.time():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, stored: tuple, *, expires: float) -> None:
        if len(stored[0]) > self.budget // 8:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (expires, stored)
            self.size += len(stored[0])
            while self.size > self.budget:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: str) -> None:
        _expires, stored = self.entries.pop(key)
        self.size -= len(stored[0])


_pages = LocalPages(LOCAL_PAGES_BYTES)


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and match is not None
        and match.url_name in CACHED_VIEW_NAMES
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
    )


class PageCacheMiddleware:
    """See the module docstring. Place it before the zh-Hant and locale middleware."""

    skipped_headers = {"set-cookie", "content-length", "x-page-cache", "server-timing"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response, state = self._respond(request)
        if state:
            response["X-Page-Cache"] = state
        response["Server-Timing"] = (
            f'page;dur={(time.perf_counter() - started) * 1000:.1f};desc="{state or "render"}"'
        )
        return response

    def _respond(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not _cacheable_request(request):
            return self.get_response(request), ""
        raw = f"{request.scheme}://{request.get_host()}{request.path}|{_content_stamp()}"
        key = "lh:page:" + hashlib.sha256(raw.encode()).hexdigest()
        stored = _pages.get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _pages.put(key, stored, expires=stored[2] + seconds)
        if stored is not None:
            content, headers, _stored_at = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["Content-Length"] = str(len(content))  # lets the connection be kept alive
            return response, "hit"
        response = self.get_response(request)
        if _cacheable_response(request, response):
            headers = {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in self.skipped_headers
            }
            stored = (response.content, headers, time.time())
            cache.set(key, stored, seconds)
            _pages.put(key, stored, expires=stored[2] + seconds)
            return response, "miss"
        return response, ""
