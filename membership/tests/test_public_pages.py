"""The applicant's side, through the test client: apply, receipt, status, reply, withdraw."""

import re

from django.test import Client
from django.utils import translation

from membership import actions, storage
from membership.models import Application, AuditEntry, Status
from membership.uploads import MAX_UPLOAD_BYTES

from . import samples
from .conftest import form_data, upload

APPLY = "/zh-hans/join/"
STATUS = "/zh-hans/join/status/"
WITHDRAW = "/zh-hans/join/withdraw/"
REPLY = "/zh-hans/join/status/reply/"
CODE_RE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


def apply(client, **overrides):
    data = form_data(**overrides)
    data.setdefault("proof", upload("证明.jpg", samples.jpeg_bytes(), "image/jpeg"))
    return client.post(APPLY, data)


def test_form_is_chinese_first_extends_base_and_loads_its_css(client, db):
    response = client.get(APPLY)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "申请加入患者群" in html and "隐私说明" in html
    assert 'class="site-footer"' in html
    assert "/static/membership/membership.css" in html
    assert 'enctype="multipart/form-data"' in html
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_form_in_english(client, db):
    response = client.get("/en/join/")
    html = response.content.decode()
    assert "Apply to join the patients’ group" in html
    assert "Privacy notice" in html and "30 days after the decision" in html


def test_privacy_notice_states_purpose_audience_retention_and_withdrawal(client, db, settings):
    settings.MEMBERSHIP_RETENTION_DAYS = 14
    with translation.override("en"):
        html = client.get("/en/join/privacy/").content.decode()
    assert "Why we ask" in html and "Who sees it" in html
    assert "deleted 14 days after the decision" in html
    assert 'href="/en/join/withdraw/"' in html


def test_apply_then_receipt_shows_a_code_that_finds_the_application(client, db):
    response = apply(client)
    assert response.status_code == 302 and response["Location"] == "/zh-hans/join/receipt/"
    receipt = client.get("/zh-hans/join/receipt/")
    code = CODE_RE.search(receipt.content.decode()).group(0)
    assert "申请已收到" in receipt.content.decode()

    application = Application.objects.get()
    assert application.status == Status.PENDING
    assert application.details.nickname == "小贝壳"
    assert application.details.contact == "shell_2024"
    assert code not in application.code_digest and len(application.code_digest) == 64
    assert actions.find_by_code(code.lower().replace("-", " ")) == application

    status = client.post(STATUS, {"code": code})
    html = status.content.decode()
    assert status.status_code == 200 and "等待审核" in html and "小贝壳" in html


def test_receipt_without_a_fresh_application_goes_to_the_lookup(client, db):
    response = client.get("/zh-hans/join/receipt/")
    assert response.status_code == 302 and response["Location"] == STATUS


def test_form_errors_are_shown_and_nothing_is_stored(client, db, settings):
    response = apply(client, contact_kind="qq", contact="abc", consent="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入QQ号" in html
    assert "我们只能在您明确同意后受理申请" in html
    assert Application.objects.count() == 0
    assert not list(storage.stored_names())


def test_svg_named_png_is_refused_with_a_clear_message(client, db):
    response = apply(client, proof=upload("proof.png", samples.SVG_WITH_SCRIPT, "image/png"))
    assert response.status_code == 200
    assert "不是 PDF、JPEG 或 PNG" in response.content.decode()
    assert Application.objects.count() == 0


def test_png_named_pdf_is_accepted_and_stored_as_png(client, db):
    response = apply(client, proof=upload("proof.pdf", samples.png_bytes(), "application/pdf"))
    assert response.status_code == 302
    assert Application.objects.get().proof_type == "image/png"


def test_oversized_upload_is_refused_without_reaching_disk(client, db, settings):
    big = upload("big.jpg", b"\xff\xd8\xff" + b"0" * MAX_UPLOAD_BYTES, "image/jpeg")
    response = apply(client, proof=big)
    assert response.status_code in (200, 413)
    assert "10 MB" in response.content.decode()
    assert Application.objects.count() == 0
    assert not list(storage.stored_names())


def test_declared_body_far_over_the_limit_is_refused_before_parsing(client, db):
    response = client.post(
        APPLY,
        data=b"x",
        content_type="multipart/form-data; boundary=zz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_csrf_is_enforced_on_every_form(db, submitted):
    _, code = submitted
    strict = Client(enforce_csrf_checks=True)
    data = form_data(proof=upload("p.jpg", samples.jpeg_bytes(), "image/jpeg"))
    assert strict.post(APPLY, data).status_code == 403
    assert strict.post(STATUS, {"code": code}).status_code == 403
    assert strict.post(WITHDRAW, {"code": code, "confirm": "on"}).status_code == 403
    assert strict.post(REPLY, {"code": code, "message": "hi"}).status_code == 403
    assert Application.objects.count() == 1


def _without_values(html: str) -> str:
    """The page minus form values (the CSRF token, the code typed in), which differ anyway."""
    return re.sub(r' value="[^"]*"', "", html)


def test_unknown_malformed_and_withdrawn_codes_get_the_same_answer(client, db, submitted):
    application, code = submitted
    answers = []
    for guess in ["ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "hello", "1"]:
        response = client.post(STATUS, {"code": guess})
        assert response.status_code == 200
        answers.append(_without_values(response.content.decode()))
    actions.withdraw(application=application, now=application.submitted_at)
    response = client.post(STATUS, {"code": code})
    answers.append(_without_values(response.content.decode()))
    assert len(set(answers)) == 1
    assert "我们没有找到使用这个编号的申请" in answers[0]


def test_status_is_only_posted_never_in_the_url(client, db, submitted):
    _, code = submitted
    response = client.get(STATUS, {"code": code})
    assert response.status_code == 200
    assert "小贝壳" not in response.content.decode()


def test_approved_status_shows_group_number_and_rule(client, db, submitted, reviewer):
    from wagtail.models import Site

    from handbook.models import OrganisationSettings

    org = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    org.qq_group, org.qq_group_rule = "152267349", "进群需提供诊断证明"
    org.save()
    application, code = submitted
    pending = client.post(STATUS, {"code": code}).content.decode()
    assert "152267349" not in pending.split('class="site-footer"')[0]

    actions.decide(
        application=application,
        user=reviewer,
        decision="approve",
        message="",
        now=application.submitted_at,
    )
    html = client.post(STATUS, {"code": code}).content.decode()
    main = html.split('class="site-footer"')[0]
    assert "已通过" in main and "152267349" in main and "进群需提供诊断证明" in main
    assert "小贝壳" in main


def test_rejection_shows_the_reason(client, db, submitted, reviewer):
    application, code = submitted
    actions.decide(
        application=application,
        user=reviewer,
        decision="reject",
        message="证明上看不到诊断。",
        now=application.submitted_at,
    )
    html = client.post(STATUS, {"code": code}).content.decode()
    assert "未通过" in html and "证明上看不到诊断。" in html


def test_more_information_round_trip_with_a_new_proof(client, db, submitted, reviewer):
    application, code = submitted
    old_name = application.proof_name
    actions.decide(
        application=application,
        user=reviewer,
        decision="ask",
        message="请上传带医院盖章的诊断证明。",
        now=application.submitted_at,
    )
    html = client.post(STATUS, {"code": code}).content.decode()
    assert "需要补充信息" in html and "请上传带医院盖章的诊断证明。" in html
    assert 'action="/zh-hans/join/status/reply/"' in html

    response = client.post(
        REPLY,
        {
            "code": code,
            "message": "已补充盖章页。",
            "proof": upload("new.pdf", samples.certificate_pdf()),
        },
    )
    assert response.status_code == 200 and "您的回复已发给志愿者" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert application.proof_type == "application/pdf"
    assert application.details.last_message_from("applicant") == "已补充盖章页。"
    assert not storage.exists(old_name) and storage.exists(application.proof_name)
    assert AuditEntry.objects.filter(
        action="applicant_replied", application_number=application.pk
    ).exists()


def test_reply_is_refused_unless_more_information_was_asked(client, db, submitted):
    application, code = submitted
    client.post(REPLY, {"code": code, "message": "插队"})
    application.refresh_from_db()
    assert application.details.conversation == []


def test_withdraw_deletes_everything_at_once(
    client, db, submitted, django_capture_on_commit_callbacks
):
    application, code = submitted
    name = application.proof_name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WITHDRAW, {"code": code, "confirm": "on"})
    assert response.status_code == 200 and "已被删除" in response.content.decode()
    assert not Application.objects.exists()
    assert not storage.exists(name) and not list(storage.stored_names())
    assert AuditEntry.objects.filter(action="withdrawn", application_number=application.pk).exists()


def test_withdraw_needs_confirmation(client, db, submitted):
    _, code = submitted
    response = client.post(WITHDRAW, {"code": code})
    assert "请勾选确认" in response.content.decode()
    assert Application.objects.count() == 1
