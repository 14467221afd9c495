"""Security headers Django 5.2 does not set by itself: Content-Security-Policy, Permissions-Policy.

The policy comes from settings (empty = no header; `config/settings.py` sets one when
DJANGO_DEBUG=false). A view that sets its own policy keeps it. Paths in
CONTENT_SECURITY_POLICY_EXEMPT_PATHS (the Wagtail and Django admins, whose pages still rely on
inline scripts) get no policy from here.
"""

from django.conf import settings


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
