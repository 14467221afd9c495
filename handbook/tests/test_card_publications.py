"""The trial card lists published results apart from background papers, retractions marked."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from handbook.cards import trial_card
from literature import actions, sync
from literature.tests.conftest import altered_retracted_article
from trials.tests.conftest import SEED_2020, import_paths

TRIAL = "NCT00962923"  # a seed trial; the registry cites four background papers


@pytest.fixture
def linked_trial(db, eutils, make_client):
    """The seed trial after a sync: PubMed's [si] names one paper, an editor added another
    (retracted) one, and the registry's four background references are linked."""
    import_paths(SEED_2020)
    eutils.si = {TRIAL: ["29768149"]}
    eutils.articles.update(altered_retracted_article())
    actions.add_editor_link(nct_id=TRIAL, pmid="30108519", note="Presented at a patient meeting")
    run, _ = sync.start_or_resume(nct_ids=[TRIAL])
    sync.run_sync(run=run, client=make_client())


def render(card):
    return render_to_string("handbook/_trial_card.html", {"card": card})


def test_card_lists_result_publications_then_background(linked_trial):
    with translation.override("en"):
        card = trial_card(TRIAL)
        html = render(card)
    assert [(pub.pmid, pub.journal, pub.year) for pub in card.publications] == [
        ("30108519", "Front Physiol", 2018),
        ("29768149", "N Engl J Med", 2018),
    ]
    assert [pub.is_retracted for pub in card.publications] == [True, False]
    assert card.publications[1].title.startswith("Inhaled Combined Budesonide-Formoterol")
    assert card.publications[1].url == "https://pubmed.ncbi.nlm.nih.gov/29768149/"
    assert card.publications[0].sources == ["added by an editor"]
    assert {pub.pmid for pub in card.background_publications} == {
        "19489103",
        "19389752",
        "19118507",
        "17402368",
    }
    assert "Published results" in html
    assert html.count("Retracted</strong>") == 1
    assert "N Engl J Med 2018. <cite>Inhaled Combined Budesonide-Formoterol" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/29768149/"' in html
    assert "4 background papers" in html
    # results come before the background list
    assert html.index("Published results") < html.index("4 background papers")


def test_card_in_chinese_marks_the_retraction(linked_trial):
    with translation.override("zh-hans"):
        html = render(trial_card(TRIAL))
    assert "发表的结果" in html
    assert "已撤稿" in html


def test_a_paper_linked_as_result_and_background_is_shown_once_as_a_result(linked_trial):
    actions.add_editor_link(nct_id=TRIAL, pmid="19489103", note="It reports this trial")
    card = trial_card(TRIAL)
    assert "19489103" in [pub.pmid for pub in card.publications]
    assert "19489103" not in [pub.pmid for pub in card.background_publications]


def test_card_without_publications_has_no_such_section(db):
    import_paths(SEED_2020)
    with translation.override("en"):
        card = trial_card("NCT02975960")
        html = render(card)
    assert card.found and card.publications == [] and card.background_publications == []
    assert "Published results" not in html
    assert "background paper" not in html
