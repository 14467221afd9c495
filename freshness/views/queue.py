"""The review queue: flagged statements grouped by page, newest first."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from freshness.models import CheckRun
from freshness.views.rows import FILTERS, filter_counts, findings_for, queue_groups


def review_queue(request):
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    counts = filter_counts()
    return TemplateResponse(
        request,
        "freshness/admin/queue.html",
        {
            "page_title": _("Trial fact check"),
            "page_subtitle": _("%(count)d to review") % {"count": counts["open"]},
            "header_icon": "warning",
            "show": show,
            "filters": [(key, label, counts[key]) for key, label in FILTERS.items()],
            "groups": queue_groups(findings_for(show), user=request.user),
            "last_run": CheckRun.objects.latest_ready(),
        },
    )
