"""A page's statements about trials: confirm, correct, delete, restore, or add one."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Page

from freshness import actions
from freshness.forms import AddStatementForm, ClaimForm
from freshness.models import Finding, PageFreshness, Statement
from freshness.paragraphs import paragraph_blocks
from freshness.views import back
from freshness.views.rows import highlighted_sentence, history_url


def _page_url(page_id) -> str:
    return reverse("freshness_page_statements", args=[page_id])


def page_statements(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    statements = list(
        Statement.objects.filter(page=page)
        .exclude(state=Statement.State.SUPERSEDED)
        .select_related("confirmed_by")
        .order_by("state", "paragraph", "start", "kind")
    )
    findings = {f.statement_id: f for f in Finding.objects.filter(statement__in=statements)}
    rows = [
        {
            "statement": s,
            "sentence": highlighted_sentence(s),
            "finding": findings.get(s.pk),
            "history_url": history_url(s.nct_id),
        }
        for s in statements
    ]
    return TemplateResponse(
        request,
        "freshness/admin/statements.html",
        {
            "page_title": _("Statements about trials"),
            "page_subtitle": page.title,
            "header_icon": "list-ul",
            "page": page,
            "can_edit": page.permissions_for_user(request.user).can_edit(),
            "freshness": PageFreshness.objects.filter(page=page).first(),
            "active": [r for r in rows if r["statement"].state == Statement.State.ACTIVE],
            "deleted": [r for r in rows if r["statement"].state == Statement.State.DELETED],
        },
    )


def _statement(pk):
    return get_object_or_404(Statement.objects.select_related("page"), pk=pk)


def _simple(request, pk, action, message):
    statement = _statement(pk)
    try:
        action(statement=statement, user=request.user)
    except actions.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message % {"claim": statement.claim_text})
    return back(request, _page_url(statement.page_id))


@require_POST
def confirm(request, pk):
    return _simple(request, pk, actions.confirm_statement, _("Confirmed as written: “%(claim)s”."))


@require_POST
def delete(request, pk):
    return _simple(
        request,
        pk,
        actions.delete_statement,
        _("“%(claim)s” is no longer checked. You can restore it from the page's list."),
    )


@require_POST
def restore(request, pk):
    return _simple(request, pk, actions.restore_statement, _("“%(claim)s” is checked again."))


def correct(request, pk):
    statement = _statement(pk)
    form = ClaimForm(request.POST or None, initial=ClaimForm.initial_for(statement))
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_statement(
                statement=statement,
                user=request.user,
                kind=form.cleaned_data["kind"],
                nct_id=form.cleaned_data["nct_id"],
                claimed=form.claimed(),
            )
        except actions.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Corrected: “%(claim)s”.") % {"claim": statement.claim_text}
            )
            return back(request, _page_url(statement.page_id))
    return TemplateResponse(
        request,
        "freshness/admin/statement_form.html",
        {
            "page_title": _("Correct a statement"),
            "page_subtitle": statement.page.title,
            "header_icon": "edit",
            "statement": statement,
            "sentence": highlighted_sentence(statement),
            "form": form,
            "cancel_url": _page_url(statement.page_id),
        },
    )


def add(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    content = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    blocks = paragraph_blocks(content)
    initial = {"block": request.GET.get("block", "")}
    form = AddStatementForm(request.POST or None, blocks=blocks, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_statement(
                page=page,
                block_id=form.cleaned_data["block"],
                claim_text=form.cleaned_data["claim_text"],
                kind=form.cleaned_data["kind"],
                nct_id=form.cleaned_data["nct_id"],
                claimed=form.claimed(),
                user=request.user,
            )
        except actions.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Added: “%(claim)s” is now checked against the registry.")
                % {"claim": form.cleaned_data["claim_text"]},
            )
            return back(request, _page_url(page.pk))
    return TemplateResponse(
        request,
        "freshness/admin/statement_form.html",
        {
            "page_title": _("Add a statement"),
            "page_subtitle": page.title,
            "header_icon": "plus",
            "form": form,
            "blocks": blocks,
            "cancel_url": _page_url(page.pk),
        },
    )
