"""Editors add a link in the Wagtail admin, with a note; provenance "editor" is set for them."""

import pytest
from django.contrib.auth import get_user_model

from literature import actions
from literature.models import Provenance, Publication, TrialPublication
from literature.sources.pubmed import ParsedPublication

LINKS = "/admin/literature/links/"
PUBLICATIONS = "/admin/literature/publications/"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", password="pw-123456789")


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_adds_a_link_with_a_note(admin_client, editor):
    response = admin_client.post(
        f"{LINKS}new/",
        {"nct_id": "nct02149199", "pmid": " 29768149 ", "note": "Named in the sponsor's report"},
    )
    assert response.status_code == 302
    link = TrialPublication.objects.get()
    assert (link.nct_id, link.publication.pmid) == ("NCT02149199", "29768149")
    assert link.provenance == Provenance.EDITOR and link.is_result
    assert link.note == "Named in the sponsor's report"
    assert link.created_by == editor
    assert link.publication.fetched_at is None  # the next sync reads it from PubMed
    listing = admin_client.get(LINKS).content.decode()
    assert "NCT02149199" in listing and "Named in the sponsor" in listing


def test_a_link_needs_a_note_a_real_nct_number_and_a_pmid(admin_client):
    response = admin_client.post(f"{LINKS}new/", {"nct_id": "NCT123", "pmid": "PMC1", "note": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"nct_id", "pmid", "note"}
    assert not TrialPublication.objects.exists()


def test_the_same_editor_link_twice_is_refused(admin_client):
    actions.add_editor_link(nct_id="NCT02149199", pmid="29768149", note="First")
    response = admin_client.post(
        f"{LINKS}new/", {"nct_id": "NCT02149199", "pmid": "29768149", "note": "Again"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "编辑已将 PMID 29768149 关联到 NCT02149199。"  # the admin speaks Chinese by default
    ]
    assert TrialPublication.objects.count() == 1
    with pytest.raises(actions.LinkExists):
        actions.add_editor_link(nct_id="NCT02149199", pmid="29768149", note="Again")


def test_editing_a_link_changes_only_its_note(admin_client):
    link = actions.add_editor_link(nct_id="NCT02149199", pmid="29768149", note="First")
    response = admin_client.post(
        f"{LINKS}edit/{link.pk}/",
        {"note": "Better note", "nct_id": "NCT00000001", "provenance": "pubmed_si"},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.note, link.nct_id, link.provenance) == ("Better note", "NCT02149199", "editor")


def test_publications_are_listed_and_inspected(admin_client):
    actions.store_publication(
        run=None,
        parsed=ParsedPublication(pmid="29768149", title="Inhaled Combined Budesonide-Formoterol"),
    )
    paper = Publication.objects.get()
    listing = admin_client.get(f"{PUBLICATIONS}?q=Budesonide").content.decode()
    assert "Inhaled Combined Budesonide-Formoterol" in listing
    inspect = admin_client.get(f"{PUBLICATIONS}inspect/{paper.pk}/")
    assert inspect.status_code == 200


def test_literature_screens_need_an_admin_login(client, db):
    response = client.get(LINKS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
