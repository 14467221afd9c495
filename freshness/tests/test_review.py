"""Editors' decisions on findings: accept into a reviewed draft, dismiss, and edit statements.

Runs on the demo page (both bundled snapshots, checked on 2026-11-25), whose claims and
verdicts are pinned by `test_seed_freshness.py`.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from wagtail.models import GroupApprovalTask, Page, Revision, Workflow, WorkflowState

from freshness import actions
from freshness.actions import REVIEW_GROUP, REVIEW_TASK, REVIEW_WORKFLOW, ReviewError
from freshness.models import Dismissal, Finding, PageFreshness, Statement, Verdict
from freshness.paragraphs import paragraph_blocks
from freshness.tests.test_review_fixtures import (  # noqa: F401 (fixtures)
    finding_for,
    review_site_fixture,
    site_fixture,
)
from handbook.models import HandbookPage
from trials.actions import start_run, store_document
from trials.models import Trial
from trials.records import ParsedDocument, TrialRecord

TODAY = dt.date(2026, 11, 25)
LAPSED = "原计划2011年12月完成"  # NCT00962923, outdated: the plan passed unreported
LAPSED_SENTENCE = "此临床试验在中国进行招募，原计划2011年12月完成，目前无试验结果公布。"
LAPSED_EN = "was originally planned to be completed in December 2011"


def _block_text(page, block_id, *, draft: bool) -> str:
    page = Page.objects.get(pk=page.pk).specific
    content = page.get_latest_revision_as_object() if draft else page
    return next(b.text for b in paragraph_blocks(content) if b.block_id == block_id)


def _new_record_version(nct_id: str, **changes) -> None:
    """Store a newer registry version of a trial whose content differs from the current one."""
    trial = Trial.objects.get(nct_id=nct_id)
    fields = {**trial.current_version.fields, **changes}
    store_document(
        run=start_run(kind="files"),
        document=ParsedDocument(
            record=TrialRecord.from_dict(fields),
            source_format=trial.current_version.source_format,
            raw="{}",
            snapshot_date="2026-11-20",
        ),
        source="test",
    )


# --- the medical review workflow -------------------------------------------------------------


def test_migration_and_ensure_set_up_the_medical_review(site):
    group = Group.objects.get(name=REVIEW_GROUP)
    assert group.permissions.filter(codename="access_admin").exists()
    task = GroupApprovalTask.objects.get(name=REVIEW_TASK)
    assert list(task.groups.all()) == [group]
    workflow = Workflow.objects.get(name=REVIEW_WORKFLOW)
    assert list(workflow.tasks) == [task.task_ptr]
    assert site.zh.get_workflow() == workflow
    assert site.en.get_workflow() == workflow
    assert group.page_permissions.filter(permission__codename="publish_page").count() == 2
    actions.ensure_review_workflow()
    assert Workflow.objects.filter(name=REVIEW_WORKFLOW).count() == 1
    assert GroupApprovalTask.objects.filter(name=REVIEW_TASK).count() == 1


def test_ensure_switches_a_disabled_review_step_back_on(site):
    GroupApprovalTask.objects.filter(name=REVIEW_TASK).update(active=False)
    Workflow.objects.filter(name=REVIEW_WORKFLOW).update(active=False)
    actions.ensure_review_workflow()
    assert GroupApprovalTask.objects.get(name=REVIEW_TASK).active
    assert Workflow.objects.get(name=REVIEW_WORKFLOW).active


# --- accept ----------------------------------------------------------------------------------


def test_accept_writes_a_draft_and_sends_it_to_medical_review(site):
    finding = finding_for(LAPSED)
    statement = finding.statement
    assert finding.verdict == Verdict.OUTDATED
    live_before = _block_text(site.zh, statement.block_id, draft=False)
    assert LAPSED_SENTENCE in live_before

    revision = actions.accept_finding(finding=finding, user=site.users["editor"], today=TODAY)

    draft = _block_text(site.zh, statement.block_id, draft=True)
    assert finding.suggestion_zh in draft
    assert LAPSED_SENTENCE not in draft
    assert draft.startswith("一项开放标签的I/II期临床试验（NCT00962923）")
    assert _block_text(site.zh, statement.block_id, draft=False) == live_before
    page = HandbookPage.objects.get(pk=site.zh.pk)
    assert page.has_unpublished_changes and page.latest_revision_id == revision.pk
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == REVIEW_WORKFLOW
    assert state.current_task_state.task.name == REVIEW_TASK
    assert state.current_task_state.revision_id == revision.pk
    finding.refresh_from_db()
    assert finding.accepted_at is not None and finding.accepted_revision_id == revision.pk
    assert not Finding.objects.open().filter(pk=finding.pk).exists()
    same_sentence = Statement.objects.filter(page=page, sentence=LAPSED_SENTENCE).exclude(
        pk=statement.pk
    )
    assert same_sentence.count() >= 3
    assert set(same_sentence.values_list("state", flat=True)) == {Statement.State.SUPERSEDED}
    assert (
        PageFreshness.objects.get(page=page).open_findings
        == Finding.objects.open().filter(statement__page=page).count()
    )


def test_accept_on_the_english_page_uses_the_english_wording(site):
    finding = finding_for(LAPSED_EN, language="en")
    actions.accept_finding(finding=finding, user=site.users["editor"], today=TODAY)
    draft = _block_text(site.en, finding.statement.block_id, draft=True)
    assert finding.suggestion_en in draft
    assert finding.suggestion_zh not in draft
    assert finding.statement.sentence not in draft


def test_edit_then_accept_uses_the_editors_words(site):
    finding = finding_for(LAPSED)
    words = "该试验原计划于2011年12月完成，但注册库至今没有更新（编辑改写）。"
    actions.accept_finding(finding=finding, user=site.users["editor"], text=words, today=TODAY)
    draft = _block_text(site.zh, finding.statement.block_id, draft=True)
    assert words in draft and finding.suggestion_zh not in draft


def test_a_second_acceptance_restarts_review_on_the_newest_draft(site):
    first = finding_for(LAPSED)
    actions.accept_finding(finding=first, user=site.users["editor"], today=TODAY)
    second = finding_for("预计将于2022年1月完成")
    revision = actions.accept_finding(finding=second, user=site.users["editor"], today=TODAY)
    draft = _block_text(site.zh, second.statement.block_id, draft=True)
    assert second.suggestion_zh in draft
    assert first.suggestion_zh in _block_text(site.zh, first.statement.block_id, draft=True)
    states = WorkflowState.objects.for_instance(site.zh)
    assert states.filter(status=WorkflowState.STATUS_CANCELLED).count() == 1
    running = states.get(status=WorkflowState.STATUS_IN_PROGRESS)
    assert running.current_task_state.revision_id == revision.pk


def test_sentence_with_inline_markup_is_refused_and_nothing_is_saved(site):
    page = HandbookPage.objects.get(pk=site.zh.pk)
    finding = finding_for(LAPSED)
    block_id = finding.statement.block_id
    for index, child in enumerate(page.body):
        if child.id == block_id:
            source = child.value.source.replace("2011年12月", "<b>2011年12月</b>")
            page.body[index] = ("paragraph", child.block.to_python(source), child.id)
    page.save_revision(user=site.users["admin"]).publish()
    actions.extract_page(page=page, today=TODAY)
    actions.run_checks(today=TODAY, pages=[page])
    finding = finding_for(LAPSED)
    assert finding.statement.sentence == LAPSED_SENTENCE
    revisions = Revision.objects.count()

    with pytest.raises(ReviewError, match="带有格式或链接"):
        actions.accept_finding(finding=finding, user=site.users["editor"], today=TODAY)

    assert Revision.objects.count() == revisions
    assert not WorkflowState.objects.for_instance(page).exists()
    finding.refresh_from_db()
    assert finding.accepted_at is None
    assert Finding.objects.open().filter(pk=finding.pk).exists()


def test_accept_needs_edit_permission_and_an_open_finding(site):
    finding = finding_for(LAPSED)
    with pytest.raises(ReviewError):
        actions.accept_finding(finding=finding, user=site.users["viewer"], today=TODAY)
    current = Finding.objects.filter(verdict=Verdict.CURRENT).first()
    with pytest.raises(ReviewError):
        actions.accept_finding(finding=current, user=site.users["editor"], today=TODAY)
    assert not WorkflowState.objects.exists()


# --- dismiss ---------------------------------------------------------------------------------


def test_dismissal_is_kept_and_holds_until_the_record_changes(site):
    finding = finding_for("正在评估")  # NCT00962923 status: the registry says "unknown"
    actions.dismiss_finding(
        finding=finding, user=site.users["editor"], reason="注册库状态不明，原文已说明", today=TODAY
    )
    dismissal = Dismissal.objects.get(statement=finding.statement)
    assert dismissal.reason == "注册库状态不明，原文已说明"
    assert (dismissal.verdict, dismissal.record_hash) == (finding.verdict, finding.record_hash)
    assert not Finding.objects.open().filter(pk=finding.pk).exists()

    actions.run_checks(today=TODAY + dt.timedelta(days=1))
    assert not Finding.objects.open().filter(pk=finding.pk).exists()

    _new_record_version("NCT00962923", last_update_posted="2026-11-01")
    actions.run_checks(today=TODAY + dt.timedelta(days=2))
    finding.refresh_from_db()
    assert finding.record_hash != dismissal.record_hash
    assert not finding.dismissed
    assert finding.first_found_on == TODAY + dt.timedelta(days=2)
    assert Finding.objects.open().filter(pk=finding.pk).exists()


def test_dismissal_needs_a_reason(site):
    finding = finding_for("正在评估")
    with pytest.raises(ReviewError):
        actions.dismiss_finding(finding=finding, user=site.users["editor"], reason="  ")
    assert not Dismissal.objects.exists()
    assert Finding.objects.open().filter(pk=finding.pk).exists()


# --- statements ------------------------------------------------------------------------------


def test_confirm_records_who_and_when(site):
    statement = Statement.objects.get(
        page=site.zh, nct_id="NCT00962923", kind="design", claim_text="开放标签"
    )
    assert statement.confirmed_by is None
    actions.confirm_statement(statement=statement, user=site.users["editor"], today=TODAY)
    statement.refresh_from_db()
    assert statement.written_on == TODAY
    assert statement.confirmed_by == site.users["editor"]


def test_deleted_statement_is_not_checked_nor_found_again(site):
    finding = finding_for("从脐带获得")
    actions.delete_statement(statement=finding.statement, user=site.users["editor"], today=TODAY)
    assert not Finding.objects.open().filter(pk=finding.pk).exists()
    actions.extract_page(page=site.zh, today=TODAY)
    statement = Statement.objects.get(pk=finding.statement.pk)
    assert statement.state == Statement.State.DELETED
    assert Statement.objects.filter(page=site.zh, claim_text="从脐带获得").count() == 1
    actions.restore_statement(statement=statement, user=site.users["editor"], today=TODAY)
    assert Finding.objects.open().filter(pk=finding.pk).exists()


def test_added_statement_is_checked_and_survives_extraction(site):
    block = next(b for b in paragraph_blocks(site.zh) if "NCT02213705" in b.text)
    statement = actions.add_statement(
        page=site.zh,
        block_id=block.block_id,
        claim_text="法国",
        kind="location",
        nct_id="nct02213705",
        claimed={"countries": ["France"], "site_count": None},
        user=site.users["editor"],
        today=TODAY,
    )
    assert statement.origin == Statement.Origin.EDITOR
    assert (statement.start, statement.nct_id) == (0, "NCT02213705")
    assert statement.sentence == block.text[: block.text.index("。") + 1]
    assert statement.finding.verdict == Verdict.CURRENT
    actions.extract_page(page=site.zh, today=TODAY)
    assert Statement.objects.get(pk=statement.pk).state == Statement.State.ACTIVE

    wrong = actions.add_statement(
        page=site.zh,
        block_id=block.block_id,
        claim_text="法国一项开放标签",
        kind="location",
        nct_id="NCT02213705",
        claimed={"countries": ["Germany"], "site_count": None},
        user=site.users["editor"],
        today=TODAY,
    )
    assert Finding.objects.get(statement=wrong).verdict == Verdict.CONTRADICTS_REGISTRY
    with pytest.raises(ReviewError):
        actions.add_statement(
            page=site.zh,
            block_id=block.block_id,
            claim_text="德国",
            kind="location",
            nct_id="NCT02213705",
            claimed={"countries": ["Germany"]},
            user=site.users["editor"],
        )


def test_correction_is_kept_by_later_extraction(site):
    finding = finding_for("预计将于2022年1月完成")
    assert finding.verdict == Verdict.CONTRADICTS_REGISTRY
    actions.correct_statement(
        statement=finding.statement,
        user=site.users["editor"],
        kind="completion_date",
        nct_id="NCT02213705",
        claimed={"date": "2019-06", "date_type": "ESTIMATED"},
        today=TODAY,
    )
    actions.extract_page(page=site.zh, today=TODAY)
    actions.run_checks(today=TODAY, pages=[site.zh])
    statement = Statement.objects.get(pk=finding.statement.pk)
    assert statement.claimed == {"date": "2019-06", "date_type": "ESTIMATED"}
    assert statement.origin == Statement.Origin.EDITOR
    assert statement.finding.verdict == Verdict.OUTDATED  # June 2019 was planned; it passed


def test_correcting_the_kind_retires_the_old_reading(site):
    old = finding_for("从脐带获得").statement
    new = actions.correct_statement(
        statement=old,
        user=site.users["editor"],
        kind="sponsor",
        nct_id="NCT00962923",
        claimed={"name": "Shanghai"},
        today=TODAY,
    )
    assert Statement.objects.get(pk=old.pk).state == Statement.State.DELETED
    assert new.pk != old.pk and new.kind == "sponsor" and new.claim_text == old.claim_text
    actions.extract_page(page=site.zh, today=TODAY)
    assert Statement.objects.get(pk=old.pk).state == Statement.State.DELETED
    assert Statement.objects.get(pk=new.pk).state == Statement.State.ACTIVE


def test_page_notice_toggle(site):
    info = actions.set_page_notice(page=site.zh, show=True)
    assert PageFreshness.objects.get(page=site.zh).show_notice
    assert info.open_findings > 0
    actions.set_page_notice(page=site.zh, show=False)
    assert not PageFreshness.objects.get(page=site.zh).show_notice


# --- the digest ------------------------------------------------------------------------------


def _check(**options) -> str:
    out = io.StringIO()
    call_command("check_freshness", today="2026-11-26", stdout=out, **options)
    return out.getvalue()


def test_digest_goes_once_to_editors_when_something_is_new(site, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://handbook.example.org"
    mail.outbox.clear()
    Finding.objects.all().delete()  # as on the first check of a new site: all findings new

    output = _check()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == [
        "admin@example.org",
        "editor@example.org",
        "moderator@example.org",
    ]
    assert "试验信息核对" in message.subject and "14" in message.subject
    assert "https://handbook.example.org/admin/freshness/" in message.body
    assert LAPSED_SENTENCE in message.body
    assert finding_for(LAPSED).suggestion_zh in message.body
    assert "间充质干细胞" in message.body and "Mesenchymal stem cells" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"<mark>{LAPSED}</mark>" in html
    assert "3" in output.splitlines()[-1]

    _check()
    assert len(mail.outbox) == 1  # nothing new on the second run


def test_no_digest_with_no_email_or_without_recipients(site):
    mail.outbox.clear()
    Finding.objects.all().delete()
    _check(no_email=True)
    assert mail.outbox == []
    Finding.objects.all().delete()
    for user in site.users.values():
        user.email = ""
        user.save()
    _check()
    assert mail.outbox == []


def test_advice_without_a_record_cannot_be_accepted_as_wording(site):
    block = next(b for b in paragraph_blocks(site.zh) if "NCT02213705" in b.text)
    statement = actions.add_statement(
        page=site.zh,
        block_id=block.block_id,
        claim_text="法国",
        kind="location",
        nct_id="NCT99999999",
        claimed={"countries": ["France"], "site_count": None},
        user=site.users["editor"],
        today=TODAY,
    )
    finding = Finding.objects.get(statement=statement)
    assert finding.verdict == Verdict.CANNOT_VERIFY and actions.suggestion_is_advice(finding)
    with pytest.raises(ReviewError):
        actions.accept_finding(finding=finding, user=site.users["editor"], today=TODAY)
    assert not WorkflowState.objects.exists()


def test_accept_sets_up_the_review_workflow_on_a_site_without_it(site):
    from wagtail.models import WorkflowPage

    WorkflowPage.objects.filter(workflow__name=REVIEW_WORKFLOW).delete()
    assert site.zh.get_workflow().name != REVIEW_WORKFLOW
    actions.accept_finding(finding=finding_for(LAPSED), user=site.users["editor"], today=TODAY)
    state = HandbookPage.objects.get(pk=site.zh.pk).current_workflow_state
    assert state.workflow.name == REVIEW_WORKFLOW
