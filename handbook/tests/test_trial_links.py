"""NCT numbers written in a paragraph become links to their card, or to the registry."""

from handbook.templatetags.handbook_tags import link_nct_ids_in_html


def test_numbers_touching_chinese_text_are_linked_in_the_registrys_spelling():
    html = "<p>试验NCT00962923显示，另见ｎｃｔ０２２１３７０５。</p>"
    assert link_nct_ids_in_html(html, {"NCT00962923"}) == (
        '<p>试验<a class="nct-link" href="#trial-NCT00962923">NCT00962923</a>显示，另见'
        '<a class="nct-link" href="https://clinicaltrials.gov/study/NCT02213705" rel="noopener">'
        "NCT02213705</a>。</p>"
    )


def test_existing_links_and_longer_words_are_left_alone():
    html = '<p><a href="/x">NCT00962923</a> XNCT00962923 NCT009629231</p>'
    assert link_nct_ids_in_html(html, {"NCT00962923"}) == html
