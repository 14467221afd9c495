"""What every finder page does so that a patient's answers stay with the patient."""

from django.utils.cache import add_never_cache_headers


def private(response):
    """Never cached (no-store), never sent on as a referrer to another site."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
