"""Read-only admin screens for registry data: records come from the registry, not from editors."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from trials.history import version_history
from trials.models import RejectedRecord, Trial


def trial_index(request):
    query = request.GET.get("q", "").strip()
    trials = Trial.objects.all()
    if query:
        trials = trials.filter(Q(nct_id__icontains=query) | Q(brief_title__icontains=query))
    page = Paginator(trials, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "trials/admin/trial_index.html",
        {"page_title": _("Trials"), "header_icon": "doc-full", "trials": page, "query": query},
    )


def trial_history(request, nct_id):
    trial = get_object_or_404(Trial, nct_id=nct_id.upper())
    rows = version_history(trial)
    return TemplateResponse(
        request,
        "trials/admin/trial_history.html",
        {
            "page_title": trial.nct_id,
            "page_subtitle": trial.brief_title,
            "header_icon": "history",
            "trial": trial,
            "rows": rows,
        },
    )


def rejected_records(request):
    """Quarantined documents; the runs that met them are in the listing of every run
    (`handbook.admin_runs`)."""
    rejections = Paginator(RejectedRecord.objects.select_related("run"), 100)
    return TemplateResponse(
        request,
        "trials/admin/rejected_records.html",
        {
            "page_title": _("Rejected records"),
            "header_icon": "warning",
            "rejections": rejections.get_page(request.GET.get("p")),
        },
    )
