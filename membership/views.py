"""The applicant's pages: apply, receipt, status (by code, posted), reply, withdraw, privacy.

A code is never part of a URL: it is posted, so it stays out of server logs, browser history
and Referer headers. Nor is it kept by the server: between the application and its receipt it
travels in a cookie encrypted with the membership key, good for ten minutes and for one showing
of the receipt (a reload shows the lookup form), so no session row or table holds it. Every
lookup answers an unknown, malformed, withdrawn or deleted code the same way, and lookups are
rate limited per IP address, so codes cannot be enumerated; only attempts that passed the CSRF
check and their form's validation count, so another site cannot use up a shared address's
limit through its visitors' browsers. Pages
that show personal data are never cached and not indexed.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from handbook.models import OrganisationSettings
from membership import actions, crypto, ratelimit, uploads
from membership.forms import UNKNOWN_CODE, ApplicationForm, LookupForm, ReplyForm, WithdrawForm
from membership.models import ApplicantDetails, Status
from membership.presenters import privacy_facts, status_page

RECEIPT_COOKIE = "membership_receipt"
RECEIPT_SECONDS = 600
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def private_page(view):
    """No caching, no indexing, and a strict content security policy for these pages."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = PAGE_POLICY
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _organisation(request):
    return OrganisationSettings.for_request(request)


def _context(request, **extra) -> dict:
    return {"privacy": privacy_facts(), "organisation": _organisation(request), **extra}


def _too_many(request):
    return render(request, "membership/too_many.html", _context(request), status=429)


def _too_large(request):
    return render(
        request,
        "membership/too_large.html",
        _context(request, limits=uploads.limits_context()),
        status=413,
    )


def _guard_upload(request):
    """Checks made before a multipart body is parsed; returns a refusal or None."""
    if uploads.request_too_large(request):
        return _too_large(request)
    return None


@private_page
@csrf_exempt
@require_http_methods(["GET", "POST"])
def apply(request):
    if request.method == "POST":
        refusal = _guard_upload(request)
        if refusal is None and ratelimit.application_limit_reached(request):
            refusal = _too_many(request)
        if refusal is not None:
            return refusal
        uploads.install_upload_handler(request)
    return _apply(request)


@csrf_protect
def _apply(request):
    if request.method == "POST":
        if ratelimit.contact_has_applied_enough(request.POST.get("contact", "")):
            return _too_many(request)
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            if not ratelimit.allow_application_from_ip(request):
                return _too_many(request)
            data = form.cleaned_data
            details = ApplicantDetails(
                nickname=data["nickname"],
                contact_kind=data["contact_kind"],
                contact=data["contact"],
                province=data["province"],
                city=data["city"],
                diagnosis=data["diagnosis"],
                diagnosis_other=data["diagnosis_other"],
                diagnosis_year=data["diagnosis_year"],
                hospital=data["hospital"],
                role=data["role"],
            )
            _application, code = actions.submit_application(
                details=details,
                proof=data["proof"],
                language=translation.get_language() or "zh-hans",
                now=timezone.now(),
            )
            ratelimit.count_application_for_contact(data["contact"])
            response = redirect("membership:receipt")
            response.set_cookie(
                RECEIPT_COOKIE,
                crypto.encrypt_text(code),
                max_age=RECEIPT_SECONDS,
                path=reverse("membership:receipt"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
    else:
        form = ApplicationForm()
    return render(request, "membership/apply.html", _context(request, form=form))


@private_page
@require_http_methods(["GET"])
def receipt(request):
    """The code, shown once: the cookie that carried it is deleted by this very response."""
    code = _receipt_code(request.COOKIES.get(RECEIPT_COOKIE, ""))
    if code is None:
        response = redirect("membership:status")
    else:
        response = render(request, "membership/receipt.html", _context(request, code=code))
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("membership:receipt"), samesite="Strict")
    return response


def _receipt_code(token: str) -> str | None:
    """The code from a fresh receipt cookie, if its application still exists (not withdrawn)."""
    if not token:
        return None
    try:
        code = crypto.cipher().decrypt(token.encode("ascii"), ttl=RECEIPT_SECONDS).decode()
    except (crypto.InvalidToken, UnicodeError):
        return None
    return code if actions.find_by_code(code) is not None else None


def _status_response(request, application, code, *, reply_form=None, replied=False):
    return render(
        request,
        "membership/status.html",
        _context(
            request,
            view=status_page(application, _organisation(request)),
            code=code,
            reply_form=reply_form or ReplyForm(initial={"code": code}),
            withdraw_form=WithdrawForm(initial={"code": code}),
            replied=replied,
        ),
    )


def _unknown_code(request, form):
    form.add_error("code", UNKNOWN_CODE)
    return render(request, "membership/status_lookup.html", _context(request, form=form))


@private_page
@require_http_methods(["GET", "POST"])
def status(request):
    if request.method != "POST":
        return render(
            request, "membership/status_lookup.html", _context(request, form=LookupForm())
        )
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "membership/status_lookup.html", _context(request, form=form))
    if not ratelimit.allow_lookup(request):
        return _too_many(request)
    code = form.cleaned_data["code"]
    application = actions.find_by_code(code)
    if application is None:
        return _unknown_code(request, LookupForm(request.POST))
    return _status_response(request, application, code)


@private_page
@csrf_exempt
@require_http_methods(["POST"])
def respond(request):
    refusal = _guard_upload(request)
    if refusal is None and ratelimit.lookup_limit_reached(request):
        refusal = _too_many(request)
    if refusal is not None:
        return refusal
    uploads.install_upload_handler(request)
    return _respond(request)


@csrf_protect
def _respond(request):
    if not ratelimit.allow_lookup(request):
        return _too_many(request)
    code = request.POST.get("code", "")
    application = actions.find_by_code(code)
    if application is None:
        return _unknown_code(request, LookupForm({"code": code}))
    if application.status != Status.NEEDS_INFO:
        return _status_response(request, application, code)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _status_response(request, application, code, reply_form=form)
    try:
        application = actions.reply(
            application=application,
            message=form.cleaned_data["message"],
            proof=form.cleaned_data["proof"],
            now=timezone.now(),
        )
    except actions.NotAllowed:
        application.refresh_from_db()
    except crypto.InvalidToken:
        return _status_response(request, application, code)
    return _status_response(request, application, code, replied=True)


@private_page
@require_http_methods(["GET", "POST"])
def withdraw(request):
    if request.method != "POST":
        return render(request, "membership/withdraw.html", _context(request, form=WithdrawForm()))
    form = WithdrawForm(request.POST)
    if form.is_valid():
        if not ratelimit.allow_lookup(request):
            return _too_many(request)
        application = actions.find_by_code(form.cleaned_data["code"])
        if application is None:
            form.add_error("code", UNKNOWN_CODE)
        else:
            actions.withdraw(application=application, now=timezone.now())
            response = render(request, "membership/withdrawn.html", _context(request))
            response.delete_cookie(
                RECEIPT_COOKIE, path=reverse("membership:receipt"), samesite="Strict"
            )
            return response
    return render(request, "membership/withdraw.html", _context(request, form=form))


@private_page
@require_http_methods(["GET"])
def privacy(request):
    return render(request, "membership/privacy.html", _context(request))
