"""The printable booklet: live handbook pages as an A5 PDF, built with WeasyPrint.

The booklet is rendered from the same blocks and trial cards as the website (so it says
exactly what the site says), with a print template and stylesheet, the organisation's cover,
contents with page numbers, "trial facts as of" the newest registry record date among the
cited trials, the disclaimer and a contacts page.

Building never touches the network: the URL fetcher only reads this project's own static
and media files and data: URIs. Fonts come from the machine (Debian's fonts-noto-cjk) and are
embedded, subset, in the PDF.

Readers of Traditional Chinese get the Simplified booklet converted by OpenCC, as the website's
`/zh-hant/` pages are (`traditional=True`; ADR 0011), marked on the cover as automatic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Locale, Site

from handbook.models import HandbookIndexPage, HandbookPage, OrganisationSettings, SectionPage
from trials.dates import PartialDate
from trials.models import Trial

STYLESHEET = "publishing/booklet.css"
SIMPLIFIED, TRADITIONAL = "zh-hans", "zh-hant"


class BookletError(Exception):
    """A booklet that cannot be built; the message is meant for the operator."""


@dataclass
class BookletHeading:
    anchor: str
    text: str
    level: int


@dataclass
class BookletPage:
    page: HandbookPage
    anchor: str
    section: str = ""
    headings: list[BookletHeading] = field(default_factory=list)
    blocks: list = field(default_factory=list)


@dataclass
class Booklet:
    title: str
    language: str
    pages: list[BookletPage]
    organisation: OrganisationSettings
    facts_as_of: str = ""
    built_on: str = ""
    traditional: bool = False  # Simplified Chinese converted to Traditional by OpenCC

    @property
    def nct_ids(self) -> list[str]:
        return list(dict.fromkeys(i for p in self.pages for i in p.page.cited_nct_ids()))


def get_locale(code: str) -> Locale:
    codes = [language for language, _name in settings.LANGUAGES]
    if code not in codes:
        raise BookletError(
            _("Unknown language %(code)s; use one of: %(codes)s.")
            % {"code": code, "codes": ", ".join(codes)}
        )
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        raise BookletError(_("There is no content in %(code)s yet.") % {"code": code})
    return locale


def find_page(slug: str, locale_code: str) -> HandbookPage:
    """The live handbook page with this slug in this language."""
    locale = get_locale(locale_code)
    page = HandbookPage.objects.live().filter(slug=slug, locale=locale).first()
    if page is None:
        raise BookletError(
            _("No published handbook page with the slug %(slug)s in %(code)s.")
            % {"slug": slug, "code": locale_code}
        )
    return page


def handbook_pages(locale_code: str) -> tuple[HandbookIndexPage, list[tuple[str, HandbookPage]]]:
    """The live handbook of a language in reading order: (section title, page) pairs."""
    locale = get_locale(locale_code)
    index = HandbookIndexPage.objects.live().filter(locale=locale).first()
    if index is None:
        raise BookletError(_("There is no published handbook in %(code)s.") % {"code": locale_code})
    found: list[tuple[str, HandbookPage]] = []
    children = index.get_children().live().public().specific()
    sections = sorted(
        (child for child in children if isinstance(child, SectionPage)),
        key=lambda section: (section.sort_order, section.path),
    )
    for child in children:
        if isinstance(child, HandbookPage):
            found.append(("", child))
    for section in sections:
        for page in section.get_children().live().public().specific():
            if isinstance(page, HandbookPage):
                found.append((section.title, page))
    if not found:
        raise BookletError(
            _("The handbook in %(code)s has no published pages.") % {"code": locale_code}
        )
    return index, found


def _booklet_page(page: HandbookPage, section: str) -> BookletPage:
    item = BookletPage(page=page, anchor=f"page-{page.pk}", section=section)
    for number, block in enumerate(page.body):
        if block.block_type == "heading":
            heading = BookletHeading(
                anchor=f"page-{page.pk}-h{number}",
                text=block.value["text"],
                level=3 if block.value["level"] == "h3" else 2,
            )
            item.headings.append(heading)
            item.blocks.append(("heading", heading))
        else:
            item.blocks.append(("block", block))
    return item


def facts_as_of(nct_ids: list[str]) -> str:
    """The newest registry record date among the cited trials, formatted for the reader."""
    dates = (
        Trial.objects.with_ids(nct_ids)
        .exclude(record_date=None)
        .values_list("record_date", flat=True)
    )
    newest = max(dates, default=None)
    return PartialDate(newest.year, newest.month, newest.day).format() if newest else ""


def collect(
    *,
    page: HandbookPage | None = None,
    locale_code: str,
    today: dt.date,
    traditional: bool = False,
) -> Booklet:
    """What goes into a booklet: one page, or the whole handbook of a language (`traditional`:
    the Simplified Chinese booklet, to be converted to Traditional characters)."""
    if traditional and locale_code != SIMPLIFIED:
        raise BookletError(
            _("Only the Simplified Chinese booklet can be converted to Traditional characters.")
        )
    if page is not None:
        title = page.title
        site = page.get_site()
        parent = page.get_parent().specific
        section = parent.title if isinstance(parent, SectionPage) else ""
        pages = [_booklet_page(page, section)]
    else:
        index, found = handbook_pages(locale_code)
        title = index.title
        site = index.get_site()
        pages = [_booklet_page(item, section) for section, item in found]
    site = site or Site.objects.filter(is_default_site=True).first()
    with translation.override(locale_code):
        booklet = Booklet(
            title=title,
            language=locale_code,
            pages=pages,
            organisation=OrganisationSettings.for_site(site),
            built_on=PartialDate(today.year, today.month, today.day).format(),
            traditional=traditional,
        )
        booklet.facts_as_of = facts_as_of(booklet.nct_ids)
    return booklet


def render_html(booklet: Booklet) -> str:
    with translation.override(booklet.language):
        html = render_to_string("publishing/booklet.html", {"booklet": booklet})
    if booklet.traditional:
        from publishing.translation.hant import convert_html

        html = convert_html(html)
    return html


def html_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR), Path(settings.STATIC_ROOT), Path(settings.MEDIA_ROOT)]
    return [root.resolve() for root in roots]


def _url_fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Reads data: URIs and this project's files; refuses everything else, so a PDF build
        can never wait on (or leak a request to) another host."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"publishing: refusing to fetch {url}")

    return LocalOnlyFetcher


def render_document(html: str):
    """The laid-out WeasyPrint document (its `pages` can be counted before writing)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _url_fetcher_class()(allowed_protocols=["data", "file"])
    font_config = FontConfiguration()
    stylesheet = CSS(
        filename=finders.find(STYLESHEET), font_config=font_config, url_fetcher=fetcher
    )
    document = HTML(
        string=html, base_url=Path(settings.BASE_DIR).as_uri() + "/", url_fetcher=fetcher
    )
    return document.render(stylesheets=[stylesheet], font_config=font_config)


def html_to_pdf(html: str) -> bytes:
    return render_document(html).write_pdf()


def cache_key(page: HandbookPage | None, locale_code: str) -> str:
    return f"pdf:page-{page.pk}:{locale_code}" if page else f"pdf:handbook:{locale_code}"


def cached_pdf(
    *,
    page: HandbookPage | None = None,
    locale_code: str,
    today: dt.date | None = None,
    traditional: bool = False,
) -> Path:
    """The booklet's file, built only when its HTML differs from what the cached file was
    printed from (so a changed trial record or disclaimer is never served stale)."""
    from publishing import actions
    from publishing.models import BuiltFile

    booklet = collect(
        page=page,
        locale_code=locale_code,
        today=today or timezone.localdate(),
        traditional=traditional,
    )
    html = render_html(booklet)
    digest = html_hash(html)
    if traditional:
        locale_code = TRADITIONAL
    key = cache_key(page, locale_code)
    record = BuiltFile.objects.filter(key=key).first()
    if record and record.source_hash == digest and actions.cached_path(record).is_file():
        return actions.cached_path(record)
    record = actions.store_built_file(
        key=key, page=page, locale_code=locale_code, source_hash=digest, content=html_to_pdf(html)
    )
    return actions.cached_path(record)
