"""The review queue in the Wagtail admin, through Django's test client, in Chinese."""

from __future__ import annotations

import datetime as dt
import json
import re

from wagtail.models import WorkflowState

from freshness.models import Dismissal, Finding, PageFreshness, Statement
from freshness.paragraphs import paragraph_blocks
from freshness.tests.test_review_fixtures import (  # noqa: F401 (fixtures)
    finding_for,
    review_site_fixture,
    site_fixture,
)

QUEUE = "/admin/freshness/"
LAPSED = "原计划2011年12月完成"


def _login(client, site, username):
    assert client.login(username=username, password=site.password)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_anonymous_is_sent_to_the_login_page(client, site):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_user_without_admin_access_is_refused(client, site):
    _login(client, site, "reader")
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(f"{QUEUE}findings/{finding_for(LAPSED).pk}/accept/")
    assert response.status_code == 302
    assert not WorkflowState.objects.exists()


def test_editor_sees_sentence_reason_evidence_and_suggestions(client, site):
    _login(client, site, "editor")
    finding = finding_for(LAPSED)
    response = client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "试验信息核对" in html
    card = html.split(f'id="finding-{finding.pk}"')[1].split("</article>")[0]
    assert f"<mark>{LAPSED}</mark>" in card
    assert "此临床试验在中国进行招募，" in card
    assert "已过时" in card
    assert finding.reason_zh in card and finding.reason_en in card
    assert "注册库证据" in card and "完成日期" in card and "2011年12月" in card
    assert 'href="/admin/trials/NCT00962923/"' in card
    assert ">2018-05-29</a>" in card
    assert "结果逾期未报" in card and "注册记录超过两年未更新" in card
    assert finding.suggestion_zh in card and "December 2011" in card
    assert ">接受建议</button>" in card and ">编辑后接受</a>" in card and ">忽略</summary>" in card
    assert f'action="/admin/freshness/findings/{finding.pk}/accept/"' in card


def test_findings_are_grouped_by_page_with_the_newest_page_first(client, site):
    _login(client, site, "editor")
    html = client.get(QUEUE).content.decode()
    titles = re.findall(r'class="fr-page__title" id="page-(\d+)-title"', html)
    assert sorted(titles) == sorted([str(site.zh.pk), str(site.en.pk)])
    Finding.objects.filter(statement__page=site.en).update(first_found_on=dt.date(2026, 12, 1))
    html = client.get(QUEUE).content.decode()
    titles = re.findall(r'class="fr-page__title" id="page-(\d+)-title"', html)
    assert titles == [str(site.en.pk), str(site.zh.pk)]
    assert html.count('class="fr-finding ') == Finding.objects.open().count()


def test_menu_item_shows_the_open_count(client, site):
    _login(client, site, "editor")
    html = client.get("/admin/").content.decode()
    label = f"试验信息核对（{Finding.objects.open().count()}）"
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    sidebar = json.dumps(json.loads(props.group(1)), ensure_ascii=False)
    assert f'"{label}"' in sidebar


def test_accept_from_the_queue(client, site):
    _login(client, site, "editor")
    finding = finding_for(LAPSED)
    response = client.post(
        f"{QUEUE}findings/{finding.pk}/accept/", {"next": f"{QUEUE}?show=open"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{QUEUE}?show=open"
    assert "医学审核" in _messages(response)
    finding.refresh_from_db()
    assert finding.accepted_revision is not None
    assert f'id="finding-{finding.pk}"' not in response.content.decode()
    accepted = client.get(f"{QUEUE}?show=accepted").content.decode()
    assert f'id="finding-{finding.pk}"' in accepted and "草稿正在等待医学审核" in accepted
    assert "医学审核流程" in accepted


def test_edit_then_accept_is_prefilled_and_uses_the_edited_text(client, site):
    _login(client, site, "editor")
    finding = finding_for(LAPSED)
    url = f"{QUEUE}findings/{finding.pk}/edit/"
    form = client.get(url).content.decode()
    assert finding.suggestion_zh in form.split("<textarea")[1]
    assert "在中国进行招募" in form  # the other claims in the sentence are listed
    response = client.post(url, {"text": "   "})
    assert response.status_code == 200 and "请写出新的句子" in response.content.decode()
    words = "该试验原计划2011年12月完成，注册库至今未更新（编辑改写）。"
    response = client.post(url, {"text": words, "next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    page = site.zh.specific_class.objects.get(pk=site.zh.pk)
    draft = page.get_latest_revision_as_object()
    text = next(b.text for b in paragraph_blocks(draft) if b.block_id == finding.statement.block_id)
    assert words in text


def test_markup_in_the_sentence_gives_a_clear_error_and_saves_nothing(client, site):
    page = site.zh.specific_class.objects.get(pk=site.zh.pk)
    finding = finding_for(LAPSED)
    for index, child in enumerate(page.body):
        if child.id == finding.statement.block_id:
            source = child.value.source.replace(
                "原计划", '<a href="https://example.org">原计划</a>'
            )
            page.body[index] = ("paragraph", child.block.to_python(source), child.id)
    page.save_revision(user=site.users["admin"]).publish()
    revisions = page.revisions.count()
    _login(client, site, "editor")
    response = client.post(f"{QUEUE}findings/{finding.pk}/accept/", follow=True)
    assert "手动修改" in _messages(response)
    assert page.revisions.count() == revisions
    assert not WorkflowState.objects.exists()


def test_dismiss_needs_a_reason_then_hides_the_finding(client, site):
    _login(client, site, "editor")
    finding = finding_for("正在评估")
    url = f"{QUEUE}findings/{finding.pk}/dismiss/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "请填写理由" in response.content.decode()
    assert not Dismissal.objects.exists()
    response = client.post(url, {"reason": "原文已说明状态不明", "next": QUEUE}, follow=True)
    assert "已忽略" in _messages(response)
    assert f'id="finding-{finding.pk}"' not in response.content.decode()
    dismissed = client.get(f"{QUEUE}?show=dismissed").content.decode()
    card = dismissed.split(f'id="finding-{finding.pk}"')[1].split("</article>")[0]
    assert "<bdi>editor</bdi>" in card and "<bdi>原文已说明状态不明</bdi>" in card
    assert ">接受建议</button>" not in card


def test_a_dismissal_reason_with_a_direction_override_stays_isolated(client, site):
    _login(client, site, "editor")
    finding = finding_for("正在评估")
    reason = "\u202e已核实\u202c registry"
    client.post(f"{QUEUE}findings/{finding.pk}/dismiss/", {"reason": reason})
    dismissed = client.get(f"{QUEUE}?show=dismissed").content.decode()
    assert f"<bdi>{reason}</bdi>" in dismissed


def test_current_statements_can_be_listed(client, site):
    _login(client, site, "editor")
    html = client.get(f"{QUEUE}?show=current").content.decode()
    assert "与注册库一致" in html and "<mark>开放标签</mark>" in html


def test_page_notice_toggle(client, site):
    _login(client, site, "editor")
    url = f"{QUEUE}pages/{site.zh.pk}/notice/"
    response = client.post(url, {"show": "1", "next": QUEUE}, follow=True)
    assert PageFreshness.objects.get(page=site.zh).show_notice
    assert "读者提示：已开启" in response.content.decode()
    client.post(url, {"show": "0"})
    assert not PageFreshness.objects.get(page=site.zh).show_notice
    assert client.get(url).status_code == 405


def test_admin_without_page_permission_sees_but_cannot_act(client, site):
    _login(client, site, "viewer")
    finding = finding_for(LAPSED)
    html = client.get(QUEUE).content.decode()
    assert f"<mark>{LAPSED}</mark>" in html
    assert ">接受建议</button>" not in html and ">开启提示</button>" not in html
    response = client.post(f"{QUEUE}findings/{finding.pk}/accept/", follow=True)
    assert "没有编辑页面" in _messages(response)
    client.post(f"{QUEUE}pages/{site.zh.pk}/notice/", {"show": "1"})
    assert not PageFreshness.objects.get(page=site.zh).show_notice
    assert not WorkflowState.objects.exists()


def test_statement_list_confirm_delete_and_restore(client, site):
    _login(client, site, "editor")
    url = f"{QUEUE}pages/{site.zh.pk}/"
    html = client.get(url).content.decode()
    assert "关于试验的说法" in html and "<mark>从脐带获得</mark>" in html
    statement = finding_for("从脐带获得").statement
    client.post(f"{QUEUE}statements/{statement.pk}/confirm/")
    statement.refresh_from_db()
    assert statement.confirmed_by == site.users["editor"]
    client.post(f"{QUEUE}statements/{statement.pk}/delete/")
    statement.refresh_from_db()
    assert statement.state == Statement.State.DELETED
    assert "已删除的说法" in client.get(url).content.decode()
    client.post(f"{QUEUE}statements/{statement.pk}/restore/")
    statement.refresh_from_db()
    assert statement.state == Statement.State.ACTIVE


def test_add_statement_form(client, site):
    _login(client, site, "editor")
    url = f"{QUEUE}pages/{site.zh.pk}/add/"
    block = next(b for b in paragraph_blocks(site.zh) if "NCT02213705" in b.text)
    form = client.get(url).content.decode()
    assert "构成这条说法的文字" in form and block.block_id in form
    data = {
        "block": block.block_id,
        "claim_text": "德国",
        "kind": "location",
        "nct_id": "NCT02213705",
        "countries": ["France"],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "所选段落中没有这段文字" in response.content.decode()
    response = client.post(url, {**data, "claim_text": "法国", "countries": []})
    assert "请勾选国家" in response.content.decode()
    response = client.post(url, {**data, "claim_text": "法国"})
    assert response.status_code == 302
    added = Statement.objects.get(page=site.zh, claim_text="法国", kind="location")
    assert added.origin == Statement.Origin.EDITOR
    assert added.claimed == {"countries": ["France"], "site_count": None}
    assert added.finding.verdict == "current"


def test_correct_statement_form(client, site):
    _login(client, site, "editor")
    statement = finding_for("预计将于2022年1月完成").statement
    url = f"{QUEUE}statements/{statement.pk}/correct/"
    form = client.get(url).content.decode()
    assert 'value="2022-01"' in form and "NCT02213705" in form
    response = client.post(
        url,
        {"kind": "completion_date", "nct_id": "NCT02213705", "date": "2019/06"},
    )
    assert "2022-01-15" in response.content.decode()  # the date format help in the error
    response = client.post(
        url,
        {
            "kind": "completion_date",
            "nct_id": "NCT02213705",
            "date": "2019-06",
            "date_type": "ESTIMATED",
        },
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.claimed == {"date": "2019-06", "date_type": "ESTIMATED"}
    assert statement.finding.verdict == "outdated"


def test_advice_is_not_offered_for_one_click_acceptance(client, site):
    from freshness import actions

    block = next(b for b in paragraph_blocks(site.zh) if "NCT02213705" in b.text)
    statement = actions.add_statement(
        page=site.zh,
        block_id=block.block_id,
        claim_text="法国",
        kind="location",
        nct_id="NCT99999999",
        claimed={"countries": ["France"], "site_count": None},
        user=site.users["editor"],
    )
    _login(client, site, "editor")
    html = client.get(QUEUE).content.decode()
    card = html.split(f'id="finding-{statement.finding.pk}"')[1].split("</article>")[0]
    assert ">接受建议</button>" not in card and ">编辑后接受</a>" in card
    form = client.get(f"{QUEUE}findings/{statement.finding.pk}/edit/").content.decode()
    assert statement.sentence in form.split("<textarea")[1]


def test_sentences_from_editors_are_bidi_isolated_in_the_queue(client, site):
    _login(client, site, "editor")
    finding = finding_for(LAPSED)
    html = client.get(QUEUE).content.decode()
    card = html.split(f'id="finding-{finding.pk}"')[1].split("</article>")[0]
    assert re.search(r'<blockquote class="fr-sentence" lang="[\w-]+" dir="auto">', card)
