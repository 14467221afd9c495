from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from finder.forms import FinderForm
from finder.views.privacy import private


@csrf_exempt
@require_http_methods(["GET", "POST"])
def form(request):
    """The questions; answers already given (posted back from the results) are filled in.

    Exempt from CSRF like the results: a search changes nothing, and a CSRF cookie would be
    the only thing the finder ever stored in a patient's browser.
    """
    bound = FinderForm(request.POST) if request.method == "POST" else FinderForm()
    return private(render(request, "finder/form.html", {"form": bound}))
