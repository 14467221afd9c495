from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from handbook import actions
from handbook.models import HandbookPage, OrganisationSettings

SEED = (
    Path(__file__).resolve().parents[2]
    / "demo"
    / "data"
    / "brochures"
    / "mesenchymal-stem-cells.zh-hans.txt"
)


@pytest.fixture
def handbook_root(db):
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code="zh-hans")
    return actions.ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")


def test_import_is_a_draft_until_published_and_reimport_adds_a_revision(handbook_root, capsys):
    call_command("import_brochure", str(SEED), locale="zh-hans")
    page = HandbookPage.objects.get()
    assert not page.live
    assert page.has_unpublished_changes
    assert page.get_parent().specific.title == "实验性治疗方法"
    assert page.slug == "jian-chong-zhi-gan-xi-bao"
    assert page.cited_nct_ids() == ["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]

    page.slug = "msc"
    page.save_revision().publish()
    call_command("import_brochure", str(SEED), locale="zh-hans", publish=True)
    assert HandbookPage.objects.count() == 1
    page.refresh_from_db()
    assert page.live and page.slug == "msc"
    assert page.revisions.count() == 3


def test_editor_changes_to_organisation_settings_are_kept(handbook_root, capsys):
    call_command("import_brochure", str(SEED), locale="zh-hans")
    org = OrganisationSettings.objects.get()
    org.phone = "028-12345678"
    org.save()
    with translation.override("en"):
        call_command("import_brochure", str(SEED), locale="zh-hans")
    org.refresh_from_db()
    assert org.phone == "028-12345678"
    assert "phone" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01binary", "binary"),
        ("# 标题\n\n正文。".encode("gb18030"), "UTF-8"),
    ],
)
def test_bad_files_give_a_clear_error_and_create_nothing(handbook_root, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match=message) as excinfo:
        call_command("import_brochure", str(path), locale="zh-hans")
    assert "bad.txt" in str(excinfo.value)
    assert not HandbookPage.objects.exists()


def test_unknown_locale_and_missing_file(handbook_root):
    with translation.override("en"):
        with pytest.raises(CommandError, match="fr"):
            call_command("import_brochure", str(SEED), locale="fr")
        with pytest.raises(CommandError, match="nope.txt"):
            call_command("import_brochure", "nope.txt", locale="zh-hans")
