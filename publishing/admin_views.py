"""Admin screens for publishing outputs: the WeChat article of a page, ready to copy."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from handbook.models import HandbookPage
from publishing.wechat import wechat_article


def wechat_export(request, page_id):
    page = get_object_or_404(HandbookPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    page = page.get_latest_revision_as_object() if not page.live else page
    article = wechat_article(page)
    return TemplateResponse(
        request,
        "publishing/admin/wechat_export.html",
        {
            "page_title": _("WeChat article"),
            "page_subtitle": page.title,
            "header_icon": "doc-full",
            "page": page,
            # Built by publishing.wechat: every text escaped, only whitelisted tags and attributes.
            "article": mark_safe(article),  # noqa: S308
            "size_kb": round(len(article.encode("utf-8")) / 1024),
        },
    )
