"""Every write of the freshness app: statements from pages, and check runs over them.

Extraction keeps what editors did: a statement an editor deleted is not found again, one an
editor added or confirmed stays, and a claim whose words are unchanged keeps its identity
(and its dismissal) when the text around it moves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from freshness.checks import RecordVersion, ResultPublication, TrialFacts, check
from freshness.extraction import extract_statements, sentence_span
from freshness.models import (
    CheckRun,
    Dismissal,
    Finding,
    PageFreshness,
    Statement,
    Verdict,
)
from freshness.suggestions import suggest
from freshness.text import paragraph_blocks
from trials.models import Trial, TrialVersion
from trials.records import TrialRecord


def page_language(page: Page) -> str:
    return page.locale.language_code if page.locale_id else "zh-hans"


@transaction.atomic
def extract_page(*, page: Page, today: dt.date) -> list[Statement]:
    """Find the claims in the page's newest revision and bring its statements in line.

    The newest revision (draft or live) is what an accepted suggestion edits, so spans are
    taken from it.
    """
    page = page.specific
    content = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    language = page_language(page)
    blocks = paragraph_blocks(content)
    found = extract_statements([block.text for block in blocks], language=language)
    existing = {
        (s.block_id, s.kind, s.claim_text): s
        for s in Statement.objects.filter(page=page).order_by("pk")
    }
    kept: set[int] = set()
    written_on = (page.last_published_at or timezone.now()).date()
    for claim in found:
        block = blocks[claim.paragraph]
        s_start, s_end = sentence_span(block.text, claim.start, language=language)
        sentence = block.text[s_start:s_end].strip()
        key = (block.block_id, claim.kind, claim.claim_text)
        statement = existing.get(key)
        if statement is not None and statement.pk in kept:
            statement = None
        if statement is None:
            statement = Statement(
                page=page,
                block_id=block.block_id,
                kind=claim.kind,
                claim_text=claim.claim_text,
                written_on=min(written_on, today),
            )
        elif statement.state == Statement.State.DELETED:
            kept.add(statement.pk)
            continue
        statement.paragraph = claim.paragraph
        statement.start = claim.start
        statement.end = claim.end
        statement.sentence = sentence
        statement.language = language
        statement.nct_id = claim.nct_id
        if statement.origin == Statement.Origin.EXTRACTED:
            statement.claimed = claim.claimed
        if statement.state == Statement.State.SUPERSEDED:
            statement.state = Statement.State.ACTIVE
        statement.save()
        kept.add(statement.pk)
    texts = {block.block_id: block.text for block in blocks}
    for statement in existing.values():
        if statement.pk in kept:
            continue
        still_there = statement.claim_text in texts.get(statement.block_id, "")
        if statement.origin == Statement.Origin.EDITOR and still_there:
            continue
        if statement.state == Statement.State.DELETED and still_there:
            continue
        statement.delete()
    return list(Statement.objects.filter(page=page).active())


def trial_facts(nct_ids: Iterable[str]) -> dict[str, TrialFacts]:
    """Stored versions (oldest first) and result publications for each trial that has any."""
    from literature.models import TrialPublication

    nct_ids = sorted({nct_id.upper() for nct_id in nct_ids})
    trials = {t.pk: t for t in Trial.objects.filter(nct_id__in=nct_ids)}
    versions: dict[str, list[RecordVersion]] = defaultdict(list)
    for version in TrialVersion.objects.filter(trial_id__in=trials).order_by(
        "trial_id", "snapshot_date", "pk"
    ):
        versions[trials[version.trial_id].nct_id].append(
            RecordVersion(
                record=TrialRecord.from_dict(version.fields),
                snapshot_date=version.snapshot_date.isoformat(),
                version_id=version.pk,
                last_seen_date=version.last_seen_date.isoformat() if version.last_seen_date else "",
            )
        )
    publications: dict[str, list[ResultPublication]] = defaultdict(list)
    for link in TrialPublication.objects.filter(nct_id__in=nct_ids).select_related("publication"):
        if not link.is_result or link.publication.is_retracted:
            continue
        pub = link.publication
        entry = ResultPublication(
            pmid=pub.pmid,
            title=pub.title,
            journal=pub.journal_abbreviation or pub.journal,
            year=pub.year,
        )
        if entry not in publications[link.nct_id]:
            publications[link.nct_id].append(entry)
    facts = {}
    for trial in trials.values():
        if not versions.get(trial.nct_id):
            continue
        current = trial.current_version_id
        ordered = versions[trial.nct_id]
        if current and ordered[-1].version_id != current:
            ordered = [v for v in ordered if v.version_id != current] + [
                v for v in ordered if v.version_id == current
            ]
        facts[trial.nct_id] = TrialFacts(
            nct_id=trial.nct_id,
            versions=tuple(ordered),
            publications=tuple(sorted(publications[trial.nct_id], key=lambda p: -(p.year or 0))),
            checked_on=trial.record_date.isoformat() if trial.record_date else "",
        )
    return facts


@dataclass
class CheckedStatement:
    """One line of a check run's report (the JSON of `check_freshness`)."""

    statement: Statement
    finding: Finding
    newly_flagged: bool


def start_check_run(*, today: dt.date, key: str | None = None) -> CheckRun:
    return CheckRun.objects.create(
        key=key or f"{today.isoformat()}-{uuid.uuid4().hex[:12]}",
        today=today,
        state=CheckRun.State.RUNNING,
    )


def run_checks(
    *, today: dt.date, pages: Iterable[Page] | None = None, key: str | None = None
) -> tuple[CheckRun, list[CheckedStatement]]:
    """Check every active statement (or those on `pages`) and record the run.

    Findings are written in one transaction, so a failed run leaves the previous findings
    in place and the run marked failed with its error.
    """
    run = start_check_run(today=today, key=key)
    try:
        report = _check_all(run=run, today=today, pages=pages)
    except Exception as exc:
        CheckRun.objects.filter(pk=run.pk).update(
            state=CheckRun.State.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run, report


@transaction.atomic
def _check_all(*, run: CheckRun, today: dt.date, pages) -> list[CheckedStatement]:
    statements = Statement.objects.active().select_related("page")
    if pages is not None:
        statements = statements.filter(page__in=[page.pk for page in pages])
    statements = list(statements)
    facts = trial_facts(s.nct_id for s in statements)
    previous = {f.statement_id: f for f in Finding.objects.filter(statement__in=statements)}
    dismissals: dict[int, list[Dismissal]] = defaultdict(list)
    for dismissal in Dismissal.objects.filter(statement__in=statements):
        dismissals[dismissal.statement_id].append(dismissal)
    report = []
    flagged = newly = 0
    for statement in statements:
        trial = facts.get(statement.nct_id)
        result = check(statement.kind, statement.claimed, trial, today=today)
        suggestion = ("", "")
        if result.verdict != Verdict.CURRENT:
            suggestion = suggest(statement.kind, trial, today=today)
        record_hash = trial.content_hash if trial else ""
        old = previous.get(statement.pk)
        finding = old or Finding(statement=statement, first_found_on=today)
        changed = old is None or old.verdict != result.verdict or old.record_hash != record_hash
        if changed:
            finding.first_found_on = today
            finding.accepted_at = None
            finding.accepted_revision = None
        finding.verdict = result.verdict
        finding.reason_zh = result.reason_zh
        finding.reason_en = result.reason_en
        finding.evidence = result.evidence
        finding.suggestion_zh, finding.suggestion_en = suggestion
        finding.results_overdue = result.results_overdue
        finding.record_stale = result.record_stale
        finding.record_hash = record_hash
        finding.checked_on = today
        finding.dismissed = any(
            d.record_hash == record_hash and d.verdict == result.verdict
            for d in dismissals.get(statement.pk, [])
        )
        finding.save()
        is_new = finding.is_flagged and not finding.dismissed and changed
        flagged += finding.is_flagged
        newly += is_new
        report.append(CheckedStatement(statement, finding, is_new))
    page_ids = {s.page_id for s in statements}
    if pages is None:
        from handbook.models import HandbookPage

        page_ids |= set(HandbookPage.objects.values_list("pk", flat=True))
    else:
        page_ids |= {page.pk for page in pages}
    _update_pages(today=today, page_ids=page_ids)
    CheckRun.objects.filter(pk=run.pk).update(
        state=CheckRun.State.READY,
        statements=len(statements),
        flagged=flagged,
        newly_flagged=newly,
        finished_at=timezone.now(),
    )
    return report


def _update_pages(*, today: dt.date, page_ids: set[int]) -> None:
    for page_id in page_ids:
        open_count = Finding.objects.open().filter(statement__page_id=page_id).count()
        PageFreshness.objects.update_or_create(
            page_id=page_id, defaults={"checked_on": today, "open_findings": open_count}
        )


def refresh_page(*, page: Page, today: dt.date) -> CheckRun:
    """Extract then check one page: what runs when a page is imported, saved or published."""
    extract_page(page=page, today=today)
    run, _ = run_checks(today=today, pages=[page])
    return run
