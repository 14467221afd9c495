"""Error reports to Sentry without the applicants' data (ADR 0017, ADR 0008).

Imported by the settings, so it must not touch Django's app state. Sentry is set up with
`send_default_pii=False` (no user, no IP address, no cookies) and no local variables in stack
frames (a frame of the membership views would hold the applicant's details). `scrub_event`
then drops what is left of a request to the application form or the reviewers' screens: its
body, cookies, query string and headers other than a few harmless ones.
"""

from __future__ import annotations

import re

PRIVATE_PATHS = re.compile(r"^/(?:[a-z-]+/)?join(?:/|$)|^/admin/membership(?:/|$)")
SAFE_HEADERS = {"host", "user-agent", "accept-language", "content-type", "content-length"}


def _path(url: str) -> str:
    without_scheme = re.sub(r"^[a-z]+://[^/]+", "", url or "")
    return without_scheme.split("?", 1)[0] or "/"


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's `before_send`: strip request data of private pages; cookies of every page."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            headers.pop("Cookie", None)
            headers.pop("cookie", None)
        if PRIVATE_PATHS.search(_path(request.get("url", ""))):
            for key in ("data", "query_string", "env"):
                request.pop(key, None)
            if isinstance(headers, dict):
                request["headers"] = {
                    name: value for name, value in headers.items() if name.lower() in SAFE_HEADERS
                }
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return event


def init_sentry(dsn: str, *, environment: str, release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0,
    )
