import pytest
from django.contrib.auth import get_user_model

from .conftest import SEED_2018, SEED_2020, import_paths


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", password="pw-123456789")
    client.force_login(user)
    return client


def test_trial_history_shows_field_changes_between_versions(admin_client):
    import_paths(SEED_2018, SEED_2020)
    response = admin_client.get("/admin/trials/NCT03211793/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2020-07-28" in html and "2018-05-29" in html
    assert "<del>RECRUITING</del>" in html and "<ins>NOT_YET_RECRUITING</ins>" in html
    assert "<del>2018-01</del>" in html and "<ins>2018-11</ins>" in html


def test_trial_list_search_and_runs_page(admin_client):
    run, _ = import_paths(SEED_2018)
    listing = admin_client.get("/admin/trials/?q=NCT02975").content.decode()
    assert "NCT02975960" in listing and "NCT00962923" not in listing
    runs = admin_client.get("/admin/trials/runs/")
    assert runs.status_code == 200
    assert "<td>文件导入</td>" in runs.content.decode()  # the admin speaks LANGUAGE_CODE, zh-hans


def test_registry_screens_need_an_admin_login(client, db):
    response = client.get("/admin/trials/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
