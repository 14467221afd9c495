from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from finder.forms import FinderForm
from finder.presenters import result_card
from finder.ranking import find
from finder.search import UnknownPlace
from finder.views.privacy import private

RESULTS_PER_LIST = 20


@csrf_exempt
@require_http_methods(["GET", "POST"])
def results(request):
    """Trials that could fit, and trials that probably do not, for the posted answers.

    The answers come in the body of a POST, never in a URL: they stay out of the browser's
    history, of web server access logs and of the address a patient might share. Nothing is
    saved, no session or cookie is started, nothing is logged by the app. A search changes
    nothing, so there is nothing for CSRF protection to protect (and no cookie to set).
    A GET (a bookmark, a reload after the answers are gone) goes back to the questions.
    """
    if request.method != "POST":
        return redirect("finder:form")
    bound = FinderForm(request.POST)
    if not bound.is_valid():
        return private(render(request, "finder/form.html", {"form": bound}))
    try:
        outcome = find(bound.search_request(top=RESULTS_PER_LIST))
    except UnknownPlace as exc:
        message = _("We could not find “%(city)s”.") % {"city": exc.city}
        if exc.suggestions:
            message += " " + _("Did you mean: %(names)s?") % {"names": "、".join(exc.suggestions)}
        bound.add_error("city", message)
        return private(render(request, "finder/form.html", {"form": bound}))
    today = timezone.localdate()
    context = {
        "form": bound,
        "answers": [(name, value) for name, values in request.POST.lists() for value in values],
        "place": outcome.place,
        "results": [result_card(result, today=today) for result in outcome.results],
        "not_eligible": [result_card(result, today=today) for result in outcome.not_eligible],
        "include_finished": bound.cleaned_data.get("include_finished"),
    }
    return private(render(request, "finder/results.html", context))
