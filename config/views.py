from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.translation import check_for_language


def root_redirect(request):
    """Send `/` to the reader's chosen language, Simplified Chinese unless they picked another.

    The browser's Accept-Language is deliberately ignored: many readers' phones are set to
    English while they read Chinese, and the handbook is written in Chinese first.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return HttpResponseRedirect(f"/{language}/")
