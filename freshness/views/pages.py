"""Per page: the readers' notice while findings are open."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Page

from freshness.actions import set_page_notice
from freshness.views import back


@require_POST
def page_notice(request, page_id):
    page = get_object_or_404(Page, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        messages.error(request, _("You do not have permission to edit this page."))
        return back(request)
    show = request.POST.get("show") == "1"
    set_page_notice(page=page, show=show)
    if show:
        messages.success(
            request,
            _("Readers of “%(title)s” now see a notice while findings are open.")
            % {"title": page.title},
        )
    else:
        messages.success(request, _("The notice on “%(title)s” is off.") % {"title": page.title})
    return back(request)
