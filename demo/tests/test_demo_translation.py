"""The English demo page is a faithful translation: same blocks, same NCT numbers, same numbers.

Each body block of the English page is compared with the Chinese block at the same place.
English month names before a year count as their numbers ("December 2011" ↔ "2011年12月"; the
"may" of "may become" is not a month); numbers written
as words on both sides (两名 / two) are not compared.
"""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from core.identifiers import find_nct_ids, replace_all
from handbook.models import HandbookPage, SectionPage

MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")(?= \d{4}\b)", re.I)
NUMBER_RE = re.compile(r"\d+")


def numbers(text: str) -> Counter:
    text = replace_all(text, lambda mention: " ", registries=("NCT",))
    text = MONTH_RE.sub(lambda match: f" {MONTHS.index(match.group(1).lower()) + 1} ", text)
    return Counter(int(number) for number in NUMBER_RE.findall(text))


def block_text(block) -> str:
    if block.block_type == "heading":
        return block.value["text"]
    if block.block_type == "paragraph":
        return strip_tags(block.value.source)
    return block.value["nct_id"]


@pytest.fixture
def pages(db):
    call_command("load_demo", verbosity=0)
    chinese = HandbookPage.objects.get(locale__language_code="zh-hans", title="间充质干细胞")
    english = HandbookPage.objects.get(
        translation_key=chinese.translation_key, locale__language_code="en"
    )
    return chinese, english


def test_the_month_reading_itself_works():
    assert numbers("2011年12月完成，20例") == Counter({2011: 1, 12: 1, 20: 1})
    assert numbers("completed in December 2011, 20 patients") == Counter({2011: 1, 12: 1, 20: 1})
    assert numbers("(NCT00962923) 7 patients") == Counter({7: 1})
    assert numbers("it may help; in May 2018") == Counter({5: 1, 2018: 1})


def test_english_page_is_published_with_the_same_blocks(pages):
    chinese, english = pages
    assert english.live and english.title == "Mesenchymal stem cells"
    assert english.url == "/en/experimental-treatment/mesenchymal-stem-cells/"
    assert [block.block_type for block in english.body] == [
        block.block_type for block in chinese.body
    ]
    section = SectionPage.objects.get(locale__language_code="en")
    assert section.title == "Experimental treatments"


def test_every_block_keeps_its_nct_numbers_and_numbers(pages):
    chinese, english = pages
    for zh_block, en_block in zip(chinese.body, english.body, strict=True):
        zh_text, en_text = block_text(zh_block), block_text(en_block)
        assert not re.search(r"[\u4e00-\u9fff]", en_text), f"untranslated: {en_text}"
        assert find_nct_ids(en_text) == find_nct_ids(zh_text), en_text
        assert numbers(en_text) == numbers(zh_text), f"{zh_text}\n{en_text}"
    assert english.cited_nct_ids() == chinese.cited_nct_ids()
    assert english.mentioned_nct_ids() == chinese.mentioned_nct_ids()


def test_rerunning_load_demo_adds_no_english_revision(pages):
    chinese, english = pages
    revisions = english.revisions.count()
    call_command("load_demo", verbosity=0)
    english.refresh_from_db()
    assert english.revisions.count() == revisions
    assert HandbookPage.objects.filter(locale__language_code="en").count() == 1
