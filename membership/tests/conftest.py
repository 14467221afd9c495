"""Shared set-up for the membership tests: a private store in a temporary directory, a known
encryption key, clean rate-limit counters, and users in each role."""

import io

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from membership import actions
from membership.models import ApplicantDetails
from membership.uploads import clean_proof

from .samples import jpeg_bytes

KEY = Fernet.generate_key().decode()
REVIEWER_GROUP = "入群审核员"


@pytest.fixture(autouse=True)
def membership_settings(settings, tmp_path):
    settings.MEMBERSHIP_STORAGE_DIR = tmp_path / "private"
    settings.MEMBERSHIP_ENCRYPTION_KEYS = [KEY]
    settings.MEMBERSHIP_RETENTION_DAYS = 30
    settings.MEMBERSHIP_UNDECIDED_RETENTION_DAYS = 90
    settings.MEMBERSHIP_APPLY_LIMIT_PER_IP = 20
    settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT = 3
    settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP = 30
    settings.MEMBERSHIP_CLIENT_IP_HEADER = ""
    cache.clear()
    yield settings
    cache.clear()


def make_user(username, *, group=None, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, password=None)
    user = User.objects.create_user(username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", group=REVIEWER_GROUP)


@pytest.fixture
def editor(db):
    return make_user("editor", group="Editors")


@pytest.fixture
def superuser(db):
    return make_user("boss", superuser=True)


def sample_details(**overrides) -> ApplicantDetails:
    values = {
        "nickname": "小贝壳",
        "contact_kind": "wechat",
        "contact": "shell_2024",
        "province": "sichuan",
        "city": "成都",
        "diagnosis": "dcssc",
        "diagnosis_other": "",
        "diagnosis_year": 2019,
        "hospital": "四川大学华西医院",
        "role": "patient",
    }
    values.update(overrides)
    return ApplicantDetails(**values)


@pytest.fixture
def submitted(db):
    """A stored application (proof: a small JPEG) and its code."""
    proof = clean_proof(jpeg_bytes())
    application, code = actions.submit_application(
        details=sample_details(), proof=proof, language="zh-hans", now=timezone.now()
    )
    return application, code


def upload(name, data, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def form_data(**overrides):
    data = {
        "nickname": "小贝壳",
        "contact_kind": "wechat",
        "contact": "shell_2024",
        "province": "sichuan",
        "city": "成都",
        "diagnosis": "dcssc",
        "diagnosis_other": "",
        "diagnosis_year": "2019",
        "hospital": "",
        "role": "patient",
        "consent": "on",
    }
    data.update(overrides)
    return data


def bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
