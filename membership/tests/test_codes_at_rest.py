"""Issue 18, item 2: the database alone (every table, sessions decoded) cannot open or withdraw
an application; the code is shown once, and withdrawing ends every other way back to it."""

import copy
import hashlib

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from membership import actions, codes
from membership.models import Application

from .test_public_pages import CODE_RE, STATUS, WITHDRAW, apply

RECEIPT = "/zh-hans/join/receipt/"


def forms_of(code: str) -> list[str]:
    canonical = codes.normalise(code)
    return [
        code,
        canonical,
        canonical.lower(),
        hashlib.sha256(canonical.encode()).hexdigest(),
    ]


def everything_stored() -> str:
    """Every value of every row of every table, and every session's decoded data."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    parts.append(str(value))
    for session in Session.objects.all():
        parts.append(repr(SessionStore().decode(session.session_data)))
    return "\n".join(parts)


def test_no_table_and_no_session_holds_the_code_before_or_after_the_receipt(client, db):
    client.get("/zh-hans/join/")
    apply(client)
    stored_before = everything_stored()
    receipt = client.get(RECEIPT)
    code = CODE_RE.search(receipt.content.decode()).group(0)
    assert actions.find_by_code(code) == Application.objects.get()
    for form in forms_of(code):
        assert form not in stored_before
        assert form not in everything_stored()


def test_the_receipt_is_shown_once_and_the_cookie_carrying_it_is_encrypted(client, db):
    apply(client)
    token = client.cookies["membership_receipt"].value
    first = client.get(RECEIPT)
    code = CODE_RE.search(first.content.decode()).group(0)
    assert codes.normalise(code) not in token and code not in token
    assert first["Cache-Control"].startswith("max-age=0") or "no-store" in first["Cache-Control"]
    again = client.get(RECEIPT)
    assert again.status_code == 302 and again["Location"] == STATUS
    assert code not in again.content.decode()


def test_stored_digest_is_keyed_with_the_secret_key(db, settings, submitted):
    application, code = submitted
    plain = hashlib.sha256(codes.normalise(code).encode()).hexdigest()
    assert application.code_digest != plain
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert actions.find_by_code(code) is None


def test_a_rotated_secret_key_still_finds_the_code_and_rekeys_it(db, settings, submitted):
    application, code = submitted
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert actions.find_by_code(code) == application
    application.refresh_from_db()
    assert application.code_digest == codes.digest(code)
    settings.SECRET_KEY_FALLBACKS = []
    assert actions.find_by_code(code) == application


def test_withdrawal_ends_the_other_browsers_way_back(db):
    applicant = Client()
    apply(applicant)
    application = Application.objects.get()
    receipt_elsewhere = Client()
    receipt_elsewhere.cookies = copy.deepcopy(applicant.cookies)
    code = CODE_RE.search(receipt_elsewhere.get(RECEIPT).content.decode()).group(0)

    phone = Client()
    withdrawn = phone.post(WITHDRAW, {"code": code, "confirm": "on"})
    assert withdrawn.status_code == 200
    assert not Application.objects.filter(pk=application.pk).exists()

    after = applicant.get(RECEIPT)
    assert after.status_code == 302 and after["Location"] == STATUS
    lookup = applicant.post(STATUS, {"code": code})
    assert "小贝壳" not in lookup.content.decode()
