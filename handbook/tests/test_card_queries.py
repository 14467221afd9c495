"""What a page of trial cards costs: each cited trial is read once per request, never longer.

The demo page cites four trials. Its cards, timelines, flags and papers share one read of
the stored rows (four queries for all the cards), so the count must not grow back with the
number of cards; and since the read lives on the request, a sync between two requests is
shown by the second.
"""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from handbook.blocks import TRIAL_MEMO, TrialBlock
from handbook.cards import StoredTrials, trial_card
from handbook.models import HandbookPage
from trials.models import Trial

SEED_IDS = ["NCT00962923", "NCT02213705", "NCT02975960", "NCT03211793"]
CARD_TABLES = ("trials_trial", "trials_triallocation", "trials_trialversion")
# Measured on the demo page after the change (43 before); the whole page, cards included.
PAGE_MAX_QUERIES = 19


@pytest.fixture
def demo(db, monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-for-tests")
    call_command("load_demo", verbosity=0)
    return HandbookPage.objects.get(locale__language_code="zh-hans")


def tables(queries) -> Counter:
    found = Counter()
    for query in queries:
        match = re.search(r'FROM "(\w+)"', query["sql"])
        found[match.group(1) if match else "?"] += 1
    return found


def test_demo_page_reads_each_table_of_its_cards_once(client, demo, django_assert_max_num_queries):
    client.get(demo.url)  # the first request fills Wagtail's per-process caches (sites)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(demo.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<article class="trial-card') == 4
    read = tables(ctx.captured_queries)
    for table in (*CARD_TABLES, "literature_trialpublication"):
        assert read[table] == 1, (table, read)


def test_a_change_between_two_requests_is_shown_by_the_second(client, demo):
    first = client.get(demo.url).content.decode()
    Trial.objects.filter(nct_id="NCT02975960").update(brief_title="Renamed by a sync")
    second = client.get(demo.url).content.decode()
    assert "Renamed by a sync" not in first
    assert "Renamed by a sync" in second


@pytest.mark.django_db
def test_memo_reads_the_cited_trials_together(seed_trials, django_assert_num_queries):
    memo = StoredTrials(SEED_IDS[:3])
    with django_assert_num_queries(4):
        first = trial_card(SEED_IDS[0], memo=memo)
    with django_assert_num_queries(0):
        others = [trial_card(nct_id, memo=memo) for nct_id in SEED_IDS[1:3]]
    assert first.found and all(card.found for card in others)
    # A trial the page did not announce is still read, on its own.
    with django_assert_num_queries(4):
        assert trial_card(SEED_IDS[3], memo=memo).found
    with django_assert_num_queries(1):
        assert not trial_card("NCT09999999", memo=memo).found


@pytest.mark.django_db
def test_shared_read_renders_the_same_card_and_flags_as_reading_alone(seed_trials):
    memo = StoredTrials(SEED_IDS)
    flagged = 0
    with translation.override("zh-hans"):
        for nct_id in SEED_IDS:
            alone = trial_card(nct_id)
            shared = trial_card(nct_id, memo=memo)
            assert render_to_string("handbook/_trial_card.html", {"card": shared}) == (
                render_to_string("handbook/_trial_card.html", {"card": alone})
            )
            # The flags from the card's rows equal the flags read by NCT number alone.
            from_card = render_to_string(
                "freshness/_trial_flags.html", {"nct_id": nct_id, "card": shared}
            )
            assert from_card == render_to_string("freshness/_trial_flags.html", {"nct_id": nct_id})
            flagged += "trial-card__flag" in from_card
    assert flagged  # the seed has overdue or stale trials, so the comparison covers flags


@pytest.mark.django_db
def test_flags_of_another_trial_are_not_taken_from_the_card(seed_trials):
    card = trial_card("NCT00962923")
    with translation.override("zh-hans"):
        wrong_card = render_to_string(
            "freshness/_trial_flags.html", {"nct_id": "NCT02213705", "card": card}
        )
        right = render_to_string("freshness/_trial_flags.html", {"nct_id": "NCT02213705"})
        own = render_to_string("freshness/_trial_flags.html", {"nct_id": "NCT00962923"})
    assert own != right  # the two trials' flags differ, so taking the card's would show
    assert wrong_card == right


def test_the_page_context_carries_one_memo_of_its_cited_trials(demo, rf, django_assert_num_queries):
    memo = demo.get_context(rf.get(demo.url))[TRIAL_MEMO]
    assert isinstance(memo, StoredTrials)
    with django_assert_num_queries(4):
        assert memo.get(SEED_IDS[0]).trial.nct_id == SEED_IDS[0]
    with django_assert_num_queries(0):
        assert all(memo.get(nct_id) is not None for nct_id in SEED_IDS[1:])


@pytest.mark.django_db
def test_trial_block_takes_the_memo_from_its_context(seed_trials, django_assert_num_queries):
    memo = StoredTrials(SEED_IDS)
    memo.get(SEED_IDS[0])
    with django_assert_num_queries(0):
        context = TrialBlock().get_context(
            {"nct_id": SEED_IDS[1]}, parent_context={TRIAL_MEMO: memo}
        )
    assert context["card"].found and context["card"].nct_id == SEED_IDS[1]
    with django_assert_num_queries(4):
        alone = TrialBlock().get_context({"nct_id": SEED_IDS[1]}, parent_context={})
    assert alone["card"].title == context["card"].title
