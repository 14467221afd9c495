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
from freshness.pages import checked_pages, review_roots
from freshness.paragraphs import paragraph_blocks
from freshness.suggestions import suggest
from literature.queries import links_by_trial
from trials.models import Trial
from trials.queries import read_trials
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
        if statement.origin == Statement.Origin.EXTRACTED:
            statement.nct_id = claim.nct_id
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
    """Stored versions (oldest first) and result publications for each trial that has any,
    read by trials' and literature's own readers (the ones the card uses)."""
    nct_ids = sorted({nct_id.upper() for nct_id in nct_ids})
    rows = read_trials(
        Trial.objects.filter(nct_id__in=nct_ids).only(
            "id", "nct_id", "current_version", "record_date"
        ),
        locations=False,
    )
    links = links_by_trial(rows)
    facts = {}
    for nct_id, row in rows.items():
        found = facts_from_rows(row.trial, row.versions, links.get(nct_id, []))
        if found is not None:
            facts[nct_id] = found
    return facts


def facts_from_rows(trial: Trial, versions: Iterable, links: Iterable) -> TrialFacts | None:
    """A trial's facts from rows already read: its `TrialVersion`s ordered by snapshot date
    then id, and its `TrialPublication` links with their publication. None without versions.

    Pure (no queries), so a page render can share one read of the rows between a trial's
    card, its timeline and its flags.
    """
    ordered = [
        RecordVersion(
            record=TrialRecord.from_dict(version.fields),
            snapshot_date=version.snapshot_date.isoformat(),
            version_id=version.pk,
            last_seen_date=version.last_seen_date.isoformat() if version.last_seen_date else "",
        )
        for version in versions
    ]
    if not ordered:
        return None
    current = trial.current_version_id
    if current and ordered[-1].version_id != current:
        ordered = [v for v in ordered if v.version_id != current] + [
            v for v in ordered if v.version_id == current
        ]
    publications: list[ResultPublication] = []
    for link in links:
        if not link.is_result or link.publication.is_retracted:
            continue
        pub = link.publication
        entry = ResultPublication(
            pmid=pub.pmid,
            title=pub.title,
            journal=pub.journal_abbreviation or pub.journal,
            year=pub.year,
        )
        if entry not in publications:
            publications.append(entry)
    return TrialFacts(
        nct_id=trial.nct_id,
        versions=tuple(ordered),
        publications=tuple(sorted(publications, key=lambda p: -(p.year or 0))),
        checked_on=trial.record_date.isoformat() if trial.record_date else "",
    )


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
        state=CheckRun.State.IMPORTING,
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
        run.fail(str(exc))
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
        page_ids |= set(checked_pages().values_list("pk", flat=True))
    else:
        page_ids |= {page.pk for page in pages}
    _update_pages(today=today, page_ids=page_ids)
    run.statements, run.flagged, run.newly_flagged = len(statements), flagged, newly
    run.finish(fields=CheckRun.COUNTS)
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


# --- Editors' review: accept, dismiss, statement editing, medical review, digest -----------
#
# Everything an editor does from the review queue. Accepting never publishes: it writes a
# draft revision and submits it to the medical review workflow, so a medical reviewer approves
# every changed sentence before readers see it.

REVIEW_GROUP = "医学审核员"
REVIEW_TASK = "医学审核"
REVIEW_WORKFLOW = "医学审核流程"
DIGEST_GROUPS = ("Editors", "Moderators")


class ReviewError(Exception):
    """A plain-language reason an editor's action cannot be done; nothing was saved."""


def _today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _require_edit(page: Page, user) -> None:
    from django.utils.translation import gettext as _

    if user is None or not page.permissions_for_user(user).can_edit():
        raise ReviewError(
            _("You do not have permission to edit the page “%(title)s”.") % {"title": page.title}
        )


def _recheck(page: Page, today: dt.date | None) -> None:
    run_checks(today=_today_or(today), pages=[page])


@transaction.atomic
def ensure_review_workflow():
    """The medical reviewers' group, task and workflow, assigned to every review root (the
    handbook's index pages, `FRESHNESS_REVIEW_ROOT_MODELS`).

    Idempotent. A root that an administrator has given another workflow keeps it. The task and
    workflow are switched back on if someone switched them off: a workflow without an active
    task would publish an accepted suggestion at once, skipping medical review.
    """
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import (
        GroupApprovalTask,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    group, _ = Group.objects.get_or_create(name=REVIEW_GROUP)
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if access is not None:
        group.permissions.add(access)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK, active=True)
    elif not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.add(group)
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW, active=True)
    elif not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore",
        content_type__model="page",
        codename__in=["change_page", "publish_page"],
    )
    for root in review_roots():
        WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": workflow})
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    return workflow


def _submit_for_review(page: Page, user):
    """Start the page's workflow on its newest revision (restarting one already running)."""
    from django.utils.translation import gettext as _

    ensure_review_workflow()
    page = Page.objects.get(pk=page.pk).specific
    workflow = page.get_workflow()
    if workflow is None:
        raise ReviewError(
            _("Workflows are switched off on this site, so the change cannot be sent for review.")
        )
    running = page.current_workflow_state
    if running is not None:
        running.cancel(user=user)
    return workflow.start(page, user)


def _replace_sentence(content, statement: Statement, replacement: str) -> None:
    """Swap the sentence in its paragraph block's HTML, or refuse without touching anything.

    Only a sentence written as plain text in the HTML is replaced; one with bold, a link or an
    entity inside would lose that markup, so the editor is asked to change it by hand.
    """
    import html

    from django.utils.translation import gettext as _
    from wagtail.rich_text import RichText

    body = getattr(content, "body", None)
    index = next(
        (
            i
            for i, child in enumerate(body or [])
            if child.id == statement.block_id and child.block_type == "paragraph"
        ),
        None,
    )
    if index is None:
        raise ReviewError(
            _(
                "The paragraph with this sentence is no longer on the page (it was edited since "
                "the check). Run the check again or edit the page by hand."
            )
        )
    child = body[index]
    source = child.value.source if hasattr(child.value, "source") else str(child.value)
    for candidate in dict.fromkeys(
        [html.escape(statement.sentence, quote=False), html.escape(statement.sentence)]
    ):
        count = source.count(candidate)
        if count > 1:
            raise ReviewError(
                _(
                    "This sentence appears more than once in its paragraph, so it cannot be "
                    "replaced automatically. Please edit the page by hand."
                )
            )
        if count == 1:
            new_source = source.replace(candidate, html.escape(replacement, quote=False))
            body[index] = ("paragraph", RichText(new_source), child.id)
            return
    raise ReviewError(
        _(
            "This sentence contains formatting or a link (bold, italic, a link or a special "
            "character), so replacing it automatically would lose that. Please edit the "
            "sentence by hand in the page editor."
        )
    )


def suggestion_is_advice(finding: Finding) -> bool:
    """True when the "suggestion" advises the editor (no stored record) instead of rewording.

    Such advice must never be written into a page, so it cannot be accepted as it stands.
    """
    return any(item.get("field") == "record" for item in finding.evidence or [])


@transaction.atomic
def accept_finding(
    *, finding: Finding, user, text: str | None = None, today: dt.date | None = None
):
    """Write the suggestion (or the editor's `text`) into a draft and send it to medical review.

    The live page is untouched until a medical reviewer approves the draft. Other claims in the
    replaced sentence are marked superseded: their words are gone from the draft.
    """
    from django.utils.translation import gettext as _

    finding = Finding.objects.select_for_update().select_related("statement").get(pk=finding.pk)
    statement = finding.statement
    if finding.accepted_at is not None:
        raise ReviewError(_("This suggestion has already been accepted."))
    if statement.state != Statement.State.ACTIVE or not finding.is_flagged:
        raise ReviewError(_("This finding is no longer open."))
    suggestion = (
        finding.suggestion_en if statement.language.startswith("en") else finding.suggestion_zh
    )
    if text is None and suggestion_is_advice(finding):
        raise ReviewError(
            _(
                "No registry record is stored for this trial, so there is no wording to accept. "
                "Use “Edit, then accept” to write the sentence yourself, or edit the page."
            )
        )
    replacement = (suggestion if text is None else text).strip()
    if not replacement:
        raise ReviewError(_("There is no wording to put in place of the sentence."))
    page = statement.page.specific
    _require_edit(page, user)
    lock = page.get_lock()
    from wagtail.locks import WorkflowLock

    if lock is not None and not isinstance(lock, WorkflowLock) and lock.for_user(user):
        raise ReviewError(
            _("The page “%(title)s” is locked; ask whoever locked it, then try again.")
            % {"title": page.title}
        )
    content = page.get_latest_revision_as_object()
    _replace_sentence(content, statement, replacement)
    revision = content.save_revision(user=user, log_action=True)
    _submit_for_review(page, user)
    finding.accepted_at = timezone.now()
    finding.accepted_revision = revision
    finding.save(update_fields=["accepted_at", "accepted_revision"])
    Statement.objects.active().filter(
        page=page, block_id=statement.block_id, sentence=statement.sentence
    ).exclude(pk=statement.pk).update(state=Statement.State.SUPERSEDED)
    _recheck(page, today)
    return revision


@transaction.atomic
def dismiss_finding(*, finding: Finding, user, reason: str, today: dt.date | None = None):
    """Keep the sentence; not raised again until the trial's record changes."""
    from django.utils.translation import gettext as _

    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Please say why this finding needs no change."))
    finding = Finding.objects.select_related("statement__page").get(pk=finding.pk)
    if not finding.is_flagged:
        raise ReviewError(_("This statement matches the registry; there is nothing to dismiss."))
    _require_edit(finding.statement.page, user)
    dismissal = Dismissal.objects.create(
        statement=finding.statement,
        verdict=finding.verdict,
        record_hash=finding.record_hash,
        reason=reason,
        user=user,
    )
    finding.dismissed = True
    finding.save(update_fields=["dismissed"])
    _recheck(finding.statement.page, today)
    return dismissal


@transaction.atomic
def confirm_statement(*, statement: Statement, user, today: dt.date | None = None) -> Statement:
    """An editor has checked the claim and vouches for it as of today."""
    _require_edit(statement.page, user)
    statement.written_on = _today_or(today)
    statement.confirmed_by = user
    statement.save(update_fields=["written_on", "confirmed_by", "updated_at"])
    _recheck(statement.page, today)
    return statement


def _validate_nct_id(nct_id: str) -> str:
    from django.utils.translation import gettext as _

    from core.identifiers import parse_nct

    trial_id = parse_nct(nct_id or "")
    if trial_id is None:
        raise ReviewError(_("An NCT number is 'NCT' followed by 8 digits, e.g. NCT00962923."))
    return trial_id.value


@transaction.atomic
def correct_statement(
    *,
    statement: Statement,
    user,
    kind: str,
    nct_id: str,
    claimed: dict,
    today: dt.date | None = None,
) -> Statement:
    """Fix how a claim was read (its kind, trial or value), keeping it pinned to the same words.

    A corrected statement becomes the editor's (origin EDITOR), because extraction rewrites the
    reading of statements it found itself. A change of kind retires the old reading (DELETED,
    so extraction does not bring it back) and adds the editor's as a new statement.
    """
    from django.utils.translation import gettext as _

    _require_edit(statement.page, user)
    nct_id = _validate_nct_id(nct_id)
    if kind == statement.kind:
        statement.nct_id = nct_id
        statement.claimed = claimed
        statement.origin = Statement.Origin.EDITOR
        statement.state = Statement.State.ACTIVE
        statement.confirmed_by = user
        statement.save()
        _recheck(statement.page, today)
        return statement
    clash = Statement.objects.filter(
        page=statement.page,
        block_id=statement.block_id,
        kind=kind,
        claim_text=statement.claim_text,
        start=statement.start,
    ).first()
    if clash is not None and clash.state == Statement.State.ACTIVE:
        raise ReviewError(_("These words already have a statement of that kind."))
    corrected = clash or Statement(
        page=statement.page,
        block_id=statement.block_id,
        kind=kind,
        claim_text=statement.claim_text,
        start=statement.start,
    )
    corrected.paragraph = statement.paragraph
    corrected.end = statement.end
    corrected.sentence = statement.sentence
    corrected.language = statement.language
    corrected.nct_id = nct_id
    corrected.claimed = claimed
    corrected.written_on = statement.written_on
    corrected.origin = Statement.Origin.EDITOR
    corrected.state = Statement.State.ACTIVE
    corrected.confirmed_by = user
    corrected.save()
    statement.state = Statement.State.DELETED
    statement.save(update_fields=["state", "updated_at"])
    _recheck(statement.page, today)
    return corrected


@transaction.atomic
def delete_statement(*, statement: Statement, user, today: dt.date | None = None) -> Statement:
    """Not a claim about a trial after all: stop checking it (extraction will not re-add it)."""
    _require_edit(statement.page, user)
    statement.state = Statement.State.DELETED
    statement.save(update_fields=["state", "updated_at"])
    _recheck(statement.page, today)
    return statement


@transaction.atomic
def restore_statement(*, statement: Statement, user, today: dt.date | None = None) -> Statement:
    """Undo a deletion."""
    _require_edit(statement.page, user)
    statement.state = Statement.State.ACTIVE
    statement.save(update_fields=["state", "updated_at"])
    _recheck(statement.page, today)
    return statement


@transaction.atomic
def add_statement(
    *,
    page: Page,
    block_id: str,
    claim_text: str,
    kind: str,
    nct_id: str,
    claimed: dict,
    user,
    today: dt.date | None = None,
) -> Statement:
    """A claim extraction missed, pinned to words the editor types from one paragraph."""
    from django.utils.translation import gettext as _

    page = page.specific
    _require_edit(page, user)
    nct_id = _validate_nct_id(nct_id)
    claim_text = (claim_text or "").strip()
    content = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    blocks = paragraph_blocks(content)
    position = next((i for i, b in enumerate(blocks) if b.block_id == block_id), None)
    if position is None:
        raise ReviewError(_("That paragraph is not on the page any more."))
    text = blocks[position].text
    start = text.find(claim_text) if claim_text else -1
    if start < 0:
        raise ReviewError(
            _("These words are not in the chosen paragraph; copy them exactly from the text.")
        )
    language = page_language(page)
    s_start, s_end = sentence_span(text, start, language=language)
    statement = Statement.objects.filter(
        page=page, block_id=block_id, kind=kind, claim_text=claim_text, start=start
    ).first()
    if statement is not None and statement.state == Statement.State.ACTIVE:
        raise ReviewError(_("This claim is already being checked."))
    statement = statement or Statement(
        page=page, block_id=block_id, kind=kind, claim_text=claim_text, start=start
    )
    statement.paragraph = position
    statement.end = start + len(claim_text)
    statement.sentence = text[s_start:s_end].strip()
    statement.language = language
    statement.nct_id = nct_id
    statement.claimed = claimed
    statement.written_on = _today_or(today)
    statement.origin = Statement.Origin.EDITOR
    statement.state = Statement.State.ACTIVE
    statement.confirmed_by = user
    statement.save()
    _recheck(page, today)
    return statement


@transaction.atomic
def set_page_notice(*, page: Page, show: bool) -> PageFreshness:
    """Show or hide the "being re-checked" notice readers see while findings are open."""
    info, _ = PageFreshness.objects.get_or_create(page=page)
    info.show_notice = show
    info.save(update_fields=["show_notice"])
    return info


def digest_recipients() -> list[str]:
    """Email addresses of active editors, moderators and superusers."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=DIGEST_GROUPS) | Q(is_superuser=True))
        .exclude(email="")
        .order_by("email")
    )
    return list(dict.fromkeys(users.values_list("email", flat=True)))


def notify_editors(*, run: CheckRun, report: list[CheckedStatement]) -> int:
    """One email to the editors listing what this run newly flagged; returns recipients mailed.

    Nothing is sent when the run found nothing new, so a daily job mails only on change.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import ngettext

    items = [item for item in report if item.newly_flagged]
    recipients = digest_recipients()
    if not items or not recipients:
        return 0
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "run": run,
            "items": items,
            "queue_url": base + reverse("freshness_queue"),
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        }
        subject = ngettext(
            "Trial fact check: %(count)d statement needs attention",
            "Trial fact check: %(count)d statements need attention",
            len(items),
        ) % {"count": len(items)}
        if context["site_name"]:
            subject = f"[{context['site_name']}] {subject}"
        text = render_to_string("freshness/admin/digest_email.txt", context)
        html_body = render_to_string("freshness/admin/digest_email.html", context)
    send_mail(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        html_message=html_body,
    )
    return len(recipients)
