"""Admin views of the review queue (registered in `freshness/wagtail_hooks.py`).

Thin: each view reads a form, calls one function in `freshness/actions.py` and reports the
outcome as a message. Wagtail's admin URL wrapper already requires admin access.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def back(request, default: str | None = None):
    """Redirect to the `next` address if it is on this site, else to `default` or the queue."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default or reverse("freshness_queue"))
