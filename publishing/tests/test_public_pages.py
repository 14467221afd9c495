"""Every public page works under the production Content-Security-Policy (`script-src 'self'`):
no inline script, no inline event handler, no `javascript:` link, nothing from another host."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from handbook.models import HandbookPage

PRODUCTION_POLICY = django_settings.DEFAULT_CONTENT_SECURITY_POLICY
RESOURCE_ATTRIBUTES = {"script": "src", "img": "src", "iframe": "src", "source": "src"}


class Audit(HTMLParser):
    """Collects what `script-src 'self'` and `default-src 'self'` would block."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "script":
            self._in_script = not attrs.get("src")
            if attrs.get("src"):
                self._check_local(tag, attrs["src"])
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self._check_local(tag, attrs.get("href", ""))
        elif tag in RESOURCE_ATTRIBUTES and attrs.get(RESOURCE_ATTRIBUTES[tag]):
            self._check_local(tag, attrs[RESOURCE_ATTRIBUTES[tag]])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]}")

    def _check_local(self, tag, url):
        parts = urlsplit(url)
        if parts.scheme == "data" and tag == "img":
            return
        if parts.scheme or parts.netloc:
            self.problems.append(f"<{tag}> loads {url} from another origin")


def _public_urls(demo):
    english = HandbookPage.objects.get(
        translation_key=demo.translation_key, locale__language_code="en"
    )
    section = demo.get_parent()
    return [
        "/zh-hans/",
        "/en/",
        "/zh-hant/",
        section.url,
        demo.url,
        english.url,
        demo.url.replace("/zh-hans/", "/zh-hant/", 1),
        "/zh-hans/search/?q=%E5%B9%B2%E7%BB%86%E8%83%9E",
        "/en/search/?q=stem+cell",
        "/zh-hans/search/?q=NCT02213705",
        "/zh-hant/search/?q=%E5%B9%B9%E7%B4%B0%E8%83%9E",
    ]


def test_audit_finds_what_the_policy_blocks():
    audit = Audit()
    audit.feed(
        '<script>alert(1)</script><script src="https://cdn.example/x.js"></script>'
        '<button onclick="go()">x</button><a href="javascript:go()">y</a>'
        '<link rel="stylesheet" href="//fonts.example/css"><img src="data:image/png;base64,AA">'
        '<script src="/static/ok.js"></script><link rel="alternate" href="https://h.example/en/">'
    )
    assert audit.problems == [
        "inline script: alert(1)",
        "<script> loads https://cdn.example/x.js from another origin",
        "inline handler onclick on <button>",
        "javascript: URL on <a>",
        "<link> loads //fonts.example/css from another origin",
    ]


@pytest.mark.django_db
def test_public_pages_need_nothing_the_production_policy_forbids(demo, client, settings):
    settings.CONTENT_SECURITY_POLICY = PRODUCTION_POLICY
    for url in _public_urls(demo):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == PRODUCTION_POLICY, url
        audit = Audit()
        audit.feed(response.content.decode())
        assert audit.problems == [], (url, audit.problems)
