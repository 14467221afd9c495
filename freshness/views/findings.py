"""Accept a suggestion (as is, or edited) or dismiss a finding with a reason."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from freshness.actions import ReviewError, accept_finding, dismiss_finding
from freshness.forms import AcceptEditForm, DismissForm
from freshness.models import Finding
from freshness.views import back
from freshness.views.rows import finding_row


def _finding(pk):
    return get_object_or_404(Finding.objects.select_related("statement__page"), pk=pk)


def _accepted(request, finding, revision):
    page = finding.statement.page
    messages.success(
        request,
        _(
            "The new wording is in a draft of “%(title)s” and has been sent to the medical "
            "reviewers; readers see it once they approve it."
        )
        % {"title": page.title},
        buttons=[
            messages.button(
                reverse(
                    "wagtailadmin_pages:revisions_compare", args=[page.pk, "live", revision.pk]
                ),
                _("Compare with the live page"),
            ),
            messages.button(reverse("wagtailadmin_pages:edit", args=[page.pk]), _("Edit page")),
        ],
    )


@require_POST
def accept(request, pk):
    finding = _finding(pk)
    try:
        revision = accept_finding(finding=finding, user=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
        return back(request)
    _accepted(request, finding, revision)
    return back(request)


def edit_and_accept(request, pk):
    finding = _finding(pk)
    row = finding_row(finding)
    if request.method == "POST":
        form = AcceptEditForm(request.POST)
        if form.is_valid():
            try:
                revision = accept_finding(
                    finding=finding, user=request.user, text=form.cleaned_data["text"]
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                _accepted(request, finding, revision)
                return back(request)
    else:
        form = AcceptEditForm(initial={"text": row["replacement"] or finding.statement.sentence})
    others = (
        finding.statement.page.trial_statements.active()
        .filter(block_id=finding.statement.block_id, sentence=finding.statement.sentence)
        .exclude(pk=finding.statement.pk)
    )
    return TemplateResponse(
        request,
        "freshness/admin/edit_accept.html",
        {
            "page_title": _("Edit the suggestion"),
            "page_subtitle": finding.statement.page.title,
            "header_icon": "edit",
            "row": row,
            "form": form,
            "others": others,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def dismiss(request, pk):
    finding = _finding(pk)
    if request.method == "POST":
        form = DismissForm(request.POST)
        if form.is_valid():
            try:
                dismiss_finding(
                    finding=finding, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Dismissed. It will be raised again only if the trial's record changes."),
                )
                return back(request)
    else:
        form = DismissForm()
    return TemplateResponse(
        request,
        "freshness/admin/dismiss.html",
        {
            "page_title": _("Dismiss a finding"),
            "page_subtitle": finding.statement.page.title,
            "header_icon": "cross",
            "row": finding_row(finding),
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )
