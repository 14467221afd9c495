"""Writes for bilingual publishing: filling a wagtail-localize translation from a catalogue.

A catalogue is a gettext PO file whose msgids are the source page's text segments and whose
msgstrs are their translations (`demo/data/translations/`). Segments are matched by their
text, not by wagtail-localize's context paths, because those contain StreamField block ids
that change whenever a brochure is re-imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from core.identifiers import replace_all
from publishing.translation.state import content_signature, has_cjk

WORD_RE = re.compile(r"[A-Za-z]{2,}")
ADDRESS_PATHS = {"slug"}


def needs_translation(text: str, source_language: str, path: str = "") -> bool:
    """Does `text` (at `path`) of a page written in `source_language` need a translation?

    Chinese text does when it has Chinese characters; text in another language when it has
    a word besides NCT numbers. Text without such words (NCT numbers, numbers) reads the
    same in every language and is kept as it is. A slug is an address: an ASCII one serves
    every language, only a Chinese one needs translating.
    """
    if path in ADDRESS_PATHS or source_language.startswith("zh"):
        return has_cjk(text)
    return bool(WORD_RE.search(replace_all(text, lambda mention: "", registries=("NCT",))))


class TranslationCatalogueError(Exception):
    """A catalogue that cannot be used; the message is meant for the operator."""


@dataclass
class PageTranslationResult:
    page: Page
    created: bool
    published: bool
    untranslated: list[str] = field(default_factory=list)


def load_catalogue(path: Path) -> dict[str, str]:
    """Source text → translation from a PO file; untranslated and fuzzy entries are skipped."""
    if not Path(path).is_file():
        raise TranslationCatalogueError(
            _("The translation catalogue %(path)s does not exist.") % {"path": path}
        )
    try:
        po = polib.pofile(str(path))
    except (OSError, ValueError) as exc:
        raise TranslationCatalogueError(
            _("Cannot read the translation catalogue %(path)s: %(error)s")
            % {"path": path, "error": exc}
        ) from exc
    return {
        entry.msgid: entry.msgstr
        for entry in po
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }


@transaction.atomic
def translate_page_from_catalogue(
    *, page: Page, locale_code: str, catalogue: dict[str, str], publish: bool = True, user=None
) -> PageTranslationResult:
    """Create or refresh the `locale_code` translation of `page` from `catalogue`.

    Text without words of the source language (NCT numbers, numbers, ASCII slugs; see
    `needs_translation`) is kept as it is when the catalogue does not mention it, so an
    English original works the same way as a Chinese one. The translated page is saved (and published) only when it
    is new or its text would change, so running this again adds no revisions. The page's
    parent must already be translated, or be the tree root.
    """
    target_locale = Locale.objects.get(language_code=locale_code)
    page = page.specific
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, created = Translation.objects.get_or_create(
        source=source, target_locale=target_locale
    )
    if not translation.enabled:
        raise TranslationCatalogueError(
            _(
                "The %(locale)s version of “%(title)s” is edited by hand (its translation was "
                "disabled); it was left alone."
            )
            % {"locale": locale_code, "title": page.title}
        )
    untranslated = []
    now = timezone.now()
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        text = segment.string.data
        translated = catalogue.get(text)
        if translated is None:
            if needs_translation(text, source.locale.language_code, segment.context.path):
                untranslated.append(text)
                continue
            translated = text
        existing = StringTranslation.objects.filter(
            translation_of=segment.string, locale=target_locale, context=segment.context
        ).first()
        if existing is None:
            StringTranslation.objects.create(
                translation_of=segment.string,
                locale=target_locale,
                context=segment.context,
                data=translated,
                translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
                updated_at=now,
                last_translated_by=user,
            )
        elif existing.data != translated or existing.has_error:
            existing.data = translated
            existing.has_error = False
            existing.field_error = ""
            existing.updated_at = now
            existing.last_translated_by = user
            existing.save()

    target = Page.objects.filter(translation_key=page.translation_key, locale=target_locale).first()
    changed = target is None or content_signature(target.specific) != content_signature(
        source.get_ephemeral_translated_instance(target_locale, fallback=True)
    )
    if changed:
        # wagtail-localize publishes in an on_commit hook; publishing here instead keeps the
        # result visible inside this transaction (and in tests, which never commit).
        source.create_or_update_translation(
            target_locale, user=user, publish=False, fallback=True, copy_parent_pages=True
        )
    target = source.get_translated_instance(target_locale)
    if changed and publish:
        target.get_latest_revision().publish(user=user)
        target.refresh_from_db()
    return PageTranslationResult(
        page=target, created=created, published=changed and publish, untranslated=untranslated
    )
