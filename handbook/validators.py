"""Web addresses the organisation settings may hold: http and https only.

The website setting is rendered as a link in every page's footer, so a `javascript:`, `data:`
or `vbscript:` value would run in every reader's browser. Editors and brochures often write a
bare host ("www.sscchina.org"), which is read as https; anything with another scheme, or that
is not a well-formed web address once a scheme is added, is refused on save and on import, and
`web_link` turns only what passes into a link, so rows saved before this check stay inert.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

SCHEMES = ("http", "https")
_url_validator = URLValidator(schemes=list(SCHEMES))


def web_link(value: str) -> str:
    """The http(s) URL that `value` stands for, or "" if it is not a safe web address."""
    text = (value or "").strip()
    if not text or text != value.strip() or any(ord(char) < 0x21 for char in text):
        return ""
    url = text if "://" in text else f"https://{text}"
    if urlsplit(url).scheme.lower() not in SCHEMES:
        return ""
    try:
        _url_validator(url)
    except ValidationError:
        return ""
    return url


@deconstructible
class WebAddressValidator:
    message = _("Enter a web address starting with http:// or https:// (or just the host name).")
    code = "invalid_web_address"

    def __call__(self, value):
        if value and not web_link(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, WebAddressValidator)
