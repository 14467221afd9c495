"""The finder's pages: the questions (`form`) and the two lists of trials (`results`)."""

from finder.views.form import form
from finder.views.results import results

__all__ = ["form", "results"]
