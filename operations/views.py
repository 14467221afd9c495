from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from operations.health import check_health


@never_cache
def healthz(request):
    """JSON for an uptime monitor: 200 when healthy, 503 with the reasons otherwise.

    `never_cache` keeps it out of the page cache and any proxy's, so a monitor always sees now.
    """
    health = check_health()
    return JsonResponse(health.report, status=200 if health.healthy else 503)
