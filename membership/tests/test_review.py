"""The reviewers' side in the Wagtail admin: queue, application, decision, audit log."""

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from membership import actions, storage
from membership.models import Application, AuditEntry, Status
from membership.uploads import clean_proof

from . import samples
from .conftest import sample_details, upload
from .test_uploads import active_parts


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_reviewer_group_has_exactly_the_review_and_admin_permissions(db):
    group = Group.objects.get(name="入群审核员")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"access_admin", "review_application"} <= codenames
    # Nothing that edits content (Wagtail itself adds "choose" permissions to every group).
    assert not [name for name in codenames if name.startswith(("add_", "change_", "delete_"))]
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(codename="review_application").exists()


def test_queue_lists_open_applications_with_their_details(db, submitted, reviewer):
    application, _ = submitted
    html = login(reviewer).get("/admin/membership/").content.decode()
    assert "小贝壳" in html and "四川 成都" in html and "系统性硬化症，弥漫型" in html
    assert f"/admin/membership/{application.pk}/" in html
    assert "有 1 份申请等待审核" in html


def test_opening_an_application_is_logged_and_shows_everything(db, submitted, reviewer):
    application, _ = submitted
    html = login(reviewer).get(f"/admin/membership/{application.pk}/").content.decode()
    assert "shell_2024" in html and "四川大学华西医院" in html and "2019" in html
    assert f'src="/admin/membership/{application.pk}/proof/"' in html
    entry = AuditEntry.objects.get(action="viewed_details")
    assert entry.actor == reviewer and entry.application_number == application.pk


def test_reviewer_approves_and_the_decision_is_logged(db, submitted, reviewer):
    application, _ = submitted
    response = login(reviewer).post(
        f"/admin/membership/{application.pk}/", {"decision": "approve", "message": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/membership/"
    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.decided_by == reviewer
    assert application.purge_after == timezone.localdate() + timezone.timedelta(days=30)
    assert AuditEntry.objects.filter(action="approved", actor=reviewer).count() == 1


def test_rejection_needs_a_reason(db, submitted, reviewer):
    application, _ = submitted
    response = login(reviewer).post(
        f"/admin/membership/{application.pk}/", {"decision": "reject", "message": ""}
    )
    assert response.status_code == 200
    assert "请写明原因或缺少什么" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert not AuditEntry.objects.filter(action="rejected").exists()


def test_a_decided_application_cannot_be_decided_again(db, submitted, reviewer):
    application, _ = submitted
    client = login(reviewer)
    client.post(f"/admin/membership/{application.pk}/", {"decision": "approve", "message": ""})
    response = client.post(
        f"/admin/membership/{application.pk}/",
        {"decision": "reject", "message": "改主意"},
        follow=True,
    )
    assert "这份申请已经有了决定" in response.content.decode()
    assert Application.objects.get().status == Status.APPROVED


def test_pdf_proof_is_served_sandboxed_for_reviewers(db, reviewer):
    proof = clean_proof(samples.certificate_pdf())
    application, _ = actions.submit_application(
        details=sample_details(), proof=proof, language="zh-hans", now=timezone.now()
    )
    response = login(reviewer).get(f"/admin/membership/{application.pk}/proof/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == proof.content
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="application-{application.pk}.pdf"'
    )
    assert response["Content-Security-Policy"].endswith("; sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_uploaded_pdf_with_link_and_script_is_stored_inert(client, db, reviewer):
    from .test_public_pages import apply

    apply(client, proof=upload("证明.pdf", samples.pdf_with_link_and_script(), "application/pdf"))
    application = Application.objects.get()
    stored = storage.read(application.proof_name)
    assert application.proof_type == "application/pdf"
    assert active_parts(stored) == set()
    assert b"evil.example" not in stored and b"launchURL" not in stored
    served = login(reviewer).get(f"/admin/membership/{application.pk}/proof/")
    assert served.content == stored and served["Content-Security-Policy"].endswith("; sandbox")


def test_audit_log_page_lists_entries_without_personal_data(db, submitted, reviewer):
    application, _ = submitted
    client = login(reviewer)
    client.get(f"/admin/membership/{application.pk}/proof/")
    html = client.get("/admin/membership/audit/").content.decode()
    assert "查看诊断证明" in html and "reviewer" in html and "提交申请" in html
    assert "小贝壳" not in html and "shell_2024" not in html


def test_queue_shows_anonymous_counts_after_deletion(
    db, submitted, reviewer, django_capture_on_commit_callbacks
):
    application, _ = submitted
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(application=application, now=timezone.now())
    html = login(reviewer).get("/admin/membership/?show=all").content.decode()
    assert "申请人撤回" in html and "这里没有申请" in html


def test_queue_and_detail_isolate_right_to_left_overrides_in_user_text(db, reviewer):
    spoof = "\u202egnp.所医\u202c小贝壳"
    application, _ = actions.submit_application(
        details=sample_details(nickname=spoof, hospital="\u202e院医\u202c"),
        proof=clean_proof(samples.jpeg_bytes()),
        language="zh-hans",
        now=timezone.now(),
    )
    client = login(reviewer)
    queue = client.get("/admin/membership/").content.decode()
    assert f"<bdi>{spoof}</bdi>" in queue
    detail = client.get(f"/admin/membership/{application.pk}/").content.decode()
    assert f"<bdi>{spoof}</bdi>" in detail and "<bdi>\u202e院医\u202c</bdi>" in detail
