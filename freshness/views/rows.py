"""Shape findings for the review queue: the sentence, the verdict, the evidence, the fix.

Evidence is stored as plain data in the registry's vocabulary; here it gets a Chinese label,
a readable value (dates at their own precision, statuses in words) and a link to the trial's
version history in the admin, so an editor can see where every fact came from.
"""

from __future__ import annotations

from collections import OrderedDict

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from freshness.actions import suggestion_is_advice
from freshness.checks import ALLOCATION_WORDS, MASKING_WORDS
from freshness.models import Dismissal, Finding, PageFreshness, Statement, Verdict
from trials.dates import DateParseError, PartialDate
from trials.labels import country_name, date_type_label, status_label

FIELD_LABELS = {
    "overall_status": gettext_lazy("Registry status"),
    "last_known_status": gettext_lazy("Last known status"),
    "verification_date": gettext_lazy("Last verified"),
    "start_date": gettext_lazy("Start date"),
    "start_date_type": gettext_lazy("Start date is"),
    "completion_date": gettext_lazy("Completion date"),
    "completion_date_type": gettext_lazy("Completion date is"),
    "results_posted": gettext_lazy("Results on the registry"),
    "publication": gettext_lazy("Result publication"),
    "results_due": gettext_lazy("Results due by"),
    "last_update_posted": gettext_lazy("Record last updated"),
    "enrollment": gettext_lazy("Participants"),
    "phases": gettext_lazy("Phase"),
    "locations": gettext_lazy("Study sites"),
    "design": gettext_lazy("Design"),
    "allocation": gettext_lazy("Allocation"),
    "masking": gettext_lazy("Blinding"),
    "interventions": gettext_lazy("Interventions"),
    "lead_sponsor": gettext_lazy("Sponsor"),
    "record": gettext_lazy("Registry record"),
}
DATE_FIELDS = {
    "start_date",
    "completion_date",
    "verification_date",
    "results_due",
    "last_update_posted",
}
STATUS_FIELDS = {"overall_status", "last_known_status"}


def history_url(nct_id: str) -> str:
    try:
        return reverse("trials_history", args=[nct_id])
    except NoReverseMatch:
        return ""


def _day(value: str) -> str:
    try:
        date = PartialDate.from_iso(value)
    except DateParseError:
        return value
    return date.format() if date else value


def registry_value(field: str, value) -> str:
    """A registry value as an editor reads it, in the active language."""
    if value is None or value == "" or value == []:
        return _("not given")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in STATUS_FIELDS:
        return f"{status_label(value)} ({value})"
    if field in DATE_FIELDS and isinstance(value, str):
        return _day(value)
    if field.endswith("_type") and isinstance(value, str):
        return date_type_label(value) or value
    if field == "locations" and isinstance(value, dict):
        countries = "、".join(country_name(c) for c in value.get("countries") or [])
        return _("%(countries)s; %(sites)s site(s)") % {
            "countries": countries or _("not given"),
            "sites": value.get("site_count", "?"),
        }
    if field == "design" and isinstance(value, dict):
        words = [
            table[value[key]][0]
            for key, table in (("allocation", ALLOCATION_WORDS), ("masking", MASKING_WORDS))
            if value.get(key) in table
        ]
        return "、".join(words) or _("not given")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def evidence_rows(finding: Finding) -> list[dict]:
    nct_id = finding.statement.nct_id
    url = history_url(nct_id)
    rows = []
    for item in finding.evidence or []:
        field = item.get("field", "")
        publication = item.get("publication")
        rows.append(
            {
                "field": field,
                "label": FIELD_LABELS.get(field, field),
                "value": registry_value(field, item.get("registry_value")),
                "raw": item.get("registry_value"),
                "version_date": item.get("version_date", ""),
                "last_seen_date": item.get("last_seen_date", ""),
                "history_url": url if item.get("version_date") else "",
                "publication": publication,
                "pubmed_url": (
                    f"https://pubmed.ncbi.nlm.nih.gov/{publication['pmid']}/"
                    if publication and publication.get("pmid")
                    else ""
                ),
                "note": item.get("note", ""),
            }
        )
    return rows


def highlighted_sentence(statement: Statement):
    """The sentence with the claim's words in <mark>, everything escaped."""
    sentence, claim = statement.sentence, statement.claim_text
    at = sentence.find(claim) if claim else -1
    if at < 0:
        return format_html("{}", sentence)
    return format_html("{}<mark>{}</mark>{}", sentence[:at], claim, sentence[at + len(claim) :])


def replacement_for(finding: Finding) -> str:
    """The suggestion in the page's own language: what "accept" puts in the draft.

    Empty when the suggestion is advice to the editor rather than wording for readers.
    """
    if suggestion_is_advice(finding):
        return ""
    if finding.statement.language.startswith("en"):
        return finding.suggestion_en
    return finding.suggestion_zh


def finding_row(finding: Finding, *, siblings: int = 0, dismissal: Dismissal | None = None):
    statement = finding.statement
    return {
        "finding": finding,
        "statement": statement,
        "sentence": highlighted_sentence(statement),
        "kind": statement.get_kind_display(),
        "verdict": finding.verdict,
        "verdict_label": finding.get_verdict_display(),
        "evidence": evidence_rows(finding),
        "replacement": replacement_for(finding),
        "is_english": statement.language.startswith("en"),
        "history_url": history_url(statement.nct_id),
        "siblings": siblings,
        "dismissal": dismissal,
        "is_open": (
            finding.is_flagged
            and not finding.dismissed
            and finding.accepted_at is None
            and statement.state == Statement.State.ACTIVE
        ),
    }


FILTERS = {
    "open": gettext_lazy("Needs a decision"),
    "dismissed": gettext_lazy("Dismissed"),
    "accepted": gettext_lazy("Accepted, awaiting review"),
    "current": gettext_lazy("Matches the registry"),
}


def findings_for(show: str):
    base = Finding.objects.select_related("statement__page", "accepted_revision")
    active = base.filter(statement__state=Statement.State.ACTIVE)
    if show == "dismissed":
        return active.flagged().filter(dismissed=True)
    if show == "accepted":
        return base.filter(accepted_at__isnull=False)
    if show == "current":
        return active.filter(verdict=Verdict.CURRENT)
    return base.open()


def filter_counts() -> dict[str, int]:
    return {key: findings_for(key).count() for key in FILTERS}


def queue_groups(findings, *, user) -> list[dict]:
    """Findings grouped by page; pages with the newest finding first."""
    findings = list(
        findings.order_by(
            "-first_found_on", "statement__page_id", "statement__paragraph", "statement__start"
        )
    )
    open_by_sentence: dict[tuple, int] = {}
    for finding in Finding.objects.open().select_related("statement"):
        s = finding.statement
        key = (s.page_id, s.block_id, s.sentence)
        open_by_sentence[key] = open_by_sentence.get(key, 0) + 1
    latest_dismissal = {}
    for dismissal in Dismissal.objects.filter(
        statement__in=[f.statement_id for f in findings]
    ).select_related("user"):
        latest_dismissal.setdefault(dismissal.statement_id, dismissal)
    groups: OrderedDict[int, dict] = OrderedDict()
    for finding in findings:
        statement = finding.statement
        if statement.page_id not in groups:
            groups[statement.page_id] = _page_group(statement.page, user=user)
        key = (statement.page_id, statement.block_id, statement.sentence)
        siblings = max(open_by_sentence.get(key, 0) - 1, 0)
        groups[statement.page_id]["rows"].append(
            finding_row(
                finding,
                siblings=siblings,
                dismissal=latest_dismissal.get(statement.pk),
            )
        )
    return list(groups.values())


def _language_name(code: str) -> str:
    from django.conf import settings

    return dict(settings.LANGUAGES).get(code, code)


def _page_group(page, *, user) -> dict:
    specific = page.specific
    info = PageFreshness.objects.filter(page=page).first()
    state = specific.current_workflow_state
    return {
        "page": specific,
        "language": _language_name(page.locale.language_code if page.locale_id else ""),
        "can_edit": page.permissions_for_user(user).can_edit(),
        "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        "live_url": specific.get_url() if specific.live else "",
        "freshness": info,
        "workflow_state": state,
        "rows": [],
    }
