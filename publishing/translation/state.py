"""How current a translated page is, and the other-language versions of a page.

wagtail-localize freezes the source page's text in a `TranslationSource` when a translation
is made or synced. A translation is *out of date* when the source page's live text is no
longer the text it was made from (an editor changed and published the original), or when
some of its segments have not been translated yet (they are then shown in the source
language). Only readable text counts: a re-publish without changes, or a re-import that only
renews StreamField block ids, does not mark anything out of date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.segments import (
    OverridableSegmentValue,
    RelatedObjectSegmentValue,
    StringSegmentValue,
    TemplateSegmentValue,
)
from wagtail_localize.segments.extract import extract_segments

SOURCE_LANGUAGE_NAMES = {"zh-hans": _("Chinese"), "en": _("English")}
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_IGNORED_PATHS = {"slug"}
_CACHE_SECONDS = 24 * 3600


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


def content_signature(instance) -> tuple:
    """The reader-visible translatable content of a page, in order, without block ids.

    Block ids change whenever a brochure is re-imported, and the slug is an address rather
    than text, so neither is part of the signature.
    """
    parts: list[tuple] = []
    for segment in extract_segments(instance):
        if segment.path in _IGNORED_PATHS:
            continue
        if isinstance(segment, StringSegmentValue):
            parts.append(("s", segment.string.data))
        elif isinstance(segment, TemplateSegmentValue):
            parts.append(("t", segment.format, segment.template))
        elif isinstance(segment, OverridableSegmentValue):
            parts.append(("o", json.dumps(segment.data, sort_keys=True, default=str)))
        elif isinstance(segment, RelatedObjectSegmentValue):
            parts.append(("r", segment.content_type.pk, str(segment.translation_key)))
    return tuple(parts)


@dataclass(frozen=True)
class TranslationState:
    """Where a translated page stands against its source page."""

    page: Page
    source_page: Page
    source_id: int
    source_language: str
    source_changed: bool
    untranslated: int

    @property
    def out_of_date(self) -> bool:
        return self.source_changed or self.untranslated > 0

    @property
    def source_language_name(self) -> str:
        return str(SOURCE_LANGUAGE_NAMES.get(self.source_language, self.source_language))


def _source_changed(source: TranslationSource, source_page: Page) -> bool:
    """Has the source page's live text moved on since the translation source was frozen?

    Cheap when nothing was published after the last sync (the usual case); otherwise the two
    texts are compared, and the answer cached until either side changes.
    """
    published = source_page.last_published_at
    if not source_page.live or published is None or published <= source.last_updated_at:
        return False
    key = (
        f"lh:translation-changed:{source.pk}:{source.last_updated_at.timestamp()}:"
        f"{source_page.live_revision_id}"
    )
    cached = cache.get(key)
    if cached is None:
        current = content_signature(source_page.specific)
        frozen = content_signature(source.as_instance())
        cached = current != frozen
        cache.set(key, cached, _CACHE_SECONDS)
    return cached


def _state(translation: Translation, page: Page, source_page: Page) -> TranslationState:
    total, translated = translation.get_progress()
    source = translation.source
    return TranslationState(
        page=page,
        source_page=source_page,
        source_id=source.pk,
        source_language=source.locale.language_code,
        source_changed=_source_changed(source, source_page),
        untranslated=max(0, total - translated),
    )


def translation_state(page: Page) -> TranslationState | None:
    """The state of `page` as a translation, or None if it is an original (or not managed by
    wagtail-localize, e.g. converted to a separately edited page)."""
    translation = (
        Translation.objects.filter(
            target_locale_id=page.locale_id,
            source__object_id=page.translation_key,
            enabled=True,
        )
        .exclude(source__locale_id=page.locale_id)
        .select_related("source", "source__locale")
        .first()
    )
    if translation is None:
        return None
    source_page = (
        Page.objects.filter(
            translation_key=page.translation_key, locale_id=translation.source.locale_id
        )
        .select_related("locale")
        .first()
    )
    if source_page is None:
        return None
    return _state(translation, page, source_page)


def out_of_date_translations() -> list[TranslationState]:
    """Every enabled page translation that is out of date, for the admin."""
    states = []
    translations = Translation.objects.filter(enabled=True).select_related(
        "source", "source__locale", "target_locale"
    )
    for translation in translations:
        source = translation.source
        pages = {
            page.locale_id: page
            for page in Page.objects.filter(
                translation_key=source.object_id,
                locale_id__in=[source.locale_id, translation.target_locale_id],
            )
        }
        page, source_page = pages.get(translation.target_locale_id), pages.get(source.locale_id)
        if page is None or source_page is None:
            continue
        state = _state(translation, page, source_page)
        if state.out_of_date:
            states.append(state)
    return states


@dataclass(frozen=True)
class Alternate:
    """One language version of the current page, for the language switch and hreflang."""

    code: str  # URL prefix: zh-hans, en, zh-hant
    hreflang: str  # BCP 47: zh-Hans, en, zh-Hant
    name: str  # in its own language
    url: str
    automatic: bool = False


HREFLANG = {"zh-hans": "zh-Hans", "en": "en", "zh-hant": "zh-Hant"}
ZH_HANT_PREFIX = "zh-hant"


def page_alternates(page: Page | None, path: str) -> list[Alternate]:
    """The live versions of `page` in each site language, plus the automatic zh-Hant one.

    Without a page (search and app views) the path's language prefix is swapped. A language
    in which the page has no live version is left out.
    """
    names = dict(settings.LANGUAGES)
    urls: dict[str, str] = {}
    if page is not None and getattr(page, "translation_key", None):
        for version in (
            Page.objects.live()
            .public()
            .filter(translation_key=page.translation_key)
            .select_related("locale")
        ):
            url = version.get_url()
            if url:
                urls[version.locale.language_code] = url
    else:
        match = re.match(r"^/([a-z-]+)(/.*)$", path)
        if match and match.group(1) in names:
            for code in names:
                urls[code] = f"/{code}{match.group(2)}"
    alternates = [
        Alternate(code=code, hreflang=HREFLANG.get(code, code), name=names[code], url=urls[code])
        for code in names
        if code in urls
    ]
    simplified = urls.get("zh-hans")
    if simplified:
        alternates.append(
            Alternate(
                code=ZH_HANT_PREFIX,
                hreflang=HREFLANG[ZH_HANT_PREFIX],
                name="繁體中文",
                url=f"/{ZH_HANT_PREFIX}/" + simplified.removeprefix("/zh-hans/"),
                automatic=True,
            )
        )
    return alternates
