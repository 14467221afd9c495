"""The automatic Traditional Chinese rendering: `/zh-hant/…` is `/zh-hans/…` run through OpenCC.

Readers in Taiwan and Hong Kong read Traditional characters. Nobody writes or checks a
Traditional version, so it is not a Wagtail locale: the middleware serves the Simplified page
under a `/zh-hant/` prefix, converts its text with OpenCC's `s2tw` configuration (Traditional
characters in the forms used in Taiwan, which Hong Kong readers also read easily; no
phrase replacement, so medical terms are never swapped for regional words), keeps readers
inside `/zh-hant/` when they follow links, and says on the page that it was converted
automatically (base.html, `request.zh_hant`). Elements marked `translate="no"` (the
"简体中文" entry of the language switch) are left as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc
from django.http import HttpResponsePermanentRedirect

PREFIX = "/zh-hant/"
SOURCE_PREFIX = "/zh-hans/"
OPENCC_CONFIG = "s2tw"

_converter = opencc.OpenCC(OPENCC_CONFIG)
_PARTS_RE = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LINK_RE = re.compile(r'\b(href|action)="/zh-hans/')
_LANG_RE = re.compile(r'\blang="zh-hans"', re.I)
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
_NO_CONVERT_RE = re.compile(r'\btranslate="no"', re.I)
_RAW_TEXT_TAGS = {"script", "style"}


@lru_cache(maxsize=8192)
def to_traditional(text: str) -> str:
    """Convert one piece of text; pieces repeat across pages, so they are memoised."""
    return _converter.convert(text) if _CJK_RE.search(text) else text


def _convert_tag(tag: str) -> str:
    if "hreflang=" not in tag:
        tag = _LINK_RE.sub(lambda match: f'{match.group(1)}="{PREFIX}', tag)
    tag = _LANG_RE.sub('lang="zh-Hant"', tag)
    return to_traditional(tag)


def convert_html(html: str) -> str:
    """The Traditional Chinese version of a rendered Simplified Chinese page."""
    out: list[str] = []
    skip_tag, skip_depth = "", 0
    raw_tag = ""
    for part in _PARTS_RE.split(html):
        if not part:
            continue
        if not part.startswith("<"):
            out.append(part if (skip_depth or raw_tag) else to_traditional(part))
            continue
        if part.startswith("<!--"):
            out.append(part)
            continue
        match = _TAG_NAME_RE.match(part)
        closing, name = (match.group(1) == "/", match.group(2).lower()) if match else (False, "")
        self_closing = part.endswith("/>")
        if raw_tag:
            if closing and name == raw_tag:
                raw_tag = ""
            out.append(part)
            continue
        if skip_depth:
            if name == skip_tag and not self_closing:
                skip_depth += -1 if closing else 1
            out.append(part)
            continue
        if not closing and _NO_CONVERT_RE.search(part):
            if not self_closing:
                skip_tag, skip_depth = name, 1
            out.append(part)
            continue
        if not closing and name in _RAW_TEXT_TAGS:
            raw_tag = name
            out.append(part)
            continue
        out.append(_convert_tag(part))
    return "".join(out)


class TraditionalChineseMiddleware:
    """Serve `/zh-hant/…` as the converted `/zh-hans/…` response (see the module docstring).

    Must come before LocaleMiddleware, which reads the language from the rewritten path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == PREFIX.rstrip("/"):
            return HttpResponsePermanentRedirect(PREFIX)
        if not path.startswith(PREFIX):
            return self.get_response(request)
        request.path_info = SOURCE_PREFIX + path[len(PREFIX) :]
        request.zh_hant = True
        response = self.get_response(request)
        location = response.get("Location", "")
        if location.startswith(SOURCE_PREFIX):
            response["Location"] = PREFIX + location[len(SOURCE_PREFIX) :]
        content_type = response.get("Content-Type", "")
        if not getattr(response, "streaming", False) and content_type.startswith("text/html"):
            charset = getattr(response, "charset", None) or "utf-8"
            response.content = convert_html(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response["Content-Language"] = "zh-Hant"
        return response
