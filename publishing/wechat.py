"""A handbook page as a WeChat official-account article: HTML that survives being pasted.

The WeChat editor keeps inline `style=""` and little else: it drops `<style>`, `<link>`,
`<script>`, classes, ids, SVG and most external images. So the article is written as plain
semantic HTML with classes (readable templates), then `inline_styles` moves every class's
rules into `style=""`, removes what WeChat would strip anyway, and turns local images into
data: URIs. Trial cards become bordered sections with the timeline in words (WeChat strips
SVG), and the disclaimer and contacts close every article, as on every page of the site.

The result is shown in an admin page and pasted into WeChat, and page text comes from editors
and brochures, so `sanitise` passes it through nh3 (a maintained HTML sanitiser) with an
allow-list, not a deny-list: the tags the articles use, `href` with http or https only, `src`
only as a base64 PNG, JPEG, GIF or WebP data: URI, and in `style` only the CSS properties that
`STYLES` itself produces, with plain values (no `url()`, `expression()` or escapes).
"""

from __future__ import annotations

import base64
import mimetypes
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from handbook.cards import trial_card
from handbook.models import HandbookPage
from publishing.pdf import collect

BRAND, BRAND_DARK, INK, MUTED, LINE, TINT = (
    "#5b2a86",
    "#3f1c5e",
    "#1f2328",
    "#4d5561",
    "#d9d2e3",
    "#f5f1fa",
)
STYLES = {
    "section": "margin:0;padding:0;",
    "h1": f"font-size:22px;line-height:1.4;font-weight:bold;color:{BRAND_DARK};margin:0 0 16px;",
    "h2": (
        f"font-size:19px;line-height:1.4;font-weight:bold;color:{BRAND_DARK};margin:28px 0 12px;"
        f"padding-left:8px;border-left:4px solid {BRAND};"
    ),
    "h3": f"font-size:17px;line-height:1.4;font-weight:bold;color:{BRAND_DARK};margin:20px 0 10px;",
    "p": "margin:0 0 14px;",
    "ul": "margin:0 0 14px;padding-left:22px;",
    "ol": "margin:0 0 14px;padding-left:22px;",
    "li": "margin:4px 0;",
    "a": f"color:{BRAND};text-decoration:underline;",
    "strong": "font-weight:bold;",
    "b": "font-weight:bold;",
    "em": "font-style:italic;",
    "i": "font-style:italic;",
    "cite": "font-style:italic;",
    "img": "max-width:100%;height:auto;",
    ".article": f"font-size:16px;line-height:1.75;color:{INK};letter-spacing:0.5px;",
    ".card": (
        f"margin:18px 0;padding:12px 14px;border:1px solid {LINE};border-left:6px solid {BRAND};"
        f"border-radius:8px;background-color:{TINT};font-size:15px;line-height:1.6;"
    ),
    ".card-kind": f"margin:0;font-size:13px;color:{MUTED};",
    ".card-title": "margin:4px 0 8px;font-size:15px;font-weight:bold;",
    ".card-status": "margin:0 0 8px;",
    ".card-facts": "margin:0 0 8px;padding:0;list-style:none;",
    ".card-fact": "margin:2px 0;",
    ".card-label": f"color:{MUTED};",
    ".card-subtitle": f"margin:10px 0 4px;font-size:14px;font-weight:bold;color:{BRAND_DARK};",
    ".card-list": "margin:0 0 8px;padding-left:20px;font-size:14px;",
    ".card-source": f"margin:10px 0 0;font-size:13px;color:{MUTED};word-break:break-all;",
    ".auto-note": f"font-size:13px;color:{MUTED};",
    ".about": (
        f"margin:28px 0 0;padding:14px;border-top:3px solid {BRAND};background-color:{TINT};"
        f"color:{INK};font-size:14px;"
    ),
    ".about-title": f"margin:0 0 8px;font-size:16px;font-weight:bold;color:{BRAND_DARK};",
    ".about-link": "word-break:break-all;",
    ".about-list": "margin:0 0 12px;padding:0;list-style:none;",
    ".as-of": "font-weight:bold;",
}
DROP_WITH_CONTENT = {"script", "style", "svg", "iframe", "object", "template", "noscript", "head"}
DROP = {"link", "meta", "base", "embed", "source", "html", "body", "details", "summary"}
VOID = {"br", "hr", "img", "wbr", "col", "area", "input"}
KEPT_ATTRIBUTES = {"a": ("href",), "img": ("src", "alt", "width", "height")}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _local_file(src: str) -> Path | None:
    """The file behind a local /media/ or /static/ URL, if it is one."""
    path = urlsplit(src).path
    if urlsplit(src).netloc:
        return None
    if path.startswith(settings.MEDIA_URL):
        root = Path(settings.MEDIA_ROOT).resolve()
        candidate = (root / path[len(settings.MEDIA_URL) :]).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path[len(settings.STATIC_URL) :])
        return Path(found) if found else None
    return None


def image_data_uri(src: str) -> str:
    """A data: URI for a local image; "" for anything else (the article fetches nothing)."""
    if src.startswith("data:image/"):
        return src
    path = _local_file(src)
    if path is None or path.stat().st_size > MAX_IMAGE_BYTES:
        return ""
    mime = mimetypes.guess_type(path.name)[0] or ""
    if not mime.startswith("image/") or mime == "image/svg+xml":
        return ""
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


class _Inliner(HTMLParser):
    def __init__(self, styles: dict[str, str], base_url: str):
        super().__init__(convert_charrefs=True)
        self.styles = styles
        self.base_url = base_url
        self.out: list[str] = []
        self.skipping: list[str] = []
        self.open_links: list[bool] = []

    def _style(self, tag: str, attrs: dict[str, str]) -> str:
        rules = [self.styles.get(tag, "")]
        for name in (attrs.get("class") or "").split():
            rules.append(self.styles.get(f".{name}", ""))
            rules.append(self.styles.get(f"{tag}.{name}", ""))
        rules.append(attrs.get("style", ""))
        return "".join(rule if rule.endswith(";") or not rule else rule + ";" for rule in rules)

    def _attributes(self, tag: str, attrs: dict[str, str]) -> list[tuple[str, str]] | None:
        kept = []
        for name in KEPT_ATTRIBUTES.get(tag, ()):
            value = attrs.get(name)
            if value is None:
                continue
            if tag == "img" and name == "src":
                value = image_data_uri(value)
                if not value:
                    return None
            if tag == "a" and name == "href":
                value = urljoin(self.base_url, value.strip())
            kept.append((name, value))
        if attrs.get("lang"):
            kept.append(("lang", attrs["lang"]))
        style = self._style(tag, attrs)
        if style:
            kept.append(("style", style))
        return kept

    def _emit(self, tag: str, attrs: list[tuple[str, str | None]], close: bool = False) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and not close and tag not in VOID:
                self.skipping.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            if not close:
                self.skipping.append(tag)
            return
        if tag in DROP:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            href = values.get("href", "").strip()
            if not href or href.startswith("#") or href.lower().startswith("javascript:"):
                self.open_links.append(False)
                return
        kept = self._attributes(tag, values)
        if kept is None:
            alt = values.get("alt", "")
            if alt:
                self.out.append(escape(alt, quote=False))
            return
        if tag == "a":
            self.open_links.append(True)
        rendered = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in kept)
        self.out.append(f"<{tag}{rendered}>")

    def handle_starttag(self, tag, attrs):
        self._emit(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._emit(tag, attrs, close=True)

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in DROP or tag in VOID or tag in DROP_WITH_CONTENT:
            return
        if tag == "a":
            if self.open_links and not self.open_links.pop():
                return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(escape(data, quote=False))


ALLOWED_TAGS = {
    "section",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "b",
    "em",
    "i",
    "cite",
    "span",
    "sup",
    "sub",
    "blockquote",
    "code",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "*": {"style", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
}
LINK_SCHEMES = ("http://", "https://")
IMAGE_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
STYLE_VALUE = re.compile(r"^[#\w\s.,%-]+$")


def _style_properties(styles: dict[str, str]) -> set[str]:
    return {
        declaration.split(":", 1)[0].strip().lower()
        for rules in styles.values()
        for declaration in rules.split(";")
        if ":" in declaration
    }


def _clean_style(value: str, properties: set[str]) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, _colon, rule = declaration.partition(":")
        name, rule = name.strip().lower(), rule.strip()
        if name in properties and rule and STYLE_VALUE.match(rule):
            kept.append(f"{name}:{rule};")
    return "".join(kept) or None


def sanitise(html: str, *, styles: dict[str, str] | None = None) -> str:
    """`html` reduced to the tags, attributes, URLs and inline styles a WeChat article uses."""
    properties = _style_properties(STYLES if styles is None else styles)

    def allow(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return _clean_style(value, properties)
        if attribute == "href":
            return value if value.strip().lower().startswith(LINK_SCHEMES) else None
        if attribute == "src":
            return value if IMAGE_DATA_URI.match(value) else None
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=allow,
        url_schemes={"http", "https", "data"},
        link_rel=None,
        strip_comments=True,
    )


def inline_styles(html: str, *, styles: dict[str, str] | None = None, base_url: str = "") -> str:
    """`html` with every class's rules moved into `style=""`, and nothing WeChat strips."""
    parser = _Inliner(STYLES if styles is None else styles, base_url)
    parser.feed(html)
    parser.close()
    return sanitise("".join(parser.out).strip(), styles=styles)


def _items(page: HandbookPage, booklet_page) -> list[tuple[str, object]]:
    items = []
    for kind, block in booklet_page.blocks:
        if kind == "heading":
            items.append(("heading", block))
        elif block.block_type == "trial":
            items.append(("card", trial_card(block.value["nct_id"])))
        else:
            items.append(("html", block.value))
    return items


def site_root_url(page: HandbookPage) -> str:
    site = page.get_site()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL


def wechat_article(page: HandbookPage) -> str:
    """The page as inline-styled HTML, in the page's own language."""
    language = page.locale.language_code
    booklet = collect(page=page, locale_code=language, today=timezone.localdate())
    base_url = site_root_url(page)
    with translation.override(language):
        html = render_to_string(
            "publishing/wechat/article.html",
            {
                "booklet": booklet,
                "page": page,
                "items": _items(page, booklet.pages[0]),
                "page_url": urljoin(base_url + "/", page.url or ""),
            },
        )
    return inline_styles(html, base_url=base_url + "/")
