"""Text analysis for every search of the project: the finder's index and queries, site search.

One implementation, so that a word is folded, cut and stemmed the same way wherever it is
indexed or asked for:

* full-width characters become half-width and everything is lower-cased (Unicode NFKC);
* Traditional characters become Simplified (OpenCC t2s), so 幹細胞 meets 干细胞;
* Chinese runs are segmented by jieba, with a tokenizer of this module's own
  (``jieba.Tokenizer()``, never jieba's global one, to which any other code may add words),
  taught `DOMAIN_WORDS`; `segment(..., search=True)` also gives the shorter words inside long
  ones (间充质干细胞 → 充质 / 细胞 / 干细胞 / 间充质干细胞), so a short query finds a long word;
* English words are stemmed (Snowball English), so "cells" meets "cell"; NCT numbers stay
  whole ("nct02213705");
* function words are dropped (`EN_STOPWORDS`, `ZH_STOPWORDS`).

Nothing here knows about trials or pages: the finder adds its synonym concepts and its own
stopwords on top (`finder/index_tokens.py`), site search ranks pages with `tokens`.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# A Chinese run, or a Latin run (letters, digits, inner apostrophes and hyphens) of folded text.
RUN_RE = re.compile(rf"([{CJK}]+)|([a-z0-9][a-z0-9'\-]*)")
WORD_RE = re.compile(r"[a-z0-9]+")

# The disease and treatment words jieba's general dictionary cuts badly: the Chinese words of
# the finder's synonym table (finder/synonyms.py, checked by finder's tests) and the handbook's
# own terms. Changing this list changes index tokens: run `manage.py rebuild_trial_index`.
DOMAIN_WORDS = (
    "硬皮病", "系统性硬化症", "系统性硬化病", "系统性硬皮病", "系统性硬化", "硬斑病",
    "局限性硬皮病", "间质性肺病", "间质性肺疾病", "肺间质病变", "肺间质纤维化", "肺纤维化",
    "间质性肺炎", "肺间质", "肺动脉高压", "肺高压", "雷诺现象", "雷诺病", "雷诺综合征", "雷诺",
    "指端溃疡", "指尖溃疡", "手指溃疡", "指溃疡", "硬皮病肾危象", "肾危象", "肾脏受累", "肾损害",
    "心脏受累", "心肌受累", "心肌纤维化", "胃肠道受累", "胃肠受累", "消化道受累", "胃食管反流",
    "吞咽困难", "皮肤硬化", "皮肤增厚", "皮肤纤维化", "改良rodnan皮肤评分", "皮肤评分", "干细胞",
    "间充质干细胞", "间充质基质细胞", "间质干细胞", "间充质", "造血干细胞移植", "自体造血干细胞移植",
    "骨髓移植", "血管基质组分", "脂肪来源", "自体脂肪", "脂肪组织", "脂肪移植", "car-t细胞疗法",
    "car-t", "cart细胞", "血浆置换", "血浆净化", "环磷酰胺", "吗替麦考酚酯", "霉酚酸酯", "麦考酚",
    "甲氨蝶呤", "利妥昔单抗", "托珠单抗", "尼达尼布", "吡非尼酮", "伊洛前列素", "安慰剂",
    "造血干细胞", "同种异体", "临床试验",
)  # fmt: skip
DOMAIN_WORD_FREQUENCY = 200_000

EN_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either etc few for
    from further had has have having he her here hers him his how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our out over own per
    same she should so some such than that the their them then there these they this those through
    to too under until up very via was we were what when where which while who whom why will with
    within without would you your""".split()
)
ZH_STOPWORDS = frozenset(
    """的 了 和 与 及 或 是 在 有 我 我们 他 她 它 你 您 吗 呢 吧 啊 也 都 就 还 又 很 被 把 从 到 对 给
    为 以 于 用 这 那 个 年 月 日 岁 请问 可以 能否 是否 什么 怎么 哪里 哪些 没有 已经 现在 目前 一直
    其 而 将 之 一""".split()
)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _lock:
        tokenizer.initialize()
        for word in DOMAIN_WORDS:
            tokenizer.add_word(word, freq=DOMAIN_WORD_FREQUENCY)
    return tokenizer


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional characters as Simplified; the rest of the text untouched."""
    return _t2s().convert(text) if has_cjk(text) else text


def normalise(text: str) -> str:
    """Half-width, lower-case, Simplified: the form every other function here expects."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word ("cells" → "cell")."""
    return _stemmer().stemWord(word)


def segment(chinese: str, *, search: bool = False) -> list[str]:
    """Words of a Chinese run.

    Plain mode never guesses unknown words (no HMM), so a phrase is cut the same way in a
    record and in a query. Search mode adds the dictionary words inside long words, for an
    index that a short query must reach.
    """
    tokenizer = _tokenizer()
    if search:
        return [word for word in tokenizer.cut_for_search(chinese) if word.strip()]
    return [word for word in tokenizer.cut(chinese, HMM=False) if word.strip()]


def tokens(text: str, *, search: bool = False, keep_stopwords: bool = False) -> list[str]:
    """Search tokens of `text`, in order: Chinese words and English stems, stopwords dropped."""
    result: list[str] = []
    for match in RUN_RE.finditer(normalise(text)):
        chinese, latin = match.groups()
        if chinese:
            result.extend(
                word
                for word in segment(chinese, search=search)
                if keep_stopwords or word not in ZH_STOPWORDS
            )
        else:
            result.extend(
                stem(word)
                for word in WORD_RE.findall(latin)
                if keep_stopwords or word not in EN_STOPWORDS
            )
    return result
