"""Shape findings for the command's JSON, the review queue and readers' pages."""

from __future__ import annotations

from freshness.actions import CheckedStatement


def page_path(page) -> str:
    url = page.get_url() if page else None
    return url or (page.url_path if page else "")


def statement_row(item: CheckedStatement) -> dict:
    """One statement as `check_freshness --format json` prints it."""
    statement, finding = item.statement, item.finding
    page = statement.page
    return {
        "page": page_path(page),
        "page_title": page.title,
        "page_id": page.pk,
        "language": statement.language,
        "nct_id": statement.nct_id,
        "kind": statement.kind,
        "claim_text": statement.claim_text,
        "sentence": statement.sentence,
        "claimed": statement.claimed,
        "verdict": finding.verdict,
        "reason_zh": finding.reason_zh,
        "reason_en": finding.reason_en,
        "evidence": finding.evidence,
        "suggestion_zh": finding.suggestion_zh,
        "suggestion_en": finding.suggestion_en,
        "results_overdue": finding.results_overdue,
        "record_stale": finding.record_stale,
        "dismissed": finding.dismissed,
        "newly_flagged": item.newly_flagged,
        "checked_on": finding.checked_on.isoformat(),
    }
