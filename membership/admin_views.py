"""The reviewers' screens in the Wagtail admin: the queue, one application, its proof, the log.

Only users with `membership.review_application` (the 入群审核员 group, and superusers) get in;
Wagtail's Editors do not. Proofs are served only by `proof`, decrypted on the fly, never from a
public URL, with headers that keep browsers and proxies from caching, sniffing or framing them.
Opening an application, opening its proof and every decision are written to the audit log.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin import messages
from wagtail.admin.auth import permission_required

from membership import actions, crypto, storage
from membership.forms import DecisionForm
from membership.models import Application, AuditAction, AuditEntry, Status
from membership.presenters import (
    application_detail,
    queue_rows,
    report_key_problem,
    tally_table,
)

REVIEW_PERMISSION = "membership.review_application"
PROOF_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

FILTERS = {
    "open": lambda qs: qs.open(),
    "approved": lambda qs: qs.filter(status=Status.APPROVED),
    "rejected": lambda qs: qs.filter(status=Status.REJECTED),
    "all": lambda qs: qs,
}


def can_review(user) -> bool:
    return user.is_active and user.has_perm(REVIEW_PERMISSION)


@never_cache
@permission_required(REVIEW_PERMISSION)
@require_GET
def queue(request):
    shown = request.GET.get("show", "open")
    if shown not in FILTERS:
        shown = "open"
    applications = FILTERS[shown](Application.objects.select_related("decided_by"))
    page = Paginator(applications, 30).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "membership/admin/queue.html",
        {
            "page_title": _("Group applications"),
            "header_icon": "group",
            "page": page,
            "rows": queue_rows(page.object_list),
            "shown": shown,
            "filters": [
                ("open", _("To review")),
                ("approved", _("Approved")),
                ("rejected", _("Rejected")),
                ("all", _("All")),
            ],
            "waiting": Application.objects.waiting().count(),
            "tally": tally_table(),
        },
    )


@never_cache
@permission_required(REVIEW_PERMISSION)
@require_http_methods(["GET", "POST"])
def detail(request, number):
    application = get_object_or_404(Application, pk=number)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide(
                    application=application,
                    user=request.user,
                    decision=form.cleaned_data["decision"],
                    message=form.cleaned_data["message"],
                    now=timezone.now(),
                )
            except actions.NotAllowed:
                messages.error(request, _("This application has already been decided."))
            except crypto.InvalidToken:
                messages.error(request, _("cannot be decrypted (key problem)"))
            else:
                messages.success(
                    request, _("Decision saved for application %(number)s.") % {"number": number}
                )
                return redirect("membership_queue")
    else:
        form = DecisionForm()
        actions.record_view(
            application=application, user=request.user, action=AuditAction.VIEWED_DETAILS
        )
    return TemplateResponse(
        request,
        "membership/admin/detail.html",
        {
            "page_title": _("Application %(number)s") % {"number": number},
            "header_icon": "user",
            "application": application_detail(application),
            "form": form,
        },
    )


@never_cache
@require_GET
def proof(request, number):
    """The decrypted proof, for reviewers only; refuses everyone else with 403.

    Images and PDFs get the same sandboxing policy. PDFs (already stripped of links, scripts
    and actions when uploaded) are sent as downloads, because Chrome's and Safari's built-in
    viewers refuse to render a sandboxed document and would show reviewers a blank page.
    """
    if not can_review(request.user):
        return HttpResponseForbidden(_("Only reviewers may open proofs of diagnosis."))
    application = get_object_or_404(Application, pk=number)
    if not storage.exists(application.proof_name):
        raise Http404(_("The proof file is missing."))
    try:
        content = storage.read(application.proof_name)
    except crypto.InvalidToken:
        report_key_problem([application.pk])
        return HttpResponse(
            _("The proof cannot be decrypted with the keys in MEMBERSHIP_ENCRYPTION_KEYS."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    actions.record_view(application=application, user=request.user, action=AuditAction.VIEWED_PROOF)
    disposition = "inline" if application.proof_is_image else "attachment"
    response = HttpResponse(content, content_type=application.proof_type)
    response["Content-Disposition"] = (
        f'{disposition}; filename="application-{application.pk}.{application.proof_extension}"'
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = PROOF_POLICY + "; sandbox"
    return response


@never_cache
@permission_required(REVIEW_PERMISSION)
@require_GET
def audit_log(request):
    entries = Paginator(AuditEntry.objects.select_related("actor"), 100).get_page(
        request.GET.get("p")
    )
    return TemplateResponse(
        request,
        "membership/admin/audit.html",
        {
            "page_title": _("Group applications: audit log"),
            "header_icon": "list-ul",
            "entries": entries,
        },
    )
