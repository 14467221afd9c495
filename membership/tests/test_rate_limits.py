"""Rate limits per IP address and per contact, and the client address they count by."""

from datetime import timedelta

import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from membership import ratelimit
from membership.models import Application

from . import samples
from .conftest import form_data, upload

APPLY = "/zh-hans/join/"


def post_application(client, ip="203.0.113.7", **overrides):
    data = form_data(**overrides)
    data["proof"] = upload("p.jpg", samples.jpeg_bytes(), "image/jpeg")
    return client.post(APPLY, data, REMOTE_ADDR=ip)


def test_applications_per_ip_are_limited_and_the_window_passes(client, db, settings):
    settings.MEMBERSHIP_APPLY_LIMIT_PER_IP = 2
    settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT = 100
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert post_application(client, contact="wechat_aaa").status_code == 302
        assert post_application(client, contact="wechat_bbb").status_code == 302
        blocked = post_application(client, contact="wechat_ccc")
        assert blocked.status_code == 429 and "请稍后再试" in blocked.content.decode()
        assert post_application(client, ip="198.51.100.1", contact="wechat_ddd").status_code == 302
    with time_machine.travel(now + timedelta(hours=1, minutes=1), tick=False):
        assert post_application(client, contact="wechat_eee").status_code == 302
    assert Application.objects.count() == 4


def test_accepted_applications_per_contact_are_limited(client, db, settings):
    settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT = 2
    for number in range(2):
        assert (
            post_application(client, ip=f"192.0.2.{number}", contact="same_contact").status_code
            == 302
        )
    # Written differently, from another address: still the same contact.
    response = post_application(
        client, ip="192.0.2.99", contact="Same_Contact ", contact_kind="wechat"
    )
    assert response.status_code == 429
    assert Application.objects.count() == 2


def test_form_errors_do_not_use_up_the_contact_limit(client, db, settings):
    settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT = 1
    for _ in range(3):
        assert post_application(client, contact="shell_2024", consent="").status_code == 200
    assert post_application(client, contact="shell_2024").status_code == 302


def test_code_guessing_is_limited_per_ip(client, db, settings, submitted):
    settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP = 5
    _, code = submitted
    for number in range(5):
        response = client.post(
            "/zh-hans/join/status/", {"code": f"AAAA-AAAA-AAAA-AAAA-AAA{number}"}
        )
        assert response.status_code == 200
    # Even the right code is refused now: the limit is on attempts, whatever they guess.
    assert client.post("/zh-hans/join/status/", {"code": code}).status_code == 429
    assert (
        client.post("/zh-hans/join/withdraw/", {"code": code, "confirm": "on"}).status_code == 429
    )
    assert Application.objects.count() == 1
    other = client.post("/zh-hans/join/status/", {"code": code}, REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 200 and "小贝壳" in other.content.decode()


def test_client_address_from_the_trusted_proxy_header(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert ratelimit.client_ip(request) == "127.0.0.1"
    settings.MEMBERSHIP_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert ratelimit.client_ip(request) == "203.0.113.9"
    forwarded = factory.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.10")
    settings.MEMBERSHIP_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert ratelimit.client_ip(forwarded) == "203.0.113.10"


def test_ipv6_addresses_count_per_64_block(settings):
    factory = RequestFactory()
    a = factory.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    b = factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    c = factory.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert ratelimit.client_ip(a) == ratelimit.client_ip(b) == "2001:db8:1:2::/64"
    assert ratelimit.client_ip(c) != ratelimit.client_ip(a)


def test_posts_that_fail_csrf_or_validation_do_not_use_up_the_address_limits(db, settings):
    """Any web page can make its visitors' browsers post here without a token; those posts,
    and invalid forms, must not lock a shared address out."""
    settings.MEMBERSHIP_APPLY_LIMIT_PER_IP = 2
    settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP = 2
    browser = Client(enforce_csrf_checks=True)
    for number in range(5):
        forged = post_application(browser, contact=f"wechat_forged_{number}")
        assert forged.status_code == 403
        assert browser.post("/zh-hans/join/status/", {"code": "AAAA"}).status_code == 403
        assert browser.post("/zh-hans/join/status/reply/", {"code": "AAAA"}).status_code == 403
        invalid = post_application(browser, contact="wechat_x", consent="")
        assert invalid.status_code == 403
    page = browser.get(APPLY)
    token = page.cookies["csrftoken"].value
    for _ in range(3):
        form_error = post_application(
            browser, contact="wechat_form_error", consent="", csrfmiddlewaretoken=token
        )
        assert form_error.status_code == 200
        empty = browser.post("/zh-hans/join/status/", {"code": "", "csrfmiddlewaretoken": token})
        assert empty.status_code == 200
    assert Application.objects.count() == 0
    lookup = browser.post(
        "/zh-hans/join/status/", {"code": "AAAA-AAAA-AAAA-AAAA", "csrfmiddlewaretoken": token}
    )
    assert lookup.status_code == 200
    for number in range(2):
        accepted = post_application(
            browser, contact=f"wechat_real_{number}", csrfmiddlewaretoken=token
        )
        assert accepted.status_code == 302
    assert Application.objects.count() == 2
    over = post_application(browser, contact="wechat_real_3", csrfmiddlewaretoken=token)
    assert over.status_code == 429
