from django.shortcuts import render

from finder.forms import FinderForm
from finder.views.privacy import private


def form(request):
    """The questions; answers already given (coming back from the results) are filled in."""
    bound = FinderForm(request.GET) if request.GET else FinderForm()
    return private(render(request, "finder/form.html", {"form": bound}))
