"""Security headers Django 5.2 does not set by itself, and the admin login's lock-out.

Headers: Content-Security-Policy and Permissions-Policy. The policy comes from settings (empty =
no header; `config/settings.py` sets one when DJANGO_DEBUG=false). A view that sets its own
policy keeps it. Paths in CONTENT_SECURITY_POLICY_EXEMPT_PATHS (the Wagtail and Django admins,
whose pages still rely on inline scripts) get no policy from here.

Lock-out (django-axes, ADR 0016): the hooks the AXES_* settings name. The address is the one
every limit of the project counts by (`core.netaddr`), so a trusted proxy is configured once;
a locked-out login gets a page in the admin's own look and language saying until when, and
whom to ask, instead of axes' bare English 429.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from core.netaddr import client_address


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        exempt = tuple(getattr(settings, "CONTENT_SECURITY_POLICY_EXEMPT_PATHS", ()))
        if policy and "Content-Security-Policy" not in response:
            if not (exempt and request.path.startswith(exempt)):
                response["Content-Security-Policy"] = policy
        permissions = getattr(settings, "PERMISSIONS_POLICY", "")
        if permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions
        return response


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' lock-out check, for logins that come with a request.

    A login without a request (Django's test client, a shell) is no attempt from an address,
    so there is nothing to count it by; axes would refuse it with an error instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_client_ip(request) -> str:
    return client_address(request.META, settings.CLIENT_IP_HEADER)


def login_locked_out(request, original_response=None, credentials=None):
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE), status 429."""
    from handbook.models import OrganisationSettings

    cool_off = get_cool_off(request)
    until = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    organisation = OrganisationSettings.for_request(request)
    context = {
        "until": until,
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "contact_email": organisation.email,
    }
    return render(request, "admin_login_locked_out.html", context, status=429)
