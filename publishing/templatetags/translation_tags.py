"""Template helpers for the bilingual site: language versions of a page and translation state."""

from django import template

from publishing.translation.state import page_alternates, translation_state

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """Each language version of the current page with its absolute URL, current one marked.

    In the automatic Traditional Chinese rendering the zh-Hant version is the current one.
    """
    request = context.get("request")
    if request is None:
        return []
    page = context.get("page")
    if page is not None and not getattr(page, "translation_key", None):
        page = None
    path = getattr(request, "path_info", "") or ""
    current = "zh-hant" if getattr(request, "zh_hant", False) else context.get("LANGUAGE_CODE")
    if current is None:
        from django.utils.translation import get_language

        current = get_language()
    rows = []
    for alternate in page_alternates(page, path):
        rows.append(
            {
                "code": alternate.code,
                "hreflang": alternate.hreflang,
                "name": alternate.name,
                "url": alternate.url,
                "absolute_url": request.build_absolute_uri(alternate.url),
                "automatic": alternate.automatic,
                "current": alternate.code == current,
            }
        )
    return rows


@register.simple_tag
def page_translation_state(page):
    """The TranslationState of a translated page, or None for an original."""
    if page is None or not getattr(page, "translation_key", None):
        return None
    return translation_state(page)
