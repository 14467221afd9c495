"""The one text analysis every search uses: folding, segmentation, stemming, stopwords."""

import jieba

from core import text


def test_full_width_upper_case_and_traditional_are_folded():
    assert (
        text.normalise("ＮＣＴ０２２１３７０５ Stem CELLS（幹細胞）")
        == "nct02213705 stem cells(干细胞)"
    )
    assert text.to_simplified("幹細胞 Stem") == "干细胞 Stem"


def test_english_words_are_stemmed_and_function_words_dropped():
    assert text.tokens("The stem cells of NCT02213705") == ["stem", "cell", "nct02213705"]
    assert text.tokens("The stem cells", keep_stopwords=True) == ["the", "stem", "cell"]


def test_domain_words_stay_whole_and_search_mode_adds_the_words_inside():
    assert text.segment("间充质干细胞治疗硬皮病") == ["间充质干细胞", "治疗", "硬皮病"]
    inside = text.segment("间充质干细胞", search=True)
    assert {"干细胞", "间充质干细胞"} <= set(inside)
    assert "干细胞" not in text.segment("间充质干细胞")


def test_chinese_function_words_are_dropped():
    assert text.tokens("硬皮病的治疗") == ["硬皮病", "治疗"]


def test_words_added_to_jiebas_global_dictionary_do_not_change_the_cut():
    before = text.segment("系统性硬化症患者")
    jieba.add_word("症患", freq=10**9)
    try:
        assert jieba.lcut("系统性硬化症患者", HMM=False) != before
        assert text.segment("系统性硬化症患者") == before
    finally:
        jieba.del_word("症患")


def test_every_domain_word_is_one_word():
    for word in text.DOMAIN_WORDS:
        if all(text.has_cjk(char) for char in word):
            assert text.segment(word) == [word], word
