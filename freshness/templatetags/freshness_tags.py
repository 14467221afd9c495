"""What readers see of the checks: the page's checked date, a notice, and per-trial flags.

Reads stored rows only; computing a trial's flags is pure arithmetic on its stored record.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from freshness.checks import record_stale, results_overdue
from trials.dates import PartialDate

register = template.Library()


def _day(value) -> str:
    if not value:
        return ""
    return PartialDate(value.year, value.month, value.day).format()


@register.simple_tag
def page_freshness(page) -> dict:
    from freshness.models import PageFreshness

    info = PageFreshness.objects.filter(page_id=getattr(page, "pk", None)).first()
    if info is None:
        return {"checked_on": "", "show_notice": False}
    return {
        "checked_on": _day(info.checked_on),
        "show_notice": info.show_notice and info.open_findings > 0,
    }


@register.simple_tag(takes_context=True)
def trial_freshness(context, nct_id: str) -> dict:
    """The trial's flags. Inside a trial card, from the rows the card was built from (the
    same request's read of the stored record); elsewhere, read here."""
    from freshness.actions import facts_from_rows, trial_facts

    nct_id = nct_id.upper()
    stored = getattr(context.get("card"), "stored", None)
    if stored is not None and stored.trial.nct_id == nct_id:
        facts = facts_from_rows(stored.trial, stored.versions, stored.links)
    else:
        facts = trial_facts([nct_id]).get(nct_id)
    if facts is None:
        return {}
    today = timezone.localdate()
    overdue, due = results_overdue(facts, today=today)
    return {
        "results_overdue": overdue,
        "results_due": _day(due),
        "record_stale": record_stale(facts, today=today),
        "last_update": facts.record.last_update_posted,
    }
