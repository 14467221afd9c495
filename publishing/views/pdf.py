"""PDF booklet downloads for readers: served from the cache, built there when missing or stale.

Building reads only stored records and local files (never an external API), so a download
works offline and cannot be slowed by the registry.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from handbook.models import HandbookPage
from publishing.pdf import SIMPLIFIED, TRADITIONAL, BookletError, cached_pdf


def _download(build, filename):
    """Open the cached file; if a concurrent rebuild replaced it just now, ask once more."""
    try:
        handle = build().open("rb")
    except FileNotFoundError:
        handle = build().open("rb")
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )


def _traditional(request, language: str) -> bool:
    """Asked for under /zh-hant/: the Simplified booklet converted to Traditional characters."""
    return getattr(request, "zh_hant", False) and language == SIMPLIFIED


def page_pdf(request, page_id):
    page = get_object_or_404(HandbookPage.objects.live().public(), pk=page_id)
    language = page.locale.language_code
    traditional = _traditional(request, language)
    return _download(
        lambda: cached_pdf(page=page, locale_code=language, traditional=traditional),
        f"{page.slug}-{TRADITIONAL}.pdf" if traditional else f"{page.slug}.pdf",
    )


def handbook_pdf(request):
    language = get_language()
    traditional = _traditional(request, language)
    try:
        return _download(
            lambda: cached_pdf(locale_code=language, traditional=traditional),
            f"handbook-{TRADITIONAL if traditional else language}.pdf",
        )
    except BookletError as exc:
        raise Http404(str(exc)) from exc
