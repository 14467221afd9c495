"""One admin listing of every recorded run: registry imports and syncs, PubMed syncs, checks.

Why here: the listing reads the runs of `trials`, `literature` and `freshness`, so it belongs
in a layer above all three, and `handbook` is the lowest such layer. It does not name them,
though: every concrete model that subclasses `core.runs.RecordedRun` is listed, so a new kind
of run (the next registry's sync) appears here without touching this file. A registry of run
models in `core` would have done the same with app state in core, which core must not keep.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.runs import RecordedRun

PAGE_SIZE = 50


def run_models() -> list[type[RecordedRun]]:
    """Every installed, concrete recorded-run model, in a stable order."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, RecordedRun) and not model._meta.abstract
    ]
    return sorted(found, key=lambda model: model._meta.label)


class _Newest:
    """The runs of every kind, newest first, as a sequence `Paginator` can slice.

    Page n needs at most n × PAGE_SIZE rows of each kind: each model gives its newest that
    many (one indexed query each), and they are merged by start time.
    """

    def __init__(self, models):
        self.models = models

    def count(self) -> int:
        return sum(model.objects.count() for model in self.models)

    def __getitem__(self, window: slice) -> list[RecordedRun]:
        stop = window.stop
        rows = [list(model.objects.order_by("-started_at", "-pk")[:stop]) for model in self.models]
        merged = heapq.merge(*rows, key=lambda run: (run.started_at, run.pk), reverse=True)
        return list(merged)[window]


@dataclass
class RunRow:
    run: RecordedRun
    kind: str
    counts: list[tuple[str, int]]


def recorded_runs(request):
    page = Paginator(_Newest(run_models()), PAGE_SIZE).get_page(request.GET.get("p"))
    rows = [RunRow(run=run, kind=run.kind_label(), counts=run.counts()) for run in page]
    return TemplateResponse(
        request,
        "handbook/admin/recorded_runs.html",
        {
            "page_title": _("Recorded runs"),
            "header_icon": "history",
            "page": page,
            "rows": rows,
        },
    )
