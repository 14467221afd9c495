"""The language switch: go to the page's version in another language and remember the choice."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def choose_language(request):
    """Redirect to `next` and set the language cookie that `/` follows (ADR 0003).

    A plain link rather than Django's POST-only `set_language`, so pages carry no CSRF token
    and stay cacheable and shareable; the cookie holds nothing but the language. An unknown
    language or a `next` pointing at another host falls back to that language's front page.
    """
    language = request.GET.get("language", "")
    languages = dict(settings.LANGUAGES)
    if language not in languages:
        language = settings.LANGUAGE_CODE
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not safe or not target.startswith(f"/{language}/"):
        target = f"/{language}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
