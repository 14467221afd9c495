from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from finder.forms import FinderForm
from finder.views.privacy import private


@csrf_exempt
@require_http_methods(["GET", "POST"])
def form(request):
    """The questions; answers already given (posted back from the results) are filled in.

    A link from a handbook page or trial card may name the page's topic (`?about=`, never a
    patient's answer): it starts the free-text answer, which the patient can change or clear.

    Exempt from CSRF like the results: a search changes nothing, and a CSRF cookie would be
    the only thing the finder ever stored in a patient's browser.
    """
    if request.method == "POST":
        bound = FinderForm(request.POST)
    else:
        bound = FinderForm(initial=_topic(request))
    return private(render(request, "finder/form.html", {"form": bound}))


MAX_TOPIC_LENGTH = 200


def _topic(request) -> dict:
    about = " ".join(request.GET.get("about", "").split())[:MAX_TOPIC_LENGTH]
    return {"text": about} if about else {}
