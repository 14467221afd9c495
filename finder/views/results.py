from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from finder.forms import FinderForm
from finder.presenters import result_card
from finder.ranking import find
from finder.search import UnknownPlace
from finder.views.privacy import private

RESULTS_PER_LIST = 20


def results(request):
    """Trials that could fit, and trials that probably do not, for the answers in the URL.

    The answers come in the query string of a GET and go nowhere else: nothing is saved,
    no session is started, nothing is logged by the app.
    """
    bound = FinderForm(request.GET)
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
        "query": request.GET.urlencode(),
        "place": outcome.place,
        "results": [result_card(result, today=today) for result in outcome.results],
        "not_eligible": [result_card(result, today=today) for result in outcome.not_eligible],
        "include_finished": bound.cleaned_data.get("include_finished"),
    }
    return private(render(request, "finder/results.html", context))
